"""A local, Eucalyptus-compatible cloud for tests, demos and benchmarks.

``LocalCloud`` serves the Eucalyptus admin APIs itself and relays EC2, IAM, STS and S3 to an
in-process moto server, on several endpoints with per-endpoint fault injection.
"""

from .cloud import LocalCloud
from .requestlog import RequestRecord
from .server import Endpoint

__all__ = ["Endpoint", "LocalCloud", "RequestRecord"]
