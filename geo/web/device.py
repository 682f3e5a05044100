"""The participant's device: a random cookie (``rp_device``) that lets the workshop's evaluation
take one answer per device, on the light join page and on « Proposer » alike.

:class:`DeviceCookieMiddleware` (mounted by ``geo.ui.asgi``) gives a fresh id to every HTTP
request that does not carry a valid one: the application behind it sees the id as if the browser
had sent it (so the very first page can already use it), and the response sets it:
``rp_device=d<32 hex>; Max-Age=2592000 (30 days); Path=/; HttpOnly; SameSite=Lax`` (``Secure``
when the request came over HTTPS). Thirty days cover a workshop and its follow-up session
without keeping a long-lived identifier on the phone.

The id says nothing about the person; the database keeps only a keyed hash of it
(``geo.participation.evaluation_store.device_key``). A response a shared cache may keep
(``Cache-Control: public``: fonts, content-addressed files) never carries the cookie, so a proxy
cannot hand one device's id to everybody.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEVICE_COOKIE = "rp_device"
#: How long a device keeps its id: a workshop, its evaluation and a follow-up session.
DEVICE_MAX_AGE_S = 30 * 24 * 3600
_DEVICE = re.compile(r"^d[0-9a-f]{32}$")


def new_device() -> str:
    """A fresh device id: ``d`` and 32 random hexadecimal digits."""
    return "d" + secrets.token_hex(16)


def valid_device(value: object) -> bool:
    """Whether ``value`` is a device id this server could have made (anything else is replaced)."""
    return isinstance(value, str) and _DEVICE.match(value) is not None


def device_of(cookies: Mapping[str, str]) -> str | None:
    """The request's device id, or ``None`` when it carries no valid one."""
    value = cookies.get(DEVICE_COOKIE)
    return value if valid_device(value) else None


def device_cookie(device: str, secure: bool) -> str:
    """The ``Set-Cookie`` value that gives ``device`` to the browser."""
    return (f"{DEVICE_COOKIE}={device}; Max-Age={DEVICE_MAX_AGE_S}; Path=/; HttpOnly; "
            f"SameSite=Lax{'; Secure' if secure else ''}")


class DeviceCookieMiddleware:
    """Sets ``rp_device`` on the responses to HTTP requests without a valid one (see the module
    docstring); websockets and requests that carry one pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = b"; ".join(v for k, v in scope.get("headers") or [] if k == b"cookie")
        if device_of(cookie_parser(raw.decode("latin-1"))) is not None:
            await self.app(scope, receive, send)
            return
        device = new_device()
        # the application reads the new id as a cookie of this request (the last value wins)
        cookie = (raw + b"; " if raw else b"") + f"{DEVICE_COOKIE}={device}".encode()
        headers = [(k, v) for k, v in scope.get("headers") or [] if k != b"cookie"]
        inner = {**scope, "headers": [*headers, (b"cookie", cookie)]}
        value = device_cookie(device, secure=scope.get("scheme") == "https")

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                response = MutableHeaders(scope=message)
                if "public" not in response.get("cache-control", "").lower():
                    response.append("set-cookie", value)
            await send(message)

        await self.app(inner, receive, send_with_cookie)
