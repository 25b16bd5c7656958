#!/usr/bin/env bash
# Build (or reuse) the virtual environment of the real-tool tests: Ansible (with its amazon.aws
# collection), Cloud Custodian, s3fs (aiobotocore) and the AWS CLI, beside euca-boto itself.
# These tools pin botocore and each other, so they live apart from the test environment; the
# versions below resolve together. Prints the environment's directory.
#
# Usage: tools/tools-venv.sh [DIR]   (default: .venv-tools in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${1:-.venv-tools}
spec="ansible==12.3.0 c7n==0.9.53 s3fs==2026.9.0 awscli==1.46.3"
python=${PYTHON:-python3}
stamp="$venv/.euca-boto-tools"
want="$spec $($python -c 'import sys; print(sys.version.split()[0])')"

mkdir -p "$(dirname "$venv")"
exec 9>"$venv.lock"
flock 9  # two test runs at once build it once
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$venv"
    exit 0
fi
rm -rf "$venv"
"$python" -m venv "$venv"
# shellcheck disable=SC2086
"$venv/bin/pip" install -q --disable-pip-version-check -e . $spec >&2
echo "$want" >"$stamp"
echo "$venv"
