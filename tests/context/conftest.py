"""The caller-context tests' cloud: the shared fixtures, plus the accounts they act in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from euca_boto.testing import LocalCloud


@pytest.fixture(scope="module")
def cloud() -> Iterator[LocalCloud]:
    with LocalCloud(endpoints=2, partitions=1) as started:
        # The accounts the tests delegate to and impersonate in.
        started.add_credentials(account="acme")
        started.add_credentials(account="globex")
        yield started
