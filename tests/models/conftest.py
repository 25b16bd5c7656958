"""Fixtures for the model tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from awsenv import AwsEnv
from models_support import CannedServer, ClientFactory, make_client, models_session


@pytest.fixture(autouse=True)
def isolated(aws_env: AwsEnv) -> AwsEnv:
    """Keep the developer's AWS settings (endpoints, retry mode, models path) out of the tests."""
    return aws_env


@pytest.fixture(scope="session")
def shared_server() -> Iterator[CannedServer]:
    canned = CannedServer()
    yield canned
    canned.close()


@pytest.fixture
def server(shared_server: CannedServer) -> CannedServer:
    """The canned server, with no requests recorded and no replies queued."""
    shared_server.reset()
    return shared_server


@pytest.fixture(scope="session")
def shared_session() -> botocore.session.Session:
    return models_session()


@pytest.fixture
def client(server: CannedServer, shared_session: botocore.session.Session) -> ClientFactory:
    """``client("euserv")``: a client of our models, pointed at the canned server."""

    def create(service: str) -> Any:
        return make_client(shared_session, service, server.url)

    return create
