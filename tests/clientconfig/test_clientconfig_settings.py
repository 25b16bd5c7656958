"""Per-service client settings: they reach every client's botocore Config, the caller's explicit
values win, timeouts take effect on the wire, a private CA verifies TLS, bad values are errors."""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ReadTimeoutError, SSLError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import euca_boto
from euca_boto.testing import LocalCloud


def test_settings_become_the_client_config(session: Any) -> None:
    config = session(euca_connect_timeout="1.5", euca_read_timeout="2m",
                     euca_max_pool_connections=3).client("ec2").meta.config

    assert (config.connect_timeout, config.read_timeout, config.max_pool_connections) == (
        1.5, 120.0, 3)


def test_a_nested_block_sets_one_service(aws_files: Callable[[str], Path], session: Any) -> None:
    aws_files("euca_read_timeout = 20\nec2 =\n  euca_read_timeout = 0.5\n"
              "  euca_max_pool_connections = 2\n")
    made = session()

    ec2, iam = made.client("ec2").meta.config, made.client("iam").meta.config
    assert (ec2.read_timeout, ec2.max_pool_connections) == (0.5, 2)
    assert (iam.read_timeout, iam.max_pool_connections) == (20.0, 10)


def test_the_callers_explicit_config_values_win(session: Any) -> None:
    made = session(euca_connect_timeout=3, euca_read_timeout=4)
    config = made.client("ec2", config=Config(read_timeout=9, user_agent_extra="mine")
                         ).meta.config

    assert (config.connect_timeout, config.read_timeout) == (3.0, 9)
    assert config.user_agent_extra == "mine"


def test_without_settings_the_bounded_timeouts_apply(session: Any) -> None:
    config = session().client("ec2").meta.config

    assert (config.connect_timeout, config.read_timeout, config.max_pool_connections) == (
        10, 30, 10)


def test_none_gives_botocore_its_timeouts_back(session: Any) -> None:
    config = session(euca_connect_timeout="none", euca_read_timeout="none").client(
        "ec2").meta.config
    assert (config.connect_timeout, config.read_timeout) == (60, 60)


def test_a_region_per_service(aws_files: Callable[[str], Path], session: Any) -> None:
    aws_files("iam =\n  euca_region = identity-region\n")
    made = session()

    assert made.client("iam").meta.region_name == "identity-region"
    assert made.client("ec2").meta.region_name == "eucalyptus"
    assert made.client("iam", region_name="chosen").meta.region_name == "chosen"


def test_the_region_is_signed_into_requests(aws_files: Callable[[str], Path], session: Any,
                                            cloud: LocalCloud) -> None:
    aws_files("ec2 =\n  euca_region = west-partition\n")
    session().client("ec2").describe_availability_zones()

    authorization = cloud.endpoint(0).requests[-1].headers["Authorization"]
    assert "/west-partition/ec2/aws4_request" in authorization


def test_the_read_timeout_ends_a_call_to_a_blackholed_endpoint(session: Any,
                                                               cloud: LocalCloud) -> None:
    ec2 = session(euca_read_timeout="300ms", euca_connect_timeout=1,
                  euca_retry_max_attempts=1).client("ec2")
    cloud.endpoint(0).blackhole()
    started = time.monotonic()
    try:
        with pytest.raises(ReadTimeoutError) as caught:
            ec2.describe_availability_zones()
    finally:
        cloud.clear()

    assert "Read timeout on endpoint URL" in str(caught.value)
    # Bounded by the setting, not botocore's 60 s default (a generous bound, not a benchmark).
    assert time.monotonic() - started < 20


# TLS with a private certificate authority ----------------------------------------------------

_IDENTITY = (
    b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
    b"<GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/tls</Arn>"
    b"<UserId>AIDATLS</UserId><Account>123456789012</Account></GetCallerIdentityResult>"
    b"<ResponseMetadata><RequestId>tls-1</RequestId></ResponseMetadata>"
    b"</GetCallerIdentityResponse>"
)


class _Identity(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(_IDENTITY)))
        self.end_headers()
        self.wfile.write(_IDENTITY)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS STS-like server on 127.0.0.1 with a self-signed certificate (its own CA)."""
    directory = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "euca-boto test CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
            [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "ca.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Identity)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/", cert_path
    finally:
        server.shutdown()
        server.server_close()


def test_a_private_ca_bundle_verifies_the_cloud(session: Any,
                                                tls_server: tuple[str, Path]) -> None:
    url, ca = tls_server
    sts = session(euca_verify=str(ca), euca_retry_max_attempts=1).client("sts", endpoint_url=url)

    assert sts.get_caller_identity()["UserId"] == "AIDATLS"


def test_without_the_bundle_the_certificate_is_refused(session: Any,
                                                       tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    sts = session(euca_retry_max_attempts=1).client("sts", endpoint_url=url)

    with pytest.raises(SSLError, match="CERTIFICATE_VERIFY_FAILED"):
        sts.get_caller_identity()


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_false_turns_verification_off(session: Any,
                                             tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    sts = session(euca_verify="false", euca_retry_max_attempts=1).client("sts", endpoint_url=url)

    assert sts.get_caller_identity()["Account"] == "123456789012"


def test_the_callers_verify_argument_wins(session: Any, tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    sts = session(euca_verify="false", euca_retry_max_attempts=1).client(
        "sts", endpoint_url=url, verify=True)

    with pytest.raises(SSLError):
        sts.get_caller_identity()


# Bad values ----------------------------------------------------------------------------------


def test_a_bad_value_in_a_block_names_the_block(aws_files: Callable[[str], Path],
                                                session: Any) -> None:
    aws_files("ec2 =\n  euca_read_timeout = later\n")

    with pytest.raises(euca_boto.ConfigError) as caught:
        session()

    assert "profile 'localcloud', service block 'ec2'" in str(caught.value)
    assert "euca_read_timeout = 'later'" in str(caught.value)
