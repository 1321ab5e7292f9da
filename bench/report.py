"""Render the benchmark's results: the markdown report (results.md, printed, and the block of BENCHMARKS.md
between its `bench:results` markers) and the JSON document (results.json).

Cells are the median wall time of the timed runs with (min-max) beside it; ratios are relgate's median over the
peer's (below 1 means relgate is faster). In rows where running the tests is the point, each cell says whether
the runs ran the fixture's tests (read from the run log the fixture's conftest.py writes).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from harness import Bench
    from timing import Result, Row

SHORT = {
    "none": "no hook",
    "sh-floor": "sh (no-op)",
    "sh-seq": "sh (4 checks)",
    "pre-commit": "pre-commit",
    "prek": "prek",
    "prek-par": "prek (parallel)",
    "lefthook": "lefthook (wrapper)",
    "lefthook-go": "lefthook (Go)",
    "relgate": "relgate",
    "relgate-export": "relgate (export)",
}
BEGIN = "<!-- bench:results:begin -->"
END = "<!-- bench:results:end -->"


def render(bench: Bench) -> str:
    facts = bench.facts
    out: list[str] = ["# relgate benchmark results", ""]
    fx = facts.get("fixture", {})
    versions = facts.get("versions", {})
    out += [
        f"- Date: {facts.get('date')}; command: `{facts.get('command', '').strip()}`",
        f"- Machine: {facts.get('cpu')}, {facts.get('cores')} cores, {facts.get('memory')}; {facts.get('os')}; "
        f"load average {facts.get('load_before')} before, {facts.get('load_after')} after",
        "- Versions: " + ", ".join(f"{k} `{v}`" for k, v in versions.items()),
        f"- Fixture: {fx.get('src_lines')} lines in src/, {fx.get('tests')} tests (seed {fx.get('seed')}, work "
        f"{fx.get('work')}); checks: `ruff check`, `ruff format --check`, `mypy`, `pytest`",
        f"- Method: {facts.get('runs')} timed runs per cell after {facts.get('warmup')} warm-up run(s), interleaved "
        "(A B C A B C ...); median wall time, (min-max); CPU is user + system time of the whole process tree",
    ]
    f = bench.features
    out += [
        "- This relgate build: hooks "
        + ("yes" if f.hooks else f"**not available** ({f.hooks_reason})")
        + "; quality checks "
        + (
            "yes (" + ", ".join(f"`{c}`" for c in f.quality_commands) + ")"
            if f.quality
            else f"**not available** ({f.quality_reason})"
        )
        + "; pass record "
        + ("yes" if f.pass_record else f"**not available** ({f.pass_record_reason})"),
        "",
    ]
    footnotes: list[str] = []
    if bench.rows:
        out += push_tables(bench, footnotes)
    if bench.checks:
        out += checks_table(bench)
    if bench.tag_rows:
        out += tags_table(bench, footnotes)
    if bench.commit_rows:
        out += commits_table(bench, footnotes)
    out += [f"[^{i}]: {n}" for i, n in enumerate(footnotes, start=1)]
    return "\n".join(out).rstrip() + "\n"


def push_tables(bench: Bench, footnotes: list[str]) -> list[str]:
    labels = [t for t in SHORT if any(t in row.results for row in bench.rows)]
    out = ["## Pushes and releases", "", "Median wall time (min-max) of the timed command, hook included.", ""]
    out += ["| scenario | " + " | ".join(SHORT[t] for t in labels) + " |"]
    out += ["|---|" + "---|" * len(labels)]
    for row in bench.rows:
        cells = [cell(row, row.results.get(t), bench, footnotes) for t in labels]
        out.append(f"| {row.title} | " + " | ".join(cells) + " |")
    out.append("")
    for row in bench.rows:
        if row.note:
            out.append(f"- {row.key}: {row.note}")
        if row.key == "a1":
            base = median(row.results.get("none"))
            if base is not None:
                added = [
                    f"{SHORT[t]} {signed(m - base)}"
                    for t in labels
                    if t != "none" and (m := median(row.results.get(t))) is not None
                ]
                out.append("- a1, added to a push by each hook: " + ", ".join(added))
    out.append("")
    out += ["### relgate / peer (ratio of medians: below 1, relgate is faster)", ""]
    peers = [t for t in labels if t not in ("relgate", "relgate-export")]
    out += ["| scenario | " + " | ".join(f"relgate / {SHORT[t]}" for t in peers) + " |"]
    out += ["|---|" + "---|" * len(peers)]
    for row in bench.rows:
        mine = median(row.results.get("relgate"))
        cells = []
        for t in peers:
            theirs = median(row.results.get(t))
            if t not in row.results or (t == "none" and row.tests_matter):
                cells.append("")
            elif mine is None or theirs is None:
                cells.append("n/a")
            else:
                cells.append(f"{mine / theirs:.2f}x")
        out.append(f"| {row.key} | " + " | ".join(cells) + " |")
    out.append("")
    out += ["Tools:", ""] + [f"- {SHORT[t]}: {desc}" for t, desc in tool_descriptions(bench, labels)] + [""]
    return out


def tool_descriptions(bench: Bench, labels: list[str]) -> list[tuple[str, str]]:
    from harness import TOOLS

    return [(t, TOOLS[t]) for t in labels]


def cell(row: Row, result: Result | None, bench: Bench, footnotes: list[str]) -> str:
    if result is None:
        return ""
    if result.unavailable is not None:
        note = f"not available in this build: {result.unavailable}"
        if note not in footnotes:
            footnotes.append(note)
        return f"n/a[^{footnotes.index(note) + 1}]"
    failed = [s for s in result.samples if not s.ok]
    if failed:
        return f"**failed**: {failed[0].detail}"
    m, spread = result.median(), result.spread()
    if m is None or spread is None:
        return "no runs"
    text = f"{duration(m)} ({duration(spread[0])}-{duration(spread[1])})"
    if row.tests_matter or any(s.ran_tests for r in row.results.values() for s in r.samples):
        ran, total = result.tests_ran()
        where = {s.tests_dir for s in result.samples if s.tests_dir}
        own = str(bench.repo(result.label)) if result.label in SHORT else ""
        elsewhere = any(w != own for w in where)
        if ran == total:
            text += " · tests ran" + (" (in an export)" if elsewhere else "")
        elif ran == 0:
            text += " · **no tests run**"
        else:
            text += f" · tests ran {ran}/{total}"
    return text


def checks_table(bench: Bench) -> list[str]:
    cores = int(bench.facts.get("cores", 1))
    out = [
        "## The four checks alone, and the critical-path bound",
        "",
        "Each check run by itself: median wall (median CPU). Warm: in a work tree whose caches are kept; cold: in a "
        "fresh `git archive` export (no caches). Bound = max(longest check, total CPU / cores): no scheduler can "
        f"finish the four checks sooner on {cores} cores.",
        "",
        "| caches | ruff check | ruff format --check | mypy | pytest | sum (sequential) | longest | bound | relgate |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    rows = {r.key: r for r in bench.rows}
    for state, results in bench.checks.items():
        walls = [median(r) for r in results.values()]
        cpus = [r.cpu_median() for r in results.values()]
        cells = [
            f"{duration(w)} ({duration(c)})" if w is not None and c is not None else "failed"
            for w, c in zip(walls, cpus, strict=True)
        ]
        if all(w is not None for w in walls) and all(c is not None for c in cpus):
            total = sum(w for w in walls if w is not None)
            longest = max(w for w in walls if w is not None)
            bound = max(longest, sum(c for c in cpus if c is not None) / cores)
            bench.facts[f"bound_{state}"] = bound
            bench.facts[f"sum_{state}"] = total
            relgate = relgate_against_bound(rows, state, bound)
            cells += [duration(total), duration(longest), duration(bound), relgate]
        else:
            cells += ["", "", "", ""]
        out.append(f"| {state} | " + " | ".join(cells) + " |")
    out += [
        "",
        "relgate column: its release push (b1 warm in place; b2 cold in place; b1 export, cold by nature) and, when "
        "the `direct` scenario ran, `relgate check --no-cache` (warm), each as a ratio to the bound. The push includes "
        "`git tag` and `git push` themselves (the no-hook column of b1 and b2).",
        "",
    ]
    return out


def relgate_against_bound(rows: dict[str, Row], state: str, bound: float) -> str:
    picks = (
        [("b1", "relgate", "push"), ("direct", "relgate", "check")]
        if state == "warm"
        else [("b2", "relgate", "push"), ("b1", "relgate-export", "export push")]
    )
    parts = []
    for key, tool, what in picks:
        row = rows.get(key)
        m = median(row.results.get(tool)) if row else None
        if row is not None and tool in row.results:
            parts.append(f"{what} {duration(m)} = {m / bound:.2f}x" if m is not None else f"{what} n/a")
    return "; ".join(parts) or "n/a"


def tags_table(bench: Bench, footnotes: list[str]) -> list[str]:
    repos = bench.tag_repos
    out = [
        "## Tags at scale",
        "",
        "Repositories generated by bench/tagrepo.py: releases on a main line (every commit a release, its "
        "pyproject.toml declaring it), maintenance branches of post-releases, build tags that are not releases; half "
        "the release tags annotated; objects repacked with a commit-graph, as `git gc` leaves them. "
        + "; ".join(f"{r['name']}: {int(str(r['tags'])):,} tags on {int(str(r['commits'])):,} commits" for r in repos)
        + ". The release being checked is the next version on main (tagged at HEAD), or a post-release on the "
        "middle major's maintenance branch.",
        "",
        "| operation | " + " | ".join(str(r["name"]) for r in repos) + " |",
        "|---|" + "---|" * len(repos),
    ]
    for row in bench.tag_rows:
        cells = [cell(row, row.results.get(str(r["name"])), bench, footnotes) for r in repos]
        out.append(f"| {row.title} | " + " | ".join(cells) + " |")
    out.append("")
    return out


def commits_table(bench: Bench, footnotes: list[str]) -> list[str]:
    out = [
        "## What the hooks add to ordinary commits and fetches",
        "",
        "`git commit --allow-empty`, timed one by one in blocks of 50, the variants interleaved by block; median per "
        "commit (min-max over blocks of the block mean). `git fetch`: each variant fetches from its own remote, "
        "advanced (untimed) by one commit, and a release tag for the second fetch row, before each timed fetch; "
        "median (min-max) per fetch. Each variant points `core.hooksPath` at its own hooks (commits: `git -c "
        "core.hooksPath=...`; fetches: in the clone's configuration, so that the timed command is a plain "
        "`git fetch`).",
        "",
        "| repository | no hook | sh hook (reads stdin) | relgate's hooks | added by the sh hook | added by relgate "
        "| relgate's addition / sh's |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in bench.commit_rows:
        labels = ["no hook", "sh hook (reads stdin)", "relgate's hooks"]
        cells = [cell(row, row.results.get(label), bench, footnotes) for label in labels]
        none, floor, mine = (median(row.results.get(label)) for label in labels)
        added_floor = floor - none if floor is not None and none is not None else None
        added_mine = mine - none if mine is not None and none is not None else None
        cells.append(duration(added_floor) if added_floor is not None else "n/a")
        cells.append(duration(added_mine) if added_mine is not None else "n/a")
        ratio = (
            f"{added_mine / added_floor:.2f}x"
            if added_mine is not None and added_floor is not None and added_floor > 0
            else "n/a"
        )
        cells.append(ratio)
        out.append(f"| {row.title} | " + " | ".join(cells) + " |")
    out.append("")
    return out


def signed(seconds: float) -> str:
    return ("+" if seconds >= 0 else "-") + duration(abs(seconds))


def median(result: Result | None) -> float | None:
    return result.median() if result is not None else None


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "n/a"
    if abs(seconds) >= 1:
        return f"{seconds:.2f} s"
    ms = seconds * 1000
    if abs(ms) >= 100:
        return f"{ms:.0f} ms"
    if abs(ms) >= 10:
        return f"{ms:.1f} ms".replace(".0 ms", " ms")
    return f"{ms:.2f} ms"


def as_json(bench: Bench) -> dict[str, object]:
    def rows(items: list[Row]) -> list[dict[str, object]]:
        return [
            {"key": r.key, "title": r.title, "results": {k: v.to_json() for k, v in r.results.items()}} for r in items
        ]

    return {
        "facts": bench.facts,
        "pushes": rows(bench.rows),
        "checks": {state: {k: v.to_json() for k, v in res.items()} for state, res in bench.checks.items()},
        "tags": {"repositories": bench.tag_repos, "rows": rows(bench.tag_rows)},
        "commits": rows(bench.commit_rows),
    }


def update_benchmarks(path: Path, text: str) -> None:
    """Replace the results block of BENCHMARKS.md (between the bench:results markers) with this run's."""
    doc = path.read_text()
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"bench: {path} has no {BEGIN} ... {END} block to replace")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    body = text.replace("# relgate benchmark results\n", "", 1).replace("\n## ", "\n### ")
    path.write_text(f"{head}{BEGIN}\n{body.strip()}\n{END}{tail}")
