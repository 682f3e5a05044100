"""Command line: build the local data store from the mirror or the official portals.

Usage::

    python -m geo.ingest                      # the mirror at ../shared/data/raw if present, else online
    python -m geo.ingest --mirror DIR         # a local copy of the official exports
    python -m geo.ingest --online             # the portals' export endpoints
    python -m geo.ingest --study-area 75111   # another arrondissement (INSEE code)
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from geo.core.errors import ResilienceError
from geo.core.settings import DEFAULT_MIRROR, build_root
from geo.sources.build import SourceOptions, build
from geo.sources.registry import load_registry
from geo.sources.store import load_manifest


def _parse_bases(values: list[str]) -> dict[str, str]:
    bases = {}
    for value in values:
        portal, sep, url = value.partition("=")
        if not sep or not url:
            raise argparse.ArgumentTypeError(f"--portal-base expects PORTAL=URL, got '{value}'")
        bases[portal] = url
    return bases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo.ingest", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--mirror", type=Path, help="directory holding the official exports")
    where.add_argument("--online", action="store_true", help="download from the official portals")
    parser.add_argument("--study-area", help="INSEE code of the arrondissement (default: 75120)")
    parser.add_argument("--build-root", type=Path, help="where builds are written (default data/build)")
    parser.add_argument("--portal-base", action="append", default=[], metavar="PORTAL=URL",
                        help="override a portal's base URL (e.g. a local copy of the portal)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per download")
    parser.add_argument("--retries", type=int, default=3, help="attempts per download")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    if args.study_area:
        os.environ["RESILIENCE_STUDY_AREA"] = args.study_area
    mirror = args.mirror
    if mirror is None and not args.online and DEFAULT_MIRROR.is_dir():
        mirror = DEFAULT_MIRROR
    try:
        options = SourceOptions(mirror=mirror.resolve() if mirror else None,
                                portal_bases=_parse_bases(args.portal_base),
                                timeout=args.timeout, retries=args.retries)
    except argparse.ArgumentTypeError as exc:
        parser.error(str(exc))
    root = args.build_root or build_root()
    started = time.perf_counter()

    interactive = sys.stderr.isatty()

    def progress(index: int, total: int, layer: str, state: str) -> None:
        if args.quiet or (state == "reading" and not interactive):
            return
        bar = "#" * (20 * index // total)
        line = f"[{bar:<20}] {index:>2}/{total} {layer:<20} {state:<40}"
        if interactive:
            print("\r" + line, end="\n" if state != "reading" else "", file=sys.stderr, flush=True)
        else:
            print(line.rstrip(), file=sys.stderr, flush=True)

    source = f"mirror {options.mirror}" if options.mirror else "official portals (online)"
    print(f"Building the data store from {source} …", file=sys.stderr)
    try:
        registry = load_registry()
        final = build(registry, options, root, progress)
    except ResilienceError as exc:
        print(f"\nERROR: {exc}\nThe previous build (if any) is unchanged.", file=sys.stderr)
        return 1
    manifest = load_manifest(final)
    area = manifest["study_area"]
    print(f"Build {final.name} ready in {time.perf_counter() - started:.1f} s: "
          f"{len(manifest['layers'])} layers, study area {area['name']} ({area['insee']}).",
          file=sys.stderr)
    for line in manifest["skipped"]:
        print(f"  skipped: {line}", file=sys.stderr)
    return 0
