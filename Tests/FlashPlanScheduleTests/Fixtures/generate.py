#!/usr/bin/env python3
"""Regenerates systemd-calendar.json: what systemd-analyze says about a table
of calendar expressions × base times × local zones.

    python3 Tests/FlashPlanScheduleTests/Fixtures/generate.py

Each case runs
    TZ=<zone> systemd-analyze calendar --base-time=@<epoch> --iterations=5 EXPR
and records the normalized form (or that systemd rejected the expression)
and the next elapses as UTC epoch seconds. systemd prints elapses to the
second, so fractional elapses are recorded truncated.

The curated table concentrates on DST changes (Europe/Rome, America/New_York,
Australia/Lord_Howe with its 30-minute shift), a zone without DST
(Asia/Kolkata), month ends, leap years, `~` and expressions that never fire;
a seeded random set (RANDOM_CASES) adds breadth. The Swift tests replay the
file, so they run where systemd is absent.
"""
import calendar
import datetime
import json
import os
import random
import re
import subprocess
import sys

SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze"
ITERATIONS = 5
# Overridable for ad-hoc stress runs, e.g.
#   SEED=7 RANDOM_CASES=3000 RANDOM_DST_CASES=3000 OUT=/tmp/stress.json python3 generate.py
# then FLASHPLAN_SCHEDULE_FIXTURE=/tmp/stress.json swift test --filter SystemdParityTests
# (ZONES="A B" picks the zones of the random set, DST_ZONES="A B" those of the
# DST set, with their changes computed by Python's zoneinfo.)
RANDOM_CASES = int(os.environ.get("RANDOM_CASES", 220))
RANDOM_DST_CASES = int(os.environ.get("RANDOM_DST_CASES", 120))
# UTC instants of DST changes (for choosing base times near them; the
# implementation under test reads zone data from Foundation, not from here).
DST_CHANGES = {
    "Europe/Rome": ["2026-03-29 01:00:00", "2026-10-25 01:00:00", "2027-03-28 01:00:00", "2027-10-31 01:00:00"],
    "America/New_York": ["2026-03-08 07:00:00", "2026-11-01 06:00:00", "2027-03-14 07:00:00", "2027-11-07 06:00:00"],
    "Australia/Lord_Howe": ["2026-04-04 15:00:00", "2026-10-03 15:30:00", "2027-04-03 15:00:00", "2027-10-02 15:30:00"],
}
SEED = int(os.environ.get("SEED", 20261121))
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.environ.get("OUT", os.path.join(HERE, "systemd-calendar.json"))


def epoch(text):
    """'2026-03-29 00:30:00' (UTC) → epoch seconds."""
    return calendar.timegm(datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").timetuple())


def run(expression, zone, base):
    env = dict(os.environ, TZ=zone, SYSTEMD_COLORS="0", SYSTEMD_PAGER="")
    proc = subprocess.run(
        [SYSTEMD_ANALYZE, "calendar", "--base-time=@%s" % base, "--iterations=%d" % ITERATIONS, "--", expression],
        env=env, capture_output=True, text=True)
    stuck = False
    if proc.returncode != 0:
        if "Failed to parse calendar specification" in proc.stderr:
            return {"error": True}
        if "Failed to determine next elapse" not in proc.stderr:
            raise RuntimeError("systemd-analyze failed on %r: %s" % (expression, proc.stderr))
        # systemd gave up (its 1000-iteration safety valve): the elapses
        # printed so far stand, there is no further one.
        stuck = True
    normalized = None
    local, utc = [], []
    for line in proc.stdout.splitlines():
        line = line.strip()
        m = re.match(r"Normalized form: (.*)$", line)
        if m:
            normalized = m.group(1)
            continue
        if line == "Next elapse: never":
            continue
        m = re.match(r"(?:Next elapse|Iter\. #\d+): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S+)$", line)
        if m:
            local.append((m.group(1), m.group(2)))
            continue
        m = re.match(r"\(in UTC\): \w{3} (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC$", line)
        if m:
            utc.append(m.group(1))
    if utc:
        assert len(utc) == len(local)
        nexts = [epoch(u) for u in utc]
    else:
        # No "(in UTC)" lines: the local zone is UTC itself.
        assert all(z == "UTC" for _, z in local), (expression, zone, local)
        nexts = [epoch(l) for l, _ in local]
    result = {"error": False, "normalized": normalized, "next": nexts}
    if stuck:
        result["stuck"] = True
    return result


def curated():
    cases = []

    def add(zone, base, *expressions):
        for e in expressions:
            cases.append((e, zone, base))

    dst_exprs = ["hourly", "*-*-* 02:30", "*-*-* 02:00", "*-*-* 01:30", "*-*-* 03:00", "*-*-* 01:59:59",
                 "*:0/15", "*:30", "daily", "*-*-* 00/2:00", "Sun *-*-* 02:*:00", "minutely",
                 "*-*-* 02:30:30.5"]
    # Europe/Rome: spring forward 2026-03-29 01:00 UTC, fall back 2026-10-25 01:00 UTC.
    for base in ["2026-03-28 23:40:00", "2026-03-29 00:59:00", "2026-10-24 23:40:00", "2026-10-25 00:30:00",
                 "2026-10-25 00:59:59"]:
        add("Europe/Rome", epoch(base), *dst_exprs)
    # America/New_York: 2026-03-08 07:00 UTC and 2026-11-01 06:00 UTC.
    for base in ["2026-03-08 06:30:00", "2026-11-01 04:50:00", "2026-11-01 05:30:00"]:
        add("America/New_York", epoch(base), "hourly", "*-*-* 02:30", "*-*-* 01:30", "*:0/20", "daily",
            "Sun *-*-* 01:*:00", "*-*-* 01:59")
    # Australia/Lord_Howe: +11 → +10:30 at 2026-04-04 15:00 UTC, back at 2026-10-03 15:30 UTC.
    for base in ["2026-04-04 14:20:00", "2026-10-03 15:00:00"]:
        add("Australia/Lord_Howe", epoch(base), "hourly", "*-*-* 01:45", "*-*-* 02:15", "*-*-* 01:30",
            "*:0/10", "*:15,45", "daily")
    # Asia/Kolkata: no DST, half-hour offset.
    for base in ["2026-03-29 00:00:00", "2026-12-31 18:00:00"]:
        add("Asia/Kolkata", epoch(base), "hourly", "daily", "*-*-* 05:30", "Mon..Fri 09:00",
            "*-*-01 00:00:00 UTC", "yearly")
    # Explicit zones while the process runs in another zone.
    add("UTC", epoch("2026-03-29 00:30:00"), "*-*-* 02:30 Europe/Rome", "hourly Europe/Rome",
        "*-*-* 01:30 America/New_York", "daily Australia/Lord_Howe", "*-*-01 00:00:00 Europe/Rome")
    add("America/New_York", epoch("2026-10-25 00:30:00"), "*-*-* 02:30 Europe/Rome",
        "hourly Europe/Berlin", "Thu 10:00 UTC", "*-*-* 02:15 Australia/Lord_Howe")
    # Month ends, leap years, `~`, never-firing.
    month_exprs = ["*-*~01", "*-*~03", "*-02~01", "*-*-31", "*-*-30", "*-02-29", "*-02-28..31", "monthly",
                   "*-*-29,30,31 12:00", "*-02-30", "*-04-31", "2025-02-29", "2028-02-29 10:00",
                   "Mon *-*~01..07", "*-*~07/2", "Fri *-*-13", "*-02-29 Mon", "Mon *-02-29",
                   "2100-02-29", "2199-12-31 23:59:59", "*-*-1/10", "*-1/3-1", "quarterly", "semiannually",
                   "*-01,07~01 18:00", "*-12-31 23:59:59.999999"]
    for zone, base in [("UTC", "2026-01-30 12:00:00"), ("Europe/Rome", "2027-02-27 23:30:00"),
                       ("America/New_York", "2028-02-28 12:00:00")]:
        add(zone, epoch(base), *month_exprs)
    # Assorted syntax.
    add("UTC", epoch("2026-11-21 04:00:00"), "Thu 10:00", "Mon..Fri *-*-* 02:30:00", "*-*-* 00/4:15:00",
        "weekly", "yearly", "annually", "Sat,Sun 10:00", "Mon,Wed..Fri 08:00", "mon-wed 12:00",
        "Monday..Wednesday,Friday 12:00", "*-*-* *:*:1.5", "*:*:0/7.5", "2026..2028-01-01",
        "12..14:00/20", "*-*-* 8..10:00", "10:00:05", "11,13:00", "*:*", "@1800000000", "2027-06-15",
        "06-15", "Tue *-6-1..7 9:5:3", "*-*-* 23:59:59")
    # Where systemd's carried DST flag matters: a month rolling over into
    # summer time makes it give up (it prints an error, we say "never");
    # a reset into Lord Howe's half-hour gap makes it search twice.
    add("Europe/Rome", epoch("2031-12-02 13:05:42"), "*-1/5-*", "*-1/5-* *:30,21,43", "*-6/6-*")
    add("Australia/Lord_Howe", epoch("2026-10-03 15:21:00"), "*:0/20", "01:0/20", "*:00/30", "*:15/20", "*:50/5")
    # Carries and resets without DST.
    add("UTC", epoch("2026-11-21 10:51:00"), "*:00/25", "*:*:00/25", "*-*-* 0/5:00", "*-*-* 20/3:00",
        "*:*:47..47/2", "*:*:10..11/2", "*:*:47..48", "*:*:47..47", "*:47..47", "*-*-* *:*:0..23",
        "*-*-* *:*:00..59", "*:*:0.5..3/0.5")
    return cases


def random_component(rng, lo, hi, allow_star=True):
    kind = rng.random()
    if allow_star and kind < 0.35:
        return "*"
    def num():
        return str(rng.randint(lo, hi))
    if kind < 0.55:
        return num()
    if kind < 0.7:
        a = rng.randint(lo, hi)
        b = rng.randint(a, hi)
        return "%d..%d" % (a, b)
    if kind < 0.85:
        a = rng.randint(lo, hi)
        return "%d/%d" % (a, rng.randint(1, max(1, (hi - lo) // 2)))
    return ",".join(str(rng.randint(lo, hi)) for _ in range(rng.randint(2, 3)))


def random_expression(rng):
    days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    parts = []
    if rng.random() < 0.3:
        a = rng.randrange(7)
        b = rng.randrange(a, 7)
        parts.append(days[a] if a == b else "%s..%s" % (days[a], days[b]))
    if rng.random() < 0.8:
        year = "*" if rng.random() < 0.85 else random_component(rng, 2024, 2032)
        month = random_component(rng, 1, 12)
        if rng.random() < 0.15:
            day = random_component(rng, 1, 7, allow_star=False)
            parts.append("%s-%s~%s" % (year, month, day))
        else:
            day = random_component(rng, 1, 31)
            parts.append("%s-%s-%s" % (year, month, day))
    hour = random_component(rng, 0, 23)
    minute = random_component(rng, 0, 59)
    second = random_component(rng, 0, 59) if rng.random() < 0.4 else None
    parts.append("%s:%s" % (hour, minute) + (":" + second if second else ""))
    if rng.random() < 0.15:
        parts.append(rng.choice(["UTC", "Europe/Rome", "America/New_York", "Australia/Lord_Howe"]))
    return " ".join(parts)


def random_cases():
    rng = random.Random(SEED)
    zones = os.environ.get("ZONES", "UTC Europe/Rome America/New_York Australia/Lord_Howe Asia/Kolkata").split()
    cases = []
    for _ in range(RANDOM_CASES):
        expression = random_expression(rng)
        zone = rng.choice(zones)
        base = rng.randint(epoch("2024-01-01 00:00:00"), epoch("2032-12-31 00:00:00"))
        cases.append((expression, zone, base))
    return cases


def offset_changes(zone, start_year=2025, end_year=2028):
    """UTC instants where `zone`'s offset changes (from Python's zoneinfo;
    for stress runs over zones not in DST_CHANGES)."""
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(zone)
    def offset(t):
        return datetime.datetime.fromtimestamp(t, tz).utcoffset()
    changes = []
    t = epoch("%d-01-01 00:00:00" % start_year)
    end = epoch("%d-01-01 00:00:00" % end_year)
    while t < end:
        if offset(t) != offset(t + 3600):
            lo, hi = t, t + 3600
            while hi - lo > 1:
                mid = (lo + hi) // 2
                if offset(mid) == offset(lo):
                    lo = mid
                else:
                    hi = mid
            changes.append(hi)
        t += 3600
    return changes


# More zones with odd changes: at midnight (Havana, Santiago), at 02:45
# with a 45-minute offset (Chatham), at 00:01 local in the past (St John's).
MORE_DST_ZONES = "America/Havana America/Santiago Pacific/Chatham America/St_Johns Europe/London"
MORE_DST_CASES = int(os.environ.get("MORE_DST_CASES", 120))


def random_dst_cases(zones=None, count=None, seed_offset=1):
    """Random expressions (biased to hour/minute patterns) with base times
    within a few hours of a DST change."""
    rng = random.Random(SEED + seed_offset)
    zones = zones or os.environ.get("DST_ZONES")
    if zones:
        table = {z: offset_changes(z) for z in zones.split()}
    else:
        table = {z: [epoch(c) for c in changes] for z, changes in DST_CHANGES.items()}
    table = {z: c for z, c in table.items() if c}
    cases = []
    for _ in range(RANDOM_DST_CASES if count is None else count):
        zone = rng.choice(sorted(table))
        change = rng.choice(table[zone])
        base = change + rng.randint(-4 * 3600, 2 * 3600)
        if rng.random() < 0.5:
            expression = "%s:%s" % (random_component(rng, 0, 23), random_component(rng, 0, 59))
        else:
            expression = random_expression(rng)
        cases.append((expression, zone, base))
    return cases


def main():
    version = subprocess.run([SYSTEMD_ANALYZE, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    results = []
    groups = (("curated", curated()), ("random", random_cases()), ("random-dst", random_dst_cases()),
              ("random-dst-more", random_dst_cases(MORE_DST_ZONES, MORE_DST_CASES, 2)))
    for group, cases in groups:
        for expression, zone, base in cases:
            r = run(expression, zone, base)
            entry = {"group": group, "expression": expression, "timezone": zone, "base": base}
            entry.update(r)
            results.append(entry)
    doc = {
        "systemd_version": version,
        "command": "TZ=<timezone> systemd-analyze calendar --base-time=@<base> --iterations=%d -- <expression>" % ITERATIONS,
        "note": "next: UTC epoch seconds, truncated to the second as systemd prints them",
        "seed": SEED,
        "cases": results,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("%d cases (%d rejected) written to %s" % (len(results), sum(1 for r in results if r["error"]), OUT),
          file=sys.stderr)


if __name__ == "__main__":
    main()
