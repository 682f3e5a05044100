"""Participants' proposals: what a proposal is, and the checks a submission must pass.

Pure Python (no database, no Streamlit): ``geo.participation.store`` stores what ``validate`` accepts,
the pages call both. Text is stored as typed (HTML included), less the bidirectional controls and invisible
characters that could change how it reads (``geo.core.text.clean_bidi``), and escaped wherever it
is rendered (``geo.core.text``); what is refused here raises ``geo.core.errors.ProposalError``
with a code the page turns into a clear message.
"""

from __future__ import annotations

import math
import re
import unicodedata
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.core.errors import ProposalError
from geo.core.text import clean_bidi

#: What a participant proposes (keys of the ``proposals.category`` UI strings).
CATEGORIES = ("cool_place", "greenery", "water", "shelter", "mutual_aid", "information", "other")
#: The hazard a proposal answers.
HAZARDS = ("heat", "flood", "all")
STATUSES = ("pending", "approved", "hidden", "merged")
#: Who a participant is in the quartier (optional, shown as counts, never next to a name): the
#: people a « Vers un quartier résilient » workshop is meant to bring together (mairie du 20e).
ROLES = ("resident", "association", "tenants", "city_services", "gup", "conseil_quartier",
         "conseil_citoyen", "shopkeeper", "other")
#: A workshop's lifecycle: only open workshops take proposals.
WORKSHOP_STATUSES = ("scheduled", "open", "closed")
#: What the room's screen shows: every proposal as it comes, or approved ones only.
SCREEN_MODES = ("live", "approved")

TEXT_MIN = 3
TEXT_MAX = 1000
FIRST_NAME_MAX = 40
WORKSHOP_NAME_MAX = 120
#: Ids chosen by the software (submission ids, client tokens, workshop slugs, action ids).
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_WORD = re.compile(r"[^\W\d_]{2,}")
# Control characters other than tab, CR and LF (PostgreSQL refuses NUL in text, and none of
# them can be typed in a form: their presence means a forged request).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: Layers whose features can be chosen as a place instead of a pin.
PLACE_LAYERS = ("mairies", "schools_maternelle", "schools_elementaire", "colleges", "libraries",
                "sports", "green_spaces", "cool_facilities", "ehpad")


@dataclass(frozen=True)
class Submission:
    """A proposal as sent by the form, not yet checked."""

    submission_id: str
    workshop: str
    client_token: str
    category: str
    text: str
    lon: float | None = None
    lat: float | None = None
    place: str | None = None
    action_id: str | None = None
    hazard: str | None = None
    first_name: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Proposal:
    """A stored proposal. ``lon``/``lat`` are always set (a place's point when one was chosen)."""

    id: int
    submission_id: str
    workshop: str
    created_at: str
    lon: float
    lat: float
    place: str | None
    category: str
    text: str
    action_id: str | None
    hazard: str | None
    first_name: str | None
    status: str
    merged_into: int | None
    #: ``ROLES`` or ``None`` (not said; every proposal of earlier versions).
    role: str | None = None


@dataclass(frozen=True)
class Workshop:
    """A workshop: its slug (in URLs), its name, its date (ISO ``YYYY-MM-DD``), where it is in
    its lifecycle (``WORKSHOP_STATUSES``), what the room's screen shows (``SCREEN_MODES``) and
    whether the evaluation is offered."""

    slug: str
    name: str
    date: str
    status: str = "scheduled"
    opened_at: str | None = None
    closed_at: str | None = None
    screen: str = "approved"
    #: ``"open"`` while the facilitator offers the evaluation to the room, else ``"off"``.
    evaluation: str = "off"

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def takes_evaluations(self) -> bool:
        """Answers to the evaluation are taken while the workshop is open and it is offered."""
        return self.status == "open" and self.evaluation == "open"


@dataclass(frozen=True)
class Room:
    """The facilitator's choice for the room: the workshop « Atelier » and « Proposer » show
    without ``?workshop=``, and the scenario step the room's screen is at."""

    workshop: str | None
    scenario: str | None = None
    step: int = 1
    updated_at: str = ""
    updated_by: str = ""


@dataclass(frozen=True)
class Place:
    """A feature of a built layer a participant can pick: fid, label and representative point."""

    fid: str
    label: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Rules:
    """What a submission is checked against: the study area and the known ids.

    ``actions`` empty means the action catalogue is not available: any well-formed id passes.
    """

    study_area: BaseGeometry
    places: Mapping[str, Place]
    actions: Collection[str] = ()


def new_submission_id() -> str:
    """A fresh id for one filled-in form: a retried send of the same form reuses it."""
    return uuid.uuid4().hex


def study_area(manifest: Mapping, arrondissements: gpd.GeoDataFrame) -> BaseGeometry:
    """The study-area polygon (lon/lat): the arrondissement whose INSEE code the build names."""
    if arrondissements.crs is None or not arrondissements.crs.equals("EPSG:4326"):
        raise ValueError("the arrondissements layer must be in EPSG:4326")
    insee = str(manifest["study_area"]["insee"])
    rows = arrondissements[arrondissements["source_id"].astype(str) == insee]
    if rows.empty:
        raise ProposalError("no_study_area", message=f"no arrondissement {insee} in the build")
    return rows.geometry.iloc[0]


def places(layers: Mapping[str, gpd.GeoDataFrame], area: BaseGeometry) -> dict[str, Place]:
    """Named features of ``PLACE_LAYERS`` inside the study area, by fid (label sorted); the
    label is the name, with the address when the layer has one. Names without a letter (inner
    codes) are left out, and a label listed twice is kept once (first fid)."""
    found: list[Place] = []
    for layer_id, frame in layers.items():
        if frame.crs is None or not frame.crs.equals("EPSG:4326"):
            raise ValueError(f"layer {layer_id} must be in EPSG:4326")
        points = frame.geometry.representative_point()
        inside = points.within(area) & frame["name"].notna() & (frame["name"].astype(str) != "")
        addresses = frame["address"] if "address" in frame else [None] * len(frame)
        for fid, name, address, point in zip(frame.loc[inside, "fid"], frame.loc[inside, "name"],
                                             pd.Series(addresses, index=frame.index)[inside],
                                             points[inside], strict=True):
            name = " ".join(str(name).split())
            if not _WORD.search(name):  # inner codes (« 28-03 », « 31-09_J ») are not names people know
                continue
            # the address tells apart places of the same name (« Jardin », « Gymnase »...)
            address = " ".join(address.split()) if isinstance(address, str) else ""
            label = f"{name} — {address}" if _WORD.search(address) else name
            found.append(Place(str(fid), label, round(point.x, 6), round(point.y, 6)))
    found.sort(key=lambda place: (place.label.casefold(), place.fid))
    # one entry per label: a sports centre listed once per equipment, a school in two layers
    unique: dict[str, Place] = {}
    for place in found:
        unique.setdefault(place.label.casefold(), place)
    return {place.fid: place for place in unique.values()}


def clean_text(value: str | None, field: str, maximum: int) -> str | None:
    """Typed text trimmed, line ends unified, bidirectional and invisible controls removed
    (``None`` when empty); ``control_chars`` or ``too_long`` for ``field`` otherwise."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ProposalError("invalid", field)
    if _CONTROL.search(value):
        raise ProposalError("control_chars", field)
    value = clean_bidi(value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(value) > maximum:
        raise ProposalError("too_long", field, maximum=maximum, length=len(value))
    return value or None


def check_id(value: object, field: str) -> str:
    """An id chosen by the software (submission, client, action), else ``invalid`` ``field``."""
    if not isinstance(value, str) or not _TOKEN.match(value):
        raise ProposalError("invalid", field)
    return value


def parse_click(value: object, decimals: int = 6) -> tuple[float, float] | None:
    """(lat, lon) of the map's ``last_clicked`` if it holds two finite numbers in range, else
    ``None``: a forged or partial value (``{"lat": "abc"}``) is ignored, never a traceback."""
    if not isinstance(value, Mapping):
        return None
    lat, lon = value.get("lat"), value.get("lng")
    if isinstance(lat, bool) or isinstance(lon, bool) \
            or not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        return None
    return round(float(lat), decimals), round(float(lon), decimals)


def validate_role(role: object) -> str | None:
    """A role of ``ROLES``, or ``None`` when none was given; anything else is ``invalid``."""
    if role is None or role == "":
        return None
    if role not in ROLES:
        raise ProposalError("invalid", "role")
    return str(role)


def role_counts(proposals: Iterable[Proposal]) -> dict[str | None, int]:
    """How many proposals came from each role, in ``ROLES`` order, then ``None`` (not said);
    a role nobody gave is left out. Counts only: never a role next to a name."""
    counts: dict[str | None, int] = {}
    for proposal in proposals:
        counts[proposal.role] = counts.get(proposal.role, 0) + 1
    order = {role: n for n, role in enumerate(ROLES)}
    return dict(sorted(counts.items(), key=lambda item: order.get(item[0], len(ROLES))))


def validate(submission: Submission, rules: Rules) -> Submission:
    """The submission cleaned (trimmed, pin resolved for a place), or a ProposalError.

    HTML and scripts are not refused: they are text, stored as typed and escaped when shown.

    Raises
    ------
    ProposalError
        ``empty_text``, ``too_long``, ``control_chars``, ``no_location``, ``outside_area``,
        ``unknown_place``, ``unknown_action``, ``invalid`` (``field`` names the field; an
        unknown role is ``invalid`` ``role``).
    """
    submission_id = check_id(submission.submission_id, "submission_id")
    client = check_id(submission.client_token, "client_token")
    if not isinstance(submission.workshop, str) or not _SLUG.match(submission.workshop):
        raise ProposalError("invalid", "workshop")
    if submission.category not in CATEGORIES:
        raise ProposalError("invalid", "category")
    text = clean_text(submission.text, "text", TEXT_MAX)
    if text is None or len(text) < TEXT_MIN:
        raise ProposalError("empty_text", "text", minimum=TEXT_MIN)
    first_name = clean_text(submission.first_name, "first_name", FIRST_NAME_MAX)
    role = validate_role(submission.role)
    hazard = submission.hazard or None
    if hazard is not None and hazard not in HAZARDS:
        raise ProposalError("invalid", "hazard")
    action_id = submission.action_id or None
    if action_id is not None:
        check_id(action_id, "action_id")
        if rules.actions and action_id not in rules.actions:
            raise ProposalError("unknown_action", "action_id")

    place_fid = submission.place or None
    if place_fid is not None:
        place = rules.places.get(place_fid)
        if place is None:
            raise ProposalError("unknown_place", "place")
        lon, lat = place.lon, place.lat
    else:
        lon, lat = submission.lon, submission.lat
        if lon is None or lat is None:
            raise ProposalError("no_location", "location")
        try:
            lon, lat = float(lon), float(lat)
        except (TypeError, ValueError):
            raise ProposalError("invalid", "location") from None
        if not rules.study_area.covers(Point(lon, lat)):
            raise ProposalError("outside_area", "location")
        lon, lat = round(lon, 6), round(lat, 6)
    return Submission(submission_id=submission_id, workshop=submission.workshop,
                      client_token=client, category=submission.category, text=text, lon=lon,
                      lat=lat, place=place_fid, action_id=action_id, hazard=hazard,
                      first_name=first_name, role=role)


def validate_workshop(slug: str, name: str, date: str) -> Workshop:
    """A workshop's slug, name and date checked (ProposalError ``invalid`` / ``too_long``)."""
    if not isinstance(slug, str) or not _SLUG.match(slug):
        raise ProposalError("invalid", "workshop")
    clean_name = clean_text(name, "workshop_name", WORKSHOP_NAME_MAX)
    if clean_name is None:
        raise ProposalError("invalid", "workshop_name")
    if not isinstance(date, str) or not _DATE.match(date):
        raise ProposalError("invalid", "workshop_date")
    return Workshop(slug, clean_name, date)


def slugify(name: str, date: str) -> str:
    """A URL slug for a workshop name and date: ``vers-un-quartier-resilient-2024-03-20``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:48].strip("-")
    return f"{words or 'atelier'}-{date}"
