"""Command ``python -m geo.actions``: check the catalogue and print its figures per framework on
the current build.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd

from geo.actions.catalogue import Catalogue
from geo.actions.loader import load_catalogue
from geo.core.errors import ResilienceError
from geo.core.settings import ACTIONS_FILE
from geo.sources import store


def summary(catalogue: Catalogue, layers: Mapping[str, gpd.GeoDataFrame],
            c_ar: int | None) -> list[dict[str, object]]:
    """Per framework: actions, actions placed on the map, link rules, linked features (study area)."""
    linked = catalogue.links_in_area(layers, c_ar)
    rows = []
    for framework_id in catalogue.frameworks:
        actions = [action for action in catalogue.actions if action.framework == framework_id]
        rows.append({
            "framework": framework_id,
            "actions": len(actions),
            "placed": sum(1 for action in actions if action.links),
            "rules": sum(len(action.links) for action in actions),
            "feature_rules": sum(1 for action in actions for rule in action.links
                                 if rule.scope == "features"),
            "layer_links": sum(len(action.layers) for action in actions),
            "feature_links": sum(len(fids) for action in actions
                                 for fids in linked[action.id].values()),
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.actions``: check the catalogue, print its figures on the current build."""





    parser = argparse.ArgumentParser(description="Check data/actions.toml and print its figures.")
    parser.add_argument("--file", type=Path, default=ACTIONS_FILE)
    args = parser.parse_args(argv)
    try:
        catalogue = load_catalogue(args.file)
        manifest, layers = store.load_all()
    except ResilienceError as exc:
        print(f"error: {exc}")
        return 1
    c_ar = int(manifest["study_area"]["insee"][-2:])
    rows = summary(catalogue, layers, c_ar)
    header = ("framework", "actions", "placed", "rules", "feature_rules", "layer_links",
              "feature_links")
    print(f"{args.file}: valid — {len(catalogue.actions)} actions; links counted in "
          f"arrondissement {c_ar}")
    print("  ".join(f"{name:>13}" for name in header))
    for row in rows:
        print("  ".join(f"{row[name]!s:>13}" for name in header))
    print("  ".join(f"{value!s:>13}" for value in
                    ["total", *(sum(row[name] for row in rows) for name in header[1:])]))
    for sites in catalogue.sites:
        report = catalogue.match_sites(sites.id, layers)
        print(f"{sites.id}: {len(sites.entries) - len(report.unmatched)}/{len(sites.entries)} "
              f"entries found ({len(report.matches)} features); not found: "
              + ("; ".join(entry.label() for entry in report.unmatched) or "none"))
    return 0
