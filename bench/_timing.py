"""Timing helper shared by the benchmarks (not a benchmark itself: run_all skips `_` files)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def samples(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall-clock seconds of ``runs`` calls of ``fn``."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def timed(fn: Callable[[], T], runs: int) -> tuple[float, T]:
    """Median seconds of ``runs`` calls of ``fn``, and the last value it returned."""
    times, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), value


class Targets:
    """The targets one benchmark checks: each prints one ``verdict`` line (``make bench`` gathers
    them), and :meth:`exit_code` is non-zero when any target was missed."""

    def __init__(self, bench: str) -> None:
        self.bench = bench
        self.missed: list[str] = []

    def check(self, label: str, value: float, limit: float, unit: str = "") -> bool:
        """Print ``verdict <bench>: <label> <value> <= <limit>: OK|MISSED``; True when met."""
        ok = value <= limit
        if not ok:
            self.missed.append(label)
        print(f"verdict {self.bench}: {label} {value:.3g}{unit} <= {limit:g}{unit}: "
              f"{'OK' if ok else 'MISSED'}", flush=True)
        return ok

    def exit_code(self) -> int:
        return 1 if self.missed else 0
