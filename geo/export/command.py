"""Command ``python -m geo.export``: the same downloads as the « Téléchargements » page, from the
shell (exit status 0 written, 2 bad request).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from geo.core.errors import ExportError, ResilienceError
from geo.core.i18n import DEFAULT_LANG, LANGS
from geo.export import derived
from geo.export.engine import run
from geo.export.filters import WALK_TARGET, WALK_TARGET_VALUES, registered_filters
from geo.export.formats import DEFAULT_CRS, DEFAULT_FORMAT, FORMATS
from geo.export.spec import ExportSpec
from geo.sources import store


def _split(values: Sequence[str] | None) -> list[str]:
    return [item.strip() for value in values or () for item in value.split(",") if item.strip()]


def _kind_pairs(values: Sequence[str] | None, layers: Sequence[str]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for value in values or ():
        layer_id, sep, kind = value.partition("=")
        if not sep:
            if len(layers) != 1:
                raise ExportError(f"--kind '{value}': with several layers, write LAYER=TYPE "
                                  "(e.g. cool_facilities=Piscine)")
            layer_id, kind = layers[0], value
        pairs.append((layer_id.strip(), kind.strip()))
    return tuple(pairs)


def parser() -> argparse.ArgumentParser:
    formats = ", ".join(f"{key} ({spec.label_en})" for key, spec in FORMATS.items())
    p = argparse.ArgumentParser(
        prog="python -m geo.export",
        description="Export filtered layers of the current data build as a GIS file with its "
                    "provenance (sources, dates, licences and attribution, SHA-256, filter, app version).",
        epilog="Example: python -m geo.export --layers cool_facilities,fountains --format gpkg "
               "--crs 2154 --quartier 7512001 --out exports/. Exit status: 0 written, 2 bad request.")
    p.add_argument("--layers", action="append", metavar="ID[,ID…]",
                   help="layer ids, comma-separated or repeated ('all' = every layer of the build); "
                        f"also the layers the analyses compute: {', '.join(derived.DERIVED_LAYERS)}; "
                        "see --list")
    p.add_argument("--format", default=DEFAULT_FORMAT, metavar="FORMAT",
                   help=f"one of: {formats}. Default: {DEFAULT_FORMAT}. Every format but gpkg is a "
                        "zip (one file per layer + README.txt + provenance.csv)")
    p.add_argument("--crs", default=str(DEFAULT_CRS), metavar="EPSG",
                   help="2154 (Lambert-93, default) or 4326 (WGS 84 lon/lat); 'EPSG:' prefix allowed")
    p.add_argument("--quartier", action="append", metavar="CODE[,CODE…]",
                   help="keep features of these administrative quartiers (INSEE code, e.g. 7512001)")
    p.add_argument("--kind", action="append", metavar="[LAYER=]TYPE",
                   help="keep features of this type (column 'kind') in LAYER; repeat for several "
                        "types; LAYER= may be left out when one layer is exported")
    p.add_argument("--near-flood", type=float, metavar="METRES",
                   help="keep features within this distance of a PPRI flood-risk sector "
                        "(Lambert-93 metres; 0 = touching)")
    p.add_argument("--study-area-only", action="store_true",
                   help="keep only features of the study-area arrondissement (column c_ar)")
    p.add_argument("--walk-target", choices=WALK_TARGET_VALUES,
                   help="keep features inside (or outside) the cool-place walking target (Plan Climat: "
                        "a cool place within 7 minutes' walk; settings in data/analysis.toml)")
    p.add_argument("--filter", action="append", metavar="NAME=VALUE",
                   help="a registered extra filter (available: "
                        f"{', '.join(registered_filters()) or 'none yet'})")
    p.add_argument("--lang", default=DEFAULT_LANG, choices=LANGS, help="language of the README")
    p.add_argument("--out", metavar="PATH",
                   help="output file, or a directory (existing, or ending with /) for the descriptive "
                        "default name (default: current directory)")
    p.add_argument("--list", action="store_true", help="list the layers and their types, then exit")
    return p


def _crs_code(text: str) -> int:
    value = text.upper().removeprefix("EPSG:")
    if not value.isdigit():
        raise ExportError(f"unknown CRS '{text}'; choose 2154 or 4326")
    return int(value)


def spec_from_args(args: argparse.Namespace, manifest: dict) -> ExportSpec:
    layers = _split(args.layers)
    if layers == ["all"]:
        layers = list(manifest["layers"])
    extra = []
    for value in args.filter or ():
        name, sep, arg = value.partition("=")
        if not sep:
            raise ExportError(f"--filter '{value}': write NAME=VALUE")
        extra.append((name.strip(), arg.strip()))
    if args.walk_target:
        extra.append((WALK_TARGET, args.walk_target))
    return ExportSpec(layers=tuple(layers), fmt=args.format.lower(), crs=_crs_code(args.crs),
                      quartiers=tuple(_split(args.quartier)), kinds=_kind_pairs(args.kind, layers),
                      near_flood_m=args.near_flood, study_area_only=args.study_area_only,
                      extra=tuple(extra), lang=args.lang)


def _list(manifest: dict, load) -> str:
    lines = []
    for layer_id, info in manifest["layers"].items():
        lines.append(f"{layer_id:<22} {info['count_after_clip']:>5}  {info['title_en']}")
        kinds = sorted(set(load(layer_id)["kind"].dropna()) - {""})
        if kinds and len(kinds) <= 40:
            lines.append(f"{'':<29}types: {' | '.join(kinds)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        manifest = store.load_manifest()
        load = store.load_layer
        if args.list or derived.wants_derived(_split(args.layers)):
            # the host sites and stations at risk are computed by the analyses, on request only
            from geo.analysis import exposure

            result = exposure.load()
            frames = derived.derived_frames(result)
            manifest, load = derived.with_derived(manifest, result, frames), derived.loader(frames, load)
        if args.list:
            print(_list(manifest, load))
            return 0
        spec = spec_from_args(args, manifest)
        download = run(spec, manifest, load)
    except ResilienceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out) if args.out else Path.cwd()
    if out.is_dir() or (args.out or "").endswith(("/", "\\")):
        out.mkdir(parents=True, exist_ok=True)
        out = out / download.filename
    out.write_bytes(download.data)
    for layer_id, count in download.counts.items():
        print(f"{layer_id:<22} {count:>6} features")
    if download.empty_layers:
        print(f"warning: no feature matched in {', '.join(download.empty_layers)} (left out)",
              file=sys.stderr)
    print(f"written {out} ({len(download.data):,} bytes)")
    return 0
