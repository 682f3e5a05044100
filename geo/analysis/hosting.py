"""The study area as a flood host territory, run on one build: shelter capacity of its host sites
against the residents of the neighbours' flood sectors (``geo.analysis.shelter``), the lines
serving it with stations at a sector anywhere in Paris (``geo.analysis.transport``), and the map
and download layers of both (``host_capacity``, ``stations_at_risk``).

``geo.analysis.exposure.run`` calls :func:`shelter_analysis` and :func:`transport_analysis` once
per build and settings; results are in Lambert-93, the layers in lon/lat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
import shapely

from geo.analysis import shelter, transport
from geo.core.errors import AnalysisError
from geo.core.settings import METRIC_CRS, STORE_CRS

#: Layers each analysis reads (cited under its figures). The transport analysis reads the
#: whole-Paris copies of ``ppri`` and ``stations`` (``keep_paris`` in ``data/sources.toml``).
SHELTER_LAYERS = ("sports", "iris_population", "ppri", "arrondissements")
TRANSPORT_LAYERS = ("stations", "ppri")

HOST_LAYER = "host_capacity"
STATIONS_LAYER = "stations_at_risk"
#: The analyses' map and download layers: titles and status (derived by this project).
MAP_LAYERS = {
    HOST_LAYER: {
        "title_fr": "Sites d'accueil des évacués d'une crue, par capacité estimée",
        "title_en": "Flood evacuee host sites, by estimated capacity",
        "status": "derived",
    },
    STATIONS_LAYER: {
        "title_fr": "Stations à moins de la distance retenue d'un secteur du PPRI, sur les lignes "
                    "desservant la zone d'étude (indicateur dérivé)",
        "title_en": "Stations within the set distance of a PPRI sector, on the lines serving the "
                    "study area (derived indicator)",
        "status": "derived",
    },
}
#: Host-site columns added to the candidate host sites (``Analysis.hosts``).
HOST_COLUMNS = ("capacity", "area_m2", "area_missing", "equipments", "showers", "toilets",
                "step_free", "no_showers", "no_step_free", "heating", "manager", "rank")


@dataclass(frozen=True)
class ShelterResult:
    """Capacity of the study area's host sites against the need of its neighbours.

    ``sites``: :func:`geo.analysis.shelter.host_sites` (Lambert-93); ``by_quartier``: capacity
    per quartier; ``iris_need``: residents in the sectors per IRIS of the neighbours; ``need``:
    per neighbour (with its ``name``); ``cover``: capacity against need per neighbour, then the
    total (``c_ar`` 0).
    """

    settings: shelter.ShelterSettings
    sites: gpd.GeoDataFrame
    summary: shelter.CapacitySummary
    by_quartier: pd.DataFrame
    iris_need: pd.DataFrame
    need: pd.DataFrame
    cover: pd.DataFrame

    def quartier_capacity(self, code: str) -> dict[str, float]:
        """``sites``, ``sites_unknown``, ``area_m2`` and ``capacity`` of one quartier (zeros when
        it has no host site)."""
        rows = self.by_quartier[self.by_quartier["quartier"].astype(str) == str(code)]
        if rows.empty:
            return {"sites": 0, "sites_unknown": 0, "area_m2": 0.0, "capacity": 0.0}
        row = rows.iloc[0]
        return {"sites": int(row["sites"]), "sites_unknown": int(row["sites_unknown"]),
                "area_m2": float(row["area_m2"]), "capacity": float(row["capacity"])}


@dataclass(frozen=True)
class TransportResult:
    """The lines serving the study area against the PPRI sectors of the whole of Paris.

    ``lines``: :func:`geo.analysis.transport.lines_at_risk`; ``at_risk``: the station records of
    those lines within ``settings.near_m`` of a sector (Lambert-93); ``stations``: per station of
    the study area, its lines and those at risk; ``paris_records`` / ``paris_inside`` /
    ``paris_near``: Paris station records in all, inside a sector, within ``near_m`` of one.
    """

    settings: transport.TransportSettings
    lines: pd.DataFrame
    at_risk: gpd.GeoDataFrame
    stations: pd.DataFrame
    paris_records: int
    paris_inside: int
    paris_near: int

    @property
    def risky_lines(self) -> list[str]:
        return list(self.lines.loc[self.lines["at_risk"] > 0, "line"])


def shelter_analysis(layers: Mapping[str, gpd.GeoDataFrame], zones: shapely.Geometry, c_ar: int,
                     neighbours: pd.DataFrame, settings: shelter.ShelterSettings) -> ShelterResult:
    """Capacity, need and cover for arrondissement ``c_ar``.

    ``zones``: the dissolved PPRI sectors of the build (complete for the neighbours);
    ``neighbours``: ``geo.analysis.flood.neighbour_exposure`` (the study area's row is left
    out). A build without ``sports`` has no host site; one without ``iris_population`` has no
    need (zeros), and the page says which layer is missing.
    """
    empty_sports = gpd.GeoDataFrame({"fid": [], "kind": [], "c_ar": []},
                                    geometry=gpd.GeoSeries([], crs=METRIC_CRS))
    sites = shelter.host_sites(layers.get("sports", empty_sports), settings, c_ar)
    others = neighbours[~neighbours["study"]]
    arrs = [int(c) for c in others["c_ar"]]
    iris = layers.get("iris_population")
    if iris is not None:
        iris_need = shelter.residents_in_zones(iris, zones, arrs)
    else:
        iris_need = pd.DataFrame(columns=shelter.IRIS_NEED_COLUMNS)
    need = shelter.need_by_arrondissement(iris_need, arrs)
    need["name"] = need["c_ar"].map(dict(zip(others["c_ar"].astype(int), others["name"], strict=True)))
    summary = shelter.capacity_summary(sites)
    return ShelterResult(settings=settings, sites=sites, summary=summary,
                         by_quartier=shelter.capacity_by_quartier(sites), iris_need=iris_need,
                         need=need, cover=shelter.capacity_vs_need(summary.capacity, need))


def with_capacity(hosts: gpd.GeoDataFrame, sites: pd.DataFrame) -> gpd.GeoDataFrame:
    """The candidate host sites with the capacity and flags of the sports sites they are
    (:data:`HOST_COLUMNS`, joined on ``fid``); schools, the mairie and the Wi-Fi gymnasiums get
    an unknown capacity (NaN) and unknown flags."""
    extra = pd.DataFrame(sites)[["fid", *HOST_COLUMNS]]
    merged = hosts.drop(columns=[c for c in HOST_COLUMNS if c in hosts.columns]).merge(
        extra, on="fid", how="left")
    for column in ("no_showers", "no_step_free"):
        merged[column] = merged[column].astype("boolean")
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=hosts.crs)


def transport_analysis(paris: Mapping[str, gpd.GeoDataFrame], c_ar: int,
                       settings: transport.TransportSettings) -> TransportResult | None:
    """Lines at risk for arrondissement ``c_ar`` from the whole-Paris ``stations`` and ``ppri``;
    ``None`` when the build has no such copies (made before they existed: rebuild)."""
    if "stations" not in paris or "ppri" not in paris:
        return None
    sectors = paris["ppri"].to_crs(METRIC_CRS)
    # the nearest sector as they are: same distance as to their union, without the union
    zones = shapely.GeometryCollection(list(shapely.make_valid(sectors.geometry.values)))
    stations = paris["stations"]
    lines = transport.lines_at_risk(stations, zones, c_ar, settings)
    risky = list(lines.loc[lines["at_risk"] > 0, "line"])
    measured = transport.station_distances(stations, zones)
    return TransportResult(
        settings=settings, lines=lines,
        at_risk=transport.stations_at_risk(stations, zones, risky, settings.near_m),
        stations=transport.study_stations(stations, lines, c_ar, settings.modes),
        paris_records=len(measured), paris_inside=int((measured["zone_m"] <= 0).sum()),
        paris_near=int((measured["zone_m"] <= settings.near_m).sum()))


def host_layer(hosts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Every candidate host site (:func:`with_capacity`) as a map / download layer in lon/lat:
    ``fid`` (:data:`HOST_LAYER` + the site's fid), ``name``, ``kind`` (category), ``address``,
    ``quartier``, ``quartier_name``, ``capacity`` (NaN = unknown), ``area_m2``, the flags,
    ``heating``, ``manager``, ``rank``, ``zone_m`` (distance to the nearest sector) and
    ``source_fid`` / ``source_layer`` (the feature it comes from), largest capacity first."""
    out = hosts.sort_values(["capacity", "zone_m"], ascending=[False, False], na_position="last")
    out = out.assign(source_fid=out["fid"], source_layer=out["layer"],
                     fid=HOST_LAYER + ":" + out["fid"].astype(str), kind=out["category"],
                     zone_m=out["zone_m"].astype(float).round(0),
                     area_m2=out["area_m2"].astype(float).round(1))
    columns = ["fid", "name", "kind", "address", "quartier", "quartier_name", "capacity",
               "area_m2", "no_showers", "no_step_free", "toilets", "heating", "manager", "rank",
               "zone_m", "source_fid", "source_layer"]
    return gpd.GeoDataFrame(out[columns].reset_index(drop=True), geometry=out.geometry.values,
                            crs=hosts.crs).to_crs(STORE_CRS)


def stations_layer(at_risk: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """:attr:`TransportResult.at_risk` as a map / download layer in lon/lat: ``fid``
    (:data:`STATIONS_LAYER` + the station record's fid), ``name``, ``kind`` (line), ``c_ar``,
    ``quartier``, ``zone_m`` (m, one decimal), ``inside`` (inside a sector), ``source_fid``."""
    out = at_risk.assign(source_fid=at_risk["fid"],
                         fid=STATIONS_LAYER + ":" + at_risk["fid"].astype(str),
                         kind=at_risk["line"], quartier="", zone_m=at_risk["zone_m"].round(1),
                         inside=at_risk["inside"].astype(bool))
    columns = ["fid", "name", "kind", "c_ar", "quartier", "zone_m", "inside", "source_fid"]
    return gpd.GeoDataFrame(out[columns].reset_index(drop=True), geometry=out.geometry.values,
                            crs=at_risk.crs).to_crs(STORE_CRS)


def map_layer(layer_id: str, hosts: gpd.GeoDataFrame,
              transport_result: TransportResult | None) -> gpd.GeoDataFrame:
    """The layer ``layer_id`` of :data:`MAP_LAYERS` (``hosts``: the candidates with capacity).

    Raises
    ------
    AnalysisError
        For another id, or for the stations when the build has no whole-Paris copies.
    """
    if layer_id == HOST_LAYER:
        return host_layer(hosts)
    if layer_id == STATIONS_LAYER:
        if transport_result is None:
            raise AnalysisError("this build has no whole-Paris stations and PPRI sectors: "
                                "rebuild it (python -m geo.ingest) to measure the lines at risk")
        return stations_layer(transport_result.at_risk)
    raise AnalysisError(f"'{layer_id}' is not a map layer of the flood host analysis")

