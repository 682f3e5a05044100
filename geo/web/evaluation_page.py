"""The light join page's evaluation form (``/rejoindre/<atelier>/avis``), filled with escaped
values: the questions of ``data/evaluation.toml`` in the page's language, radio buttons for the
scales and choices, a text area for the comment, the optional role. No script at all and a few
kilobytes: a phone on a slow network shows it at once, and it works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from geo.core.i18n import LANGS, t
from geo.participation.evaluation import Question
from geo.participation.join import EvaluationForm
from geo.participation.proposals import TEXT_MAX, Workshop
from geo.web.join_page import esc, options, role_options

STYLE = ("body{margin:0;font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;"
         "color:#1a1a1a;background:#fff}main{max-width:40rem;margin:0 auto;padding:.75rem}"
         "h1{font-size:1.45rem;margin:.2rem 0 .4rem}fieldset{border:0;padding:0;margin:1rem 0 0}"
         "legend,label.q{display:block;font-weight:600;margin:1rem 0 .3rem}"
         ".opts{display:flex;flex-wrap:wrap;gap:.4rem}"
         ".opts label{display:flex;align-items:center;gap:.35rem;min-height:44px;padding:0 .6rem;"
         "border:1px solid #595959;border-radius:.3rem}"
         "select,textarea,button{font:inherit;width:100%;box-sizing:border-box;padding:.55rem;"
         "border:1px solid #595959;border-radius:.3rem}textarea{min-height:6rem}"
         ":focus-visible{outline:3px solid #1f4e9c;outline-offset:2px}"
         "button{margin-top:1.1rem;min-height:3em;background:#c0141a;color:#fff;border:0;"
         "font-weight:700}.err{background:#fdecea;border-left:6px solid #b3261e;padding:.6rem}"
         ".hint{color:#4a4a4a;font-size:.95rem;margin:.2rem 0}a{color:#1f4e9c}"
         ".lang{float:right;margin:.3rem 0}")


def answer_label(question: Question, value: int, lang: str) -> str:
    """How an answer is offered: a choice's text, a scale's number with its ends named."""
    if question.kind == "scale" and value == 1:
        return question.low[lang]
    if question.kind == "scale" and value == question.max:
        return question.high[lang]
    return question.label(value, lang)


def _choices(question: Question, lang: str, chosen: str) -> str:
    """The radio buttons of a scale (its ends named) or of a choice, in a labelled group."""
    name = f"q_{question.id}"
    items = []
    for value in question.values:
        label = answer_label(question, value, lang)
        checked = " checked" if chosen == str(value) else ""
        items.append(f'<label><input type="radio" name="{name}" value="{value}"{checked}>'
                     f"{esc(label)}</label>")
    return (f'<fieldset><legend>{esc(question.text[lang])}</legend>'
            f'<div class="opts">{"".join(items)}</div></fieldset>')


def _comment(question: Question, lang: str, text: str) -> str:
    field = f"q_{question.id}"
    return (f'<label class="q" for="{field}">{esc(question.text[lang])}</label>'
            f'<p class="hint" id="{field}-hint">{esc(t("evaluation.comment_hint", lang))}</p>'
            f'<textarea id="{field}" name="{field}" maxlength="{TEXT_MAX}" '
            f'aria-describedby="{field}-hint">{esc(text)}</textarea>')


def render_evaluation(*, prefix: str, lang: str, workshop: Workshop, asked: Sequence[Question],
                      token: str, submission_id: str, form: EvaluationForm | None = None,
                      error: str = "") -> str:
    """The evaluation page of one workshop.

    Parameters
    ----------
    prefix
        The routes' URL prefix (``/rejoindre``).
    token, submission_id
        The anti-forgery token and the form's submission id (kept across a refused send).
    form, error
        What the participant already sent (kept after a refusal) and why it was refused (plain
        text, shown as ``role=alert``).
    """
    form = form or EvaluationForm()
    other = next(code for code in LANGS if code != lang)
    base = f"{prefix}/{workshop.slug}"
    fields = "".join(
        _comment(q, lang, form.answers.get(q.id, "")) if q.kind == "comment"
        else _choices(q, lang, form.answers.get(q.id, "")) for q in asked)
    alert = f'<p class="err" role="alert">{esc(error)}</p>' if error else ""
    title = f"{t('evaluation.title', lang)} — {workshop.name}"
    return (f'<!doctype html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<link rel="icon" href="data:,"><title>{esc(title)}</title>'
            f"<style>{STYLE}</style></head><body><main>"
            f'<a class="lang" href="{esc(base + "/avis?" + urlencode({"lang": other}))}" '
            f'hreflang="{other}" lang="{other}">{esc(t("join.other_lang", lang))}</a>'
            f'<h1>{esc(t("evaluation.title", lang))}</h1>'
            f'<p>{esc(t("evaluation.intro", lang, name=workshop.name, date=workshop.date))}</p>'
            f"{alert}"
            f'<form method="post" action="{esc(base + "/avis?" + urlencode({"lang": lang}))}" '
            'accept-charset="utf-8">'
            f'<input type="hidden" name="token" value="{esc(token)}">'
            f'<input type="hidden" name="submission_id" value="{esc(submission_id)}">'
            f"{fields}"
            f'<label class="q" for="role">{esc(t("propose.role.label", lang))}</label>'
            f'<p class="hint" id="role-hint">{esc(t("propose.role.help", lang))}</p>'
            f'<select id="role" name="role" aria-describedby="role-hint">'
            f"{options(role_options(lang), form.role)}</select>"
            f'<button type="submit">{esc(t("evaluation.send", lang))}</button></form>'
            f'<p><a href="{esc(base + "?" + urlencode({"lang": lang}))}">'
            f'{esc(t("evaluation.back", lang))}</a></p></main></body></html>')
