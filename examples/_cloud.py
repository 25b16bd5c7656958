"""Where the examples run: a real cloud's profile, or an embedded LocalCloud by default."""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import euca_boto


@contextlib.contextmanager
def admin_session(description: str) -> Iterator[Any]:
    """An installed session: ``--profile NAME`` for a real cloud, else a fresh LocalCloud."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--profile", help="a ~/.aws/config profile (default: a local cloud)")
    args = parser.parse_args()
    if args.profile:
        yield euca_boto.session(profile_name=args.profile)
        return
    from euca_boto.testing import LocalCloud

    with LocalCloud() as cloud, tempfile.TemporaryDirectory() as tmp:
        config, credentials = cloud.write_aws_files(tmp)
        os.environ["AWS_CONFIG_FILE"] = str(config)
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(credentials)
        yield euca_boto.session(profile_name="localcloud")
