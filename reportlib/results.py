"""Per-file results: everything one input file gives the tables, independent of its name.

A build's unit of work and of caching is one file's *content*. :func:`process_files` (run in
worker processes) reads a few files and takes each through every per-file stage — read →
clean → metadata → sections → indicators → tokens — and packs what each file gives every
table into an :data:`Entry`: plain values (``marshal``-able, so the cache can store them
without pickle) that hold no ``doc_id`` and no path, because identical files in two places,
or one file renamed, share one entry. :func:`assemble` turns the entries of a batch of files,
with their current ``doc_id`` and path, back into the rows of each table.

Section ids are ``"<doc_id>:<order>"``, so entries keep the order and the id is rebuilt.
Tokens are kept as Arrow buffers (offsets, UTF-8 bytes, NumPy columns), which cost nothing to
pack and little to assemble.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from reportlib import documents as documents_module
from reportlib import indicators as indicators_module
from reportlib import reuse as reuse_module
from reportlib import sections as sections_module
from reportlib import store, version
from reportlib import tokens as tokens_module
from reportlib.limits import DEFAULT_LIMITS, Limits
from reportlib.places import Gazetteer

__all__ = ["SCHEMAS", "Entry", "FileTask", "assemble", "process_files", "table_from_frame"]

Entry = dict  # the marshal-able result of one file; see _entry()

_SECTION_FIELDS = [
    c
    for c in sections_module.SECTION_COLUMNS
    if c not in ("doc_id", "section_id", "parent_section_id")
]
_INDICATOR_FIELDS = [
    c for c in indicators_module.INDICATOR_COLUMNS if c not in ("doc_id", "section_id")
]
# the version is the build's (the cache key), set when the entry is placed
_ROW_FIELDS = [
    c
    for c in documents_module.DOCUMENT_COLUMNS
    if c not in ("doc_id", "source_path", "reportlib_version")
]


@dataclass(frozen=True)
class FileTask:
    """One file to process: where it is, how it is shown, and its content digest."""

    path: str
    source_path: str
    sha256: str


@functools.cache
def _catalogue():
    """The measure catalogue, loaded once in each process: compiling its patterns costs more
    than a chunk of page excerpts (0.13 s), and a worker does thousands of chunks."""
    from reportlib.measures import load_measures

    return load_measures()


def warm_up() -> None:
    """Load what a process's first file would: the gazetteer, the measure catalogue, the
    segmenter's lexicon and the numeral parser (0.4 s in all). A worker does it as soon as
    it has started, before it is given files, while the build is busy with its own work.

    Examples
    --------
    >>> warm_up()
    """
    from reportlib.numbers import parse_numeral
    from reportlib.segment import segment

    Gazetteer.load()
    _catalogue()
    segment("法治政府")
    parse_numeral("十二")


def _placeholder(number: int) -> str:
    return f"\x00{number}"  # never a real doc_id: file names cannot hold NUL


def process_files(
    tasks: Sequence[FileTask],
    *,
    limits: Limits = DEFAULT_LIMITS,
    on_file: Callable[[int], None] | None = None,
) -> list[Entry]:
    """Take a few files through every per-file stage; one entry per task, in order.

    The stages after reading run once for all the files (they are vectorised), so a worker is
    given a handful of files at a time. ``on_file(n)`` is called after the n-th file is read
    (the worker pool's time budget counts from there).

    Examples
    --------
    >>> task = FileTask("data/raw/seeds/004_8c642f3c1dbf128b.txt", "seed.txt", "")
    >>> entry = process_files([task])[0]
    >>> entry["row"]["entity"], len(entry["sections"]["order"]) > 3, entry["tokens"]["n"] > 1000
    ('那吾镇', True, True)
    """
    parsed = []
    gazetteer = Gazetteer.load()
    for number, task in enumerate(tasks):
        parsed.append(
            documents_module.parse_file(
                task.path,
                doc_id=_placeholder(number),
                source_path=task.source_path,
                limits=limits,
                gazetteer=gazetteer,
            )
        )
        if on_file is not None:
            on_file(number + 1)
    rows = [item.row for item in parsed if item.row is not None]
    documents = documents_module.documents_frame(rows)
    sections = sections_module.split_sections(documents)
    indicators = indicators_module.extract_indicators(
        documents, sections=sections, measures=_catalogue()
    )
    tokens = tokens_module.tokenize_arrow(sections)
    by_doc_sections = sections.groupby("doc_id", sort=False).indices
    by_doc_indicators = indicators.groupby("doc_id", sort=False).indices
    token_spans = _spans(tokens)
    token_text = tokens.column("token").cast(pa.string()).combine_chunks()
    # whole columns as plain values once, sliced per file below
    section_columns = {c: _plain_column(sections[c]) for c in _SECTION_FIELDS}
    section_columns["parent"] = [_order_of(v) for v in sections["parent_section_id"].tolist()]
    indicator_columns = {c: _plain_column(indicators[c]) for c in _INDICATOR_FIELDS}
    indicator_columns["section"] = [_order_of(v) for v in indicators["section_id"].tolist()]
    token_columns = {
        "position": tokens.column("position").to_numpy().astype(np.int32),
        "start": tokens.column("start").to_numpy().astype(np.int64),
        "is_stopword": tokens.column("is_stopword").to_numpy(zero_copy_only=False),
        "section": _orders(tokens.column("section_id").combine_chunks()),
    }
    # the sentences reuse compares, as keys (and the MinHash bands of the long ones, all the
    # chunk's at once): which reports share one is found out of core
    keyed = iter(
        reuse_module.sentence_keys_of(
            [row["text"] or "" for row in rows],
            names=[[row.get("entity") or "", row.get("parent") or ""] for row in rows],
        )
    )
    entries = []
    for number, (task, item) in enumerate(zip(tasks, parsed, strict=True)):
        key = _placeholder(number)
        entries.append(
            _entry(
                task,
                item,
                sections=(section_columns, by_doc_sections.get(key, [])),
                indicators=(indicator_columns, by_doc_indicators.get(key, [])),
                tokens=(token_columns, token_text, token_spans.get(key, (0, 0))),
                sentence_keys=next(keyed) if item.row is not None else None,
            )
        )
    return entries


def _plain_column(column: pd.Series) -> list:
    """A column as plain Python values: NumPy and Arrow scalars converted by ``tolist``,
    nested values (lists of merged parts) and missing markers by :func:`_plain`."""
    values = column.tolist()
    if column.dtype == object or isinstance(column.dtype, pd.api.extensions.ExtensionDtype):
        values = [_plain(value) for value in values]  # nullable columns hold pd.NA
    return values


def _take(values: list, rows) -> list:
    """``values[rows]``; one slice when the rows are consecutive (a document's rows are)."""
    if not len(rows):
        return []
    first, last = int(rows[0]), int(rows[-1])
    if last - first + 1 == len(rows):
        return values[first : last + 1]
    return [values[i] for i in rows]


def _spans(table: pa.Table) -> dict[str, tuple[int, int]]:
    """(first row, end row) of each document of a table grouped by document."""
    column = table.column("doc_id").combine_chunks()
    if not len(column):
        return {}
    codes = column.indices.to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
    ends = np.concatenate((starts[1:], [len(codes)]))
    names = column.dictionary.take(pa.array(codes[starts])).to_pylist()
    return {name: (int(a), int(b)) for name, a, b in zip(names, starts, ends, strict=True)}


def _orders(section_ids: pa.DictionaryArray) -> np.ndarray:
    """The section order ("x:3" → 3) of each row; -1 where there is none."""
    values = section_ids.dictionary.to_pylist()
    orders = np.array([int(v.rsplit(":", 1)[1]) if v else -1 for v in values] + [-1], np.int32)
    indices = section_ids.indices.fill_null(len(values)).to_numpy(zero_copy_only=False)
    return orders[indices]


def _order_of(section_id: object) -> int:
    return int(str(section_id).rsplit(":", 1)[1]) if isinstance(section_id, str) else -1


def _plain(value: object) -> object:
    """A value marshal can store: NumPy scalars become Python ones, missing values None
    (NaN floats stay NaN: they are values of float columns)."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    return value


def _entry(task: FileTask, item, *, sections, indicators, tokens, sentence_keys) -> Entry:
    """What one file gives every table, without its doc_id or path."""
    row = None
    if item.row is not None:
        row = {name: _plain(item.row.get(name)) for name in _ROW_FIELDS}
    sha256 = (row or {}).get("sha256") or task.sha256
    entry: Entry = {
        "sha256": sha256,
        "source_path": task.source_path,
        "row": row,
        "problems": [[p["stage"], p["message"]] for p in item.problems],
    }
    if row is None:
        return entry
    section_columns, rows = sections
    entry["sections"] = {name: _take(values, rows) for name, values in section_columns.items()}
    # only a report without headings has a section of part unknown (its only one)
    for part in entry["sections"]["part"]:
        if part == "unknown":
            entry["problems"].append(
                [
                    "sections",
                    f"{task.source_path}: no numbered headings found; the report is one "
                    "section of part unknown",
                ]
            )
    indicator_columns, rows = indicators
    entry["indicators"] = {name: _take(values, rows) for name, values in indicator_columns.items()}
    token_columns, token_text, (first, end) = tokens
    offsets = np.frombuffer(token_text.buffers()[1], np.int32)[
        token_text.offset : token_text.offset + len(token_text) + 1
    ]
    data = token_text.buffers()[2]
    low, high = int(offsets[first]), int(offsets[end])
    entry["tokens"] = {
        "n": end - first,
        "offsets": (offsets[first : end + 1] - low).astype(np.int32).tobytes(),
        "data": data.slice(low, high - low).to_pybytes() if data is not None else b"",
        **{
            name: np.ascontiguousarray(values[first:end]).tobytes()
            for name, values in token_columns.items()
        },
    }
    entry["sentence_keys"] = tuple(a.tobytes() for a in sentence_keys)
    return entry


# --- assembly ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placed:
    """An entry at its place in this build: a file's doc_id and shown path."""

    doc_id: str
    source_path: str
    entry: Entry


def assemble(placed: Sequence[Placed], *, extra_problems: Sequence[dict] = ()) -> dict:
    """The rows of every per-file table for a batch of files, in the order given.

    Returns a dict of DataFrames (``documents``, ``problems``, ``sections``, ``outline``,
    ``indicators``) plus the ``tokens`` Arrow table.
    """
    current = version.parser_version()
    # every table in the order of the files, each file's rows together (its name's problem
    # first): a build may then keep a file's rows from the build before and put them back in
    # their place
    extras: dict[str, list[dict]] = {}
    for problem in extra_problems:
        extras.setdefault(str(problem["doc_id"]), []).append(problem)
    rows, problems = [], []
    section_parts, indicator_parts, token_parts, key_parts = [], [], [], []
    for item in placed:
        entry, doc_id, source = item.entry, item.doc_id, item.source_path
        problems.extend(extras.pop(doc_id, ()))
        for stage, message in entry["problems"]:
            problems.append(
                {
                    "doc_id": doc_id,
                    "source_path": source,
                    "stage": stage,
                    "message": message.replace(entry["source_path"], source, 1),
                    "sha256": entry["sha256"],
                    "reportlib_version": current,
                }
            )
        if entry["row"] is None:
            continue
        rows.append(
            {"doc_id": doc_id, "source_path": source, **entry["row"], "reportlib_version": current}
        )
        section_parts.append((doc_id, entry["sections"]))
        indicator_parts.append((doc_id, entry["indicators"]))
        token_parts.append((doc_id, entry["tokens"]))
        key_parts.append((doc_id, entry["sentence_keys"]))
    problems.extend(problem for left in extras.values() for problem in left)
    sections = _sections_frame(section_parts)
    return {
        "documents": documents_module.documents_frame(rows),
        "problems": documents_module.problems_frame(problems),
        "sections": sections,
        "outline": sections_module.outline_compliance(sections),
        "indicators": _indicators_frame(indicator_parts),
        "tokens": _tokens_table(token_parts),
        "sentence_keys": _keys_table(key_parts),
    }


def _keys_table(parts) -> pa.Table:
    """``doc_id, key, n_chars, is_band``: each report's distinct sentence keys with their
    lengths, then its distinct MinHash bands (``is_band``) with the length of the longest
    sentence having each (:func:`reuse.sentence_keys`)."""
    doc_ids = pa.array([doc_id for doc_id, _ in parts], pa.string())
    keys, lengths, flags, owners = [], [], [], []
    for number, (_, data) in enumerate(parts):
        for offset, is_band in ((0, False), (2, True)):
            found = np.frombuffer(data[offset], dtype=np.int64)
            keys.append(found)
            lengths.append(np.frombuffer(data[offset + 1], dtype=np.int32))
            flags.append(np.full(len(found), is_band))
            owners.append(np.full(len(found), number, dtype=np.int32))

    def joined(arrays, dtype):
        return np.concatenate(arrays) if arrays else np.zeros(0, dtype)

    return pa.table(
        {
            "doc_id": pa.DictionaryArray.from_arrays(pa.array(joined(owners, np.int32)), doc_ids),
            "key": pa.array(joined(keys, np.int64)),
            "n_chars": pa.array(joined(lengths, np.int32)),
            "is_band": pa.array(joined(flags, bool)),
        },
        schema=SCHEMAS["sentence_keys"],
    )


def _column(parts, name: str) -> list:
    return [value for _, columns in parts for value in columns[name]]


def _ids(parts, name: str) -> list:
    """``"<doc_id>:<order>"`` for each row; None where the order is -1."""
    return [
        f"{doc_id}:{order}" if order >= 0 else None
        for doc_id, columns in parts
        for order in columns[name]
    ]


def _sections_frame(parts) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "doc_id": [doc_id for doc_id, columns in parts for _ in columns["order"]],
            "section_id": _ids(parts, "order"),
            "parent_section_id": _ids(parts, "parent"),
            **{name: _column(parts, name) for name in _SECTION_FIELDS},
        },
        columns=sections_module.SECTION_COLUMNS,
    )
    for column in ("order", "level", "start", "end", "n_chars"):
        frame[column] = frame[column].astype("int64")
    frame["merged_parts"] = frame["merged_parts"].astype(object)  # lists, even with no row
    for column in (
        "doc_id",
        "section_id",
        "parent_section_id",
        "number",
        "heading",
        "text",
        "part",
    ):
        frame[column] = frame[column].astype("str")
    return frame


def _indicators_frame(parts) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "doc_id": [doc_id for doc_id, columns in parts for _ in columns["start"]],
            "section_id": _ids(parts, "section"),
            **{name: _column(parts, name) for name in _INDICATOR_FIELDS},
        },
        columns=indicators_module.INDICATOR_COLUMNS,
    )
    for column in ("start", "end"):
        frame[column] = frame[column].astype("int64")
    for column in ("value", "low", "high"):
        frame[column] = frame[column].astype("float64")
    for column in ("is_rate", "is_duplicate", "is_planned"):
        frame[column] = frame[column].astype("bool")
    frame["part_of"] = frame["part_of"].astype("Int64")
    strings = set(indicators_module.INDICATOR_COLUMNS) - {
        "start", "end", "value", "low", "high", "is_rate", "is_duplicate", "is_planned", "part_of"
    }  # fmt: skip
    for column in strings:
        frame[column] = frame[column].astype("str")
    return frame


def _tokens_table(parts) -> pa.Table:
    """The tokens of a batch, with dictionaries of this batch only (doc ids, section ids,
    words), so a row group never carries the whole corpus's dictionaries."""
    counts = np.array([columns["n"] for _, columns in parts], dtype=np.int64)
    if not counts.sum():
        return tokens_module.TOKEN_SCHEMA.empty_table()
    lengths = [np.frombuffer(columns["offsets"], np.int32) for _, columns in parts]
    bases = np.concatenate(([0], np.cumsum([int(o[-1]) for o in lengths])))
    offsets = np.concatenate(
        [lengths[0][:1]] + [o[1:] + base for o, base in zip(lengths, bases[:-1], strict=True)]
    ).astype(np.int64)
    data = b"".join(columns["data"] for _, columns in parts)
    words = pa.LargeStringArray.from_buffers(
        int(counts.sum()), pa.py_buffer(offsets.tobytes()), pa.py_buffer(data)
    )
    encoded = pc.dictionary_encode(words)

    def joined(name: str, dtype) -> np.ndarray:
        return np.concatenate([np.frombuffer(columns[name], dtype) for _, columns in parts])

    owner = np.repeat(np.arange(len(parts)), counts)
    orders = joined("section", np.int32)
    doc_ids = [doc_id for doc_id, _ in parts]
    # one dictionary entry per (document, section) pair of the batch
    pairs = owner.astype(np.int64) * (int(orders.max(initial=0)) + 2) + (orders + 1)
    unique_pairs, section_index = np.unique(pairs, return_inverse=True)
    width = int(orders.max(initial=0)) + 2
    section_values = [
        f"{doc_ids[pair // width]}:{pair % width - 1}" if pair % width else ""
        for pair in unique_pairs.tolist()
    ]
    null = np.array([value == "" for value in section_values], dtype=bool)
    return pa.Table.from_pydict(
        {
            "doc_id": pa.DictionaryArray.from_arrays(
                pa.array(owner, type=pa.int32()), pa.array(doc_ids, type=pa.string())
            ),
            "section_id": pa.DictionaryArray.from_arrays(
                pa.array(section_index, type=pa.int32(), mask=null[section_index]),
                pa.array(section_values, type=pa.string()),
            ),
            "position": pa.array(joined("position", np.int32).astype(np.int64)),
            "start": pa.array(joined("start", np.int64)),
            "token": pa.DictionaryArray.from_arrays(
                encoded.indices.cast(pa.int32()), encoded.dictionary.cast(pa.string())
            ),
            "is_stopword": pa.array(joined("is_stopword", np.bool_)),
        },
        schema=tokens_module.TOKEN_SCHEMA,
    )


# --- table schemas ----------------------------------------------------------------------------

_TEXT = pa.large_string()
SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema(
        [
            (
                c,
                pa.int64()
                if c in ("report_year", "n_chars")
                else pa.bool_()
                if c == "is_excerpt"
                else _TEXT,
            )
            for c in documents_module.DOCUMENT_COLUMNS
        ]
    ),
    "problems": pa.schema([(c, _TEXT) for c in documents_module.PROBLEM_COLUMNS]),
    "sections": pa.schema(
        [
            (
                c,
                pa.int64()
                if c in ("order", "level", "start", "end", "n_chars")
                else pa.list_(pa.string())
                if c == "merged_parts"
                else _TEXT,
            )
            for c in sections_module.SECTION_COLUMNS
        ]
    ),
    "outline": pa.schema(
        [
            (
                c,
                _TEXT
                if c == "doc_id"
                else pa.float64()
                if c.startswith("share_")
                else pa.int64()
                if c in ("n_sections", "compliance_score")
                else pa.bool_(),
            )
            for c in sections_module.OUTLINE_COLUMNS
        ]
    ),
    "indicators": pa.schema(
        [
            (
                c,
                pa.int64()
                if c in ("start", "end", "part_of")
                else pa.float64()
                if c in ("value", "low", "high")
                else pa.bool_()
                if c in ("is_rate", "is_duplicate", "is_planned")
                else _TEXT,
            )
            for c in indicators_module.INDICATOR_COLUMNS
        ]
    ),
    "tokens": tokens_module.TOKEN_SCHEMA,
    "sentence_keys": pa.schema(
        [
            ("doc_id", pa.dictionary(pa.int32(), pa.string())),
            ("key", pa.int64()),
            ("n_chars", pa.int32()),
            ("is_band", pa.bool_()),
        ]
    ),
}


def stored(table: pa.Table, name: str) -> pa.Table:
    """A batch of one table as the build stores it: without the columns the build does not
    store (a section's text is in the documents table: ``store.UNSTORED_COLUMNS``)."""
    dropped = [c for c in store.UNSTORED_COLUMNS.get(name, ()) if c in table.schema.names]
    return table.drop_columns(dropped) if dropped else table


def table_from_frame(frame: pd.DataFrame, name: str) -> pa.Table:
    """A batch of one table as Arrow, in the table's fixed schema (so every batch of every
    build has the same types, whatever its rows happen to hold)."""
    return pa.Table.from_pandas(frame, schema=SCHEMAS[name], preserve_index=False)
