"""What an HTTP status says about a request, as retries, failover and breakers read it.

Kept apart from the retry policy's context (retry/context) because a call that succeeds, nearly
every call, still needs these facts to set up failover and breakers, and nothing else of it.
"""

from __future__ import annotations

# Statuses with which a server says it did not act on the request: timed out waiting for it
# (408), refused it as too large (413), throttled it (429) or was unavailable (503). (A 413 is
# retried at all only when the server names a delay: see the retry policy.)
NOT_APPLIED_STATUSES: frozenset[int] = frozenset({408, 413, 429, 503})

# Statuses that follow the request rather than the server: the same request gets them from every
# endpoint (a request the server chokes on, a payload too large). They may be retried, but they
# say nothing about an endpoint's or a service's health: they eject no endpoint and open no
# breaker, so one poison request cannot take a healthy service away from every other caller.
REQUEST_STATUSES: frozenset[int] = frozenset({413, 500})
