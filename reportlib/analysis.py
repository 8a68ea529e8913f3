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

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

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
from reportlib.store import open_generation
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


@dataclass
class Tables:
    """The tables of one build, loaded once for a notebook."""

    data_dir: Path
    documents: pd.DataFrame
    problems: pd.DataFrame
    sections: pd.DataFrame
    outline: pd.DataFrame
    indicators: pd.DataFrame
    tokens: pd.DataFrame
    reuse: pd.DataFrame

    def counts(self) -> pd.DataFrame:
        """Every term's count per document (:func:`reportlib.count_keywords`), computed once."""
        if not hasattr(self, "_counts"):
            self._counts = count_keywords(self.tokens, self.documents)
        return self._counts


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
    import os

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
    """Read the tables that ``reportlib build`` wrote into ``data_dir``.

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
    # one generation, pinned while it is read: every table comes from the same build even
    # when a new one is published meanwhile
    with open_generation(folder) as generation:

        def read(name: str) -> pd.DataFrame:
            path = generation.table(name)
            return pd.read_parquet(path) if path.exists() else pd.DataFrame()

        return Tables(
            data_dir=folder,
            documents=read("documents"),
            problems=read("problems"),
            sections=read("sections"),
            outline=read("outline"),
            indicators=read("indicators"),
            tokens=read("tokens"),
            # a build older than the reuse table: an empty one, so notebooks still run
            reuse=read("reuse")
            if generation.table("reuse").exists()
            else pd.DataFrame(columns=REUSE_COLUMNS),
        )
