"""Staff sign-in (geo.participation.auth): hashes, throttling per client, the parallel-session attack, logging."""

import logging
import threading

import pytest
from argon2 import PasswordHasher, profiles

from geo.core.errors import AuthError
from geo.participation.auth import (
    Authenticator,
    Staff,
    StaffAccount,
    Throttle,
    ThrottlePolicy,
    hash_password,
    load_accounts,
    log_action,
    system_staff,
)

CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)  # tests only


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def make(clock, **policy):
    accounts = {"claire": StaffAccount("claire", frozenset({"moderator", "facilitator"}),
                                       CHEAP.hash("bon mot de passe"))}
    return Authenticator(accounts, Throttle(ThrottlePolicy(**policy), clock), hasher=CHEAP,
                         max_concurrent=1)


def test_hash_is_salted_argon2id():
    a, b = hash_password("x"), hash_password("x")
    assert a != b and a.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_accounts_refuse_plain_passwords_and_unknown_roles():
    digest = CHEAP.hash("pw").replace("$argon2id$", "$argon2id$")
    ok = load_accounts({"staff": {"claire": {"roles": ["moderator"], "password_hash": digest}}})
    assert ok["claire"].roles == {"moderator"}
    with pytest.raises(ValueError, match="not a password"):
        load_accounts({"staff": {"x": {"roles": ["moderator"], "password_hash": "hunter2"}}})
    with pytest.raises(ValueError, match="roles"):
        load_accounts({"staff": {"x": {"roles": ["admin"], "password_hash": digest}}})
    env = {"RESILIENCE_STAFF": f"ana:facilitator+moderator:{digest}"}
    assert load_accounts(None, env)["ana"].roles == {"facilitator", "moderator"}


def test_growing_delays_then_lockout_for_that_client_only():
    clock = Clock()
    auth = make(clock, lock_after=5, lock_s=600)
    delays = []
    for attempt in range(5):
        if attempt:
            clock.now += delays[-1]
        with pytest.raises(AuthError) as err:
            auth.login("claire", "faux", "room")
        delays.append(err.value.wait_s)
        with pytest.raises(AuthError) as early:  # before the delay: refused unchecked
            auth.login("claire", "bon mot de passe", "room")
        assert early.value.reason in ("wait", "locked")
    assert delays == [1, 2, 4, 8, 600] and err.value.reason == "locked"
    assert auth.checks == 5
    with pytest.raises(AuthError, match="locked"):
        auth.login("claire", "bon mot de passe", "room")
    # the real moderator on another device is not locked out
    assert auth.login("claire", "bon mot de passe", "mairie").name == "claire"
    clock.now += 600
    assert auth.login("claire", "bon mot de passe", "room").can("moderator")


def test_parallel_sessions_from_one_client_get_one_check_per_delay():
    """The audit's attack: 100 sessions x 10 guesses at once, then the right password."""
    clock = Clock()
    auth = make(clock)
    refused = []

    def session():
        for _ in range(10):
            try:
                auth.login("claire", "devine", "attacker")
            except AuthError as exc:
                refused.append(exc.reason)

    threads = [threading.Thread(target=session) for _ in range(100)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(refused) == 1000
    assert auth.checks == 1  # the other 999 were refused without hashing
    with pytest.raises(AuthError):
        auth.login("claire", "bon mot de passe", "attacker")  # still waiting
    # over 21 s of wall time (the audit's run), at most 5 checks: t = 0, 1, 3, 7, 15
    for _ in range(21):
        clock.now += 1
        try:
            auth.login("claire", "devine", "attacker")
        except AuthError:
            pass
    assert auth.checks <= 5


def test_unknown_names_cost_a_check_and_are_logged_without_the_typed_name(caplog):
    clock = Clock()
    auth = make(clock)
    with caplog.at_level(logging.INFO, logger="geo.auth"), pytest.raises(AuthError):
        auth.login("MonMotDePasse!", "x", "abcdef0123456789")
    assert auth.checks == 1
    line = caplog.records[-1].getMessage()
    assert "user=?" in line and "MonMotDePasse" not in line and "client=abcdef01" in line
    clock.now += 5
    with caplog.at_level(logging.INFO, logger="geo.auth"):
        auth.login("claire", "bon mot de passe", "abcdef0123456789")
    assert "auth.login user=claire roles=facilitator+moderator" in caplog.records[-1].getMessage()
    assert all("bon mot de passe" not in r.getMessage() for r in caplog.records)


def test_records_expire_so_no_client_is_kept_longer_than_needed():
    clock = Clock()
    auth = make(clock, window_s=60, lock_after=3, lock_s=120)
    wait = 0
    for _ in range(3):
        clock.now += wait
        with pytest.raises(AuthError) as err:
            auth.login("claire", "faux", "k")
        wait = err.value.wait_s
    assert err.value.reason == "locked" and auth.throttle.known_keys() == 1
    clock.now += 121
    assert auth.throttle.known_keys() == 0


def test_no_accounts_means_closed():
    with pytest.raises(AuthError, match="closed"):
        Authenticator({}, hasher=CHEAP).login("a", "b", "k")


def test_staff_actions_are_logged_without_texts(caplog):
    with caplog.at_level(logging.INFO, logger="geo.auth"):
        log_action(system_staff("claire"), "approve", ids=[3, 4], workshop="atelier-1")
    assert caplog.records[-1].getMessage() == "staff.approve user=claire ids=[3, 4] workshop=atelier-1"


def test_staff_cannot_be_made_by_hand():
    with pytest.raises(AuthError):
        Staff("mallory", frozenset({"moderator"}), object())
    assert system_staff().genuine and system_staff().can("facilitator")
