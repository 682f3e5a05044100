"""The street graph as a source: the text reader (``geo.sources.streetgraph``), its registry entry
and the build pipeline for a line layer, on small synthetic files whose answers are known."""

from __future__ import annotations

import pytest

from geo.core.errors import SourceError
from geo.sources.build import process_layer
from geo.sources.fetch import _raw
from geo.sources.quirks import street_graph
from geo.sources.registry import load_registry
from geo.sources.streetgraph import published_length_ratio, read_street_graph

#: Three junctions of the 20e on a meridian about 111 m apart; published lengths 1.3× too long,
#: segment 0-1 one-way for cars (D = 1), 1-2 two-way.
GOOD = ("3 2 100 1 0\n48.860 2.390\n48.861 2.390\n48.862 2.390\n"
        "0 1 1 10 144.6\n2 1 2 10 144.6\n")


def raw(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return _raw("/mirror/street_graph/paris.txt", "paris.txt", data)


def test_segments_become_lines_with_recomputed_lengths():
    graph = read_street_graph("street_graph", raw(GOOD))
    assert len(graph) == 2 and graph.crs == "EPSG:4326"
    assert list(graph["segment"]) == ["0-1", "2-1"]
    assert graph["length_m"].tolist() == pytest.approx([111.2, 111.2], abs=0.3)
    assert graph["oneway"].tolist() == [1, 0]
    assert graph["published_length_m"].tolist() == [144.6, 144.6]
    assert published_length_ratio(graph) == pytest.approx(1.30, abs=0.01)
    first = graph.geometry.iloc[0]
    assert first.coords[0] == (2.390, 48.860) and first.coords[1] == (2.390, 48.861)


@pytest.mark.parametrize(("text", "problem"), [
    ("x y\n", "line 1: the header"),
    ("3 2 100 1 0\n48.86 2.39\n48.861 2.39\n0 1 1 10 100\n", "announces 3 junctions and 2 segments"),
    ("2 1 100 1 0\n48.86 2.39\n48.861 abc\n0 1 1 10 100\n", "line 3: not numbers"),
    ("2 1 100 1 0\n48.86 2.39\n48.861 2.39\n0 1 1 10\n", "line 4: expected 5 values"),
    ("2 1 100 1 0\n48.86 2.39\n48.861 2.39\n0 7 1 10 100\n", "outside 0..1"),
    ("2 1 100 1 0\n4886 239\n48.861 2.39\n0 1 1 10 100\n", "not latitude/longitude"),
    (b"2 1 100 1 0\n48.86 2.39\n48.861 2.39\n0 1 1 10 100\xe9\n", "not a text file"),
])
def test_broken_files_name_the_layer_the_file_and_the_line(text, problem):
    with pytest.raises(SourceError) as info:
        read_street_graph("street_graph", raw(text))
    message = str(info.value)
    assert "layer 'street_graph'" in message and "/mirror/street_graph/paris.txt" in message
    assert problem in message


def test_registry_entry_is_a_derived_2014_line_layer_of_the_mirror():
    spec = load_registry().layer("street_graph")
    assert spec.status == "derived" and spec.geometry == "line" and spec.theme == "network"
    assert "2014" in spec.title_fr and "2014" in spec.title_en
    assert spec.files == ("street_graph_paris_2014_derived/paris_54000.txt",)
    assert spec.parser == "street_graph" and not spec.online  # mirror only: online builds have no graph
    assert "OpenStreetMap" in spec.attribution and spec.licence == "ODbL"


def test_the_build_pipeline_validates_and_normalises_a_line_layer():
    spec = load_registry().layer("street_graph")
    gdf, count, warnings = process_layer(spec, [raw(GOOD)])
    assert count == 2 and len(gdf) == 2
    assert list(gdf["fid"]) == ["street_graph:0-1", "street_graph:2-1"]
    assert set(gdf.geom_type) == {"LineString"}
    # kept fields, as text like every official field of a build
    assert [round(float(v)) for v in gdf["length_m"]] == [111, 111] and gdf["u"].tolist() == ["0", "2"]
    assert any("published length_m ignored (median 1.30×" in w for w in warnings)
    _, parser_warnings = street_graph(spec, [raw(GOOD)])
    assert "one-way flags kept but ignored for walking" in parser_warnings[0]
