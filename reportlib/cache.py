"""The build cache: per-file results keyed by content, in one place.

An entry (:mod:`reportlib.results`) is stored under the sha256 of the file's bytes, in a
SQLite database named after the parser version (reportlib's version plus digests of its code
and of its pattern files, :func:`reportlib.version.parser_version`) and the Python version
(entries are ``marshal`` data: plain values, never pickles, so a cache file cannot run code).
A new parser version starts a new, empty database and the old one is removed.

Nothing else is a cache: no table of an earlier build is read to decide what to parse, so
deleting, changing, renaming or adding files always gives the tables of a clean build.
SQLite commits are atomic, so a build killed while writing loses at most the entries of its
last batch, never the database. Entries no kept generation uses are deleted after each build.
"""

from __future__ import annotations

import contextlib
import marshal
import sqlite3
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa

from reportlib.results import Entry

__all__ = ["ResultCache", "decode", "encode"]

_FORMAT = 2  # bump when the layout of an entry or its encoding changes
_LZ4 = pa.Codec("lz4")
_SCHEMA = "create table if not exists results (sha256 text primary key, payload blob not null)"


def encode(entry: Entry) -> bytes:
    """An entry as stored: marshal, then LZ4 (Arrow's codec) behind the 8-byte length.

    LZ4 rather than zlib: five times faster to compress and three times faster to read back,
    for entries half again as large (8 rather than 5 KB for a page excerpt). Workers encode
    their entries, so the parent stores them without encoding them again.

    Examples
    --------
    >>> decode(encode({"sha256": "a", "row": None, "problems": []}))
    {'sha256': 'a', 'row': None, 'problems': []}
    """
    data = marshal.dumps(entry)
    return len(data).to_bytes(8, "little") + _LZ4.compress(data, asbytes=True)


def decode(payload: bytes) -> Entry:
    """The entry stored in ``payload`` (raises ValueError for damaged data)."""
    try:
        size = int.from_bytes(payload[:8], "little")
        return marshal.loads(_LZ4.decompress(payload[8:], decompressed_size=size, asbytes=True))
    except (EOFError, TypeError, OSError, pa.ArrowException) as error:
        raise ValueError(f"damaged cache entry: {error}") from error


class ResultCache:
    """Per-file results by sha256, for one parser version.

    Parameters
    ----------
    folder
        Where the database lives (``<out_dir>/cache``).
    version
        The parser version; databases of other versions in ``folder`` are removed.

    Examples
    --------
    >>> import tempfile
    >>> cache = ResultCache(Path(tempfile.mkdtemp()), version="0.1.0+abc")
    >>> cache.put({"f" * 64: encode({"sha256": "f" * 64, "row": None, "problems": []})})
    >>> cache.get(["f" * 64, "0" * 64])
    {'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff': {'sha256': 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff', 'row': None, 'problems': []}}
    >>> cache.close()
    """

    def __init__(self, folder: Path, *, version: str):
        folder.mkdir(parents=True, exist_ok=True)
        tag = f"py{sys.version_info.major}{sys.version_info.minor}-f{_FORMAT}"
        self.path = folder / f"results-{version.replace('/', '_')}-{tag}.sqlite"
        for old in folder.glob("results-*.sqlite*"):
            if not old.name.startswith(self.path.name):
                old.unlink(missing_ok=True)
        try:
            self._db = self._open()
        except sqlite3.DatabaseError:
            # a damaged cache only costs parsing again
            for path in folder.glob(f"{self.path.name}*"):
                path.unlink(missing_ok=True)
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("pragma journal_mode=wal")
        db.execute("pragma synchronous=normal")
        db.execute(_SCHEMA)
        db.execute("select count(*) from results limit 1").fetchone()
        return db

    def keys(self, shas: Iterable[str]) -> set[str]:
        """Those of ``shas`` that have an entry."""
        wanted = list(dict.fromkeys(shas))
        found: set[str] = set()
        for first in range(0, len(wanted), 500):
            part = wanted[first : first + 500]
            marks = ",".join("?" * len(part))
            query = f"select sha256 from results where sha256 in ({marks})"
            found.update(sha for (sha,) in self._db.execute(query, part))
        return found

    def get(self, shas: Iterable[str]) -> dict[str, Entry]:
        """The stored entries among ``shas`` (missing ones are left out)."""
        wanted = list(dict.fromkeys(shas))
        found: dict[str, Entry] = {}
        for first in range(0, len(wanted), 500):
            part = wanted[first : first + 500]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"select sha256, payload from results where sha256 in ({marks})", part
            )
            for sha, payload in rows:
                try:
                    found[sha] = decode(payload)
                except ValueError:
                    continue  # an unreadable entry is parsed again
        return found

    def put(self, payloads: Mapping[str, bytes]) -> None:
        """Store encoded entries (:func:`encode`) by sha256, in one transaction."""
        if not payloads:
            return
        rows = list(payloads.items())
        with self._transaction():
            self._db.executemany("insert or replace into results values (?, ?)", rows)

    def retain(self, shas: Iterable[str]) -> int:
        """Delete every entry not in ``shas``; returns how many went."""
        with self._transaction():
            self._db.execute("create temp table if not exists keep (sha256 text primary key)")
            self._db.execute("delete from keep")
            self._db.executemany("insert or ignore into keep values (?)", ((s,) for s in shas))
            deleted = self._db.execute(
                "delete from results where sha256 not in (select sha256 from keep)"
            ).rowcount
        if deleted:
            with contextlib.suppress(sqlite3.DatabaseError):
                free = self._db.execute("pragma freelist_count").fetchone()[0]
                pages = self._db.execute("pragma page_count").fetchone()[0]
                if free > 1000 and free * 2 > pages:  # mostly empty: give the space back
                    self._db.execute("vacuum")
                self._db.execute("pragma wal_checkpoint(truncate)")
        return deleted

    def __len__(self) -> int:
        return self._db.execute("select count(*) from results").fetchone()[0]

    @contextlib.contextmanager
    def _transaction(self):
        self._db.execute("begin immediate")
        try:
            yield
        except BaseException:
            self._db.execute("rollback")
            raise
        self._db.execute("commit")

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
