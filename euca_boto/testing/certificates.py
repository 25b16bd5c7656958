"""Self-signed X.509 certificates: one per service type (DescribeServiceCertificates) and the
signing certificates IAM's CreateSigningCertificate makes with a fresh key pair.

They are made with the ``cryptography`` package (moto depends on it). Without it, every service
type shares one fixed certificate and CreateSigningCertificate is not available.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any

from euca_boto.core import process

try:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
except ImportError:  # pragma: no cover - exercised only where cryptography is missing
    x509 = None  # type: ignore[assignment]

# A self-signed P-256 certificate (CN=localcloud, valid 2026-2035), made for LocalCloud.
FIXED_PEM = """-----BEGIN CERTIFICATE-----
MIIBFzCBvaADAgECAgEBMAoGCCqGSM49BAMCMBUxEzARBgNVBAMMCmxvY2FsY2xv
dWQwHhcNMjYwMTAxMDAwMDAwWhcNMzUxMjMwMDAwMDAwWjAVMRMwEQYDVQQDDAps
b2NhbGNsb3VkMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3QdyvoAG0ekkQMZz
vWM5fh/adSSO8MnV8u8hNt1tRH2oJ58QBksZtVzUhIOXFtZqt+aPnM7omDPjXy8K
p4i3PjAKBggqhkjOPQQDAgNJADBGAiEAyvjhIZqdw4DSNWA2IBJ+MHkOhCycO+fx
jnFF5z8nXr0CIQDJaOuIwi4rnF7RexMyr4bsZjxeS6lT7Mv7zrD4rjuIKA==
-----END CERTIFICATE-----
"""

_lock = process.lock()
_service_certificates: dict[str, bytes] = {}


class CertificatesUnavailable(RuntimeError):
    """Making a key pair needs the ``cryptography`` package."""


def service_certificate(service_type: str) -> bytes:
    """The DER certificate of a service type (made on first use, then always the same)."""
    if x509 is None:
        return pem_to_der(FIXED_PEM)
    with _lock:
        # Held across key generation (CPU only, no I/O) so that concurrent callers share one.
        found = _service_certificates.get(service_type)
        if found is None:
            certificate, _ = _self_signed(f"{service_type}.localcloud", years=5)
            found = certificate.public_bytes(serialization.Encoding.DER)
            _service_certificates[service_type] = found
        return found


def signing_certificate(user: str) -> tuple[str, str]:
    """A new key pair and certificate for ``user``: (certificate PEM, private key PEM)."""
    if x509 is None:
        raise CertificatesUnavailable(
            "CreateSigningCertificate needs the 'cryptography' package in LocalCloud's "
            "environment (pip install 'euca-boto[cloud]')"
        )
    certificate, key = _self_signed(user, years=1)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    return certificate.public_bytes(serialization.Encoding.PEM).decode(), key_pem.decode()


def der_to_pem(der: bytes) -> str:
    text = base64.b64encode(der).decode()
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


def pem_to_der(pem: str) -> bytes:
    body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
    return base64.b64decode(body)


def _self_signed(common_name: str, years: int) -> tuple[Any, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .sign(key, hashes.SHA256())
    )
    return certificate, key
