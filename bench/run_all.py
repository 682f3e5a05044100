"""Run every benchmark of bench/ in turn (``make bench``): each prints its own figures, then this
prints one verdict line per target (met or missed) and exits non-zero if any was missed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: Path) -> tuple[int, list[str]]:
    """Run one benchmark, echoing its output; (exit status, its ``verdict`` lines)."""
    process = subprocess.Popen([sys.executable, str(script)], cwd=HERE.parent, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, bufsize=1)
    verdicts = []
    for line in process.stdout:
        print(line, end="", flush=True)
        if line.startswith("verdict "):
            verdicts.append(line.rstrip("\n"))
    return process.wait(), verdicts


if __name__ == "__main__":
    failed, summary = [], []
    for script in sorted(HERE.glob("*.py")):
        if script.name == Path(__file__).name or script.name.startswith("_"):
            continue
        print(f"\n=== {script.name} ===", flush=True)
        status, verdicts = run(script)
        summary += verdicts or [f"verdict {script.stem}: no verdict printed (exit {status}): MISSED"]
        if status != 0:
            failed.append(script.name)
    print("\n=== verdicts ===")
    print("\n".join(summary))
    if failed:
        print(f"missed or failed: {', '.join(failed)}")
        sys.exit(1)
