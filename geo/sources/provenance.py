"""Provenance of the built layers, in the shapes the pages and downloads show it."""

from __future__ import annotations

from geo.core.i18n import t
from geo.core.text import escape_md
from geo.sources.registry import Registry

#: How a build was made (manifest ``mode``); builds made before the origin was kept apart from the
#: path wrote ``mirror:<path>``.
ORIGINS = ("mirror", "online")


def sources_table(manifest: dict, lang: str) -> list[dict[str, object]]:
    """One row per built layer: title, theme, status, publisher, dataset URL, licence, retrieval
    date, counts (source / in the view area / in the study area), short SHA-256, warnings, note."""
    rows = []
    for info in manifest["layers"].values():
        sources = info["sources"]
        rows.append({
            "layer": info["title_en"] if lang == "en" else info["title_fr"],
            "status": t(f"status.{info['status']}", lang),
            "area": info["count_study_area"],
            "clip": info["count_after_clip"],
            "source": info["count_before_clip"],
            "date": min(s["retrieved_at"] for s in sources)[:10],
            "licence": info["licence"],
            "publisher": info["publisher"],
            "theme": t(f"theme.{info['theme']}", lang),
            "url": info["url"],
            "sha": " ".join(s["sha256"][:12] for s in sources),
            "warnings": " · ".join(info["warnings"]),
            "note": info["note_en"] if lang == "en" else info["note_fr"],
        })
    return rows


def layer_provenance(manifest: dict, layer_id: str, lang: str) -> dict[str, str]:
    """The provenance of one layer as label → value, for a details panel or a README."""
    info = manifest["layers"][layer_id]
    return {
        t("sources.col_layer", lang): info["title_en"] if lang == "en" else info["title_fr"],
        t("sources.col_status", lang): t(f"status.{info['status']}", lang),
        t("sources.col_publisher", lang): info["publisher"],
        t("sources.col_url", lang): info["url"],
        t("sources.col_licence", lang): f"{info['licence']} — {info['attribution']}",
        t("sources.col_date", lang): min(s["retrieved_at"] for s in info["sources"])[:10],
        t("sources.col_sha", lang): ", ".join(s["sha256"] for s in info["sources"]),
    }


def provenance_line(manifest: dict, layer_id: str, lang: str) -> str:
    """One layer's provenance as one markdown line (title, status, publisher, dataset address,
    licence, retrieval date, sha256 of each source file), every value escaped."""
    values = [escape_md(value) for value in layer_provenance(manifest, layer_id, lang).values()]
    return f"**{values[0]}** — " + " · ".join(values[1:])


def missing_layers(registry: Registry, lang: str) -> list[tuple[str, str]]:
    """Layers looked for and not found: (title, reason)."""
    return [(m.title_en, m.reason_en) if lang == "en" else (m.title_fr, m.reason_fr)
            for m in registry.missing]


def build_origin(manifest: dict, lang: str) -> str:
    """Where the build came from, in words and without any path of the machine that made it:
    « miroir local des exports officiels » or the portals."""
    origin = str(manifest.get("mode", "")).split(":", 1)[0]
    return t(f"sources.origin.{origin if origin in ORIGINS else 'unknown'}", lang)

