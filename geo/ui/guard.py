"""What stands between a hostile network and the app: unexpected errors shown without details,
requests for unlisted hosts refused, and the log where details and staff actions go.

- :func:`on_script_error` (``st.App(on_script_error=…)``): an uncaught exception in a page, a
  widget callback or a fragment is logged with its traceback and shown as one sentence in the
  page's language, never a traceback or an exception type. ``[client] showErrorDetails = "none"``
  in ``.streamlit/config.toml`` is the backstop for what the hook does not see.
- :class:`HostCheckMiddleware`: with public addresses configured (``RESILIENCE_PUBLIC_URL``),
  HTTP requests naming another ``Host`` get 400 (Streamlit checks ``server.allowedHosts`` on the
  websocket only).
- :func:`configure_logging`: the ``geo`` loggers (sign-ins, staff actions, page errors) write to
  the server's log with the time.
"""

from __future__ import annotations

import logging
import sys

import streamlit as st
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from geo.participation.hosts import allowed_hosts, host_allowed, public_urls

LOG = logging.getLogger("geo.app")


def configure_logging() -> None:
    """One handler on the ``geo`` logger (INFO and up, with the time), once per process."""
    logger = logging.getLogger("geo")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def on_script_error(exc: Exception) -> bool:
    """Log the details, show one sentence; ``True`` hides Streamlit's own error box."""
    from geo.ui.base import t  # the page's language

    LOG.error("page failed: %s: %s", type(exc).__name__, exc, exc_info=exc)
    try:
        st.error(t("app.unexpected_error"))
    except Exception:  # noqa: BLE001  the page may be unable to draw anything more
        LOG.exception("could not show the error message")
    return True


class HostCheckMiddleware:
    """400 for an HTTP request whose ``Host`` is not one of the public addresses (nothing
    configured: every host is answered, as for a laptop demo)."""

    def __init__(self, app: ASGIApp, hosts: list[str] | None = None) -> None:
        self.app = app
        self.hosts = allowed_hosts(public_urls()) if hosts is None else hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.hosts:
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if not host_allowed(host, self.hosts):
                LOG.warning("refused a request for host %r", host[:100])
                if scope["type"] == "http":
                    await PlainTextResponse("Invalid host", status_code=400)(scope, receive, send)
                else:
                    await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)
