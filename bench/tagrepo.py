#!/usr/bin/env python3
"""Generate a git repository with many tags spread over a realistic history, with `git fast-import`.

The history is a project that has released for years: a main line where every commit is a release
(`v{major}.{minor}.{patch}`, its pyproject.toml declaring that version), maintenance branches forking from the
last release of every major line with post-releases (`v{major}.99.9.post{k}`), and build tags that are not
releases (`build-{n}`). Half of the release tags are annotated, half lightweight. For N tags: 80% main-line
releases, 10% maintenance releases, 10% build tags.

After it, main has one more commit that declares the next version, untagged (the release about to be made),
and the middle major's maintenance branch has one commit declaring its next post-release, tagged
(`maintenance_tag` in the summary): a maintenance release on an older line, the version gate's slow path.

Objects are repacked and a commit-graph written, as `git gc` leaves a repository. Refs are left loose (one file
per tag, as fast-import writes them), or packed with `--packed` (`git pack-refs --all`, as `git gc` does). The
same arguments always give the same objects.

Usage: tagrepo.py DEST --tags N [--packed]   (prints a JSON summary on stdout)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

EPOCH = 1_420_070_400  # 2015-01-01, then one commit an hour
IDENT = "Bench <bench@example.invalid>"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--tags", type=int, required=True)
    parser.add_argument("--packed", action="store_true")
    args = parser.parse_args(argv)
    if args.tags < 1000:
        print("tagrepo.py: --tags must be at least 1000", file=sys.stderr)
        return 2
    summary = generate(args.dest, args.tags, packed=args.packed)
    print(json.dumps(summary, indent=2))
    return 0


def version_of(index: int) -> str:
    """The main line's index-th release: 0.0.0, 0.0.1, ... 0.0.9, 0.1.0, ... 0.99.9, 1.0.0, ..."""
    return f"{index // 1000}.{index // 10 % 100}.{index % 10}"


def pyproject(version: str) -> bytes:
    return (
        '[project]\nname = "tagscale"\nversion = "' + version + '"\n'
        'description = "A project with a long release history."\nrequires-python = ">=3.9"\n\n'
        '[tool.relgate]\nindex = "off"\n'
    ).encode()


def generate(dest: Path, tags: int, *, packed: bool) -> dict[str, object]:
    releases = tags * 8 // 10
    builds = tags // 10
    majors = max(1, releases // 1000)
    per_branch = (tags - releases - builds) // majors
    stream = Stream()
    # The main line: one release per commit.
    for i in range(releases):
        version = version_of(i)
        mark = stream.commit("refs/heads/main", f"Release {version}", {"pyproject.toml": pyproject(version)})
        stream.tag(f"v{version}", mark, annotated=i % 2 == 0)
        if major_end(i, releases):
            stream.fork_points[i // 1000] = mark
    # Maintenance lines: post-releases of the last release of each major line.
    maintenance: dict[int, int] = {}
    for major in range(majors):
        branch = f"refs/heads/maint-{major}"
        base = stream.fork_points[major]
        last_release = f"{major}.99.9" if releases >= (major + 1) * 1000 else version_of(releases - 1)
        for k in range(1, per_branch + 1):
            version = f"{last_release}.post{k}"
            mark = stream.commit(
                branch, f"Release {version}", {"pyproject.toml": pyproject(version)}, parent=base if k == 1 else None
            )
            stream.tag(f"v{version}", mark, annotated=k % 2 == 1)
        maintenance[major] = per_branch
    # Build tags, not releases, spread over the main line.
    step = max(1, releases // builds)
    for n in range(builds):
        stream.tag(f"build-{n}", stream.main_marks[(n * step) % releases], annotated=False)
    # The releases about to be made: the next version on main (untagged), a post-release on an old line (tagged).
    next_version = version_of(releases)
    stream.commit("refs/heads/main", f"Release {next_version}", {"pyproject.toml": pyproject(next_version)})
    middle = majors // 2
    last = f"{middle}.99.9" if releases >= (middle + 1) * 1000 else version_of(releases - 1)
    maintenance_version = f"{last}.post{per_branch + 1}"
    mark = stream.commit(
        f"refs/heads/maint-{middle}",
        f"Release {maintenance_version}",
        {"pyproject.toml": pyproject(maintenance_version)},
    )
    stream.tag(f"v{maintenance_version}", mark, annotated=True)

    dest.mkdir(parents=True, exist_ok=False)
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1"}
    git(dest, env, "init", "-q", "-b", "main")
    subprocess.run(["git", "fast-import", "--quiet", "--done"], cwd=dest, env=env, input=stream.finish(), check=True)
    git(dest, env, "checkout", "-q", "-f", "main")
    # As `git gc` leaves a repository: objects repacked (fast-import's pack has long delta chains), a
    # commit-graph written; the refs are packed only when asked (gc would pack them too).
    git(dest, env, "repack", "-a", "-d", "-q")
    git(dest, env, "commit-graph", "write", "--reachable", "--no-progress")
    if packed:
        git(dest, env, "pack-refs", "--all")
    total = stream.tag_count
    return {
        "path": str(dest),
        "tags": total,
        "commits": stream.commit_count,
        "refs": "packed" if packed else "loose",
        "next_version": next_version,
        "next_tag": f"v{next_version}",
        "maintenance_tag": f"v{maintenance_version}",
    }


def major_end(i: int, releases: int) -> bool:
    return i % 1000 == 999 or i == releases - 1


def git(cwd: Path, env: dict[str, str], *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True)


class Stream:
    """A git fast-import stream, built in memory."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.next_mark = 1
        self.commit_count = 0
        self.tag_count = 0
        self.fork_points: dict[int, int] = {}
        self.main_marks: list[int] = []

    def data(self, payload: bytes) -> None:
        self.parts.append(b"data %d\n" % len(payload) + payload + b"\n")

    def commit(self, ref: str, message: str, files: dict[str, bytes], parent: int | None = None) -> int:
        mark = self.next_mark
        self.next_mark += 1
        when = EPOCH + 3600 * self.commit_count
        self.commit_count += 1
        self.parts.append(f"commit {ref}\nmark :{mark}\ncommitter {IDENT} {when} +0000\n".encode())
        self.data(message.encode())
        if parent is not None:
            self.parts.append(f"from :{parent}\n".encode())
        for path, content in files.items():
            self.parts.append(f"M 100644 inline {path}\n".encode())
            self.data(content)
        if ref == "refs/heads/main":
            self.main_marks.append(mark)
        return mark

    def tag(self, name: str, mark: int, *, annotated: bool) -> None:
        self.tag_count += 1
        if annotated:
            when = EPOCH + 3600 * self.commit_count
            self.parts.append(f"tag {name}\nfrom :{mark}\ntagger {IDENT} {when} +0000\n".encode())
            self.data(f"{name}\n".encode())
        else:
            self.parts.append(f"reset refs/tags/{name}\nfrom :{mark}\n\n".encode())

    def finish(self) -> bytes:
        return b"".join(self.parts) + b"done\n"


if __name__ == "__main__":
    sys.exit(main())
