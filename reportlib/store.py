"""The output folder: generations of tables, published in one atomic step, read as one build.

A build never changes a table that readers may be using. It writes a complete new
*generation* of every table into a folder of its own, then publishes it by replacing one
symbolic link, ``current``. Readers resolve ``current`` once and read only that generation,
so every answer comes from one build; a build killed at any moment leaves the previous
generation published and intact, and the next build removes what it left behind.

Layout of an output folder (``data/processed``)::

    current -> generations/000007-20261201T141503Z   the published generation
    documents.parquet -> current/documents.parquet     one stable link per table
    …
    generations/000007-20261201T141503Z/
        documents.parquet/part-00000.parquet …         the per-file tables: one folder each,
        …                                              a part per batch of input files (a
        tokens.parquet/part-00000.parquet …            part the build before had is linked)
        reuse.parquet                                  reuse (one file)
        inputs.parquet                                 the files it was built from
        manifest.json                                  tables, row counts, parser version
        .pin                                           readers hold a shared lock on it
    generations/.000008-20261201T150000Z.partial/      a build in progress (or killed)
    cache/                                             per-file results by content
    .lock                                              one build at a time

Reading ``data/processed/<table>.parquet`` directly works and always gives a complete
table of the published build; to read *several* tables of one build, use
:func:`connect` (SQL), :func:`reportlib.load_tables`, or the folder :func:`generation_dir`
returns, resolved once.

Locks are ``flock`` locks, which the kernel releases when their process dies: a lock left
by a killed build is stale by construction and is simply taken over. They need a local file
system (not NFS).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import re
import shutil
import socket
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reportlib.atomic import TEMPORARY_SUFFIX, fsync_folder, write_table, write_text
from reportlib.errors import BuildLockedError, ReportlibError

__all__ = [
    "TABLES",
    "UNSTORED_COLUMNS",
    "Generation",
    "build_lock",
    "connect",
    "count_rows",
    "generation_dir",
    "open_generation",
    "parquet_source",
    "part_files",
    "pinned_generation",
    "read_rows",
    "with_text",
    "write_table",
]

TABLES = (
    "documents",
    "problems",
    "sections",
    "outline",
    "indicators",
    "tokens",
    "sentence_keys",
    "reuse",
)
# Columns a build does not store: a section's text and a reused passage's text are their
# report's text[start:end], which the documents table holds once; readers slice them back
# (:func:`with_text`, and :func:`connect`'s views).
UNSTORED_COLUMNS = {"sections": ("text",), "reuse": ("text",)}
CURRENT = "current"
GENERATIONS = "generations"
MANIFEST = "manifest.json"
PIN = ".pin"
LOCK = ".lock"
PARTIAL_SUFFIX = ".partial"
DEFAULT_KEEP = 2

_NAME = re.compile(r"^(\d{6,})-\d{8}T\d{6}Z$")
_log = logging.getLogger("reportlib")


@dataclass(frozen=True)
class Generation:
    """One build's tables: a folder under ``generations/`` and its manifest."""

    path: Path
    manifest: dict

    @property
    def name(self) -> str:
        return self.path.name

    def table(self, name: str) -> Path:
        """The Parquet file of one table."""
        return self.path / f"{name}.parquet"


# --- reading ---------------------------------------------------------------------------------


def _published_name(out_dir: Path) -> str | None:
    """The name of the published generation, or None (no build yet, or the old flat layout)."""
    try:
        target = os.readlink(out_dir / CURRENT)
    except OSError:
        return None
    name = Path(target).name
    return name if _NAME.match(name) else None


def generation_dir(out_dir: str | Path = "data/processed") -> Path:
    """The folder holding the published build's tables, resolved once.

    A folder written by reportlib before generations existed (tables directly in
    ``out_dir``) is returned as it is.

    Examples
    --------
    >>> import tempfile
    >>> from reportlib import build
    >>> folder = tempfile.mkdtemp()
    >>> _ = build("data/raw/seeds", folder, progress=False)
    >>> generation_dir(folder).parent.name, (generation_dir(folder) / "documents.parquet").exists()
    ('generations', True)
    """
    out_dir = Path(out_dir)
    name = _published_name(out_dir)
    return (out_dir / GENERATIONS / name).resolve() if name else out_dir.resolve()


def _read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _pin(folder: Path) -> int | None:
    """A shared lock on a generation, held while it is read: pruning skips it. None if the
    generation has no pin file (the old flat layout) or is being removed."""
    try:
        descriptor = os.open(folder / PIN, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    return descriptor


@contextlib.contextmanager
def open_generation(out_dir: str | Path = "data/processed") -> Iterator[Generation]:
    """The published generation, pinned while the ``with`` block runs: a build publishing
    meanwhile does not remove it, and all tables read inside come from this one build.

    Examples
    --------
    >>> import tempfile
    >>> from reportlib import build
    >>> folder = tempfile.mkdtemp()
    >>> _ = build("data/raw/seeds", folder, progress=False)
    >>> with open_generation(folder) as generation:
    ...     generation.manifest["rows"]["documents"]
    5
    """
    generation, descriptor = _resolve_pinned(Path(out_dir))
    try:
        yield generation
    finally:
        if descriptor is not None:
            os.close(descriptor)


def _resolve_pinned(out_dir: Path) -> tuple[Generation, int | None]:
    for _ in range(100):
        folder = generation_dir(out_dir)
        if folder == out_dir.resolve():  # the old flat layout, or nothing built yet
            return Generation(folder, {}), None
        descriptor = _pin(folder)
        # pruned between resolving and pinning (two builds in a row): resolve again
        if descriptor is not None and (folder / MANIFEST).exists():
            return Generation(folder, _read_manifest(folder)), descriptor
        if descriptor is not None:
            os.close(descriptor)
        time.sleep(0.01)
    raise ReportlibError(f"{out_dir}: the published generation keeps disappearing", path=out_dir)


def pinned_generation(out_dir: str | Path = "data/processed") -> tuple[Generation, int | None]:
    """The published generation and an open descriptor that pins it (None for the old flat
    layout): a build publishing meanwhile does not remove it until the descriptor is closed.
    :func:`open_generation` closes it at the end of a ``with`` block; a lazy reader holds it.
    """
    return _resolve_pinned(Path(out_dir))


def connect(out_dir: str | Path = "data/processed"):
    """A DuckDB connection with one view per table of the published build.

    The views read one generation, pinned for as long as the connection lives: every query
    sees the same build, even while a new one is published.

    Examples
    --------
    >>> import tempfile
    >>> from reportlib import build
    >>> folder = tempfile.mkdtemp()
    >>> _ = build("data/raw/seeds", folder, progress=False)
    >>> connect(folder).execute("select count(*) from documents").fetchall()[0][0]
    5
    """
    import duckdb

    generation, descriptor = _resolve_pinned(Path(out_dir))
    connection = duckdb.connect()
    if descriptor is not None:
        weakref.finalize(connection, os.close, descriptor)
    names = generation.manifest.get("tables") or sorted(
        path.stem for path in generation.path.glob("*.parquet")
    )
    for name in names:
        path = generation.table(name)
        if not path.exists():
            continue
        connection.execute(f'create view "{name}" as {_select_table(generation, name)}')
    return connection


def _select_table(generation: Generation, name: str) -> str:
    """The SQL that reads one table; a text stored once, in the documents table, is sliced
    from there (``substr`` counts characters, as Python does)."""
    import pyarrow.parquet as pq

    path = generation.table(name)
    source = parquet_source(path)
    names = pq.read_schema(part_files(path)[0]).names
    if name not in UNSTORED_COLUMNS or "text" in names:
        return f"select * from {source}"
    columns = [
        'substr(d.text, s.start + 1, s."end" - s.start) as text'
        if column == "text"
        else f's."{column}"'
        for column in _columns(name)
        if column in names or column == "text"
    ]
    documents = parquet_source(generation.table("documents"))
    return (
        f"select {', '.join(columns)} from {source} s "
        f"left join (select doc_id, text from {documents}) d on d.doc_id = s.doc_id"
    )


def _columns(name: str) -> list[str]:
    """The columns of a table whose text is not stored, in the order readers see."""
    if name == "sections":
        from reportlib.sections import SECTION_COLUMNS

        return SECTION_COLUMNS
    from reportlib.reuse import REUSE_COLUMNS

    return REUSE_COLUMNS


def with_text(frame, documents, *, table: str):
    """``frame`` (rows of ``table`` as stored, without ``text``) with each row's text put
    back: its report's text in ``documents`` from ``start`` to ``end``. A frame that has
    its text is returned as is; ``frame`` itself is never changed.

    Parameters
    ----------
    frame
        Rows of ``sections`` or ``reuse`` with ``doc_id``, ``start`` and ``end``.
    documents
        ``doc_id`` and ``text`` of (at least) the reports of ``frame``.
    table
        ``"sections"`` or ``"reuse"``: where the text column goes.

    Examples
    --------
    >>> import pandas as pd
    >>> stored = pd.DataFrame({"doc_id": ["a"], "other_doc_id": ["b"], "start": [2], "end": [6]})
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["一、全面推行公示制度"]})
    >>> with_text(stored, docs, table="reuse")["text"].tolist()
    ['全面推行']
    """
    import pandas as pd

    if "text" in frame.columns:
        return frame
    texts = dict(zip(documents["doc_id"], documents["text"].fillna(""), strict=True))
    text = [
        texts.get(doc_id, "")[start:end]
        for doc_id, start, end in zip(
            frame["doc_id"].astype(str), frame["start"], frame["end"], strict=True
        )
    ]
    result = frame.copy()
    at = [c for c in _columns(table) if c in result.columns or c == "text"].index("text")
    result.insert(at, "text", pd.Series(text, index=result.index, dtype=object))
    return result


def part_files(path: Path) -> list[Path]:
    """The Parquet files of a table: its parts in order (a folder), or the file itself.

    >>> part_files(Path("/data/reuse.parquet"))
    [PosixPath('/data/reuse.parquet')]
    """
    return sorted(path.glob("*.parquet")) if path.is_dir() else [path]


def parquet_source(path: Path) -> str:
    """DuckDB's ``read_parquet`` of a table: a file, or a folder of parts.

    >>> parquet_source(Path("/data/documents.parquet"))
    "read_parquet('/data/documents.parquet')"
    """
    quoted = os.fspath(path).replace("'", "''")
    if path.is_dir():
        return f"read_parquet('{quoted}/*.parquet')"
    return f"read_parquet('{quoted}')"


def count_rows(path: Path) -> int:
    """Rows of a table (a file, or a folder of parts) from the Parquet footers; 0 if absent.

    >>> count_rows(Path("/nonexistent/documents.parquet"))
    0
    """
    import pyarrow.parquet as pq

    if not path.exists():
        return 0
    return sum(pq.ParquetFile(part).metadata.num_rows for part in part_files(path))


def read_rows(
    path: Path, doc_ids: Iterable[str] | None = None, *, columns: list[str] | None = None
):
    """The rows of a table (a file, or a folder of parts) whose ``doc_id`` is one of
    ``doc_ids``, as Arrow, reading only the row groups that can hold them.

    Parts are written in doc_id order, so each row group's footer statistics give the
    range of doc_ids it holds: a briefing on a few reports reads a few row groups of a
    national build, never the whole table. ``doc_ids=None`` reads every row.

    Examples
    --------
    >>> import tempfile
    >>> from reportlib import build
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = build("data/raw/seeds", folder, progress=False)
    >>> with open_generation(folder) as generation:
    ...     rows = read_rows(generation.table("sections"), ["000_aaf925eb580b3263"])
    >>> rows.num_rows > 0, set(rows.column("doc_id").to_pylist())
    (True, {'000_aaf925eb580b3263'})
    """
    import bisect

    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    files = part_files(path)
    wanted = None if doc_ids is None else sorted(set(doc_ids))
    read = [] if columns is None or "doc_id" in columns else ["doc_id"]
    pieces, schema = [], None
    for file in files:
        parquet = pq.ParquetFile(file)
        names = columns if columns is None else [*columns, *read]
        schema = schema or parquet.schema_arrow
        if wanted is None:
            pieces.append(parquet.read(columns=names))
            continue
        groups = [
            number
            for number in range(parquet.metadata.num_row_groups)
            if _may_hold(parquet.metadata.row_group(number), wanted, bisect)
        ]
        if not groups:
            continue
        table = parquet.read_row_groups(groups, columns=names)
        keep = pc.is_in(table.column("doc_id"), value_set=pa.array(wanted, pa.string()))
        pieces.append(table.filter(keep))
    if not pieces:
        fields = schema if schema is not None else pa.schema([("doc_id", pa.string())])
        if columns is not None:
            fields = pa.schema([fields.field(name) for name in columns if name in fields.names])
        return fields.empty_table()
    table = pa.concat_tables(pieces)
    return table.drop_columns(read) if read else table


def _may_hold(group, wanted: list[str], bisect) -> bool:
    """Whether a row group's doc_id range (from its statistics) holds one of ``wanted``;
    without statistics it may."""
    for number in range(group.num_columns):
        column = group.column(number)
        if column.path_in_schema != "doc_id":
            continue
        stats = column.statistics
        if stats is None or not stats.has_min_max:
            return True
        low, high = stats.min, stats.max
        if isinstance(low, bytes):
            low, high = low.decode("utf-8", "surrogatepass"), high.decode("utf-8", "surrogatepass")
        at = bisect.bisect_left(wanted, low)
        return at < len(wanted) and wanted[at] <= high
    return True


# --- one build at a time --------------------------------------------------------------------


def _holder_of(descriptor: int) -> str:
    try:
        return os.pread(descriptor, 4096, 0).decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _describe(holder: str) -> str:
    try:
        record = json.loads(holder)
    except ValueError:
        return holder or "another build"
    return f"build pid {record.get('pid')} on {record.get('host')} since {record.get('started')}"


@contextlib.contextmanager
def build_lock(out_dir: str | Path, *, wait: float = 0.0) -> Iterator[None]:
    """Hold the output folder's build lock.

    Parameters
    ----------
    out_dir
        The output folder (created if needed).
    wait
        Seconds to wait for another build to finish (logged once); 0 fails at once.

    Raises
    ------
    BuildLockedError
        Another build still holds the lock after ``wait`` seconds.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> with build_lock(folder):
    ...     with build_lock(folder):  # doctest: +ELLIPSIS
    ...         pass
    Traceback (most recent call last):
    ...
    reportlib.errors.BuildLockedError: ...: another build is writing this folder (build pid ...); try again when it has finished, or pass --wait SECONDS
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out_dir / LOCK, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                    raise
            holder = _describe(_holder_of(descriptor))
            if time.monotonic() >= deadline:
                raise BuildLockedError(
                    f"another build is writing this folder ({holder}); try again when it has "
                    "finished, or pass --wait SECONDS",
                    path=out_dir,
                    holder=holder,
                )
            if not told:
                _log.warning("%s: waiting for %s to finish", out_dir, holder)
                told = True
            time.sleep(min(0.2, max(deadline - time.monotonic(), 0.01)))
        previous = _holder_of(descriptor)
        if previous:
            # the kernel dropped the lock of a build that died without cleaning up
            _log.info("%s: took over the lock left by %s", out_dir, _describe(previous))
        record = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, json.dumps(record).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)


# --- writing (under the build lock) ---------------------------------------------------------


def _generation_names(out_dir: Path) -> list[str]:
    folder = out_dir / GENERATIONS
    if not folder.is_dir():
        return []
    return sorted(name for name in os.listdir(folder) if _NAME.match(name))


def _number(name: str) -> int:
    match = _NAME.match(name)
    return int(match.group(1)) if match else -1


def remove_leftovers(out_dir: Path) -> list[str]:
    """Remove what killed builds left: partial and never-published generations, temporary
    files and links. Call it holding the build lock. Returns what was removed.

    A generation numbered above the published one was never published (the build died
    before its last step), so it goes too.
    """
    removed: list[str] = []
    published = _published_name(out_dir)
    limit = _number(published) if published else -1
    folder = out_dir / GENERATIONS
    if folder.is_dir():
        for name in os.listdir(folder):
            unpublished = _NAME.match(name) and _number(name) > limit
            if name.endswith(PARTIAL_SUFFIX) or unpublished or name.endswith(TEMPORARY_SUFFIX):
                shutil.rmtree(folder / name, ignore_errors=True)
                with contextlib.suppress(OSError):
                    (folder / name).unlink()
                removed.append(f"{GENERATIONS}/{name}")
    for name in os.listdir(out_dir):
        if name.startswith(".") and name.endswith(TEMPORARY_SUFFIX):
            with contextlib.suppress(OSError):
                (out_dir / name).unlink()
            removed.append(name)
    if removed:
        _log.info("%s: removed leftovers of an interrupted build: %s", out_dir, ", ".join(removed))
    return removed


def begin_generation(out_dir: Path) -> Path:
    """Create the folder of the next generation (hidden, ``.partial``) and return it."""
    names = _generation_names(out_dir)
    number = max((_number(name) for name in names), default=0) + 1
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    folder = out_dir / GENERATIONS / f".{number:06d}-{stamp}{PARTIAL_SUFFIX}"
    folder.mkdir(parents=True)
    return folder


def publish(out_dir: Path, partial: Path, manifest: dict) -> Generation:
    """Finish a generation and make it the published one, in one atomic step.

    The manifest is written last inside the generation, every file is flushed, the folder is
    renamed to its final name, and ``current`` is replaced by a link to it. Until that
    replacement readers see the previous generation; after it, this one.
    """
    write_text(partial / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    (partial / PIN).touch()
    for path in partial.iterdir():
        if path.is_dir():  # a table of parts
            for part in path.iterdir():
                with open(part, "rb") as stream:
                    os.fsync(stream.fileno())
            fsync_folder(path)
            continue
        with open(path, "rb") as stream:
            os.fsync(stream.fileno())
    fsync_folder(partial)
    final = partial.with_name(partial.name[1 : -len(PARTIAL_SUFFIX)])
    os.replace(partial, final)
    fsync_folder(final.parent)
    _ensure_table_links(out_dir, manifest.get("tables", TABLES))
    link = out_dir / f".{CURRENT}.{os.getpid()}{TEMPORARY_SUFFIX}"
    with contextlib.suppress(FileNotFoundError):
        link.unlink()
    os.symlink(f"{GENERATIONS}/{final.name}", link)
    os.replace(link, out_dir / CURRENT)  # the one step that publishes
    fsync_folder(out_dir)
    return Generation(final, manifest)


def _ensure_table_links(out_dir: Path, tables) -> None:
    """``<table>.parquet -> current/<table>.parquet`` for every table. They go through
    ``current``, so they change with it, all at once, and are never rewritten."""
    for name in tables:
        path = out_dir / f"{name}.parquet"
        target = f"{CURRENT}/{name}.parquet"
        with contextlib.suppress(OSError):
            if os.readlink(path) == target:
                continue
        link = out_dir / f".{name}.parquet.{os.getpid()}{TEMPORARY_SUFFIX}"
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        os.symlink(target, link)
        os.replace(link, path)  # also replaces a table of the old flat layout


def prune(out_dir: Path, *, keep: int = DEFAULT_KEEP) -> list[str]:
    """Remove published generations beyond the ``keep`` newest, except those readers have
    pinned (they go in a later build). Call it holding the build lock."""
    published = _published_name(out_dir)
    names = [name for name in _generation_names(out_dir) if name != published]
    old = names[: max(len(names) - (max(keep, 1) - 1), 0)]
    removed = []
    for name in old:
        folder = out_dir / GENERATIONS / name
        try:
            descriptor = os.open(folder / PIN, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            descriptor = None
        try:
            if descriptor is not None:
                try:
                    fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a reader is using it
            # renamed first, so a reader resolving it meanwhile finds nothing half-deleted
            doomed = folder.with_name(f".{name}{PARTIAL_SUFFIX}")
            os.replace(folder, doomed)
            shutil.rmtree(doomed, ignore_errors=True)
            removed.append(name)
        finally:
            if descriptor is not None:
                os.close(descriptor)
    return removed


def kept_generations(out_dir: Path) -> list[Generation]:
    """Every generation on disk, oldest first, with its manifest."""
    return [
        Generation(out_dir / GENERATIONS / name, _read_manifest(out_dir / GENERATIONS / name))
        for name in _generation_names(out_dir)
    ]


def published(out_dir: Path) -> Generation | None:
    """The published generation (not pinned: for the build, which holds the lock)."""
    name = _published_name(out_dir)
    if name is None:
        return None
    folder = out_dir / GENERATIONS / name
    manifest = _read_manifest(folder)
    return Generation(folder, manifest) if manifest else None
