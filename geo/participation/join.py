"""The light join form's logic, without any web framework (``geo.web.join`` serves it).

- What the form sends (``JoinForm``, raw strings, never trusted) and how it becomes a
  ``Submission`` for ``geo.participation.proposals.validate``: the same checks, rate limit and
  workshop rules as « Proposer ».
- Cross-site request forgery: a per-browser client cookie (random, HttpOnly, SameSite=Lax) and a
  form token that signs (HMAC-SHA256, server secret) the client, the workshop and the time it
  was issued. A forged cross-site POST has neither the cookie (SameSite) nor a token matching
  it; the browser's ``Origin``/``Sec-Fetch-Site`` headers are checked too (``same_origin``).
- The client cookie's value is the rate limit's client token: one phone, one budget, as one
  Streamlit session of « Proposer » has.
- What the workshop's evaluation form sends (``EvaluationForm``), checked by
  ``geo.participation.evaluation.validate_evaluation`` under the same cookie, token and origin
  checks.
- The rules a proposal is checked against, read from a build without Streamlit (``build_rules``,
  also what « Proposer » uses through ``geo.ui.workshop``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import geopandas as gpd

from geo.core.errors import ProposalError
from geo.core.i18n import LANGS, t
from geo.participation.proposals import PLACE_LAYERS, Rules, Submission, places, study_area

CLIENT_COOKIE = "rp_client"
#: A form token is accepted this long after the page was sent (a workshop lasts an evening).
TOKEN_MAX_AGE_S = 12 * 3600
#: Form bodies larger than this are refused before parsing (the text is at most 1 000 chars).
MAX_BODY_BYTES = 16 * 1024
_CLIENT = re.compile(r"^c[0-9a-f]{32}$")
_SUBMISSION = re.compile(r"^[0-9a-f]{32}$")
_TOKEN = re.compile(r"^(\d{1,12})\.([0-9a-f]{64})$")


def new_client() -> str:
    """A fresh client id (the cookie's value and the rate limit's client token)."""
    return "c" + secrets.token_hex(16)


def valid_client(value: str | None) -> bool:
    return bool(value) and _CLIENT.match(value) is not None


def _signature(secret: bytes, client: str, workshop: str, issued_at: int) -> str:
    message = f"join|{client}|{workshop}|{issued_at}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def form_token(secret: bytes, client: str, workshop: str, issued_at: int) -> str:
    """The anti-forgery token put in the form: ``<issued_at>.<hmac>``."""
    return f"{issued_at}.{_signature(secret, client, workshop, issued_at)}"


def check_token(secret: bytes, token: str | None, client: str | None, workshop: str, now: int,
                max_age_s: int = TOKEN_MAX_AGE_S) -> bool:
    """True when ``token`` was issued by this server for this client and workshop, not in the
    future (60 s of clock slack) and not older than ``max_age_s``. Constant-time comparison."""
    if not token or not valid_client(client):
        return False
    match = _TOKEN.match(token)
    if match is None:
        return False
    issued_at = int(match[1])
    if not (now - max_age_s <= issued_at <= now + 60):
        return False
    expected = _signature(secret, client, workshop, issued_at)
    return hmac.compare_digest(expected, match[2])


def same_origin(origin: str | None, referer: str | None, fetch_site: str | None,
                host: str | None, allowed_origins: frozenset[str] = frozenset()) -> bool:
    """Whether a POST comes from this site, by what the browser says.

    ``Sec-Fetch-Site`` (sent by current browsers) must be ``same-origin`` or ``none``; ``Origin``
    (sent with every cross-site POST) must name this host or an allowed origin (the public URL
    behind a reverse proxy); without ``Origin``, a ``Referer`` is checked the same way. A
    request with none of them (an old browser, curl) passes here: the cookie and the token
    still have to match.
    """
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    for value in (origin, referer):
        if value is None:
            continue
        if value == "null":
            return False
        parts = urlsplit(value)
        if f"{parts.scheme}://{parts.netloc}" in allowed_origins:
            return True
        return bool(host) and parts.netloc.lower() == host.lower()
    return True


@dataclass(frozen=True)
class JoinForm:
    """What the form sent, as strings (``""`` when absent). ``pin_x``/``pin_y`` are pixels of
    the pin map (hidden fields set by the page's script, or by the server after a tap without
    JavaScript); ``tap_x``/``tap_y`` are the coordinates an ``<input type=image>`` tap sends."""

    submission_id: str = ""
    token: str = ""
    category: str = ""
    text: str = ""
    place: str = ""
    pin_x: str = ""
    pin_y: str = ""
    tap_x: str = ""
    tap_y: str = ""
    first_name: str = ""
    hazard: str = ""
    role: str = ""

    @property
    def tapped(self) -> bool:
        """The form was sent by a tap on the map (no JavaScript): place the pin, store nothing."""
        return bool(self.tap_x or self.tap_y)


_FIELDS = {"submission_id": "submission_id", "token": "token", "category": "category",
           "text": "text", "place": "place", "pin_x": "pin_x", "pin_y": "pin_y",
           "map.x": "tap_x", "map.y": "tap_y", "first_name": "first_name", "hazard": "hazard",
           "role": "role"}


def parse_form(fields: Mapping[str, list[str]]) -> JoinForm:
    """A JoinForm from parsed urlencoded fields (``urllib.parse.parse_qs``); only the first
    value of each known field is kept, unknown fields are ignored. Never raises."""
    values = {attr: (fields.get(name) or [""])[0] for name, attr in _FIELDS.items()}
    return JoinForm(**values)


@dataclass(frozen=True)
class EvaluationForm:
    """What the evaluation's form sent, as strings: the answers by question id (``q_<id>``
    fields, ``""`` when left blank), the optional role, the token and the submission id."""

    submission_id: str = ""
    token: str = ""
    answers: Mapping[str, str] = field(default_factory=dict)
    role: str = ""


def parse_evaluation_form(fields: Mapping[str, list[str]],
                          question_ids: Collection[str]) -> EvaluationForm:
    """An EvaluationForm from parsed urlencoded fields: the first value of each asked question's
    field (``q_<id>``), unknown fields ignored. Never raises (the values are checked by
    ``geo.participation.evaluation.validate_evaluation``)."""
    first = {name: (values or [""])[0] for name, values in fields.items()}
    return EvaluationForm(submission_id=first.get("submission_id", ""),
                          token=first.get("token", ""),
                          answers={qid: first.get(f"q_{qid}", "") for qid in question_ids},
                          role=first.get("role", ""))


def _number(value: str) -> float | None:
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e6 else None  # no NaN/inf


def pin_pixels(form: JoinForm) -> tuple[float, float] | None:
    """The pin's pixels: the tap's when the map was tapped, else the hidden fields'."""
    x, y = (form.tap_x, form.tap_y) if form.tapped else (form.pin_x, form.pin_y)
    if not x and not y:
        return None
    px, py = _number(x), _number(y)
    if px is None or py is None:
        raise ProposalError("invalid", "location")
    return px, py


def to_submission(form: JoinForm, workshop: str, client: str,
                  pin_to_lonlat: Callable[[float, float], tuple[float, float]]) -> Submission:
    """The Submission to validate: a chosen place wins over a pin (as in « Proposer »).

    ``pin_to_lonlat(x, y)`` converts the pin's pixels (``geo.map.pinmap.PinFrame.to_lonlat``);
    a pixel outside the drawing is refused as ``invalid`` ``location``.

    Raises
    ------
    ProposalError
        ``invalid`` for a malformed submission id or pin.
    """
    if not _SUBMISSION.match(form.submission_id):
        raise ProposalError("invalid", "submission_id")
    lon = lat = None
    if not form.place:
        pixels = pin_pixels(form)
        if pixels is not None:
            try:
                lon, lat = pin_to_lonlat(*pixels)
            except ValueError:
                raise ProposalError("invalid", "location") from None
    return Submission(submission_id=form.submission_id, workshop=workshop, client_token=client,
                      category=form.category, text=form.text, lon=lon, lat=lat,
                      place=form.place or None, hazard=form.hazard or None,
                      first_name=form.first_name or None, role=form.role or None)


def message(exc: ProposalError, lang: str) -> str:
    """The participant-facing message of a refused proposal, in ``lang`` (plain text: escape it
    where it is rendered). « Proposer » shows the same (``geo.ui.workshop.proposal_message``)."""
    field = t(f"proposals.field.{exc.field}", lang) if exc.field else ""
    return t(f"proposals.error.{exc.code}", lang, field=field, **exc.values)


def pick_lang(query_lang: str | None, accept_language: str | None) -> str:
    """``?lang=`` when it names a supported language, else the browser's first choice among
    French and English (``Accept-Language``), else French."""
    if query_lang in LANGS:
        return query_lang
    best, best_q = "fr", 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower()[:2]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        if code in LANGS and q > best_q:
            best, best_q = code, q
    return best


def build_rules(manifest: Mapping, layer: Callable[[str], gpd.GeoDataFrame],
                actions: Collection[str] = ()) -> Rules:
    """What a proposal is checked against, from a build: the study area (``arrondissements``),
    the places of ``PLACE_LAYERS`` the build holds, the catalogue's action ids.

    ``layer(layer_id)`` loads a built layer (``geo.sources.store.load_layer`` or a cached one).
    """
    area = study_area(manifest, layer("arrondissements"))
    available = [layer_id for layer_id in PLACE_LAYERS if layer_id in manifest["layers"]]
    return Rules(study_area=area, places=places({i: layer(i) for i in available}, area),
                 actions=tuple(actions))
