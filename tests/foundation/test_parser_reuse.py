"""An installed session parses every response of a protocol with one parser, and a change of the
parser defaults (what the AWS CLI does for its timestamp format) still reaches the next call."""

from __future__ import annotations

import datetime
import threading

import euca_boto
from euca_boto.testing.canned import CannedServer

KEYS = {"aws_access_key_id": "AKIDTEST", "aws_secret_access_key": "test-secret",
        "region_name": "eucalyptus"}

SESSION_TOKEN = (
    b'<GetSessionTokenResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetSessionTokenResult><Credentials>"
    b"<AccessKeyId>AKIDSESSION</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>"
    b"<SessionToken>token</SessionToken><Expiration>2026-12-06T12:00:00Z</Expiration>"
    b"</Credentials></GetSessionTokenResult>"
    b"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
    b"</GetSessionTokenResponse>"
)


def test_the_clients_of_a_session_parse_with_one_parser_per_protocol() -> None:
    session = euca_boto.session(**KEYS, euca_endpoint="http://127.0.0.1:1")
    factory = session._session.get_component("response_parser_factory")
    assert factory.create_parser("query") is factory.create_parser("query")
    assert factory.create_parser("json") is not factory.create_parser("query")


def test_parser_defaults_set_after_calls_apply_to_the_next_call() -> None:
    with CannedServer(SESSION_TOKEN) as server:
        session = euca_boto.session(**KEYS, euca_endpoint=server.urls[0])
        client = session.client("sts")
        first = client.get_session_token()["Credentials"]["Expiration"]
        assert isinstance(first, datetime.datetime)

        # As the AWS CLI does for --cli-read-timestamp-format none: timestamps as sent.
        session._session.get_component("response_parser_factory").set_parser_defaults(
            timestamp_parser=lambda value: value)
        assert client.get_session_token()["Credentials"]["Expiration"] == "2026-12-06T12:00:00Z"


def test_threads_share_the_parser_and_each_gets_its_own_answer() -> None:
    with CannedServer(SESSION_TOKEN) as server:
        client = euca_boto.session(**KEYS, euca_endpoint=server.urls[0]).client("sts")
        answers: list[object] = []
        errors: list[BaseException] = []

        def calls() -> None:
            try:
                for _ in range(25):
                    answers.append(client.get_session_token()["Credentials"]["AccessKeyId"])
            except BaseException as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=calls) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors
        assert answers == ["AKIDSESSION"] * 100
