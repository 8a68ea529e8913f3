"""Reuse: passages a report shares with other reports, with its own earlier years, or with
itself.

How passages are found:

1. **Normalise** each text so that recycled passages look alike: white space is dropped, runs of
   digits become ``#`` (new numbers in old text) and the report's own entity and parent names
   (and their stems: 永乐镇 → 永乐) become ``@`` (a neighbour's report with the name swapped).
   An index keeps every normalised character's offset in ``documents.text``.
2. **Cut** the normalised text into sentences (at 。！？； and line ends).
3. **Candidates**: each sentence's character 3-gram shingles go into a MinHash
   (`datasketch <https://ekzhu.com/datasketch/>`_), and MinHash LSH returns the sentences of
   other reports that are probably alike, without comparing every pair of reports.
4. **Evidence**: each candidate pair is checked exactly (identical after normalising, or a
   ``difflib`` ratio of at least ``min_similarity``), and runs of consecutive matching
   sentences become one passage with exact offsets in both texts.

A sentence found in more than ``max_documents`` reports is a formula of the genre
(以习近平新时代中国特色社会主义思想为指导…), not a copy between two reports: it is counted, never
paired. Every passage records how many reports share it, so ratios can leave out passages
that more than ``max_share`` of the corpus repeats.
"""

from __future__ import annotations

import difflib
import re
import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["REUSE_COLUMNS", "SUMMARY_COLUMNS", "find_reuse", "normalize_for_reuse", "reuse_summary"]

REUSE_COLUMNS = [
    "doc_id",
    "other_doc_id",
    "start",
    "end",
    "other_start",
    "other_end",
    "n_chars",
    "text",
    "relation",
    "n_documents",
    "similarity",
]
SUMMARY_COLUMNS = [
    "doc_id",
    "n_chars",
    "boilerplate_ratio",
    "formula_ratio",
    "internal_ratio",
    "previous_doc_id",
    "previous_ratio",
    "n_sources",
    "top_sources",
]

_DIGITS = r"[0-9０-９]+(?:[.,．][0-9０-９]+)*"
_NAME_SUFFIXES = ("街道", "镇", "乡", "县", "区", "市", "州", "省", "盟", "旗")
SHINGLE = 3
NUM_PERM = 64


def _names(*names: str) -> list[str]:
    """Names and their stems, longest first (永乐镇, 永乐)."""
    found = set()
    for name in names:
        if not name:
            continue
        found.add(name)
        for suffix in _NAME_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                found.add(name[: -len(suffix)])
    return sorted(found, key=len, reverse=True)


def normalize_for_reuse(text: str, *, names: Sequence[str] = ()) -> tuple[str, np.ndarray]:
    """The normalised text and, for each of its characters, the offset in ``text``.

    Examples
    --------
    >>> normalized, offsets = normalize_for_reuse("永乐镇开展检查 60 次。", names=["永乐镇"])
    >>> normalized, offsets.tolist()
    ('@开展检查#次。', [0, 3, 4, 5, 6, 8, 11, 12])
    """
    alternatives = [r"(?P<space>[^\S\n]+)", rf"(?P<digits>{_DIGITS})"]
    names = _names(*names)
    if names:
        alternatives.append("(?P<name>" + "|".join(re.escape(name) for name in names) + ")")
    pattern = re.compile("|".join(alternatives))
    pieces: list[str] = []
    offsets: list[np.ndarray] = []
    position = 0
    for match in pattern.finditer(text):
        if match.start() > position:
            pieces.append(text[position : match.start()])
            offsets.append(np.arange(position, match.start()))
        if match.lastgroup == "digits":
            pieces.append("#")
            offsets.append(np.array([match.start()]))
        elif match.lastgroup == "name":
            pieces.append("@")
            offsets.append(np.array([match.start()]))
        position = match.end()
    if position < len(text):
        pieces.append(text[position:])
        offsets.append(np.arange(position, len(text)))
    normalized = "".join(pieces)
    index = np.concatenate(offsets) if offsets else np.zeros(0, dtype=np.int64)
    return normalized, index.astype(np.int64)


@dataclass
class _Unit:
    doc: int
    number: int  # position among the document's units
    start: int  # in the normalised text
    end: int
    text: str


_UNIT_END = re.compile(r"[。！？；!?;\n]")


def _units(normalized: str, doc: int, *, min_unit_chars: int) -> list[_Unit]:
    units = []
    start = 0
    for mark in _UNIT_END.finditer(normalized):
        position = mark.start()
        end = position + (mark.group() != "\n")  # a sentence keeps its 。, not the line end
        piece = normalized[start:end]
        if len(piece.strip("@#\n")) >= min_unit_chars:
            units.append(_Unit(doc, len(units), start, end, piece))
        start = position + 1
    piece = normalized[start:]
    if len(piece.strip("@#\n")) >= min_unit_chars:
        units.append(_Unit(doc, len(units), start, len(normalized), piece))
    return units


def _shingles(text: str) -> list[bytes]:
    if len(text) <= SHINGLE:
        return [text.encode("utf-8")]
    return [text[i : i + SHINGLE].encode("utf-8") for i in range(len(text) - SHINGLE + 1)]


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)  # fast, and the same in every process (unlike hash())


def find_reuse(
    documents: pd.DataFrame,
    *,
    min_chars: int = 50,
    min_unit_chars: int = 10,
    min_similarity: float = 0.85,
    threshold: float = 0.5,
    max_documents: int = 200,
) -> pd.DataFrame:
    """Passages each report shares with another report or repeats within itself.

    Parameters
    ----------
    documents
        The documents table (``doc_id``, ``text``; ``entity``, ``parent``, ``report_year``
        for the relation and the wildcards).
    min_chars
        Shortest passage reported, in characters of the report's text.
    min_unit_chars
        Sentences shorter than this (after normalising) are not compared on their own.
    min_similarity
        How alike two sentences must be (``difflib`` ratio of the normalised sentences) to
        count as one copied from the other; identical ones always count.
    threshold
        MinHash LSH's Jaccard threshold for candidates (lower finds more, checks more).
    max_documents
        A sentence found in more reports than this is a formula: counted, never paired.

    Returns
    -------
    pandas.DataFrame
        One row per passage and direction: ``doc_id, other_doc_id, start, end, other_start,
        other_end`` (offsets into each ``documents.text``), ``n_chars``, ``text`` (as written
        in ``doc_id``), ``relation`` (``same_entity_earlier_year``,
        ``same_entity_later_year``, ``same_parent``, ``other``, or ``internal`` for a passage
        the report repeats itself), ``n_documents`` (reports that share the passage's least
        shared sentence) and ``similarity`` (1.0 when identical after normalising).

    Examples
    --------
    >>> import pandas as pd
    >>> paragraph = "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度，全年开展执法检查60次。"
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["甲镇", "乙镇"], "parent": ["丙县", "丙县"],
    ...     "report_year": [2023, 2023],
    ...     "text": ["甲镇报告。\\n" + paragraph, "乙镇报告。\\n" + paragraph.replace("60", "75")]})
    >>> reuse = find_reuse(docs, min_chars=30)
    >>> reuse[["doc_id", "other_doc_id", "start", "end", "relation"]].values.tolist()
    [['a', 'b', 6, 54, 'same_parent'], ['b', 'a', 6, 54, 'same_parent']]
    """
    from datasketch import MinHash, MinHashLSH

    frame = documents.reset_index(drop=True)
    doc_ids = frame["doc_id"].tolist()
    texts = frame["text"].fillna("").tolist()
    entities = frame["entity"].fillna("").tolist() if "entity" in frame else [""] * len(frame)
    parents = frame["parent"].fillna("").tolist() if "parent" in frame else [""] * len(frame)
    years = frame["report_year"].tolist() if "report_year" in frame else [None] * len(frame)

    offsets: list[np.ndarray] = []
    normalized_texts: list[str] = []
    units: list[_Unit] = []
    units_of_doc: list[list[_Unit]] = []
    for doc, text in enumerate(texts):
        normalized, index = normalize_for_reuse(text, names=[entities[doc], parents[doc]])
        offsets.append(index)
        normalized_texts.append(normalized)
        own = _units(normalized, doc, min_unit_chars=min_unit_chars)
        units_of_doc.append(own)
        units.extend(own)
    if not units:
        return pd.DataFrame(columns=REUSE_COLUMNS)

    # identical normalised sentences share one MinHash and one LSH entry
    distinct: dict[str, list[int]] = defaultdict(list)
    for number, unit in enumerate(units):
        distinct[unit.text].append(number)
    keys = list(distinct)
    numbers_of_key = list(distinct.values())
    signatures = MinHash.bulk(
        (_shingles(text) for text in keys), num_perm=NUM_PERM, hashfunc=_crc32
    )
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for key, signature in enumerate(signatures):
            session.insert(key, signature, check_duplication=False)

    # candidate sentences, checked exactly; how many reports share each sentence
    similar: dict[int, list[tuple[int, float]]] = {key: [(key, 1.0)] for key in range(len(keys))}
    for key, signature in enumerate(signatures):
        for other in lsh.query(signature):
            if other <= key:
                continue  # each pair once, recorded both ways: the relation is symmetric
            ratio = difflib.SequenceMatcher(None, keys[key], keys[other], autojunk=False).ratio()
            if ratio >= min_similarity:
                similar[key].append((other, ratio))
                similar[other].append((key, ratio))
    docs_of_key = [{units[n].doc for n in numbers} for numbers in numbers_of_key]
    sharing = []
    for key in range(len(keys)):
        holders: set[int] = set()
        for other, _ in similar[key]:
            holders |= docs_of_key[other]
        sharing.append(len(holders))

    # sentence pairs between two reports (or two places of one report)
    pairs: dict[tuple[int, int], list[tuple[int, int, float, int]]] = defaultdict(list)
    for key in range(len(keys)):
        if sharing[key] > max_documents:
            continue  # a formula: counted in `sharing`, never paired
        for other, ratio in similar[key]:
            for number in numbers_of_key[key]:
                for other_number in numbers_of_key[other]:
                    unit, other_unit = units[number], units[other_number]
                    if unit is other_unit:
                        continue
                    pairs[(unit.doc, other_unit.doc)].append(
                        (unit.number, other_unit.number, ratio, min(sharing[key], sharing[other]))
                    )

    rows = []
    for (doc, other_doc), matched in pairs.items():
        for run in _runs(sorted(set(matched))):
            first, last = run[0], run[-1]
            mine = units_of_doc[doc]
            theirs = units_of_doc[other_doc]
            span = _extend(
                normalized_texts[doc],
                normalized_texts[other_doc],
                (mine[first[0]].start, mine[last[0]].end),
                (theirs[first[1]].start, theirs[last[1]].end),
            )
            (a_start, a_end), (b_start, b_end) = span
            start = int(offsets[doc][a_start])
            end = int(offsets[doc][a_end - 1]) + 1
            other_start = int(offsets[other_doc][b_start])
            other_end = int(offsets[other_doc][b_end - 1]) + 1
            if doc == other_doc and not (end <= other_start or other_end <= start):
                continue  # a passage overlapping itself is not a repetition
            if end - start < min_chars:
                continue
            rows.append(
                {
                    "doc_id": doc_ids[doc],
                    "other_doc_id": doc_ids[other_doc],
                    "start": start,
                    "end": end,
                    "other_start": other_start,
                    "other_end": other_end,
                    "n_chars": end - start,
                    "text": texts[doc][start:end],
                    "relation": _relation(doc, other_doc, entities, parents, years),
                    "n_documents": min(item[3] for item in run),
                    "similarity": round(sum(item[2] for item in run) / len(run), 3),
                }
            )
    table = pd.DataFrame(rows, columns=REUSE_COLUMNS)
    if table.empty:
        return table
    table = table.sort_values(["doc_id", "start", "other_doc_id"], kind="stable")
    for column in ("start", "end", "other_start", "other_end", "n_chars", "n_documents"):
        table[column] = table[column].astype("int64")
    return table.reset_index(drop=True)


def _extend(
    mine: str, theirs: str, span: tuple[int, int], other_span: tuple[int, int]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Grow a matched passage over the identical characters around it, within the line: a
    sentence too short to be compared on its own ("二是巩固创建成果。") still belongs to the
    copied paragraph."""
    (start, end), (other_start, other_end) = span, other_span
    while (
        start > 0
        and other_start > 0
        and mine[start - 1] == theirs[other_start - 1]
        and mine[start - 1] != "\n"
    ):
        start, other_start = start - 1, other_start - 1
    while (
        end < len(mine)
        and other_end < len(theirs)
        and mine[end] == theirs[other_end]
        and mine[end] != "\n"
    ):
        end, other_end = end + 1, other_end + 1
    return (start, end), (other_start, other_end)


def _runs(matched: list[tuple[int, int, float, int]]) -> list[list[tuple[int, int, float, int]]]:
    """Chains of sentence pairs that follow each other in both texts: (3, 7), (4, 8), (5, 9)
    is one passage."""
    runs: list[list[tuple[int, int, float, int]]] = []
    open_runs: dict[tuple[int, int], list[tuple[int, int, float, int]]] = {}
    for item in matched:
        mine, theirs = item[0], item[1]
        run = open_runs.pop((mine - 1, theirs - 1), None)
        if run is None:
            run = []
            runs.append(run)
        run.append(item)
        open_runs[(mine, theirs)] = run
    return runs


def _relation(doc: int, other: int, entities, parents, years) -> str:
    if doc == other:
        return "internal"
    if entities[doc] and entities[doc] == entities[other]:
        known = not (pd.isna(years[doc]) or pd.isna(years[other]))
        if known and years[other] < years[doc]:
            return "same_entity_earlier_year"
        if known and years[other] > years[doc]:
            return "same_entity_later_year"
        return "other"
    if parents[doc] and parents[doc] == parents[other]:
        return "same_parent"
    return "other"


def _covered(spans: list[tuple[int, int]]) -> int:
    """Characters covered by the union of ``spans``."""
    total, reach = 0, -1
    for start, end in sorted(spans):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def reuse_summary(
    reuse: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    max_share: float = 0.2,
    top: int = 3,
) -> pd.DataFrame:
    """Per report: how much of it repeats other reports, its previous report, and itself.

    Parameters
    ----------
    reuse
        Output of :func:`find_reuse`.
    documents
        The documents table.
    max_share
        Passages shared by more than this share of the reports (and by more than two) are
        formulae of the genre: they count in ``formula_ratio``, not in ``boilerplate_ratio``.
    top
        Sources listed in ``top_sources``.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, n_chars, boilerplate_ratio`` (share of characters found in any other report,
        formulae left out), ``formula_ratio``, ``internal_ratio`` (repeated within the
        report), ``previous_doc_id``/``previous_ratio`` (the same entity's latest earlier
        report and the share repeated from it), ``n_sources``, ``top_sources``
        ("doc_id (chars); …").

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["x" * 100, "y" * 200]})
    >>> reuse = pd.DataFrame({"doc_id": ["b"], "other_doc_id": ["a"], "start": [0], "end": [50],
    ...     "relation": ["other"], "n_documents": [2]})
    >>> reuse_summary(reuse, docs).set_index("doc_id")["boilerplate_ratio"].to_dict()
    {'a': 0.0, 'b': 0.25}
    """
    n_reports = max(documents["doc_id"].nunique(), 1)
    # a passage in two reports is a copy between them whatever the corpus size
    limit = max(2.0, max_share * n_reports)
    rows = []
    grouped = dict(tuple(reuse.groupby("doc_id"))) if len(reuse) else {}
    for document in documents.itertuples(index=False):
        n_chars = max(len(document.text or ""), 1)
        own = grouped.get(document.doc_id)
        previous = _previous(documents, document)
        if own is None:
            rows.append(
                (document.doc_id, len(document.text or ""), 0.0, 0.0, 0.0, previous, 0.0, 0, "")
            )
            continue
        external = own[own["relation"] != "internal"]
        formula = external[external["n_documents"] > limit]
        copied = external[external["n_documents"] <= limit]
        internal = own[own["relation"] == "internal"]
        from_previous = copied[copied["other_doc_id"] == previous] if previous else copied.iloc[:0]
        by_source = (
            copied.groupby("other_doc_id")
            .apply(lambda rows: _covered(list(zip(rows["start"], rows["end"], strict=True))))
            .sort_values(ascending=False)
            if len(copied)
            else pd.Series(dtype="int64")
        )
        rows.append(
            (
                document.doc_id,
                len(document.text or ""),
                _covered(list(zip(copied["start"], copied["end"], strict=True))) / n_chars,
                _covered(list(zip(formula["start"], formula["end"], strict=True))) / n_chars,
                _covered(list(zip(internal["start"], internal["end"], strict=True))) / n_chars,
                previous,
                _covered(list(zip(from_previous["start"], from_previous["end"], strict=True)))
                / n_chars,
                len(by_source),
                "; ".join(
                    f"{source} ({int(chars)})" for source, chars in by_source.head(top).items()
                ),
            )
        )
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("boilerplate_ratio", "formula_ratio", "internal_ratio", "previous_ratio"):
        table[column] = table[column].astype("float64").round(4)
    return table


def _previous(documents: pd.DataFrame, document) -> str | None:
    entity = getattr(document, "entity", "")
    year = getattr(document, "report_year", None)
    if not entity or year is None or pd.isna(year):
        return None
    earlier = documents[(documents["entity"] == entity) & (documents["report_year"] < year)]
    if earlier.empty:
        return None
    return str(earlier.sort_values(["report_year", "doc_id"]).iloc[-1]["doc_id"])
