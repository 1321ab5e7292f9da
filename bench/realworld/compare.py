#!/usr/bin/env python3
"""Compare two runs of run.py (their --json files): per project, what did not pass before and after, and why.

    python3 bench/realworld/compare.py BEFORE.json AFTER.json

Each tag that does not pass after is put in a class by its cause: `catch` (the tag names another version than its
commit declares, or a version already tagged elsewhere), `history` (the tags' history goes backwards: a tag placed
on an older commit, two versions on one commit), `dev` (a `.dev` release, refused unless `allow-dev`), `unreadable`
(the version cannot be read without running the project's code: relgate asks for `version-file`) or `other` (a
wrong verdict to fix). `fixed` counts the tags that did not pass before and pass after; `regressed` the reverse,
listed by name.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def kind(verdict: dict) -> str:
    if verdict["status"] == "pass":
        return "pass"
    cause = verdict["cause"]
    if cause.startswith("version: tag ") and " says " in cause:
        return "catch"
    if cause.startswith("version-order:") and "already tagged" in cause:
        return "catch"
    if cause.startswith("version-order:") and "goes backwards" in cause:
        return "history"
    if cause.startswith("version-uploadable:") and "development release" in cause:
        return "dev"
    # An unreadable version: exit 2 from relgate before it ran any check, or the version check's error since.
    if "cannot determine the version statically" in cause or "no Python project found" in cause:
        return "unreadable"
    return "other"


def main() -> int:
    before = json.loads(Path(sys.argv[1]).read_text())
    after = json.loads(Path(sys.argv[2]).read_text())
    layouts = {p["name"]: p.get("layout", "") for p in tomllib.loads((HERE / "projects.toml").read_text())["project"]}
    columns = ["catch", "history", "dev", "unreadable", "other"]
    print(
        "| project | layout | release tags | not passed before | not passed after | fixed | "
        + " | ".join(columns)
        + " |"
    )
    print("|---|---|---:|---:|---:|---:|" + "---:|" * len(columns))
    totals = [0] * (4 + len(columns))
    regressions = []
    others = []
    for name, verdicts in after.items():
        was = {v["tag"]: v for v in before.get(name, [])}
        now_bad = [v for v in verdicts if v["status"] != "pass"]
        was_bad = [v for v in verdicts if v["tag"] in was and was[v["tag"]]["status"] != "pass"]
        fixed = [v for v in was_bad if v["status"] == "pass"]
        regressions += [
            (name, v)
            for v in verdicts
            if v["tag"] in was and was[v["tag"]]["status"] == "pass" and v["status"] != "pass"
        ]
        counts = [sum(1 for v in now_bad if kind(v) == c) for c in columns]
        others += [(name, v) for v in now_bad if kind(v) == "other"]
        row = [len(verdicts), len(was_bad), len(now_bad), len(fixed), *counts]
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        print(f"| {name} | {layouts.get(name, '')} | " + " | ".join(str(x) for x in row) + " |")
    print(f"| **{len(after)} projects** | | " + " | ".join(f"**{x}**" for x in totals) + " |")
    print("\nfixed, by the cause they failed with before:")
    fixed_by_cause: dict[str, list[str]] = {}
    for name, verdicts in after.items():
        was = {v["tag"]: v for v in before.get(name, [])}
        for v in verdicts:
            old = was.get(v["tag"])
            if old and old["status"] != "pass" and v["status"] == "pass":
                fixed_by_cause.setdefault(f"{name}: {old['cause'][:150]}", []).append(v["tag"])
    for cause, tags in sorted(fixed_by_cause.items(), key=lambda kv: -len(kv[1])):
        print(f"  [{len(tags)}] {cause}  (e.g. {tags[0]})")
    for title, items in (("regressed (passed before, not after)", regressions), ("other (to fix)", others)):
        print(f"\n{title}: {len(items)}")
        for name, v in items:
            print(f"  {name} {v['tag']}: {v['message'][:200]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
