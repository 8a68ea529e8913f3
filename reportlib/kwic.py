"""Keywords in context: every occurrence of a pattern with the text around it."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

import pandas as pd

__all__ = ["KWIC_COLUMNS", "kwic"]

KWIC_COLUMNS = ["doc_id", "section_id", "start", "end", "pre", "match", "post"]

_LINE_BREAKS = re.compile(r"\s*\n\s*")


def kwic(
    documents: pd.DataFrame,
    pattern: str | Iterable[str],
    *,
    window: int = 20,
    regex: bool = False,
    sections: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every match of ``pattern`` in the documents, with ``window`` characters either side.

    Parameters
    ----------
    documents
        The documents table (``doc_id``, ``text``).
    pattern
        A word or phrase, or several (any of them matches; the longest wins where they
        overlap). Taken literally unless ``regex``.
    window
        Characters of context before and after; shorter at a document's start or end.
    regex
        Read ``pattern`` as regular expressions.
    sections
        The sections table, to give each match its ``section_id``; without it the column is
        empty.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, section_id, start, end, pre, match, post``; ``start``/``end`` are offsets
        into ``documents.text``; line breaks in the context are shown as a space.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["枫桥经验在基层，推广新时代枫桥经验"]})
    >>> kwic(docs, "枫桥经验", window=3)[["start", "pre", "match", "post"]].values.tolist()
    [[0, '', '枫桥经验', '在基层'], [13, '新时代', '枫桥经验', '']]
    """
    patterns = [pattern] if isinstance(pattern, str) else list(pattern)
    if not patterns or not all(patterns):
        raise ValueError("kwic needs a non-empty pattern")
    if window < 0:
        raise ValueError("window must be 0 or more")
    if not regex:
        patterns = [re.escape(item) for item in sorted(patterns, key=len, reverse=True)]
    try:
        compiled = re.compile("|".join(f"(?:{item})" for item in patterns))
    except re.error as error:
        raise ValueError(f"not a valid regular expression: {error}") from error
    outline: dict[str, tuple[list[int], list[str]]] = {}
    if sections is not None:
        ordered = sections.sort_values(["doc_id", "start"], kind="stable")
        for doc_id, start, section_id in zip(
            ordered["doc_id"].tolist(),
            ordered["start"].tolist(),
            ordered["section_id"].tolist(),
            strict=True,
        ):
            starts, ids = outline.setdefault(doc_id, ([], []))
            starts.append(int(start))
            ids.append(section_id)
    rows = []
    for doc_id, text in zip(
        documents["doc_id"].tolist(), documents["text"].fillna("").tolist(), strict=True
    ):
        starts, ids = outline.get(doc_id, ([], []))
        for found in compiled.finditer(text):
            start, end = found.span()
            if start == end:
                continue  # a regex that can match nothing would list every position
            section_id = None
            if starts:
                section_id = ids[max(bisect.bisect_right(starts, start) - 1, 0)]
            rows.append(
                (
                    doc_id,
                    section_id,
                    start,
                    end,
                    _LINE_BREAKS.sub(" ", text[max(0, start - window) : start]),
                    found.group(),
                    _LINE_BREAKS.sub(" ", text[end : end + window]),
                )
            )
    table = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    table["start"] = table["start"].astype("int64")
    table["end"] = table["end"].astype("int64")
    return table
