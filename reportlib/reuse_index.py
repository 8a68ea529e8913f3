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
   (one join for all batches, cut into slices of reports when it would make more than
   ``SLICE_PAIRS`` pairs: the join then fits DuckDB's memory limit at any corpus size).
4. **Evidence** — each batch, with its neighbours, goes to ``find_reuse`` in a worker process,
   which is told the corpus-wide counts of their sentences (so formulae and
   ``n_documents`` are the corpus's) and keeps the passages of the batch's own reports. Each
   batch's rows are written to a Parquet file of their own; DuckDB sorts them into
   ``reuse.parquet``.

Memory is bounded by a batch and its neighbours, not by the corpus: a batch whose neighbours
bring it over ``MAX_COMPARED_CHARS`` is cut again, smaller, and its neighbours found again
(on distinct text they are ten times the batch). The work is one pass of ``find_reuse`` over
each batch and its neighbours, where only the batch's own sentences are looked at for
likeness (``find_reuse``'s ``only``). The SQL (``COUNTS``, ``SHARED``,
``GROUPS``, ``NEIGHBOUR_INPUTS``, ``NEIGHBOURS``, ``BATCH_COUNTS``) reads only
``sentence_keys`` and a ``batch_of`` table (``doc_id, batch``), so a team can run it in any DuckDB (or another SQL engine) where their
tables live.
"""

from __future__ import annotations

import bisect
import itertools
import json
import os
import shutil
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from reportlib.atomic import write_table
from reportlib.limits import DEFAULT_LIMITS, Limits
from reportlib.results import Entry, FileTask
from reportlib.reuse import REUSE_COLUMNS

__all__ = [
    "BATCH_COUNTS",
    "COUNTS",
    "DIRTY",
    "GROUPS",
    "NEIGHBOURS",
    "NEIGHBOUR_INPUTS",
    "NEIGHBOUR_PAIRS",
    "REUSE_SCHEMA",
    "SHARED",
    "plan_batches",
    "write_reuse",
]

# A batch holds at most so many reports, characters, and pairs of sentences its reports can
# make (each report's shared sentences, counted in every report holding them): a report
# sharing little costs little, so a batch holds thousands; a town copying a template shared
# by 150 others makes 150 pairs of each sentence, so a batch holds some 60 of them. Its
# neighbours come on top. find_reuse needs about 300 bytes a pair (sorting included) and 150
# a character at its peak.
MAX_BATCH_DOCUMENTS = 5000
MAX_BATCH_CHARS = 4_000_000
MAX_BATCH_PAIRS = 1_500_000
# A batch and its neighbours hold at most so many characters (unless it is one report):
# find_reuse's peak is about 40 bytes a character compared, so a worker stays near 0.6 GB.
# On distinct text the neighbours are ten times the batch, and a batch is cut again.
MAX_COMPARED_CHARS = 8_000_000
# Two reports in different batches are compared when they share sentences of at least this
# many characters in all: find_reuse's shortest passage (50) less what it may grow over at
# its edges without a sentence of its own (two sentences too short to compare, under 10).
MIN_SHARED_CHARS = 30
# … counting only sentences of at least this many characters: headings such as 二是抓实矛盾
# 排查化解。 are shared by many reports and, not one after the other, make no passage; two
# reports sharing only such are compared when they fall in one batch.
MIN_NEIGHBOUR_SENTENCE = 16
# Bands two reports must share to be compared for sentences alike (of the 14 of a sentence,
# rows of 4 MinHash values: sentences of Jaccard 0.85 share 3 or more with probability 0.99,
# of 0.7 with 0.69, of 0.3, sharing a clause, with 0.002)
MIN_SHARED_BANDS = 3
_DOCUMENT_COLUMNS = ["doc_id", "text", "entity", "parent", "report_year"]
# The reuse table's columns as stored: a passage's text is its report's text[start:end],
# which the documents table holds once (readers slice it back); without it, sorting and
# merging the passages on a re-run cost a twentieth.
STORED_COLUMNS = [column for column in REUSE_COLUMNS if column != "text"]
# the reuse table's types, as DuckDB writes them (an empty table has the same)
REUSE_SCHEMA = pa.schema(
    [
        (
            name,
            pa.float64()
            if name == "similarity"
            else pa.string()
            if name in ("doc_id", "other_doc_id", "relation")
            else pa.int64(),
        )
        for name in STORED_COLUMNS
    ]
)

# How many reports hold each sentence.
COUNTS = """
create or replace temp table counts as
select key, count(*) as n_documents from sentence_keys where not is_band group by key
"""
# The sentences worth pairing: held by 2…max_documents reports (not formulae).
SHARED = """
create or replace temp table shared as
select k.doc_id::varchar as doc_id, k.key, k.n_chars
from sentence_keys k join counts c using (key)
where not k.is_band and c.n_documents between 2 and $max_documents
"""
# Each report's group, so that reports copying one another fall in one batch: a first
# signature (the least key it shares), then each sentence's most common first signature
# among its holders, and each report's most common of those over its sentences (a town that
# reworded the sentence whose key is least still joins its template's group). NULL: the
# report shares no sentence. With each report's weight: the occurrences of its shared
# sentences in the corpus, the pairs of sentences it can make. Ordered for batching.
GROUPS = """
with compared as (select * from shared semi join dirty using (doc_id)),
-- the signatures of the reports holding a sentence of those compared (a re-run compares few)
holders as (select distinct doc_id from shared where key in (select key from compared)),
first as (
    select doc_id, min(key) as signature from shared semi join holders using (doc_id)
    group by doc_id
),
key_votes as (
    select s.key, f.signature, count(*) as n
    from shared s join first f using (doc_id)
    where s.key in (select key from compared) group by all
),
key_group as (
    select key, signature as grp from key_votes
    qualify row_number() over (partition by key order by n desc, signature) = 1
),
doc_votes as (
    select s.doc_id, g.grp, count(*) as n from compared s join key_group g using (key) group by all
),
doc_group as (
    select doc_id, grp from doc_votes
    qualify row_number() over (partition by doc_id order by n desc, grp) = 1
),
weights as (
    select s.doc_id, sum(c.n_documents) as weight
    from compared s join counts c using (key) group by s.doc_id
)
select d.doc_id, g.grp, coalesce(w.weight, 0) as weight
from dirty d left join doc_group g using (doc_id) left join weights w using (doc_id)
order by g.grp nulls last, d.doc_id
"""
# What the neighbour search joins, made once: the holders of each shared sentence of at
# least ``$min_sentence`` characters that is held in two batches or more (or outside them:
# a template's copies batched together cost no pair), and the holders of each MinHash band
# of a long sentence (reuse.BAND_MIN_CHARS) held by 2…max_documents reports — sentences
# alike, not identical.
NEIGHBOUR_INPUTS = """
create or replace temp table holders as
with held as (
    select s.key, s.doc_id, s.n_chars, b.batch
    from shared s left join batch_of b using (doc_id)
    where s.n_chars >= $min_sentence
      -- a re-run compares few reports: only their sentences' holders are joined
      and s.key in (select key from shared semi join batch_of using (doc_id))
)
select * from held where key in (
    select key from held group by key
    having count(distinct coalesce(batch, -1)) > 1 or count(*) filter (batch is null) > 0
);
create or replace temp table bands as
with batched as (
    select k.key, k.doc_id::varchar as doc_id, k.n_chars
    from sentence_keys k
    where k.is_band and k.key in (
        select key from sentence_keys k semi join batch_of b on b.doc_id = k.doc_id::varchar
        where k.is_band
    )
)
select k.key, k.doc_id, k.n_chars, b.batch
from batched k left join batch_of b using (doc_id)
where k.key in (
    select key from batched group by key having count(*) between 2 and $max_documents
);
"""
# The pairs of holders those joins make, to cut the search into slices that fit in memory.
NEIGHBOUR_PAIRS = """
select coalesce(sum(n * (n - 1)), 0)::bigint from (
    select count(*) as n from holders group by key
    union all
    select count(*) as n from bands group by key
)
"""
# The reports outside each batch worth comparing with it: for a report of the batch, the
# reports (of another batch, or not compared again) with which it shares at least
# ``$min_shared`` characters of sentences (or ``$min_bands`` bands of a long sentence), the
# ``$max_neighbours`` sharing most. Run for the reports of one slice (``hash(doc_id) %
# $slices = $slice``) at a time: a report's neighbours are all found in its slice.
NEIGHBOURS = """
with pairs as (
    select a.batch, a.doc_id as mine, o.doc_id, a.n_chars
    from holders a join holders o on o.key = a.key and o.doc_id <> a.doc_id
    where a.batch is not null and o.batch is distinct from a.batch
      and hash(a.doc_id) % $slices = $slice
),
alike as (
    select a.batch, a.doc_id as mine, o.doc_id, max(a.n_chars) as n_chars
    from bands a join bands o on o.key = a.key and o.doc_id <> a.doc_id
    where a.batch is not null and o.batch is distinct from a.batch
      and hash(a.doc_id) % $slices = $slice
    group by all
    -- one band in common happens by chance to sentences sharing a clause; sentences alike
    -- enough to count (reuse's min_similarity) share several of their 14
    having count(*) >= $min_bands
),
scored as (
    select batch, mine, doc_id, sum(n_chars) as n_chars
    from (select * from pairs union all select * from alike)
    group by all
),
-- a report's passages are kept against its max_sources largest sources: twice as many
-- candidates are enough, and a report sharing boilerplate with thousands costs 2 x 20
found as (
    select batch, doc_id from scored
    where n_chars >= $min_shared
    qualify row_number() over (partition by mine order by n_chars desc, doc_id)
        <= $max_neighbours
)
select distinct f.batch, f.doc_id, f.doc_id in (select doc_id from dirty) as dirty
from found f
"""
# A batch's reports are compared at most so many sentence pairs at a time (by the plan's
# weights: each report's sentences times the reports holding them): a template copied by
# 150 towns is one group, never cut across batches, whose pairs all at once took 0.8 GB in
# a worker. Each part of the batch is compared with all its neighbours in turn.
MAX_FOCUS_PAIRS = 500_000
# Pairs of holders a slice of the neighbour search may join (DuckDB's 512 MB holds some 20 M)
SLICE_PAIRS = 8_000_000
# The corpus-wide counts find_reuse needs for a batch: every sentence (held by two reports
# or more) of its reports and of their neighbours.
BATCH_COUNTS = """
select distinct m.batch, k.key, c.n_documents
from members m join sentence_keys k on k.doc_id = m.doc_id join counts c using (key)
where not k.is_band and c.n_documents >= 2
order by m.batch
"""


@dataclass
class Batch:
    """Reports whose passages one ``find_reuse`` call finds, and the reports it needs."""

    number: int
    doc_ids: list[str]
    neighbours: list[str]
    clean: list[str] = field(default_factory=list)  # neighbours not compared again
    weights: list[int] = field(default_factory=list)  # each report's sentence pairs, about


def plan_batches(
    connection,
    *,
    lengths: dict[str, int],
    max_documents: int = 200,
    max_batch_documents: int | None = None,
    max_batch_chars: int | None = None,
    max_compared_chars: int | None = None,
    min_shared: int = MIN_SHARED_CHARS,
    max_sources: int = 20,
) -> list[Batch]:
    """Cut the reports of ``connection``'s ``dirty`` table (``doc_id``: those to compare)
    into batches and find each batch's neighbours in ``sentence_keys``; leaves a
    ``batch_of`` table (``doc_id, batch``) on the connection.

    ``lengths`` gives each report's characters. A batch holds at most
    ``max_batch_documents`` reports (default :data:`MAX_BATCH_DOCUMENTS`) and
    ``max_batch_chars`` characters (:data:`MAX_BATCH_CHARS`), its neighbours aside; with
    them, at most ``max_compared_chars`` (:data:`MAX_COMPARED_CHARS`): a batch over it is cut
    again, smaller, and its neighbours found again, until it fits or holds one report.

    Examples
    --------
    >>> import duckdb, pandas as pd
    >>> connection = duckdb.connect()
    >>> keys = pd.DataFrame({"doc_id": ["a", "a", "b", "c"], "key": [1, 2, 1, 9],
    ...                      "n_chars": [40, 20, 40, 40], "is_band": [False] * 4})
    >>> _ = connection.register("sentence_keys", keys)
    >>> _ = connection.execute("create table dirty as select distinct doc_id from sentence_keys")
    >>> batches = plan_batches(connection, lengths={"a": 10, "b": 10, "c": 10},
    ...                        max_batch_documents=1)
    >>> [(batch.doc_ids, batch.neighbours) for batch in batches]
    [(['a'], ['b']), (['b'], ['a']), (['c'], [])]
    >>> [batch.doc_ids for batch in plan_batches(connection, lengths={"a": 10, "b": 10, "c": 10},
    ...                                           max_compared_chars=15)]
    [['a'], ['b'], ['c']]
    """
    limits = {
        "documents": max_batch_documents or MAX_BATCH_DOCUMENTS,
        "chars": max_batch_chars or MAX_BATCH_CHARS,
        "pairs": MAX_BATCH_PAIRS,
    }
    max_compared_chars = max_compared_chars or MAX_COMPARED_CHARS
    connection.execute(COUNTS)
    connection.execute(SHARED, {"max_documents": max_documents})
    rows = connection.execute(GROUPS).fetchall()
    # the reports of a batch too heavy with its neighbours get a batch at most half as large
    caps: dict[str, int] = {}
    while True:
        batches = _cut(rows, lengths, limits, caps)
        _neighbours(
            connection, batches, max_documents=max_documents, min_shared=min_shared,
            max_sources=max_sources,
        )  # fmt: skip
        heavy = False
        for batch in batches:
            compared = sum(lengths.get(d, 0) for d in (*batch.doc_ids, *batch.neighbours))
            if compared > max_compared_chars and len(batch.doc_ids) > 1:
                heavy = True
                # the neighbours do not shrink as fast as the batch: at least halve it
                factor = min(0.5, max_compared_chars / compared)
                cap = max(1, int(len(batch.doc_ids) * factor))
                caps.update(dict.fromkeys(batch.doc_ids, cap))
        if not heavy:
            return batches


def _cut(
    rows: list[tuple], lengths: dict[str, int], limits: dict[str, int], caps: dict[str, int]
) -> list[Batch]:
    """Reports in ``GROUPS`` order, cut into batches within ``limits``; a report with a cap
    is in a batch of at most so many reports."""
    batches: list[Batch] = []
    size = chars = weight = 0
    most = limits["documents"]

    def full(documents: int, length: int, pairs: int) -> bool:
        return (
            size + documents > most
            or chars + length > limits["chars"]
            or weight + pairs > limits["pairs"]
        )

    def start(doc_id: str) -> None:
        nonlocal size, chars, weight, most
        batches.append(Batch(len(batches), [], []))
        size = chars = weight = 0
        most = min(limits["documents"], caps.get(doc_id, limits["documents"]))

    for _group, group_rows in itertools.groupby(rows, key=lambda row: row[1]):
        members = [(doc_id, lengths.get(doc_id, 0), pairs) for doc_id, _, pairs in group_rows]
        # a report with no shared sentence has no weight (the query's null)
        if batches and full(len(members), sum(m[1] for m in members), sum(m[2] for m in members)):
            start(members[0][0])  # a group starts a batch of its own rather than be cut
        for doc_id, length, pairs in members:
            # a report capped lower than the batch it comes to starts one of its own
            tighter = caps.get(doc_id, most) < most
            if not batches or (size and (full(1, length, pairs) or tighter)):
                start(doc_id)
            batches[-1].doc_ids.append(doc_id)
            batches[-1].weights.append(int(pairs or 0))
            size, chars, weight = size + 1, chars + length, weight + pairs
    batches = [batch for batch in batches if batch.doc_ids]
    for number, batch in enumerate(batches):
        batch.number = number
    return batches


def _neighbours(
    connection, batches: list[Batch], *, max_documents: int, min_shared: int, max_sources: int
) -> None:
    """Fill in each batch's neighbours (see ``NEIGHBOURS``), writing ``batch_of``."""
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
    holders, bands = NEIGHBOUR_INPUTS.split(";")[:2]
    connection.execute(holders, {"min_sentence": MIN_NEIGHBOUR_SENTENCE})
    connection.execute(bands, {"max_documents": max_documents})
    pairs = connection.execute(NEIGHBOUR_PAIRS).fetchone()[0]
    # a slice per report at the most: a report's neighbours are found in one query
    slices = max(1, min(-(-pairs // SLICE_PAIRS), sum(len(b.doc_ids) for b in batches)))
    found: dict[int, dict[str, bool]] = {}
    for number in range(slices):
        for batch, doc_id, dirty in connection.execute(
            NEIGHBOURS,
            {
                "min_shared": min_shared,
                "max_neighbours": 2 * max_sources,
                "min_bands": MIN_SHARED_BANDS,
                "slices": slices,
                "slice": number,
            },
        ).fetchall():
            found.setdefault(batch, {})[doc_id] = dirty
    for batch in batches:
        neighbours = found.get(batch.number, {})
        batch.neighbours = sorted(neighbours)
        batch.clean = [d for d in batch.neighbours if not neighbours[d]]


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


def _parts(documents: Path) -> tuple[list[str], list[str], list[str]]:
    """Each part (file) of the documents table with its least and greatest doc_id (the build
    writes documents in doc_id order), to read only the parts that hold a batch's reports."""
    from reportlib.store import part_files

    files = part_files(documents)
    names, lows, highs = [], [], []
    for file in files:
        metadata = pq.ParquetFile(file).metadata
        column = metadata.schema.to_arrow_schema().get_field_index("doc_id")
        for index in range(metadata.num_row_groups):
            statistics = metadata.row_group(index).column(column).statistics
            if statistics is None or not statistics.has_min_max:
                lows.append("")
                highs.append("\U0010ffff")
            else:
                lows.append(statistics.min)
                highs.append(statistics.max)
            names.append(f"{os.fspath(file)}#{index}")
    order = sorted(range(len(names)), key=lambda i: lows[i])
    return [names[i] for i in order], [lows[i] for i in order], [highs[i] for i in order]


def _groups_of(doc_ids: Sequence[str], lows: list[str], highs: list[str]) -> list[int]:
    groups = set()
    for doc_id in doc_ids:
        index = bisect.bisect_right(lows, doc_id) - 1
        while index >= 0:
            if highs[index] >= doc_id:
                groups.add(index)
            if lows[index] < doc_id:
                break
            index -= 1
    return sorted(groups)


def _read_documents(places: Sequence[str], doc_ids: Collection[str]) -> pa.Table:
    """The reports ``doc_ids`` of the row groups ``file#index`` of the documents table, as one
    Arrow table. Each row group is filtered as it is read: a batch's reports and neighbours
    are spread over most of a large build's row groups, and most of their rows are others'."""
    import pyarrow.compute as pc

    wanted = pa.array(sorted(doc_ids), pa.string())
    tables = []
    for place in places:
        file, index = place.rsplit("#", 1)
        group = pq.ParquetFile(file).read_row_group(int(index), columns=_DOCUMENT_COLUMNS)
        tables.append(group.filter(pc.is_in(group.column("doc_id").cast(pa.string()), wanted)))
        del group
    return pa.concat_tables(tables) if tables else pa.table({c: [] for c in _DOCUMENT_COLUMNS})


def run_batches(
    tasks: Sequence[FileTask],
    *,
    limits: Limits = DEFAULT_LIMITS,
    on_file: Callable[[int], None] | None = None,
) -> list[Entry]:
    """The worker's side (:class:`reportlib.workers.WorkerPool`'s ``function``): each task's
    path is a batch description (JSON); its passages are written next to it as Parquet."""

    import pandas as pd

    from reportlib import reuse

    entries = []
    for number, task in enumerate(tasks):
        if on_file is not None:
            on_file(number)
        spec = json.loads(Path(task.path).read_text("utf-8"))
        wanted = set(spec["doc_ids"]) | set(spec["neighbours"])
        frame = _read_documents(spec["row_groups"], wanted).to_pandas()
        frame = frame.sort_values("doc_id", kind="stable")
        counts = {int(key): int(n) for key, n in spec["counts"]}
        clean = set(spec.get("clean", ()))
        parts = []
        for mine in _focus_parts(spec["doc_ids"], spec.get("weights") or [], MAX_FOCUS_PAIRS):
            found = reuse.find_reuse(frame, only=mine, corpus_counts=counts, with_text=False)
            # a report compared keeps its own rows (whole: all its pairs were looked at); an
            # unchanged neighbour only its rows against these (its others are kept from the
            # build before); a report of another part of the batch has its own turn
            parts.append(
                found[
                    found["doc_id"].isin(mine)
                    | (found["doc_id"].isin(clean) & found["other_doc_id"].isin(mine))
                ]
            )
            del found
        found = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        del parts
        found = found.sort_values(["doc_id", "start", "other_doc_id", "other_start"], kind="stable")
        if len(found):
            write_table(found[STORED_COLUMNS].reset_index(drop=True), Path(spec["out"]))
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


def _focus_parts(doc_ids: list[str], weights: list[int], most: int) -> list[set[str]]:
    """``doc_ids`` in consecutive parts of at most ``most`` weight (at least one report
    each); no weights (a plan before them): one part.

    >>> [sorted(part) for part in _focus_parts(["a", "b", "c", "d"], [300, 300, 300, 900], 700)]
    [['a', 'b'], ['c'], ['d']]
    """
    if len(weights) != len(doc_ids):
        return [set(doc_ids)]
    parts: list[set[str]] = []
    total = 0
    for doc_id, weight in zip(doc_ids, weights, strict=True):
        if not parts or (parts[-1] and total + weight > most):
            parts.append(set())
            total = 0
        parts[-1].add(doc_id)
        total += weight
    return parts


def write_reuse(
    folder: Path,
    *,
    previous: Path | None = None,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    max_documents: int = 200,
    executor=None,
) -> list[dict]:
    """Write ``folder/reuse.parquet`` from ``folder``'s ``sentence_keys`` and ``documents``
    tables; returns problems rows (``stage``, ``message``, ``doc_ids``) for batches that
    failed, whose reports' passages are missing.

    ``previous`` is the folder of the build before, by the same parser: its passages between
    two reports that are unchanged, and whose sentences are held by as many reports as
    before, are kept; only the others are compared again (see :data:`DIRTY`).
    """

    work = folder / ".reuse"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    documents = folder / "documents.parquet"
    connection = _connect(work)
    try:
        _view(connection, "sentence_keys", folder / "sentence_keys.parquet")
        _view(connection, "documents", documents)
        usable = previous is not None and all(
            (previous / f"{name}.parquet").exists()
            for name in ("sentence_keys", "documents", "reuse")
        )
        if usable:
            _view(connection, "old_keys", previous / "sentence_keys.parquet")
            _view(connection, "old_documents", previous / "documents.parquet")
            _view(connection, "old_reuse", previous / "reuse.parquet")
            connection.execute(DIRTY)
        else:
            connection.execute(
                "create or replace temp table dirty as "
                "select distinct doc_id::varchar as doc_id from sentence_keys"
            )
        lengths = dict(connection.execute(_LENGTHS).fetchall())
        batches = plan_batches(connection, lengths=lengths, max_documents=max_documents)
        del lengths
        places, lows, highs = _parts(documents)
        tasks = []
        for (number, counts), batch in zip(
            _batch_counts(connection, batches), batches, strict=True
        ):
            spec = {
                "documents": os.fspath(documents),
                "row_groups": [
                    places[i] for i in _groups_of([*batch.doc_ids, *batch.neighbours], lows, highs)
                ],
                "doc_ids": batch.doc_ids,
                "neighbours": batch.neighbours,
                "clean": batch.clean,
                "weights": batch.weights,
                "counts": list(counts.items()),
                "out": os.fspath(work / f"part-{number:06d}.parquet"),
            }
            path = work / f"batch-{number:06d}.json"
            path.write_text(json.dumps(spec), "utf-8")
            tasks.append((FileTask(os.fspath(path), f"reuse batch {number}", ""), batch))
        if usable:
            kept = work / "part-kept.parquet"
            # a build before this one stored the text too: only the stored columns
            selected = _KEPT.format(columns=", ".join(f'r."{c}"' for c in STORED_COLUMNS))
            connection.execute(f"copy ({selected}) to '{_quoted(kept)}' (format parquet)")
    finally:
        connection.close()
    if (workers == 0 or len(tasks) <= 1) and executor is None:
        entries = []
        for task, _ in tasks:
            try:
                entries.extend(run_batches([task], limits=limits))
            except Exception as error:  # one batch never fails the build
                message = f"{type(error).__name__}: {error}"
                entries.append({"problems": [["reuse", message]]})
    else:
        from reportlib import executors

        entries = []
        done = executors.resolve(executor, workers).imap(
            ([task] for task, _ in tasks),
            function="reportlib.reuse_index:run_batches",
            limits=limits,
            size=len(tasks),
        )
        for _chunk, found, _payloads in done:
            entries.extend(found)
    problems = [
        {"stage": "reuse", "message": message, "doc_ids": batch.doc_ids}
        for (_, batch), entry in zip(tasks, entries, strict=True)
        for _stage, message in entry["problems"]
    ]
    _merge(work, folder / "reuse.parquet")
    shutil.rmtree(work, ignore_errors=True)
    return problems


# Reports to compare again: new or changed ones, and those holding a sentence whose count
# changed (their formulae and n_documents may change). The others keep their passages with
# one another from the build before.
DIRTY = """
create or replace temp table dirty as
with changed as (
    select d.doc_id::varchar as doc_id from documents d
    anti join old_documents o on o.doc_id::varchar = d.doc_id::varchar and o.sha256 = d.sha256
), gone as (
    select o.doc_id::varchar as doc_id from old_documents o
    anti join documents d on d.doc_id::varchar = o.doc_id::varchar and d.sha256 = o.sha256
),
-- only a sentence of a report new, changed or gone can change its count: those are
-- counted, not every sentence of the corpus twice
touched as (
    select key from sentence_keys k semi join changed c on c.doc_id = k.doc_id::varchar
    where not k.is_band
    union
    select key from old_keys k semi join gone g on g.doc_id = k.doc_id::varchar
    where not k.is_band
),
new_counts as (
    select key, count(*) as n from sentence_keys semi join touched using (key)
    where not is_band group by key
),
old_counts as (
    select key, count(*) as n from old_keys semi join touched using (key)
    where not is_band group by key
),
changed_keys as (
    select coalesce(a.key, b.key) as key
    from new_counts a full outer join old_counts b on a.key = b.key
    where a.n is distinct from b.n
)
select doc_id from changed
union
select distinct k.doc_id::varchar from sentence_keys k semi join changed_keys c on c.key = k.key
"""
# The passages kept from the build before: between two reports neither dirty nor gone.
_KEPT = """
with gone as (
    select o.doc_id::varchar as doc_id from old_documents o
    anti join documents d on d.doc_id::varchar = o.doc_id::varchar and d.sha256 = o.sha256
), stale as (select doc_id from dirty union select doc_id from gone)
select {columns} from old_reuse r
where r.doc_id not in (select doc_id from stale)
  and r.other_doc_id not in (select doc_id from stale)
"""
_LENGTHS = "select doc_id::varchar, n_chars from documents"


def _connect(work: Path):
    import duckdb

    connection = duckdb.connect()
    # DuckDB spills joins, aggregates and sorts here rather than exceed the limit
    connection.execute(f"set temp_directory = '{_quoted(work / 'spill')}'")
    memory = os.environ.get("REPORTLIB_DUCKDB_MEMORY", "512MB").replace("'", "")
    connection.execute(f"set memory_limit = '{memory}'")
    connection.execute("set threads = 1")
    connection.execute("set preserve_insertion_order = false")
    connection.execute("set enable_progress_bar = false")  # a build prints nothing of its own
    return connection


def _view(connection, name: str, path: Path) -> None:
    from reportlib.store import parquet_source

    connection.execute(f"create or replace view {name} as select * from {parquet_source(path)}")


# Each report's rows against its own and its max_sources largest sources (by characters of
# their passages; ties: the lower doc_id), as reuse.keep_sources: after an incremental build a
# report may have gained rows against the changed reports on top of those it kept.
KEEP_SOURCES = """
with sources as (
    select doc_id, other_doc_id, sum(n_chars) as n_chars from passages
    where relation not in ('internal', 'same_entity_earlier_year', 'same_entity_later_year')
    group by all
), chosen as (
    select doc_id, other_doc_id from sources
    qualify row_number() over (partition by doc_id order by n_chars desc, other_doc_id)
        <= $max_sources
)
select p.* from passages p
where p.relation in ('internal', 'same_entity_earlier_year', 'same_entity_later_year')
union all
select p.* from passages p semi join chosen c using (doc_id, other_doc_id)
where p.relation not in ('internal', 'same_entity_earlier_year', 'same_entity_later_year')
"""


def _merge(work: Path, out: Path, *, max_sources: int = 20) -> None:
    """The batches' passages (and those kept) as one table, sorted by doc_id."""
    parts = sorted(work.glob("part-*.parquet"))
    if not parts:
        pq.write_table(REUSE_SCHEMA.empty_table(), out)
        return
    connection = _connect(work)
    try:
        listed = ", ".join(f"'{_quoted(p)}'" for p in parts)
        columns = ", ".join('"' + column + '"' for column in STORED_COLUMNS)
        temporary = out.with_name(out.name + ".merging")
        connection.execute(
            f"create or replace view passages as select {columns} from read_parquet([{listed}])"
        )
        connection.execute(
            f"copy (select * from ({KEEP_SOURCES}) order by doc_id, start, other_doc_id, "
            "other_start) "
            f"to '{_quoted(temporary)}' (format parquet)",
            {"max_sources": max_sources},
        )
        os.replace(temporary, out)
    finally:
        connection.close()


def _quoted(path: Path) -> str:
    return os.fspath(path).replace("'", "''")
