"""Staff members for tests, signed in the way pages sign them in (``Authenticator.login``), with
a cheap Argon2 profile so a test does not spend 0.3 s per hash; and account settings for a
running server (``RESILIENCE_STAFF``)."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles

from geo.participation.auth import Authenticator, Staff, StaffAccount

CHEAP = PasswordHasher.from_parameters(profiles.CHEAPEST)
PASSWORD = "mot de passe de test"


def staff(name: str, *roles: str) -> Staff:
    """A signed-in staff member with these roles."""
    account = StaffAccount(name, frozenset(roles), CHEAP.hash(PASSWORD))
    return Authenticator({name: account}, hasher=CHEAP).login(name, PASSWORD, f"test-{name}")


def staff_env(accounts: dict[str, tuple[tuple[str, ...], str]]) -> str:
    """``RESILIENCE_STAFF`` for a server: name -> (roles, password), hashed with the cheap
    profile (the server verifies any Argon2id parameters the hash names)."""
    return " ".join(f"{name}:{'+'.join(roles)}:{CHEAP.hash(password)}"
                    for name, (roles, password) in accounts.items())


def open_for_the_room(store, workshop, scenario: str | None = None, step: int = 1):
    """The workshop prepared, opened and chosen for the room by a facilitator (what the
    facilitator does at the start of a session); the stored workshop."""
    from geo.participation.auth import system_staff

    facilitator = system_staff("facilitator-test")
    store.create_workshop(facilitator, workshop)
    opened = store.set_workshop_status(facilitator, workshop.slug, "open")
    store.set_room(facilitator, workshop.slug, scenario, step)
    return opened
