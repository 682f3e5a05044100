"""The map the layers are added to: Leaflet served by the app (no CDN), the optional online
tile layers, and the view (centre, zoom) that shows given bounds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import folium
from branca.element import Element

from geo.map.accessible import VIEWPORT, VIEWPORT_FOLIUM, AccessibleMap
from geo.map.assets import LEAFLET_CSS, LEAFLET_JS
from geo.map.elements import ReportGate
from geo.map.geojson import COORD_DECIMALS
from geo.map.symbols import ShapeMarkers


class OfflineMap(folium.Map):
    """A ``folium.Map`` whose only assets are Leaflet's JS and CSS served by the app itself.

    Folium's defaults point at public CDNs (and jQuery, Bootstrap, Font Awesome); streamlit-folium
    loads every element's ``default_js``/``default_css`` into its iframe, so they are replaced.
    Folium's header also forbids zooming the frame (``user-scalable=no``): the viewport line is
    rewritten so that pinch zoom works (``geo.map.accessible``).
    """

    default_js = [("leaflet", LEAFLET_JS)]
    default_css = [("leaflet_css", LEAFLET_CSS)]

    def render(self, **kwargs) -> None:
        super().render(**kwargs)
        header = self.get_root().header
        name = self.get_name()
        rendered = header._children[name].render() if name in header._children else ""
        if VIEWPORT_FOLIUM in rendered:
            start = rendered.index("<meta")
            end = rendered.index("/>", start) + 2
            header._children[name] = Element(rendered[:start] + VIEWPORT + rendered[end:])


@dataclass(frozen=True)
class Basemap:
    id: str
    url: str
    attribution: str
    max_zoom: int


BASEMAP_TILES = {
    "ign": Basemap(
        "ign",
        "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
        "&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2&STYLE=normal&TILEMATRIXSET=PM"
        "&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}",
        '&copy; <a href="https://www.ign.fr/">IGN</a> — Plan IGN v2 (Géoplateforme)', 19),
    "osm": Basemap("osm", "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                   '&copy; <a href="https://www.openstreetmap.org/copyright">'
                   "OpenStreetMap</a> contributors", 19),
}


def base_map(center: tuple[float, float], zoom: int, basemap: str = "none") -> folium.Map:
    """The map the layers are added to: identical between reruns for a given basemap (and in
    both languages), so streamlit-folium keeps it mounted (layers, view and selection change in
    place).
    It draws point symbols on the canvas (``L.shapeMarker``) and is keyboard-usable
    (``geo.map.accessible``)."""
    fmap = OfflineMap(location=list(center), zoom_start=zoom, tiles=None, prefer_canvas=True,
                      control_scale=True, min_zoom=11, max_zoom=19)
    ReportGate().add_to(fmap)
    ShapeMarkers().add_to(fmap)
    AccessibleMap().add_to(fmap)
    tiles = BASEMAP_TILES.get(basemap)
    if tiles is not None:
        folium.TileLayer(tiles.url, attr=tiles.attribution, name=tiles.id,
                         max_zoom=tiles.max_zoom).add_to(fmap)
    return fmap


def zoom_for_bounds(bounds: Sequence[float], width_px: int = 640, height_px: int = 600,
                    max_zoom: int = 17) -> int:
    """The largest Web-Mercator zoom at which ``(west, south, east, north)`` fits the size."""
    west, south, east, north = bounds

    def merc_y(lat: float) -> float:
        rad = math.radians(lat)
        return math.log(math.tan(math.pi / 4 + rad / 2))

    for zoom in range(max_zoom, 0, -1):
        world = 256 * 2 ** zoom
        width = (east - west) / 360 * world
        height = (merc_y(north) - merc_y(south)) / (2 * math.pi) * world
        if width <= width_px and height <= height_px:
            return zoom
    return 1


def view_for_bounds(bounds: Sequence[float], point_zoom: int = 17) -> tuple[float, float, int]:
    """(lat, lon, zoom) showing ``(west, south, east, north)`` whole; a point gets ``point_zoom``."""
    west, south, east, north = (float(v) for v in bounds)
    zoom = point_zoom if (west, south) == (east, north) else zoom_for_bounds((west, south, east, north))
    return (round((south + north) / 2, COORD_DECIMALS), round((west + east) / 2, COORD_DECIMALS),
            zoom)
