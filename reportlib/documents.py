"""``read_reports``: files and folders in, one tidy documents table out.

Each file goes read → normalise → clean → metadata. A file that fails at any stage becomes a
row of the problems table (``doc_id``, ``source_path``, ``stage``, ``message``) instead of
stopping the run; a field the text does not give stays empty and is reported too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportlib import clean, metadata, readers, version
from reportlib.errors import NotAReportError, ReportlibError

__all__ = [
    "DOCUMENT_COLUMNS",
    "PROBLEM_COLUMNS",
    "ParsedFile",
    "assign_doc_ids",
    "find_input_files",
    "parse_file",
    "read_reports",
]

DOCUMENT_COLUMNS = [
    "doc_id",
    "source_path",
    "sha256",
    "format",
    "encoding",
    "entity",
    "level",
    "parent",
    "report_year",
    "publish_date",
    "signed_date",
    "title",
    "text",
    "n_chars",
    # extra columns, after the contract's
    "entity_source",
    "parent_source",
    "reportlib_version",
]
PROBLEM_COLUMNS = ["doc_id", "source_path", "stage", "message", "sha256", "reportlib_version"]

# Fields whose absence an analyst should hear about. publish_date, signed_date and parent are
# often legitimately absent (copied text has no page date; provinces have no parent), so a
# missing one is reported only as "not stated", which is still a problems row.
_REPORTED_FIELDS = ("entity", "level", "report_year", "title", "publish_date", "parent")
_REPORT_WORDS = re.compile(r"法治|依法|法制|行政|执法|普法")
_MIN_REPORT_CHARS = 100


@dataclass
class ParsedFile:
    """What parsing one file produced: a documents row (or None) and its problems."""

    row: dict[str, object] | None
    problems: list[dict[str, object]] = field(default_factory=list)


def find_input_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Expand files and folders into a sorted list of files to read.

    Folders are searched recursively for the supported formats (hidden files and README files
    are skipped); a file named explicitly is always returned, so an unsupported one is reported
    rather than silently ignored.

    Examples
    --------
    >>> [p.name for p in find_input_files("data/raw/seeds")][:1]
    ['000_aaf925eb580b3263.txt']
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found += _files_below(path)
        else:
            found.append(path)
    return found


def _files_below(folder: Path) -> list[Path]:
    """Supported files below ``folder``, sorted; hidden files/folders and READMEs skipped.

    os.walk with plain strings: pathlib per file costs more than the parsing cache saves.
    """
    names: list[str] = []
    for root, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in files:
            stem, suffix = os.path.splitext(name)
            if (
                suffix.lower() in readers.SUPPORTED_SUFFIXES
                and not name.startswith(".")
                and stem.upper() != "README"
            ):
                names.append(os.path.join(root, name))
    return [Path(name) for name in sorted(names)]


def assign_doc_ids(paths: list[Path]) -> dict[Path, str]:
    """``doc_id`` = file stem; a stem shared by several files gets its extension, then its folder.

    Examples
    --------
    >>> ids = assign_doc_ids([Path("a/x.txt"), Path("a/x.pdf"), Path("b/y.txt")])
    >>> [ids[p] for p in (Path("a/x.txt"), Path("a/x.pdf"), Path("b/y.txt"))]
    ['x.txt', 'x.pdf', 'y']
    """
    by_stem: dict[str, list[Path]] = {}
    for path in paths:
        by_stem.setdefault(path.stem, []).append(path)
    ids: dict[Path, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            ids[group[0]] = stem
            continue
        for path in group:
            ids[path] = f"{stem}{path.suffix.lower()}"
        if len({ids[p] for p in group}) < len(group):
            for path in group:
                ids[path] = f"{path.parent.name}/{path.name}"
    return ids


def _problem(doc_id: str, path: Path, sha256: str, stage: str, message: str) -> dict[str, object]:
    return {
        "doc_id": doc_id,
        "source_path": str(path),
        "stage": stage,
        "message": message,
        "sha256": sha256,
        "reportlib_version": version.parser_version(),
    }


def _clear_document_caches() -> None:
    """Line and page caches serve one document's stages (the page, the report and its metadata
    ask about the same lines); clearing them per document keeps memory flat and makes a
    document's cost independent of what was parsed before it."""
    clean.clear_caches()
    metadata.clear_caches()


def _digest_or_empty(path: Path) -> str:
    try:
        return readers.file_sha256(path)
    except OSError:
        return ""


def parse_file(path: str | Path, *, doc_id: str | None = None) -> ParsedFile:
    """Read, clean and describe one file; never raises for bad input.

    Examples
    --------
    >>> parsed = parse_file("data/raw/seeds/004_8c642f3c1dbf128b.txt")
    >>> parsed.row["entity"], parsed.row["report_year"], parsed.row["signed_date"]
    ('那吾镇', 2025, '2025-12-09')
    """
    path = Path(path)
    doc_id = doc_id or path.stem
    _clear_document_caches()
    try:
        raw = readers.read_file(path)
    except ReportlibError as error:
        # the digest lets a build skip this file until it (or the parser) changes
        return ParsedFile(
            None, [_problem(doc_id, path, _digest_or_empty(path), "read", str(error))]
        )
    except OSError as error:  # a file that vanished or cannot be opened
        return ParsedFile(None, [_problem(doc_id, path, "", "read", f"{path}: {error}")])
    try:
        page = clean.normalize_text(raw.text)
        text = clean.strip_chrome(page)
        if len(text) < _MIN_REPORT_CHARS or not _REPORT_WORDS.search(text):
            raise NotAReportError(
                f"holds no report: {len(text)} characters of text without report wording",
                path=path,
            )
        meta = metadata.infer_metadata(page, text)
    except ReportlibError as error:
        return ParsedFile(None, [_problem(doc_id, path, raw.sha256, "detect", str(error))])
    except Exception as error:  # a bug must not stop the build; it is reported with the file
        message = f"{path}: unexpected {type(error).__name__}: {error}"
        return ParsedFile(None, [_problem(doc_id, path, raw.sha256, "parse", message)])
    row: dict[str, object] = {
        "doc_id": doc_id,
        "source_path": str(path),
        "sha256": raw.sha256,
        "format": raw.format,
        "encoding": raw.encoding,
        **meta.as_row(),
        "text": text,
        "n_chars": len(text),
        "entity_source": meta.evidence.get("entity", ""),
        "parent_source": meta.evidence.get("parent", ""),
        "reportlib_version": version.parser_version(),
    }
    problems = [
        _problem(doc_id, path, raw.sha256, "metadata", f"{path}: {name} not found in the text")
        for name in _REPORTED_FIELDS
        if row.get(name) in (None, "") and not (name == "parent" and row.get("level") == "省")
    ]
    return ParsedFile(row, problems)


def _iter_parsed(paths: list[Path], *, progress: bool) -> Iterator[ParsedFile]:
    ids = assign_doc_ids(paths)
    iterable: Iterable[Path] = paths
    if progress:
        from tqdm.auto import tqdm

        iterable = tqdm(paths, desc="reading reports", unit="file", disable=None)
    for path in iterable:
        yield parse_file(path, doc_id=ids[path])


def documents_frame(rows: list[dict[str, object]] | pd.DataFrame) -> pd.DataFrame:
    """Rows → documents DataFrame with the contract's columns first and stable dtypes."""
    frame = pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
    frame["report_year"] = frame["report_year"].astype("Int64")
    frame["n_chars"] = frame["n_chars"].astype("int64")
    # Same dtypes whether rows were just parsed or read back from Parquet (the cache)
    for column in ("publish_date", "signed_date", "encoding"):
        frame[column] = frame[column].astype("string")
    for column in frame.columns.difference(
        ["report_year", "n_chars", "publish_date", "signed_date", "encoding"]
    ):
        frame[column] = frame[column].astype("str")
    return frame.sort_values("doc_id", kind="stable").reset_index(drop=True)


def problems_frame(rows: list[dict[str, object]] | pd.DataFrame) -> pd.DataFrame:
    """Rows → problems DataFrame (``doc_id, source_path, stage, message, sha256``)."""
    frame = pd.DataFrame(rows, columns=PROBLEM_COLUMNS).astype("str")
    return frame.sort_values(["doc_id", "stage"], kind="stable").reset_index(drop=True)


def read_reports(
    paths: str | Path | Iterable[str | Path], *, progress: bool = False
) -> pd.DataFrame:
    """Read report files and folders into a documents table.

    Parameters
    ----------
    paths
        Files and/or folders (searched recursively for .txt, .html, .htm, .docx, .pdf).
    progress
        Show a progress bar (on a terminal) while reading.

    Returns
    -------
    pandas.DataFrame
        One row per readable report, columns ``doc_id, source_path, sha256, format, encoding,
        entity, level, parent, report_year, publish_date, signed_date, title, text, n_chars``
        first. The problems found (unreadable files, missing fields) are in
        ``documents.attrs["problems"]`` as a list of records (``doc_id, source_path, stage,
        message`` …): ``pd.DataFrame(documents.attrs["problems"])`` tabulates them. Records,
        not a DataFrame, because pandas compares ``attrs`` when concatenating, and comparing
        two DataFrames that way raises.

    Examples
    --------
    >>> documents = read_reports("data/raw")
    >>> documents[["entity", "level", "parent", "report_year"]].head(2).values.tolist()
    [['永乐镇', '镇', '芮城县', 2023], ['监利市', '市', '荆州市', 2021]]
    """
    rows: list[dict[str, object]] = []
    problems: list[dict[str, object]] = []
    for parsed in _iter_parsed(find_input_files(paths), progress=progress):
        if parsed.row is not None:
            rows.append(parsed.row)
        problems += parsed.problems
    documents = documents_frame(rows)
    documents.attrs["problems"] = problems_frame(problems).to_dict("records")
    return documents
