"""Settings of the heat-refuge analysis (``[refuges.*]`` of ``data/analysis.toml``): which cool
places are refuges, the times of day and how opening is read, walking on the street graph, who
is counted, and the planning candidates. Every value is shown with the figures it produces.

The Plan Climat target (7 minutes) and the grid cell are those of ``[access]``, shared with the
straight-line analysis, so both answer against the same target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from geo.analysis.access import AccessSettings
from geo.analysis.hours import DAYS, clock_minutes
from geo.sources.quirks import NOT_COOL_GREEN_TYPES

#: Times of day, in display order; "all" ignores opening hours (today's figure).
PERIOD_NAMES = ("day", "evening", "night")
TIMES = ("all", *PERIOD_NAMES)
#: Tiers, in display order: refuge ⊂ relief; "any" is the straight-line analysis' set.
TIERS = ("refuge", "relief", "any")
SNAP_MODES = ("junction", "edge")
CANDIDATE_KINDS = ("gymnasium", "library", "oasis", "park")
WHO_CATEGORIES = ("creche", "maternelle", "elementaire", "college", "ehpad")


@dataclass(frozen=True)
class HeatwaveOpening:
    """A fenced green space opened at night by a heatwave measure, with the source that says so
    (``id``: official ``nsq_espace_vert``)."""

    id: str
    source: str
    note_fr: str = ""
    note_en: str = ""


@dataclass(frozen=True)
class TierSettings:
    """Which cool places are refuges, and how their opening by time of day is read."""

    refuge_facility_types: tuple[str, ...] = (
        "Piscine", "Baignade extérieure", "Bains-douches", "Bibliothèque", "Musée",
        "Mairie d'arrondissement", "Lieux de culte")
    refuge_green_types: tuple[str, ...] = ("Promenades ouvertes", "Bois")
    refuge_green_min_m2: float = 10_000.0
    #: green types that are not cool places (``geo.sources.quirks.NOT_COOL_GREEN_TYPES`` plus
    #: the ``[access]`` exclusions), filled in by :func:`parse`
    excluded_green_types: tuple[str, ...] = (*NOT_COOL_GREEN_TYPES,
                                             *AccessSettings().green_excluded_types)
    host_green_m: float = 15.0
    reference_day: str = "mardi"
    #: (name, start, end) in minutes after midnight; end <= start runs into the next day
    periods: tuple[tuple[str, int, int], ...] = (("day", 600, 1080), ("evening", 1080, 1320),
                                                 ("night", 1320, 360))
    min_open_minutes: int = 120
    fenced_open_evening: bool = True
    heatwave_night_green: tuple[HeatwaveOpening, ...] = ()

    def __post_init__(self) -> None:
        if self.reference_day not in DAYS:
            raise ValueError(f"reference_day must be one of {DAYS}, got {self.reference_day!r}")
        if tuple(name for name, _, _ in self.periods) != PERIOD_NAMES:
            raise ValueError(f"periods must be {PERIOD_NAMES}, in this order")
        if self.min_open_minutes < 0 or self.refuge_green_min_m2 < 0 or self.host_green_m < 0:
            raise ValueError("minimum minutes, park size and host distance cannot be negative")

    @property
    def period_bounds(self) -> dict[str, tuple[int, int]]:
        return {name: (start, end) for name, start, end in self.periods}

    @property
    def heatwave_ids(self) -> frozenset[str]:
        return frozenset(item.id for item in self.heatwave_night_green)


@dataclass(frozen=True)
class WalkSettings:
    """Walking on the street graph (or, without a graph, straight line × a detour factor)."""

    speeds_kmh: tuple[float, ...] = (4.5, 3.5)
    default_speed_kmh: float = 3.5
    snap: str = "junction"
    park_access_m: float = 30.0
    fallback_detour_factor: float = 1.5
    ratio_min_straight_m: float = 50.0

    def __post_init__(self) -> None:
        if not self.speeds_kmh or any(speed <= 0 for speed in self.speeds_kmh):
            raise ValueError("walking speeds must be positive")
        if self.default_speed_kmh not in self.speeds_kmh:
            raise ValueError(f"default_speed_kmh {self.default_speed_kmh} is not among {self.speeds_kmh}")
        if self.snap not in SNAP_MODES:
            raise ValueError(f"snap must be one of {SNAP_MODES}, got {self.snap!r}")
        if self.fallback_detour_factor < 1 or self.park_access_m < 0:
            raise ValueError("the detour factor is at least 1 and the park access is not negative")


@dataclass(frozen=True)
class PlanningSettings:
    """Candidate sites of the planning panel and what could open at each time of day."""

    kinds: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("day", ("gymnasium", "library", "oasis")),
        ("evening", ("gymnasium", "library", "oasis", "park")),
        ("night", ("gymnasium", "park")))
    gymnasium_managers: tuple[str, ...] = ("Commune",)
    library_kinds: tuple[str, ...] = ("Bibliothèque médiathèque municipale ou intercommunale",)
    oasis_site_list: str = "oasis-20e"
    #: a candidate this close to a refuge already open at that time is that refuge (no gain)
    same_place_m: float = 30.0
    suggest_k: int = 5

    def __post_init__(self) -> None:
        unknown = {kind for _, kinds in self.kinds for kind in kinds} - set(CANDIDATE_KINDS)
        if unknown or {name for name, _ in self.kinds} - set(PERIOD_NAMES):
            raise ValueError(f"candidate kinds must be among {CANDIDATE_KINDS} per time of day "
                             f"{PERIOD_NAMES}, got {sorted(unknown)}")
        if self.suggest_k < 1:
            raise ValueError("suggest_k must be at least 1")

    def kinds_at(self, period: str) -> tuple[str, ...]:
        """Candidate kinds that could open at ``period`` (every kind for "all")."""
        if period == "all":
            return CANDIDATE_KINDS
        return dict(self.kinds).get(period, ())


@dataclass(frozen=True)
class RefugeSettings:
    tiers: TierSettings = field(default_factory=TierSettings)
    walk: WalkSettings = field(default_factory=WalkSettings)
    planning: PlanningSettings = field(default_factory=PlanningSettings)
    who: tuple[str, ...] = WHO_CATEGORIES

    def __post_init__(self) -> None:
        if not self.who or set(self.who) - set(WHO_CATEGORIES):
            raise ValueError(f"who must list categories among {WHO_CATEGORIES}")


def _tuple(value: object) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else value


def parse(raw: Mapping[str, object], excluded_green_types: tuple[str, ...] = ()) -> RefugeSettings:
    """:class:`RefugeSettings` from the ``[refuges]`` table of ``data/analysis.toml``.

    Raises
    ------
    TypeError, ValueError
        For an unknown key or a bad value (the caller names the file).
    """
    raw = dict(raw)
    tiers = {key: _tuple(value) for key, value in dict(raw.pop("tiers", {})).items()}
    if "periods" in tiers:
        periods = dict(tiers["periods"]) if isinstance(tiers["periods"], dict) else {}
        tiers["periods"] = tuple((name, clock_minutes(periods[name][0]), clock_minutes(periods[name][1]))
                                 for name in PERIOD_NAMES if name in periods)
    if "heatwave_night_green" in tiers:
        tiers["heatwave_night_green"] = tuple(HeatwaveOpening(**dict(item))
                                              for item in tiers["heatwave_night_green"])
    walk = {key: _tuple(value) for key, value in dict(raw.pop("walk", {})).items()}
    planning = {key: _tuple(value) for key, value in dict(raw.pop("planning", {})).items()}
    if "kinds" in planning:
        planning["kinds"] = tuple((name, tuple(kinds)) for name, kinds in dict(planning["kinds"]).items())
    who = tuple(raw.pop("who", WHO_CATEGORIES))
    if raw:
        raise ValueError(f"unknown keys in [refuges]: {sorted(raw)}")
    tiers["excluded_green_types"] = (*NOT_COOL_GREEN_TYPES, *excluded_green_types)
    return RefugeSettings(tiers=TierSettings(**tiers), walk=WalkSettings(**walk),
                          planning=PlanningSettings(**planning), who=who)
