#!/usr/bin/env bash
# Install (or reuse) the AWS SDK for JavaScript v3 clients the other-SDK tests drive:
# @aws-sdk/client-sts and @aws-sdk/client-ec2, in a directory of their own (node_modules
# inside it). Prints the directory.
#
# Usage: tools/node-sdk.sh [DIR]   (default: .node-sdk in the repository)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-.node-sdk}
version=3.1178.0
spec="@aws-sdk/client-sts@$version @aws-sdk/client-ec2@$version"
stamp="$dir/.euca-boto-node-sdk"
command -v npm >/dev/null || { echo "npm is not installed (apt-get install npm)" >&2; exit 1; }
want="$spec $(node --version)"

mkdir -p "$dir"
exec 9>"$dir.lock"
flock 9  # two test runs at once install it once
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    echo "$dir"
    exit 0
fi
rm -rf "$dir/node_modules" "$stamp"
[ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
# shellcheck disable=SC2086
npm install --prefix "$dir" --no-audit --no-fund --loglevel=error $spec >&2
echo "$want" >"$stamp"
echo "$dir"
