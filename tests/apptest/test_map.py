"""The map page through Streamlit's AppTest, with ``st_folium`` patched: layers on/off, filters,
a simulated click showing the details panel, shared and malformed URLs."""

from __future__ import annotations

import json
from pathlib import Path
from unittest.mock import patch

import geopandas as gpd
import pytest
from streamlit.testing.v1 import AppTest

from geo.map.assets import STATIC_DIR, STATIC_URL
from geo.map.layers import DEFAULT_LAYERS
from geo.map.report import FID_MARK
from geo.sources.store import load_layer, load_manifest

PAGE = str(Path(__file__).resolve().parents[2] / "pages" / "map.py")
XSS = "<img src=x onerror=alert(1)>"


class FakeFolium:
    """Stands for ``st_folium``: records what the page sends, returns a simulated interaction."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.returns: dict = {}

    def __call__(self, fig, **kwargs):
        self.calls.append({"fig": fig, **kwargs})
        # like the real map, report the view it shows (this is what reruns the page at mount)
        lat, lon = kwargs["center"]
        return {"center": {"lat": lat, "lng": lon}, "zoom": kwargs["zoom"], **self.returns}

    @property
    def last(self) -> dict:
        return self.calls[-1]

    def layers(self) -> dict[str, dict]:
        """Layer id → GeoJSON sent, for the last call."""
        out = {}
        for group in self.last["feature_group_to_add"]:
            child = next(iter(group._children.values()))
            if child.url:  # published file: read what the browser would fetch
                url = json.loads(child.url)
                assert url.startswith(STATIC_URL + "/")
                out[group.layer_name] = json.loads(
                    (STATIC_DIR / url.removeprefix(STATIC_URL + "/")).read_text(encoding="utf-8"))
            else:
                out[group.layer_name] = json.loads(child.inline)
        return out


class MapApp:
    """The page under AppTest. ``run()`` twice at first: a session's first run draws the map
    alone and the map's mount report (simulated by the fake) reruns it with its controls."""

    def __init__(self, fake: FakeFolium) -> None:
        self.at = AppTest.from_file(PAGE, default_timeout=60)
        self.fake = fake
        self.loaded = False

    def run(self) -> AppTest:
        if not self.loaded:
            self.loaded = True
            self.at.run()
        return self.at.run()

    def __getattr__(self, name):
        return getattr(self.at, name)


@pytest.fixture
def app(real_build):
    fake = FakeFolium()
    with patch("streamlit_folium.st_folium", fake):
        yield MapApp(fake)


def texts(at) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)


def tooltip_text(frame: gpd.GeoDataFrame, index: int) -> str:
    """What the browser returns for a click: the tooltip's text content (name, type, mark, fid)."""
    row = frame.iloc[index]
    return f"{row['name']}{row['kind']}{FID_MARK}{row['fid']}"


def test_default_view(app):
    app.run()
    assert not app.exception
    assert set(app.fake.layers()) == set(DEFAULT_LAYERS)
    assert app.query_params["layers"] == ",".join(DEFAULT_LAYERS)
    assert app.query_params["basemap"] == "none"
    assert app.fake.last["key"] == "map.folium"
    assert app.fake.last["returned_objects"] == ["last_object_clicked_tooltip",
                                                 "last_object_clicked_count", "center", "zoom", "bounds"]
    sent = app.fake.layers()["cool_facilities"]["features"]
    assert len(sent) == len(load_layer("cool_facilities"))
    assert not app.info  # no notice


def test_first_run_draws_the_map_alone_then_the_controls(app):
    app.at.run()
    assert len(app.fake.calls) == 1 and not app.at.checkbox and not app.at.metric
    app.at.run()  # the map's mount report
    assert app.at.checkbox(key="map.layer.fountains").value is False
    assert app.at.checkbox(key="map.layer.ppri").value is True
    assert app.fake.calls[0]["key"] == app.fake.calls[1]["key"]


def test_flood_legend_shows_the_zones_the_build_holds(app):
    app.run()
    legend = " ".join(h.value for h in app.at.get("html"))
    zones = set(load_layer("ppri")["kind"])
    for zone in ("B", "V"):
        assert (f"zone {zone}" in legend) == (zone in zones)


def test_flood_figures_are_computed_from_the_data(app):
    app.run()
    manifest = load_manifest()
    arrs = load_layer("arrondissements")
    area = arrs[arrs["source_id"] == manifest["study_area"]["insee"]].to_crs(2154).union_all()
    ppri = load_layer("ppri").to_crs(2154)
    expected = ppri.distance(area).min()
    values = [m.value for m in app.metric]
    assert f"{expected:,.0f}".replace(",", "\u202f") + " m" in values
    assert any(v.startswith(f"{area.intersection(ppri.union_all()).area / 1e4:.1f}".replace(".", ","))
               for v in values)


def test_toggle_layers_on_and_off(app):
    app.run()
    app.checkbox(key="map.layer.fountains").check().run()
    assert "fountains" in app.fake.layers()
    assert "fountains" in app.query_params["layers"].split(",")
    app.checkbox(key="map.layer.ppri").uncheck().run()
    assert "ppri" not in app.fake.layers()
    assert "ppri" not in app.query_params["layers"].split(",")
    assert not app.exception
    # the map is not rebuilt: same key, same base map script, layers passed as feature groups
    assert len({call["key"] for call in app.fake.calls}) == 1


def test_derived_and_old_layers_are_labelled(app):
    app.query_params["layers"] = "iris_heat,equipements_2014,fountains"
    app.run()
    groups = {g.layer_name: next(iter(g._children.values()))
              for g in app.fake.last["feature_group_to_add"]}
    assert "données dérivées" in groups["iris_heat"].status  # shown in every tooltip
    assert "édition ancienne" in groups["equipements_2014"].status
    assert groups["fountains"].status == '""'
    assert "données dérivées" in app.checkbox(key="map.layer.iris_heat").label
    assert "édition 2014) — édition ancienne" in app.checkbox(key="map.layer.equipements_2014").label
    legend = " ".join(h.proto.body for h in app.get("html"))
    assert "données dérivées" in legend and "Score moyen de chaleur" in legend


def test_type_filter(app):
    app.query_params["layers"] = "sports"
    app.run()
    kinds = load_layer("sports")["kind"]
    assert len(app.fake.layers()["sports"]["features"]) == len(kinds)
    assert app.multiselect(key="map.types.sports").value == []  # none chosen: every type
    app.multiselect(key="map.types.sports").set_value(["Court de tennis"]).run()
    sent = app.fake.layers()["sports"]["features"]
    assert len(sent) == int((kinds == "Court de tennis").sum())
    assert {f["properties"]["k"] for f in sent} == {"Court de tennis"}
    assert app.query_params["types"] == "sports:Court de tennis"
    # switched off and on again, the layer comes back with types shown (never empty)
    app.checkbox(key="map.layer.sports").uncheck().run()
    assert "sports" not in app.fake.layers()
    app.checkbox(key="map.layer.sports").check().run()
    assert len(app.fake.layers()["sports"]["features"]) >= int((kinds == "Court de tennis").sum())


def test_quartier_filter_keeps_features_inside_and_zooms(app):
    app.query_params["layers"] = "fountains"
    app.run()
    app.selectbox(key="map.quartier").set_value("7512001").run()
    quartiers = load_layer("quartiers")
    belleville = quartiers[quartiers["source_id"] == "7512001"]
    fountains = load_layer("fountains")
    inside = gpd.sjoin(fountains, belleville[["geometry"]], predicate="within")
    sent = app.fake.layers()["fountains"]["features"]
    assert 0 < len(sent) == len(inside)
    lat, lon = app.fake.last["center"]
    west, south, east, north = belleville.total_bounds
    assert south < lat < north and west < lon < east
    assert app.fake.last["zoom"] >= 14
    assert app.query_params["quartier"] == "7512001"


def test_link_to_a_quartier_opens_on_it(app):
    app.query_params.update({"layers": "fountains", "quartier": "7512004"})
    app.run()
    quartiers = load_layer("quartiers")
    west, south, east, north = quartiers[quartiers["source_id"] == "7512004"].total_bounds
    lat, lon = app.fake.last["center"]
    assert south < lat < north and west < lon < east
    assert app.fake.calls[0]["center"] == (lat, lon)  # from the first run on
    assert app.fake.last["zoom"] >= 14
    assert app.selectbox(key="map.quartier").value == "7512004"
    outline = app.fake.layers()["quartier"]["features"]  # drawn on the map
    assert len(outline) == 1 and outline[0]["geometry"]["type"] == "Polygon"


def test_simulated_click_shows_details(app):
    app.query_params["layers"] = "schools_elementaire"
    app.run()
    schools = load_layer("schools_elementaire")
    row = schools.iloc[3]
    app.fake.returns = {"last_object_clicked_tooltip": tooltip_text(schools, 3),
                        "last_object_clicked_count": 1}
    app.run()
    assert not app.exception
    text = texts(app)
    assert row["name"].replace("(", "\\(").split(" ")[0] in text
    assert "Adresse" in text and row["address"].split(" ")[-1] in text
    assert app.query_params["sel"] == row["fid"]
    # the selected feature is highlighted on top
    assert app.fake.layers()["highlight"]["features"]
    app.button(key="map.close").click().run()
    assert "sel" not in app.query_params
    app.run()  # a rerun with the same click reported does not reopen it
    assert "sel" not in app.query_params
    app.fake.returns["last_object_clicked_count"] = 2  # a new click on the same school does
    app.run()
    assert app.query_params["sel"] == row["fid"]


def test_shared_url_reopens_the_same_view(app):
    fountains = load_layer("fountains")
    fid = fountains.iloc[0]["fid"]
    app.query_params.update({"layers": "fountains,quartiers", "sel": fid, "basemap": "osm",
                             "lat": "48.86123", "lon": "2.40012", "z": "16"})
    app.run()
    assert not app.exception
    assert set(app.fake.layers()) == {"fountains", "quartiers", "highlight"}
    assert app.fake.last["center"] == (48.86123, 2.40012) and app.fake.last["zoom"] == 16
    assert app.radio(key="map.basemap").value == "osm"
    assert fountains.iloc[0]["address"] in texts(app).replace("\\", "")
    assert not app.info


@pytest.mark.parametrize("params", [
    {"layers": "nope", "basemap": "satellite", "lat": "abc", "lon": "x", "z": "1e9"},
    {"sel": "<script>alert(1)</script>", "quartier": "99", "types": "::"},
    {"zzz": "1", "z": "14"},
])
def test_malformed_url_gives_default_view_and_a_notice(app, params):
    app.query_params.update(params)
    app.run()
    assert not app.exception and not app.error
    assert app.info, "a notice is shown"
    assert set(app.fake.layers()) == set(DEFAULT_LAYERS)
    assert "<script>" not in " ".join(i.value for i in app.info)


def test_search_text_is_shown_as_text(app):
    app.run()
    app.text_input(key="map.search").input("[zzz](javascript:alert(1)) <b>x</b>").run()
    shown = " ".join(c.value for c in app.caption)
    assert "](javascript" not in shown and "<b>" not in shown


def test_search_finds_saint_blaise_and_selects_it(app):
    app.run()
    app.text_input(key="map.search").input("saint blaise").run()
    councils = load_layer("conseils_quartier")
    fid = councils[councils["name"].str.upper() == "SAINT-BLAISE"]["fid"].iloc[0]
    app.button(key=f"map.hit.{fid}").click().run()
    assert app.query_params["sel"] == fid
    assert "conseils_quartier" in app.fake.layers()
    assert "SAINT" in texts(app)


@pytest.fixture
def proposals_db(tmp_path, monkeypatch, real_build):
    """A proposals database with one workshop, one approved and one hidden proposal, both in
    Belleville (the representative point of the built quartier)."""
    from geo.participation.auth import system_staff
    from geo.participation.database import open_sqlite
    from geo.participation.proposals import Submission, Workshop
    from geo.participation.store import RateLimit
    from geo.ui import map as ui

    path = tmp_path / "proposals.sqlite3"
    monkeypatch.setenv("RESILIENCE_PROPOSALS_SQLITE", str(path))
    monkeypatch.delenv("RESILIENCE_PROPOSALS_DATABASE_URL", raising=False)
    ui._proposal_layer.clear()  # read at most every 20 s: not another test's database
    store = open_sqlite(path, RateLimit(100, 60))
    staff = system_staff("test")
    workshop = store.create_workshop(staff, Workshop("saint-blaise-2026-11-26",
                                                     "Atelier <b>Saint-Blaise</b>", "2026-11-26"))
    store.set_workshop_status(staff, workshop.slug, "open")
    quartiers = load_layer("quartiers")
    point = quartiers[quartiers["source_id"] == "7512001"].geometry.iloc[0].representative_point()

    def submit(n: int, text: str):
        return store.submit(Submission(f"sub-{n}", workshop.slug, "client-a", "cool_place", text,
                                       lon=point.x, lat=point.y, hazard="heat"),
                            client_key="key-a").proposal

    approved = submit(1, "Des bancs à l'ombre " + XSS)
    hidden = submit(2, "Spam")
    store.set_status(staff, [approved.id], "approved")
    store.set_status(staff, [hidden.id], "hidden")
    yield approved
    ui._proposal_layer.clear()


def test_approved_proposals_are_a_layer_with_details(app, proposals_db):
    app.query_params["layers"] = "quartiers,proposals"
    app.run()
    assert not app.exception and not app.warning
    features = app.fake.layers()["proposals"]["features"]
    assert [f["properties"]["f"] for f in features] == [f"proposals:{proposals_db.id}"]  # not the hidden one
    assert XSS not in json.dumps(features) and "&lt;img" in features[0]["properties"]["k"]
    legend = " ".join(h.value for h in app.at.get("html"))
    assert "contributions d&#x27;habitants" in legend or "contributions d'habitants" in legend
    app.fake.returns = {"last_object_clicked_tooltip": f"Lieu frais{FID_MARK}proposals:{proposals_db.id}",
                        "last_object_clicked_count": 1}
    app.run()
    assert not app.exception
    text = texts(app)
    assert "Des bancs à l'ombre" in text.replace("\\", "") and "<img" not in text
    assert "Atelier &lt;b&gt;Saint\\-Blaise&lt;/b&gt; \\(2026\\-11\\-26\\)" in text
    assert "Belleville" in text and "non officielle" in text.replace("\\", "")
    # the quartier filter applies to proposals too
    app.query_params["quartier"] = "7512002"
    app.run()
    assert app.fake.layers()["proposals"]["features"] == []


def test_unreadable_proposals_database_leaves_the_map_working(app, real_build, monkeypatch):
    from geo.ui import map as ui

    monkeypatch.setenv("RESILIENCE_PROPOSALS_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    ui._proposal_layer.clear()
    app.query_params["layers"] = "quartiers,proposals"
    app.run()
    ui._proposal_layer.clear()
    assert not app.exception
    assert app.fake.layers()["proposals"]["features"] == []
    assert len(app.fake.layers()["quartiers"]["features"]) == len(load_layer("quartiers"))
    assert "ne peuvent pas être lues" in app.warning[0].value


def test_the_users_own_moves_go_to_the_url_not_back_to_the_map(app):
    """Passing the reported view back to st_folium, one run late, would pull the map back while
    the user is still moving it: the map is only moved by the app's own decisions."""
    app.run()
    imposed = (app.fake.last["center"], app.fake.last["zoom"])
    app.fake.returns = {"center": {"lat": 48.86512, "lng": 2.40011}, "zoom": 17}  # the user zooms in
    app.run()
    assert (app.query_params["lat"], app.query_params["lon"], app.query_params["z"]) == \
        ("48.86512", "2.40011", "17")
    app.run()
    assert (app.fake.last["center"], app.fake.last["zoom"]) == imposed
    # the app moves the map: a quartier chosen...
    app.selectbox(key="map.quartier").set_value("7512001").run()
    quartier = (app.fake.last["center"], app.fake.last["zoom"])
    assert quartier != imposed
    # ...the user moves away, then asks for the same quartier again (through a link): the map
    # is moved there again, by values that differ from the last ones passed by far less than a pixel
    app.fake.returns = {"center": {"lat": 48.87, "lng": 2.41}, "zoom": 16}
    app.run()
    app.query_params.update({"quartier": "7512001"})
    for key in ("lat", "lon", "z"):
        app.query_params.pop(key, None)
    app.fake.returns = {}
    app.run()
    again = (app.fake.last["center"], app.fake.last["zoom"])
    assert again != quartier
    assert abs(again[0][0] - quartier[0][0]) < 1e-6 and round(again[1]) == quartier[1]
