"""Reuse across a whole build, out of core: sentence keys joined in DuckDB, evidence in batches.

:func:`reportlib.reuse.find_reuse` compares reports it holds in memory. A build's corpus may
not fit, and most of it shares nothing with most of the rest, so the build's reuse stage
works from the ``sentence_keys`` table (each report's distinct normalised sentences as
64-bit keys, written by the workers with the other per-file tables):

1. **Counts** — how many reports hold each sentence (one ``GROUP BY``, which DuckDB spills to
   disk when it must). A sentence in more than ``max_documents`` reports is a formula.
2. **Batches** — each report's *signature* is its least key among the sentences it shares
   with at most ``max_documents`` reports; reports ordered by signature are cut into
   batches, so the towns copying one county template fall into the same batches. A report
   that shares no such sentence needs only its internal repetition checked.
3. **Neighbours** — for each batch, the reports outside it that share one of its sentences
   (one join for all batches).
4. **Evidence** — each batch, with its neighbours, goes to ``find_reuse`` in a worker process,
   which is told the corpus-wide counts of their sentences (so formulae and
   ``n_documents`` are the corpus's) and keeps the passages of the batch's own reports. Each
   batch's rows are written to a Parquet file of their own; DuckDB sorts them into
   ``reuse.parquet``.

Memory is bounded by a batch and its neighbours, not by the corpus; the work is one pass of
``find_reuse`` over each batch and its neighbours. The SQL (``COUNTS``, ``SIGNATURES``,
``NEIGHBOURS``, ``BATCH_COUNTS``) reads only ``sentence_keys`` and a ``batch_of`` table
(``doc_id, batch``), so a team can run it in any DuckDB (or another SQL engine) where their
tables live.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from reportlib.atomic import write_table
from reportlib.limits import DEFAULT_LIMITS, Limits
from reportlib.results import Entry, FileTask

__all__ = ["BATCH_COUNTS", "COUNTS", "NEIGHBOURS", "SIGNATURES", "plan_batches", "write_reuse"]

MAX_BATCH_DOCUMENTS = 200  # reports of one batch (its neighbours come on top)
MAX_BATCH_CHARS = 4_000_000
_DOCUMENT_COLUMNS = ["doc_id", "text", "entity", "parent", "report_year"]

# How many reports hold each sentence.
COUNTS = """
create or replace temp table counts as
select key, count(*) as n_documents from sentence_keys group by key
"""
# Each report's least key among the sentences it shares with 2…max_documents reports (NULL:
# it shares none), and its length, to cut batches.
SIGNATURES = """
select k.doc_id::varchar as doc_id,
       min(k.key) filter (where c.n_documents between 2 and $max_documents) as signature
from sentence_keys k join counts c using (key)
group by k.doc_id
order by signature nulls last, doc_id
"""
# The reports outside each batch that share one of its sentences (formulae aside).
NEIGHBOURS = """
with batch_keys as (
    select distinct b.batch, k.key
    from sentence_keys k join batch_of b on k.doc_id = b.doc_id join counts c using (key)
    where c.n_documents between 2 and $max_documents
)
select distinct bk.batch, k.doc_id::varchar as doc_id
from batch_keys bk join sentence_keys k using (key)
anti join batch_of b on b.batch = bk.batch and b.doc_id = k.doc_id::varchar
order by bk.batch, doc_id
"""
# The corpus-wide counts find_reuse needs for a batch: every sentence (held by two reports
# or more) of its reports and of their neighbours.
BATCH_COUNTS = """
select distinct m.batch, k.key, c.n_documents
from members m join sentence_keys k on k.doc_id = m.doc_id join counts c using (key)
where c.n_documents >= 2
order by m.batch
"""


@dataclass
class Batch:
    """Reports whose passages one ``find_reuse`` call finds, and the reports it needs."""

    number: int
    doc_ids: list[str]
    neighbours: list[str]


def plan_batches(
    connection,
    *,
    lengths: dict[str, int],
    max_documents: int = 200,
    max_batch_documents: int = MAX_BATCH_DOCUMENTS,
    max_batch_chars: int = MAX_BATCH_CHARS,
) -> list[Batch]:
    """Cut the reports of ``connection``'s ``sentence_keys`` into batches and find each
    batch's neighbours; leaves a ``batch_of`` table (``doc_id, batch``) on the connection.

    ``lengths`` gives each report's characters (a batch holds at most ``max_batch_chars``).

    Examples
    --------
    >>> import duckdb, pandas as pd
    >>> connection = duckdb.connect()
    >>> keys = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "key": [1, 2, 1, 9]})
    >>> _ = connection.register("sentence_keys", keys)
    >>> batches = plan_batches(connection, lengths={"a": 10, "b": 10, "c": 10},
    ...                        max_batch_documents=1)
    >>> [(batch.doc_ids, batch.neighbours) for batch in batches]
    [(['a'], ['b']), (['b'], ['a']), (['c'], [])]
    """
    connection.execute(COUNTS)
    ordered = connection.execute(SIGNATURES, {"max_documents": max_documents}).fetchall()
    batches: list[Batch] = []
    size = chars = 0
    for doc_id, _signature in ordered:
        length = lengths.get(doc_id, 0)
        if not batches or size >= max_batch_documents or chars + length > max_batch_chars:
            batches.append(Batch(len(batches), [], []))
            size = chars = 0
        batches[-1].doc_ids.append(doc_id)
        size, chars = size + 1, chars + length
    batch_of = pa.table(
        {
            "doc_id": pa.array([d for batch in batches for d in batch.doc_ids], pa.string()),
            "batch": pa.array(
                [batch.number for batch in batches for _ in batch.doc_ids], pa.int32()
            ),
        }
    )
    connection.register("batch_of_arrow", batch_of)
    connection.execute("create or replace temp table batch_of as select * from batch_of_arrow")
    connection.unregister("batch_of_arrow")
    for number, doc_id in connection.execute(
        NEIGHBOURS, {"max_documents": max_documents}
    ).fetchall():
        batches[number].neighbours.append(doc_id)
    return batches


def _batch_counts(connection, batches: list[Batch]) -> Iterator[tuple[int, dict[int, int]]]:
    """``(batch, {key: n_documents})`` for every batch, in order, read as a stream."""
    members = pa.table(
        {
            "batch": pa.array(
                [b.number for b in batches for _ in (*b.doc_ids, *b.neighbours)], pa.int32()
            ),
            "doc_id": pa.array([d for b in batches for d in (*b.doc_ids, *b.neighbours)]),
        }
    )
    connection.register("members", members)
    reader = connection.sql(BATCH_COUNTS).to_arrow_reader(1_000_000)
    current, counts = 0, {}
    for chunk in reader:
        for batch, key, n in zip(*(chunk.column(i).to_pylist() for i in range(3)), strict=True):
            while batch > current:
                yield current, counts
                current, counts = current + 1, {}
            counts[key] = n
    while current < len(batches):
        yield current, counts
        current, counts = current + 1, {}


def _row_groups(documents: Path) -> tuple[list[str], list[str]]:
    """Each row group's least and greatest doc_id (the build writes documents in doc_id
    order), to read only the row groups that hold a batch's reports."""
    metadata = pq.ParquetFile(documents).metadata
    column = metadata.schema.to_arrow_schema().get_field_index("doc_id")
    lows, highs = [], []
    for index in range(metadata.num_row_groups):
        statistics = metadata.row_group(index).column(column).statistics
        lows.append(statistics.min if statistics is not None else "")
        highs.append(statistics.max if statistics is not None else "\U0010ffff")
    return lows, highs


def _groups_of(doc_ids: Sequence[str], lows: list[str], highs: list[str]) -> list[int]:
    groups = set()
    for doc_id in doc_ids:
        index = bisect.bisect_right(lows, doc_id) - 1
        while index >= 0 and highs[index] >= doc_id:
            groups.add(index)
            if lows[index] < doc_id:
                break
            index -= 1
    return sorted(groups)


def run_batches(
    tasks: Sequence[FileTask],
    *,
    limits: Limits = DEFAULT_LIMITS,
    on_file: Callable[[int], None] | None = None,
) -> list[Entry]:
    """The worker's side (:class:`reportlib.workers.WorkerPool`'s ``function``): each task's
    path is a batch description (JSON); its passages are written next to it as Parquet."""

    from reportlib import reuse

    entries = []
    for number, task in enumerate(tasks):
        if on_file is not None:
            on_file(number)
        spec = json.loads(Path(task.path).read_text("utf-8"))
        wanted = set(spec["doc_ids"]) | set(spec["neighbours"])
        file = pq.ParquetFile(spec["documents"])
        table = file.read_row_groups(spec["row_groups"], columns=_DOCUMENT_COLUMNS)
        frame = table.to_pandas()
        frame = frame[frame["doc_id"].isin(wanted)].sort_values("doc_id", kind="stable")
        counts = {int(key): int(n) for key, n in spec["counts"]}
        found = reuse.find_reuse(frame, corpus_counts=counts)
        found = found[found["doc_id"].isin(set(spec["doc_ids"]))]
        if len(found):
            write_table(found.reset_index(drop=True), Path(spec["out"]))
        entries.append(
            {
                "sha256": "",
                "source_path": task.source_path,
                "row": None,
                "problems": [],
                "n_rows": len(found),
                "cacheable": False,
            }
        )
    if on_file is not None:
        on_file(len(tasks))
    return entries


def write_reuse(
    folder: Path, *, workers: int | None = None, limits: Limits = DEFAULT_LIMITS,
    max_documents: int = 200,
) -> list[dict]:  # fmt: skip
    """Write ``folder/reuse.parquet`` from ``folder``'s ``sentence_keys`` and ``documents``
    tables; returns problems rows for batches that failed (their reports' passages are
    missing, and the rows say so)."""
    import duckdb

    from reportlib import reuse
    from reportlib.workers import WorkerPool

    work = folder / ".reuse"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    connection = duckdb.connect()
    try:
        connection.execute(f"set temp_directory = '{_quoted(work / 'spill')}'")
        connection.execute("set memory_limit = '512MB'")
        connection.execute("set preserve_insertion_order = false")
        keys_path = _quoted(folder / "sentence_keys.parquet")
        connection.execute(
            f"create or replace view sentence_keys as select * from read_parquet('{keys_path}')"
        )
        documents = folder / "documents.parquet"
        lengths_table = pq.read_table(documents, columns=["doc_id", "n_chars"])
        lengths = dict(
            zip(
                lengths_table.column("doc_id").to_pylist(),
                lengths_table.column("n_chars").to_pylist(),
                strict=True,
            )
        )
        del lengths_table
        batches = plan_batches(connection, lengths=lengths, max_documents=max_documents)
        del lengths
        lows, highs = _row_groups(documents)
        tasks = []
        for (number, counts), batch in zip(
            _batch_counts(connection, batches), batches, strict=True
        ):
            spec = {
                "documents": os.fspath(documents),
                "row_groups": _groups_of([*batch.doc_ids, *batch.neighbours], lows, highs),
                "doc_ids": batch.doc_ids,
                "neighbours": batch.neighbours,
                "counts": list(counts.items()),
                "out": os.fspath(work / f"part-{number:06d}.parquet"),
            }
            path = work / f"batch-{number:06d}.json"
            path.write_text(json.dumps(spec), "utf-8")
            tasks.append(FileTask(os.fspath(path), f"reuse batch {number}", ""))
    finally:
        connection.close()
    problems = []
    if workers == 0 or len(tasks) <= 1:
        entries = run_batches(tasks, limits=limits)
    else:
        size = workers if workers is not None else min(os.cpu_count() or 1, len(tasks))
        entries = []
        with WorkerPool(size, limits=limits, function="reportlib.reuse_index:run_batches") as pool:
            for _chunk, done, _payloads in pool.imap([task] for task in tasks):
                entries.extend(done)
    for task, entry in zip(tasks, entries, strict=True):
        for stage, message in entry["problems"]:
            problems.append({"stage": "reuse", "message": f"{message} ({stage})", "task": task})
    parts = sorted(work.glob("part-*.parquet"))
    out = folder / "reuse.parquet"
    if parts:
        connection = duckdb.connect()
        try:
            connection.execute(f"set temp_directory = '{_quoted(work / 'spill')}'")
            connection.execute("set memory_limit = '512MB'")
            listed = ", ".join(f"'{_quoted(p)}'" for p in parts)
            connection.execute(
                f"copy (select * from read_parquet([{listed}]) "
                "order by doc_id, start, other_doc_id, other_start) "
                f"to '{_quoted(out)}' (format parquet)"
            )
        finally:
            connection.close()
    else:
        import pandas as pd

        write_table(pd.DataFrame(columns=reuse.REUSE_COLUMNS), out)
    shutil.rmtree(work, ignore_errors=True)
    return problems


def _quoted(path: Path) -> str:
    return os.fspath(path).replace("'", "''")
