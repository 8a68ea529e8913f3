"""Time the text path (read + clean + metadata) against rjieba cutting the same text.

Usage: ``python -m benchmarks.metadata [--repeats 7] [--copies 5]``. Parses every file of the built-in
sample (64 page excerpts and 5 full reports) on one core, best of ``repeats``, and prints MB/s
and the ratio to ``rjieba.cut`` over the same texts in the same run, for excerpts and full
reports separately, plus the one-off cost of loading the official division list. Run it on two
commits to compare them: ratios are comparable across runs, seconds are not.
"""

from __future__ import annotations

import argparse
import inspect
import platform
import time
from pathlib import Path

import rjieba

from benchmarks.timing import best_of

ROOT = Path(__file__).resolve().parent.parent
GROUPS = {
    "page excerpts": sorted((ROOT / "data" / "raw" / "corpus").glob("d*.txt")),
    "full reports": sorted((ROOT / "data" / "raw" / "seeds").glob("*.txt")),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--copies", type=int, default=5)
    arguments = parser.parse_args()

    started = time.perf_counter()
    from reportlib.documents import parse_file

    options = {}
    if "gazetteer" in inspect.signature(parse_file).parameters:
        from reportlib.places import Gazetteer  # not in commits from before the division list

        options["gazetteer"] = Gazetteer.load()
    loaded = time.perf_counter() - started
    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"python {platform.python_version()}; import + division list: {loaded:.2f} s"
    )
    for label, files in GROUPS.items():
        paths = files * arguments.copies  # the sample is small: each file several times
        texts = [path.read_text(encoding="utf-8") for path in paths]
        megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
        for path in paths:  # warm up: compile patterns, load OpenCC
            parse_file(path, **options)

        def parse(paths: list[Path] = paths) -> None:
            for path in paths:
                parse_file(path, **options)

        def cut(texts: list[str] = texts) -> None:
            for text in texts:
                rjieba.cut(text)

        ours = best_of(parse, arguments.repeats)
        baseline = best_of(cut, arguments.repeats)
        print(
            f"{label} ({len(files)} files x {arguments.copies}, {megabytes:.2f} MB): read+clean+metadata "
            f"{megabytes / ours:.2f} MB/s, {ours / len(paths) * 1e3:.2f} ms/file; "
            f"rjieba {megabytes / baseline:.2f} MB/s; ratio {ours / baseline:.2f}x rjieba"
        )


if __name__ == "__main__":
    main()
