"""Opening hours of the « îlots de fraîcheur – équipements et activités »: parse, never guess.

Target module: ``geo/analysis/hours.py``. Pure functions, no I/O.

The official export publishes, per facility, seven free-text day fields (``horaires_lundi`` …
``horaires_dimanche``), a validity text (``horaires_periode``) and ``statut_ouverture``. The
formats seen in the mirror (495 rows, see the notes) are:

- intervals: ``10h00 - 18h00``, ``10h - 20h``, ``9H30 - 17H``, ``11:00 - 18:00``, ``12h-19h``,
  ``10h – 18h`` (en dash), several joined by ``/``: ``07h00 - 08h30 / 11h30 - 22h00``;
- ``Fermé`` (closed that day); ``-`` (closed that day when other days have hours, nothing
  published when every day is ``-``); blank (nothing published);
- text that is not hours (``Les horaires étant susceptibles d'évoluer, merci d``) and a
  truncated list (``… / 16h30 - 19h45 / 20``): both are *unknown*, reported, never guessed.

With every day field blank, ``horaires_periode`` may say the place is always open (« Accès
libre », « En tout temps / Espace public ») or follows the hours of the green space it stands in
(« Horaires d'ouverture(s) du parc / de l'espace vert / du jardin / de l'aire de jeux »): the
caller resolves those from the host green space (fencing rule), this module only says so.

Periods of the day (settings, minutes after midnight): day 10:00-18:00, evening 18:00-22:00,
night 22:00-06:00 (the night of day *d* runs into day *d+1*). A place counts as open in a period
when it is open at least ``min_minutes`` of it (default 120: « ouvert au moins 2 h dans la
tranche »; capped at the period's length).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAY_FIELDS = tuple(f"horaires_{d}" for d in DAYS)
MINUTES_PER_DAY = 1440

#: Named periods: (start, end) in minutes after midnight; end <= start runs into the next day.
PERIODS: dict[str, tuple[int, int]] = {"day": (600, 1080), "evening": (1080, 1320), "night": (1320, 360)}


class DayStatus(StrEnum):
    OPEN = "open"          # intervals known
    CLOSED = "closed"      # « Fermé », or « - » on a day of a published week
    DASH = "dash"          # « - »: resolved by parse_week (closed, or nothing published)
    UNKNOWN = "unknown"    # blank or unparseable


class WeekKind(StrEnum):
    SCHEDULE = "schedule"            # per-day hours
    ALWAYS_OPEN = "always_open"      # « Accès libre », « En tout temps »
    FOLLOWS_GREEN = "follows_green"  # hours of the host green space
    OUT_OF_SERVICE = "out_of_service"  # statut_ouverture « Eteint »
    UNKNOWN = "unknown"


#: Why hours are unknown (codes; the UI says them in words, ``refuges.problem.<code>``).
PROBLEMS = ("not_published", "not_interval", "not_time", "ends_before_start", "every_day_dash",
            "no_hours")


@dataclass(frozen=True)
class DayHours:
    """One day field: status, open intervals (minutes, merged, sorted) and why it is unknown
    (``problem``: a code of :data:`PROBLEMS`, empty when known)."""

    raw: str
    status: DayStatus
    intervals: tuple[tuple[int, int], ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class Problem:
    """Hours that could not be read: the day (empty for the whole week), the reason code and the
    text as published (shown as it is, never guessed)."""

    day: str
    code: str
    raw: str


@dataclass(frozen=True)
class WeekHours:
    """A facility's week. ``days`` maps each of :data:`DAYS` to its :class:`DayHours`."""

    kind: WeekKind
    days: Mapping[str, DayHours] = field(default_factory=dict)
    period_text: str = ""
    problems: tuple[Problem, ...] = ()


_TIME = r"(\d{1,2})\s*[hH:]\s*(\d{2})?"
_INTERVAL = re.compile(rf"^{_TIME}\s*[-–—]\s*{_TIME}$")
_ALWAYS = ("ACCES LIBRE", "EN TOUT TEMPS")
_FOLLOWS = re.compile(r"HORAIRES D.?OUVE?R?TURES? (DU PARC|DE L.?ESPACE VERT|DU JARDIN|DE L.?AIRE DE JEUX)")


def _fold(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain.upper()).strip()


def field_text(value: object) -> str:
    """A field as text: None, NaN and pandas' NA become ''."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except TypeError:  # pd.NA refuses bool()
        return ""
    return str(value)


def _minutes(hours: str, minutes: str | None) -> int | None:
    h, m = int(hours), int(minutes or 0)
    if h > 24 or m > 59 or (h == 24 and m):
        return None
    return h * 60 + m


def _merge(intervals: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_day(text: object) -> DayHours:
    """Parse one ``horaires_<jour>`` value.

    Parameters
    ----------
    text
        The field as published (``None``/NaN/blank for nothing published).

    Returns
    -------
    DayHours
        ``OPEN`` with merged intervals; ``CLOSED`` for « Fermé »; ``DASH`` for « - »;
        ``UNKNOWN`` with ``problem`` set for blank or unparseable text. Overlapping intervals
        are merged (union, no guess); an interval ending at 00h00 ends at midnight; one ending
        before it starts is refused (it would need a guess about the next day).
    """
    raw = field_text(text)
    clean = raw.strip()
    if not clean:
        return DayHours(raw, DayStatus.UNKNOWN, problem="not_published")
    if clean == "-":
        return DayHours(raw, DayStatus.DASH)
    if _fold(clean) in ("FERME", "FERMEE"):
        return DayHours(raw, DayStatus.CLOSED)
    intervals = []
    for part in clean.split("/"):
        match = _INTERVAL.match(part.strip())
        if not match:
            return DayHours(raw, DayStatus.UNKNOWN, problem="not_interval")
        start, end = _minutes(*match.group(1, 2)), _minutes(*match.group(3, 4))
        if start is None or end is None:
            return DayHours(raw, DayStatus.UNKNOWN, problem="not_time")
        end = MINUTES_PER_DAY if end == 0 else end
        if end <= start:
            return DayHours(raw, DayStatus.UNKNOWN, problem="ends_before_start")
        intervals.append((start, end))
    return DayHours(raw, DayStatus.OPEN, _merge(intervals))


def parse_week(row: Mapping[str, object]) -> WeekHours:
    """Parse a facility's week from its official fields (missing keys count as blank).

    Rules, in order: ``statut_ouverture`` « Eteint » -> out of service; any day with hours or
    « Fermé » -> a schedule, where « - » is closed and a blank day is unknown; every day « - »
    or blank -> ``horaires_periode`` decides (always open, follows the green space) or unknown.
    """
    status = _fold(field_text(row.get("statut_ouverture")))
    period = field_text(row.get("horaires_periode")).strip()
    if status == "ETEINT":
        return WeekHours(WeekKind.OUT_OF_SERVICE, period_text=period)
    days = {d: parse_day(row.get(f)) for d, f in zip(DAYS, DAY_FIELDS, strict=True)}
    published = [h for h in days.values() if h.status in (DayStatus.OPEN, DayStatus.CLOSED)]
    problems = tuple(Problem(d, h.problem, h.raw.strip()) for d, h in days.items()
                     if h.status is DayStatus.UNKNOWN and h.raw.strip())
    if published:
        resolved = {d: (DayHours(h.raw, DayStatus.CLOSED) if h.status is DayStatus.DASH else h)
                    for d, h in days.items()}
        return WeekHours(WeekKind.SCHEDULE, resolved, period, problems)
    folded = _fold(period)
    if any(folded.startswith(a) for a in _ALWAYS):
        return WeekHours(WeekKind.ALWAYS_OPEN, period_text=period)
    if _FOLLOWS.search(folded):
        return WeekHours(WeekKind.FOLLOWS_GREEN, period_text=period)
    why = "every_day_dash" if any(h.status is DayStatus.DASH for h in days.values()) else "no_hours"
    return WeekHours(WeekKind.UNKNOWN, days, period, problems or (Problem("", why, period),))


_MONTHS = {m: i for i, m in enumerate(("JANVIER", "FEVRIER", "MARS", "AVRIL", "MAI", "JUIN", "JUILLET",
                                         "AOUT", "SEPTEMBRE", "OCTOBRE", "NOVEMBRE", "DECEMBRE"), 1)}
_NUM_DATE = r"(\d{2})/(\d{2})/(\d{2})"
_WORD_DATE = r"(\d{1,2}) ([A-Z]+)(?: (\d{4}))?"


@dataclass(frozen=True)
class Validity:
    """What ``horaires_periode`` says about when the hours apply (shown beside them, never used
    to drop a place: the export's periods are past weeks of 2023-2024).

    ``kind``: "range" (du … au …), "from" (à partir du …), "closure" (Fermeture du … au …),
    "text" (anything else, kept as published). Dates are None where the text gives no year."""

    kind: str
    start: date | None = None
    end: date | None = None


def _word_date(day: str, month: str, year: str | None, fallback: str | None) -> date | None:
    year = year or fallback
    if month not in _MONTHS or not year:
        return None
    return date(int(year), _MONTHS[month], int(day))


def parse_validity(text: object) -> Validity:
    """Parse ``horaires_periode``: « du 09/09/24 au 15/09/24 », « à partir du 01/09/24 »,
    « Du 08 juillet au 20 août 2023 », « A partir du 12 juillet 2023 », « Du 28 juillet au 22 août »
    (no year: dates None), « Fermeture du 09 au 23 août inclus »; anything else is "text"."""
    folded = _fold(field_text(text))
    if m := re.fullmatch(rf"DU {_NUM_DATE} AU {_NUM_DATE}", folded):
        d1, m1, y1, d2, m2, y2 = (int(x) for x in m.groups())
        return Validity("range", date(2000 + y1, m1, d1), date(2000 + y2, m2, d2))
    if m := re.fullmatch(rf"A PARTIR DU {_NUM_DATE}", folded):
        d1, m1, y1 = (int(x) for x in m.groups())
        return Validity("from", date(2000 + y1, m1, d1))
    if m := re.fullmatch(rf"DU {_WORD_DATE} AU {_WORD_DATE}", folded):
        d1, mo1, y1, d2, mo2, y2 = m.groups()
        return Validity("range", _word_date(d1, mo1, y1, y2), _word_date(d2, mo2, y2, None))
    if m := re.fullmatch(rf"A PARTIR DU {_WORD_DATE}", folded):
        return Validity("from", _word_date(*m.groups(), None))
    if m := re.fullmatch(r"FERMETURE DU (\d{1,2}) AU (\d{1,2}) ([A-Z]+)(?: INCLUS)?", folded):
        return Validity("closure")
    return Validity("text")


def _day_intervals(week: WeekHours, day: str) -> tuple[tuple[int, int], ...] | None:
    """Open intervals of ``day`` (None when unknown)."""
    if week.kind is WeekKind.ALWAYS_OPEN:
        return ((0, MINUTES_PER_DAY),)
    if week.kind is WeekKind.OUT_OF_SERVICE:
        return ()
    if week.kind is not WeekKind.SCHEDULE:
        return None
    hours = week.days[day]
    if hours.status is DayStatus.UNKNOWN:
        return None
    return hours.intervals if hours.status is DayStatus.OPEN else ()


def _overlap(intervals: tuple[tuple[int, int], ...], start: int, end: int) -> int:
    return sum(max(0, min(e, end) - max(s, start)) for s, e in intervals)


def open_minutes(week: WeekHours, day: str, start: int, end: int) -> int | None:
    """Minutes of the window [start, end) of ``day`` during which the place is open.

    A window with ``end <= start`` runs past midnight into the next day (« dimanche » is followed
    by « lundi »). None when a day involved is unknown or the place follows a green space.
    """
    first = _day_intervals(week, day)
    if end > start:
        return None if first is None else _overlap(first, start, end)
    second = _day_intervals(week, DAYS[(DAYS.index(day) + 1) % 7])
    if first is None or second is None:
        return None
    return _overlap(first, start, MINUTES_PER_DAY) + _overlap(second, 0, end)


def period_minutes(period: str, periods: Mapping[str, tuple[int, int]] = PERIODS) -> int:
    """Length of a named period in minutes."""
    start, end = periods[period]
    return end - start if end > start else MINUTES_PER_DAY - start + end


def open_in_period(week: WeekHours, day: str, period: str, min_minutes: int = 120,
                   periods: Mapping[str, tuple[int, int]] = PERIODS) -> bool | None:
    """Whether the place is open at least ``min_minutes`` (capped at the period's length) in the
    named period of ``day``; ``min_minutes`` = 0 means "open at any moment". None when unknown.
    """
    minutes = open_minutes(week, day, *periods[period])
    if minutes is None:
        return None
    need = min(min_minutes, period_minutes(period, periods))
    return minutes > 0 if need <= 0 else minutes >= need


def open_at(week: WeekHours, day: str, minute: int) -> bool | None:
    """Whether the place is open at ``minute`` (0-1439) of ``day`` (None when unknown)."""
    intervals = _day_intervals(week, day)
    if intervals is None:
        return None
    return any(s <= minute < e for s, e in intervals)


def clock_minutes(text: str) -> int:
    """Minutes after midnight of a setting's clock time « HH:MM » (« 24:00 » = 1440).

    Raises
    ------
    ValueError
        When the text is not a time of day.
    """
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", str(text).strip())
    minutes = _minutes(*match.groups()) if match else None
    if minutes is None:
        raise ValueError(f"not a time of day 'HH:MM': {text!r}")
    return minutes
