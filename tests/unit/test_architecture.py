"""The house's floors: every ``geo`` package imports only its own modules and lower floors, and
only ``geo/ui/`` imports Streamlit. Read from the source with the standard library's ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parents[2] / "geo"

#: Floors, lowest first; a package may import its own modules and lower floors only (two
#: packages on one floor never import each other). Modules at the top of ``geo/`` are entry
#: points (``python -m geo.ingest``, ``python -m geo.serve``) above everything.
FLOORS = {"core": 0, "sources": 1, "map": 2, "actions": 2, "analysis": 3, "participation": 4,
          "export": 5, "web": 5, "reports": 6, "ui": 7}
ENTRY = 8
UI_ONLY = ("streamlit", "streamlit_folium")
MAX_LINES = 450


def geo_modules() -> dict[str, Path]:
    """Dotted module name → file, for every module under geo/."""
    modules = {}
    for path in sorted(GEO.rglob("*.py")):
        parts = path.relative_to(GEO.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


def imports_of(path: Path) -> list[str]:
    """Every module a file imports, wherever the import stands (top level or in a function)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            # ``from geo import x`` imports the module geo.x (or a name of geo/__init__)
            names += [f"{node.module}.{alias.name}" for alias in node.names
                      if node.module in ("geo", *(f"geo.{p}" for p in FLOORS))]
    return names


def floor(module: str) -> tuple[str, int]:
    """(package, floor) of a geo module: ``geo.map.layers`` → ("map", 2)."""
    parts = module.split(".")
    if len(parts) == 1:
        return "geo", -1  # geo/__init__.py: the version only, importable from anywhere
    if parts[1] in FLOORS:
        return parts[1], FLOORS[parts[1]]
    return parts[1], ENTRY


def violations(graph: dict[str, list[str]]) -> list[str]:
    """What breaks the rules in an import graph (module → imported modules)."""
    found = []
    for module, imported in graph.items():
        package, level = floor(module)
        for name in imported:
            top = name.split(".")[0]
            if top in UI_ONLY and package not in ("ui", "geo") and level != ENTRY:
                found.append(f"{module} imports {name}: only geo.ui may import Streamlit")
            if top != "geo" or name == "geo":
                continue
            resolved = name
            while resolved not in graph and resolved.count(".") > 1:
                resolved = resolved.rsplit(".", 1)[0]
            if resolved.count(".") == 1 and resolved not in graph and name.split(".")[1] not in FLOORS:
                continue  # a name of geo/__init__.py (the version)
            target, target_level = floor(resolved if resolved in graph else name)
            if target in ("geo", package):
                continue
            if target_level >= level:
                found.append(f"{module} (floor {level}, {package}) imports {name} "
                             f"(floor {target_level}, {target})")
    return found


def test_checker_catches_an_upward_import_a_sideways_one_and_streamlit_in_the_domain():
    graph = {"geo.core.text": ["re", "geo.core.settings"],
             "geo.sources.store": ["geo.map.layers"],
             "geo.map.layers": ["geo.actions.model"],
             "geo.analysis.access": ["streamlit"],
             "geo.ui.map": ["streamlit", "geo.map.layers", "geo.ui.base"]}
    found = violations(graph)
    assert len(found) == 3
    assert any(f.startswith("geo.sources.store") for f in found)
    assert any(f.startswith("geo.map.layers") and "geo.actions" in f for f in found)
    assert any("only geo.ui may import Streamlit" in f for f in found)


def test_geo_imports_only_lower_floors_and_streamlit_only_in_ui():
    graph = {module: imports_of(path) for module, path in geo_modules().items()}
    assert len(graph) > 40
    assert violations(graph) == []


def test_every_package_is_a_known_floor():
    packages = {module.split(".")[1] for module, path in geo_modules().items()
                if path.name == "__init__.py" and module != "geo"}
    assert packages == set(FLOORS)


@pytest.mark.parametrize("module", sorted(geo_modules()))
def test_every_module_says_what_it_is_for_and_stays_small(module):
    path = geo_modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree)
    if path.name != "__main__.py":
        assert doc and len(doc.split(".")[0]) > 10, f"{module} opens without a docstring"
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES, \
        f"{module} holds more than {MAX_LINES} lines: split it by job"
