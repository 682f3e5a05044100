"""The app's public addresses: the hosts it answers for, and the base URL of the QR code.

``RESILIENCE_PUBLIC_URL`` (one or more http(s) addresses, comma- or space-separated) names where
phones reach the app. From it:

- ``server.allowedHosts`` (Streamlit 1.67): checked on the websocket handshake only, so an
  unlisted ``Host`` gets no session, no script run and no QR code. Set by ``geo.ui.serve``
  unless configured otherwise; the HTTP routes are checked by :func:`host_allowed` in a
  middleware (Streamlit answers any ``Host`` on plain HTTP).
- The QR code's base URL (:func:`public_base_url`): the browser's address (``st.context.url``,
  sent by the client, so forgeable by a script) is used only if its host is a configured one.

Nothing configured (a laptop demo): any ``Host`` is answered, and the QR code is made only for
a local address.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

PUBLIC_URL_ENV = "RESILIENCE_PUBLIC_URL"
#: Always allowed: the machine itself (health checks, tests, a reverse proxy on the same host).
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def public_urls(value: str | None = None) -> list[str]:
    """The configured public addresses (``RESILIENCE_PUBLIC_URL``, comma- or space-separated),
    each checked as an http(s) URL with a host.

    Raises
    ------
    ValueError
        An entry that is not an http(s) URL with a host.
    """
    value = os.environ.get(PUBLIC_URL_ENV, "") if value is None else value
    urls = [item for item in value.replace(",", " ").split() if item]
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{PUBLIC_URL_ENV}: not an http(s) address: {url!r}")
    return urls


def _hostname(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().rstrip(".")


def host_allowed(host: str | None, allowed: Sequence[str]) -> bool:
    """Whether a ``Host`` header names one of ``allowed`` (Streamlit's ``allowedHosts`` rules:
    exact names, ``*.domain`` for its subdomains, ``*``; port ignored but checked; userinfo,
    path or query refused). An empty ``allowed`` accepts everything."""
    if not allowed:
        return True
    if not host:
        return False
    try:
        parts = urlsplit(f"//{host}")
        _ = parts.port  # a port that is not a number in range raises
    except ValueError:
        return False
    if not parts.hostname or parts.username is not None or parts.path or parts.query \
            or parts.fragment:
        return False
    name = parts.hostname.lower().rstrip(".")
    for entry in allowed:
        pattern = entry.strip().lower().rstrip(".")
        if pattern == "*" or name == pattern or (pattern.startswith("*.")
                                                 and name.endswith(pattern[1:])):
            return True
    return False


def allowed_hosts(urls: Iterable[str]) -> list[str]:
    """``server.allowedHosts`` for these public URLs (plus the local names); empty when no URL
    is configured (development: Streamlit then accepts any Host, and the QR code is refused
    anything but a local address, see :func:`public_base_url`)."""
    hosts = [_hostname(url) for url in urls]
    if not hosts:
        return []
    return list(dict.fromkeys([*hosts, *LOCAL_HOSTS]))


def public_base_url(configured: Sequence[str], browser_url: str | None) -> str | None:
    """The base URL the QR code encodes.

    The browser's address (``st.context.url``: sent by the client, so forgeable by a scripted
    client) is used only when its host is one of the configured public addresses; otherwise
    the first configured address. With none configured, only a local address is accepted (a
    laptop demo). ``None``: nothing safe to encode (the page says to set
    ``RESILIENCE_PUBLIC_URL``).
    """
    if browser_url:
        host = _hostname(browser_url)
        if configured and host in {_hostname(u) for u in configured}:
            return browser_url
        if not configured and host in LOCAL_HOSTS:
            return browser_url
    return configured[0] if configured else None
