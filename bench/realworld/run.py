#!/usr/bin/env python3
"""Run relgate's version verdicts on every release tag of real projects, and group what did not pass.

For each project of projects.toml, in its clone under CLONES, and for each of its release tags T (offline; the
package index is not asked):

    relgate version --format json --tag T
    relgate check --only version --format json --offline --tag T

and print the tags whose verdict is not a pass, grouped by cause (the failing check and its message with the
versions, tag names and commit ids taken out). See README.md in this directory.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tomllib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 300


@dataclass
class Project:
    name: str
    clone: str
    repo: str
    path: str | None = None
    tag_format: str | None = None
    tags: str | None = None
    layout: str = ""


@dataclass
class Verdict:
    tag: str
    status: str  # pass, fail, error (relgate exited 2), crash (anything else)
    cause: str = ""
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    declared: str | None = None
    source: str | None = None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("clones", type=Path, help="the directory holding one clone per project (see README.md)")
    parser.add_argument("--relgate", default="relgate", help="the relgate executable (default: relgate on PATH)")
    parser.add_argument("--projects", type=Path, default=HERE / "projects.toml")
    parser.add_argument("--only", help="comma-separated project names")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="relgate runs at once (default 2)")
    parser.add_argument("--json", type=Path, help="also write every verdict to this file")
    parser.add_argument("--markdown", action="store_true", help="print the summary as a markdown table")
    args = parser.parse_args()
    if "/" in args.relgate:
        args.relgate = str(Path(args.relgate).resolve())

    with args.projects.open("rb") as f:
        projects = [load(p) for p in tomllib.load(f)["project"]]
    if args.only:
        wanted = set(args.only.split(","))
        projects = [p for p in projects if p.name in wanted]

    everything: dict[str, list[Verdict]] = {}
    rows = []
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for project in projects:
            clone = args.clones / project.clone
            if not (clone / ".git").exists():
                print(f"{project.name}: no clone at {clone}, skipped", file=sys.stderr)
                continue
            tags = release_tags(clone, project)
            verdicts = list(pool.map(lambda t, p=project, c=clone: judge(args.relgate, c, p, t), tags))
            everything[project.name] = verdicts
            rows.append((project, verdicts))
            report(project, verdicts)
    summary(rows, args.markdown)
    if args.json:
        args.json.write_text(json.dumps({n: [v.__dict__ for v in vs] for n, vs in everything.items()}, indent=1) + "\n")
    return 0


def load(raw: dict) -> Project:
    return Project(
        name=raw["name"],
        clone=raw.get("clone", raw["name"]),
        repo=raw["repo"],
        path=raw.get("path"),
        tag_format=raw.get("tag-format"),
        tags=raw.get("tags"),
        layout=raw.get("layout", ""),
    )


# PEP 440's version syntax (https://peps.python.org/pep-0440/#appendix-b-parsing-version-strings-with-regular-expressions),
# with its optional leading `v`.
PEP440 = (
    r"[vV]?(?:\d+!)?\d+(?:\.\d+)*"
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?\d*)?"
    r"(?:-\d+|[-_.]?(?:post|rev|r)[-_.]?\d*)?"
    r"(?:[-_.]?dev[-_.]?\d*)?"
    r"(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
)


def release_tags(clone: Path, project: Project) -> list[str]:
    """The tags that name a PEP 440 version under the project's tag format (relgate's default: `v{version}` and
    `{version}`). Other tags (`1.x` branch markers, `stable`) are not releases."""
    out = subprocess.run(["git", "-C", str(clone), "tag", "--list"], capture_output=True, text=True, check=True)
    forms = [project.tag_format] if project.tag_format else ["v{version}", "{version}"]
    shapes = []
    for form in forms:
        prefix, suffix = form.split("{version}")
        shapes.append(re.compile(re.escape(prefix) + PEP440 + re.escape(suffix), re.IGNORECASE))
    keep = re.compile(project.tags) if project.tags else None
    tags = [
        t for t in out.stdout.split() if any(s.fullmatch(t) for s in shapes) and (keep is None or keep.fullmatch(t))
    ]
    return sorted(set(tags), key=natural)


def natural(tag: str) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", tag)]


def judge(relgate: str, clone: Path, project: Project, tag: str) -> Verdict:
    common = []
    if project.path:
        common += ["--path", project.path]
    if project.tag_format:
        common += ["--tag-format", project.tag_format]
    version = run([relgate, "version", "--format", "json", "--tag", tag, *common], clone)
    check = run([relgate, "check", "--only", "version", "--format", "json", "--offline", "--tag", tag, *common], clone)

    verdict = Verdict(tag=tag, status="pass")
    if version.returncode == 0:
        doc = parse_json(version.stdout)
        if doc is not None:
            verdict.declared = doc.get("version")
            verdict.source = doc.get("version_source")
    if check.returncode == 2:
        verdict.status = "error"
        error = (parse_json(check.stdout) or {}).get("error") or {}
        verdict.message = error.get("message") or first_line(check.stderr)
        verdict.cause = "exit 2: " + generalize(verdict.message, tag)
        return verdict
    doc = parse_json(check.stdout)
    if check.returncode not in (0, 1) or doc is None:
        verdict.status = "crash"
        verdict.message = f"exit {check.returncode}: {first_line(check.stderr)}"
        verdict.cause = "relgate crashed or printed no report: " + generalize(verdict.message, tag)
        return verdict
    for c in doc.get("checks", []):
        for line in c.get("details", []):
            if line.startswith("warning:"):
                verdict.warnings.append(f"{c['name']}: {line}")
    failed = [c for c in doc.get("checks", []) if c.get("status") in ("fail", "error") and c.get("required", True)]
    if check.returncode == 1 or failed:
        first = failed[0] if failed else {"name": "?", "message": doc.get("status", "")}
        verdict.status = "fail"
        verdict.message = f"{first['name']}: {first['message']}"
        verdict.cause = f"{first['name']}: " + generalize(first["message"], tag)
    return verdict


def run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(argv, -1, "", f"timed out after {TIMEOUT_S} s")


def parse_json(text: str) -> dict | None:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return None
    return doc if isinstance(doc, dict) else None


def first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "").strip()


_HASH = re.compile(r"\b[0-9a-f]{7,40}\b")
_VERSION = re.compile(r"(?<![\w.])[vV]?\d+(?:[._-]?[0-9A-Za-z]+)*(?:\+[\w.]+)?(?![\w])")
_QUOTED = re.compile(r'"[^"]*"')


def generalize(message: str, tag: str) -> str:
    """The message with what differs from tag to tag taken out, so that one cause groups its tags."""
    text = message.replace(tag, "TAG")
    text = _HASH.sub("COMMIT", text)
    text = _QUOTED.sub('"…"', text)
    text = _VERSION.sub("V", text)
    return text[:220]


def report(project: Project, verdicts: list[Verdict]) -> None:
    bad = [v for v in verdicts if v.status != "pass"]
    warned = [v for v in verdicts if v.status == "pass" and v.warnings]
    print(
        f"\n== {project.name} ({project.repo}{'/' + project.path if project.path else ''}): "
        f"{len(verdicts)} release tags, {len(bad)} not passed, {len(warned)} passed with warnings"
    )
    groups: dict[str, list[Verdict]] = defaultdict(list)
    for v in bad:
        groups[v.cause].append(v)
    for cause, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        print(f"  [{len(members)}] {cause}")
        names = ", ".join(v.tag for v in members[:12])
        more = f", ... ({len(members) - 12} more)" if len(members) > 12 else ""
        print(f"      tags: {names}{more}")
        print(f"      e.g. {members[0].tag}: {members[0].message[:300]}")
    warn_groups: dict[str, list[str]] = defaultdict(list)
    for v in warned:
        for w in v.warnings:
            warn_groups[generalize(w, v.tag)].append(v.tag)
    for cause, tags in sorted(warn_groups.items(), key=lambda kv: -len(kv[1])):
        print(f"  warning [{len(tags)}] {cause}")
        print(f"      tags: {', '.join(tags[:12])}{' ...' if len(tags) > 12 else ''}")


def summary(rows: list[tuple[Project, list[Verdict]]], markdown: bool) -> None:
    total = sum(len(v) for _, v in rows)
    bad = sum(1 for _, vs in rows for v in vs if v.status != "pass")
    print(f"\n{len(rows)} projects, {total} release tags, {bad} not passed")
    if markdown:
        print("\n| project | layout | release tags | not passed |")
        print("|---|---|---:|---:|")
        for project, verdicts in rows:
            n = sum(1 for v in verdicts if v.status != "pass")
            print(f"| {project.name} | {project.layout} | {len(verdicts)} | {n} |")


if __name__ == "__main__":
    sys.exit(main())
