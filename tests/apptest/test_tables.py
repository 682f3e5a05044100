"""The analysis pages' tables as text (``geo.ui.tables``) through AppTest: hostile data reads as
typed and does nothing, numbers are written for the page's language, links go to the app's own
pages, long tables fold, an empty one says so; and « Inondation » / « Chaleur » draw no data
grid (its JavaScript is what put their cold load over 1 MB, issue 13)."""

from __future__ import annotations

import math
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.md_tables import tables

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "<img src=x onerror=alert(1)> | www.example.com **gras** [x](javascript:alert(1))"


def show_tables() -> None:
    import pandas as pd

    from geo.ui import tables as ui_tables

    ui_tables.table(pd.DataFrame({
        "Nom": ["<img src=x onerror=alert(1)> | www.example.com **gras** [x](javascript:alert(1))",
                "Saint-Blaise"],
        "Valeur": [1234.5, None],
        "Compte": [3, 12000],
        "Fiche": ["fiche?fid=a:b)c", None],
    }), links={"Fiche": "fiche"})
    ui_tables.table(pd.DataFrame({"n": list(range(30))}), what="lignes")
    ui_tables.table(pd.DataFrame({"n": []}))


def run(lang: str = "fr") -> AppTest:
    at = AppTest.from_function(show_tables, default_timeout=30)
    at.query_params["lang"] = lang
    return at.run()


def test_hostile_text_reads_as_typed_and_does_nothing():
    at = run()
    assert not at.exception
    first = tables(at)[0]
    assert list(first.columns) == ["Nom", "Valeur", "Compte", "Fiche"]  # « | » split no cell
    assert first["Nom"].tolist() == [HOSTILE, "Saint-Blaise"]
    raw = at.markdown[0].value
    assert "<img" not in raw and "&lt;img" in raw
    assert "](javascript" not in raw and "www.example" not in raw  # no link, no autolink
    assert "**gras**" not in raw


def test_numbers_for_the_language_missing_values_and_links():
    at = run()
    raw = at.markdown[0].value
    assert raw.splitlines()[1] == "|---|---:|---:|---|"  # numbers aligned right, text and links left
    assert "| 1\u202f234,5 |" in raw and "| 12\u202f000 |" in raw and "| — |" in raw
    first = tables(at)[0]
    assert first["Valeur"].iloc[0] == 1234.5 and math.isnan(first["Valeur"].iloc[1])
    assert first["Compte"].tolist() == [3, 12000]
    # the link's label is fixed, its URL the app's own page with the value percent-encoded
    assert "[fiche](fiche?fid=a%3Ab%29c)" in raw
    assert first["Fiche"].iloc[0] == "fiche?fid=a%3Ab%29c" and math.isnan(first["Fiche"].iloc[1])
    english = run("en").markdown[0].value
    assert "| 1,234.5 |" in english and "| 12,000 |" in english


def test_a_long_table_folds_and_an_empty_one_says_so():
    at = run()
    [folded] = at.expander
    assert folded.label == "Afficher le tableau (30 lignes)"
    assert tables(folded)[0]["n"].tolist() == list(range(30))
    assert "Aucune ligne." in [c.value for c in at.caption]


def test_the_analysis_pages_draw_no_data_grid(real_build):
    flood = AppTest.from_file(str(ROOT / "pages" / "flood.py"), default_timeout=90).run()
    heat = AppTest.from_file(str(ROOT / "pages" / "heat.py"), default_timeout=90).run()
    heat.toggle(key="heat.more").set_value(True).run()
    for at in (flood, heat):
        assert not at.exception and not at.error
        assert not at.dataframe and not at.table
        assert len(tables(at)) >= 7
