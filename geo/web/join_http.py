"""What the light join page's routes share (``geo.web.join`` for proposals,
``geo.web.join_evaluation`` for the workshop's evaluation): their context, the security headers
of every HTML answer, the small message pages, the workshop of the URL, the form's body, the
request's origin and the anti-forgery client cookie.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from geo.core.errors import ResilienceError
from geo.core.i18n import t
from geo.participation import join
from geo.participation.proposals import Rules, Workshop
from geo.participation.store import ProposalStore
from geo.participation.workshop import JOIN_PATH
from geo.web.join_page import PinMap, render_message

PREFIX = f"/{JOIN_PATH}"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
#: A form's submission id (``new_submission_id``): kept across a refused send.
SUBMISSION = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class JoinContext:
    """What the routes need; built by ``geo.ui.asgi`` (the store is opened at start-up).

    ``store``, ``rules`` and ``pin_map`` are callables so that the store can be opened in the
    server's lifespan and the build read once per build, not per request.
    """

    store: Callable[[], ProposalStore]
    rules: Callable[[], Rules]
    pin_map: Callable[[], PinMap]
    secret: bytes
    allowed_origins: frozenset[str] = frozenset()
    clock: Callable[[], float] = time.time
    prefix: str = PREFIX


def security_headers(nonce: str | None = None) -> dict[str, str]:
    """Headers of every HTML answer: no framing, no sniffing, no caching, scripts only with the
    response's nonce (styles may be inline: the pin drawn without JavaScript has a style
    attribute, and a style nonce would turn ``'unsafe-inline'`` off)."""
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return {"content-security-policy": ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                         f"script-src {script}; form-action 'self'; "
                                         "frame-ancestors 'none'; base-uri 'none'"),
            "x-frame-options": "DENY", "x-content-type-options": "nosniff",
            "referrer-policy": "same-origin", "cache-control": "no-store"}


def html_response(body: str, status: int = 200, nonce: str | None = None) -> Response:
    """An HTML answer with ``security_headers``."""
    return Response(body, status_code=status, media_type="text/html; charset=utf-8",
                    headers=security_headers(nonce))


def lang_of(request: Request) -> str:
    """The page's language: ``?lang=``, else the browser's, else French."""
    return join.pick_lang(request.query_params.get("lang"), request.headers.get("accept-language"))


def message_page(lang: str, status: int, key: str, links: Sequence[tuple[str, str]] = ()) -> Response:
    """A small page saying one thing (the string ``key``), with links."""
    return html_response(render_message(lang=lang, title=t("propose.title", lang), text=t(key, lang),
                                links=links), status)


async def workshop_or_error(ctx: JoinContext, request: Request, lang: str, sending: bool = False
                            ) -> tuple[Workshop | None, Response | None]:
    """The workshop of the URL, or the page to answer instead: unknown, closed, or (when the
    form is asked for, not sent) not open yet. A send to a workshop not open yet goes on to the
    store, which refuses it and the form comes back with the text kept."""
    slug = request.path_params["slug"]
    unknown = message_page(lang, 404, "join.unknown_workshop", [(ctx.prefix, t("join.all", lang))])
    if not _SLUG.match(slug):
        return None, unknown
    try:
        # the first call reads the build (a second or two): never on the event loop
        workshop = await run_in_threadpool(lambda: (ctx.rules(), ctx.pin_map(),
                                                    ctx.store().workshop(slug))[-1])
    except ResilienceError:
        return None, message_page(lang, 503, "join.unavailable")
    if workshop is None:
        return None, unknown
    if workshop.status == "closed" or (not workshop.is_open and not sending):
        key = "workshop_closed" if workshop.status == "closed" else "workshop_not_open"
        return None, message_page(lang, 200, f"proposals.error.{key}")
    return workshop, None


async def read_fields(request: Request, lang: str) -> dict[str, list[str]] | Response:
    """The urlencoded fields of a POST (``parse_qs``), or the page refusing the body."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return message_page(lang, 415, "join.bad_request")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > join.MAX_BODY_BYTES:
            return message_page(lang, 413, "join.bad_request")
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=30)
    except (UnicodeDecodeError, ValueError):
        return message_page(lang, 400, "join.bad_request")


def client_of(request: Request) -> str:
    """The browser's client id: its cookie when valid, else a new one (set with the answer)."""
    client = request.cookies.get(join.CLIENT_COOKIE)
    return client if join.valid_client(client) else join.new_client()


def origin_ok(ctx: JoinContext, request: Request) -> bool:
    """Whether the browser says the POST comes from this site (``join.same_origin``)."""
    return join.same_origin(request.headers.get("origin"), request.headers.get("referer"),
                            request.headers.get("sec-fetch-site"), request.headers.get("host"),
                            ctx.allowed_origins)


def set_client_cookie(request: Request, response: Response, client: str, prefix: str) -> None:
    """Give the browser its anti-forgery client id (``rp_client``) unless it sent this one."""
    if request.cookies.get(join.CLIENT_COOKIE) != client:
        response.set_cookie(join.CLIENT_COOKIE, client, max_age=24 * 3600, path=prefix,
                            httponly=True, samesite="lax", secure=request.url.scheme == "https")


def see_other(url: str) -> Response:
    """The redirect after a send (a reload of the page it leads to sends nothing twice)."""
    return RedirectResponse(url, status_code=303, headers={"cache-control": "no-store"})
