"""Configured URLs without their credentials: for messages and logs, and for what is kept.

Apart from the redaction of whole exchanges (:mod:`euca_boto.core.redact`, which offers these
too) so that reading settings and endpoints, which every command does, does not load it.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# The password of a URL's user information: ``redis://:pw@host``, ``http://user:pw@host``.
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*):[^/\s@]*@")
URL_PASSWORD_MASK = "***"


def url_passwords(text: str) -> str:
    """``text`` with the password of every URL in it replaced by ``***`` (the user name stays:
    it says who connects). For anything printed or logged that may hold a configured URL."""
    if "@" not in text:
        return text
    return _URL_PASSWORD.sub(lambda m: f"{m.group(1)}:{URL_PASSWORD_MASK}@", text)


def without_userinfo(url: str) -> str:
    """``url`` without the user name and password it may carry (``http://user:pw@host/`` is
    ``http://host/``): for what is kept, where neither may go."""
    if "@" not in url:
        return url  # the common case, kept cheap: this runs on every call's endpoint
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
