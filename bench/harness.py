#!/usr/bin/env python3
"""relgate's benchmark against the hook managers a Python maintainer would otherwise use.

Run by bench/run.sh (which builds relgate and the bench venv first). It generates the fixture project
(fixture.py) and repositories with many tags (tagrepo.py), gives every tool its own clone of the fixture with its
own bare remote, installs each tool's pre-push hook there, and times the scenarios interleaved (timing.py):

  a. hook overhead: a push of a branch the remote already has (every hook starts, none has work), and a push of a
     new commit on a branch (an everyday push: the managers run their pre-push checks, relgate gates only tags);
  b. a release: `git tag -a` + `git push origin main TAG` of a new commit, caches warm and cold, against each
     manager, a plain sequential sh hook, and the critical-path bound of the four checks measured alone;
  c. a second `git push --tags` of a tree that already passed (relgate's pass record);
  d. `relgate check --only version` and the reference-transaction hook on repositories with 10,000 and 100,000
     tags, and what the hooks add to 1,000 ordinary commits.

Scenarios that need a relgate feature this build lacks (hooks, quality checks, pass record) say "not available
in this build" in the table instead of failing. Results: OUT/results.md (printed), OUT/results.json, OUT/logs/.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fixture
import report
import tagrepo
from timing import Argv, Case, Result, Timer, end_progress, progress

ROOT = Path(__file__).resolve().parent.parent

# Every tool, in table order: the label and what it is.
TOOLS: dict[str, str] = {
    "none": "no hook",
    "sh-floor": "plain sh hook (reads stdin, does nothing)",
    "sh-seq": "plain sh hook running the four checks in sequence",
    "pre-commit": "pre-commit 4.7.0 (.pre-commit-config.yaml, repo: local, sequential)",
    "prek": "prek 0.5.11 (the same .pre-commit-config.yaml: sequential by default)",
    "prek-par": "prek 0.5.11 with `priority: 0` on the four hooks (they run concurrently)",
    "lefthook": "lefthook 2.2.2, PyPI wheel: a Python wrapper that runs the Go binary (`parallel: true`)",
    "lefthook-go": "lefthook 2.2.2, the same wheel's Go binary called directly (LEFTHOOK_BIN)",
    "relgate": "relgate (`relgate install`)",
    "relgate-export": "relgate with an untracked file in the work tree: it checks an isolated export of the tag",
}
RELGATE_TOOLS = ("relgate", "relgate-export")
CACHE_DIRS = (".mypy_cache", ".ruff_cache", ".pytest_cache")


@dataclass
class Row:
    """One line of a results table."""

    key: str
    title: str
    results: dict[str, Result]
    note: str = ""
    tests_matter: bool = False


@dataclass
class Features:
    hooks: bool = False
    hooks_reason: str = ""
    reference_transaction: bool = False
    quality: bool = False
    quality_reason: str = ""
    quality_commands: list[str] = field(default_factory=list)
    pass_record: bool = False
    pass_record_reason: str = ""


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out: Path = args.out.resolve()
        self.relgate = str(Path(args.relgate).resolve())
        self.venv = self.out / "venv"
        self.home = self.out / "home"
        self.work = self.out / "work"
        self.runlog = self.work / "runlog.txt"
        self.rows: list[Row] = []
        self.checks: dict[str, dict[str, Result]] = {}
        self.tag_rows: list[Row] = []
        self.tag_repos: list[dict[str, object]] = []
        self.commit_rows: list[Row] = []
        self.facts: dict[str, object] = {}
        self.features = Features()
        self.patch: dict[str, int] = {}
        self.env = self.make_env()
        self.timer = Timer(self.out / "logs", self.runlog)

    # ----- set-up -----

    def make_env(self) -> dict[str, str]:
        """A clean, explicit environment for every command: the bench venv activated, relgate on PATH, an
        isolated HOME (git identity, pre-commit's and prek's caches), no user or system git configuration."""
        keep = {k: os.environ[k] for k in ("TERM", "TMPDIR", "LANG", "LC_ALL") if k in os.environ}
        path = [str(self.venv / "bin"), str(Path(self.relgate).parent), os.environ.get("PATH", "/usr/bin:/bin")]
        env = {
            **keep,
            "PATH": os.pathsep.join(path),
            "HOME": str(self.home),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_TERMINAL_PROMPT": "0",
            "VIRTUAL_ENV": str(self.venv),
            "BENCH_RUNLOG": str(self.runlog),
            "NO_COLOR": "1",
        }
        env.setdefault("LANG", "C.UTF-8")
        return env

    def setup(self) -> None:
        if self.work.exists():
            shutil.rmtree(self.work)
        self.work.mkdir(parents=True)
        shutil.rmtree(self.out / "logs", ignore_errors=True)
        (self.out / "logs").mkdir(parents=True)
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / ".gitconfig").write_text(
            "[user]\n\tname = relgate bench\n\temail = bench@example.invalid\n"
            "[init]\n\tdefaultBranch = main\n[commit]\n\tgpgsign = false\n[tag]\n\tgpgsign = false\n"
            # No automatic gc or maintenance in the middle of a timed loop.
            "[gc]\n\tauto = 0\n[maintenance]\n\tauto = false\n[advice]\n\tdetachedHead = false\n"
        )
        self.describe_machine()
        self.make_template()
        self.detect_relgate()

    def describe_machine(self) -> None:
        def first_line(argv: Argv) -> str:
            try:
                out = subprocess.run(argv, env=self.env, capture_output=True, text=True, check=False)
            except OSError as error:
                return f"unavailable ({error})"
            return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else "?"

        cpu = "?"
        memory = "?"
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
            for line in Path("/proc/meminfo").read_text().splitlines():
                if line.startswith("MemTotal"):
                    memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
        except OSError:
            pass
        os_name = platform.platform()
        try:
            for line in Path("/etc/os-release").read_text().splitlines():
                if line.startswith("PRETTY_NAME="):
                    os_name = f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
        except OSError:
            pass
        relgate_commit = first_line(["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--exclude", "*"])
        self.facts.update(
            {
                "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "cpu": cpu,
                "cores": os.cpu_count() or 1,
                "memory": memory,
                "os": os_name,
                "load_before": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
                "versions": {
                    "relgate": f"{first_line([self.relgate, '--version'])} ({relgate_commit})",
                    "git": first_line(["git", "--version"]),
                    "python": first_line([str(self.venv / "bin" / "python"), "--version"]),
                    "ruff": first_line(["ruff", "--version"]),
                    "mypy": first_line(["mypy", "--version"]),
                    "pytest": first_line(["pytest", "--version"]),
                    "pre-commit": first_line(["pre-commit", "--version"]),
                    "prek": first_line(["prek", "--version"]),
                    "lefthook": first_line(["lefthook", "version"]),
                },
                "command": "bench/run.sh " + " ".join(self.args.passthrough),
                "runs": self.args.runs,
                "warmup": self.args.warmup,
            }
        )

    def make_template(self) -> None:
        """The fixture as a repository with one release (v1.0.0), its four checks verified to pass."""
        template = self.work / "template"
        files = fixture.generate(self.args.seed, self.args.work)
        for relative, text in files.items():
            path = template / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        self.facts["fixture"] = {
            "seed": self.args.seed,
            "work": self.args.work,
            "src_lines": sum(t.count("\n") for p, t in files.items() if p.startswith("src/")),
            "tests": sum(t.count("\ndef test_") for p, t in files.items() if p.startswith("tests/")),
        }
        self.git(template, "init", "-q")
        self.git(template, "add", "-A")
        self.git(template, "commit", "-q", "-m", "Release 1.0.0")
        self.git(template, "tag", "-a", "v1.0.0", "-m", "Release 1.0.0")
        for _, argv in fixture.CHECKS:
            out = self.sh(argv, template, check=False)
            if out.returncode != 0:
                raise SystemExit(f"bench: the fixture does not pass `{' '.join(argv)}`:\n{out.stdout}{out.stderr}")
        for name in CACHE_DIRS:
            shutil.rmtree(template / name, ignore_errors=True)
        (self.work / "prek-parallel.yaml").write_text(
            (template / ".pre-commit-config.yaml")
            .read_text()
            .replace("        stages: [pre-push]\n", "        stages: [pre-push]\n        priority: 0\n")
        )
        seq = self.work / "four-checks.sh"
        seq.write_text(
            "#!/bin/sh\n# The four checks, one after the other: what a maintainer without a hook manager writes.\n"
            "set -e\n" + "".join(" ".join(argv) + "\n" for _, argv in fixture.CHECKS)
        )
        seq.chmod(0o755)

    def detect_relgate(self) -> None:
        """Which of the documented features this relgate build has: hooks, quality checks, pass record."""
        probe = self.clone("probe")
        features = self.features
        out = self.sh([self.relgate, "install"], probe, check=False)
        hook = probe / ".git" / "hooks" / "pre-push"
        features.hooks = out.returncode == 0 and hook.exists() and "relgate" in hook.read_text(errors="replace")
        features.reference_transaction = (probe / ".git" / "hooks" / "reference-transaction").exists()
        if not features.hooks:
            features.hooks_reason = "`relgate install`: " + error_line(out)
        out = self.sh([self.relgate, "check", "--format", "json", "--no-cache"], probe, check=False)
        try:
            doc = json.loads(out.stdout)
        except json.JSONDecodeError:
            doc = {"checks": [], "error": {"message": error_line(out)}}
        quality = [c for c in doc.get("checks", []) if c.get("kind") in ("lint", "format", "type", "test")]
        kinds = {c["kind"] for c in quality if c.get("status") == "pass"}
        features.quality = {"lint", "format", "type", "test"} <= kinds
        features.quality_commands = [" ".join(c.get("command") or [c["name"]]) for c in quality]
        if not features.quality:
            if not quality:
                features.quality_reason = "`relgate check` runs no lint, format, type or test check in this build"
            else:
                failed = [f"{c['name']}: {c.get('status')} ({c.get('message', '')})" for c in quality]
                features.quality_reason = "`relgate check` quality checks on the fixture: " + "; ".join(failed)
        if features.quality:
            self.sh([self.relgate, "check", "--format", "json"], probe, check=False)
            again = self.sh([self.relgate, "check", "--format", "json"], probe, check=False)
            try:
                cached = any(c.get("cached") for c in json.loads(again.stdout).get("checks", []))
            except json.JSONDecodeError:
                cached = False
            features.pass_record = cached
            if not cached:
                features.pass_record_reason = "a second `relgate check` of the same tree reports no cached check"
        else:
            features.pass_record_reason = "needs the quality checks"
        self.facts["relgate_features"] = features.__dict__.copy()
        shutil.rmtree(probe.parent)

    def clone(self, tool: str) -> Path:
        """A bare remote and a clone of the template for one tool: out/work/tools/TOOL/{remote.git,repo}."""
        base = self.work / "tools" / tool
        base.mkdir(parents=True)
        self.git(base, "clone", "-q", "--bare", str(self.work / "template"), "remote.git")
        self.git(base, "clone", "-q", "remote.git", "repo")
        return base / "repo"

    def prepare_tools(self) -> None:
        for tool in TOOLS:
            repo = self.clone(tool)
            hooks = repo / ".git" / "hooks"
            self.patch[tool] = 0
            if tool == "sh-floor":
                write_hook(
                    hooks / "pre-push",
                    "#!/bin/sh\n# The cheapest possible hook: read what git sends.\ncat >/dev/null\n",
                )
            elif tool == "sh-seq":
                write_hook(hooks / "pre-push", f"#!/bin/sh\ncat >/dev/null\nexec {self.work / 'four-checks.sh'}\n")
            elif tool == "pre-commit":
                self.sh(["pre-commit", "install"], repo)
            elif tool == "prek":
                self.sh(["prek", "install"], repo)
            elif tool == "prek-par":
                self.sh(["prek", "install", "--config", str(self.work / "prek-parallel.yaml")], repo)
            elif tool in ("lefthook", "lefthook-go"):
                self.sh(["lefthook", "install"], repo)
            elif tool in RELGATE_TOOLS and self.features.hooks:
                self.sh([self.relgate, "install"], repo)
            if tool == "relgate-export":
                (repo / "notes.txt").write_text("an untracked file: the work tree is not the tagged content\n")

    def tool_env(self, tool: str) -> dict[str, str]:
        if tool == "lefthook-go":
            return {**self.env, "LEFTHOOK_BIN": str(lefthook_binary(self.venv))}
        return self.env

    def repo(self, tool: str) -> Path:
        return self.work / "tools" / tool / "repo"

    def remote(self, tool: str) -> Path:
        return self.work / "tools" / tool / "remote.git"

    # ----- scenarios -----

    def unavailable(self, tool: str, *, hooks: bool = True, quality: bool = False) -> str | None:
        if tool not in RELGATE_TOOLS:
            return None
        f = self.features
        if hooks and not f.hooks:
            return f.hooks_reason
        if quality and not f.quality:
            return f.quality_reason
        return None

    def interleave(self, key: str, cases: list[Case]) -> dict[str, Result]:
        results = self.timer.interleave(key, cases, self.args.runs, self.args.warmup)
        end_progress()
        return results

    def scenario_a(self) -> None:
        tools = ["none", "sh-floor", "pre-commit", "prek", "lefthook", "lefthook-go", "relgate"]

        def overhead(tool: str) -> Case:
            repo, remote = self.repo(tool), self.remote(tool)

            def cleanup(_: int) -> None:
                self.git(remote, "update-ref", "-d", "refs/heads/bench-a")
                self.git(repo, "update-ref", "-d", "refs/remotes/origin/bench-a")

            return Case(
                tool,
                repo,
                self.tool_env(tool),
                steps=lambda _: [["git", "push", "-q", "origin", "HEAD:refs/heads/bench-a"]],
                cleanup=cleanup,
                unavailable=self.unavailable(tool),
            )

        self.rows.append(
            Row(
                "a1",
                "a1. `git push origin HEAD:new-branch`, commits already on the remote (hook overhead)",
                self.interleave("a1", [overhead(t) for t in tools]),
                note="Every installed hook starts and finds nothing to check.",
            )
        )

        tools = ["none", "sh-seq", "pre-commit", "prek", "lefthook", "relgate"]

        def everyday(tool: str) -> Case:
            repo = self.repo(tool)

            def prepare(index: int) -> None:
                with (repo / "CHANGELOG.md").open("a") as changelog:
                    changelog.write(f"- Unreleased change {index}.\n")
                self.git(repo, "commit", "-q", "-a", "-m", f"Change {index}")

            return Case(
                tool,
                repo,
                self.tool_env(tool),
                steps=lambda _: [["git", "push", "-q", "origin", "main"]],
                prepare=prepare,
                unavailable=self.unavailable(tool),
            )

        self.rows.append(
            Row(
                "a2",
                "a2. `git push origin main` of a new commit, no tag (an everyday push)",
                self.interleave("a2", [everyday(t) for t in tools]),
                note="The managers run their pre-push checks on every push that brings new commits; "
                "relgate gates release tags only.",
                tests_matter=True,
            )
        )

    def release_case(self, tool: str, *, cold: bool) -> Case:
        """Bump the version and commit (untimed), then time `git tag -a` and the push of main and the tag."""
        repo = self.repo(tool)

        def prepare(_: int) -> None:
            self.patch[tool] += 1
            version = f"1.0.{self.patch[tool]}"
            set_version(repo / "pyproject.toml", version)
            self.git(repo, "commit", "-q", "-a", "-m", f"Release {version}")
            if cold:
                remove_caches(repo)

        def steps(_: int) -> list[Argv]:
            tag = f"v1.0.{self.patch[tool]}"
            return [
                ["git", "tag", "-a", tag, "-m", f"Release {tag}"],
                ["git", "push", "-q", "origin", "main", tag],
            ]

        return Case(
            tool,
            repo,
            self.tool_env(tool),
            steps=steps,
            prepare=prepare,
            unavailable=self.unavailable(tool, quality=True),
        )

    def scenario_b(self) -> None:
        warm = ["none", "sh-seq", "pre-commit", "prek", "prek-par", "lefthook", "relgate", "relgate-export"]
        self.rows.append(
            Row(
                "b1",
                "b1. release: `git tag -a` + `git push origin main TAG` of a new commit, caches warm",
                self.interleave("b1", [self.release_case(t, cold=False) for t in warm]),
                note="Each run bumps the version and commits first (untimed). relgate (export) checks an isolated "
                "export of the tag, where the tools' caches are cold.",
                tests_matter=True,
            )
        )
        cold = ["none", "sh-seq", "pre-commit", "prek", "prek-par", "lefthook", "relgate"]
        self.rows.append(
            Row(
                "b2",
                "b2. the same release with cold caches (.mypy_cache, .ruff_cache, .pytest_cache, __pycache__ removed)",
                self.interleave("b2", [self.release_case(t, cold=True) for t in cold]),
                tests_matter=True,
            )
        )

    def scenario_c(self) -> None:
        tools = ["none", "sh-seq", "pre-commit", "prek", "lefthook", "lefthook-go", "relgate"]
        tag = "v1.1.0"
        setup_failed: dict[str, str] = {}
        for tool in tools:
            if self.unavailable(tool, quality=True):
                continue
            repo = self.repo(tool)
            progress(f"c: {tool}: first push of {tag} (untimed)")
            set_version(repo / "pyproject.toml", "1.1.0")
            self.git(repo, "commit", "-q", "-a", "-m", "Release 1.1.0")
            self.git(repo, "tag", "-a", tag, "-m", f"Release {tag}")
            first = self.sh(["git", "push", "-q", "origin", "main", tag], repo, check=False, env=self.tool_env(tool))
            if first.returncode != 0:
                setup_failed[tool] = f"the first push of {tag} failed: {error_line(first)}"
        end_progress()

        def case(tool: str) -> Case:
            remote = self.remote(tool)
            return Case(
                tool,
                self.repo(tool),
                self.tool_env(tool),
                steps=lambda _: [["git", "push", "-q", "origin", "--tags"]],
                prepare=lambda _: self.git(remote, "update-ref", "-d", f"refs/tags/{tag}"),
                unavailable=self.unavailable(tool, quality=True) or setup_failed.get(tool),
            )

        note = (
            "The tag was pushed once (its gate passed), then deleted on the remote only; the timed push sends it again."
        )
        if self.features.quality and not self.features.pass_record:
            note += f" relgate's pass record is not available in this build ({self.features.pass_record_reason})."
        self.rows.append(
            Row(
                "c",
                f"c. `git push origin --tags` again: {tag} on a commit the remote has, its tree already checked",
                self.interleave("c", [case(t) for t in tools]),
                note=note,
                tests_matter=True,
            )
        )

    def scenario_direct(self) -> None:
        commands: dict[str, Argv] = {
            "sh-seq": ["sh", str(self.work / "four-checks.sh")],
            "pre-commit": ["pre-commit", "run", "--hook-stage", "pre-push", "--all-files"],
            "prek": ["prek", "run", "--stage", "pre-push", "--all-files"],
            "prek-par": [
                "prek",
                "run",
                "--config",
                str(self.work / "prek-parallel.yaml"),
                "--stage",
                "pre-push",
                "--all-files",
            ],
            "lefthook": ["lefthook", "run", "pre-push"],
            "relgate": [self.relgate, "check", "--no-cache"],
        }
        cases = [
            Case(
                tool,
                self.repo(tool),
                self.tool_env(tool),
                steps=lambda _, argv=argv: [argv],
                unavailable=self.unavailable(tool, hooks=False, quality=True),
            )
            for tool, argv in commands.items()
        ]
        self.rows.append(
            Row(
                "direct",
                "the four checks through each tool's own command, caches warm (no git push)",
                self.interleave("direct", cases),
                note="`sh four-checks.sh`; `pre-commit run --hook-stage pre-push --all-files`; `prek run --stage "
                "pre-push --all-files`; `lefthook run pre-push`; `relgate check --no-cache` (the whole gate).",
                tests_matter=True,
            )
        )

    def scenario_checks(self) -> None:
        """Each check alone, warm (in the work tree, caches kept) and cold (in a fresh export of the tag)."""
        repo = self.repo("none")
        export = self.work / "export"

        def fresh_export(_: int) -> None:
            shutil.rmtree(export, ignore_errors=True)
            export.mkdir()
            archive = subprocess.run(
                ["git", "archive", "HEAD"], cwd=repo, env=self.env, capture_output=True, check=True
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
                    self.env,
                    steps=lambda _, argv=argv: [argv],
                    prepare=fresh_export if state == "cold" else None,
                )
                for name, argv in fixture.CHECKS
            ]
            self.checks[state] = self.interleave(f"checks-{state}", cases)
        shutil.rmtree(export, ignore_errors=True)

    # ----- d: tags at scale, and ordinary commits -----

    def tag_repo(self, tags: int, packed: bool) -> dict[str, object]:
        """A generated repository with many tags, kept between runs (out/tags/), reset to its generated state."""
        name = f"{tags // 1000}k-{'packed' if packed else 'loose'}"
        dest = self.out / "tags" / name
        stamp = dest.parent / f"{name}.json"
        generator = hashlib.sha256(Path(tagrepo.__file__).read_bytes()).hexdigest()[:16]
        summary: dict[str, object] | None = None
        if stamp.exists() and dest.exists():
            saved = json.loads(stamp.read_text())
            if saved.get("generator") == generator:
                summary = saved
        if summary is None:
            shutil.rmtree(dest, ignore_errors=True)
            dest.parent.mkdir(parents=True, exist_ok=True)
            progress(f"d: generating a repository with {tags:,} tags ({name})")
            summary = tagrepo.generate(dest, tags, packed=packed)
            summary["generator"] = generator
            summary["main"] = self.git_out(dest, "rev-parse", "main")
            stamp.write_text(json.dumps(summary, indent=2))
            end_progress()
        # Back to the generated state: no hooks, main where it was, the next release untagged.
        hooks = dest / ".git" / "hooks"
        shutil.rmtree(hooks, ignore_errors=True)
        hooks.mkdir()
        self.git(dest, "checkout", "-q", "-f", "main")
        self.git(dest, "reset", "-q", "--hard", str(summary["main"]))
        self.git(dest, "tag", "-d", str(summary["next_tag"]), check=False)
        summary["name"] = name
        return summary

    def scenario_d(self) -> None:
        empty = self.work / "hooks-none"
        floor = self.work / "hooks-floor"
        empty.mkdir()
        floor.mkdir()
        write_hook(
            floor / "reference-transaction",
            "#!/bin/sh\n# The cheapest possible hook: read what git sends.\ncat >/dev/null\n",
        )
        repos = [self.tag_repo(n, packed) for n in self.args.tags for packed in (True, False)]
        self.tag_repos = repos
        rt_reason = (
            None
            if self.features.reference_transaction
            else (self.features.hooks_reason or "`relgate install` installs no reference-transaction hook")
        )
        for summary in repos:
            path = Path(str(summary["path"]))
            if not rt_reason:
                self.sh([self.relgate, "install"], path)
            # The release about to be made is tagged for the check rows (no hook).
            self.git(path, "-c", f"core.hooksPath={empty}", "tag", "-a", str(summary["next_tag"]), "-m", "next")

        operations: list[tuple[str, str, object]] = [
            ("relgate check --only version (tag at HEAD)", "check-head", None),
            ("relgate check --only version --tag (maintenance release on an old line)", "check-maint", None),
            ("git describe --tags --abbrev=0", "describe", None),
            ("git for-each-ref --sort=-v:refname --count=1 refs/tags", "for-each-ref", None),
            ("git rev-parse refs/tags/TAG^{commit} (one tag by name)", "rev-parse", None),
            ("git tag -a (no hook)", "tag-none", empty),
            ("git tag -a (sh reference-transaction hook that reads stdin)", "tag-floor", floor),
            ("git tag -a (relgate's reference-transaction hook)", "tag-relgate", "own"),
        ]

        def case(summary: dict[str, object], op: str, hooks: object) -> Case:
            path = Path(str(summary["path"]))
            next_tag = str(summary["next_tag"])
            hooks_dir = str(path / ".git" / "hooks") if hooks == "own" else str(hooks)
            steps: dict[str, list[Argv]] = {
                "check-head": [[self.relgate, "check", "--only", "version"]],
                "check-maint": [[self.relgate, "check", "--only", "version", "--tag", str(summary["maintenance_tag"])]],
                "describe": [["git", "describe", "--tags", "--abbrev=0"]],
                "for-each-ref": [["git", "for-each-ref", "--sort=-v:refname", "--count=1", "refs/tags"]],
                "rev-parse": [["git", "rev-parse", "--verify", "-q", f"refs/tags/{next_tag}^{{commit}}"]],
            }
            prepare = None
            if op.startswith("tag-"):
                steps[op] = [["git", "-c", f"core.hooksPath={hooks_dir}", "tag", "-a", next_tag, "-m", "next"]]

                def prepare(_: int) -> None:
                    self.git(path, "-c", f"core.hooksPath={empty}", "tag", "-d", next_tag)

            return Case(
                str(summary["name"]),
                path,
                self.env,
                steps=lambda _: steps[op],
                prepare=prepare,
                unavailable=rt_reason if op == "tag-relgate" else None,
            )

        for title, op, hooks in operations:
            cases = [case(s, op, hooks) for s in repos]
            self.tag_rows.append(Row(op, title, self.interleave(f"d-{op}", cases)))
        for summary in repos:
            self.git(Path(str(summary["path"])), "tag", "-d", str(summary["next_tag"]), check=False)
        self.scenario_commits(empty, floor, repos)

    def scenario_commits(self, empty: Path, floor: Path, repos: list[dict[str, object]]) -> None:
        """What the hooks add to ordinary commits: blocks of empty commits, variants interleaved by block."""
        rt_reason = (
            None
            if self.features.reference_transaction
            else (self.features.hooks_reason or "`relgate install` installs no reference-transaction hook")
        )
        targets: list[tuple[str, Path, int]] = []
        fixture_repo = self.clone("commits")
        if not rt_reason:
            self.sh([self.relgate, "install"], fixture_repo)
        targets.append(("the fixture", fixture_repo, self.args.commits))
        biggest = [s for s in repos if s["refs"] == "packed"]
        if biggest:
            big = max(biggest, key=lambda s: int(str(s["tags"])))
            targets.append(
                (f"{big['name']} ({int(str(big['tags'])):,} tags)", Path(str(big["path"])), self.args.tag_commits)
            )
        block = 50
        for title, path, count in targets:
            own = path / ".git" / "hooks"
            variants = [
                ("no hook", empty, None),
                ("sh hook (reads stdin)", floor, None),
                ("relgate's hooks", own, rt_reason),
            ]
            cases = [
                Case(label, path, self.env, steps=lambda i, d=hooks_dir: commits(d, i, block), unavailable=reason)
                for label, hooks_dir, reason in variants
            ]
            rounds = max(1, count // block)
            results = self.timer.interleave(f"commits-{title}", cases, rounds, 1)
            end_progress()
            for result in results.values():
                for sample in result.samples:
                    sample.wall /= block
                    sample.cpu /= block
            self.commit_rows.append(Row(title, f"{count:,} empty commits in {title}, per commit", results))
        for summary in repos:
            self.git(Path(str(summary["path"])), "reset", "-q", "--hard", str(summary["main"]))

    # ----- helpers -----

    def git(self, cwd: Path, *args: str, check: bool = True) -> None:
        self.sh(["git", *args], cwd, check=check)

    def git_out(self, cwd: Path, *args: str) -> str:
        return self.sh(["git", *args], cwd).stdout.strip()

    def sh(
        self, argv: Argv, cwd: Path, *, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        out = subprocess.run(
            argv, cwd=cwd, env=env or self.env, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900
        )
        if check and out.returncode != 0:
            raise SystemExit(
                f"bench: `{' '.join(argv)}` failed in {cwd} (exit {out.returncode}):\n{out.stdout}{out.stderr}"
            )
        return out


def commits(hooks_dir: Path, index: int, block: int) -> list[Argv]:
    """A block of empty commits, with `core.hooksPath` pointing at the variant's hooks."""
    return [
        ["git", "-c", f"core.hooksPath={hooks_dir}", "commit", "-q", "--allow-empty", "-m", f"commit {index}.{n}"]
        for n in range(block)
    ]


def write_hook(path: Path, text: str) -> None:
    path.write_text(text)
    path.chmod(0o755)


def set_version(pyproject: Path, version: str) -> None:
    text = pyproject.read_text()
    pyproject.write_text(re.sub(r'(?m)^version = ".*"$', f'version = "{version}"', text, count=1))


def remove_caches(repo: Path) -> None:
    for name in CACHE_DIRS:
        shutil.rmtree(repo / name, ignore_errors=True)
    for pycache in list(repo.rglob("__pycache__")):
        if ".git" not in pycache.parts:
            shutil.rmtree(pycache, ignore_errors=True)


def lefthook_binary(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python*/site-packages/lefthook/bin/lefthook-*/lefthook"))
    if not found:
        raise SystemExit(f"bench: lefthook's Go binary is not in {venv}")
    return found[0]


def error_line(out: subprocess.CompletedProcess[str]) -> str:
    for line in (out.stderr + out.stdout).splitlines():
        if line.startswith("error:"):
            return line[len("error:") :].strip()
    lines = [line for line in (out.stderr + out.stdout).splitlines() if line.strip()]
    return lines[0] if lines else f"exit {out.returncode}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--relgate", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--only", default="checks,a,b,c,d")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=int, default=100)
    parser.add_argument("--tags", default="10000,100000")
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--tag-commits", type=int, default=200)
    parser.add_argument("--write-benchmarks", action="store_true")
    parser.add_argument("passthrough", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.tags = [int(t) for t in args.tags.split(",") if t]
    only = {s.strip() for s in args.only.split(",")}
    unknown = only - {"a", "b", "c", "direct", "checks", "d"}
    if unknown:
        parser.error(f"unknown scenario(s) {', '.join(sorted(unknown))}: choose from a, b, c, direct, checks, d")

    bench = Bench(args)
    bench.setup()
    if only & {"a", "b", "c", "direct", "checks"}:
        bench.prepare_tools()
    for name, run in [
        ("checks", bench.scenario_checks),
        ("a", bench.scenario_a),
        ("b", bench.scenario_b),
        ("c", bench.scenario_c),
        ("direct", bench.scenario_direct),
        ("d", bench.scenario_d),
    ]:
        if name in only:
            run()
    bench.facts["load_after"] = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    text = report.render(bench)
    (bench.out / "results.md").write_text(text)
    (bench.out / "results.json").write_text(json.dumps(report.as_json(bench), indent=2))
    print(text)
    if args.write_benchmarks:
        report.update_benchmarks(ROOT / "BENCHMARKS.md", text)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        end_progress()
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
