"""Reading the pattern files in ``reportlib/data`` (chrome words, units, slogans, parts, …).

They are plain text so that users can extend them: one entry per line, ``#`` starts a comment
line, and ``.csv`` files have a header row.
"""

from __future__ import annotations

import csv
from importlib import resources

__all__ = ["data_csv", "data_lines"]


def data_lines(name: str) -> list[str]:
    """The non-empty, non-comment lines of ``reportlib/data/<name>``, stripped.

    Examples
    --------
    >>> "打印本页" in data_lines("chrome_words.txt")
    True
    """
    text = resources.files("reportlib").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def data_csv(name: str) -> list[dict[str, str]]:
    """The rows of the CSV file ``reportlib/data/<name>`` (comment lines skipped).

    Examples
    --------
    >>> data_csv("place_suffixes.csv")[0]
    {'suffix': '特别行政区', 'level': '省'}
    """
    return list(csv.DictReader(data_lines(name)))
