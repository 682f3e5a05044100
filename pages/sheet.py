"""« Fiche »: one facility (``?fid=…``) or one quartier (``?quartier=…``), linkable and printable."""

import pandas as pd
import streamlit as st

from geo import sheets, ui
from geo.analysis import method_text
from geo.errors import ResilienceError
from geo.provenance import layer_provenance

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


def _yes(value: bool) -> str:
    return ui.t("expo.yes" if value else "expo.no")


def _sources(layer_ids: tuple[str, ...], manifest: dict) -> None:
    st.subheader(ui.t("expo.sheet.sources"))
    st.caption(ui.t("expo.sheet.build", build=ui.escape_md(manifest["build_id"]),
                    date=manifest["built_at"][:10]))
    for layer_id in layer_ids:
        if layer_id not in manifest["layers"]:
            continue
        info = layer_provenance(manifest, layer_id, ui.lang())
        values = list(info.values())
        st.markdown(f"- **{ui.escape_md(values[0])}** — {ui.escape_md(values[1])} · "
                    f"{ui.escape_md(values[2])} · {ui.escape_md(values[4])} · "
                    f"{ui.escape_md(values[5])}")


def facility(result, fid: str, manifest: dict) -> None:
    sheet = sheets.facility_sheet(result, fid)
    st.title(ui.escape_md(sheet.name))
    category = ui.t(f"expo.category.{sheet.category}")
    st.markdown(f"{category} · {ui.escape_md(sheet.address)} · "
                f"[{ui.escape_md(sheet.quartier_name)}](fiche?quartier={sheet.quartier})")
    if sheet.old:
        st.warning(ui.t("expo.heat.creche_note"))
    acc = result.settings.access
    c1, c2, c3 = st.columns(3)
    c1.metric(ui.t("expo.sheet.best_min"), f"{sheet.best_min:.1f} min")
    c2.metric(ui.t("expo.sheet.within", minutes=f"{acc.target_minutes:g}"), _yes(sheet.within_target))
    c3.metric(ui.t("expo.sheet.zone_m"), f"{sheet.zone_m:,.0f} m".replace(",", " "))

    st.subheader(ui.t("expo.sheet.nearest"))
    st.dataframe(pd.DataFrame({
        ui.t("expo.col.kind"): [ui.t(f"expo.kind.{p.kind}") for p in sheet.nearest],
        ui.t("expo.col.name"): [p.name for p in sheet.nearest],
        ui.t("expo.col.distance_m"): [round(p.distance_m) for p in sheet.nearest],
        ui.t("expo.col.walk_min"): [round(p.minutes, 1) for p in sheet.nearest],
        ui.t("expo.col.within"): [_yes(p.within) for p in sheet.nearest],
        ui.t("expo.col.counted"): [_yes(p.counted) for p in sheet.nearest],
    }), hide_index=True, key="sheet.nearest")
    st.caption(method_text(acc, ui.lang()))

    st.subheader(ui.t("expo.sheet.flood"))
    st.write(ui.t("expo.sheet.flood_text", metres=f"{sheet.zone_m:,.0f}".replace(",", " "),
                  zone=ui.escape_md(sheet.zone)))
    if sheet.host_category:
        st.write(ui.t("expo.sheet.host", category=ui.t(f"expo.category.{sheet.host_category}")))

    if sheet.iris is not None:
        st.subheader(ui.t("expo.sheet.iris"))
        iris = sheet.iris
        st.write(ui.t("expo.sheet.iris_text", code=iris.code, name=ui.escape_md(iris.name),
                      heat_class=ui.t(f"expo.heat_class.{iris.heat_class}"),
                      score=f"{iris.heat_score:.2f}", population=f"{iris.population:,.0f}",
                      old=f"{iris.population_75_plus:,.0f}").replace(",", " "))
        st.caption(ui.t("expo.heat.derived_note"))
    _actions(sheet)
    _sources(sheet.layers, manifest)


def _actions(sheet: sheets.FacilitySheet) -> None:
    """Linked resilience actions: the catalogue (geo.actions) is written separately; until it
    exists the sheet says so rather than inventing actions."""
    st.subheader(ui.t("expo.sheet.actions"))
    st.caption(ui.t("expo.sheet.actions_missing"))


def quartier(result, code: str, manifest: dict) -> None:
    sheet = sheets.quartier_sheet(result, code)
    f = sheet.figures
    st.title(ui.t("expo.sheet.quartier_title", name=ui.escape_md(sheet.name), code=sheet.code))
    acc = result.settings.access
    c1, c2, c3, c4 = st.columns(4)
    c1.metric(ui.t("expo.sheet.area_within", minutes=f"{acc.target_minutes:g}"), f"{f['share_within']:.1%}")
    c2.metric(ui.t("expo.col.facilities_outside"), f"{f['facilities_outside']} / {f['facilities']}")
    c3.metric(ui.t("expo.col.population"), f"{f.get('population', float('nan')):,.0f}".replace(",", " "))
    c4.metric(ui.t("expo.sheet.zone_m"), f"{f['zone_m']:,.0f} m".replace(",", " "))
    st.caption(method_text(acc, ui.lang()))
    st.write(ui.t("expo.sheet.quartier_text", area=f"{f['area_km2']:.2f}",
                  old=f"{f.get('population_75_plus', float('nan')):,.0f}".replace(",", " "),
                  score=f"{f.get('heat_score', float('nan')):.2f}",
                  high=f"{f.get('high_share', float('nan')):.0%}", gaps=sheet.gap_cells))

    st.subheader(ui.t("expo.sheet.facilities"))
    fac = sheet.facilities
    st.dataframe(pd.DataFrame({
        ui.t("expo.col.name"): fac["name"],
        ui.t("expo.col.category"): fac["category"].map(lambda c: ui.t(f"expo.category.{c}")),
        ui.t("expo.col.best_min"): fac["best_min"].round(1),
        ui.t("expo.col.within"): fac["within_target"].map(_yes),
        ui.t("expo.col.sheet"): "fiche?fid=" + fac["fid"],
    }), hide_index=True, key="sheet.facilities", column_config={
        ui.t("expo.col.sheet"): st.column_config.LinkColumn(display_text=ui.t("expo.open_sheet"))})
    if len(sheet.hosts):
        st.subheader(ui.t("expo.flood.hosts"))
        st.dataframe(pd.DataFrame({
            ui.t("expo.col.name"): sheet.hosts["name"],
            ui.t("expo.col.category"): sheet.hosts["category"].map(lambda c: ui.t(f"expo.category.{c}")),
            ui.t("expo.col.zone_m"): sheet.hosts["zone_m"].round(0)}), hide_index=True, key="sheet.hosts")
    if len(sheet.councils):
        st.subheader(ui.t("expo.heat.councils"))
        st.dataframe(pd.DataFrame({
            ui.t("expo.col.council"): sheet.councils["name"],
            ui.t("expo.col.vuln_day"): sheet.councils["vulnj_note"].round(2),
            ui.t("expo.col.vuln_night"): sheet.councils["vulnn_note"].round(2)}),
            hide_index=True, key="sheet.councils")
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
    result = ui.analysis()
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
    if fid:
        facility(result, fid, manifest)
    elif code:
        quartier(result, code, manifest)
    else:
        st.info(ui.t("expo.sheet.none"))
except ResilienceError as exc:
    ui.show_error(exc)
