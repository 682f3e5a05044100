"""The workshop's evaluation on the light join page: ``GET/POST /rejoindre/<atelier>/avis``.

Offered only while the facilitator offers it (``Workshop.takes_evaluations``); the join page
links to it then. The form (``geo.web.evaluation_page``, no script) goes through the same checks
as a proposal: the anti-forgery cookie and token, the request's origin, the same rate limit
(proposals and evaluations of one address count together), then
``geo.participation.evaluation.validate_evaluation`` and ``ProposalStore.evaluate``, which takes
one answer per device (the ``rp_device`` cookie of ``geo.web.device``) and workshop. After a
send the browser is redirected to a thank-you notice, or to « already answered » when this
device had answered: nothing more is stored then.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from geo.core.errors import ProposalError, ProposalStoreError, RateLimitError, ResilienceError
from geo.core.i18n import t
from geo.participation import join
from geo.participation.clientaddr import rate_key
from geo.participation.evaluation import EvaluationSubmission, questions, validate_evaluation
from geo.participation.proposals import Workshop, new_submission_id
from geo.web.device import device_of
from geo.web.evaluation_page import render_evaluation
from geo.web.join_http import (
    SUBMISSION,
    JoinContext,
    client_of,
    html_response,
    lang_of,
    origin_ok,
    read_fields,
    see_other,
    set_client_cookie,
    workshop_or_error,
)
from geo.web.join_page import render_message

#: Refusals that mean « no evaluation here now »: said on a page without the form.
NOT_TAKEN = ("evaluation_not_open", "workshop_not_open", "workshop_closed")


def evaluation_routes(ctx: JoinContext) -> list[Route]:
    """``GET`` and ``POST`` of ``<prefix>/<workshop>/avis`` (included in ``join_routes``)."""
    prefix = ctx.prefix

    def notice(lang: str, workshop: Workshop, text: str, status: int = 200) -> Response:
        """A page saying one thing about the evaluation, with the way back to the proposals."""
        back = f"{prefix}/{workshop.slug}?{urlencode({'lang': lang})}"
        return html_response(render_message(lang=lang, title=t("evaluation.title", lang), text=text,
                                            links=[(back, t("evaluation.back", lang))]), status)

    def form_page(request: Request, lang: str, workshop: Workshop, client: str,
                  status: int = 200, form: join.EvaluationForm | None = None,
                  error: str = "") -> Response:
        token = join.form_token(ctx.secret, client, workshop.slug, int(ctx.clock()))
        # a refused form keeps its submission id: its retry is stored once
        submission_id = form.submission_id if form is not None and SUBMISSION.match(
            form.submission_id) else new_submission_id()
        body = render_evaluation(prefix=prefix, lang=lang, workshop=workshop, asked=questions(),
                                 token=token, submission_id=submission_id, form=form,
                                 error=error)
        response = html_response(body, status)
        set_client_cookie(request, response, client, prefix)
        return response

    async def get_evaluation(request: Request) -> Response:
        lang = lang_of(request)
        workshop, error = await workshop_or_error(ctx, request, lang)
        if workshop is None:
            return error
        if request.query_params.get("merci") == "1":
            return notice(lang, workshop, t("evaluation.thanks", lang))
        if request.query_params.get("deja") == "1":
            return notice(lang, workshop, t("evaluation.already", lang))
        if not workshop.takes_evaluations:
            return notice(lang, workshop, t("proposals.error.evaluation_not_open", lang))
        device = device_of(request.cookies)
        try:
            answered = device is not None and await run_in_threadpool(
                lambda: ctx.store().has_evaluated(workshop.slug, device))
            questions()
        except ResilienceError:
            return notice(lang, workshop, t("join.unavailable", lang), 503)
        if answered:
            return notice(lang, workshop, t("evaluation.already", lang))
        return form_page(request, lang, workshop, client_of(request))

    async def post_evaluation(request: Request) -> Response:
        lang = lang_of(request)
        workshop, error = await workshop_or_error(ctx, request, lang, sending=True)
        if workshop is None:
            return error
        fields = await read_fields(request, lang)
        if isinstance(fields, Response):
            return fields
        try:
            asked = questions()
        except ResilienceError:
            return notice(lang, workshop, t("join.unavailable", lang), 503)
        form = join.parse_evaluation_form(fields, [q.id for q in asked])
        client = request.cookies.get(join.CLIENT_COOKIE)
        device = device_of(request.cookies)
        same_site = origin_ok(ctx, request)
        if not same_site or device is None or not join.check_token(
                ctx.secret, form.token, client, workshop.slug, int(ctx.clock())):
            fresh = client_of(request)
            # what a cross-site request sent is never shown back
            kept = form if same_site and join.valid_client(client) else None
            return form_page(request, lang, workshop, fresh, 403, kept, t("join.forbidden", lang))
        try:
            valid = validate_evaluation(EvaluationSubmission(
                form.submission_id, workshop.slug, device, form.answers, form.role or None), asked)
            key = rate_key(request.client.host if request.client else None)
            receipt = await run_in_threadpool(lambda: ctx.store().evaluate(valid, client_key=key))
        except RateLimitError as exc:
            response = form_page(request, lang, workshop, client, 429, form,
                                 join.message(exc, lang))
            response.headers["retry-after"] = str(exc.values.get("wait_s", 60))
            return response
        except ProposalError as exc:
            if exc.code in NOT_TAKEN:
                return notice(lang, workshop, join.message(exc, lang), 409)
            return form_page(request, lang, workshop, client, 400, form, join.message(exc, lang))
        except ProposalStoreError:
            return form_page(request, lang, workshop, client, 503, form,
                             t("join.unavailable", lang))
        done = {"deja": 1} if receipt.duplicate else {"merci": 1}
        return see_other(f"{prefix}/{workshop.slug}/avis?{urlencode({'lang': lang, **done})}")

    path = prefix + "/{slug}/avis"
    return [Route(path, get_evaluation, methods=["GET", "HEAD"]),
            Route(path, post_evaluation, methods=["POST"])]
