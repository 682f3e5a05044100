"""The live map view of each sheet and its drawing on paper.

A sheet shows one view of the live map (``geo.map.state.MapState``): a quartier sheet the quartier
(filtered and outlined) with the refuge gap at one time of day, the refuges and the host sites; a
facility sheet the facility (selected) and its surroundings. The same state gives the sheet's link
back to the live map (its URL, in the QR code) and the printed map (``geo.map.printmap``: the same
selection of features, drawn with the same styles), with the map's own legend
(``geo.map.legend``), its attribution and a text alternative listing what it shows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import geopandas as gpd

from geo.core.i18n import number, t
from geo.core.settings import METRIC_CRS
from geo.map import printmap
from geo.map.layers import LAYERS, PERIODS, layer_title
from geo.map.legend import legend, legend_html
from geo.map.state import DEFAULT_BASEMAP, DEFAULT_PERIOD, MapState, to_params
from geo.reports.document import Html, esc, join, svg_image, tag

#: Layers of a quartier sheet's map: context, the refuge gap at the sheet's time of day, the
#: refuges (cool facilities and parks) and the flood host sites sized by capacity.
QUARTIER_LAYERS = ("arrondissements", "quartiers", "green_spaces", "refuge_gap", "cool_facilities",
                   "host_capacity")
#: Layers of a facility sheet's map (the facility's own layer is added): its surroundings.
FACILITY_LAYERS = ("arrondissements", "quartiers", "green_spaces", "refuge_gap", "cool_facilities",
                   "cool_green_points", "fountains")
#: The live map's zoom on a facility, and the width of its printed surroundings (metres).
FACILITY_ZOOM = 16
FACILITY_SPAN_M = 1100.0
#: Path of the short links (``/v/<quartier code or fid>``) the app redirects to the live view.
SHORT_PATH = "v"
#: Printed map size (CSS px): the quartier sheet's and the facility sheet's.
QUARTIER_MAP_PX = (470.0, 360.0)
FACILITY_MAP_PX = (470.0, 215.0)
#: The printed map's scale against the screen: its drawing (470 CSS px wide) fills the map column
#: of the sheet (3/5 of the A4 text width, 210 − 2 × 12 mm, less the 3 mm gap: see
#: ``geo.reports.document``), so its symbols print at about 0.88 of their size in CSS px; the
#: legend beside it draws its symbols at the same scale.
PRINTED_MAP_SCALE = (210 - 2 * 12 - 3) * 0.6 / (QUARTIER_MAP_PX[0] * 25.4 / 96)


def app_root(url: str) -> str:
    """The app's root address from any of its page addresses (``st.context.url`` or
    ``RESILIENCE_PUBLIC_URL``): scheme, host and path prefix, ending with ``/``.

    Raises
    ------
    ValueError
        Not an http(s) address.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an http(s) address: {url!r}")
    prefix = parts.path if parts.path.endswith("/") else parts.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((parts.scheme, parts.netloc, prefix or "/", "", ""))


def live_url(root: str, state: MapState, lang: str) -> str:
    """The live map (the app's home page) showing ``state``, in ``lang``: the parameters of
    ``geo.map.state.to_params`` but the default base map (none: the map opens offline
    anyway), commas and colons left readable (a shorter QR code)."""
    params = to_params(state)
    if params.get("basemap") == DEFAULT_BASEMAP:
        del params["basemap"]
    if lang != "fr":
        params["lang"] = lang
    return f"{root}?{urlencode(params, safe=',:|;')}"


def short_url(root: str, ident: str, period: str, lang: str) -> str:
    """The printed short link of a sheet's live view: ``<root>v/<quartier code or fid>``, with
    ``?t=<time of day>`` and ``lang`` when not the defaults; the app redirects it to
    :func:`live_url` (``geo.ui.sheet_links``)."""
    query = {**({"t": period} if period != DEFAULT_PERIOD else {}),
             **({"lang": lang} if lang != "fr" else {})}
    return f"{root}{SHORT_PATH}/{quote(ident, safe=':')}" + (f"?{urlencode(query)}" if query else "")


def parse_short(ident: str, period: str | None, lang: str | None) -> tuple[str, str, str, str]:
    """(kind, id, time of day, language) of a short link: kind ``"quartier"`` for a 7-digit code,
    ``"facility"`` for a fid (``layer:id``); unknown times and languages fall back to the defaults.

    Raises
    ------
    ValueError
        Neither a quartier code nor a fid.
    """
    if ident.isdigit() and len(ident) == 7:
        kind = "quartier"
    elif ":" in ident and len(ident) <= 200 and ident.split(":", 1)[0] in LAYERS:
        kind = "facility"
    else:
        raise ValueError(f"not a sheet: {ident!r}")
    return kind, ident, check_period(period or DEFAULT_PERIOD), lang if lang in ("fr", "en") else "fr"


def file_name(title: str, ident: str, period: str) -> str:
    """« fiche-pere-lachaise-7512003-night »: a sheet's file name, plain ASCII (accents dropped,
    every other run of characters a dash)."""
    text = unicodedata.normalize("NFKD", f"fiche {title} {ident} {period}").encode("ascii", "ignore")
    return re.sub(r"[^a-z0-9]+", "-", text.decode("ascii").lower()).strip("-")


def quartier_state(code: str, period: str = DEFAULT_PERIOD) -> MapState:
    """The live view of a quartier sheet: its layers filtered on the quartier, at ``period``."""
    return MapState(layers=QUARTIER_LAYERS, quartier=code, period=period)


def facility_state(fid: str, layer_id: str, lat: float, lon: float,
                   period: str = DEFAULT_PERIOD) -> MapState:
    """The live view of a facility sheet: centred on it, selected, with its surroundings (no
    quartier filter), at ``period``."""
    layers = FACILITY_LAYERS + ((layer_id,) if layer_id in LAYERS and layer_id not in FACILITY_LAYERS
                                else ())
    return MapState(layers=layers, sel=fid, period=period).with_view(lat, lon, FACILITY_ZOOM)


@dataclass(frozen=True)
class SheetMap:
    """A sheet's printed map: the drawing, its legend (HTML), attribution and alternative."""

    drawing: printmap.MapDrawing
    legend: Html
    alt: str
    attribution: str


def _attribution(layer_ids: tuple[str, ...], info: Mapping[str, Mapping], lang: str) -> str:
    """« © Ville de Paris, Eau de Paris (ODbL) ; calculs de ce projet ; sans fond de carte »:
    the publishers of the layers drawn by licence (organisations; the sheet's « Sources » names
    their services and copies), the project's own computations (the layers the analyses derive)
    and the absence of a base map."""
    by_licence: dict[str, dict[str, None]] = {}
    derived = False
    for layer_id in layer_ids:
        entry = info.get(layer_id, {})
        if "publisher" in entry:  # the organisation (its directorate or copy is in « Sources »)
            publisher = re.sub(r"\s*\([^)]*\)", "", entry["publisher"]).strip()
            by_licence.setdefault(entry["licence"], {})[publisher] = None
        elif entry.get("status") == "derived":
            derived = True
    parts = [f"© {', '.join(publishers)} ({licence})" for licence, publishers in by_licence.items()]
    if derived:
        parts.append(t("sheet.map.derived", lang))
    parts.append(t("sheet.map.no_basemap", lang))
    return (" ; " if lang == "fr" else "; ").join(parts)


def _alt(drawing: printmap.MapDrawing, where: str, period: str, info: Mapping[str, Mapping],
         lang: str) -> str:
    """The map in words: where, when, then each layer with the number of its features in the
    frame (what a reader of the printed map sees)."""
    items = [f"{layer_title(info[lid], lang, tagged=False)} : {number(drawing.in_frame[lid], lang)}"
             if lang == "fr" else
             f"{layer_title(info[lid], lang, tagged=False)}: {number(drawing.in_frame[lid], lang)}"
             for lid in drawing.counts if lid in info]
    return t("sheet.map.alt", lang, where=where, time=t(f"refuges.time.{period}", lang),
             items=" ; ".join(items) if lang == "fr" else "; ".join(items))


def sheet_map(state: MapState, frame_of: Callable[[str], gpd.GeoDataFrame],
              info: Mapping[str, Mapping], kinds: Mapping[str, tuple[str, ...]],
              frame: printmap.PrintFrame, where: str, lang: str,
              highlights: Mapping[str, gpd.GeoDataFrame]) -> SheetMap:
    """Draw the live view ``state`` for a sheet. ``frame_of``: the map page's layer frames;
    ``info``: the map's layer entries (titles, status, provenance); ``kinds``: the kinds each
    layer coloured by kind holds (its legend lists only those)."""
    selection = printmap.view_selection(state, frame_of)
    drawing = printmap.draw_map(selection, frame, lang, where, highlights)
    entries = legend(state.layers, {lid: layer_title(info[lid], lang, tagged=False)
                                    for lid in state.layers if lid in info},
                     {lid: info[lid].get("status", "official") for lid in state.layers if lid in info},
                     lang, {lid: kinds[lid] for lid in state.layers if lid in kinds})
    return SheetMap(drawing=drawing, legend=Html(legend_html(entries, lang, PRINTED_MAP_SCALE)),
                    alt=_alt(drawing, where, state.period, info, lang),
                    attribution=_attribution(state.layers, info, lang))


def map_figure(drawn: SheetMap, time_note: str, lang: str) -> Html:
    """The map beside its legend (one block: never cut by a page break), the attribution and
    the time of day under it."""
    image = svg_image(drawn.drawing.svg, drawn.alt, class_="sheet-map")
    aside = join([tag("h3", t("sheet.map.legend", lang)), drawn.legend])
    caption = tag("figcaption", join([esc(time_note), Html(" · "), esc(drawn.attribution)]))
    return tag("figure", join([tag("div", join([tag("div", image, class_="wide"),
                                                tag("div", aside, class_="legend")]), class_="row"),
                               caption]), class_="map")


def metric_bounds(frame: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """Bounds of a frame in Lambert-93."""
    return tuple(frame.to_crs(METRIC_CRS).total_bounds)  # type: ignore[return-value]


def check_period(period: str) -> str:
    """``period`` when it is a time of day of the map, else the default one."""
    return period if period in PERIODS else DEFAULT_PERIOD
