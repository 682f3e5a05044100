"""The exposure analyses of one build, run once and kept together with what they depend on.

``run`` takes the manifest and the layers of one build plus the settings of
``data/analysis.toml`` and returns an :class:`Analysis`: flood (distance of the study area to
the PPRI sectors, neighbouring arrondissements, host sites), access to cool places (facilities,
grid, shares per quartier) and heat indicators. Its ``key`` (build id + settings) is the cache
key the app uses, so nothing is recomputed on a rerun.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.analysis import access, facilities, flood, heat, hosting, refuge_figures, refuges
from geo.analysis.settings import AnalysisSettings, load_settings
from geo.core.errors import AnalysisError
from geo.core.i18n import t
from geo.core.settings import METRIC_CRS
from geo.sources import store

#: Layers the analyses read; every figure cites the ones it uses.
FLOOD_LAYERS = ("ppri", "arrondissements", "sports", "wifi_sites", "schools_maternelle",
                "schools_elementaire", "colleges", "mairies", "iris_population", "stations")
ACCESS_LAYERS = ("green_spaces", "cool_green_points", "cool_facilities", "fountains",
                 "equipements_2014", "schools_maternelle", "schools_elementaire", "colleges",
                 "libraries", "sports", "mairies", "ehpad", "quartiers", "iris_population")
HEAT_LAYERS = ("iris_heat", "iris_population", "cq_climate")
REQUIRED = ("arrondissements", "quartiers", "ppri")


@dataclass
class Analysis:
    """Every result of the analyses of one build (geometries in Lambert-93)."""

    build_id: str
    settings: AnalysisSettings
    c_ar: int
    insee: str
    area_name: str
    area_km2: float
    study_zone: flood.NearestZone
    neighbours: pd.DataFrame
    hosts: gpd.GeoDataFrame
    places: dict[str, gpd.GeoDataFrame]
    facilities: gpd.GeoDataFrame
    grid: gpd.GeoDataFrame
    study_share: float
    population_within: float
    population_share: float
    quartiers: pd.DataFrame
    iris: gpd.GeoDataFrame
    councils: gpd.GeoDataFrame
    layers: tuple[str, ...]
    #: the study area as a flood host territory (geo.analysis.hosting): capacity against need,
    #: and the lines at risk (None for a build without the whole-Paris copies)
    shelter: hosting.ShelterResult | None = None
    transport: hosting.TransportResult | None = None
    refuges: refuges.RefugeAnalysis | None = None

    @property
    def key(self) -> str:
        return f"{self.build_id}:{self.settings.key()}"

    def kind_summary(self) -> pd.DataFrame:
        """Per kind of cool place: whether it counts for the target, number of places, share of
        the study area within the target by that kind alone, median and longest walking time
        over the grid."""
        rows = [{"kind": kind, "counted": kind in self.settings.access.target_kinds,
                 "places": len(self.places.get(kind, ())),
                 "area_within": access.area_share(self.grid, column=f"{kind}_within"),
                 "median_min": float(self.grid[f"{kind}_min"].median()),
                 "max_min": float(self.grid[f"{kind}_min"].max())} for kind in access.COOL_KINDS]
        return pd.DataFrame(rows)

    def gap_cells(self) -> gpd.GeoDataFrame:
        """Grid pieces outside the walking target (for the map's « access gap » layer)."""
        return self.grid[~self.grid["within_target"]]


#: Map layers computed by the analyses (not built layers), with what the map needs to list them
#: like a built layer: titles and status (they are derived by this project).
MAP_LAYERS = {
    "access_gap": {
        "title_fr": "Manque d'accès à un lieu frais (hors cible des 7 min, estimation)",
        "title_en": "Cool-place access gap (outside the 7-min target, estimate)",
        "status": "derived",
    },
    **hosting.MAP_LAYERS,
    "refuge_gap": {
        "title_fr": "Loin d'un refuge de chaleur ouvert (hors cible des 7 min, selon l'heure)",
        "title_en": "Far from an open heat refuge (outside the 7-min target, by time of day)",
        "status": "derived",
    },
}


def map_layer(result: Analysis, layer_id: str) -> gpd.GeoDataFrame:
    """A map layer of :data:`MAP_LAYERS` in lon/lat with the map's columns (fid, name, kind,
    quartier). ``access_gap``: the grid pieces and the facilities outside the walking target;
    ``host_capacity`` and ``stations_at_risk``: ``geo.analysis.hosting.map_layer``.
    ``refuge_gap``: the same for an open refuge, per time of day (``period``) at the default
    speed of ``[refuges.walk]`` (``geo.analysis.refuge_figures.gap_frame``).

    Raises
    ------
    AnalysisError
        For an id that is not an analysis map layer.
    """
    if layer_id in hosting.MAP_LAYERS:
        return hosting.map_layer(layer_id, result.hosts, result.transport)
    if layer_id == "refuge_gap" and result.refuges is not None:
        return refuge_figures.gap_frame(result.refuges, result.settings.refuges.walk.default_speed_kmh)
    if layer_id != "access_gap":
        raise AnalysisError(f"'{layer_id}' is not a map layer of the analyses")
    cells = result.gap_cells()
    cells = cells.assign(fid="access_gap:cell:" + cells["cell"] + ":" + cells["quartier"],
                         name=cells["cell"], kind=cells["best_min"].round(1).astype(str) + " min")
    fac = result.facilities[~result.facilities["within_target"]]
    fac = fac.assign(fid="access_gap:" + fac["fid"], kind=fac["best_min"].round(1).astype(str) + " min")
    columns = ["fid", "name", "kind", "quartier", "geometry"]
    both = pd.concat([cells[columns], fac[columns]], ignore_index=True)
    return gpd.GeoDataFrame(both, geometry="geometry", crs=METRIC_CRS).to_crs("EPSG:4326")


def method_text(settings: access.AccessSettings, lang: str) -> str:
    """The walking-time method in one sentence, with the values used (shown under figures)."""
    return t("expo.method_access", lang, speed=f"{settings.walking_speed_kmh:g}",
             mpm=f"{settings.metres_per_minute:.0f}", detour=f"{settings.detour_factor:g}",
             minutes=f"{settings.target_minutes:g}", metres=f"{settings.target_distance_m:.0f}",
             cell=f"{settings.grid_cell_m:g}",
             kinds=", ".join(t(f"expo.kind.{k}", lang) for k in settings.target_kinds))


def _check(layers: Mapping[str, gpd.GeoDataFrame]) -> None:
    missing = [layer for layer in REQUIRED if layer not in layers]
    if missing:
        raise AnalysisError(f"the build lacks the layers {missing} the analyses need")


def run(manifest: dict, layers: Mapping[str, gpd.GeoDataFrame],
        settings: AnalysisSettings | None = None,
        paris: Mapping[str, gpd.GeoDataFrame] | None = None) -> Analysis:
    """Run every analysis on one build (``manifest`` and ``layers`` from
    ``geo.sources.store.load_all``, ``paris`` from ``geo.sources.store.load_paris``: without
    them, the lines at risk are not measured)."""
    settings = settings or AnalysisSettings()
    _check(layers)
    area = manifest["study_area"]
    c_ar = int(area["insee"]) - 75100
    arrs = layers["arrondissements"].to_crs(METRIC_CRS)
    study = arrs[arrs["c_ar"] == c_ar]
    if study.empty:
        raise AnalysisError(f"study area {area['insee']} is not in the arrondissements layer")
    study_geom = study.geometry.iloc[0]

    ppri = layers["ppri"].to_crs(METRIC_CRS)
    zones = flood.dissolve_zones(ppri)
    study_zone = flood.nearest_zone(study_geom, ppri)
    neighbours = flood.neighbour_exposure(arrs, zones, c_ar)
    acc = settings.access
    places = access.cool_places(layers, acc.green_excluded_types)
    hosts = flood.hosts_with_distance(
        facilities.host_candidates(layers, c_ar, settings.flood.same_site_m), ppri)
    hosts = gpd.GeoDataFrame(pd.concat([hosts.drop(columns="geometry"),
                                        access.access_table(hosts.geometry, places, acc)], axis=1),
                             geometry=hosts.geometry, crs=METRIC_CRS)
    shelter = hosting.shelter_analysis(layers, zones, c_ar, neighbours, settings.shelter)
    hosts = hosting.with_capacity(hosts, shelter.sites)
    fac = facilities.access_facilities(layers, c_ar)
    fac = gpd.GeoDataFrame(
        pd.concat([fac.drop(columns="geometry"), access.access_table(fac.geometry, places, acc),
                   flood.zone_distances(fac.geometry, ppri)], axis=1),
        geometry=fac.geometry, crs=METRIC_CRS)

    quartiers = layers["quartiers"].to_crs(METRIC_CRS)
    quartiers = quartiers[quartiers["c_ar"] == c_ar].set_index("source_id")
    grid = access.grid_access(quartiers, places, acc)
    grid["quartier"] = grid["area_idx"].astype(str)
    grid["quartier_name"] = grid["area_idx"].map(quartiers["name"])
    grid = grid.drop(columns="area_idx")
    iris_pop = layers.get("iris_population")
    people, people_share = (access.population_share(grid, iris_pop) if iris_pop is not None
                            else (float("nan"), float("nan")))

    iris = (heat.iris_indicators(layers["iris_heat"], iris_pop, c_ar) if "iris_heat" in layers
            else gpd.GeoDataFrame())
    councils = (heat.council_indicators(layers["cq_climate"], iris_pop, c_ar)
                if "cq_climate" in layers else gpd.GeoDataFrame())
    summary = _quartier_summary(quartiers, grid, fac, iris)
    summary["zone_m"] = summary["quartier"].map(
        flood.zone_distances(quartiers.geometry, ppri)["zone_m"])
    used = tuple(sorted({*FLOOD_LAYERS, *ACCESS_LAYERS, *HEAT_LAYERS, *refuges.REFUGE_LAYERS}
                        & set(layers)))
    return Analysis(build_id=manifest["build_id"], settings=settings, c_ar=c_ar,
                    insee=area["insee"], area_name=area["name"],
                    area_km2=float(shapely.area(study_geom)) / 1e6, study_zone=study_zone,
                    neighbours=neighbours, hosts=hosts, places=places, facilities=fac, grid=grid,
                    study_share=access.area_share(grid), population_within=people,
                    population_share=people_share, quartiers=summary, iris=iris,
                    councils=councils, layers=used, shelter=shelter,
                    transport=hosting.transport_analysis(paris or {}, c_ar, settings.transport),
                    refuges=refuges.run(layers, c_ar, quartiers, settings.refuges, acc.target_minutes,
                                        acc.grid_cell_m))


def _quartier_summary(quartiers: gpd.GeoDataFrame, grid: gpd.GeoDataFrame,
                      fac: gpd.GeoDataFrame, iris: gpd.GeoDataFrame) -> pd.DataFrame:
    out = pd.DataFrame({"quartier": quartiers.index.astype(str), "name": quartiers["name"].to_numpy(),
                        "area_km2": shapely.area(quartiers.geometry.values) / 1e6})
    out["share_within"] = out["quartier"].map(access.area_share(grid, by="quartier"))
    for kind in access.COOL_KINDS:
        out[f"share_{kind}"] = out["quartier"].map(
            access.area_share(grid, by="quartier", column=f"{kind}_within"))
    counts = fac.groupby("quartier")["within_target"].agg(["size", "sum"])
    out["facilities"] = out["quartier"].map(counts["size"]).fillna(0).astype(int)
    out["facilities_outside"] = (out["facilities"]
                                 - out["quartier"].map(counts["sum"]).fillna(0)).astype(int)
    if len(iris):
        q = heat.quartier_heat(iris).set_index("quartier")
        for column in ("population", "population_75_plus", "heat_score", "high_share"):
            out[column] = out["quartier"].map(q[column])
    return out.sort_values("quartier", ignore_index=True)


def load(settings: AnalysisSettings | None = None, path: Path | None = None) -> Analysis:
    """Run the analyses on the current build (or the build at ``path``)."""
    manifest, layers = store.load_all(path)
    return run(manifest, layers, settings or load_settings(), store.load_paris(path))
