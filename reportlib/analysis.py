"""The briefing layer: everything the notebooks call, in one place.

- **Tables**: :func:`load_tables` reads one build (every table from the same generation),
  :func:`find_data_dir` finds it from wherever a notebook runs.
- **Selection** (:mod:`reportlib.selection`): :func:`select_report`, :func:`select_documents`,
  :func:`peers_of`, :func:`previous_report` (the definition reuse uses too),
  :func:`comparable`, :func:`trend_documents`, :func:`most_reused`, :func:`closest_matches`.
- **Views** (:mod:`reportlib.views`): :func:`part_profile`, :func:`distinctive_words`,
  :func:`changes_since`, :func:`measures_against_peers`, :func:`measures_by_entity`,
  :func:`measure_grid`, :func:`keyness_by_group`, :func:`reuse_matrix`,
  :func:`copied_passages`, :func:`trend_lines`, :func:`longest_series`,
  :func:`province_coverage`, :func:`describe_problem`.
- **HTML and text for readers** (:mod:`reportlib.markup`): :func:`escape_frame` (every Styler
  table), :func:`side_by_side`, :func:`source_list`, :func:`mention_list`,
  :func:`report_name`, :func:`named_sources`, :func:`text_or`, :func:`rate_name`,
  :func:`measure_value`, :func:`group_label`.

Notebooks stay thin: each table they display comes from one call here, and the words on the
page come from :mod:`reportlib.labels`.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from reportlib.counts import count_keywords
from reportlib.errors import ParameterError
from reportlib.markup import (
    escape_frame,
    group_label,
    measure_value,
    mention_list,
    named_sources,
    rate_name,
    report_name,
    side_by_side,
    source_list,
    text_or,
)
from reportlib.reuse import REUSE_COLUMNS
from reportlib.selection import (
    busiest_level,
    closest_matches,
    comparable,
    most_reused,
    peers_of,
    previous_doc_ids,
    previous_report,
    select_documents,
    select_report,
    trend_documents,
)
from reportlib.store import (
    UNSTORED_COLUMNS,
    Generation,
    part_files,
    pinned_generation,
    read_rows,
    with_text,
)
from reportlib.views import (
    PART_NAMES,
    changes_since,
    copied_passages,
    describe_problem,
    distinctive_words,
    drop_own_names,
    keyness_by_group,
    longest_series,
    measure_grid,
    measures_against_peers,
    measures_by_entity,
    part_profile,
    province_coverage,
    reuse_matrix,
    trend_lines,
)

__all__ = [
    "PART_NAMES",
    "Tables",
    "busiest_level",
    "changes_since",
    "closest_matches",
    "comparable",
    "copied_passages",
    "describe_problem",
    "distinctive_words",
    "drop_own_names",
    "escape_frame",
    "find_data_dir",
    "group_label",
    "keyness_by_group",
    "load_tables",
    "longest_series",
    "measure_grid",
    "measure_value",
    "measures_against_peers",
    "measures_by_entity",
    "mention_list",
    "most_reused",
    "named_sources",
    "part_profile",
    "peers_of",
    "previous_doc_ids",
    "previous_report",
    "province_coverage",
    "rate_name",
    "report_name",
    "reuse_matrix",
    "select_documents",
    "select_report",
    "side_by_side",
    "source_list",
    "text_or",
    "trend_documents",
    "trend_lines",
]


class Tables:
    """The tables of one build, for a notebook: each read when first asked for, all from
    one generation, which stays pinned (never pruned by a later build) while this object
    lives.

    :meth:`subset` gives the same tables restricted to some reports and reads only the row
    groups that hold them (:func:`reportlib.store.read_rows`), so a briefing on one report
    and its peers costs the same on a county's build and on a national one; :attr:`catalog`
    is every report's metadata without its text, what choosing reports needs.

    Examples
    --------
    >>> import tempfile
    >>> from reportlib import build
    >>> folder = tempfile.mkdtemp()
    >>> _ = build("data/raw/seeds", folder, progress=False)
    >>> tables = load_tables(folder)
    >>> one = tables.subset(tables.catalog["doc_id"].head(1))
    >>> len(tables.catalog), "text" in tables.catalog, one.sections["doc_id"].nunique()
    (5, False, 1)
    """

    def __init__(
        self,
        data_dir: Path,
        generation: Generation,
        *,
        doc_ids: Iterable[str] | None = None,
        pin: object = None,
    ) -> None:
        self.data_dir = data_dir
        self.generation = generation
        self.doc_ids = None if doc_ids is None else frozenset(doc_ids)
        self._pin = pin  # holds the generation's pin open for as long as any subset lives
        self._read: dict[str, pd.DataFrame] = {}

    def __repr__(self) -> str:
        which = "every report" if self.doc_ids is None else f"{len(self.doc_ids)} reports"
        return f"Tables({self.generation.path.name}, {which})"

    def subset(self, doc_ids: Iterable[str]) -> Tables:
        """The same build's tables, holding only the rows of ``doc_ids`` (a report, its
        peers, its previous report …); nothing is read until a table is asked for."""
        wanted = set(doc_ids) if self.doc_ids is None else set(doc_ids) & self.doc_ids
        return Tables(self.data_dir, self.generation, doc_ids=wanted, pin=self._pin)

    def table(self, name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
        """One table (of this subset), read once; ``columns`` reads only those (not kept)."""
        if columns is None and name in self._read:
            return self._read[name]
        path = self.generation.table(name)
        if not path.exists():
            # a build older than the table: an empty one, so that notebooks still run
            frame = pd.DataFrame(columns=REUSE_COLUMNS if name == "reuse" else columns)
        elif name in UNSTORED_COLUMNS and "text" not in pq.read_schema(part_files(path)[0]).names:
            # a section's or a passage's text is stored once, in its report's: sliced from there
            wanted = None if columns is None else [c for c in columns if c != "text"]
            if columns is not None and "text" in columns:
                wanted += [c for c in ("doc_id", "start", "end") if c not in wanted]
            frame = read_rows(path, self.doc_ids, columns=wanted).to_pandas()
            if columns is None or "text" in columns:
                frame = with_text(frame, self.documents[["doc_id", "text"]], table=name)
            if columns is not None:
                frame = frame[columns]
        else:
            frame = read_rows(path, self.doc_ids, columns=columns).to_pandas()
        if columns is None:
            self._read[name] = frame
        return frame

    @property
    def documents(self) -> pd.DataFrame:
        return self.table("documents")

    @property
    def catalog(self) -> pd.DataFrame:
        """The documents table without its text: every report's metadata, at little cost."""
        if "documents" in self._read:
            return self._read["documents"].drop(columns="text", errors="ignore")
        if "catalog" not in self._read:
            path = self.generation.table("documents")
            names = pq.read_schema(part_files(path)[0]).names
            self._read["catalog"] = self.table(
                "documents", columns=[name for name in names if name != "text"]
            )
        return self._read["catalog"]

    @property
    def problems(self) -> pd.DataFrame:
        return self.table("problems")

    @property
    def sections(self) -> pd.DataFrame:
        return self.table("sections")

    @property
    def outline(self) -> pd.DataFrame:
        return self.table("outline")

    @property
    def indicators(self) -> pd.DataFrame:
        return self.table("indicators")

    @property
    def tokens(self) -> pd.DataFrame:
        return self.table("tokens")

    @property
    def reuse(self) -> pd.DataFrame:
        return self.table("reuse")

    def counts(self) -> pd.DataFrame:
        """Every term's count per document (:func:`reportlib.count_keywords`), computed once."""
        if "counts" not in self._read:
            self._read["counts"] = count_keywords(self.tokens, self.documents)
        return self._read["counts"]


def find_data_dir(data_dir: str | Path = "data/processed") -> Path:
    """``data_dir`` as given, or — when relative and not found from here — from the nearest
    parent folder that has it (a notebook run from ``notebooks/``), from the folder named by the
    ``REPORTLIB_DATA_DIR`` environment variable, or from the project that holds this package (a
    plain ``papermill`` run from any other folder).

    Examples
    --------
    >>> find_data_dir("/nonexistent/folder")
    Traceback (most recent call last):
    ...
    reportlib.errors.ParameterError: data_dir /nonexistent/folder holds no documents.parquet: run `reportlib build` (or `make run`) first
    """

    path = Path(data_dir)
    candidates = [path]
    if not path.is_absolute():
        candidates += [parent / path for parent in Path.cwd().resolve().parents]
        if os.environ.get("REPORTLIB_DATA_DIR"):
            candidates.append(Path(os.environ["REPORTLIB_DATA_DIR"]))
        candidates.append(Path(__file__).resolve().parent.parent / path)
    for candidate in candidates:
        if (candidate / "documents.parquet").exists():
            return candidate.resolve()
    raise ParameterError(
        f"data_dir {data_dir} holds no documents.parquet: run `reportlib build` (or `make run`) first"
    )


def load_tables(data_dir: str | Path = "data/processed") -> Tables:
    """The tables that ``reportlib build`` wrote into ``data_dir`` (read when first asked
    for: :class:`Tables`).

    Examples
    --------
    >>> import tempfile
    >>> from reportlib import build
    >>> folder = tempfile.mkdtemp()
    >>> _ = build("data/raw/seeds", folder, progress=False)
    >>> len(load_tables(folder).documents)
    5
    """
    folder = find_data_dir(data_dir)
    # one generation, pinned while the tables live: every table comes from the same build
    # even when a new one is published meanwhile
    generation, descriptor = pinned_generation(folder)
    pin = _Pin(descriptor)
    return Tables(folder, generation, pin=pin)


class _Pin:
    """An open descriptor on a generation (the store's pin), closed when no Tables holds it."""

    def __init__(self, descriptor: int | None) -> None:
        if descriptor is not None:
            weakref.finalize(self, os.close, descriptor)
