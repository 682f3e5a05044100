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
