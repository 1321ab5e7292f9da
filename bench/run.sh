#!/usr/bin/env bash
# relgate's benchmark against pre-commit, prek and lefthook, in one command from a fresh clone.
#
# Builds relgate in release mode, creates the bench venv (bench/out/venv) with the pinned tools and peers from
# bench/requirements.txt, then runs bench/harness.py: it generates the fixture project and the tag-scale
# repositories, times the scenarios interleaved, writes bench/out/results.md and results.json, and prints the
# markdown. Everything it creates is under bench/out/ (gitignored); nothing outside it is touched.
#
# Usage: bench/run.sh [--quick] [--runs N] [--warmup N] [--only a,b,c,direct,checks,d] [--seed N] [--work N]
#                     [--tags 10000,100000] [--commits N] [--write-benchmarks] [--no-build]
#   --quick             2 timed runs per cell, 300 commits: about half the time, for a first look
#   --runs N            timed runs per cell (default 5), after --warmup N discarded runs (default 1)
#   --only LIST         scenarios: a (hook overhead), b (release push), c (re-push of a checked tree),
#                       direct (each tool's own run command), checks (each check alone), d (tags at scale, commits)
#   --work N            scale of the fixture's tests (default 100: about 3 s of pytest)
#   --write-benchmarks  also replace the results block of BENCHMARKS.md with this run's
#   --no-build          use target/release/relgate as it is (or RELGATE_BIN)
# Needs: cargo, git, Python 3.9+ with venv, and PyPI (the first time, for the venv).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/bench/out"
orig=("$@")
build=1
args=()
runs_given=0
quick=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-build) build=0 ;;
    --quick) quick=1 ;;
    --runs) runs_given=1; args+=("$1" "$2"); shift ;;
    --warmup|--only|--seed|--work|--tags|--commits|--tag-commits) args+=("$1" "$2"); shift ;;
    --write-benchmarks) args+=("$1") ;;
    -h|--help) awk 'NR > 1 && !/^#/ {exit} NR > 1 {sub(/^# ?/, ""); print}' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option $1 (see bench/run.sh --help)" >&2; exit 2 ;;
  esac
  shift
done
if [[ $quick == 1 ]]; then
  [[ $runs_given == 1 ]] || args+=(--runs 2)
  args+=(--commits 300 --tag-commits 100)
fi

relgate="${RELGATE_BIN:-$root/target/release/relgate}"
if [[ $build == 1 && -z "${RELGATE_BIN:-}" ]]; then
  echo "bench: building relgate (cargo build --release)" >&2
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
fi
if [[ ! -x "$relgate" ]]; then
  echo "bench: $relgate is missing: build it (cargo build --release) or set RELGATE_BIN" >&2
  exit 2
fi

venv="$out/venv"
stamp="$venv/.requirements.sha256"
want=$(sha256sum "$root/bench/requirements.txt" | cut -d' ' -f1)
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "bench: installing the pinned tools and peers into bench/out/venv" >&2
  mkdir -p "$out"
  python3 -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$root/bench/requirements.txt"
  echo "$want" > "$stamp"
fi

# After `--`: the command line as given, recorded in the results.
exec "$venv/bin/python" "$root/bench/harness.py" --out "$out" --relgate "$relgate" "${args[@]}" -- "${orig[@]}"
