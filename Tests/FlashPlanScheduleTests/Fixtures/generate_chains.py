#!/usr/bin/env python3
"""Regenerates systemd-chains.json: the chain of elapses systemd follows
across the 2026 DST changes, for the previousElapse tests (DESIGN §3: the
latest elapse at or before now is the last element of that chain).

    python3 Tests/FlashPlanScheduleTests/Fixtures/generate_chains.py

Each case runs
    TZ=<timezone> systemd-analyze calendar --base-time=@<base> --iterations=N EXPR
with the base two days before a zone change (a timer running all along, not
one started inside a fold), once with the expression read in the local zone
and once with the zone named in the expression (TZ=UTC). Elapses are UTC
epoch seconds. Asia/Kolkata has no DST; it uses Europe/Rome's dates.
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from generate import SYSTEMD_ANALYZE, offset_changes, run  # noqa: E402

ZONES = ["Europe/Rome", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Europe/London"]
# Expression → how many elapses cover two days before to three days after a change.
EXPRESSIONS = {
    "hourly": 120, "daily": 6, "weekly": 3, "monthly": 3,
    "*-*-* 02:30:00": 6, "Sun 02:30": 3, "*:30": 120, "*-*-* 01:15:00": 6, "*-*-* 00/4:15:00": 30,
    "*-*-* 01:45:00": 6,
}
OUT = os.path.join(HERE, "systemd-chains.json")


def main():
    import generate
    version = subprocess.run([SYSTEMD_ANALYZE, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    rome = offset_changes("Europe/Rome", 2026, 2027)
    lines = []
    for zone in ZONES:
        changes = offset_changes(zone, 2026, 2027) or rome
        assert len(changes) == 2, (zone, changes)
        for change in changes:
            base = change - 2 * 86400
            for expression, iterations in EXPRESSIONS.items():
                for expr, tz in ((expression, zone), ("%s %s" % (expression, zone), "UTC")):
                    generate.ITERATIONS = iterations
                    r = run(expr, tz, base)
                    assert not r["error"] and not r.get("stuck") and len(r["next"]) == iterations, (expr, tz, r)
                    lines.append(json.dumps({"expression": expr, "timezone": tz, "change": change, "base": base,
                                             "next": r["next"]}, separators=(",", ":")))
    with open(OUT, "w") as f:
        f.write('{\n "systemd_version": %s,\n' % json.dumps(version))
        f.write(' "command": "TZ=<timezone> systemd-analyze calendar --base-time=@<base> --iterations=<len(next)> -- <expression>",\n')
        f.write(' "cases": [\n  ' + ",\n  ".join(lines) + "\n ]\n}\n")
    print("%d chains written to %s" % (len(lines), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
