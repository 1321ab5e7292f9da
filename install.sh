#!/bin/sh
# Install relgate, then its git hooks in a repository. Safe to re-run.
#
# usage: ./install.sh [--root DIR] [--binary FILE] [--no-hooks] [REPO]
#
#   builds relgate with `cargo install --path <this directory> --locked` into DIR/bin (default: cargo's own,
#   $CARGO_HOME/bin, which rustup puts on PATH), then runs `relgate install` in REPO (default: the repository of
#   the current directory, if any) so that its pre-push and reference-transaction hooks gate release tags.
#
#   --root DIR     install into DIR/bin instead of cargo's bin directory
#   --binary FILE  install this already-built relgate instead of building one (no cargo needed)
#   --no-hooks     install the binary only
set -eu

say() { printf 'install.sh: %s\n' "$*"; }
die() {
  code=$1
  shift
  for line in "$@"; do printf 'install.sh: %s\n' "$line" >&2; done
  exit "$code"
}
usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

src=$(cd "$(dirname "$0")" && pwd)
root=
binary=
hooks=yes
repo=
while [ $# -gt 0 ]; do
  case $1 in
    --root) [ $# -ge 2 ] || die 2 "--root needs a directory"; root=$2; shift 2 ;;
    --root=*) root=${1#--root=}; shift ;;
    --binary) [ $# -ge 2 ] || die 2 "--binary needs a file"; binary=$2; shift 2 ;;
    --binary=*) binary=${1#--binary=}; shift ;;
    --no-hooks) hooks=; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) die 2 "unknown option $1 (see ./install.sh --help)" ;;
    *)
      [ -z "$repo" ] || die 2 "one repository at a time: $repo and $1"
      repo=$1
      shift
      ;;
  esac
done
if [ -n "$repo" ] && [ ! -d "$repo" ]; then
  die 2 "$repo is not a directory: pass the repository (or the project's directory) that gets the hooks"
fi

# Where the binary goes: what `cargo install` uses (--root, then CARGO_INSTALL_ROOT, then CARGO_HOME).
install_root=${root:-${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}}
case $install_root in /*) ;; *) install_root=$(pwd)/$install_root ;; esac
bindir=$install_root/bin
relgate=$bindir/relgate

if [ -n "$binary" ]; then
  [ -f "$binary" ] && [ -x "$binary" ] || die 2 "--binary $binary is not an executable file"
  mkdir -p "$bindir"
  # Through a temporary name in the same directory: a hook running relgate never sees a half-copied file.
  cp "$binary" "$bindir/.relgate.install.$$"
  chmod 755 "$bindir/.relgate.install.$$"
  mv -f "$bindir/.relgate.install.$$" "$relgate"
  say "installed $binary as $relgate"
else
  cargo=$(command -v cargo 2>/dev/null || true)
  if [ -z "$cargo" ] && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]; then
    cargo=${CARGO_HOME:-$HOME/.cargo}/bin/cargo
    say "cargo is not on PATH; using $cargo"
  fi
  if [ -z "$cargo" ]; then
    die 1 "cannot build relgate: cargo (Rust's build tool) is not installed, or not on PATH" \
      "install Rust with rustup (https://rustup.rs), open a new shell and run ./install.sh again," \
      "or install an already-built relgate: ./install.sh --binary PATH/TO/relgate"
  fi
  say "building relgate with $cargo install --path $src --locked --root $install_root (a minute or two the first time)"
  "$cargo" install --quiet --path "$src" --locked --root "$install_root" ||
    die 1 "cargo install failed (its messages are above)"
  [ -x "$relgate" ] || die 1 "cargo install finished, but $relgate is not there"
  say "installed $relgate"
fi

if [ -n "$hooks" ]; then
  if [ -z "$repo" ]; then
    top=$(git rev-parse --show-toplevel 2>/dev/null || true)
    if [ -z "$top" ]; then
      say "not inside a git repository: no hooks installed (run relgate install in your project's repository)"
    elif [ "$(cd "$top" && pwd -P)" = "$(cd "$src" && pwd -P)" ]; then
      say "this is relgate's own source: no hooks installed here (run relgate install in your project's repository, or ./install.sh PATH/TO/PROJECT)"
    else
      "$relgate" install
    fi
  else
    "$relgate" install --path "$repo"
  fi
fi

found=$(command -v relgate 2>/dev/null || true)
if [ "$found" = "$relgate" ] || { [ -n "$found" ] && [ "$found" -ef "$relgate" ] 2>/dev/null; }; then
  say "relgate is on PATH: run relgate check in your project"
elif [ -n "$found" ]; then
  say "warning: relgate on PATH is $found, not the one just installed; put $bindir first:"
  printf '  export PATH="%s:$PATH"\n' "$bindir"
else
  say "$bindir is not on PATH: add it in this shell (and in your shell's profile, e.g. ~/.profile):"
  printf '  export PATH="%s:$PATH"\n' "$bindir"
fi
