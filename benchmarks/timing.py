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
