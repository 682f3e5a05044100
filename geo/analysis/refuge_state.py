"""The shareable state of the refuge pages (« Chaleur », « Refuges : planifier »): what the URL's
query parameters say, parsed, checked and written back.

Parameters: ``tier`` (refuge | relief | any), ``time`` (all | day | evening | night), ``speed``
(km/h, one of the settings' speeds, e.g. ``3.5``), ``sites`` (comma-separated fids of candidate
sites, planning page only).

Behaviour note: parsing never raises. What is unknown or malformed is dropped with a notice per
problem (for the page to show), and the rest falls back to the defaults.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from geo.analysis.refuge_settings import TIERS, TIMES

PARAMS = ("tier", "time", "speed", "sites")
MAX_SITES = 40


@dataclass(frozen=True)
class RefugeView:
    tier: str
    time: str
    speed: float
    sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Notice:
    param: str
    value: str


def _first(value: object) -> str:
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value).strip()


def parse(params: Mapping[str, object], speeds: Collection[float], default: RefugeView,
          sites: Collection[str] | None = None) -> tuple[RefugeView, list[Notice]]:
    """The view a URL asks for, and the notices about what had to be dropped.

    ``sites``: the candidate fids the page can show (``None``: no ``sites`` parameter here).
    """
    values = {key: _first(value) for key, value in params.items() if key in PARAMS}
    notices: list[Notice] = []
    tier = values.get("tier", default.tier)
    if tier not in TIERS:
        notices.append(Notice("tier", tier))
        tier = default.tier
    time = values.get("time", default.time)
    if time not in TIMES:
        notices.append(Notice("time", time))
        time = default.time
    speed = default.speed
    if "speed" in values:
        try:
            asked = float(values["speed"])
        except ValueError:
            asked = None
        match = [s for s in speeds if asked is not None and abs(s - asked) < 1e-9]
        if match:
            speed = match[0]
        else:
            notices.append(Notice("speed", values["speed"]))
    kept: list[str] = []
    if sites is not None and values.get("sites"):
        for fid in (item.strip() for item in values["sites"].split(",")):
            if not fid:
                continue
            if fid not in sites or len(kept) >= MAX_SITES:
                notices.append(Notice("sites", fid[:80]))
            elif fid not in kept:
                kept.append(fid)
    return RefugeView(tier, time, speed, tuple(kept)), notices


def to_params(view: RefugeView, with_sites: bool = False) -> dict[str, str]:
    """The query parameters that reopen ``view`` (``sites`` only when asked and not empty)."""
    params = {"tier": view.tier, "time": view.time, "speed": f"{view.speed:g}"}
    if with_sites and view.sites:
        params["sites"] = ",".join(view.sites)
    return params
