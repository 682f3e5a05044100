"""Reading what the map reports back (``st_folium``'s return value): a click, carried by the fid in
the tooltip's text, and the view; and the view the app imposes on the map.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: Separator between the tooltip's visible text and the feature id: clicks are read from the
#: tooltip's text (streamlit-folium returns it), the fid is what follows the last separator.
FID_MARK = "\u241f"
COORD_DECIMALS = 5


@dataclass(frozen=True)
class MapReport:
    """What the map's last report changes: a new click (its tooltip and count, and the fid it
    carries) and a new view (``None`` when unchanged)."""

    click: tuple[str, int] | None = None
    fid: str | None = None
    view: tuple[float, float, int] | None = None


def read_report(out: Mapping[str, object] | None, last_click: tuple | None,
                view: tuple[float, float, int]) -> MapReport:
    """Decode ``st_folium``'s return value against the last click seen and the view asked.

    The click count tells a new click on the same feature (e.g. after its details were closed)
    from the same report coming back on a rerun.
    """
    out = out or {}
    click = (out.get("last_object_clicked_tooltip"), out.get("last_object_clicked_count"))
    new_click = click if click[0] and click != last_click else None
    center, zoom = out.get("center"), out.get("zoom")
    new_view = None
    if center and zoom:
        reported = (round(center["lat"], COORD_DECIMALS), round(center["lng"], COORD_DECIMALS), int(zoom))
        new_view = reported if reported != tuple(view) else None
    return MapReport(new_click, fid_from_tooltip(new_click[0]) if new_click else None, new_view)


def impose_view(target: tuple[float, float, int],
                last: tuple[float, float, float] | None) -> tuple[float, float, float]:
    """The ``center``/``zoom`` to give ``st_folium`` so that the map moves to ``target``.

    streamlit-folium moves the map only when these differ from the last ones it was given, so
    the page passes them only for moves the app decides (a quartier, a search hit, a link), never
    the view the user reported (passing it back, one run late, pulls the map back while the user
    is still moving it). When the app asks again for the view it asked last (the user has moved
    away since), a nudge far below a pixel (1e-7 degree, 1e-6 zoom level, which Leaflet snaps to
    the whole level) makes the values differ.
    """
    if last is None or tuple(float(v) for v in last) != tuple(float(v) for v in target):
        return target
    return (target[0] + 1e-7, target[1], target[2] + 1e-6)


def fid_from_tooltip(text: str | None) -> str | None:
    """The fid carried by a tooltip's text as streamlit-folium returns it (``None`` if absent)."""
    if not text or FID_MARK not in text:
        return None
    fid = text.rsplit(FID_MARK, 1)[1].strip()
    return fid or None
