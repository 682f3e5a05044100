"""The ASGI application the server runs: Streamlit's app (``app.py`` and its pages) with the
project's own HTTP routes and middleware beside it, in one process (Streamlit 1.67's ``st.App``).

``python -m geo.serve`` starts it with uvicorn, configured exactly as ``streamlit run app.py``
would be (``.streamlit/config.toml`` beside ``app.py``, ``STREAMLIT_*`` variables, the same
flags); ``uvicorn geo.ui.asgi:app`` works too, behind a reverse proxy.

Beside Streamlit: the precompressed static files (``geo.web.static``, from the cache that
``python -m geo.web.assets`` builds) and the participants' light join page (``geo.web.join``,
``/rejoindre/<workshop>``), which opens the same proposals database as « Proposer », and the
device cookie both use for the workshop's evaluation (``geo.web.device``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import lru_cache
from urllib.parse import urlsplit

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from streamlit import config

from geo.core.errors import ResilienceError
from geo.core.settings import ROOT
from geo.map.assets import STATIC_DIR, STATIC_URL
from geo.map.publish import prune_published
from geo.participation.database import DATABASE_URL_ENV, open_store
from geo.participation.store import ProposalStore
from geo.participation.workshop import PUBLIC_URL_ENV
from geo.ui import guard, live, maintenance
from geo.ui.base import secret
from geo.ui.page_meta import HtmlLangMiddleware
from geo.ui.sheet import short_link_route
from geo.web.assets import cache_dir
from geo.web.device import DeviceCookieMiddleware
from geo.web.join import PREFIX, JoinContext, join_routes
from geo.web.join_data import current_pin_map, current_rules
from geo.web.precompress import load_manifest
from geo.web.static import PrecompressedStatic, app_static_cache_control

#: ``off`` serves every static file as Streamlit does by itself (uncompressed frontend, full
#: fonts): the "before" of ``bench/join.py``, and a switch if a proxy must do it instead.
PRECOMPRESSED_ENV = "RESILIENCE_PRECOMPRESSED"
#: Key of the join form's anti-forgery tokens (same value on every instance behind a proxy).
JOIN_SECRET_ENV = "RESILIENCE_JOIN_SECRET"


def _base_path() -> str:
    base = str(config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


@lru_cache(maxsize=1)
def join_store() -> ProposalStore:
    """The proposals database of the join routes: the one « Proposer » writes to (the same
    environment variable or secret names it, the same rate limit)."""
    return open_store(os.environ.get(DATABASE_URL_ENV) or secret("proposals", "database_url"))


def join_secret() -> bytes:
    """``RESILIENCE_JOIN_SECRET``, else Streamlit's ``server.cookieSecret`` (random per process
    unless configured: a restart then expires the forms open on phones, which say so)."""
    return (os.environ.get(JOIN_SECRET_ENV) or str(config.get_option("server.cookieSecret"))).encode()


def public_origins() -> frozenset[str]:
    """The public origin behind a reverse proxy (``RESILIENCE_PUBLIC_URL``), if set."""
    parts = urlsplit(os.environ.get(PUBLIC_URL_ENV, ""))
    return frozenset({f"{parts.scheme}://{parts.netloc}"}) if parts.scheme and parts.netloc else frozenset()


def routes() -> list[BaseRoute]:
    """HTTP routes served beside Streamlit's own (one entry per feature)."""
    join = JoinContext(store=join_store, rules=current_rules, pin_map=current_pin_map,
                       secret=join_secret(), allowed_origins=public_origins(),
                       prefix=_base_path() + PREFIX)
    return [*join_routes(join), *live.routes(), short_link_route()]


def middleware() -> list[Middleware]:
    """Middleware run before Streamlit's own, outermost first (one entry per feature)."""
    # the Host check first: a request with an unlisted Host gets nothing else
    found = [Middleware(guard.HostCheckMiddleware),
             # one anonymous id per participant's device (the evaluation: one answer each)
             Middleware(DeviceCookieMiddleware),
             # <html lang> of the page's language from the first byte (French documents come
             # precompressed with it; another language passes through to be rewritten)
             Middleware(HtmlLangMiddleware)]
    if os.environ.get(PRECOMPRESSED_ENV, "on") != "off":
        # the copies made by `python -m geo.web.assets`; without them everything passes through
        found.append(Middleware(PrecompressedStatic, manifest=load_manifest(cache_dir()),
                                sibling_roots={STATIC_URL: STATIC_DIR},
                                sibling_cache_control=app_static_cache_control(("map/",)),
                                base_url=_base_path()))
    return found


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[dict]:
    """Work done once when the server starts, off the event loop."""
    guard.configure_logging()  # here, not at import: only a serving process owns the log
    await run_in_threadpool(prune_published)  # layer files no run has used for a week
    # the join page's database and build content, ready before the first participant; a
    # missing build or database is said by the page itself when asked
    with suppress(ResilienceError):
        await run_in_threadpool(lambda: (join_store(), current_rules(), current_pin_map()))
    upkeep = asyncio.create_task(maintenance.run_daily())  # personal data, now and daily
    yield {}
    upkeep.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await upkeep


app = st.App(str(ROOT / "app.py"), routes=routes(), middleware=middleware(), lifespan=lifespan,
             on_script_error=guard.on_script_error)
