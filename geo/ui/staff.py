"""Staff sign-in in the UI: the accounts of this server, one authenticator per process (so its
throttle is shared by every session), the sign-in form and the signed-in member of a session.

A session keeps the ``Staff`` it signed in as (never the password) under ``SESSION_KEY``. The
client key of the throttle is the session's address (``clientaddr.rate_key``), so a reload or a
hundred parallel sessions from one device share one record, and another device is not slowed.
"""

from __future__ import annotations

import logging
import os

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from geo.core.errors import AuthError
from geo.participation.auth import Authenticator, Staff, load_accounts
from geo.ui.base import command, t
from geo.ui.workshop import client_key

SESSION_KEY = "staff.member"
LOG = logging.getLogger("geo.auth")
#: Plain-password settings of earlier versions: refused, the page says what to do instead.
LEGACY_PASSWORD_ENV = "RESILIENCE_MODERATION_PASSWORD"


def _secrets_staff() -> dict | None:
    try:
        table = st.secrets["staff"]
    except (KeyError, FileNotFoundError, StreamlitSecretNotFoundError):
        return None
    return {"staff": {name: dict(spec) for name, spec in table.items()}}


def _legacy_password_set() -> bool:
    try:
        if st.secrets["moderation"]["password"]:
            return True
    except (KeyError, FileNotFoundError, StreamlitSecretNotFoundError):
        pass
    return bool(os.environ.get(LEGACY_PASSWORD_ENV))


@st.cache_resource(show_spinner=False, max_entries=4)
def _authenticator(config: tuple) -> Authenticator:
    accounts = load_accounts({"staff": {name: {"roles": list(roles), "password_hash": digest}
                                        for name, roles, digest in config}})
    return Authenticator(accounts)


def authenticator() -> tuple[Authenticator | None, str]:
    """(this server's authenticator, "") or (None, why sign-in is closed: ``not_configured``,
    ``plain_password`` or the configuration error)."""
    try:
        accounts = load_accounts(_secrets_staff(), os.environ)
    except ValueError as exc:
        LOG.error("staff accounts: %s", exc)
        return None, str(exc)
    if not accounts:
        return None, "plain_password" if _legacy_password_set() else "not_configured"
    config = tuple(sorted((a.name, tuple(sorted(a.roles)), a.password_hash)
                          for a in accounts.values()))
    return _authenticator(config), ""


def member(role: str | None = None) -> Staff | None:
    """The staff member this session signed in as (with ``role``, if given), else ``None``."""
    staff = st.session_state.get(SESSION_KEY)
    if not isinstance(staff, Staff) or not staff.genuine:
        return None
    return staff if role is None or staff.can(role) else None


def _sign_in(form: str) -> None:
    auth, _ = authenticator()
    name = st.session_state.get(f"{form}.name", "").strip()
    password = st.session_state.get(f"{form}.password", "")
    st.session_state[f"{form}.password"] = ""  # never kept in the session once checked
    try:
        if auth is None:
            raise AuthError("closed")
        st.session_state[SESSION_KEY] = auth.login(name, password, client_key())
    except AuthError as exc:
        st.session_state[f"{form}.error"] = t(f"staff.error.{exc.reason}", wait_s=exc.wait_s,
                                              minutes=max(1, round(exc.wait_s / 60)))


def sign_in(role: str, form: str = "staff.login") -> Staff | None:
    """The signed-in member with ``role``, else the sign-in form (or why it is closed) and
    ``None``. Where there is no account, says how to make one."""
    staff = member()
    if staff is not None:
        if staff.can(role):
            return staff
        st.warning(t("staff.no_role", name=staff.name, role=t(f"staff.role.{role}")))
        return None
    auth, problem = authenticator()
    if auth is None:
        st.warning(t("staff.plain_password" if problem == "plain_password" else
                     "staff.not_configured"))
        command('# .streamlit/secrets.toml (never in the repository)\n[staff.claire]\n'
                'roles = ["facilitator", "moderator"]\npassword_hash = "$argon2id$…"\n'
                '# the hash: python -m geo.participation.auth hash')
        return None
    with st.form(form):
        st.text_input(t("staff.name"), key=f"{form}.name", autocomplete="username")
        st.text_input(t("staff.password"), type="password", key=f"{form}.password",
                      autocomplete="current-password")
        st.form_submit_button(t("staff.login"), on_click=_sign_in, args=(form,))
    if f"{form}.error" in st.session_state:
        st.error(st.session_state.pop(f"{form}.error"))
    return None


def sign_out_button(container=st.sidebar) -> None:
    """« Se déconnecter », with who is signed in."""
    staff = member()
    if staff is None:
        return
    container.caption(t("staff.signed_in", name=staff.name, roles=", ".join(
        t(f"staff.role.{role}") for role in sorted(staff.roles))))
    if container.button(t("staff.logout"), key="staff.logout"):
        LOG.info("auth.logout user=%s", staff.name)
        del st.session_state[SESSION_KEY]
        st.rerun()
