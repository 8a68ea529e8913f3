"""Time and memory of ``find_reuse`` on 1,000 and 10,000 reports, and how it grows.

Usage: ``python benchmarks/reuse.py [--sizes 1000 10000]`` (or ``make benchmark``).

The reports are made from the built-in sample (seeds and corpus pages), replicated and
perturbed so that they are as distinct as real reports of different towns: each copy swaps
about a third of its Han characters for others (seeded, so every run sees the same corpus),
then 5 % of the reports receive a paragraph copied from another report with the name swapped
and the numbers changed. Prints, per size: seconds, peak memory of the process, passages
found, share of the planted copies found, pairs of reports linked that were not planted (the
perturbed replicas of one sample report can still share a sentence by chance), and the growth
factor from one size to the next
(10× more reports: about 10× the time is linear, 100× quadratic).
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import resource
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _corpus(size: int, *, seed: int = 0) -> tuple[pd.DataFrame, list[tuple[str, str, int, int]]]:
    from reportlib import read_reports

    base = read_reports(ROOT / "data" / "raw")
    rng = random.Random(seed)
    pool = [chr(code) for code in range(0x4E00, 0x9FA5)]
    rows = []
    for number in range(size):
        source = base.iloc[number % len(base)]

        def swap(match: re.Match[str]) -> str:
            return rng.choice(pool) if rng.random() < 0.33 else match.group()

        rows.append(
            {
                "doc_id": f"r{number:05d}",
                "entity": f"{source['entity']}{number}",
                "parent": f"县{number % 300}",
                "report_year": 2020 + number % 5,
                "text": _HAN.sub(swap, source["text"]),
            }
        )
    documents = pd.DataFrame(rows)
    planted = []
    texts = documents["text"].tolist()
    for target in rng.sample(range(size), size // 20):
        source = rng.randrange(size)
        paragraphs = [p for p in texts[source].split("\n") if len(p.strip()) >= 60]
        if source == target or not paragraphs:
            continue
        paragraph = rng.choice(paragraphs).strip()
        paragraph = re.sub(r"\d+", lambda m: str(int(m.group()) + 3), paragraph)
        start = len(texts[target]) + 1
        texts[target] = texts[target] + "\n" + paragraph + "\n"
        planted.append(
            (
                documents["doc_id"][target],
                documents["doc_id"][source],
                start,
                start + len(paragraph),
            )
        )
    documents["text"] = texts
    return documents, planted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    arguments = parser.parse_args()

    from reportlib.reuse import find_reuse

    print(f"machine: {platform.machine()}  python {platform.python_version()}")
    previous = None
    for size in arguments.sizes:
        documents, planted = _corpus(size)
        megabytes = documents["text"].str.encode("utf-8").str.len().sum() / 1e6
        started = time.perf_counter()
        reuse = find_reuse(documents)
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        found = 0
        for target, source, start, end in planted:
            rows = reuse[(reuse["doc_id"] == target) & (reuse["other_doc_id"] == source)]
            found += bool(((rows["start"] <= start + 5) & (rows["end"] >= end - 5)).any())
        planted_pairs = {frozenset((target, source)) for target, source, _, _ in planted}
        external = reuse[reuse["relation"] != "internal"]
        found_pairs = {
            frozenset(pair)
            for pair in zip(external["doc_id"], external["other_doc_id"], strict=True)
        }
        false_pairs = len(found_pairs - planted_pairs)
        line = (
            f"{size:6d} reports ({megabytes:5.1f} MB): {seconds:7.1f} s, peak RSS {peak:6.0f} MB, "
            f"{len(reuse)} passage rows, planted copies found {found}/{len(planted)}, "
            f"pairs not planted {false_pairs} "
            f"({false_pairs / max(len(found_pairs), 1):.1%} of pairs found)"
        )
        if previous is not None:
            line += f", time × {seconds / previous[1]:.1f} for × {size / previous[0]:.0f} reports"
        print(line)
        previous = (size, seconds)


if __name__ == "__main__":
    main()
