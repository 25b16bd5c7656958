"""API sessions: a caller proves its identity once and then carries a short-lived token.

Proving an identity costs a call to the cloud's STS (:mod:`euca_boto.tracker.identity`). So a
client proves once, at ``POST /session``, and gets a token bound to its account and principal,
valid for ``ttl`` seconds (15 minutes by default); later requests carry it as
``Authorization: Bearer <token>`` and the tracker checks it locally, with no call to STS.

A token is ``ets1.<key id>.<payload>.<mac>``: the payload (base64url JSON) names the account,
the principal and the validity; the MAC is HMAC-SHA256 under a server key. Keys live in the
store, so every replica sharing it verifies the tokens of the others. A key signs tokens for one
period of ``ttl`` seconds and verifies them for one more, then it is deleted: nothing signed by
it outlives that. There is no per-token revocation: a token dies when it expires, and a client
whose token is refused proves its identity again.

Tokens are secrets: no message or log line here carries one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from euca_boto.tracker import strictjson
from euca_boto.tracker.errors import AuthenticationError
from euca_boto.tracker.identity import Caller
from euca_boto.tracker.store.base import SqlStore

SESSION_TTL = 900.0
PREFIX = "ets1"
# Replicas' clocks differ a little: a token issued "in the future" by this much is accepted.
CLOCK_SKEW = 60.0
# A token naming a key this process does not know sends it to the store at most this often.
RELOAD_EVERY = 1.0
RELOAD_WAIT = 10.0
# Tokens whose signature is remembered as verified (each one a client's, for its lifetime).
VERIFIED_CACHE = 4096
_TOKEN = re.compile(r"ets1\.([0-9a-f]{16})\.([A-Za-z0-9_-]{1,4096})\.([A-Za-z0-9_-]{43})")
_PROVE_AGAIN = "prove your identity again (POST /session; TrackerClient does this by itself)"


@dataclass(frozen=True)
class SessionKey:
    id: str
    secret: bytes
    signs_until: float
    valid_until: float

    def mac(self, text: str) -> bytes:
        return hmac.new(self.secret, text.encode(), hashlib.sha256).digest()


class Sessions:
    """Issues and verifies session tokens with the keys in ``store``."""

    def __init__(
        self, store: SqlStore, ttl: float = SESSION_TTL, clock: Callable[[], float] = time.time
    ) -> None:
        if ttl < 1:
            raise ValueError(f"session ttl must be >= 1 second, got {ttl}")
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()  # guards the cache only, never held across the store
        self._keys: dict[str, SessionKey] = {}
        self._signing: SessionKey | None = None
        self._loaded_at = float("-inf")
        self._reload: threading.Event | None = None
        # Tokens verified lately, least recently used first (only tokens that passed every
        # check: forged ones cannot fill it).
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    def issue(self, caller: Caller) -> tuple[str, float]:
        """A token for ``caller`` and the Unix time it expires."""
        now = self.clock()
        key = self._signing_key(now)
        expires = min(now + self.ttl, key.valid_until)
        payload = _b64(json.dumps({"acct": caller.account, "arn": caller.arn,
                                   "iat": round(now, 3), "exp": round(expires, 3)},
                                  separators=(",", ":")).encode())
        signed = f"{PREFIX}.{key.id}.{payload}"
        return f"{signed}.{_b64(key.mac(signed))}", expires

    def verify(self, token: str) -> Caller:
        """The caller a token was issued to; :class:`AuthenticationError` (401) when it is
        malformed, forged, signed by an unknown or retired key, or expired.

        A token verified before is found in a bounded cache, which spares the signature and
        the parsing but not the checks that depend on the time and the keys: it is refused at
        the same moment, for the same reason, as one seen for the first time."""
        now = self.clock()
        with self._lock:
            seen = self._verified.get(token)
            if seen is not None:
                self._verified.move_to_end(token)
        if seen is not None:
            key = self._key(seen.key.id, now)
            if key is not None and key.secret == seen.key.secret:
                self._check_times(seen, key, now, token)
                return seen.caller
        verified = self._verify_signature(token, now)
        self._check_times(verified, verified.key, now, token)
        with self._lock:
            self._verified[token] = verified
            if len(self._verified) > VERIFIED_CACHE:
                self._verified.popitem(last=False)
        return verified.caller

    def _verify_signature(self, token: str, now: float) -> _Verified:
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise _refused("the session token is malformed")
        key_id, payload, mac = match.groups()
        key = self._key(key_id, now)
        if key is None:
            raise _refused("the session token was signed by a key this tracker does not hold "
                           "(retired, or another tracker's)")
        if not hmac.compare_digest(_unb64(mac), key.mac(f"{PREFIX}.{key_id}.{payload}")):
            raise _refused("the session token's signature does not match")
        try:
            claims = strictjson.loads(_unb64(payload), max_depth=1)
            account, arn = claims["acct"], claims["arn"]
            issued, expires = float(claims["iat"]), float(claims["exp"])
        except (ValueError, TypeError, KeyError):
            raise _refused("the session token is malformed") from None
        if not isinstance(account, str) or not isinstance(arn, str):
            raise _refused("the session token is malformed")
        return _Verified(Caller(account, arn), key, issued, expires)

    def _check_times(self, verified: _Verified, key: SessionKey, now: float,
                     token: str) -> None:
        reason = None
        if verified.expires <= now:
            reason = "the session token has expired"
        elif verified.issued > now + CLOCK_SKEW or verified.expires > key.valid_until:
            reason = "the session token's validity is not one this tracker issues"
        if reason is not None:
            with self._lock:
                self._verified.pop(token, None)
            raise _refused(reason)

    def _signing_key(self, now: float) -> SessionKey:
        with self._lock:
            key = self._signing
        if key is not None and key.signs_until > now:
            return key
        row = self.store.signing_key(now, (secrets.token_hex(8), secrets.token_hex(32),
                                           now + self.ttl, now + 2 * self.ttl))
        key = _key(row)
        with self._lock:
            self._signing = key
            self._keys[key.id] = key
        return key

    def _key(self, key_id: str, now: float) -> SessionKey | None:
        """The key ``key_id`` if it still verifies. A key this process has not seen (another
        replica's new one) is looked up in the store, at most once per ``RELOAD_EVERY``, so a
        stream of made-up key ids cannot turn into a stream of queries; requests that arrive
        during a lookup wait for it."""
        with self._lock:
            key = self._keys.get(key_id)
            reload = self._reload
            fresh = now - self._loaded_at < RELOAD_EVERY
            mine = key is None and reload is None and not fresh
            if mine:
                reload = self._reload = threading.Event()
                self._loaded_at = now
        if mine:
            assert reload is not None
            try:
                loaded = {row[0]: _key(row) for row in self.store.session_keys(now)}
                with self._lock:
                    self._keys = {k: v for k, v in self._keys.items() if v.valid_until > now}
                    self._keys.update(loaded)
            finally:
                with self._lock:
                    self._reload = None
                reload.set()
        elif key is None and reload is not None:
            reload.wait(RELOAD_WAIT)
        if key is None:
            with self._lock:
                key = self._keys.get(key_id)
        if key is None or key.valid_until <= now:
            return None
        return key


@dataclass(frozen=True)
class _Verified:
    """A token whose signature was good under ``key``, and what it claims."""

    caller: Caller
    key: SessionKey
    issued: float
    expires: float


def _key(row: tuple[str, str, float, float]) -> SessionKey:
    return SessionKey(row[0], bytes.fromhex(row[1]), row[2], row[3])


def _refused(reason: str) -> AuthenticationError:
    return AuthenticationError(401, f"{reason}; {_PROVE_AGAIN}", code="SessionRejected")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except binascii.Error:
        raise _refused("the session token is malformed") from None
