"""The map draws each point layer with its symbol, the legend shows the same symbol, and the
map's frame is usable without a pointer (focus ring, named region, keys, pinch zoom)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from geo.core.palette import contrast_ratio
from geo.map.basemap import base_map
from geo.map.elements import feature_group, highlight_group
from geo.map.layers import LAYERS
from geo.map.legend import legend, legend_html
from geo.map.symbols import vertices

EMPTY = json.dumps({"type": "FeatureCollection", "features": []})


def rendered(group) -> str:
    """The map page's HTML with this one group on it."""
    fmap = base_map((48.86, 2.39), 14)
    group.add_to(fmap)
    return fmap.get_root().render()


def swatches(html: str) -> list[str]:
    return [base64.b64decode(data).decode() for data in re.findall(r"base64,([A-Za-z0-9+/=]+)", html)]


@pytest.mark.parametrize("layer_id", [lid for lid, layer in LAYERS.items() if layer.is_point])
def test_map_and_legend_draw_the_same_symbol(layer_id):
    layer = LAYERS[layer_id]
    script = rendered(feature_group(layer_id, EMPTY, "t"))
    assert f"shape: {json.dumps(layer.shape)}" in script
    assert json.dumps(layer.point_style())[1:-1] in script
    # the layer's swatch (a layer sized by a field then shows its symbol at each size)
    svg = swatches(legend_html(legend([layer_id], {}, {}, "fr"), "fr"))[0]
    assert f'fill="{layer.colour}"' in svg and 'stroke="#000000"' in svg
    if layer.shape == "circle":
        assert "<circle" in svg
    else:
        assert svg.count(",") == len(vertices(layer.shape))  # one x,y pair per vertex


def test_legend_chips_text_by_contrast_and_areas_with_their_outline():
    html = legend_html(legend(["iris_heat", "green_spaces"], {}, {}, "en"), "en")
    chips = re.findall(r"background:(#[0-9a-f]{6});color:(#[0-9a-f]{6})", html)
    assert len(chips) == len(LAYERS["iris_heat"].scale.colours)
    assert ("#fb6a4a", "#000000") in chips  # white on it was 2.89:1
    assert all(contrast_ratio(text, back) >= 4.5 for back, text in chips)
    assert any(f'stroke="{LAYERS["green_spaces"].outline}"' in svg for svg in swatches(html))
    assert "<svg" not in html  # Streamlit's sanitiser drops inline SVG: images only
    assert html.count('alt=""') == 2  # decorative: the text names each layer


def test_highlight_is_a_ring_over_a_halo():
    script = rendered(highlight_group(EMPTY))
    assert script.count("L.geoJSON(") == 2
    halo, ring = re.findall(r'var s = f\.geometry\.type === "Point" \? (\{.*?\}) :', script)
    assert json.loads(halo)["color"] == "#ffffff" and json.loads(ring)["color"] == "#000000"
    assert json.loads(halo)["weight"] > json.loads(ring)["weight"] and json.loads(ring)["highlight"]


def test_map_frame_is_keyboard_ready_and_zoomable():
    html = base_map((48.86, 2.39), 14).get_root().render()
    assert "user-scalable=no" not in html and "maximum-scale" not in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1.0" />' in html
    assert ".leaflet-container:focus-visible" in html and "outline: 3px solid #000" in html
    assert "window.parent.document.documentElement.lang" in html
    assert 'box.setAttribute("role", "region")' in html
    # both languages are in the script: the map's script does not change with the language
    assert "flèches pour la déplacer" in html and "arrow keys to move it" in html
    assert "Zoom avant" in html and "Zoom in" in html
    assert "L.ShapeMarker = L.CircleMarker.extend" in html


def test_a_printed_legend_draws_its_symbols_at_the_printed_map_scale():
    entries = legend(["host_capacity", "libraries"], {}, {}, "fr")
    live, printed = legend_html(entries, "fr"), legend_html(entries, "fr", symbol_scale=0.5)

    def sizes(html: str) -> list[tuple[float, float]]:
        return [(float(w), float(h)) for svg in swatches(html)
                for w, h in [re.search(r'width="([\d.]+)" height="([\d.]+)"', svg).groups()]]

    assert len(sizes(live)) == len(sizes(printed)) > 2  # the sized layer shows several steps
    for (w, h), (pw, ph) in zip(sizes(live), sizes(printed), strict=True):
        # the SVG's own size (WeasyPrint's PDF reads it, not the <img> attributes)
        assert (pw, ph) == pytest.approx((w / 2, h / 2), abs=0.06)
    assert re.findall(r'<img[^>]*width="([\d.]+)"', printed)[0] == f"{sizes(printed)[0][0]:.1f}"
