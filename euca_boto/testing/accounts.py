"""The accounts of a LocalCloud and what Eucalyptus keeps about them beside IAM (reference §6).

Users, groups, roles and keys live in moto, one moto account per Eucalyptus account; this store
holds what moto has no notion of: account names and ids, account policies, user info and the
passwords that GetAccessToken checks.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, field

from .signing import ADMIN_ACCOUNT

# The administrator's keys are unknown to moto, which files their calls under its default
# account; the eucalyptus account uses that id so both views agree.
ADMIN_ACCOUNT_ID = "123456789012"

SYSTEM_ACCOUNT_PREFIX = "(eucalyptus)"
# The accounts the cloud's own services create for themselves at start-up (the server's
# SystemAccountProviders); they are listed with the others and cannot be deleted.
SYSTEM_ACCOUNTS = tuple(
    SYSTEM_ACCOUNT_PREFIX + name
    for name in ("aws-exec-read", "billing", "blockstorage", "cloudformation", "database",
                 "imaging", "loadbalancing", "objectstorage", "simplequeue")
)


def is_system_account(name: str) -> bool:
    return name == ADMIN_ACCOUNT or name.startswith(SYSTEM_ACCOUNT_PREFIX)


def system_account_id(name: str) -> str:
    """A system account's number: fixed per name, so every cloud and every reply agree."""
    return f"{int(hashlib.sha256(name.encode()).hexdigest(), 16) % 10**12:012d}"


def canonical_id(name: str) -> str:
    """An account's canonical id (64 hex digits), fixed per name."""
    return hashlib.sha256(f"canonical:{name}".encode()).hexdigest()


class AccountError(Exception):
    """An IAM-style failure: ``code`` and ``status`` as Euare answers them."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


@dataclass
class UserExtras:
    """What Eucalyptus keeps about a user beside IAM (GetUser ShowExtra, UpdateUser):
    whether it is enabled, and when its password expires (None: the default expiry after the
    user's creation)."""

    enabled: bool = True
    password_expires: float | None = None


@dataclass
class Account:
    """One account; hold ``lock`` while reading or changing its dictionaries."""

    name: str
    id: str
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)
    policies: dict[str, str] = field(default_factory=dict)
    user_info: dict[str, dict[str, str]] = field(default_factory=dict)
    user_extras: dict[str, UserExtras] = field(default_factory=dict)
    passwords: dict[str, str] = field(default_factory=dict)
    # Server certificates' private keys by certificate name: moto never gives them back, and
    # moving a certificate (UpdateServerCertificate) uploads it again.
    server_keys: dict[str, str] = field(default_factory=dict)
    provisioned: bool = False  # whether its admin user exists in moto


class AccountStore:
    """Accounts by name and by id. Thread safe; never calls out while holding its lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_name: dict[str, Account] = {}
        self.ensure(ADMIN_ACCOUNT, ADMIN_ACCOUNT_ID)
        for name in SYSTEM_ACCOUNTS:
            self.ensure(name, system_account_id(name))

    def ensure(self, name: str, account_id: str | None = None) -> Account:
        """The account ``name``, created (with a fresh id unless given) if it does not exist."""
        with self._lock:
            account = self._by_name.get(name)
            if account is None:
                account = Account(name, account_id or self._new_id())
                self._by_name[name] = account
            return account

    def create(self, name: str) -> Account:
        with self._lock:
            if name in self._by_name:
                raise AccountError(
                    "EntityAlreadyExists", f"Account {name} already exists", status=409
                )
            account = Account(name, self._new_id())
            self._by_name[name] = account
            return account

    def find(self, name_or_id: str) -> Account | None:
        """By name, or by 12-digit id."""
        with self._lock:
            found = self._by_name.get(name_or_id)
            if found is None:
                found = next((a for a in self._by_name.values() if a.id == name_or_id), None)
            return found

    def get(self, name_or_id: str) -> Account:
        """Like ``find``, failing with NoSuchEntity."""
        account = self.find(name_or_id)
        if account is None:
            raise AccountError("NoSuchEntity", f"Can not find account {name_or_id}", status=404)
        return account

    def remove(self, account: Account) -> None:
        with self._lock:
            self._by_name.pop(account.name, None)

    def all(self) -> list[Account]:
        with self._lock:
            return sorted(self._by_name.values(), key=lambda a: a.name)

    def name_of(self, account_id: str) -> str | None:
        with self._lock:
            return next((a.name for a in self._by_name.values() if a.id == account_id), None)

    def _new_id(self) -> str:
        taken = {a.id for a in self._by_name.values()}
        reserved = {ADMIN_ACCOUNT_ID, *(system_account_id(name) for name in SYSTEM_ACCOUNTS)}
        while True:
            candidate = f"{secrets.randbelow(10**12):012d}"
            if candidate not in taken and candidate not in reserved:
                return candidate
