"""Per-field metadata accuracy over a folder of pages with a hand-labelled ``catalog.csv``.

Usage: ``python benchmarks/accuracy.py [-v] [FOLDER]``; ``-v`` lists every miss. FOLDER defaults
to the development corpus (data/raw/corpus); tests/fixtures/metadata_synthetic is another. Titles are compared
without white space; publish_date and title are scored on pages whose catalog row has one;
parent on pages whose text prints the expected parent (the issue's definition).
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

from reportlib import clean, metadata

CORPUS = Path(__file__).resolve().parent.parent / "data" / "raw" / "corpus"
FIELDS = ("entity", "level", "parent", "report_year", "publish_date", "title")


def main() -> None:
    verbose = "-v" in sys.argv
    folders = [Path(argument) for argument in sys.argv[1:] if argument != "-v"]
    corpus = folders[0] if folders else CORPUS
    hits: dict[str, list[bool]] = {field: [] for field in FIELDS}
    with (corpus / "catalog.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        raw = (corpus / row["file"]).read_text(encoding="utf-8")
        page = clean.normalize_text(raw)
        meta = metadata.infer_metadata(page, clean.strip_chrome(page))
        got = {
            "entity": meta.entity,
            "level": meta.level,
            "parent": meta.parent,
            "report_year": str(meta.report_year or ""),
            "publish_date": meta.publish_date or "",
            "title": re.sub(r"\s", "", meta.title),
        }
        expected = {**row, "title": re.sub(r"\s", "", row["title"])}
        for field in FIELDS:
            if field in ("publish_date", "title") and not expected[field]:
                continue
            if field == "parent" and not (row["parent"] and row["parent"] in raw):
                continue
            hits[field].append(got[field] == expected[field])
            if verbose and got[field] != expected[field]:
                print(f"{row['file']} {field}: got {got[field]!r}, expected {expected[field]!r}")
    for field in FIELDS:
        results = hits[field]
        if not results:
            print(f"{field:13s}   no labelled page")
            continue
        print(f"{field:13s} {sum(results):3d}/{len(results):3d}  {sum(results) / len(results):.1%}")


if __name__ == "__main__":
    main()
