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
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fixture
import pushes
import report
import scale
from pushes import CACHE_DIRS
from scale import FLOOR_HOOK, write_hook
from timing import Argv, Case, Result, Row, Timer, end_progress, error_line

ROOT = Path(__file__).resolve().parent.parent

# Every tool, in table order: the label and what it is.
TOOLS: dict[str, str] = {
    "none": "no hook",
    "sh-floor": "plain sh hook that reads its stdin with builtins and does nothing (the floor)",
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
        # The commands, their program by name only (relgate resolves it to the venv's absolute path).
        features.quality_commands = [
            " ".join([Path(argv[0]).name, *argv[1:]]) for argv in (c.get("command") or [c["name"]] for c in quality)
        ]
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
                    FLOOR_HOOK,
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


def lefthook_binary(venv: Path) -> Path:
    found = sorted(venv.glob("lib/python*/site-packages/lefthook/bin/lefthook-*/lefthook"))
    if not found:
        raise SystemExit(f"bench: lefthook's Go binary is not in {venv}")
    return found[0]


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
        ("checks", pushes.scenario_checks),
        ("a", pushes.scenario_a),
        ("b", pushes.scenario_b),
        ("c", pushes.scenario_c),
        ("direct", pushes.scenario_direct),
        ("d", scale.scenario_d),
    ]:
        if name in only:
            run(bench)
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
