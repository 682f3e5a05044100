"""Approved workshop proposals as a layer of the main map, and what a click on one shows.

Pure (no Streamlit, no database): ``geo.participation.store`` reads the proposals, the map page calls
these. Only approved proposals are public: the moderators decide what leaves the room. The
optional first name stays out of the public map (it is shown in the room and in the moderators'
exports only). The layer is labelled as residents' contributions, never as official data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
from shapely.geometry import Point

from geo.core.i18n import t
from geo.map.details import Details
from geo.participation.proposals import Proposal, Workshop

LAYER_ID = "proposals"
#: The layer's entry beside the build's layers (title and status, as in the manifest).
LAYER_INFO = {"title_fr": "Propositions des ateliers (validées)",
              "title_en": "Workshop proposals (approved)", "status": "participatory"}
#: Characters of a proposal's text shown in its tooltip (the details show it whole).
TOOLTIP_TEXT_MAX = 90
COLUMNS = ("fid", "name", "kind", "text", "category", "hazard", "action_id", "place", "workshop",
           "workshop_label", "created_at", "duplicates_merged", "quartier")


def proposals_frame(approved: Sequence[tuple[Proposal, int]], quartiers: gpd.GeoDataFrame,
                    workshops: Mapping[str, Workshop] | None = None,
                    lang: str = "fr") -> gpd.GeoDataFrame:
    """The approved proposals with the map's columns (EPSG:4326 points): ``fid``
    ``proposals:<id>``, ``name`` the category label, ``kind`` the text shortened for the tooltip,
    ``workshop_label`` the workshop's name and date, ``quartier`` the code of the administrative
    quartier the point falls in (empty outside).

    ``approved``: (proposal, number of duplicates merged into it), as the store gives them;
    ``quartiers``: the built quartiers layer (``source_id``, EPSG:4326); ``workshops``: by slug
    (a workshop not given is named by its slug).
    """
    workshops = workshops or {}
    rows = []
    for proposal, merged in approved:
        workshop = workshops.get(proposal.workshop)
        text = proposal.text.strip()
        short = text if len(text) <= TOOLTIP_TEXT_MAX else text[:TOOLTIP_TEXT_MAX - 1] + "…"
        rows.append({"fid": f"{LAYER_ID}:{proposal.id}",
                     "name": t(f"proposals.category.{proposal.category}", lang), "kind": short,
                     "text": text, "category": proposal.category, "hazard": proposal.hazard or "",
                     "action_id": proposal.action_id or "", "place": proposal.place or "",
                     "workshop": proposal.workshop,
                     "workshop_label": f"{workshop.name} ({workshop.date})" if workshop
                     else proposal.workshop,
                     "created_at": proposal.created_at,
                     "duplicates_merged": merged,
                     "geometry": Point(proposal.lon, proposal.lat)})
    frame = gpd.GeoDataFrame(rows, columns=[*COLUMNS[:-1], "geometry"], geometry="geometry",
                             crs="EPSG:4326")
    if quartiers.crs is None or not quartiers.crs.equals(frame.crs):
        raise ValueError("the quartiers layer must be in EPSG:4326")
    joined = gpd.sjoin(frame, quartiers[["source_id", "geometry"]], how="left",
                       predicate="within")
    codes = joined[~joined.index.duplicated()]["source_id"]
    frame["quartier"] = codes.fillna("").astype(str).reindex(frame.index).fillna("")
    return frame


def proposal_details(frame: gpd.GeoDataFrame, fid: str, actions: Mapping[str, Mapping[str, str]],
                     place_names: Mapping[str, str], quartier_names: Mapping[str, str],
                     lang: str) -> Details | None:
    """What a click on a proposal shows: its category, whole text, hazard, the action it names,
    place, quartier, workshop and dates; its provenance is the workshop. ``None`` if ``frame``
    holds no such proposal (hidden since, or a stale link). Values are plain text."""
    rows = frame[frame["fid"] == fid]
    if rows.empty:
        return None
    row = rows.iloc[0]
    action = actions.get(row["action_id"], {}).get(lang, row["action_id"])

    def field(key: str) -> str:
        return t(f"map.proposal.{key}", lang)

    values = [
        (field("category"), row["name"]),
        (field("text"), row["text"]),
        (field("hazard"), t(f"proposals.hazard.{row['hazard']}", lang) if row["hazard"] else ""),
        (field("action"), action),
        (field("place"), place_names.get(row["place"], row["place"])),
        (field("quartier"), quartier_names.get(row["quartier"], "")),
        (field("duplicates"), str(row["duplicates_merged"]) if row["duplicates_merged"] else ""),
        (field("created_at"), str(row["created_at"])[:10]),
    ]
    provenance = ((field("source"), field("source_text")), (field("workshop"), row["workshop_label"]),
                  (t("sources.col_status", lang), t("status.participatory", lang)))
    return Details(fid=fid, layer_id=LAYER_ID,
                   layer_title=LAYER_INFO["title_en" if lang == "en" else "title_fr"],
                   status=LAYER_INFO["status"],
                   attributes=tuple((label, value) for label, value in values if value),
                   provenance=provenance, note=field("note"))

