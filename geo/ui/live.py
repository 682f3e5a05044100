"""The room map's proposals, served by the app: ``GET /live/<slug>.json`` (an ``st.App`` route).

It replaces the public file ``static/proposals/<slug>.json`` (pending proposals with first
names, ``Access-Control-Allow-Origin: *`` from Streamlit's static route, a guessable name, never
removed). The answer is read from the database:

- approved proposals only, never a first name, not those a facilitator took off the screen;
- the pending ones too only when the facilitator shows everything live and the request carries
  the room screen's token (``geo.participation.workshop.screen_token``);
- 404 unless the workshop is open (closed or deleted: gone at once);
- for the room's workshop, the room's step (view and layers: ``geo.ui.room.room_stage``), so
  the screens following the room move their map without a Streamlit re-run;
- no CORS header, ``Cache-Control: no-store``; each answer is kept 2 s per (workshop, mode), so
  a room of screens polling every few seconds costs one database read per 2 s.
"""

from __future__ import annotations

import hmac
import threading
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.core.errors import ResilienceError
from geo.core.i18n import t
from geo.participation.proposals import CATEGORIES
from geo.participation.workshop import LIVE_ROUTE, proposals_geojson, screen_token
from geo.ui.base import build_id
from geo.ui.room import room_stage
from geo.ui.workshop import proposal_store

CACHE_S = 2.0
#: The room's step (view, layer URLs) is kept longer: publishing the layers' files hashes them
#: (tens of ms), and a file is marked used again at least this often (pruning waits a week).
STAGE_CACHE_S = 600.0
_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
_cache: dict[tuple[str, bool, str], tuple[float, str | None]] = {}
_stages: dict[tuple, tuple[float, dict]] = {}
_lock = threading.Lock()


def live_geojson(slug: str, token: str, lang: str = "fr", now: float | None = None) -> str | None:
    """The GeoJSON the room's map draws for ``slug``, or ``None`` (no such open workshop)."""
    now = time.monotonic() if now is None else now
    store = proposal_store()
    workshop = store.workshop(slug)
    if workshop is None or not workshop.is_open:
        return None
    pending = workshop.screen == "live" and hmac.compare_digest(token, screen_token(slug))
    key = (slug, pending, lang)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and now - cached[0] < CACHE_S:
            return cached[1]
    labels = {category: t(f"proposals.category.{category}", lang) for category in CATEGORIES}
    room = store.room()
    body = proposals_geojson(store.on_screen(slug, pending=pending), labels,
                             stage(room, lang, now) if room.workshop == slug else None)
    with _lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = (now, body)
    return body


def stage(room, lang: str, now: float) -> dict:
    """``room_stage``, kept ``STAGE_CACHE_S`` per build, scenario, step and language."""
    key = (build_id(), room.scenario, room.step, lang)
    with _lock:
        cached = _stages.get(key)
    if cached is not None and now - cached[0] < STAGE_CACHE_S:
        return cached[1]
    value = room_stage(room, lang)
    with _lock:
        _stages[key] = (now, value)
    return value


async def live_proposals(request: Request) -> Response:
    slug = request.path_params["slug"]
    token = request.query_params.get("t", "")
    lang = "en" if request.query_params.get("lang") == "en" else "fr"
    try:
        body = await run_in_threadpool(live_geojson, slug, token, lang)
    except ResilienceError:  # the database is unreachable: the map keeps what it drew
        return Response(status_code=503, headers=_HEADERS)
    if body is None:
        return Response(status_code=404, headers=_HEADERS)
    return Response(body, media_type="application/geo+json", headers=_HEADERS)


def routes() -> list[Route]:
    return [Route(LIVE_ROUTE + "/{slug}.json", live_proposals, methods=["GET"])]
