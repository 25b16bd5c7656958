"""Where the examples run: a real cloud's profile, or an embedded LocalCloud by default."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

import euca_boto
from euca_boto.cli import errors_reported


@contextlib.contextmanager
def admin_session(description: str) -> Iterator[Any]:
    """An installed session: ``--profile NAME`` for a real cloud, else a fresh LocalCloud."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--profile", help="a ~/.aws/config profile (default: a local cloud)")
    args = parser.parse_args()
    # A missing profile, an unreachable cloud or a refusal is one line, as with euca-boto.
    with errors_reported(os.path.basename(sys.argv[0]), args.profile):
        if args.profile:
            yield euca_boto.session(profile_name=args.profile)
            return
        from euca_boto.testing import LocalCloud

        with LocalCloud() as cloud, tempfile.TemporaryDirectory() as tmp:
            config, credentials = cloud.write_aws_files(tmp)
            os.environ["AWS_CONFIG_FILE"] = str(config)
            os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
            yield euca_boto.session(profile_name="localcloud")
