#!/usr/bin/env bash
# Build (or reuse) the test environment of another CPython, from pyenv's versions: euca-boto with
# its test extra, for running the suite on every Python it supports. Rebuilt only when
# pyproject.toml or the interpreter changes. Prints the environment's directory; exits 1 with one
# line when pyenv has no such Python.
#
# Usage: tools/python-venv.sh MAJOR.MINOR   (for example 3.10: builds .venv-py310)
set -euo pipefail
cd "$(dirname "$0")/.."
minor=${1:?usage: tools/python-venv.sh MAJOR.MINOR}
root=${PYENV_ROOT:-$HOME/.pyenv}
python=$(ls -d "$root/versions/$minor".*/bin/python 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$python" ] || [ ! -x "$python" ]; then
    echo "no CPython $minor under $root/versions (pyenv install $minor): the suite must run on it" >&2
    exit 1
fi
venv=.venv-py${minor/./}
stamp="$venv/.euca-boto-built-from"
want="$("$python" -c 'import sys; print(sys.version.split()[0])') $(sha256sum pyproject.toml | cut -d' ' -f1)"

exec 9>"$venv.lock"
flock 9  # two runs at once build it once
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$venv"
    exit 0
fi
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -e '.[test,docs]' >&2
echo "$want" >"$stamp"
echo "$venv"
