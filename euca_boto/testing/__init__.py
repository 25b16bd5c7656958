"""A local, Eucalyptus-compatible cloud for tests, demos and benchmarks.

``LocalCloud`` serves the Eucalyptus admin APIs itself and relays EC2, IAM, STS and S3 to an
in-process moto server, on several endpoints with per-endpoint fault injection.
``CannedServer`` answers one fixed response on many ports, for measuring the client side.
"""

from .canned import CannedServer
from .cloud import LocalCloud
from .requestlog import RequestRecord
from .server import Endpoint

__all__ = ["CannedServer", "Endpoint", "LocalCloud", "RequestRecord"]
