"""HTTP sessions for requests to one fixed service: the cloud's STS, a tracker.

``requests`` reads the environment again for every request: every variable (for proxies and CA
bundles), and ``~/.netrc``, whose password for the host replaces the request's own
``Authorization`` header (a signed identity proof, a session token). These sessions read the
proxy and CA bundle settings once, for their service's URL, and never use ``~/.netrc``.
"""

from __future__ import annotations

import requests


def session_for(url: str) -> requests.Session:
    """A keep-alive session for requests to ``url``'s service."""
    session = requests.Session()
    environment = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies, session.verify = environment["proxies"], environment["verify"]
    session.trust_env = False
    return session
