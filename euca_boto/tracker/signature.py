"""How a webhook receiver knows a delivery came from its tracker.

Every HTTP delivery carries ``X-Euca-Tracker-Signature: sha256=<hex>``, the HMAC-SHA256 of the
exact request body under the hook's token. A receiver recomputes it with :func:`verify` (in
constant time) and drops the request if it does not match. ``X-Euca-Tracker-Change`` carries the
change id: delivery is at-least-once, so a receiver that must act once dedupes on it.
"""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-Euca-Tracker-Signature"
CHANGE_HEADER = "X-Euca-Tracker-Change"
HOOK_HEADER = "X-Euca-Tracker-Hook"


def sign(token: str, body: bytes) -> str:
    """The value of the signature header for ``body`` under ``token``."""
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def verify(token: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` (the received signature header) is ``body`` signed with ``token``."""
    if not header:
        return False
    return hmac.compare_digest(sign(token, body), header.strip())
