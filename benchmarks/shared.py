"""Time ``find_reuse`` on reports that share most of their sentences (many towns copying one
county template), against other implementations of the module, and check they agree.

Usage: ``python benchmarks/shared.py [--sizes 500 1000 1932] [--module old=/tmp/old.py …]
[--repeats 3] [--megabytes 5]``; for example, against the version before the chains and the
previous commit's::

    git show 8e4eb0a:reportlib/reuse.py > /tmp/reuse_old.py
    git show HEAD~1:reportlib/reuse.py > /tmp/reuse_previous.py
    python benchmarks/shared.py --module old=/tmp/reuse_old.py previous=/tmp/reuse_previous.py

The corpus is ``benchmarks/build.py``'s replication of the development corpus (each of its 69
texts copied ~28 times for 5 MB, each copy with a unique trailing line), read once with
``read_reports`` and kept as Parquet under ``--work``. Each size takes the first N reports.
The implementations are timed in turn in one process (best of ``--repeats``, after one warm-up
call each, so that imports are not timed), and their tables must be identical.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def corpus(work: Path, megabytes: float) -> pd.DataFrame:
    """The replicated corpus, read once and kept as Parquet."""
    from build import replicate

    import reportlib

    cached = work / f"shared_{megabytes:g}mb.parquet"
    if not cached.exists():
        raw = work / f"shared_{megabytes:g}mb_raw"
        replicate(megabytes, raw)
        work.mkdir(parents=True, exist_ok=True)
        reportlib.read_reports(raw).to_parquet(cached)
    return pd.read_parquet(cached)


def load(label: str, path: Path):
    spec = importlib.util.spec_from_file_location(f"reuse_{label}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 1932])
    parser.add_argument("--module", nargs="*", default=[], metavar="LABEL=PATH")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / ".work")
    arguments = parser.parse_args()

    from reportlib import reuse

    modules = {"this": reuse}
    for option in arguments.module:
        label, _, path = option.partition("=")
        modules[label] = load(label, Path(path))
    documents = corpus(arguments.work, arguments.megabytes)
    print(
        f"machine: {platform.machine()}  {os.cpu_count()} CPUs  python "
        f"{platform.python_version()}; {len(documents)} reports; best of {arguments.repeats}"
    )
    for module in modules.values():
        module.find_reuse(documents.iloc[:20])  # imports and first calls, not timed
    print(f"{'N':>6}  " + "  ".join(f"{label:>10}" for label in modules) + "    rows  same")
    for size in arguments.sizes:
        chosen = documents.iloc[:size]
        best = dict.fromkeys(modules, float("inf"))
        tables = {}
        for _ in range(arguments.repeats):
            for label, module in modules.items():
                started = time.perf_counter()
                tables[label] = module.find_reuse(chosen)
                best[label] = min(best[label], time.perf_counter() - started)
        reference = tables["this"]
        same = True
        for table in tables.values():
            try:
                pd.testing.assert_frame_equal(table, reference, check_exact=True)
            except AssertionError:
                same = False
        print(
            f"{len(chosen):6d}  "
            + "  ".join(f"{best[label]:9.2f}s" for label in modules)
            + f"  {len(reference):6d}  {'yes' if same else 'NO'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
