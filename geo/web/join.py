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
the only one). While the facilitator offers the workshop's evaluation, the page links to it
(``/rejoindre/<workshop>/avis``, ``geo.web.join_evaluation``). What the routes share (context,
headers, body, origin, cookie) is in ``geo.web.join_http``.

Every value shown is escaped (``geo.web.join_page``); the Content-Security-Policy allows only the
page's own nonce'd script, so even an escaping mistake would not run a participant's script.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.core.errors import ProposalError, ProposalStoreError, RateLimitError, ResilienceError
from geo.core.i18n import t
from geo.participation import join
from geo.participation.clientaddr import rate_key
from geo.participation.proposals import Workshop, new_submission_id, validate
from geo.web.join_evaluation import evaluation_routes
from geo.web.join_http import (
    PREFIX,
    SUBMISSION,
    JoinContext,
    client_of,
    html_response,
    lang_of,
    message_page,
    origin_ok,
    read_fields,
    see_other,
    set_client_cookie,
    workshop_or_error,
)
from geo.web.join_page import render_page
from geo.web.static import negotiate

__all__ = ["PREFIX", "JoinContext", "join_routes"]


def join_routes(ctx: JoinContext) -> list[Route]:
    """The routes to pass to ``st.App(routes=...)`` (none under a prefix Streamlit reserves):
    the join page, its pin map, the list of workshops and the workshop's evaluation
    (``geo.web.join_evaluation``)."""
    prefix = ctx.prefix

    def page(request: Request, lang: str, workshop: Workshop, client: str, status: int = 200,
             form: join.JoinForm | None = None, **kwargs: object) -> Response:
        nonce = secrets.token_urlsafe(12)
        token = join.form_token(ctx.secret, client, workshop.slug, int(ctx.clock()))
        # a refused or re-rendered form keeps its submission id: its retry is stored once
        submission_id = form.submission_id if form is not None and SUBMISSION.match(form.submission_id) \
            else new_submission_id()
        body = render_page(prefix=prefix, lang=lang, workshop=workshop, rules=ctx.rules(),
                           pin_map=ctx.pin_map(), token=token, submission_id=submission_id,
                           nonce=nonce, form=form, evaluation=workshop.takes_evaluations, **kwargs)
        response = html_response(body, status, nonce)
        set_client_cookie(request, response, client, prefix)
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
            return see_other(f"{prefix}/{slug}{query}")
        if not workshops:
            return message_page(lang, 200, "propose.no_workshop")
        return message_page(lang, 200, "join.choose", [(f"{prefix}/{w.slug}{query}", f"{w.name} ({w.date})")
                                                        for w in workshops])

    async def get_page(request: Request) -> Response:
        lang = lang_of(request)
        workshop, error = await workshop_or_error(ctx, request, lang)
        if workshop is None:
            return error
        client = client_of(request)
        notice = ""
        received = request.query_params.get("recu", "")
        if received.isdigit() and len(received) < 12:
            key = "propose.already" if request.query_params.get("deja") == "1" else "propose.sent"
            notice = t(key, lang, id=int(received))
        return page(request, lang, workshop, client, notice=notice)

    async def post_page(request: Request) -> Response:
        lang = lang_of(request)
        workshop, error = await workshop_or_error(ctx, request, lang, sending=True)
        if workshop is None:
            return error
        fields = await read_fields(request, lang)
        if isinstance(fields, Response):
            return fields
        form = join.parse_form(fields)
        client = request.cookies.get(join.CLIENT_COOKIE)
        same_site = origin_ok(ctx, request)
        if not same_site or not join.check_token(ctx.secret, form.token, client, workshop.slug,
                                                 int(ctx.clock())):
            fresh = client_of(request)
            # what a cross-site request sent is never shown back; a participant whose page
            # expired (same site, own cookie) keeps the text typed
            kept = form if same_site and join.valid_client(client) else None
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
        return see_other(f"{prefix}/{workshop.slug}?{urlencode(query)}")

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
            Route(prefix + "/{slug}", post_page, methods=["POST"]),
            *evaluation_routes(ctx)]

