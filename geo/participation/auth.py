"""Staff sign-in: accounts with salted Argon2id hashes, failed sign-ins throttled per client.

Pure (no Streamlit): the page passes the client's key (``clientaddr.rate_key`` of its address).
Accounts come from Streamlit secrets (or ``RESILIENCE_STAFF``), never from the repository, and
hold only a hash made by ``python -m geo.participation.auth hash`` (reads the password with
``getpass``)::

    # .streamlit/secrets.toml
    [staff.claire]
    roles = ["facilitator", "moderator"]
    password_hash = "$argon2id$v=19$m=65536,t=3,p=4$..."

Roles: ``facilitator`` (prepares, opens and closes workshops, steps through the scenario, chooses
what the room's screen shows) and ``moderator`` (approves, hides, merges, erases, exports).

Throttling (found: 100 parallel websocket sessions made 1,000 guesses in 21 s):

- Counted per client key, in the process, shared by every session: a new session or a reload
  changes nothing.
- After the n-th failure within ``window_s``, the next attempt from that client is refused
  without checking the password until ``delay(n)`` has passed: 1, 2, 4, 8, 16, 30, 30... s.
  One attempt per client at a time.
- ``lock_after`` failures within ``window_s`` lock that client out for ``lock_s``.
- A success clears that client's record; records expire (no key is kept longer than needed).
- The account itself is never locked: the real moderator on another device (another address)
  signs in at once. If the server sees a whole room behind one address (a hosted app), a
  guesser in the room delays the staff of that room too (README).
- At most ``max_concurrent`` hash checks run at once (64 MiB and ~0.3 s each), so a flood of
  attempts cannot exhaust memory or CPU; an attempt finding no free slot is refused as busy.
- Unknown names cost the same check as known ones (a fixed dummy hash) and are logged as
  ``user=?`` (people type passwords into the name field).

Every outcome is logged (``geo.auth``): when (the log's time), who, from which client (the 8
first characters of its key), what; never the password.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.core.errors import AuthError

ROLES = ("facilitator", "moderator")
STAFF_ENV = "RESILIENCE_STAFF"
LOG = logging.getLogger("geo.auth")
_HASHER = PasswordHasher()  # argon2id, t=3, m=64 MiB, p=4 (RFC 9106 low-memory profile)


@dataclass(frozen=True)
class StaffAccount:
    """A configured account: name, roles and the Argon2id hash of its password."""

    name: str
    roles: frozenset[str]
    password_hash: str


class Staff:
    """A signed-in staff member: what a session keeps (never the password), and the capability
    the proposals store asks for. Only :meth:`Authenticator.login` and :func:`system_staff`
    make one."""

    __slots__ = ("name", "roles", "_key")

    def __init__(self, name: str, roles: frozenset[str], key: object) -> None:
        if key is not _KEY:
            raise AuthError("closed")
        self.name = name
        self.roles = frozenset(roles)
        self._key = key

    def can(self, role: str) -> bool:
        return role in self.roles

    @property
    def genuine(self) -> bool:
        """Made by this module (not built by hand)."""
        return getattr(self, "_key", None) is _KEY

    def __repr__(self) -> str:
        return f"Staff({self.name!r}, {'+'.join(sorted(self.roles))})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Staff) and (other.name, other.roles) == (self.name, self.roles)

    def __hash__(self) -> int:
        return hash((self.name, self.roles))


_KEY = object()


def system_staff(name: str = "system") -> Staff:
    """Every role, for the server's own jobs (the RGPD erasure of first names) and for commands
    run on the server. Pages never call it: a page's staff member signs in."""
    return Staff(name, frozenset(ROLES), _KEY)


def hash_password(password: str) -> str:
    """A salted Argon2id hash (PHC string) to paste into the secrets."""
    return _HASHER.hash(password)


def load_accounts(secrets: Mapping[str, object] | None, env: Mapping[str, str] = os.environ
                  ) -> dict[str, StaffAccount]:
    """Accounts from ``secrets["staff"]`` (name -> {roles, password_hash}) or, if absent, from
    ``RESILIENCE_STAFF`` (``name:role+role:hash`` entries separated by whitespace).

    Raises
    ------
    ValueError
        An unknown role, or a value that is not an Argon2 hash (a plain password is refused).
    """
    entries: dict[str, tuple[list[str], str]] = {}
    table = (secrets or {}).get("staff") if secrets else None
    if isinstance(table, Mapping) and table:
        for name, spec in table.items():
            if not isinstance(spec, Mapping):
                raise ValueError(f"staff.{name}: expected a table with roles and password_hash")
            entries[str(name)] = ([str(r) for r in spec.get("roles", [])],
                                  str(spec.get("password_hash", "")))
    else:
        for item in env.get(STAFF_ENV, "").split():
            name, roles, digest = item.split(":", 2)
            entries[name] = (roles.split("+"), digest)
    accounts = {}
    for name, (roles, digest) in entries.items():
        unknown = set(roles) - set(ROLES)
        if unknown or not roles:
            raise ValueError(f"staff {name}: roles must be among {ROLES}, got {roles}")
        if not digest.startswith("$argon2id$"):
            raise ValueError(f"staff {name}: password_hash must be an Argon2id hash "
                             "(python -m geo.participation.auth hash), not a password")
        accounts[name] = StaffAccount(name, frozenset(roles), digest)
    return accounts


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    next_at: float = 0.0
    locked_until: float = 0.0
    in_flight: bool = False


@dataclass(frozen=True)
class ThrottlePolicy:
    window_s: float = 900.0
    lock_after: int = 10
    lock_s: float = 900.0
    first_delay_s: float = 1.0
    max_delay_s: float = 30.0

    def delay(self, failures: int) -> float:
        """Seconds before the next attempt after ``failures`` recent failures."""
        if failures <= 0:
            return 0.0
        return min(self.first_delay_s * 2 ** (failures - 1), self.max_delay_s)


class Throttle:
    """Failed attempts per client key (thread-safe, in memory; see the module docstring)."""

    def __init__(self, policy: ThrottlePolicy = ThrottlePolicy(),
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.policy = policy
        self._clock = clock
        self._records: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def wait_s(self, key: str) -> tuple[str, float]:
        """("", 0) when ``key`` may try now, else (``wait`` or ``locked``, seconds left)."""
        with self._lock:
            return self._state(key, self._clock())

    def begin(self, key: str) -> tuple[str, float]:
        """Like :meth:`wait_s`, and when the answer is "go", marks one attempt of ``key`` in
        flight: a second one (another session of the same client) gets ``wait`` until it ends.
        Every ``begin`` that returned "go" must be followed by ``failure`` or ``success``."""
        now = self._clock()
        with self._lock:
            state = self._state(key, now)
            if not state[0]:
                self._records.setdefault(key, _Record()).in_flight = True
            return state

    def failure(self, key: str) -> int:
        """Record a failure; the number of recent failures (locks at ``lock_after``)."""
        now = self._clock()
        with self._lock:
            record = self._records.setdefault(key, _Record())
            record.in_flight = False
            record.failures = [t for t in record.failures if now - t < self.policy.window_s]
            record.failures.append(now)
            count = len(record.failures)
            record.next_at = now + self.policy.delay(count)
            if count >= self.policy.lock_after:
                record.locked_until = now + self.policy.lock_s
            return count

    def success(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)

    def abandon(self, key: str) -> None:
        """An attempt that ended without a verdict (no free hash slot): nothing recorded."""
        with self._lock:
            record = self._records.get(key)
            if record is not None:
                record.in_flight = False

    def _state(self, key: str, now: float) -> tuple[str, float]:
        self._expire(now)
        record = self._records.get(key)
        if record is None:
            return "", 0.0
        if record.locked_until > now:
            return "locked", record.locked_until - now
        if record.in_flight:
            return "wait", max(record.next_at - now, self.policy.first_delay_s)
        if record.next_at > now:
            return "wait", record.next_at - now
        return "", 0.0

    def known_keys(self) -> int:
        """How many clients are remembered (for the RGPD test: expired ones are gone)."""
        with self._lock:
            self._expire(self._clock())
            return len(self._records)

    def _expire(self, now: float) -> None:
        stale = [k for k, r in self._records.items()
                 if not r.in_flight and r.locked_until <= now and r.next_at <= now
                 and all(now - t >= self.policy.window_s for t in r.failures)]
        for key in stale:
            del self._records[key]


class Authenticator:
    """Checks staff credentials through the throttle (one per process, shared by sessions)."""

    def __init__(self, accounts: Mapping[str, StaffAccount], throttle: Throttle | None = None,
                 max_concurrent: int = 2, queue_s: float = 5.0,
                 logger: logging.Logger = LOG, hasher: PasswordHasher | None = None) -> None:
        self.accounts = dict(accounts)
        self.throttle = throttle or Throttle()
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._queue_s = queue_s
        self._log = logger
        self._hasher = hasher or _HASHER
        self._dummy = self._hasher.hash("not a password of anyone")
        #: how many hash checks ran (the tests count them)
        self.checks = 0
        self._count = threading.Lock()

    def login(self, name: str, password: str, client_key: str) -> Staff:
        """The staff member, or :class:`AuthError`. Logs every outcome (never the password).

        ``client_key``: ``clientaddr.rate_key`` of the session's address.
        """
        if not self.accounts:
            raise AuthError("closed")
        tag = client_key[:8]
        account = self.accounts.get(name)
        who = name if account else "?"
        state, wait = self.throttle.begin(client_key)
        if state:
            self._log.warning("auth.refused user=%s client=%s reason=%s wait_s=%d",
                              who, tag, state, round(wait))
            raise AuthError(state, max(1, round(wait)))
        if not self._slots.acquire(timeout=self._queue_s):
            self.throttle.abandon(client_key)
            self._log.warning("auth.busy user=%s client=%s", who, tag)
            raise AuthError("busy", 1)
        try:
            with self._count:
                self.checks += 1
            ok = _verify(self._hasher, account.password_hash if account else self._dummy, password)
        except BaseException:
            self.throttle.abandon(client_key)
            raise
        finally:
            self._slots.release()
        if ok and account is not None:
            self.throttle.success(client_key)
            self._log.info("auth.login user=%s roles=%s client=%s", account.name,
                           "+".join(sorted(account.roles)), tag)
            return Staff(account.name, account.roles, _KEY)
        failures = self.throttle.failure(client_key)
        state, wait = self.throttle.wait_s(client_key)
        self._log.warning("auth.failed user=%s client=%s failures=%d next=%s wait_s=%d",
                          who, tag, failures, state or "now", round(wait))
        raise AuthError("locked" if state == "locked" else "wrong", round(wait))


def _verify(hasher: PasswordHasher, digest: str, password: str) -> bool:
    try:
        return hasher.verify(digest, password)
    except VerifyMismatchError:
        return False
    except (VerificationError, InvalidHashError):
        LOG.error("auth: a configured password_hash is not a valid Argon2 hash")
        return False


def log_action(staff: Staff, action: str, logger: logging.Logger = LOG, **details: object) -> None:
    """One line per staff action (moderation, workshop open/close): when (the log's time),
    who, what. Details are ids and slugs, never proposal texts or first names."""
    extra = " ".join(f"{k}={v}" for k, v in sorted(details.items()))
    logger.info("staff.%s user=%s %s", action, staff.name, extra)


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.participation.auth hash``: read a password twice (never echoed, never
    stored) and print its Argon2id hash to paste into the secrets."""
    import getpass
    import sys

    if (sys.argv[1:] if argv is None else argv) != ["hash"]:
        print("usage: python -m geo.participation.auth hash", file=sys.stderr)
        return 2
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        print("error: the two entries differ", file=sys.stderr)
        return 2
    print(hash_password(first))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
