#!/usr/bin/env bash
# Build relgate's wheel (the binary in a Python package, as PyPI would get it) and try it the way users install
# it: into a fresh virtualenv with pip (and as a uv tool when uv is at hand), then `relgate --version` and a gate
# on a small project, from that install. Nothing is uploaded.
#
# Usage: scripts/wheel.sh [--release]
#   default    cargo's dev profile: the wheel reuses what `cargo test` built (seconds rather than minutes)
#   --release  the release profile, as a published wheel would be built
#
# maturin comes from PyPI into target/wheel-tools (once); the wheel is written to target/wheels/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

maturin_pin="maturin==1.16.0"
profile=dev
case ${1:-} in
  "") ;;
  --release) profile=release ;;
  -h | --help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "scripts/wheel.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

say() { printf 'scripts/wheel.sh: %s\n' "$*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

tools="$root/target/wheel-tools"
if [[ ! -x "$tools/bin/maturin" || "$(cat "$tools/.pin" 2>/dev/null)" != "$maturin_pin" ]]; then
  say "installing $maturin_pin into target/wheel-tools"
  python3 -m venv --clear "$tools"
  "$tools/bin/python" -m pip install --quiet --disable-pip-version-check "$maturin_pin"
  echo "$maturin_pin" > "$tools/.pin"
fi

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[[ -n $version ]] || fail "no version in Cargo.toml"
out="$root/target/wheels"
mkdir -p "$out"
rm -f "$out"/relgate-*.whl
say "building the wheel of relgate $version (profile $profile)"
"$tools/bin/maturin" build --quiet --locked --profile "$profile" --out "$out"
wheels=("$out"/relgate-"$version"-*.whl)
[[ ${#wheels[@]} -eq 1 && -f ${wheels[0]} ]] || fail "expected one relgate-$version-*.whl in target/wheels"
wheel=${wheels[0]}
say "built ${wheel#"$root"/}"

scratch=$(mktemp -d "${TMPDIR:-/tmp}/relgate-wheel.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# pip install relgate, offline: the wheel needs nothing else.
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
installed="$scratch/venv/bin/relgate"
[[ -x $installed ]] || fail "pip installed the wheel, but there is no bin/relgate in the virtualenv"
got=$("$installed" --version)
[[ $got == "relgate $version" ]] || fail "relgate --version printed '$got', expected 'relgate $version'"
say "pip install: $got"

# uv tool install relgate, when uv is at hand (scripts/test.sh's .venv-test has it).
uv=$(command -v uv || true)
if [[ -z $uv && -n ${RELGATE_TEST_VENV:-} && -x $RELGATE_TEST_VENV/bin/uv ]]; then
  uv=$RELGATE_TEST_VENV/bin/uv
fi
if [[ -n $uv ]]; then
  UV_TOOL_DIR="$scratch/uv-tools" UV_TOOL_BIN_DIR="$scratch/uv-bin" UV_CACHE_DIR="$scratch/uv-cache" \
    "$uv" tool install --quiet --offline "$wheel"
  got=$("$scratch/uv-bin/relgate" --version)
  [[ $got == "relgate $version" ]] || fail "the uv tool's relgate --version printed '$got'"
  say "uv tool install: $got"
else
  say "uv not found: uv tool install not tried"
fi

# A gate from the installed relgate: a release that agrees passes (0), a tag naming another version fails (1).
project="$scratch/project"
mkdir -p "$project"
printf '[project]\nname = "wheel-probe"\nversion = "1.0.0"\n' > "$project/pyproject.toml"
git_() {
  GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 git -C "$project" -c user.name=relgate -c user.email=relgate@example.invalid \
    -c commit.gpgsign=false -c tag.gpgsign=false -c init.defaultBranch=main "$@"
}
git_ init --quiet
git_ add pyproject.toml
git_ commit --quiet -m "release 1.0.0"
git_ tag v1.0.0
gate() { (cd "$project" && GIT_CONFIG_GLOBAL=/dev/null "$installed" check --offline --color never "$@"); }
status=0
report=$(gate --tag v1.0.0 2>&1) || status=$?
[[ $status -eq 0 ]] || fail "relgate check --tag v1.0.0 exited $status, expected 0:"$'\n'"$report"
git_ tag v2.0.0
status=0
report=$(gate --tag v2.0.0 2>&1) || status=$?
[[ $status -eq 1 ]] || fail "relgate check --tag v2.0.0 exited $status, expected 1:"$'\n'"$report"
grep -q 'v2.0.0' <<<"$report" || fail "the refusal does not name the tag:"$'\n'"$report"
say "the installed relgate gates: v1.0.0 passes, v2.0.0 (the project declares 1.0.0) is refused"
