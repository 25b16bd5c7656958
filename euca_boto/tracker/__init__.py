"""The resource-change tracker: turns periodic polling into change notifications that cannot
be lost.

It polls instances, volumes, availability zones and (for cloud administrators) Eucalyptus
services per account, records every change in a durable feed (SQLite or PostgreSQL), delivers
changes to hooks (in-process callables or signed HTTP webhooks) at least once, and serves the
feed and hook registration over an HTTP API authenticated with the callers' own cloud
credentials.
"""

from euca_boto.tracker.client import TrackerClient
from euca_boto.tracker.delivery import Deliverer
from euca_boto.tracker.engine import Tracker
from euca_boto.tracker.errors import (
    AuthenticationError,
    CursorExpired,
    InvalidRequest,
    StoreError,
    TrackerAPIError,
    TrackerError,
    UnknownResource,
)
from euca_boto.tracker.model import Change, Hook, Page
from euca_boto.tracker.service import TrackerService
from euca_boto.tracker.signature import SIGNATURE_HEADER
from euca_boto.tracker.signature import verify as verify_signature
from euca_boto.tracker.store import open_store

__all__ = [
    "SIGNATURE_HEADER",
    "AuthenticationError",
    "Change",
    "CursorExpired",
    "Deliverer",
    "Hook",
    "InvalidRequest",
    "Page",
    "StoreError",
    "Tracker",
    "TrackerAPIError",
    "TrackerClient",
    "TrackerError",
    "TrackerService",
    "UnknownResource",
    "open_store",
    "verify_signature",
]
