"""Time segmentation + counting against rjieba alone, on the same texts in the same run.

Usage: ``python benchmarks/words.py [--megabytes 20]`` (or ``make benchmark``). The texts are
the built-in sample and the development corpus, read once and repeated (each copy with its own
doc_id) to the requested size: the full seed reports and the page excerpts in their real
proportions. One core. Best of three runs for each measure (timings on a shared VM vary).

Prints:
- rjieba alone: ``rjieba.Jieba().cut(text, False)`` on every text, no lexicon, no table;
- reportlib: ``tokenize`` (lexicon, offsets, stop words, the tokens table) plus
  ``count_keywords`` (every term per document, with rates);
- their ratio (goal: at most 2.5), and jieba itself on a 1 MB slice for scale.
"""

from __future__ import annotations

import argparse
import logging
import platform
import warnings
from pathlib import Path

import pandas as pd
from timing import best_of  # benchmarks/timing.py, next to this script

ROOT = Path(__file__).resolve().parent.parent


def sample_documents(megabytes: float) -> pd.DataFrame:
    """The built-in sample (seeds and corpus) repeated to ``megabytes``, each copy its own doc_id."""
    from reportlib import read_reports

    base = read_reports(ROOT / "data" / "raw")[["doc_id", "text"]]  # seeds and corpus
    size = base["text"].str.encode("utf-8").str.len().sum()
    copies = max(1, round(megabytes * 1e6 / size))
    frames = [base.assign(doc_id=base["doc_id"] + f"#{copy}") for copy in range(copies)]
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=20.0)
    arguments = parser.parse_args()

    import rjieba

    from reportlib import count_keywords, tokenize

    documents = sample_documents(arguments.megabytes)
    texts = documents["text"].tolist()
    megabytes = sum(len(text.encode("utf-8")) for text in texts) / 1e6
    print(
        f"machine: {platform.machine()}  python {platform.python_version()}; "
        f"{len(texts)} texts, {megabytes:.1f} MB"
    )
    tokenize(documents.head(5))  # load the dictionary once, outside the timings
    plain = rjieba.Jieba()
    plain.cut("预热", False)

    alone = best_of(lambda: [plain.cut(text, False) for text in texts])
    tokens_holder = {}

    def ours() -> None:
        tokens = tokenize(documents)
        tokens_holder["counts"] = count_keywords(tokens, documents)
        tokens_holder["tokens"] = tokens

    ours_seconds = best_of(ours)
    tokenize_seconds = best_of(lambda: tokenize(documents))
    tokens = tokens_holder["tokens"]
    count_seconds = best_of(lambda: count_keywords(tokens, documents))
    print(f"rjieba alone:                 {megabytes / alone:7.2f} MB/s")
    print(
        f"tokenize + count_keywords:    {megabytes / ours_seconds:7.2f} MB/s  "
        f"= {ours_seconds / alone:.2f} x rjieba alone  "
        f"({len(tokens)} tokens, {len(tokens_holder['counts'])} count rows)"
    )
    print(f"  tokenize alone:             {megabytes / tokenize_seconds:7.2f} MB/s")
    print(f"  count_keywords alone:       {megabytes / count_seconds:7.2f} MB/s of text")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    jieba.setLogLevel(logging.ERROR)
    jieba.initialize()
    sample, size = [], 0
    for text in texts:
        sample.append(text)
        size += len(text.encode("utf-8"))
        if size >= 1e6:
            break
    jieba_seconds = best_of(lambda: [list(jieba.cut(text, HMM=False)) for text in sample], 1)
    print(
        f"jieba (HMM off, 1 MB):        {size / 1e6 / jieba_seconds:7.2f} MB/s  "
        f"(rjieba alone is {jieba_seconds / (size / 1e6) / (alone / megabytes):.0f} x faster)"
    )


if __name__ == "__main__":
    main()
