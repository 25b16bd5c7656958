#!/usr/bin/env bash
# Install (or find) the AWS CLI v2 the v2 tests drive: Debian's `awscli` package (2.9.19 in
# bookworm), which runs on the system Python with its own botocore fork inside. AWS's own
# installer (a bundled Python) is not fetched: see docs/awscli.md. Prints the CLI's path.
#
# Usage: tools/awscli-v2.sh   (as root, or with /usr/bin/aws already a v2)
set -euo pipefail
aws=/usr/bin/aws
is_v2() { [ -x "$aws" ] && "$aws" --version 2>/dev/null | grep -q '^aws-cli/2\.'; }
if ! is_v2; then
    exec 9>/tmp/euca-boto-awscli-v2.lock
    flock 9  # two test runs at once install it once
    if ! is_v2; then
        if [ "$(id -u)" != 0 ]; then
            echo "$aws is not the AWS CLI v2, and installing it needs root (apt-get install awscli)" >&2
            exit 1
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq awscli >/dev/null 2>&1 || {
            apt-get update -qq >/dev/null && apt-get install -y -qq awscli >/dev/null; }
        is_v2 || { echo "apt-get installed no AWS CLI v2 at $aws" >&2; exit 1; }
    fi
fi
echo "$aws"
