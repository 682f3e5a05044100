"""Workshop scenarios as data (``data/scenarios.toml``): steps with text, layers, view, actions.

Loaded and checked at once: every step has a French and English title and text, known layer ids
(the map's ``geo.map.layers.LAYERS``), a view inside Paris and action ids that the catalogue knows
(when a catalogue is given: ``action_ids``) and figure keys that ``geo.participation.figures``
resolves from the analysis (a figure is never typed into the text). A step may name a time of day
(``period``: day, evening, night): the room's screen then shows the heat-refuge figures of that
time, computed by the analyses, and draws the layers kept per time of day at that time.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from geo.analysis.refuge_settings import PERIOD_NAMES
from geo.core.errors import ScenarioError
from geo.core.settings import ACTIONS_FILE, DATA_DIR, PARIS_BBOX
from geo.participation.figures import FIGURES
from geo.participation.proposals import HAZARDS

SCENARIOS_FILE = DATA_DIR / "scenarios.toml"


@dataclass(frozen=True)
class View:
    lat: float
    lon: float
    zoom: int


@dataclass(frozen=True)
class Step:
    id: str
    title: dict[str, str]
    text: dict[str, str]
    layers: tuple[str, ...]
    view: View
    actions: tuple[str, ...]
    #: keys of geo.participation.figures.FIGURES shown under the text, computed for the build
    figures: tuple[str, ...] = ()
    period: str = ""


@dataclass(frozen=True)
class Scenario:
    id: str
    title: dict[str, str]
    hazard: str
    steps: tuple[Step, ...]


def _bilingual(value: object, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or set(value) != {"fr", "en"} or \
            not all(isinstance(v, str) and v.strip() for v in value.values()):
        raise ScenarioError(f"{where}: needs non-empty 'fr' and 'en' texts")
    return dict(value)


def _view(value: object, where: str) -> View:
    try:
        view = View(float(value["lat"]), float(value["lon"]), int(value["zoom"]))
    except (TypeError, KeyError, ValueError):
        raise ScenarioError(f"{where}: view needs lat, lon and zoom") from None
    west, south, east, north = PARIS_BBOX
    if not (west <= view.lon <= east and south <= view.lat <= north and 11 <= view.zoom <= 18):
        raise ScenarioError(f"{where}: view {view} is not on Paris (zoom 11-18)")
    return view


def parse_scenarios(data: dict, layer_ids: Collection[str],
                    action_ids: Collection[str] | None = None) -> dict[str, Scenario]:
    """Scenarios from parsed TOML, checked (see the module docstring).

    Raises
    ------
    ScenarioError
        Naming the scenario, the step and the problem.
    """
    scenarios: dict[str, Scenario] = {}
    for scenario_id, entry in data.items():
        if not isinstance(entry, dict):
            raise ScenarioError(f"scenario '{scenario_id}': not a table")
        title = _bilingual(entry.get("title"), f"scenario '{scenario_id}' title")
        hazard = entry.get("hazard")
        if hazard not in HAZARDS:
            raise ScenarioError(f"scenario '{scenario_id}': hazard must be one of {HAZARDS}")
        raw_steps = entry.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            raise ScenarioError(f"scenario '{scenario_id}': no steps")
        steps: list[Step] = []
        for number, raw in enumerate(raw_steps, start=1):
            where = f"scenario '{scenario_id}' step {number}"
            step_id = raw.get("id")
            if not isinstance(step_id, str) or not step_id or step_id in {s.id for s in steps}:
                raise ScenarioError(f"{where}: missing or duplicate id")
            layers = tuple(raw.get("layers", ()))
            unknown = [layer for layer in layers if layer not in layer_ids]
            if unknown or not layers:
                raise ScenarioError(f"{where}: unknown or no layers {unknown}")
            actions = tuple(raw.get("actions", ()))
            if action_ids is not None:
                missing = [action for action in actions if action not in action_ids]
                if missing:
                    raise ScenarioError(f"{where}: actions not in the catalogue: {missing}")
            figures = tuple(raw.get("figures", ()))
            unknown_figures = [key for key in figures if key not in FIGURES]
            if unknown_figures:
                raise ScenarioError(f"{where}: unknown figures {unknown_figures} "
                                    f"(known: {', '.join(FIGURES)})")
            period = raw.get("period", "")
            if period not in ("", *PERIOD_NAMES):
                raise ScenarioError(f"{where}: period must be one of {PERIOD_NAMES}, got {period!r}")
            steps.append(Step(step_id, _bilingual(raw.get("title"), f"{where} title"),
                              _bilingual(raw.get("text"), f"{where} text"), layers,
                              _view(raw.get("view"), where), actions, figures, period))
        scenarios[scenario_id] = Scenario(scenario_id, title, hazard, tuple(steps))
    if not scenarios:
        raise ScenarioError("no scenario defined")
    return scenarios


def load_scenarios(layer_ids: Collection[str], action_ids: Collection[str] | None = None,
                   path: Path = SCENARIOS_FILE) -> dict[str, Scenario]:
    """The scenarios of ``data/scenarios.toml``, checked."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(f"{path.name}: {exc}") from exc
    return parse_scenarios(data, layer_ids, action_ids)


def catalogue_actions(path: Path = ACTIONS_FILE) -> dict[str, dict[str, str]]:
    """Ids and titles (``fr``/``en``) of the action catalogue's actions; empty without catalogue.

    Only the ids and titles are read here: the catalogue's own checks are ``geo.actions.catalogue``'.
    """
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path.name}: {exc}") from exc
    return {entry["id"]: {"fr": entry.get("title", entry["id"]),
                          "en": entry.get("title_en") or entry.get("title", entry["id"])}
            for entry in data.get("action", []) if isinstance(entry, dict) and "id" in entry}
