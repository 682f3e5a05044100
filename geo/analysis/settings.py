"""The analyses' settings (``data/analysis.toml``): walking speed, detour, target, grid, flood
thresholds, shelter floor area per person, distance of a station at risk, heat refuges
(``geo.analysis.refuge_settings``); every value is shown with the figures it produces.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from geo.analysis import access, refuge_settings, shelter, transport
from geo.core.errors import AnalysisError
from geo.core.settings import DATA_DIR

ANALYSIS_FILE = DATA_DIR / "analysis.toml"


@dataclass(frozen=True)
class FloodSettings:
    same_site_m: float = 60.0


@dataclass(frozen=True)
class AnalysisSettings:
    access: access.AccessSettings = field(default_factory=access.AccessSettings)
    flood: FloodSettings = field(default_factory=FloodSettings)
    shelter: shelter.ShelterSettings = field(default_factory=shelter.ShelterSettings)
    transport: transport.TransportSettings = field(default_factory=transport.TransportSettings)
    refuges: refuge_settings.RefugeSettings = field(default_factory=refuge_settings.RefugeSettings)

    def key(self) -> str:
        """Short stable hash of the settings (part of the cache key)."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def _tuples(table: dict) -> dict:
    """A settings table with its lists as tuples (the settings are frozen and hashed)."""
    return {key: tuple(value) if isinstance(value, list) else value for key, value in table.items()}


def load_settings(path: Path = ANALYSIS_FILE) -> AnalysisSettings:
    """The analysis settings of ``data/analysis.toml``.

    Raises
    ------
    AnalysisError
        When the file is unreadable or holds an unknown key or a bad value.
    """
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        acc = dict(raw.get("access", {}))
        for key in ("target_kinds", "green_excluded_types"):
            if key in acc:
                acc[key] = tuple(acc[key])
        access_settings = access.AccessSettings(**acc)
        return AnalysisSettings(access=access_settings, flood=FloodSettings(**raw.get("flood", {})),
                                shelter=shelter.ShelterSettings(**_tuples(raw.get("shelter", {}))),
                                transport=transport.TransportSettings(
                                    **_tuples(raw.get("transport", {}))),
                                refuges=refuge_settings.parse(raw.get("refuges", {}),
                                                              access_settings.green_excluded_types))
    except (OSError, tomllib.TOMLDecodeError, TypeError, ValueError) as exc:
        raise AnalysisError(f"{path.name}: {exc}") from exc
