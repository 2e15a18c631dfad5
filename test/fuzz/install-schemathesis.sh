#!/usr/bin/env bash
# Installs Schemathesis (the outside contract fuzzer, from PyPI, pinned) into a virtualenv outside the
# repository, once, and prints the path of its `schemathesis` executable. Needs python3 (>= 3.10) with
# venv. The cache directory is HPF_FUZZ_CACHE, default ~/.cache/hpf-fuzz.
set -euo pipefail

version=4.32.5
cache="${HPF_FUZZ_CACHE:-$HOME/.cache/hpf-fuzz}"
venv="$cache/schemathesis-$version"
bin="$venv/bin/schemathesis"

if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "version $version\$"; then
  echo "$bin"
  exit 0
fi

mkdir -p "$cache"
rm -rf "$venv"
echo "installing schemathesis==$version into $venv" >&2
python3 -m venv "$venv" >&2
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
"$bin" --version >&2
echo "$bin"
