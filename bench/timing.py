"""The benchmark's timing loop: cases run interleaved (A B C A B C ...), warm-up rounds discarded.

Each run of a case is: its untimed preparation, then its timed command lines one after the other (argv lists,
never shell strings), then its untimed clean-up. Wall time is `time.perf_counter_ns` around the commands; CPU time
is the user + system time of the whole process tree (git, the hook, the manager, the tools), from the growth of
`getrusage(RUSAGE_CHILDREN)`, which counts every descendant that was waited for. Runs are sequential, so that
growth belongs to the run alone.

Whether a run really ran the project's tests is read from a run log that the fixture's conftest.py appends to
(`BENCH_RUNLOG`), with the directory pytest ran in (the work tree, or an isolated export).

hyperfine is not used: it runs all the runs of one command before the next command (no interleaving), and has no
untimed per-run preparation that can bump a version, tag and reset a remote.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

Argv = list[str]


@dataclass
class Sample:
    wall: float
    cpu: float
    ok: bool
    ran_tests: bool
    tests_dir: str | None
    detail: str = ""


@dataclass
class Case:
    """One column of one row: what to prepare, what to time, what to clean up."""

    label: str
    cwd: Path
    env: dict[str, str]
    steps: Callable[[int], list[Argv]]
    prepare: Callable[[int], None] | None = None
    cleanup: Callable[[int], None] | None = None
    # A case that cannot run in this build (e.g. a relgate feature not built yet) carries the reason instead.
    unavailable: str | None = None
    timeout: float = 600.0


@dataclass
class Result:
    label: str
    samples: list[Sample] = field(default_factory=list)
    unavailable: str | None = None

    @property
    def ok(self) -> bool:
        return self.unavailable is None and bool(self.samples) and all(s.ok for s in self.samples)

    def walls(self) -> list[float]:
        return [s.wall for s in self.samples if s.ok]

    def median(self) -> float | None:
        walls = self.walls()
        return statistics.median(walls) if walls and self.ok else None

    def spread(self) -> tuple[float, float] | None:
        walls = self.walls()
        return (min(walls), max(walls)) if walls and self.ok else None

    def cpu_median(self) -> float | None:
        cpus = [s.cpu for s in self.samples if s.ok]
        return statistics.median(cpus) if cpus and self.ok else None

    def tests_ran(self) -> tuple[int, int]:
        """How many of the runs ran the tests, out of how many."""
        return sum(1 for s in self.samples if s.ran_tests), len(self.samples)

    def to_json(self) -> dict[str, object]:
        return {
            "label": self.label,
            "unavailable": self.unavailable,
            "median_s": self.median(),
            "min_s": (self.spread() or (None, None))[0],
            "max_s": (self.spread() or (None, None))[1],
            "cpu_median_s": self.cpu_median(),
            "samples": [
                {"wall_s": s.wall, "cpu_s": s.cpu, "ok": s.ok, "ran_tests": s.ran_tests, "detail": s.detail}
                for s in self.samples
            ],
        }


@dataclass
class Row:
    """One line of a results table."""

    key: str
    title: str
    results: dict[str, Result]
    note: str = ""
    tests_matter: bool = False


class Timer:
    """Runs cases, keeps a log of each run's output, reports progress on stderr."""

    def __init__(self, logs: Path, runlog: Path) -> None:
        self.logs = logs
        self.runlog = runlog
        logs.mkdir(parents=True, exist_ok=True)

    def interleave(self, name: str, cases: list[Case], runs: int, warmup: int) -> dict[str, Result]:
        results = {c.label: Result(c.label, unavailable=c.unavailable) for c in cases}
        active = [c for c in cases if c.unavailable is None]
        total = (warmup + runs) * len(active)
        done = 0
        for round_index in range(warmup + runs):
            for case in active:
                done += 1
                progress(f"{name}: {case.label} (run {done}/{total})")
                sample = self.run(name, case, round_index)
                # Warm-up runs are discarded, unless they failed: a failure is always reported.
                if round_index >= warmup or not sample.ok:
                    results[case.label].samples.append(sample)
        return results

    def run(self, name: str, case: Case, index: int) -> Sample:
        if case.prepare:
            case.prepare(index)
        self.runlog.write_text("")
        log_path = self.logs / f"{slug(name)}--{slug(case.label)}.log"
        wall = 0.0
        cpu = 0.0
        ok = True
        detail = ""
        with log_path.open("w", encoding="utf-8") as log:
            for argv in case.steps(index):
                log.write(f"$ {' '.join(argv)}\n")
                log.flush()
                step_wall, step_cpu, code = timed(argv, case.cwd, case.env, log, case.timeout)
                wall += step_wall
                cpu += step_cpu
                if code != 0:
                    ok = False
                    detail = f"`{' '.join(argv[:3])}` exited {code} (see {log_path.name})"
                    break
        lines = [line for line in self.runlog.read_text().splitlines() if line.startswith("pytest ")]
        tests_dir = lines[-1][len("pytest ") :] if lines else None
        if case.cleanup:
            case.cleanup(index)
        return Sample(wall, cpu, ok, bool(lines), tests_dir, detail)


def timed(argv: Argv, cwd: Path, env: dict[str, str], log: IO[str], timeout: float) -> tuple[float, float, int]:
    """Run one command; its wall time, the CPU time of its process tree, and its exit code (-9 on timeout).

    The wait blocks (Popen.wait with a timeout polls with sleeps of up to 50 ms, which would round every time
    up); a watchdog thread kills the command's process group at the timeout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter_ns()
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    watchdog = threading.Timer(timeout, kill_group, args=(proc.pid,))
    watchdog.start()
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        kill_group(proc.pid)
        proc.wait()
        raise
    finally:
        watchdog.cancel()
    wall = (time.perf_counter_ns() - start) / 1e9
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, code


def kill_group(pid: int) -> None:
    """Stop a command and everything it started (it leads its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def progress(message: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{message}")
    else:
        sys.stderr.write(message + "\n")
    sys.stderr.flush()


def end_progress() -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()


def error_line(out: subprocess.CompletedProcess[str]) -> str:
    for line in (out.stderr + out.stdout).splitlines():
        if line.startswith("error:"):
            return line[len("error:") :].strip()
    lines = [line for line in (out.stderr + out.stdout).splitlines() if line.strip()]
    return lines[0] if lines else f"exit {out.returncode}"
