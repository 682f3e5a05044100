"""Unit tests of geo.analysis.tiers: the tier classification and time-of-day opening (synthetic layers)."""

import geopandas as gpd
import pandas as pd
import shapely

from geo.analysis import tiers
from geo.analysis.refuge_settings import HeatwaveOpening, TierSettings

CRS = "EPSG:2154"


def green(rows):
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CRS)


def park(fid, size_m, fenced, open_24h, type_ev="Promenades ouvertes", surface=None, x=0.0):
    return {"fid": f"green_spaces:{fid}", "source_id": fid, "name": f"PARC {fid}", "type_ev": type_ev,
            "surface_totale_reelle": "" if surface is None else str(surface),
            "presence_cloture": fenced, "ouvert_ferme": open_24h,
            "geometry": shapely.box(x, 0, x + size_m, size_m)}


def test_a_fenced_park_is_closed_at_night_unless_a_heatwave_measure_opens_it():
    layers = {"green_spaces": green([park("1", 120, "Oui", "Non")])}
    places = tiers.classify(layers, TierSettings())
    assert places.loc[0, "tier"] == "refuge"            # 1.44 ha
    assert places.loc[0, "open_day"] and places.loc[0, "open_evening"]
    assert places.loc[0, "open_night"] == False  # noqa: E712
    assert tiers.select(places, "refuge", "night").empty
    opened = tiers.classify(layers, TierSettings(heatwave_night_green=(HeatwaveOpening("1", "a source"),)))
    assert len(tiers.select(opened, "refuge", "night")) == 1


def test_unfenced_or_open_24h_is_open_at_night_and_unknown_stays_unknown():
    layers = {"green_spaces": green([park("1", 120, "Non", None), park("2", 120, "Oui", "Oui", x=500),
                                     park("3", 120, None, None, x=1000)])}
    places = tiers.classify(layers, TierSettings()).set_index("fid")
    assert places.loc["green_spaces:1", "open_night"] == True  # noqa: E712
    assert places.loc["green_spaces:2", "open_night"] == True  # noqa: E712
    assert pd.isna(places.loc["green_spaces:3", "open_night"])
    assert len(tiers.select(places, "refuge", "night")) == 2
    assert len(tiers.select(places, "refuge", "night", unknown_open=True)) == 3


def test_size_threshold_uses_the_official_surface_first():
    layers = {"green_spaces": green([
        park("small", 99.99, "Non", None),                       # 9,998 m² drawn, no surface
        park("declared", 50, "Non", None, surface=10000, x=500),  # small drawing, 1 ha declared
        park("cemetery", 200, "Oui", "Non", type_ev="Cimetières", x=1000),
        park("planter", 200, "Non", None, type_ev="Décorations sur la voie publique", x=2000)])}
    places = tiers.classify(layers, TierSettings()).set_index("fid")
    assert places.loc["green_spaces:small", "tier"] == "relief"
    assert places.loc["green_spaces:declared", "tier"] == "refuge"
    assert places.loc["green_spaces:cemetery", "tier"] == "relief"
    assert "green_spaces:planter" not in places.index


def test_a_mister_follows_its_park_and_a_pool_its_hours():
    parks = green([park("1", 120, "Oui", "Non")])
    days = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
    facilities = gpd.GeoDataFrame([
        {"fid": "cool_facilities:BR1", "name": "Brumisateur", "kind": "Brumisateur",
         "horaires_periode": "Horaires d'ouvertures du parc", "geometry": shapely.Point(60, 60)},
        {"fid": "cool_facilities:PI1", "name": "Piscine", "kind": "Piscine",
         "horaires_periode": "du 09/09/24 au 15/09/24",
         **{f"horaires_{d}": "07h00 - 08h30 / 11h30 - 22h00" for d in days}, "geometry": shapely.Point(900, 0)},
        {"fid": "cool_facilities:LC1", "name": "Eglise", "kind": "Lieux de culte",
         "horaires_periode": "Les horaires étant susceptibles d'évoluer, merci de vous renseigner "
                             "directement sur place.", "geometry": shapely.Point(950, 0)},
    ], geometry="geometry", crs=CRS)
    places = tiers.classify({"green_spaces": parks, "cool_facilities": facilities},
                            TierSettings()).set_index("fid")
    mister = places.loc["cool_facilities:BR1"]
    assert mister["tier"] == "relief" and mister["open_day"] and not mister["open_night"]
    pool = places.loc["cool_facilities:PI1"]
    assert pool["tier"] == "refuge" and pool["open_evening"] and not pool["open_night"]
    church = places.loc["cool_facilities:LC1"]
    assert pd.isna(church["open_day"]) and church["why"] == "unknown_hours"
    assert [p.code for p in church["problems"]] == ["no_hours"]
    assert set(tiers.select(places.reset_index(), "refuge", "day")["fid"]) == {"green_spaces:1",
                                                                               "cool_facilities:PI1"}


def test_fountains_in_service_only_and_closed_with_their_park_at_night():
    parks = green([park("1", 120, "Oui", "Non")])
    fountains = gpd.GeoDataFrame([
        {"fid": "fountains:1", "name": "Wallace", "dispo": "OUI", "geometry": shapely.Point(10, 10)},
        {"fid": "fountains:2", "name": "Arceau", "dispo": "OUI", "geometry": shapely.Point(500, 500)},
        {"fid": "fountains:3", "name": "Arceau", "dispo": "NON", "geometry": shapely.Point(600, 500)},
    ], geometry="geometry", crs=CRS)
    places = tiers.classify({"green_spaces": parks, "fountains": fountains}, TierSettings())
    night = tiers.select(places, "relief", "night")
    assert set(night["fid"]) == {"fountains:2"}
    assert "fountains:1" not in set(tiers.select(places, "any")["fid"])
