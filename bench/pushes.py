"""The push scenarios of the benchmark: a (hook overhead, everyday push), b (release push, warm and cold caches),
c (a second push of an already-checked tag), direct (each tool's own run command), and checks (each check alone,
for the critical-path bound). Each builds its cases (timing.Case) for every tool and appends its rows to the Bench.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

import fixture
from timing import Argv, Case, Row, end_progress, error_line, progress

if TYPE_CHECKING:
    from harness import Bench

CACHE_DIRS = (".mypy_cache", ".ruff_cache", ".pytest_cache")


def scenario_a(bench: Bench) -> None:
    tools = ["none", "sh-floor", "pre-commit", "prek", "lefthook", "lefthook-go", "relgate"]

    def overhead(tool: str) -> Case:
        repo, remote = bench.repo(tool), bench.remote(tool)

        def cleanup(_: int) -> None:
            bench.git(remote, "update-ref", "-d", "refs/heads/bench-a")
            bench.git(repo, "update-ref", "-d", "refs/remotes/origin/bench-a")

        return Case(
            tool,
            repo,
            bench.tool_env(tool),
            steps=lambda _: [["git", "push", "-q", "origin", "HEAD:refs/heads/bench-a"]],
            cleanup=cleanup,
            unavailable=bench.unavailable(tool),
        )

    bench.rows.append(
        Row(
            "a1",
            "a1. `git push origin HEAD:new-branch`, commits already on the remote (hook overhead)",
            bench.interleave("a1", [overhead(t) for t in tools]),
            note="Every installed hook starts and finds nothing to check.",
        )
    )

    tools = ["none", "sh-seq", "pre-commit", "prek", "lefthook", "relgate"]

    def everyday(tool: str) -> Case:
        repo = bench.repo(tool)

        def prepare(index: int) -> None:
            with (repo / "CHANGELOG.md").open("a") as changelog:
                changelog.write(f"- Unreleased change {index}.\n")
            bench.git(repo, "commit", "-q", "-a", "-m", f"Change {index}")

        return Case(
            tool,
            repo,
            bench.tool_env(tool),
            steps=lambda _: [["git", "push", "-q", "origin", "main"]],
            prepare=prepare,
            unavailable=bench.unavailable(tool),
        )

    bench.rows.append(
        Row(
            "a2",
            "a2. `git push origin main` of a new commit, no tag (an everyday push)",
            bench.interleave("a2", [everyday(t) for t in tools]),
            note="The managers run their pre-push checks on every push that brings new commits; "
            "relgate gates release tags only.",
            tests_matter=True,
        )
    )


def release_case(bench: Bench, tool: str, *, cold: bool) -> Case:
    """Bump the version and commit (untimed), then time `git tag -a` and the push of main and the tag."""
    repo = bench.repo(tool)

    def prepare(_: int) -> None:
        bench.patch[tool] += 1
        version = f"1.0.{bench.patch[tool]}"
        set_version(repo / "pyproject.toml", version)
        bench.git(repo, "commit", "-q", "-a", "-m", f"Release {version}")
        if cold:
            remove_caches(repo)

    def steps(_: int) -> list[Argv]:
        tag = f"v1.0.{bench.patch[tool]}"
        return [
            ["git", "tag", "-a", tag, "-m", f"Release {tag}"],
            ["git", "push", "-q", "origin", "main", tag],
        ]

    return Case(
        tool,
        repo,
        bench.tool_env(tool),
        steps=steps,
        prepare=prepare,
        unavailable=bench.unavailable(tool, quality=True),
    )


def scenario_b(bench: Bench) -> None:
    warm = ["none", "sh-seq", "pre-commit", "prek", "prek-par", "lefthook", "relgate", "relgate-export"]
    bench.rows.append(
        Row(
            "b1",
            "b1. release: `git tag -a` + `git push origin main TAG` of a new commit, caches warm",
            bench.interleave("b1", [release_case(bench, t, cold=False) for t in warm]),
            note="Each run bumps the version and commits first (untimed). relgate (export) checks an isolated "
            "export of the tag, where the tools' caches are cold.",
            tests_matter=True,
        )
    )
    cold = ["none", "sh-seq", "pre-commit", "prek", "prek-par", "lefthook", "relgate"]
    bench.rows.append(
        Row(
            "b2",
            "b2. the same release with cold caches (.mypy_cache, .ruff_cache, .pytest_cache, __pycache__ removed)",
            bench.interleave("b2", [release_case(bench, t, cold=True) for t in cold]),
            tests_matter=True,
        )
    )


def scenario_c(bench: Bench) -> None:
    tools = ["none", "sh-seq", "pre-commit", "prek", "lefthook", "lefthook-go", "relgate"]
    tag = "v1.1.0"
    setup_failed: dict[str, str] = {}
    for tool in tools:
        if bench.unavailable(tool, quality=True):
            continue
        repo = bench.repo(tool)
        progress(f"c: {tool}: first push of {tag} (untimed)")
        set_version(repo / "pyproject.toml", "1.1.0")
        bench.git(repo, "commit", "-q", "-a", "-m", "Release 1.1.0")
        bench.git(repo, "tag", "-a", tag, "-m", f"Release {tag}")
        first = bench.sh(["git", "push", "-q", "origin", "main", tag], repo, check=False, env=bench.tool_env(tool))
        if first.returncode != 0:
            setup_failed[tool] = f"the first push of {tag} failed: {error_line(first)}"
    end_progress()

    def case(tool: str) -> Case:
        remote = bench.remote(tool)
        return Case(
            tool,
            bench.repo(tool),
            bench.tool_env(tool),
            steps=lambda _: [["git", "push", "-q", "origin", "--tags"]],
            prepare=lambda _: bench.git(remote, "update-ref", "-d", f"refs/tags/{tag}"),
            unavailable=bench.unavailable(tool, quality=True) or setup_failed.get(tool),
        )

    note = "The tag was pushed once (its gate passed), then deleted on the remote only; the timed push sends it again."
    if bench.features.quality and not bench.features.pass_record:
        note += f" relgate's pass record is not available in this build ({bench.features.pass_record_reason})."
    bench.rows.append(
        Row(
            "c",
            f"c. `git push origin --tags` again: {tag} on a commit the remote has, its tree already checked",
            bench.interleave("c", [case(t) for t in tools]),
            note=note,
            tests_matter=True,
        )
    )


def scenario_direct(bench: Bench) -> None:
    commands: dict[str, Argv] = {
        "sh-seq": ["sh", str(bench.work / "four-checks.sh")],
        "pre-commit": ["pre-commit", "run", "--hook-stage", "pre-push", "--all-files"],
        "prek": ["prek", "run", "--stage", "pre-push", "--all-files"],
        "prek-par": [
            "prek",
            "run",
            "--config",
            str(bench.work / "prek-parallel.yaml"),
            "--stage",
            "pre-push",
            "--all-files",
        ],
        "lefthook": ["lefthook", "run", "pre-push"],
        "relgate": [bench.relgate, "check", "--no-cache"],
    }
    cases = [
        Case(
            tool,
            bench.repo(tool),
            bench.tool_env(tool),
            steps=lambda _, argv=argv: [argv],
            unavailable=bench.unavailable(tool, hooks=False, quality=True),
        )
        for tool, argv in commands.items()
    ]
    bench.rows.append(
        Row(
            "direct",
            "the four checks through each tool's own command, caches warm (no git push)",
            bench.interleave("direct", cases),
            note="`sh four-checks.sh`; `pre-commit run --hook-stage pre-push --all-files`; `prek run --stage "
            "pre-push --all-files`; `lefthook run pre-push`; `relgate check --no-cache` (the whole gate).",
            tests_matter=True,
        )
    )


def scenario_checks(bench: Bench) -> None:
    """Each check alone, warm (in the work tree, caches kept) and cold (in a fresh export of the tag)."""
    repo = bench.repo("none")
    export = bench.work / "export"

    def fresh_export(_: int) -> None:
        shutil.rmtree(export, ignore_errors=True)
        export.mkdir()
        archive = subprocess.run(
            ["git", "archive", "HEAD"], cwd=repo, env=bench.env, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(export, filter="data")
            else:  # Python < 3.11.4; the archive is our own fixture's
                tar.extractall(export)

    for state in ("warm", "cold"):
        cases = [
            Case(
                name,
                repo if state == "warm" else export,
                bench.env,
                steps=lambda _, argv=argv: [argv],
                prepare=fresh_export if state == "cold" else None,
            )
            for name, argv in fixture.CHECKS
        ]
        bench.checks[state] = bench.interleave(f"checks-{state}", cases)
    shutil.rmtree(export, ignore_errors=True)


def set_version(pyproject: Path, version: str) -> None:
    text = pyproject.read_text()
    pyproject.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1))


def remove_caches(repo: Path) -> None:
    for name in CACHE_DIRS:
        shutil.rmtree(repo / name, ignore_errors=True)
    for pycache in list(repo.rglob("__pycache__")):
        if ".git" not in pycache.parts:
            shutil.rmtree(pycache, ignore_errors=True)
