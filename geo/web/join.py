"""The light join page: plain Starlette routes beside Streamlit (``geo.ui.asgi`` mounts them).

``GET /rejoindre/<workshop>`` sends one HTML page (~12 KB compressed with the 420 places of the
20e) and ``/rejoindre/carte.svg`` the pin map (~3 KB): usable on a slow phone network in well
under the time Streamlit's own frontend needs to load. ``POST /rejoindre/<workshop>`` takes the
form (urlencoded), checks the anti-forgery cookie and token and the request's origin, then goes
through the same ``validate`` and ``ProposalStore.submit`` as « Proposer » (same rate limit,
same workshop rule, same idempotent submission id) and redirects to the page saying, in the
participant's language, that the proposal was received (a reload sends nothing twice).

Without JavaScript a tap on the map (an ``<input type=image>``) sends the form back with the
tap's pixels: the page returns with the pin drawn and the text kept, and « Envoyer » stores.
With JavaScript the tap only moves the pin. ``GET /rejoindre`` lists the workshops (or goes to
the only one).

Every value shown is escaped (``geo.web.join_page``); the Content-Security-Policy allows only the
page's own nonce'd script, so even an escaping mistake would not run a participant's script.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from geo.core.errors import ProposalError, ProposalStoreError, RateLimitError, ResilienceError
from geo.core.i18n import t
from geo.participation import join
from geo.participation.clientaddr import rate_key
from geo.participation.proposals import Rules, Workshop, new_submission_id, validate
from geo.participation.store import ProposalStore
from geo.participation.workshop import JOIN_PATH
from geo.web.join_page import PinMap, render_message, render_page
from geo.web.static import negotiate

PREFIX = f"/{JOIN_PATH}"
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_SUBMISSION = re.compile(r"^[0-9a-f]{32}$")


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


def _html(body: str, status: int = 200, nonce: str | None = None) -> Response:
    return Response(body, status_code=status, media_type="text/html; charset=utf-8",
                    headers=security_headers(nonce))


def join_routes(ctx: JoinContext) -> list[Route]:
    """The routes to pass to ``st.App(routes=...)`` (none under a prefix Streamlit reserves)."""
    prefix = ctx.prefix

    def lang_of(request: Request) -> str:
        return join.pick_lang(request.query_params.get("lang"), request.headers.get("accept-language"))

    def message_page(lang: str, status: int, key: str, links=()) -> Response:
        return _html(render_message(lang=lang, title=t("propose.title", lang), text=t(key, lang),
                                    links=links), status)

    async def workshop_or_error(request: Request, lang: str, sending: bool = False
                                ) -> tuple[Workshop | None, Response | None]:
        """The workshop of the URL, or the page to answer instead: unknown, closed, or (when
        the form is asked for, not sent) not open yet. A send to a workshop not open yet goes on
        to the store, which refuses it and the form comes back with the text kept."""
        slug = request.path_params["slug"]
        unknown = message_page(lang, 404, "join.unknown_workshop", [(prefix, t("join.all", lang))])
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

    def page(request: Request, lang: str, workshop: Workshop, client: str, status: int = 200,
             form: join.JoinForm | None = None, **kwargs: object) -> Response:
        nonce = secrets.token_urlsafe(12)
        token = join.form_token(ctx.secret, client, workshop.slug, int(ctx.clock()))
        # a refused or re-rendered form keeps its submission id: its retry is stored once
        submission_id = form.submission_id if form is not None and _SUBMISSION.match(form.submission_id) \
            else new_submission_id()
        body = render_page(prefix=prefix, lang=lang, workshop=workshop, rules=ctx.rules(),
                           pin_map=ctx.pin_map(), token=token, submission_id=submission_id,
                           nonce=nonce, form=form, **kwargs)
        response = _html(body, status, nonce)
        if request.cookies.get(join.CLIENT_COOKIE) != client:
            response.set_cookie(join.CLIENT_COOKIE, client, max_age=24 * 3600, path=prefix,
                                httponly=True, samesite="lax", secure=request.url.scheme == "https")
        return response

    async def list_workshops(request: Request) -> Response:
        lang = lang_of(request)
        try:
            store = ctx.store()
            room, workshops = await run_in_threadpool(lambda: (store.room(), store.workshops()))
        except ResilienceError:
            return message_page(lang, 503, "join.unavailable")
        workshops = [w for w in workshops if w.is_open]
        query = f"?{urlencode({'lang': lang})}" if lang != "fr" else ""
        chosen = [w for w in workshops if w.slug == room.workshop]  # the facilitator's choice
        if chosen or len(workshops) == 1:
            slug = (chosen or workshops)[0].slug
            return RedirectResponse(f"{prefix}/{slug}{query}", status_code=303,
                                    headers={"cache-control": "no-store"})
        if not workshops:
            return message_page(lang, 200, "propose.no_workshop")
        return message_page(lang, 200, "join.choose", [(f"{prefix}/{w.slug}{query}", f"{w.name} ({w.date})")
                                                        for w in workshops])

    async def get_page(request: Request) -> Response:
        lang = lang_of(request)
        workshop, error = await workshop_or_error(request, lang)
        if workshop is None:
            return error
        client = request.cookies.get(join.CLIENT_COOKIE)
        client = client if join.valid_client(client) else join.new_client()
        notice = ""
        received = request.query_params.get("recu", "")
        if received.isdigit() and len(received) < 12:
            key = "propose.already" if request.query_params.get("deja") == "1" else "propose.sent"
            notice = t(key, lang, id=int(received))
        return page(request, lang, workshop, client, notice=notice)

    async def read_form(request: Request, lang: str) -> join.JoinForm | Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type != "application/x-www-form-urlencoded":
            return message_page(lang, 415, "join.bad_request")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > join.MAX_BODY_BYTES:
                return message_page(lang, 413, "join.bad_request")
        try:
            fields = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=30)
        except (UnicodeDecodeError, ValueError):
            return message_page(lang, 400, "join.bad_request")
        return join.parse_form(fields)

    async def post_page(request: Request) -> Response:
        lang = lang_of(request)
        workshop, error = await workshop_or_error(request, lang, sending=True)
        if workshop is None:
            return error
        form = await read_form(request, lang)
        if isinstance(form, Response):
            return form
        client = request.cookies.get(join.CLIENT_COOKIE)
        origin_ok = join.same_origin(request.headers.get("origin"), request.headers.get("referer"),
                                     request.headers.get("sec-fetch-site"), request.headers.get("host"),
                                     ctx.allowed_origins)
        if not origin_ok or not join.check_token(ctx.secret, form.token, client, workshop.slug,
                                                 int(ctx.clock())):
            fresh = client if join.valid_client(client) else join.new_client()
            # what a cross-site request sent is never shown back; a participant whose page
            # expired (same site, own cookie) keeps the text typed
            kept = form if origin_ok and join.valid_client(client) else None
            return page(request, lang, workshop, fresh, status=403, form=kept,
                        error=t("join.forbidden", lang))
        frame = ctx.pin_map().frame
        # a tap without JavaScript places the pin and stores nothing (the implicit submit of
        # Enter in a text field "taps" at 0,0: that one is a send)
        if form.tapped and not (form.tap_x == "0" and form.tap_y == "0"):
            try:
                pixels = join.pin_pixels(form)
                frame.to_lonlat(*pixels)
            except (ProposalError, ValueError):
                return page(request, lang, workshop, client, status=400, form=form,
                            error=join.message(ProposalError("invalid", "location"), lang))
            return page(request, lang, workshop, client, form=replace(form, place=""), pin=pixels)
        form = replace(form, tap_x="", tap_y="")
        pin = None
        try:
            pin = join.pin_pixels(form)
            submission = join.to_submission(form, workshop.slug, client, frame.to_lonlat)
            # exactly what « Proposer » does: the same checks, then the store's own rules
            # the rate limit counts the sender's address (uvicorn resolves X-Forwarded-For for
            # the trusted proxies), as for « Proposer »
            key = rate_key(request.client.host if request.client else None)
            receipt = await run_in_threadpool(
                lambda: ctx.store().submit(validate(submission, ctx.rules()), client_key=key))
        except RateLimitError as exc:
            response = page(request, lang, workshop, client, status=429, form=form, pin=pin,
                            error=join.message(exc, lang))
            response.headers["retry-after"] = str(exc.values.get("wait_s", 60))
            return response
        except ProposalError as exc:
            return page(request, lang, workshop, client, status=400, form=form, pin=pin,
                        error=join.message(exc, lang))
        except ProposalStoreError:
            return page(request, lang, workshop, client, status=503, form=form, pin=pin,
                        error=t("join.unavailable", lang))
        query = {"lang": lang, "recu": receipt.proposal.id, **({"deja": 1} if receipt.duplicate else {})}
        return RedirectResponse(f"{prefix}/{workshop.slug}?{urlencode(query)}", status_code=303,
                                headers={"cache-control": "no-store"})

    async def pin_svg(request: Request) -> Response:
        try:
            pin_map = await run_in_threadpool(ctx.pin_map)
        except ResilienceError:
            return Response(status_code=503, headers={"cache-control": "no-store"})
        etag = f'"{pin_map.version}"'
        encoding = negotiate(request.headers.get("accept-encoding"), pin_map.variants)
        tag = etag if encoding is None else etag[:-1] + f'-{encoding}"'
        # versioned URL (the page links to ?v=<hash>): cached for good; otherwise revalidated
        fresh = request.query_params.get("v") == pin_map.version
        headers = {"etag": tag, "vary": "Accept-Encoding", "x-content-type-options": "nosniff",
                   "cache-control": "public, immutable, max-age=31536000" if fresh else "no-cache"}
        if encoding is not None:
            headers["content-encoding"] = encoding
        if request.headers.get("if-none-match") == tag:
            return Response(status_code=304, headers=headers)
        body = pin_map.variants[encoding] if encoding is not None else pin_map.svg
        return Response(body, media_type="image/svg+xml", headers=headers)

    return [Route(prefix, list_workshops, methods=["GET", "HEAD"]),
            Route(f"{prefix}/carte.svg", pin_svg, methods=["GET", "HEAD"]),
            Route(prefix + "/{slug}", get_page, methods=["GET", "HEAD"]),
            Route(prefix + "/{slug}", post_page, methods=["POST"])]

