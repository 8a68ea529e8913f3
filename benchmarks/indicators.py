"""Time the indicator stage (counts, measures, plans, parts) against rjieba on the same texts.

Usage: ``python benchmarks/indicators.py [--megabytes 5] [--repeats 5]``. The texts are the
built-in sample (full seed reports and page excerpts in their real proportions), read once
and repeated to the requested size; sections are split beforehand (they are an input of the
stage, not part of it). One core; the two run alternately, ``repeats`` rounds. Prints MB/s of
both (best round) and their ratio (goal: at most 1.75) and, with ``--profile``, the functions
the stage spends its time in. This VM's wall times drift by ±15 % and more; for decisions count
instructions (``valgrind --tool=callgrind``) of the stage and of rjieba on the same texts.
"""

from __future__ import annotations

import argparse
import cProfile
import platform
import pstats

import rjieba
from timing import paired_ratio  # benchmarks/timing.py, next to this script
from words import sample_documents  # benchmarks/words.py: the sample repeated to a size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    arguments = parser.parse_args()

    from reportlib.indicators import extract_indicators
    from reportlib.measures import load_measures
    from reportlib.sections import split_sections

    documents = sample_documents(arguments.megabytes)
    sections = split_sections(documents)
    measures = load_measures()
    texts = documents["text"].tolist()
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    extract_indicators(documents.head(20), sections=sections, measures=measures)  # warm up

    def ours() -> None:
        extract_indicators(documents, sections=sections, measures=measures)

    def baseline() -> None:
        for text in texts:
            rjieba.cut(text)

    print(
        f"machine: {platform.machine()} {platform.processor() or ''} python "
        f"{platform.python_version()}; {len(texts)} reports, {megabytes:.2f} MB"
    )
    seconds, reference, median = paired_ratio(ours, baseline, arguments.repeats)
    print(
        f"indicators (measures included) {megabytes / seconds:.2f} MB/s; rjieba "
        f"{megabytes / reference:.2f} MB/s; ratio of the bests {seconds / reference:.2f}x, "
        f"median ratio of {arguments.repeats} alternating rounds {median:.2f}x rjieba (goal ≤ 1.75)"
    )
    if arguments.profile:
        profile = cProfile.Profile()
        profile.runcall(ours)
        pstats.Stats(profile).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
