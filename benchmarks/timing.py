"""Shared by the benchmark scripts: best-of-N wall time (this VM's timings vary by ±15 %)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_of(function: Callable[[], object], repeats: int = 3) -> float:
    """The shortest of ``repeats`` runs of ``function``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def paired_ratio(
    ours: Callable[[], object], baseline: Callable[[], object], repeats: int = 5
) -> tuple[float, float, float]:
    """Best seconds of ``ours`` and of ``baseline`` and the median of their per-round ratios,
    the two run alternately: this VM's speed drifts over seconds, so timing one block of runs
    after the other skews their ratio by as much as the drift (1.45× to 1.97× on one build)."""
    best_ours = best_baseline = float("inf")
    ratios = []
    for _ in range(repeats):
        started = time.perf_counter()
        ours()
        mine = time.perf_counter() - started
        started = time.perf_counter()
        baseline()
        theirs = time.perf_counter() - started
        best_ours, best_baseline = min(best_ours, mine), min(best_baseline, theirs)
        ratios.append(mine / theirs)
    ratios.sort()
    return best_ours, best_baseline, ratios[len(ratios) // 2]
