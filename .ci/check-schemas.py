#!/usr/bin/env python3
"""Checks the JSON Schemas in schemas/ and validates documents against them.

Each entry of CHECKS names a schema, the documents that must validate against it,
and documents that must not (to prove the check can fail). Add an entry to check
another schema, e.g. plan JSON produced by `flashplan plan --format json`.

Needs: python3 with jsonschema (Draft 2020-12) and PyYAML.
"""
import glob
import json
import os
import sys

import jsonschema
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def config_files(directory):
    """Every *.yaml/*.yml below directory, as flashplan reads them (hidden ones skipped)."""
    found = []
    for pattern in ("**/*.yaml", "**/*.yml"):
        for path in glob.glob(os.path.join(ROOT, directory, pattern), recursive=True):
            relative = os.path.relpath(path, os.path.join(ROOT, directory))
            if not any(part.startswith(".") for part in relative.split(os.sep)):
                found.append(path)
    return sorted(found)


_plan_documents = []


def plan_documents():
    """The plan documents below, made once."""
    if not _plan_documents:
        _plan_documents.extend(make_plan_documents())
    return _plan_documents


def make_plan_documents():
    """Plan JSON of the shipped policies, made by the built binary: on a new state, and
    after an apply an hour later (with prunes, transfers and retention decisions)."""
    import subprocess
    import tempfile

    binary = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip() + "/flashplan"
    work = tempfile.mkdtemp(prefix="flashplan-schema-")
    state = os.path.join(work, "state.db")
    base = [binary, "--config", os.path.join(ROOT, "policies"), "--state", state]
    documents = []

    def plan(now):
        out = subprocess.run(
            [base[0], "plan"] + base[1:] + ["--now", now, "--format", "json"], capture_output=True, text=True
        )
        if out.returncode != 0:
            raise SystemExit(f"flashplan plan failed ({out.returncode}): {out.stderr}")
        return json.loads(out.stdout)

    documents.append((f"plan at 2026-11-21T10:00:00Z (new state)", plan("2026-11-21T10:00:00Z")))
    for hour in range(10, 36):
        now = f"2026-11-{21 + hour // 24:02d}T{hour % 24:02d}:20:00Z"
        subprocess.run([base[0], "apply"] + base[1:] + ["--now", now, "--auto-approve"], capture_output=True, check=True)
    documents.append(("plan a day of hourly applies later", plan("2026-11-22T12:20:00Z")))
    return documents


# A plan the plan schema must reject: an unknown action kind.
BAD_PLAN = {"format_version": 2, "actions": [{"kind": "format-disk"}]}


def bad_plans():
    """Plans the plan schema must reject: BAD_PLAN, and real plans spoilt in one place
    each (an operation as format 1 wrote it, an operation with a key it does not have, an
    operation without a required key, an unknown operation, format_version 1, an
    attribute not in snake_case)."""
    import copy

    bad = [("<unknown action kind>", BAD_PLAN)]
    name, document = plan_documents()[0]

    def spoilt(what, change):
        plan = copy.deepcopy(document)
        change(plan)
        bad.append((f"{name}, {what}", plan))

    def operation(plan, op):
        return next(o for a in plan["actions"] for o in a["operations"] if o["op"] == op)

    def format_one(plan):
        action = next(a for a in plan["actions"] if any(o["op"] == "create_snapshot" for o in a["operations"]))
        spec = {k: v for k, v in action["operations"][0].items() if k != "op"}
        action["operations"][0] = {"createSnapshot": {"spec": spec}}

    spoilt("a format 1 operation", format_one)
    spoilt("an unknown key in an operation", lambda p: operation(p, "create_volume").update({"spec": {}}))
    spoilt("a required key missing", lambda p: operation(p, "create_snapshot").pop("label"))
    spoilt("an unknown operation", lambda p: operation(p, "create_host").update({"op": "format_disk"}))
    spoilt("format_version 1", lambda p: p.update({"format_version": 1}))
    spoilt("a camelCase attribute", lambda p: next(a for a in p["actions"] if "after" in a)["after"].update({"mirrorPool": "x"}))
    return bad

_estate_documents = {}


def estate_documents():
    """Status and history JSON of the shipped policies, made by the built binary: three
    hourly applies, then status on time and hours later (labels late), and the history."""
    if _estate_documents:
        return _estate_documents
    import subprocess
    import tempfile

    binary = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip() + "/flashplan"
    work = tempfile.mkdtemp(prefix="flashplan-status-schema-")
    flags = ["--config", os.path.join(ROOT, "policies"), "--state", os.path.join(work, "state.db")]

    def run(arguments, codes=(0,)):
        out = subprocess.run([binary] + arguments, capture_output=True, text=True)
        if out.returncode not in codes:
            raise SystemExit(f"flashplan {' '.join(arguments)} failed ({out.returncode}): {out.stderr}")
        return json.loads(out.stdout)

    for hour in (10, 11, 12):
        subprocess.run([binary, "apply", "--auto-approve"] + flags + ["--now", f"2026-11-21T{hour}:20:00Z"], capture_output=True, check=True)
    _estate_documents["status"] = [
        ("status right after the last apply", run(["status", "--format", "json", "--now", "2026-11-21T12:30:00Z"] + flags)),
        ("status hours later (late labels)", run(["status", "--format", "json", "--now", "2026-11-22T04:00:00Z"] + flags)),
    ]
    _estate_documents["history"] = [
        ("history of three applies", run(["history", "--format", "json"] + flags[2:])),
        ("history --since", run(["history", "--format", "json", "--since", "2026-11-21T11:00:00Z"] + flags[2:])),
    ]
    return _estate_documents


def bad_statuses():
    """Status documents the status schema must reject: a real one with an unknown key, without
    `protection`, with a camelCase key, with an unknown relationship state."""
    import copy

    name, document = estate_documents()["status"][1]
    bad = []

    def spoilt(what, change):
        status = copy.deepcopy(document)
        change(status)
        bad.append((f"{name}, {what}", status))

    spoilt("an unknown key", lambda d: d.update({"verdict": "ok"}))
    spoilt("protection missing", lambda d: d.pop("protection"))
    spoilt("a camelCase key", lambda d: d["protection"][0].update({"rpoMet": True}))
    spoilt("an unknown relationship state", lambda d: d["replication"][0].update({"state": "fine"}))
    return bad


def bad_histories():
    """History documents the history schema must reject."""
    import copy

    name, document = estate_documents()["history"][0]
    bad = []

    def spoilt(what, change):
        history = copy.deepcopy(document)
        change(history)
        bad.append((f"{name}, {what}", history))

    spoilt("an unknown action result", lambda d: d["applies"][0]["actions"][0].update({"result": "done"}))
    spoilt("a time with an offset", lambda d: d["applies"][0].update({"started": "2026-11-21T10:20:00+01:00"}))
    spoilt("format_version 2", lambda d: d.update({"format_version": 2}))
    return bad


_review_documents = {}


def review_documents():
    """simulate and diff JSON made by the built binary, once: the shipped policies on a new
    state for 3 days, and a diff of the shipped policies against a copy whose daily
    retention is lowered (prunes, intent changes), each from a state a week of daily
    applies old."""
    if _review_documents:
        return _review_documents
    import shutil
    import subprocess
    import tempfile

    binary = subprocess.run(
        ["swift", "build", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip() + "/flashplan"
    work = tempfile.mkdtemp(prefix="flashplan-review-")
    base = os.path.join(work, "base")
    proposed = os.path.join(work, "proposed")
    shutil.copytree(os.path.join(ROOT, "policies"), base)
    shutil.copytree(base, proposed)
    path = os.path.join(proposed, "protection.yaml")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    with open(path, "w", encoding="utf-8") as f:
        f.write(text.replace("retention: { days: 14 }", "retention: { days: 2 }"))
    state = os.path.join(work, "state.db")
    for day in range(21, 28):
        subprocess.run([binary, "apply", "--config", base, "--state", state, "--now", f"2026-11-{day}T00:20:00Z",
                        "--auto-approve"], capture_output=True, check=True)

    def run(arguments):
        out = subprocess.run([binary] + arguments + ["--state", state, "--now", "2026-11-28T01:00:00Z", "--format", "json"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit(f"flashplan {arguments[0]} failed ({out.returncode}): {out.stderr}")
        return json.loads(out.stdout)

    _review_documents["simulate"] = [("simulate --days 3 of the shipped policies", run(["simulate", "--config", base, "--days", "3"]))]
    _review_documents["diff"] = [("diff with daily retention lowered to 2 days",
                                  run(["diff", "--base", base, "--config", proposed, "--days", "3"]))]
    return _review_documents


def spoil(documents, changes):
    """Copies of the first document, each spoilt in one place (what, change)."""
    import copy

    name, document = documents[0]
    spoilt = []
    for what, change in changes:
        bad = copy.deepcopy(document)
        change(bad)
        spoilt.append((f"{name}, {what}", bad))
    return spoilt


def bad_simulations():
    return spoil(review_documents()["simulate"], [
        ("format_version 2", lambda d: d.update({"format_version": 2})),
        ("a camelCase key", lambda d: d["simulation"]["pools"][0].update({"usedPercentEnd": 1})),
        ("a pool without its capacity", lambda d: d["simulation"]["pools"][0].pop("capacity")),
        ("a limit other than 255", lambda d: d["simulation"]["volumes"][0].update({"limit": 256})),
    ])


def bad_diffs():
    return spoil(review_documents()["diff"], [
        ("an unknown kind of intent change", lambda d: d["diff"]["intent"][0].update({"kind": "renamed"})),
        ("an intent change without a location", lambda d: d["diff"]["intent"][0].pop("location")),
        ("an unknown severity", lambda d: d["diff"]["plans"]["only_proposed"][0].update({"severity": "harmless"})),
        ("a simulation missing", lambda d: d["diff"]["simulation"].pop("base")),
    ])


def same_simulation_definition():
    """diff.schema.json embeds the simulation report of simulate.schema.json: they must not drift apart."""
    simulate = load_json(os.path.join(ROOT, "schemas/simulate.schema.json"))["$defs"]["simulation"]
    diff = load_json(os.path.join(ROOT, "schemas/diff.schema.json"))["$defs"]["simulation"]
    if simulate != diff:
        print("schemas/diff.schema.json: $defs.simulation differs from schemas/simulate.schema.json's")
        return 1
    return 0


# A document the configuration schema must reject: a misspelt section.
BAD_CONFIGURATION = {"volume": {"v1": {"pool": "p1", "size": "1TiB"}}}

CHECKS = [
    {
        "schema": "schemas/flashplan.schema.json",
        "valid": lambda: [(path, load_yaml(path)) for path in config_files("policies")],
        "invalid": lambda: [("<misspelt section>", BAD_CONFIGURATION)],
    },
    {
        "schema": "schemas/plan.schema.json",
        "valid": plan_documents,
        "invalid": bad_plans,
    },
    {
        "schema": "schemas/status.schema.json",
        "valid": lambda: estate_documents()["status"],
        "invalid": bad_statuses,
    },
    {
        "schema": "schemas/history.schema.json",
        "valid": lambda: estate_documents()["history"],
        "invalid": bad_histories,
    },
    {
        "schema": "schemas/simulate.schema.json",
        "valid": lambda: review_documents()["simulate"],
        "invalid": bad_simulations,
    },
    {
        "schema": "schemas/diff.schema.json",
        "valid": lambda: review_documents()["diff"],
        "invalid": bad_diffs,
    },
]


def run_check(check):
    """Returns the number of problems found by one check, printing each."""
    schema_path = os.path.join(ROOT, check["schema"])
    problems = 0
    schema = load_json(schema_path)
    validator_class = jsonschema.Draft202012Validator
    try:
        validator_class.check_schema(schema)
    except jsonschema.exceptions.SchemaError as error:
        print(f"{check['schema']}: not a valid JSON Schema 2020-12: {error.message}")
        return 1
    if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
        print(f"{check['schema']}: $schema is not draft 2020-12")
        problems += 1
    validator = validator_class(schema)
    documents = check["valid"]()
    if not documents:
        print(f"{check['schema']}: no documents to validate")
        problems += 1
    for path, document in documents:
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        name = os.path.relpath(path, ROOT) if os.path.isabs(path) else path
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
            print(f"{name}: {where}: {error.message}")
        problems += len(errors)
        if not errors:
            print(f"{name}: valid against {check['schema']}")
    for name, document in check.get("invalid", lambda: [])():
        if validator.is_valid(document):
            print(f"{check['schema']}: {name} should be rejected but validates")
            problems += 1
    return problems


def main():
    problems = sum(run_check(check) for check in CHECKS) + same_simulation_definition()
    if problems:
        print(f"schema check: {problems} problem(s)")
        return 1
    print("schema check: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
