#!/usr/bin/env bash
# The whole test suite from a fresh clone: install the pinned Python tools into .venv-test, then run the tests.
# Usage: scripts/test.sh [extra cargo test arguments]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

venv="$root/.venv-test"
stamp="$venv/.requirements.sha256"
want=$(sha256sum tests/requirements.txt | cut -d' ' -f1)
if [[ ! -x "$venv/bin/python" || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  echo "scripts/test.sh: installing the pinned Python tools into .venv-test" >&2
  python3 -m venv --clear "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r tests/requirements.txt
  echo "$want" > "$stamp"
fi
export RELGATE_TEST_VENV="$venv"

cargo fmt --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --quiet "$@"
# relgate as a Python tool: build the wheel (dev profile: it reuses the test build), install it, gate from it.
scripts/wheel.sh
