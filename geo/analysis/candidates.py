"""Candidate sites for one more refuge (planning panel): what could open, and where.

Kinds (``[refuges.planning]`` says which could open at which time of day):

- ``gymnasium``: municipal gymnasiums of the study area (sports survey sites holding a
  « Salle multisports (gymnase) », managers per setting), opened as cooled shelters (a what-if:
  the 20e opened gymnasiums under the plan grand froid);
- ``library``: municipal libraries, with longer hours;
- ``oasis``: the schools of the mairie's published Oasis list (``data/actions.toml``, matched by
  address; a school in both the nursery and primary files counts once), their yard opened;
- ``park``: refuge-size parks of the study area, opened at that time.

A candidate within ``same_place_m`` of a refuge already open at a time of day is that refuge: it
is not offered then (no gain to show).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.actions.addresses import parse_address
from geo.actions.loader import load_catalogue
from geo.analysis import tiers
from geo.analysis.facilities import GYMNASIUM_KIND, MANAGER, sports_sites
from geo.analysis.refuge_settings import PERIOD_NAMES, PlanningSettings
from geo.core.errors import ResilienceError
from geo.core.settings import METRIC_CRS

COLUMNS = ["fid", "kind", "name", "address", "quartier", "quartier_name",
           *[f"offered_{p}" for p in PERIOD_NAMES], "geometry"]


def _rows(frame: gpd.GeoDataFrame, kind: str) -> pd.DataFrame:
    metric = frame.to_crs(METRIC_CRS)
    return pd.DataFrame({"fid": metric["fid"].to_numpy(), "kind": kind, "name": metric["name"].to_numpy(),
                         "address": metric.get("address", pd.Series("", index=metric.index)).to_numpy(),
                         "quartier": metric["quartier"].to_numpy(),
                         "quartier_name": metric["quartier_name"].to_numpy(),
                         "geometry": metric.geometry.values})


def oasis_schools(layers: Mapping[str, gpd.GeoDataFrame], list_id: str) -> tuple[gpd.GeoDataFrame, str]:
    """The schools of a published site list of the action catalogue, one per address, and "" or
    why the list could not be used (no catalogue, unknown list)."""
    try:
        report = load_catalogue().match_sites(list_id, layers)
    except ResilienceError as exc:
        return gpd.GeoDataFrame(columns=["fid", "geometry"], geometry="geometry", crs=METRIC_CRS), str(exc)
    fids = {match.fid for match in report.matches}
    frames = [layers[layer][layers[layer]["fid"].isin(fids)] for layer in report.sites.layers
              if layer in layers]
    frames = [frame.to_crs(METRIC_CRS) for frame in frames if len(frame)]
    if not frames:
        return gpd.GeoDataFrame(columns=["fid", "geometry"], geometry="geometry", crs=METRIC_CRS), ""
    schools = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=METRIC_CRS)
    key = schools["address"].map(lambda text: (parse_address(text).street, min(parse_address(text).numbers,
                                                                                  default=0)))
    return schools[~key.duplicated().to_numpy(bool)].sort_values("fid"), ""


def candidate_sites(layers: Mapping[str, gpd.GeoDataFrame], places: gpd.GeoDataFrame, c_ar: int,
                    study_area: shapely.Geometry, settings: PlanningSettings
                    ) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Every candidate site (Lambert-93) with ``offered_<period>``: whether it is offered at that
    time of day (its kind could open then, and it is not a refuge already open then); and notes
    about what could not be used.
    """
    notes: list[str] = []
    frames = []
    if "sports" in layers:
        sports = layers["sports"][layers["sports"]["c_ar"] == c_ar]
        if MANAGER in sports.columns:
            sports = sports[sports[MANAGER].isin(settings.gymnasium_managers).to_numpy(bool)]
        frames.append(_rows(sports_sites(sports, (GYMNASIUM_KIND,)), "gymnasium"))
    if "libraries" in layers:
        libraries = layers["libraries"]
        libraries = libraries[(libraries["c_ar"] == c_ar)
                              & libraries["kind"].isin(settings.library_kinds).to_numpy(bool)]
        frames.append(_rows(libraries, "library"))
    schools, problem = oasis_schools(layers, settings.oasis_site_list)
    if problem:
        notes.append(problem)
    if len(schools):
        frames.append(_rows(schools, "oasis"))
    parks = places[(places["tier"] == "refuge").to_numpy(bool)
                   & (places["layer"] == "green_spaces").to_numpy(bool)]
    parks = parks[shapely.intersects(parks.geometry.values, study_area)]
    if len(parks):
        frames.append(pd.DataFrame({"fid": parks["fid"].to_numpy(), "kind": "park",
                                    "name": parks["name"].to_numpy(), "address": "",
                                    "quartier": "", "quartier_name": "",
                                    "geometry": parks.geometry.values}))
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return gpd.GeoDataFrame(columns=COLUMNS, geometry="geometry", crs=METRIC_CRS), notes
    sites = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=METRIC_CRS)
    sites = sites[~sites["fid"].duplicated()].reset_index(drop=True)
    for period in PERIOD_NAMES:
        open_now = tiers.select(places, "refuge", period)
        already = _near(sites.geometry.values, open_now.geometry.values, settings.same_place_m)
        sites[f"offered_{period}"] = sites["kind"].isin(settings.kinds_at(period)).to_numpy(bool) & ~already
    return sites[COLUMNS], notes


def _near(points: np.ndarray, places: np.ndarray, distance_m: float) -> np.ndarray:
    """Whether each geometry is within ``distance_m`` of one of ``places``."""
    out = np.zeros(len(points), bool)
    if len(points) and len(places):
        hits, _ = shapely.STRtree(places).query(points, predicate="dwithin", distance=distance_m)
        out[np.unique(hits)] = True
    return out
