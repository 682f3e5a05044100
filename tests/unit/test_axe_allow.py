"""The axe helper's pure parts: one violation per node with its frame and data-testid ancestry,
allow-list matching and its file, the counts of the closing note (synthetic axe results)."""

from __future__ import annotations

import pytest

from tests.browser.axe import (
    Allowed,
    Violation,
    axe_source,
    counts,
    flatten,
    load_allow_list,
    unexpected,
    unused,
)

RESULT = {"violations": [
    {"id": "color-contrast", "impact": "serious", "help": "Contrast",
     "nodes": [{"target": [".st-emotion-cache-x > p"], "impact": "serious", "html": "<p>Axe</p>",
                "context": "stApp > stSelectbox > stWidgetLabel[disabled] > stMarkdownContainer"},
               {"target": [["iframe", "#legend"]], "impact": "serious", "html": "<span>y</span>"}]},
    {"id": "region", "impact": "moderate", "help": "Landmarks",
     "nodes": [{"target": ["div.leaflet-control"], "html": "<div>"}]},
]}


def test_flatten_one_violation_per_node_with_frame_and_context():
    found = flatten(RESULT, "/component/streamlit_folium.st_folium/index.html")
    assert [v.rule for v in found] == ["color-contrast", "color-contrast", "region"]
    assert found[1].target == "iframe >>> #legend"
    assert found[2].impact == "moderate"  # taken from the rule when the node has none
    assert "stWidgetLabel[disabled]" in found[0].context and "stWidgetLabel" in str(found[0])


def test_only_unlisted_blocking_violations_fail():
    found = flatten(RESULT)
    allowed = [Allowed("color-contrast", r"stWidgetLabel\[disabled\]", "inactive component")]
    left = unexpected(found, allowed)
    assert [v.target for v in left] == ["iframe >>> #legend"]
    assert unexpected(found, allowed, impacts=("moderate",))[0].rule == "region"


def test_allow_entries_are_scoped_to_frames():
    top = Violation("meta-viewport", "moderate", "", "meta", "<meta>", "")
    inner = Violation("meta-viewport", "moderate", "/component/streamlit_folium/x", "meta", "<meta>", "")
    entry = Allowed("meta-viewport", "meta", "folium", frame="streamlit_folium")
    assert entry.matches(inner) and not entry.matches(top)
    assert Allowed("meta-viewport", "meta", "r").matches(top)
    assert unused([top], [entry]) == [entry]


def test_allow_list_file_needs_reasons(tmp_path):
    good = tmp_path / "ok.toml"
    good.write_text('[[allow]]\nrule = "region"\ntarget = "leaflet"\nreason = "map controls"\n')
    assert load_allow_list(good)[0].rule == "region"
    bad = tmp_path / "bad.toml"
    bad.write_text('[[allow]]\nrule = "region"\ntarget = "x"\n')
    with pytest.raises(ValueError, match="no reason"):
        load_allow_list(bad)


def test_the_checked_in_allow_list_loads_and_axe_is_the_pinned_one():
    from tests.browser.test_accessibility import ALLOW_LIST

    for entry in load_allow_list(ALLOW_LIST):
        assert len(entry.reason) > 40
    assert axe_source()[1] == "4.12.1"


def test_counts_by_rule_and_impact():
    assert counts(flatten(RESULT)) == {"color-contrast (serious)": 2, "region (moderate)": 1}
