"""The caller-context tests' cloud: the shared one, plus the accounts they act in."""

from __future__ import annotations

import pytest

from euca_boto.testing import LocalCloud


@pytest.fixture(scope="module")
def cloud(cloud: LocalCloud) -> LocalCloud:
    # The accounts the tests delegate to and impersonate in.
    cloud.add_credentials(account="acme")
    cloud.add_credentials(account="globex")
    return cloud
