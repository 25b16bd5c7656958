"""Sessions euca-boto uses internally, which must stay plain.

Reading the topology and fetching caller-context credentials go through botocore sessions of
their own; where every session gets the plugin (``euca-boto run``), these are left alone, or a
topology read would route through the topology it is reading.
"""

from __future__ import annotations

import botocore.session

# The attribute the start-up hook of ``euca-boto run`` looks for (see bootstrap/sitecustomize.py).
PLAIN_ATTRIBUTE = "_euca_boto_plain"


def plain_session(profile: str | None = None) -> botocore.session.Session:
    """A new botocore session of ``profile`` that euca-boto never installs itself on."""
    plain = botocore.session.Session(profile=profile)
    setattr(plain, PLAIN_ATTRIBUTE, True)
    return plain
