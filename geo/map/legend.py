"""The map's legend: one entry per visible layer with its symbol, colour steps and status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.core.i18n import t
from geo.core.text import escape_html
from geo.map.layers import LAYERS


@dataclass(frozen=True)
class LegendEntry:
    layer_id: str
    title: str
    colour: str
    shape: str
    status: str
    dashed: bool = False
    steps: tuple[tuple[str, str], ...] = ()
    scale_label: str = ""
    #: (radius, range text) of a layer sized by a field, then its missing value
    sizes: tuple[tuple[float, str], ...] = ()


def legend(layer_ids: Iterable[str], titles: dict[str, str], statuses: dict[str, str],
           lang: str, kinds: dict[str, Iterable[str]] | None = None) -> list[LegendEntry]:
    """One legend entry per visible layer (drawing order), with the colour steps of scaled ones.
    ``kinds``: the kinds a layer holds in the build; a layer coloured by kind lists only those
    (the PPRI layer around the 20e holds zone B sectors only, so zone V is not in its legend)."""
    wanted = set(layer_ids)
    entries = []
    for layer in LAYERS.values():
        if layer.id not in wanted:
            continue
        shape = "point" if layer.is_point else ("area" if layer.fill else "line")
        steps = tuple(layer.scale.steps()) if layer.scale else ()
        if layer.kind_colours:
            held = set((kinds or {}).get(layer.id, dict(layer.kind_colours)))
            steps = tuple((colour, f"{t('map.zone', lang)} {kind}")
                          for kind, colour in layer.kind_colours if kind in held)
        sizes = ()
        if layer.size:
            sizes = (*layer.size.steps(), (layer.size.missing_radius, layer.size.missing(lang)))
        entries.append(LegendEntry(layer.id, titles.get(layer.id, layer.id), layer.colour, shape,
                                   statuses.get(layer.id, "official"), bool(layer.dash), steps,
                                   layer.scale.label(lang) if layer.scale
                                   else (layer.size.label(lang) if layer.size else ""), sizes))
    return entries


def _text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (#rrggbb)."""
    red, green, blue = (int(background[i:i + 2], 16) for i in (1, 3, 5))
    return "#000" if 0.299 * red + 0.587 * green + 0.114 * blue > 150 else "#fff"


def legend_html(entries: Sequence[LegendEntry], lang: str) -> str:
    """The legend as small HTML (titles escaped; status labels for derived and old layers)."""
    rows = []
    for entry in entries:
        if entry.shape == "point":
            swatch = (f'<span style="display:inline-block;width:11px;height:11px;'
                      f'border-radius:50%;background:{entry.colour};margin-right:6px"></span>')
        elif entry.shape == "area":
            swatch = (f'<span style="display:inline-block;width:14px;height:10px;'
                      f'background:{entry.colour};opacity:.7;margin-right:6px"></span>')
        else:
            line = "dashed" if entry.dashed else "solid"
            swatch = (f'<span style="display:inline-block;width:14px;height:0;'
                      f'border-top:2px {line} {entry.colour};margin-right:6px;'
                      f'vertical-align:middle"></span>')
        status = ""
        if entry.status != "official":
            status = f' <i style="color:#8a5a00">({escape_html(t(f"status.{entry.status}", lang))})</i>'
        rows.append(f'<div style="margin:2px 0">{swatch}{escape_html(entry.title)}{status}</div>')
        if entry.steps:
            cells = "".join(
                f'<span style="display:inline-block;padding:1px 6px;margin:1px;background:{colour};'
                f'color:{_text_colour(colour)}">{escape_html(text)}</span>'
                for colour, text in entry.steps)
            label = f"{escape_html(entry.scale_label)}<br>" if entry.scale_label else ""
            rows.append(f'<div style="margin:0 0 4px 18px">{label}{cells}</div>')
        if entry.sizes:
            *scaled, (missing_radius, missing_text) = entry.sizes
            missing_colour = LAYERS[entry.layer_id].size.missing_colour
            cells = "".join(
                f'<span style="display:inline-block;margin:1px 6px 1px 0;vertical-align:middle">'
                f'<span style="display:inline-block;width:{2 * r:g}px;height:{2 * r:g}px;'
                f'border-radius:50%;border:1.5px solid {entry.colour};vertical-align:middle;'
                f'margin-right:3px"></span>{escape_html(text)}</span>' for r, text in scaled)
            cells += (f'<span style="display:inline-block;vertical-align:middle">'
                      f'<span style="display:inline-block;width:{2 * missing_radius:g}px;'
                      f'height:{2 * missing_radius:g}px;border-radius:50%;background:{missing_colour};'
                      f'vertical-align:middle;margin-right:3px"></span>{escape_html(missing_text)}</span>')
            rows.append(f'<div style="margin:0 0 4px 18px">{escape_html(entry.scale_label)}<br>'
                        f'{cells}</div>')
    return f'<div class="map-legend" style="font-size:0.85em">{"".join(rows)}</div>'
