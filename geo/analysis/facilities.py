"""Which rows of which built layers are the study area's facilities, one row per site.

Used by the access analysis (facilities whose users need a cool place nearby) and the flood
analysis (facilities that could receive evacuees). Every row keeps the ``fid`` and ``layer`` of
the feature it comes from, so each figure traces back to its source.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from geo.core.settings import METRIC_CRS

#: Sports survey (Data ES): equipment types and column of the site number.
GYMNASIUM_KIND = "Salle multisports (gymnase)"
HALL_KIND = "Salles polyvalentes / des fêtes / non spécialisées"
SITE_NUMBER = "Numéro de l'installation sportive"
CRECHE_KIND = "Crèches"
MANAGER = "Type de gestionnaire"
#: Sports sites left out of the heat-access facilities: commercial gyms are not public facilities.
PRIVATE_MANAGERS = ("Etablissement privé commercial",)

COLUMNS = ["fid", "layer", "category", "name", "address", "quartier", "quartier_name", "old",
           "geometry"]

#: Categories of facility for the heat-access analysis, in display order.
ACCESS_CATEGORIES = ("creche", "maternelle", "elementaire", "college", "library", "sports",
                     "mairie", "ehpad")
#: Categories of candidate host site for flood evacuees, in display order.
HOST_CATEGORIES = ("gymnasium", "sports_hall", "school", "mairie")


def _rows(gdf: gpd.GeoDataFrame, layer: str, category: str, old: bool = False) -> gpd.GeoDataFrame:
    out = gdf.to_crs(METRIC_CRS)[["fid", "name", "address", "quartier", "quartier_name",
                                  "geometry"]].copy()
    out["layer"] = layer
    out["category"] = category
    out["old"] = old
    return out[COLUMNS]


def sports_sites(sports: gpd.GeoDataFrame, kinds: tuple[str, ...] | None = None) -> gpd.GeoDataFrame:
    """Sports equipments grouped into sites (the survey has one row per equipment).

    The site keeps the ``fid`` of its first equipment (by ``fid``) and the site name; ``kinds``
    restricts to sites holding at least one equipment of those types.
    """
    rows = sports if kinds is None else sports[sports["kind"].isin(kinds)]
    key = rows[SITE_NUMBER].fillna(rows["fid"]) if SITE_NUMBER in rows.columns else rows["fid"]
    return rows.assign(_site=key).sort_values("fid").drop_duplicates("_site").drop(columns="_site")


def _in_area(gdf: gpd.GeoDataFrame, c_ar: int) -> gpd.GeoDataFrame:
    return gdf[gdf["c_ar"] == c_ar]


def _concat(frames: list[gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    if not frames:
        return gpd.GeoDataFrame({c: [] for c in COLUMNS[:-1]}, geometry=gpd.GeoSeries([], crs=METRIC_CRS))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=METRIC_CRS)


def access_facilities(layers: Mapping[str, gpd.GeoDataFrame], c_ar: int) -> gpd.GeoDataFrame:
    """Facilities of arrondissement ``c_ar`` whose users are sensitive to heat, in Lambert-93.

    Crèches come from the 2014 edition of the City's facility list (``old`` = True): no recent
    layer exists. Sports equipments are grouped into sites; commercial gyms are left out.
    """
    frames = []
    sources = (("creche", "equipements_2014"), ("maternelle", "schools_maternelle"),
               ("elementaire", "schools_elementaire"), ("college", "colleges"),
               ("library", "libraries"), ("sports", "sports"), ("mairie", "mairies"),
               ("ehpad", "ehpad"))
    for category, layer in sources:
        if layer not in layers:
            continue
        gdf = _in_area(layers[layer], c_ar)
        if category == "creche":
            gdf = gdf[gdf["kind"] == CRECHE_KIND]
        elif category == "sports":
            if MANAGER in gdf.columns:
                gdf = gdf[~gdf[MANAGER].isin(PRIVATE_MANAGERS).to_numpy(bool)]
            gdf = sports_sites(gdf)
        frames.append(_rows(gdf, layer, category, old=layer == "equipements_2014"))
    return _concat(frames)


def host_candidates(layers: Mapping[str, gpd.GeoDataFrame], c_ar: int,
                    same_site_m: float) -> gpd.GeoDataFrame:
    """Facilities of arrondissement ``c_ar`` that could receive flood evacuees, in Lambert-93.

    Gymnasiums (sports survey sites with a multi-sport hall, and Paris Wi-Fi sites named
    « gymnase »), sports halls (multi-purpose halls of the survey), schools (nursery, primary,
    collèges) and the mairie. A Wi-Fi gymnasium closer than ``same_site_m`` to a survey
    gymnasium is the same site and is dropped; a school listed as both nursery and primary
    (« polyvalent ») appears once. Capacities are not in the data.
    """
    frames = []
    if "sports" in layers:
        sports = _in_area(layers["sports"], c_ar)
        gyms = sports_sites(sports, (GYMNASIUM_KIND,))
        frames.append(_rows(gyms, "sports", "gymnasium"))
        halls = sports_sites(sports, (HALL_KIND,))
        halls = halls[~halls[SITE_NUMBER].isin(gyms[SITE_NUMBER])] if SITE_NUMBER in halls else halls
        frames.append(_rows(halls, "sports", "sports_hall"))
    if "wifi_sites" in layers:
        wifi = _in_area(layers["wifi_sites"], c_ar)
        wifi = _rows(wifi[wifi["kind"] == "Gymnase"], "wifi_sites", "gymnasium")
        if frames and len(frames[0]) and len(wifi):
            near = wifi.geometry.apply(lambda g: frames[0].distance(g).min())
            wifi = wifi[near > same_site_m]
        frames.append(wifi)
    schools = [_rows(_in_area(layers[layer], c_ar), layer, "school")
               for layer in ("schools_maternelle", "schools_elementaire", "colleges") if layer in layers]
    if schools:
        school = _concat(schools)
        # a « polyvalent » school is in both files: same name at the same place
        key = school["name"].str.upper().str.strip() + school.geometry.x.round(0).astype(str) \
            + school.geometry.y.round(0).astype(str)
        frames.append(school[~key.duplicated()])
    if "mairies" in layers:
        frames.append(_rows(_in_area(layers["mairies"], c_ar), "mairies", "mairie"))
    return _concat(frames)
