"""The workshop's evaluation in the Streamlit pages: the form on « Proposer » (while the
facilitator offers it), the facilitator's switch on the room's panel and the moderation of its
free comments.

The participant's device is the ``rp_device`` cookie that ``geo.web.device`` gives every browser
(read through ``st.context.cookies``), the same the light join page reads: one answer per device
and workshop, whichever form it came from. Without the cookie (a test run, a proxy stripping
it), a random id kept in the session stands in for it.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from geo.core.errors import ProposalError, ResilienceError
from geo.core.text import escape_md
from geo.participation.auth import Staff
from geo.participation.evaluation import EvaluationSubmission, questions, validate_evaluation
from geo.participation.proposals import ROLES, TEXT_MAX, Workshop, new_submission_id
from geo.ui.base import lang, show_error, t
from geo.ui.workshop import client_key, proposal_message, proposal_store
from geo.web.device import device_of, new_device
from geo.web.evaluation_page import answer_label

DEVICE_KEY = "evaluation.device"
ACK_KEY = "evaluation.ack"


def this_device() -> str:
    """The browser's ``rp_device`` cookie, else an id kept for this session."""
    return device_of(st.context.cookies) or st.session_state.setdefault(DEVICE_KEY, new_device())


def evaluation_form(workshop: Workshop) -> None:
    """« Votre avis sur l'atelier »: the questions (``data/evaluation.toml``), all optional,
    sent once per device; after the send (or when this device already answered) a thank-you."""
    state = st.session_state
    page_lang = lang()
    st.header(t("evaluation.title"))
    store = proposal_store()
    device = this_device()
    try:
        asked = questions()
        answered = store.has_evaluated(workshop.slug, device)
    except ResilienceError as exc:
        show_error(exc)
        return
    if answered:
        st.success(state.get(ACK_KEY) or t("evaluation.already"))
        return
    st.caption(t("evaluation.intro", name=escape_md(workshop.name), date=workshop.date))
    answers: dict[str, str] = {}
    roles = ["", *ROLES]
    with st.form("evaluation.form"):
        for question in asked:
            key = f"evaluation.{question.id}"
            if question.kind == "comment":
                answers[question.id] = st.text_area(question.text[page_lang], key=key,
                                                    max_chars=TEXT_MAX,
                                                    help=t("evaluation.comment_hint"))
                continue
            value = st.radio(question.text[page_lang], list(question.values), index=None,
                             horizontal=True, key=key,
                             format_func=lambda v, q=question: answer_label(q, v, page_lang))
            answers[question.id] = "" if value is None else str(value)
        role = st.selectbox(t("propose.role.label"), roles, key="evaluation.role",
                            index=roles.index(state.get("propose.role", "")),
                            format_func=lambda r: t(f"proposals.role.{r or 'none'}"),
                            help=t("propose.role.help"))
        sent = st.form_submit_button(t("evaluation.send"), type="primary", width="stretch")
    if not sent:
        return
    submission = EvaluationSubmission(state.setdefault("evaluation.submission", new_submission_id()),
                                      workshop.slug, device, answers, role or None)
    try:
        receipt = store.evaluate(validate_evaluation(submission, asked), client_key=client_key())
    except ProposalError as exc:
        st.error(proposal_message(exc))
    except ResilienceError as exc:
        show_error(exc)
    else:
        state[ACK_KEY] = t("evaluation.already" if receipt.duplicate else "evaluation.thanks")
        st.rerun()


def facilitator_switch(staff: Staff, workshop: Workshop, act: Callable[[Callable[[], object]], None]
                       ) -> None:
    """« Proposer l'évaluation à la salle » / « Clore l'évaluation », and the state it is in
    (offered only while the workshop is open)."""
    offered = workshop.evaluation == "open"
    st.markdown(t("evaluation.room.state_open" if offered else "evaluation.room.state_off"))
    label = "evaluation.room.end" if offered else "evaluation.room.offer"
    st.button(t(label), key="room.evaluation", width="stretch",
              disabled=not workshop.is_open and not offered,
              on_click=act, args=(lambda: proposal_store().set_evaluation(
                  staff, workshop.slug, not offered),))


def comments_panel(staff: Staff, slug: str) -> None:
    """The evaluation's free comments of a workshop, each with « Valider » / « Masquer »: none
    is shown anywhere public before a moderator approved it."""
    st.header(t("evaluation.moderation.title"))
    st.caption(t("evaluation.moderation.help"))
    store = proposal_store()
    try:
        comments = store.evaluation_comments(staff, slug)
    except ResilienceError as exc:
        show_error(exc)
        return
    if not comments:
        st.write(t("evaluation.moderation.none"))

    def set_status(ids: list[int], status: str) -> None:
        try:
            store.set_comment_status(staff, ids, status)
        except ResilienceError as exc:
            st.session_state["moderation.message"] = ("error", escape_md(exc))
        else:
            st.session_state["moderation.message"] = ("success", t("moderation.done"))

    for number, created, comment, status in comments:
        with st.container(border=True):
            st.markdown(escape_md(comment))
            st.caption(t("evaluation.moderation.meta", id=number,
                         status=t(f"evaluation.status.{status}"),
                         created=created[:16].replace("T", " ")))
            left, right = st.columns(2)
            left.button(t("evaluation.moderation.approve"), key=f"comment.approve.{number}",
                        disabled=status == "approved", on_click=set_status,
                        args=([number], "approved"))
            right.button(t("evaluation.moderation.hide"), key=f"comment.hide.{number}",
                         disabled=status == "hidden", on_click=set_status,
                         args=([number], "hidden"))
