#!/usr/bin/env bash
# relgate's whole gate on the demo project (examples/demo), in a temporary copy: a release that passes every
# kind of check, then a broken one that relgate refuses, with the reports you would see. Your clone is not
# changed (the demo's tools go into examples/demo/.venv, which git ignores). Safe to re-run; seconds after the
# first time.
#
# Usage: scripts/demo.sh
#   needs relgate (./install.sh; or RELGATE=/path/to/relgate), git, and python3 with venv (the first run installs
#   the demo's pinned tools from PyPI: examples/demo/requirements-dev.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
demo="$root/examples/demo"

say() { printf '%s\n' "$*"; }
die() {
  for line in "$@"; do printf 'scripts/demo.sh: %s\n' "$line" >&2; done
  exit 2
}
case ${1:-} in
  "") ;;
  -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) die "unknown argument $1 (see --help)" ;;
esac

# relgate: $RELGATE, else where ./install.sh puts it (cargo's bin directory), else on PATH.
relgate=${RELGATE:-}
installed=${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin/relgate
if [[ -z $relgate && -x $installed ]]; then
  relgate=$installed
fi
if [[ -z $relgate ]]; then
  relgate=$(command -v relgate || true)
fi
[[ -n $relgate && -x $relgate ]] || die "relgate is not installed: run ./install.sh first (or set RELGATE=/path/to/relgate)"
command -v git >/dev/null || die "git is not installed"

# The demo's own virtualenv with its pinned tools, made again only when requirements-dev.txt changes.
venv="$demo/.venv"
stamp="$venv/.requirements.sha256"
want=$(cksum < "$demo/requirements-dev.txt")
if [[ ! -x $venv/bin/python || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
  say "scripts/demo.sh: installing the demo's tools (ruff, mypy, pytest, build) into examples/demo/.venv, once"
  python3 -m venv --clear "$venv" ||
    die "python3 -m venv failed: install Python 3 with its venv module (Debian, Ubuntu: apt install python3-venv)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$demo/requirements-dev.txt" ||
    die "pip could not install examples/demo/requirements-dev.txt from PyPI (its messages are above)"
  printf '%s\n' "$want" > "$stamp"
fi

# A repository of its own for the copy; git's configuration from outside (hooks, signing) stays out of it.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/relgate-demo.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
copy="$scratch/relgate-demo"
mkdir "$copy"
tar -C "$demo" --exclude=./.venv --exclude=__pycache__ --exclude=.mypy_cache --exclude=.pytest_cache \
  --exclude=.ruff_cache -cf - . | tar -C "$copy" -xf -
ln -s "$venv" "$copy/.venv"
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
git_() {
  git -C "$copy" -c user.name="relgate demo" -c user.email=demo@example.invalid -c commit.gpgsign=false \
    -c tag.gpgsign=false -c init.defaultBranch=main "$@"
}
git_ init --quiet
"$relgate" github workflow --path "$copy" --write --quiet # the publishing workflow CI would run
git_ add --all
git_ commit --quiet -m "relgate-demo 0.1.0"
git_ tag demo-v0.1.0

gate() {
  local status=0
  say "\$ relgate check --offline${1:+ --tag $1}"
  (cd "$copy" && "$relgate" check --offline ${1:+--tag "$1"}) || status=$?
  return "$status"
}

say ""
say "== 1. Releasing demo-v0.1.0: the tag, the declared version, the code and its tests agree =="
say "   (a copy of examples/demo in $copy; --offline: the demo does not ask PyPI)"
say ""
gate demo-v0.1.0 || die "the good release did not pass (exit $?): this is a bug in the demo, please report it"

# The broken release: a tag that disagrees with pyproject.toml, an unused import, a behaviour the test rejects.
cat > "$copy/src/relgate_demo/__init__.py" <<'PY'
"""A tiny package for relgate's demo."""

import os


def greet(name: str) -> str:
    return f"hi, {name}"
PY
git_ commit --quiet --all -m "greet with hi"
git_ tag demo-v0.2.0

say ""
say "== 2. Releasing demo-v0.2.0, broken three ways =="
say "   - the tag says 0.2.0, pyproject.toml still says 0.1.0"
say "   - src/relgate_demo/__init__.py imports os and never uses it"
say "   - greet() now says \"hi\", which tests/test_greet.py does not expect"
say ""
status=0
gate demo-v0.2.0 || status=$?
[[ $status -eq 1 ]] || die "relgate should have refused demo-v0.2.0 with exit 1, not $status: this is a bug in the demo, please report it"

say ""
say "relgate refused demo-v0.2.0 (exit 1): with its hooks installed, \`git tag\` and \`git push --tags\` stop there."
say "In your project: relgate install (the hooks), relgate check (the gate by hand), relgate github workflow (CI)."
