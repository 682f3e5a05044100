"""No text from users or data becomes a link: every page through the app's frame, on a copy of
the real build whose names hold URLs and e-mail addresses, with a workshop and proposals holding
them too. Every text of every element Streamlit renders as markdown (bodies, labels, radio
options, captions, alerts, headings...) is checked with remark-gfm's own autolink patterns
(``tests/autolinks.py``). As found: a proposal's ``http://…`` was a clickable link on the room's
screen, in moderation, in the map's details and on « Proposer », even after escaping."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from geo.participation.auth import system_staff
from geo.participation.database import open_sqlite
from geo.participation.proposals import Submission, Workshop
from geo.sources import store as build_store
from tests.autolinks import gfm_links
from tests.buildcopy import rewrite_layer
from tests.staff import open_for_the_room

ROOT = Path(__file__).resolve().parents[2]
URLS = "http://evil.example/x www.evil.example qui@evil.example"
#: Elements Streamlit never renders as markdown (their text cannot become a link).
NOT_MARKDOWN = {"code", "text", "html", "arrow_data_frame", "dataframe", "json", "imgs",
                "component_instance"}
#: Widgets whose label and help are markdown but whose options and values are plain text.
PLAIN_OPTIONS = {"selectbox", "multiselect", "text_input", "text_area", "date_input",
                 "number_input"}
STAFF = system_staff("claire")


def strings(message: Message) -> list[str]:
    out = []
    for _field, value in message.ListFields():
        values = value if isinstance(value, (list, tuple)) or hasattr(value, "extend") \
            else [value]
        for item in values:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, Message):
                out.extend(strings(item))
    return out


def json_strings(value: object) -> list[str]:
    """Every string inside a decoded JSON value."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in json_strings(item)]
    return []


def rendered_markdown(node) -> list[str]:
    """Every string of every element of the page that Streamlit may render as markdown, and
    the texts a page component (``st.components.v2``) shows from its JSON data, decoded (the
    map's « Liste »): data text must not look like a link there either."""
    out = []
    proto, kind = getattr(node, "proto", None), getattr(node, "type", None)
    if proto is not None and kind in PLAIN_OPTIONS:
        out.extend([proto.label, proto.help])
    elif proto is not None and kind == "bidi_component":
        out.extend(json_strings(json.loads(proto.json or "null")))
    elif proto is not None and kind not in NOT_MARKDOWN:
        out.extend(strings(proto))
    for child in getattr(node, "children", {}).values():
        out.extend(rendered_markdown(child))
    return out


def links(at: AppTest) -> list[str]:
    return [link for text in rendered_markdown(at._tree) for link in gfm_links(text)
            if "evil" in link]


@pytest.fixture(scope="module")
def hostile(real_build, tmp_path_factory):
    """A build copy whose names hold URLs, and a proposals database whose workshop names,
    texts and first names do; (school fid, proposal id)."""
    root = tmp_path_factory.mktemp("autolinks")
    build = root / "build-autolinks"
    shutil.copytree(real_build, build)
    quartiers = build_store.load_layer("quartiers", build)
    quartiers.loc[quartiers["source_id"] == "7512001", "name"] = f"Belleville {URLS}"
    rewrite_layer(build, "quartiers", quartiers)
    schools = build_store.load_layer("schools_maternelle", build)
    fid = schools.loc[schools["c_ar"] == 20, "fid"].iloc[0]
    schools.loc[schools["fid"] == fid, "name"] = f"École {URLS}"
    rewrite_layer(build, "schools_maternelle", schools)
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    manifest["layers"]["fountains"]["title_fr"] = f"Fontaines {URLS}"
    (build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
    os.symlink(build.name, root / "current")

    db = open_sqlite(root / "proposals.sqlite3")
    workshop = open_for_the_room(db, Workshop("evil-2026-11-26", f"Atelier {URLS}", "2026-11-26"),
                                 "canicule")
    db.set_screen(STAFF, workshop.slug, "live")
    other = Workshop("autre-2026-11-27", f"Autre {URLS}", "2026-11-27")
    db.create_workshop(STAFF, other)
    ids = [db.submit(Submission(f"a{n}", workshop.slug, "t", "water", f"Texte {n} {URLS}", 2.39,
                                48.86, first_name="Zoé www.evil.example"),
                     client_key="k").proposal.id for n in range(2)]
    db.set_status(STAFF, ids[:1], "approved")
    return root, fid, ids[0]


@pytest.fixture
def env(hostile, monkeypatch):
    root, fid, proposal = hostile
    monkeypatch.setenv("RESILIENCE_BUILD_ROOT", str(root))
    monkeypatch.setenv("RESILIENCE_PROPOSALS_SQLITE", str(root / "proposals.sqlite3"))
    monkeypatch.delenv("RESILIENCE_PROPOSALS_DATABASE_URL", raising=False)
    from geo.ui import map as map_ui

    map_ui._proposal_layer.clear()
    yield fid, proposal
    map_ui._proposal_layer.clear()


def run(page: str, runs: int = 1, staff=None, **params) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    if staff is not None:
        at.session_state["staff.member"] = staff
    at.switch_page(f"pages/{page}.py")
    for _ in range(runs):
        at.run()
    assert not at.exception, at.exception
    return at


def test_the_check_finds_the_links_escaping_alone_left():
    assert gfm_links(URLS.replace(".", "\\.").replace(":", "\\:")) != []


@pytest.mark.parametrize("page, params", [
    ("map", {"layers": "quartiers,proposals,schools_maternelle,fountains"}),
    ("flood", {}), ("heat", {}), ("actions", {}), ("sources", {}), ("downloads", {}),
    ("sheet", {"quartier": "7512001"}), ("workshop", {}), ("workshop", {"workshop": "autre-2026-11-27"}),
    ("propose", {}),
])
def test_no_data_or_user_text_becomes_a_link(env, page, params):
    at = run(page, runs=2, **params)
    assert links(at) == []


def test_map_details_of_a_feature_and_a_proposal_and_the_search(env):
    fid, proposal = env
    for sel in (fid, f"proposals:{proposal}"):
        at = run("map", runs=2, layers="quartiers,proposals,schools_maternelle", sel=sel)
        shown = " ".join(rendered_markdown(at._tree))
        assert "evil" in shown  # the details are there ...
        assert links(at) == []  # ... as text
    at.sidebar.text_input(key="map.search").input("École").run()
    assert any("evil" in b.label for b in at.sidebar.button) and links(at) == []


def test_sheet_of_a_facility_and_moderation(env):
    fid, _ = env
    assert links(run("sheet", fid=fid)) == []
    at = run("moderation", staff=STAFF)
    at.selectbox(key="moderation.workshop").set_value("evil-2026-11-26").run()
    assert "Texte 0" in " ".join(rendered_markdown(at._tree)) and links(at) == []


def test_a_participants_own_proposals_list(env):
    at = run("propose")
    at.radio(key="propose.where").set_value("place").run()
    at.selectbox(key="propose.place").select_index(0)  # no place is chosen for the participant
    at.text_area(key="propose.text.0").input(f"Encore {URLS}")
    next(b for b in at.button if b.proto.label == "Envoyer").click().run()
    assert not at.exception and "Encore" in " ".join(rendered_markdown(at._tree))
    assert links(at) == []

