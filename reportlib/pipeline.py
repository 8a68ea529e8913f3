"""``reportlib build``: ``data/raw`` → a new generation of ``data/processed`` tables.

The build is a short list of stages, in the order of the flow (``DESIGN.md``)::

    lock the output folder, remove what a killed build left
    find the input files; hash each (special files and unreadable ones become problems)
    unchanged since the published build?  → done, nothing is written
    per-file stages, in worker processes: read → clean → metadata → sections → indicators →
        tokens, for the files the cache does not hold (results keyed by content)
    assemble each batch of files, in doc_id order, into rows of every per-file table and
        write them into the new generation as they come (memory is bounded by a batch)
    reuse, across all reports
    publish the generation in one atomic step; prune old generations and cache entries

``build`` is the only function that reads ``data/raw`` and writes ``data/processed``; the
store (:mod:`reportlib.store`) and the cache (:mod:`reportlib.cache`) say how.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from reportlib import documents as documents_module
from reportlib import executors, readers, results, reuse_index, store, version
from reportlib import sections as sections_module
from reportlib.atomic import write_table
from reportlib.cache import ResultCache, encode
from reportlib.errors import LimitExceededError, ReportlibError
from reportlib.executors import Executor
from reportlib.limits import DEFAULT_LIMITS, Limits
from reportlib.results import Entry, FileTask, Placed
from reportlib.workers import failed_entry

__all__ = ["BuildResult", "build", "summarize"]

BATCH_FILES = 2000  # files assembled and written at a time: bounds the build's memory
BATCH_BYTES = 64 * 1024 * 1024  # … or fewer, when they are large
BATCH_CUT = 1024  # … and a batch ends after a doc_id whose hash this divides (1 in 1,024)
CHUNK_FILES = 64  # files a worker takes at a time (the stages after reading are vectorised)
CHUNK_BYTES = 4 * 1024 * 1024
# rows per Parquet row group: a reader after a few reports (store.read_rows, DuckDB) skips
# every row group whose doc_id range cannot hold them, so smaller groups mean less read
ROW_GROUP_ROWS = 64 * 1024

_log = logging.getLogger("reportlib")


@dataclass
class _Input:
    """One input file of this build."""

    path: Path
    doc_id: str
    source_path: str
    sha256: str
    n_bytes: int
    failure: Entry | None = None  # refused before parsing (special file, over a limit …)


@dataclass
class BuildResult:
    """What a build produced and how much of it came from the cache.

    The tables are read from the build's generation when first asked for (they may be
    large); ``published`` is False when nothing had changed and no generation was written.
    """

    out_dir: Path
    generation: Path
    n_files: int
    n_parsed: int
    n_cached: int
    n_bytes: int
    seconds: float
    published: bool = True
    n_timeouts: int = 0
    n_copies: int = 0  # files whose bytes another file of this build has too (parsed once)
    n_refused: int = 0  # files refused before reading (special files, over a limit …)
    removed: list[str] = field(default_factory=list)

    def _read(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.generation / f"{name}.parquet")

    @cached_property
    def documents(self) -> pd.DataFrame:
        return self._read("documents")

    @cached_property
    def problems(self) -> pd.DataFrame:
        return self._read("problems")

    @cached_property
    def sections(self) -> pd.DataFrame:
        """The sections, with their text (sliced from the documents': it is stored once)."""
        documents = pd.read_parquet(
            self.generation / "documents.parquet", columns=["doc_id", "text"]
        )
        return sections_module.with_text(self._read("sections"), documents)

    @cached_property
    def outline(self) -> pd.DataFrame:
        return self._read("outline")

    @cached_property
    def indicators(self) -> pd.DataFrame:
        return self._read("indicators")

    @property
    def tokens(self) -> pd.DataFrame:
        """The tokens table (the largest: read anew each time, never kept)."""
        return self._read("tokens")

    @property
    def reuse(self) -> pd.DataFrame:
        """The passages, with their text (sliced from the documents': it is stored once)."""
        documents = pd.read_parquet(
            self.generation / "documents.parquet", columns=["doc_id", "text"]
        )
        return store.with_text(self._read("reuse"), documents, table="reuse")

    @property
    def n_tokens(self) -> int:
        return self._rows("tokens")

    def _rows(self, name: str) -> int:
        return store.count_rows(self.generation / f"{name}.parquet")


def build(
    raw_dir: str | Path = "data/raw",
    out_dir: str | Path = "data/processed",
    *,
    progress: bool = True,
    use_cache: bool = True,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    keep: int = store.DEFAULT_KEEP,
    wait: float = 0.0,
    executor: Executor | None = None,
) -> BuildResult:
    """Build the processed tables from the raw folder, as one new published generation.

    Parameters
    ----------
    raw_dir
        Folder (or file) of raw reports; never written to.
    out_dir
        Output folder (:mod:`reportlib.store` describes its layout). The tables:
        ``documents``, ``problems``, ``sections``, ``outline``, ``indicators``, ``tokens``,
        ``reuse``, each ``out_dir/<table>.parquet``.
    progress
        Show a progress bar on a terminal.
    use_cache
        Take the results of files already seen (same content and parser version) from the
        cache, and publish nothing when no input changed. False parses every file again.
    workers
        Worker processes for the per-file stages (default: one per core, fewer for a small
        folder); 0 runs them in this process, without the per-file time budget.
    limits
        Per-file budgets (:class:`reportlib.limits.Limits`); a file over one becomes a
        problems row of stage ``limit``.
    keep
        Generations kept on disk, the published one included (older ones are removed unless
        a reader still has them open).
    wait
        Seconds to wait for another build of the same folder to finish; by default a second
        build fails at once with :class:`reportlib.errors.BuildLockedError`.
    executor
        Where the per-file stages and the reuse batches run
        (:mod:`reportlib.executors`): by default worker processes on this machine
        (``workers`` of them); a :class:`reportlib.executors.DaskExecutor` runs them on a
        Dask cluster, with the same cache and the same tables.

    Examples
    --------
    >>> import tempfile
    >>> result = build("data/raw/seeds", tempfile.mkdtemp(), progress=False)
    >>> result.n_files, len(result.documents)
    (5, 5)
    """
    started = time.perf_counter()
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    with store.build_lock(out_dir, wait=wait):
        removed = store.remove_leftovers(out_dir)
        inputs = _scan(raw_dir, limits=limits)
        parser = version.parser_version()
        previous = store.published(out_dir)
        before = _previous_inputs(previous) if use_cache else None
        if (
            use_cache
            and previous is not None
            and _unchanged(previous, before, inputs, parser, limits)
        ):
            result = _result(out_dir, previous.path, inputs, started, parsed=0, published=False)
            result.removed = removed
            return result
        cache = ResultCache(out_dir / "cache", version=parser)
        try:
            partial = store.begin_generation(out_dir)
            same_parser = previous is not None and previous.manifest.get("parser_version") == parser
            reusable = previous if use_cache and same_parser else None
            counts = _write_generation(
                partial, inputs, cache, use_cache=use_cache, workers=workers, limits=limits,
                progress=progress, previous=reusable, before=before,
                key=_key_prefix(parser, _limits_record(limits)), executor=executor,
            )  # fmt: skip
            _write_reuse(
                partial,
                previous=previous.path if use_cache and same_parser else None,
                workers=workers,
                limits=limits,
                executor=executor,
            )
            _write_inputs(partial, inputs)
            manifest = _manifest(partial, inputs, parser, limits, counts)
            generation = store.publish(out_dir, partial, manifest)
            store.prune(out_dir, keep=keep)
            kept = set()
            for old in store.kept_generations(out_dir):
                kept |= _input_shas(old.path)
            cache.retain(kept)
        finally:
            cache.close()
    result = _result(out_dir, generation.path, inputs, started, parsed=counts["parsed"])
    result.n_timeouts, result.removed = counts["timeouts"], removed
    return result


def _result(
    out_dir: Path, generation: Path, inputs: list[_Input], started: float, *, parsed: int,
    published: bool = True,
) -> BuildResult:  # fmt: skip
    refused = sum(item.failure is not None for item in inputs)
    distinct = len({item.sha256 for item in inputs if item.failure is None})
    return BuildResult(
        out_dir=out_dir,
        generation=generation,
        n_files=len(inputs),
        n_parsed=parsed,
        n_cached=distinct - parsed,
        n_bytes=sum(item.n_bytes for item in inputs),
        seconds=time.perf_counter() - started,
        published=published,
        n_copies=len(inputs) - refused - distinct,
        n_refused=refused,
    )


# --- stage: find and hash the inputs --------------------------------------------------------


def _scan(raw_dir: Path, *, limits: Limits) -> list[_Input]:
    """Every input file, sorted by doc_id, with its digest; files that cannot even be hashed
    (special files, over the size limit, unreadable) carry their problem already."""
    files = documents_module.find_input_files(raw_dir)
    ids = documents_module.assign_doc_ids(files)
    inputs = []
    for path in files:
        source = documents_module.display_path(path)
        item = _Input(path, ids[path], source, "", 0)
        with contextlib.suppress(OSError):
            item.n_bytes = os.stat(path).st_size
        task = FileTask(os.fspath(path), source, "")
        try:
            item.sha256 = readers.file_sha256(path, limits=limits)
        except LimitExceededError as error:
            item.failure = failed_entry(task, "limit", _message(error, path, source))
        except (ReportlibError, OSError) as error:
            item.failure = failed_entry(task, "read", _message(error, path, source))
        inputs.append(item)
    return sorted(inputs, key=lambda item: item.doc_id)


def _message(error: Exception, path: Path, source: str) -> str:
    """An error's message without the leading path (failed_entry adds the shown one)."""
    text = str(error)
    for prefix in (f"{os.fspath(path)}: ", f"{source}: "):
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text.replace(os.fspath(path), source)


def _previous_inputs(previous: store.Generation | None) -> dict[str, tuple[str, str]] | None:
    """The build before's inputs, ``doc_id → (source_path, sha256)`` in doc_id order; None
    when it has none readable."""
    if previous is None:
        return None
    try:
        stored = pd.read_parquet(
            previous.path / "inputs.parquet", columns=["doc_id", "source_path", "sha256"]
        )
    except (OSError, ValueError, pa.ArrowException):
        return None
    return dict(
        zip(
            stored["doc_id"], zip(stored["source_path"], stored["sha256"], strict=True), strict=True
        )
    )


def _unchanged(
    previous: store.Generation,
    before: dict[str, tuple[str, str]] | None,
    inputs: list[_Input],
    parser: str,
    limits: Limits,
) -> bool:
    """Whether the published generation was built from exactly these files (``before``: its
    inputs), by this parser, with these limits, and nothing in it needs a second try (a file
    over its time budget)."""
    manifest = previous.manifest
    if (
        before is None
        or manifest.get("parser_version") != parser
        or manifest.get("limits") != _limits_record(limits)
        or manifest.get("n_timeouts", 0)
        or any(not previous.table(name).exists() for name in store.TABLES)
    ):
        return False
    listed = [(item.doc_id, (item.source_path, item.sha256)) for item in inputs]
    return listed == list(before.items())


def _input_shas(generation: Path) -> set[str]:
    try:
        return set(pd.read_parquet(generation / "inputs.parquet", columns=["sha256"])["sha256"])
    except (OSError, ValueError, pa.ArrowException):
        return set()


# --- stage: per-file results, assembled batch by batch ----------------------------------------


def _batches(inputs: list[_Input]) -> Iterator[list[_Input]]:
    """The inputs (in doc_id order) cut into batches where their doc_ids say, so that a
    batch of unchanged files is the same batch in the next build (its table parts are then
    linked, not written again) whatever changed elsewhere; a batch also ends at
    ``BATCH_FILES`` files or ``BATCH_BYTES``."""
    batch: list[_Input] = []
    size = 0
    for item in inputs:
        batch.append(item)
        size += item.n_bytes
        if len(batch) >= BATCH_FILES or size >= BATCH_BYTES or _cut_after(item.doc_id):
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _cut_after(doc_id: str) -> bool:
    digest = hashlib.blake2b(doc_id.encode("utf-8", "surrogatepass"), digest_size=4).digest()
    return int.from_bytes(digest, "little") % BATCH_CUT == 0


def _key_prefix(parser: str | None, limits: dict | None) -> str:
    """What every part depends on besides its files: the parser and the limits' record."""
    return json.dumps([parser, limits], sort_keys=True)


def _batch_key(batch: list[_Input], prefix: str) -> str:
    """What a batch's table parts depend on: the parser, the limits and each file's doc_id,
    shown path and content (or why it was refused)."""
    digest = hashlib.blake2b(prefix.encode(), digest_size=16)
    for item in batch:
        failure = item.failure["problems"] if item.failure else None
        digest.update(json.dumps([item.doc_id, item.source_path, item.sha256, failure]).encode())
    return digest.hexdigest()


def _chunks(items: list[_Input]) -> Iterator[list[FileTask]]:
    chunk: list[FileTask] = []
    size = 0
    for item in items:
        chunk.append(FileTask(os.fspath(item.path), item.source_path, item.sha256))
        size += item.n_bytes
        if len(chunk) >= CHUNK_FILES or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _start_fresh(
    todo: list[_Input], *, workers: int | None, limits: Limits, executor: Executor | None = None
) -> Iterator[tuple[list[FileTask], list[Entry], list[bytes | None]]]:
    """The chunks of the files to parse with their entries, in order, from the executor (or
    this process); each entry with its encoded form when a worker made it (None: encode it
    to store it). The executor starts at once: its workers warm up while the build reads
    what it keeps from the build before."""
    if not todo:
        return iter(())
    if workers == 0 and executor is None:
        return (
            (chunk, entries, [None] * len(entries))
            for chunk in _chunks(todo)
            for entries in [results.process_files(chunk, limits=limits)]
        )
    n_chunks = sum(1 for _ in _chunks(todo))
    return executors.resolve(executor, workers).imap(
        _chunks(todo), function="reportlib.results:process_files", limits=limits, size=n_chunks
    )


def _fresh_entries(
    done: Iterator[tuple[list[FileTask], list[Entry], list[bytes | None]]],
) -> Iterator[tuple[FileTask, Entry, bytes | None]]:
    """The entries of :func:`_start_fresh`'s chunks, one file at a time."""
    for chunk, entries, payloads in done:
        yield from zip(chunk, entries, payloads, strict=True)


# The tables written per input batch, one Parquet file (a part) per batch under each table's
# folder: <table>.parquet/part-00000.parquet …, in doc_id order.
PER_FILE_TABLES = tuple(name for name in store.TABLES if name != "reuse")


def _write_part(folder: Path, name: str, tables: dict) -> dict[str, int]:
    """Write one batch's rows of every per-file table; returns the rows of each."""
    stored = {table_name: _stored(tables, table_name) for table_name in PER_FILE_TABLES}
    _write_stored(folder, name, stored)
    return {table_name: table.num_rows for table_name, table in stored.items()}


def _write_stored(folder: Path, name: str, stored: dict[str, pa.Table]) -> None:
    for table_name, table in stored.items():
        # each part has its own dictionaries (doc_id, section_id, token): bounded by a batch
        pq.write_table(
            table,
            folder / f"{table_name}.parquet" / f"{name}.parquet",
            row_group_size=ROW_GROUP_ROWS,
        )


def _stored(tables: dict, name: str) -> pa.Table:
    """One table of a batch (a frame or Arrow) as Arrow, in the form the build stores."""
    table = tables[name]
    if not isinstance(table, pa.Table):
        table = results.table_from_frame(table, name)
    return results.stored(table, name)


def _link(source: Path, target: Path) -> None:
    """A part of the build before, in the new generation: a hard link (no copy, no
    rewrite) where the file system allows, else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _previous_parts(previous: store.Generation | None) -> dict[str, dict]:
    """The build before's parts that can be linked, by batch key."""
    if previous is None:
        return {}
    parts = {}
    for part in previous.manifest.get("parts", []):
        files = [
            previous.path / f"{t}.parquet" / f"{part['name']}.parquet" for t in PER_FILE_TABLES
        ]
        if part.get("reusable") and all(path.is_file() for path in files):
            parts[part["key"]] = part
    return parts


def _write_generation(
    folder: Path,
    inputs: list[_Input],
    cache: ResultCache,
    *,
    use_cache: bool,
    workers: int | None,
    limits: Limits,
    progress: bool,
    previous: store.Generation | None = None,
    before: dict[str, tuple[str, str]] | None = None,
    key: str = "",
    executor: Executor | None = None,
) -> dict:
    """Write every per-file table of a generation, batch by batch; a batch whose files the
    build before had in the same places with the same content is linked from it. Returns
    counts (parsed, timeouts, linked files) and the parts written."""
    for table_name in PER_FILE_TABLES:
        (folder / f"{table_name}.parquet").mkdir()
    batches = list(_batches(inputs))
    keys = [_batch_key(batch, key) for batch in batches]
    old_parts = _previous_parts(previous)
    linked = {number for number, batch_key in enumerate(keys) if batch_key in old_parts}
    # in a batch that changed, the files that did not keep their rows from the build before
    keeper = _Keeper(previous, before, key)
    kept = {n: keeper.unchanged(batch) for n, batch in enumerate(batches) if n not in linked}
    wanted = [
        item
        for n, batch in enumerate(batches)
        if n not in linked
        for item in batch
        if item.doc_id not in kept[n]
    ]
    cached = cache.keys(item.sha256 for item in wanted if item.sha256) if use_cache else set()
    seen: set[str] = set()
    todo = []
    for item in wanted:
        if item.failure is None and item.sha256 not in cached and item.sha256 not in seen:
            todo.append(item)
            seen.add(item.sha256)
    done = _start_fresh(todo, workers=workers, limits=limits, executor=executor)
    fresh = _fresh_entries(done)
    # the kept rows are read ahead, and the parts written behind, in threads (Arrow works
    # without the GIL): while the workers start, and while this thread assembles a batch
    ahead = _ReadAhead(keeper, [set() if n in linked else kept[n] for n in range(len(batches))])
    writer = _Writer(folder)
    shared: dict[str, Entry] = {}  # entries of files whose content appears more than once
    repeated = _repeated(wanted)
    counts: dict = {"parsed": len(todo), "timeouts": 0, "linked": 0, "kept": 0, "parts": []}
    bar = _bar(len(inputs), progress)
    try:
        for number, (batch, batch_key) in enumerate(zip(batches, keys, strict=True)):
            name = f"part-{number:05d}"
            if number in linked:
                old = old_parts[batch_key]
                for table_name in PER_FILE_TABLES:
                    _link(
                        previous.path / f"{table_name}.parquet" / f"{old['name']}.parquet",
                        folder / f"{table_name}.parquet" / f"{name}.parquet",
                    )
                counts["parts"].append({**old, "name": name, **_range(batch)})
                counts["linked"] += len(batch)
                if bar is not None:
                    bar.update(len(batch))
                continue
            keep = kept[number]
            old_rows = ahead.take(number)
            fresh_items = [item for item in batch if item.doc_id not in keep]
            stored = cache.get(
                item.sha256
                for item in fresh_items
                if item.sha256 in cached and item.sha256 not in shared
            )
            new: dict[str, bytes] = {}
            placed, extra = [], []
            timeouts = 0
            for item in fresh_items:
                entry = item.failure or shared.get(item.sha256) or stored.get(item.sha256)
                if entry is None and item.sha256 in cached:
                    # listed by the cache but unreadable (damaged): parse it here and now
                    task = FileTask(os.fspath(item.path), item.source_path, item.sha256)
                    entry = results.process_files([task], limits=limits)[0]
                    if _cacheable(entry):
                        new[entry["sha256"]] = encode(entry)
                    counts["parsed"] += 1
                if entry is None:
                    task, entry, payload = next(fresh)
                    if task.sha256 != item.sha256:  # the pool yields in the order given
                        raise ReportlibError(f"internal error: {task.path} out of order")
                    if _cacheable(entry):
                        new[entry["sha256"]] = payload or encode(entry)
                    timeouts += _timed_out(entry)
                if item.sha256 in repeated:
                    shared[item.sha256] = entry
                placed.append(Placed(item.doc_id, item.source_path, entry))
                problem = documents_module.name_problem(
                    item.path, doc_id=item.doc_id, sha256=item.sha256
                )
                if problem is not None:
                    extra.append(problem)
            tables = results.assemble(placed, extra_problems=extra)
            if keep:
                tables = keeper.merge(tables, batch, old_rows)
                counts["kept"] += len(keep)
            del old_rows
            stored = {table_name: _stored(tables, table_name) for table_name in PER_FILE_TABLES}
            del tables
            rows = {table_name: table.num_rows for table_name, table in stored.items()}
            writer.write(name, stored)
            del stored
            # a file over its time budget is tried again next time: its batch is not linked
            counts["parts"].append(
                {"key": batch_key, "name": name, "rows": rows, "reusable": not timeouts}
                | _range(batch)
            )
            counts["timeouts"] += timeouts
            cache.put(new)
            if bar is not None:
                bar.update(len(batch))
        if not batches:
            _write_part(folder, "part-00000", results.assemble([]))
        writer.finish()
    finally:
        ahead.close()
        writer.close()
        fresh.close()
        if hasattr(done, "close"):  # stops a started pool, even one never asked for a chunk
            done.close()
        if bar is not None:
            bar.close()
    return counts


def _range(batch: list[_Input]) -> dict[str, str]:
    """A part's first and last doc_id (parts hold disjoint ranges, in doc_id order)."""
    return {"first": batch[0].doc_id, "last": batch[-1].doc_id}


class _Keeper:
    """The rows of unchanged files, taken from the build before's parts.

    With 1 % of the files changed at random, nearly every batch holds a change and none can
    be linked; rather than decode and assemble every file of such a batch again, a file
    whose doc_id, shown path and content are as in the build before (same parser, same
    limits) keeps its rows of every table from the part that held it, and only the changed
    files are assembled. The rows go back in doc_id order, so that the part is the one a
    clean build writes.
    """

    def __init__(
        self,
        previous: store.Generation | None,
        before: dict[str, tuple[str, str]] | None,
        key: str,
    ) -> None:
        self.previous = previous
        self.before: dict[str, tuple[str, str]] = {}
        self.firsts: list[str] = []
        self.parts: list[dict] = []
        if previous is None or not before:
            return
        manifest = previous.manifest
        if _key_prefix(manifest.get("parser_version"), manifest.get("limits")) != key:
            return
        parts = manifest.get("parts", [])
        if not parts or any("first" not in part for part in parts):
            return  # a build before parts knew their range
        self.before = before
        self.parts = sorted(parts, key=lambda part: part["first"])
        self.firsts = [part["first"] for part in self.parts]

    def _part_of(self, doc_id: str) -> dict | None:
        import bisect

        at = bisect.bisect_right(self.firsts, doc_id) - 1
        if at < 0 or self.parts[at]["last"] < doc_id:
            return None
        return self.parts[at]

    def unchanged(self, batch: list[_Input]) -> set[str]:
        """The doc_ids of ``batch`` whose rows the build before holds, in a part it can
        give them from (not one with a file over its time budget)."""
        if not self.before:
            return set()
        found = set()
        for item in batch:
            same = self.before.get(item.doc_id) == (item.source_path, item.sha256)
            if not same or item.failure is not None or not item.sha256:
                continue
            part = self._part_of(item.doc_id)
            if part is not None and part.get("reusable"):
                found.add(item.doc_id)
        return found

    def read(self, keep: set[str]) -> dict[str, list[pa.Table]]:
        """The rows of the files ``keep`` in every table, from the parts that hold them."""
        if not keep:
            return {}
        names = sorted({self._part_of(doc_id)["name"] for doc_id in keep})
        return {
            table_name: [
                store.read_rows(
                    self.previous.path / f"{table_name}.parquet" / f"{name}.parquet", keep
                )
                for name in names
            ]
            for table_name in PER_FILE_TABLES
        }

    def merge(
        self, tables: dict, batch: list[_Input], old: dict[str, list[pa.Table]]
    ) -> dict[str, pa.Table]:
        """``tables`` (the changed files' rows) with the kept files' rows (:meth:`read`), in
        batch order."""
        order = [item.doc_id for item in batch]
        merged = {}
        for table_name in PER_FILE_TABLES:
            table = _stored(tables, table_name)
            merged[table_name] = _in_order([*old[table_name], table], order, table.schema)
        return merged


# Kept rows read ahead of the batch that needs them, at most this many bytes (Arrow's) at a
# time beyond one batch's: a bound on what the read-ahead adds to a re-run's memory.
READ_AHEAD_BYTES = 256 * 1024 * 1024


class _ReadAhead:
    """The kept rows of every batch (:meth:`_Keeper.read`), read in batch order by a thread
    of their own, ahead of the batch that needs them by at most ``READ_AHEAD_BYTES``."""

    def __init__(self, keeper: _Keeper, keeps: list[set[str]], *, budget: int | None = None):
        import threading

        self._keeper, self._keeps = keeper, keeps
        self._budget = READ_AHEAD_BYTES if budget is None else budget
        self._read: dict[int, dict | BaseException] = {}
        self._held = 0  # bytes read and not yet taken
        self._closed = False
        self._changed = threading.Condition()
        self._thread = None
        if any(keeps):
            self._thread = threading.Thread(target=self._run, name="read-ahead", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        for number, keep in enumerate(self._keeps):
            if not keep:
                continue  # a batch linked, or with nothing kept: take() gives {} at once
            with self._changed:
                # one batch ahead always; more while what is held is under the budget
                self._changed.wait_for(
                    lambda: self._closed or not self._held or self._held < self._budget
                )
                if self._closed:
                    return
            try:
                rows: dict | BaseException = self._keeper.read(keep)
                size = sum(t.nbytes for tables in rows.values() for t in tables)
            except BaseException as error:  # raised in the build's thread, by take()
                rows, size = error, 0
            with self._changed:
                self._read[number] = rows
                self._held += size
                self._changed.notify_all()

    def take(self, number: int) -> dict[str, list[pa.Table]]:
        """Batch ``number``'s kept rows (waiting for them if need be)."""
        if not self._keeps[number]:
            return {}
        with self._changed:
            self._changed.wait_for(lambda: number in self._read)
            rows = self._read.pop(number)
            if isinstance(rows, BaseException):
                raise rows
            self._held -= sum(t.nbytes for tables in rows.values() for t in tables)
            self._changed.notify_all()
        return rows

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._read.clear()
            self._changed.notify_all()
        if self._thread is not None:
            self._thread.join()


class _Writer:
    """Writes the parts in a thread of its own, one part behind the batch being assembled
    (so at most one part waits in memory); an error is raised by the next call."""

    def __init__(self, folder: Path):
        from concurrent.futures import ThreadPoolExecutor

        self._folder = folder
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="part-writer")
        self._pending = None

    def write(self, name: str, stored: dict[str, pa.Table]) -> None:
        self.finish()
        self._pending = self._pool.submit(_write_stored, self._folder, name, stored)

    def finish(self) -> None:
        """Wait for the part being written (raising its error)."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def _in_order(tables: list[pa.Table], order: list[str], schema: pa.Schema) -> pa.Table:
    """The rows of ``tables`` (each file's rows together, in one of them) sorted by the
    position of their doc_id in ``order``, each file's rows in their order."""
    import pyarrow.compute as pc

    table = pa.concat_tables([t.select(schema.names).cast(schema) for t in tables])
    ids = table.column("doc_id")
    if pa.types.is_dictionary(ids.type):
        ids = ids.cast(ids.type.value_type)
    position = pc.index_in(ids.cast(pa.string()), value_set=pa.array(order, pa.string()))
    keyed = table.append_column("__position", position).append_column(
        "__row", pa.array(np.arange(table.num_rows))
    )
    indices = pc.sort_indices(
        keyed, sort_keys=[("__position", "ascending"), ("__row", "ascending")]
    )
    return table.take(indices).combine_chunks()


def _repeated(inputs: list[_Input]) -> set[str]:
    seen: set[str] = set()
    twice: set[str] = set()
    for item in inputs:
        if item.sha256 in seen:
            twice.add(item.sha256)
        seen.add(item.sha256)
    twice.discard("")
    return twice


def _cacheable(entry: Entry) -> bool:
    """Results that depend only on the content and the parser: not a file over a budget
    (the budget may change, and time depends on the machine)."""
    return (
        bool(entry["sha256"])
        and entry.get("cacheable", True)
        and not any(stage == "limit" for stage, _ in entry["problems"])
    )


def _timed_out(entry: Entry) -> int:
    return int(any(stage == "limit" and "max_seconds" in m for stage, m in entry["problems"]))


def _bar(total: int, progress: bool):
    if not progress or total <= 20:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="reading reports", unit="file", disable=None)


# --- stage: reuse, across the corpus ----------------------------------------------------------


def _write_reuse(
    folder: Path,
    *,
    previous: Path | None,
    workers: int | None,
    limits: Limits,
    executor: Executor | None = None,
) -> None:
    """The reuse table; a batch of reports whose comparison failed becomes a problems row
    for each of its reports (their passages are missing), not a failed build."""
    try:
        failed = reuse_index.write_reuse(
            folder, previous=previous, workers=workers, limits=limits, executor=executor
        )
    except Exception as error:  # DuckDB out of memory, a full disk …
        # the corpus-wide stage failed as a whole: the other tables are whole and published,
        # reuse is empty, and one problems row says why
        _log.warning("reuse failed: %s", error)
        shutil.rmtree(folder / ".reuse", ignore_errors=True)
        pq.write_table(reuse_index.REUSE_SCHEMA.empty_table(), folder / "reuse.parquet")
        row = {
            "doc_id": "",
            "source_path": "",
            "stage": "reuse",
            "message": f"reuse across the corpus failed ({type(error).__name__}: "
            f"{str(error).splitlines()[0][:300]}); the reuse table is empty. More memory for "
            "DuckDB (REPORTLIB_DUCKDB_MEMORY=2GB) or fewer workers may let it run",
            "sha256": "",
            "reportlib_version": version.parser_version(),
        }
        table = results.table_from_frame(documents_module.problems_frame([row]), "problems")
        pq.write_table(table, folder / "problems.parquet" / "part-reuse.parquet")
        return
    if not failed:
        return
    documents = pd.read_parquet(
        folder / "documents.parquet", columns=["doc_id", "source_path", "sha256"]
    )
    shown = documents.set_index("doc_id")
    rows = [
        {
            "doc_id": doc_id,
            "source_path": shown.at[doc_id, "source_path"],
            "stage": "reuse",
            "message": f"{shown.at[doc_id, 'source_path']}: its passages shared with other "
            f"reports could not be found ({item['message']}); the reuse table has none of them",
            "sha256": shown.at[doc_id, "sha256"],
            "reportlib_version": version.parser_version(),
        }
        for item in failed
        for doc_id in item["doc_ids"]
    ]
    # a part of its own, so that the batches' parts stay as they were (and linkable)
    table = results.table_from_frame(documents_module.problems_frame(rows), "problems")
    pq.write_table(table, folder / "problems.parquet" / "part-reuse.parquet")


def _write_inputs(folder: Path, inputs: list[_Input]) -> None:
    frame = pd.DataFrame(
        {
            "doc_id": [item.doc_id for item in inputs],
            "source_path": [item.source_path for item in inputs],
            "sha256": [item.sha256 for item in inputs],
            "n_bytes": [item.n_bytes for item in inputs],
        }
    )
    write_table(
        frame.astype({"doc_id": "str", "source_path": "str", "sha256": "str"}),
        folder / "inputs.parquet",
    )


def _limits_record(limits: Limits) -> dict:
    return {
        "max_file_bytes": limits.max_file_bytes,
        "max_inflated_bytes": limits.max_inflated_bytes,
        "max_text_chars": limits.max_text_chars,
        "max_seconds": limits.max_seconds,
    }


def _manifest(folder: Path, inputs, parser: str, limits: Limits, counts: dict) -> dict:
    rows = {name: store.count_rows(folder / f"{name}.parquet") for name in store.TABLES}
    return {
        "tables": list(store.TABLES),
        "rows": rows,
        "parts": counts["parts"],
        "n_linked": counts["linked"],
        "n_kept": counts["kept"],
        "parser_version": parser,
        "limits": _limits_record(limits),
        "n_files": len(inputs),
        "n_parsed": counts["parsed"],
        "n_timeouts": counts["timeouts"],
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }


# --- summary ----------------------------------------------------------------------------------


def summarize(result: BuildResult) -> str:
    """A plain-text summary of a build: documents by level and year, problems by stage.

    Reads only the columns it shows, so summarising a large build costs little memory.
    """

    def read(name: str, columns: list[str] | None = None) -> pd.DataFrame:
        return pd.read_parquet(result.generation / f"{name}.parquet", columns=columns)

    documents = read("documents", ["doc_id", "level", "report_year"])
    problems = read("problems", ["stage", "message"])
    what = "published" if result.published else "unchanged, nothing rewritten"
    lines = [
        f"Built {len(documents)} documents from {result.n_files} files "
        f"({result.n_bytes / 1e6:.1f} MB) in {result.seconds:.2f} s: "
        f"{result.n_parsed} parsed, {result.n_cached} from cache"
        + (f", {result.n_copies} identical to another file" if result.n_copies else "")
        + (f", {result.n_refused} refused before reading" if result.n_refused else "")
        + f" → {result.out_dir} ({what}: {result.generation.name})",
    ]
    if result.removed:
        lines.append(f"Removed what an interrupted build left: {len(result.removed)} item(s)")
    if len(documents):
        table = pd.crosstab(
            documents["level"].replace("", "(unknown)"),
            documents["report_year"].astype("string").fillna("(unknown)"),
            margins=True,
            margins_name="all",
        )
        lines += ["", "Documents by level (rows) and report year (columns):", table.to_string()]
    outline = read("outline")
    if len(outline):
        parts = ", ".join(
            f"{part} {int(outline[f'has_{part}'].sum())}" for part in sections_module.PARTS
        )
        lines += [
            "",
            f"Sections: {result._rows('sections')}; reports with each mandated part: {parts}; "
            f"parts in order: {int(outline['order_ok'].sum())}; "
            f"median compliance score {outline['compliance_score'].median():.0f}/100",
        ]
    indicators = read("indicators", ["doc_id", "measure", "is_duplicate"])
    if len(indicators):
        kept = indicators[~indicators["is_duplicate"]]
        linked = kept[kept["measure"] != ""]
        top = linked.groupby("measure")["doc_id"].nunique().sort_values(ascending=False).head(5)
        lines.append(
            f"Indicators: {len(indicators)} counts ({int(indicators['is_duplicate'].sum())} in "
            f"repeated paragraphs) in {indicators['doc_id'].nunique()} reports, {len(linked)} "
            "linked to a measure; measures given by most reports: "
            + ", ".join(f"{measure} ({count} reports)" for measure, count in top.items())
        )
    if result.n_tokens:
        lines.append(
            f"Tokens: {result.n_tokens} words in tokens.parquet (reportlib.tokenize; "
            "count_keywords, keyness, kwic and top_terms read them)"
        )
    reuse = read("reuse", ["doc_id", "relation"])
    if len(reuse):
        relations = reuse.groupby("relation")["doc_id"].nunique()
        lines.append(
            "Reuse: reports sharing passages — "
            + ", ".join(f"{relation} {count}" for relation, count in relations.items())
            + " (reportlib.reuse_summary gives the ratios)"
        )
    if len(problems):
        by_stage = problems.groupby("stage").size()
        lines += ["", "Problems by stage: " + ", ".join(f"{s} {n}" for s, n in by_stage.items())]
        failed = problems[~problems["stage"].isin(["metadata"])]
        for message in failed["message"].head(10):
            lines.append(f"  - {message}")
        lines.append(
            "  (all problems: problems.parquet, or reportlib.connect(out).execute('from problems').df())"
        )
    else:
        lines += ["", "No problems."]
    return "\n".join(lines)
