"""Approved proposals as a map layer: columns, quartier, tooltip text, details (synthetic data)."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from geo.map.geojson import layer_geojson
from geo.map.layers import LAYERS, select
from geo.participation.layer import LAYER_ID, TOOLTIP_TEXT_MAX, proposal_details, proposals_frame
from geo.participation.proposals import Proposal, Workshop

XSS = "<img src=x onerror=alert(1)>"
QUARTIERS = gpd.GeoDataFrame({"source_id": ["7512001", "7512002"]},
                             geometry=[box(2.38, 48.86, 2.39, 48.87), box(2.39, 48.86, 2.40, 48.87)],
                             crs="EPSG:4326")
WORKSHOPS = {"saint-blaise-2026-11-26": Workshop("saint-blaise-2026-11-26",
                                                 "Vers un quartier résilient", "2026-11-26")}


def proposal(pid: int, lon: float, lat: float, text: str = "Des bancs à l'ombre", **changes) -> Proposal:
    values = dict(id=pid, submission_id=f"s{pid}", workshop="saint-blaise-2026-11-26",
                  created_at="2026-11-26T18:00:00+00:00", lon=lon, lat=lat, place=None,
                  category="cool_place", text=text, action_id=None, hazard="heat",
                  first_name="Awa", status="approved", merged_into=None)
    values.update(changes)
    return Proposal(**values)


def test_proposals_become_map_features_in_their_quartier():
    approved = [(proposal(1, 2.385, 48.865), 0), (proposal(2, 2.395, 48.865, "x" * 300), 2),
                (proposal(3, 2.5, 48.9), 0)]
    frame = proposals_frame(approved, QUARTIERS)
    assert list(frame["fid"]) == ["proposals:1", "proposals:2", "proposals:3"]
    assert list(frame["quartier"]) == ["7512001", "7512002", ""]  # the last is outside both
    assert frame.crs.equals("EPSG:4326") and list(frame["duplicates_merged"]) == [0, 2, 0]
    assert frame["name"].iloc[0] == "Lieu frais, ombre"
    assert len(frame["kind"].iloc[1]) == TOOLTIP_TEXT_MAX and frame["kind"].iloc[1].endswith("…")
    assert frame["text"].iloc[1] == "x" * 300
    assert "first_name" not in frame.columns  # a first name stays out of the public map
    only = select(frame, LAYERS[LAYER_ID], None, "7512002")
    assert list(only["fid"]) == ["proposals:2"]
    assert len(proposals_frame([], QUARTIERS)) == 0
    with pytest.raises(ValueError):
        proposals_frame(approved, QUARTIERS.to_crs(2154))


def test_proposal_tooltip_escapes_what_residents_typed():
    frame = proposals_frame([(proposal(1, 2.385, 48.865, XSS), 0)], QUARTIERS)
    text = layer_geojson(frame, LAYERS[LAYER_ID])
    assert XSS not in text and "&lt;img src=x onerror=alert(1)&gt;" in text


def test_proposal_details_name_the_workshop_the_action_and_the_status():
    frame = proposals_frame([(proposal(7, 2.385, 48.865, XSS, action_id="P50-01",
                                       place="sports:42"), 3)], QUARTIERS, WORKSHOPS, "en")
    actions = {"P50-01": {"fr": "Îlots de fraîcheur", "en": "Cool islands"}}
    details = proposal_details(frame, "proposals:7", actions, {"sports:42": "Gymnase"},
                               {"7512001": "Belleville"}, "en")
    values = dict(details.attributes)
    assert values["Proposal"] == XSS  # plain text here, escaped where rendered
    assert values["Strategy action it names"] == "Cool islands"
    assert values["Place"] == "Gymnase" and values["Quartier"] == "Belleville"
    assert values["Similar proposals merged"] == "3" and values["Hazard"] == "Heat"
    assert values["Submitted on"] == "2026-11-26"
    assert dict(details.provenance)["Workshop"] == "Vers un quartier résilient (2026-11-26)"
    assert details.status == "participatory" and "not official" in details.note
    assert proposal_details(frame, "proposals:8", actions, {}, {}, "en") is None
