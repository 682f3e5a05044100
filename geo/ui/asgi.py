"""The ASGI application the server runs: Streamlit's app (``app.py`` and its pages) with the
project's own HTTP routes and middleware beside it, in one process (Streamlit 1.67's ``st.App``).

``python -m geo.serve`` starts it with uvicorn, configured exactly as ``streamlit run app.py``
would be (``.streamlit/config.toml`` beside ``app.py``, ``STREAMLIT_*`` variables, the same
flags); ``uvicorn geo.ui.asgi:app`` works too, behind a reverse proxy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from geo.core.settings import ROOT
from geo.map.publish import prune_published
from geo.ui.page_meta import HtmlLangMiddleware


def routes() -> list[BaseRoute]:
    """HTTP routes served beside Streamlit's own (one entry per feature)."""
    return []


def middleware() -> list[Middleware]:
    """Middleware run before Streamlit's own, outermost first (one entry per feature)."""
    return [Middleware(HtmlLangMiddleware)]  # <html lang> of the page's language from the start


@asynccontextmanager
async def lifespan(_app: st.App) -> AsyncIterator[dict]:
    """Work done once when the server starts, off the event loop."""
    await run_in_threadpool(prune_published)  # layer files no run has used for a week
    yield {}


app = st.App(str(ROOT / "app.py"), routes=routes(), middleware=middleware(), lifespan=lifespan)
