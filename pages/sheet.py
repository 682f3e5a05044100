"""« Fiche »: one facility (``?fid=…``) or one quartier (``?quartier=…``), linkable and printable."""

import json
from urllib.parse import urlencode

import streamlit as st

from geo.analysis.exposure import method_text
from geo.core.errors import CatalogueError, ResilienceError
from geo.core.text import escape_html
from geo.reports import sheets
from geo.sources.provenance import provenance_line
from geo.ui import actions as actions_ui
from geo.ui import analysis as analysis_ui
from geo.ui import base as ui

# Printing gives the sheet alone: no sidebar, header, toolbar, pickers or buttons.
PRINT_CSS = """<style>
@media print {
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stSidebarCollapsedControl"], header,
  .st-key-sheet-pickers, .st-key-sheet-print { display: none !important; }
  [data-testid="stMain"], [data-testid="stAppViewContainer"] { overflow: visible !important; }
  [data-testid="stMainBlockContainer"] { padding: 0 !important; max-width: 100% !important; }
}
</style>"""


def _link(**params: str) -> str:
    """Relative link to another sheet, keeping the language of the current one."""
    if ui.lang() != "fr":
        params["lang"] = ui.lang()
    return "fiche?" + "&".join(f"{key}={value}" for key, value in params.items())


def _map_link(layers: tuple[str, ...], sel: str | None = None) -> str:
    """Markdown link to the map showing these layers (and the feature ``sel`` selected)."""
    params = {"layers": ",".join(layers), **({"sel": sel} if sel else {})}
    if ui.lang() != "fr":
        params["lang"] = ui.lang()
    return f"[{ui.t('expo.sheet.on_map')}](./?{urlencode(params)})"


def _print_button() -> None:
    """A button opening the browser's print dialog (the print layout shows the sheet alone). Its
    frame is a whole document: language, title and a main region (WCAG 3.1.1, 2.4.2)."""
    label = ui.t("expo.sheet.print")
    with st.container(key="sheet-print"):
        st.iframe(f"""<!DOCTYPE html><html lang="{ui.lang()}"><head><meta charset="utf-8">
            <title>{escape_html(label)}</title></head><body style="margin:0"><main>
            <button onclick="window.parent.print()" style="font: 14px sans-serif; color: #111;
            padding: 6px 14px; border: 1px solid #767676; border-radius: 6px; background: #fff;
            cursor: pointer"></button></main><script>document.querySelector("button").append(
            {json.dumps(label)})</script></body></html>""", height=44)


def _sources(layer_ids: tuple[str, ...], manifest: dict) -> None:
    st.header(ui.t("expo.sheet.sources"))
    st.caption(ui.t("expo.sheet.build", build=ui.escape_md(manifest["build_id"]),
                    date=manifest["built_at"][:10]))
    st.markdown("\n".join(f"- {provenance_line(manifest, layer_id, ui.lang())}"
                           for layer_id in layer_ids if layer_id in manifest["layers"]))


def facility(result, fid: str, manifest: dict) -> None:
    sheet = sheets.facility_sheet(result, fid)
    st.title(ui.escape_md(sheet.name))
    category = ui.t(f"expo.category.{sheet.category}")
    st.markdown(f"{category} · {ui.escape_md(sheet.address)} · "
                f"[{ui.escape_md(sheet.quartier_name)}]({_link(quartier=sheet.quartier)})")
    st.markdown(_map_link(("arrondissements", "quartiers", sheet.layer, "cool_facilities",
                           "cool_green_points", "fountains"), sheet.fid))
    if sheet.old:
        st.warning(ui.t("expo.heat.creche_note"))
    acc = result.settings.access
    figures, nearest = sheets.facility_tables(sheet, acc.target_minutes, ui.lang())
    st.markdown(figures)
    st.header(ui.t("expo.sheet.nearest"))
    st.markdown(nearest)
    st.caption(method_text(acc, ui.lang()))

    st.header(ui.t("expo.sheet.flood"))
    st.write(ui.t("expo.sheet.flood_text", metres=ui.num(sheet.zone_m),
                  zone=ui.escape_md(sheet.zone)))
    if sheet.host_category:
        st.write(ui.t("expo.sheet.host", category=ui.t(f"expo.category.{sheet.host_category}")))

    if sheet.iris is not None:
        st.header(ui.t("expo.sheet.iris"))
        iris = sheet.iris
        st.write(ui.t("expo.sheet.iris_text", code=iris.code, name=ui.escape_md(iris.name),
                      heat_class=ui.t(f"expo.heat_class.{iris.heat_class}"),
                      score=ui.num(iris.heat_score, 2), population=ui.num(iris.population),
                      old=ui.num(iris.population_75_plus)))
        st.caption(ui.t("expo.heat.derived_note"))
    _actions(sheet)
    _sources(sheet.layers, manifest)


def _actions(sheet: sheets.FacilitySheet) -> None:
    """Resilience actions the catalogue (geo.actions.catalogue, data/actions.toml) links to this feature."""
    st.header(ui.t("expo.sheet.actions"))
    try:
        catalogue = actions_ui.catalogue()
        frame = ui.layer(sheet.layer)
        hit = frame[frame["fid"] == sheet.fid]
        row = hit.drop(columns=frame.geometry.name).iloc[0].to_dict() if len(hit) else sheet.row
        links = catalogue.feature_links(sheet.layer, row)
    except CatalogueError as exc:
        ui.show_error(exc)
        return
    if links:
        st.markdown("\n".join(sheets.action_lines(catalogue, links, ui.lang())))
    else:
        st.caption(ui.t("expo.sheet.actions_none"))


def quartier(result, code: str, manifest: dict) -> None:
    sheet = sheets.quartier_sheet(result, code)
    f = sheet.figures
    st.title(ui.t("expo.sheet.quartier_title", name=ui.escape_md(sheet.name), code=sheet.code))
    st.markdown(_map_link(("arrondissements", "quartiers", "access_gap", "cool_facilities",
                           "cool_green_points", "iris_heat")))
    acc = result.settings.access
    st.markdown(sheets.quartier_figures_table(sheet, acc.target_minutes, ui.lang()))
    st.caption(method_text(acc, ui.lang()))
    st.write(ui.t("expo.sheet.quartier_text", area=f"{f['area_km2']:.2f}",
                  old=ui.num(f.get("population_75_plus", float("nan"))),
                  score=ui.num(f.get("heat_score", float("nan")), 2),
                  high=f"{f.get('high_share', float('nan')):.0%}", gaps=sheet.gap_cells))

    for heading, table in sheets.quartier_tables(sheet, ui.lang(), lambda fid: _link(fid=fid)):
        st.header(heading)
        st.markdown(table)
    if len(sheet.councils):
        st.caption(ui.t("expo.heat.derived_note"))
    _sources(sheet.layers, manifest)


def _pick(kind: str) -> None:
    """A picker changed: the URL names the new sheet (and only it), the other picker is emptied."""
    other = {"fid": "quartier", "quartier": "fid"}[kind]
    st.query_params.pop(other, None)
    st.session_state[f"sheet.{other}"] = None
    value = st.session_state[f"sheet.{kind}"]
    if value:
        st.query_params[kind] = value
    else:
        st.query_params.pop(kind, None)


st.html(PRINT_CSS)
manifest = ui.require_build()
try:
    result = analysis_ui.analysis()
    facilities, quartiers = sheets.sheet_options(result)
    fid = st.query_params.get("fid")
    code = st.query_params.get("quartier")
    st.session_state.setdefault("sheet.fid", fid if fid in facilities else None)
    st.session_state.setdefault("sheet.quartier", code if code in quartiers else None)
    with st.container(key="sheet-pickers"):
        left, right = st.columns(2)
        left.selectbox(ui.t("expo.sheet.pick_facility"), list(facilities), key="sheet.fid",
                       format_func=lambda k: facilities[k], on_change=_pick, args=("fid",),
                       placeholder=ui.t("expo.sheet.placeholder"))
        right.selectbox(ui.t("expo.sheet.pick_quartier"), list(quartiers), key="sheet.quartier",
                        format_func=lambda k: quartiers[k], on_change=_pick, args=("quartier",),
                        placeholder=ui.t("expo.sheet.placeholder"))
    if fid and fid not in facilities or code and not fid and code not in quartiers:
        st.title(ui.t("expo.nav.sheet"))  # every state of the page has its h1
        st.error(ui.t("expo.sheet.unknown", value=ui.escape_md(fid or code)))
    elif fid or code:
        _print_button()
        (facility(result, fid, manifest) if fid else quartier(result, code, manifest))
    else:
        st.title(ui.t("expo.nav.sheet"))
        st.info(ui.t("expo.sheet.none"))
except ResilienceError as exc:
    ui.show_error(exc)
