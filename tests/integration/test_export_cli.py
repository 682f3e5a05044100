"""The command ``python -m geo.export``: a real file on success, a clear message and a non-zero
exit status on every bad request."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest

from geo import export

ROOT = Path(__file__).resolve().parents[2]


def command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo.export", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def test_command_writes_the_named_file_with_the_filtered_counts(real_build, tmp_path):
    import geopandas as gpd

    result = command("--layers", "cool_facilities,fountains", "--format", "fgb", "--crs", "4326",
                     "--quartier", "7512003", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    built_at = json.loads((real_build / "manifest.json").read_text())["built_at"][:10]
    name = f"paris20_cool_facilities-fountains_quartier-7512003_{built_at}_epsg4326_fgb.zip"
    assert (tmp_path / name).is_file()
    for layer_id in ("cool_facilities", "fountains"):
        frame = gpd.read_parquet(real_build / "layers" / f"{layer_id}.parquet")
        count = int((frame["quartier"] == "7512003").sum())
        assert f"{layer_id:<22} {count:>6} features" in result.stdout
        info = pyogrio.read_info(f"/vsizip/{tmp_path / name}/{layer_id}.fgb")
        assert info["features"] == count and info["crs"] == "EPSG:4326"


def test_help_documents_every_flag():
    result = command("--help")
    assert result.returncode == 0
    for flag in ("--layers", "--format", "--crs", "--quartier", "--kind", "--near-flood",
                 "--study-area-only", "--filter", "--lang", "--out", "--list"):
        assert flag in result.stdout
    assert all(key in result.stdout for key in export.FORMATS)


@pytest.mark.parametrize(("args", "message"), [
    (["--layers", "cool_facilities,nope"], "unknown layer 'nope'"),
    (["--layers", "cool_facilities", "--format", "kml"], "unknown format 'kml'"),
    (["--layers", "cool_facilities", "--crs", "3857"], "unknown CRS 'EPSG:3857'"),
    (["--layers", ""], "no layer chosen"),
    ([], "no layer chosen"),
    (["--layers", "cool_facilities", "--quartier", "7599999"], "no feature matches"),
    (["--layers", "cool_facilities", "--kind", "Pisicne"], "no type 'Pisicne'"),
    (["--layers", "cool_facilities,sports", "--kind", "Piscine"], "write LAYER=TYPE"),
    (["--layers", "sports", "--kind", "cool_facilities=Piscine"], "not selected"),
    (["--layers", "cool_facilities", "--near-flood", "-1"], "zero or positive"),
    (["--layers", "cool_facilities", "--filter", "nowhere=1"], "unknown filter 'nowhere'"),
])
def test_bad_requests_exit_non_zero_with_a_clear_message(real_build, tmp_path, args, message):
    result = command(*args, "--out", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_a_build_the_command_says_how_to_make_one(tmp_path):
    result = subprocess.run([sys.executable, "-m", "geo.export", "--layers", "ppri"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60, check=False,
                            env={"RESILIENCE_BUILD_ROOT": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 2 and "python -m geo.ingest" in result.stderr


def readme_commands() -> list[list[str]]:
    """The `python -m geo.export` commands of the README's downloads section, as argument lists."""
    text = (ROOT / "README.md").read_text(encoding="utf-8").replace("\\\n", " ")
    commands = []
    for line in text.splitlines():
        line = line.split("#")[0].strip()
        if line.startswith("python -m geo.export"):
            commands.append(shlex.split(line)[3:])
    return commands


def test_readme_commands_run_as_documented(real_build, tmp_path):
    commands = readme_commands()
    assert len(commands) >= 4
    for args in commands:
        if "--out" in args:
            index = args.index("--out") + 1
            args[index] = str(tmp_path / args[index]) + ("/" if args[index].endswith("/") else "")
        else:
            args += ["--out", str(tmp_path) + "/"]
        result = command(*args)
        assert result.returncode == 0, (args, result.stderr)
    assert (tmp_path / "sports.zip").is_file()
    assert any(p.name.endswith("_epsg2154.gpkg") for p in (tmp_path / "exports").iterdir())


def test_walk_target_flag_accepts_only_inside_or_outside(real_build, tmp_path):
    bad = command("--layers", "ehpad", "--walk-target", "near", "--out", str(tmp_path))
    assert bad.returncode == 2 and "invalid choice: 'near'" in bad.stderr
    good = command("--layers", "ehpad", "--walk-target", "inside", "--out", str(tmp_path))
    assert good.returncode == 0, good.stderr
    assert any("walk-inside" in p.name for p in tmp_path.iterdir())


def test_list_shows_every_layer_and_the_facility_types(real_build):
    import geopandas as gpd

    result = command("--list")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((real_build / "manifest.json").read_text())
    listed = [line.split()[0] for line in result.stdout.splitlines() if not line.startswith(" ")]
    # the build's layers, then the layers the flood host analyses compute
    assert listed == [*manifest["layers"], *export.derived.DERIVED_LAYERS]
    kinds = set(gpd.read_parquet(real_build / "layers" / "cool_facilities.parquet")["kind"])
    assert "Piscine" in kinds and "Piscine" in result.stdout
