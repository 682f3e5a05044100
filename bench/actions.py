"""Benchmark: the action catalogue — loading and checking it, linking every feature of the build,
and the server time of the « Actions » page.

Figures (medians; every baseline is measured in this same run)
  load    — ``geo.actions.catalogue.parse_catalogue`` (TOML + every check against the registry) against
            ``tomllib.loads`` of the same text (ratio: the cost of the checks);
  link    — ``Catalogue.for_feature`` on every row of every built layer (rows made from the
            frames) against only turning the layers into row dicts (``to_dict("records")``);
  counts  — the study-area links of every action and the Oasis list match (what the page
            computes once per build) against ``geo.sources.store.load_all`` (reading the build);
  rerun   — server time of a rerun of the « Actions » page after a filter change (AppTest, the
            app frame included) against a rerun of « Sources et méthodes » in the same frame.

Target: the page rerun <= 200 ms server time, the target the analysis pages hold (issue 6); the
other figures are reported against their baselines.

Usage: .venv/bin/python bench/actions.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _timing import Targets, timed  # noqa: E402

from geo.actions.loader import parse_catalogue  # noqa: E402
from geo.core.settings import ACTIONS_FILE  # noqa: E402
from geo.sources import store  # noqa: E402
from geo.sources.registry import load_registry  # noqa: E402


def line(name: str, value: float, base: float, base_name: str) -> None:
    print(f"{name:<8} {value * 1000:9.1f} ms   {base_name:<22} {base * 1000:9.1f} ms   "
          f"ratio {value / base:7.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    text = ACTIONS_FILE.read_text(encoding="utf-8")
    registry = load_registry()

    base, _ = timed(lambda: tomllib.loads(text), args.runs)
    value, catalogue = timed(lambda: parse_catalogue(text, registry), args.runs)
    line("load", value, base, "tomllib.loads")

    read, (manifest, layers) = timed(store.load_all, max(3, args.runs // 2))
    base, _ = timed(lambda: {layer_id: frame.drop(columns=frame.geometry.name).to_dict("records")
                             for layer_id, frame in layers.items()}, args.runs)

    def link_all() -> int:
        return sum(len(catalogue.for_feature(layer_id, row)) for layer_id, frame in layers.items()
                   for row in frame.drop(columns=frame.geometry.name).to_dict("records"))

    value, links = timed(link_all, max(3, args.runs // 2))
    rows = sum(len(frame) for frame in layers.values())
    line("link", value, base, "to_dict(records)")
    print(f"         {rows} features, {links} feature-action links in the build")

    c_ar = int(manifest["study_area"]["insee"][-2:])

    def counts() -> int:
        for sites in catalogue.sites:
            catalogue.match_sites(sites.id, layers)
        return sum(len(fids) for linked in catalogue.links_in_area(layers, c_ar).values()
                   for fids in linked.values())

    value, study_links = timed(counts, args.runs)
    line("counts", value, read, "store.load_all")
    print(f"         {study_links} feature-action links in the study area")

    from streamlit.testing.v1 import AppTest

    def page_rerun(path: str, key: str | None) -> float:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.switch_page(path)
        at.run()
        times = []
        for index in range(args.runs):
            start = time.perf_counter()
            if key:
                at.selectbox(key=key).set_value(("", "heat")[index % 2]).run()
            else:
                at.run()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    value = page_rerun("pages/actions.py", "actions.hazard")
    base = page_rerun("pages/sources.py", None)
    line("rerun", value, base, "sources page rerun")
    targets = Targets("actions")
    targets.check("« Actions » page rerun after a filter change (median)", value * 1000, 200.0, " ms")
    return targets.exit_code()


if __name__ == "__main__":
    sys.exit(main())
