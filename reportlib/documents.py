"""``read_reports``: files and folders in, one tidy documents table out.

Each file goes read → normalise → clean → metadata. A file that fails at any stage becomes a
row of the problems table (``doc_id``, ``source_path``, ``stage``, ``message``) instead of
stopping the run; a field the text does not give stays empty and is reported too.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from reportlib import clean, metadata, readers, version
from reportlib.errors import LimitExceededError, NotAReportError, ReportlibError
from reportlib.limits import DEFAULT_LIMITS, Limits
from reportlib.places import Gazetteer

__all__ = [
    "DOCUMENT_COLUMNS",
    "EXCERPT_MAX_CHARS",
    "PROBLEM_COLUMNS",
    "ParsedFile",
    "assign_doc_ids",
    "display_path",
    "find_input_files",
    "is_page_excerpt",
    "name_problem",
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
    "division_code",
    "official_name",
    "province",
    "city",
    "county",
    "is_excerpt",
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

    Folders are searched for the supported formats at any depth (hidden files and folders and
    README files are skipped; links to folders are not followed, so a loop of links cannot
    trap the search); a file named explicitly is always returned, so an unsupported one is
    reported rather than silently ignored. Special files with a supported suffix (a FIFO
    named ``x.txt``) are returned too: reading refuses them, so they become problems rows.

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

    A stack of folders, not recursion (``os.walk`` recurses in Python 3.11, so a thousand
    nested folders raised RecursionError); plain strings, since pathlib per file costs more
    than the parsing cache saves.
    """
    names: list[str] = []
    stack = [os.fspath(folder)]
    while stack:
        root = stack.pop()
        try:
            entries = list(os.scandir(root))
        except OSError:
            continue  # an unreadable folder holds nothing we can read
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                stack.append(entry.path)
                continue
            stem, suffix = os.path.splitext(name)
            if suffix.lower() in readers.SUPPORTED_SUFFIXES and stem.upper() != "README":
                names.append(entry.path)
    return [Path(name) for name in sorted(names)]


def display_path(path: str | Path) -> str:
    r"""A path as text that can be stored and shown: itself when it is valid UTF-8, else its
    bytes with ``\x`` escapes for those that are not (file names from Windows archives are
    often GBK bytes).

    Examples
    --------
    >>> display_path("报告/2023.txt")
    '报告/2023.txt'
    >>> print(display_path(os.fsdecode("甲镇".encode("gbk") + b".txt")))
    \xbc\xd7\xd5\xf2.txt
    """
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def name_problem(path: Path, *, doc_id: str, sha256: str = "") -> dict[str, object] | None:
    r"""A problems row (stage ``path``) for a file name that is not valid UTF-8, or None.

    The file is still read; the row says how its name is shown and, when the bytes read as
    GB18030, what the name says.

    Examples
    --------
    >>> name_problem(Path("a.txt"), doc_id="a") is None
    True
    >>> print(name_problem(Path(os.fsdecode("甲镇".encode("gbk") + b".txt")), doc_id="x")["message"])
    \xbc\xd7\xd5\xf2.txt: file name is not valid UTF-8, shown with \x escapes; read as GB18030 it is 甲镇.txt
    """
    shown = display_path(path)
    if shown == os.fspath(path):
        return None
    message = f"{shown}: file name is not valid UTF-8, shown with \\x escapes"
    with contextlib.suppress(UnicodeDecodeError):
        message += f"; read as GB18030 it is {os.fsencode(path.name).decode('gb18030')}"
    return _problem(doc_id, shown, sha256, "path", message)


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
        by_stem.setdefault(display_path(path.stem), []).append(path)
    ids: dict[Path, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            ids[group[0]] = stem
            continue
        for path in group:
            ids[path] = f"{stem}{display_path(path.suffix.lower())}"
        if len({ids[p] for p in group}) < len(group):
            for path in group:
                ids[path] = display_path(f"{path.parent.name}/{path.name}")
    return ids


def _problem(doc_id: str, source: str, sha256: str, stage: str, message: str) -> dict[str, object]:
    return {
        "doc_id": doc_id,
        "source_path": source,
        "stage": stage,
        "message": message,
        "sha256": sha256,
        "reportlib_version": version.parser_version(),
    }


_SURROGATE = re.compile("[\ud800-\udfff]")


def _storable(text: str) -> str:
    """Text without lone surrogates (a PDF's broken character map can produce them, and
    Parquet, which stores UTF-8, would refuse the whole table)."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def parse_file(
    path: str | Path,
    *,
    doc_id: str | None = None,
    source_path: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    gazetteer: Gazetteer | None = None,
) -> ParsedFile:
    """Read, clean and describe one file; never raises for bad input.

    Parameters
    ----------
    path
        The file.
    doc_id
        Its id (default: the file's stem).
    source_path
        How the file is named in the row and in messages (default: :func:`display_path`).
    limits
        Per-file budgets; a file over one is a problems row of stage ``limit``.
    gazetteer
        The official division list (loaded once by the caller; default: the package's).

    Examples
    --------
    >>> parsed = parse_file("data/raw/seeds/004_8c642f3c1dbf128b.txt")
    >>> parsed.row["entity"], parsed.row["report_year"], parsed.row["signed_date"]
    ('那吾镇', 2025, '2025-12-09')
    """
    path = Path(path)
    source = source_path or display_path(path)
    doc_id = doc_id or display_path(path.stem)

    def problem(sha256: str, stage: str, error: object) -> ParsedFile:
        message = _storable(str(error).replace(os.fspath(path), source))
        return ParsedFile(None, [_problem(doc_id, source, sha256, stage, message)])

    try:
        raw = readers.read_file(path, limits=limits)
    except LimitExceededError as error:
        return problem("", "limit", error)
    except ReportlibError as error:
        # the digest lets a build skip this file until it (or the parser) changes
        return problem("", "read", error)
    except OSError as error:  # a file that vanished or cannot be opened
        return problem("", "read", f"{source}: {error}")
    try:
        page = clean.Page.parse(clean.normalize_text(_storable(raw.text)))
        text = clean.strip_chrome(page)
        if len(text) < _MIN_REPORT_CHARS or not _REPORT_WORDS.search(text):
            raise NotAReportError(
                f"holds no report: {len(text)} characters of text without report wording",
                path=path,
            )
        meta = metadata.infer_metadata(page, text, gazetteer=gazetteer)
    except ReportlibError as error:
        return problem(raw.sha256, "detect", error)
    except Exception as error:  # a bug must not stop the build; it is reported with the file
        return problem(raw.sha256, "parse", f"{source}: unexpected {type(error).__name__}: {error}")
    row: dict[str, object] = {
        "doc_id": doc_id,
        "source_path": source,
        "sha256": raw.sha256,
        "format": raw.format,
        "encoding": raw.encoding,
        **meta.as_row(),
        "text": text,
        "n_chars": len(text),
        "is_excerpt": is_page_excerpt(text),
        "entity_source": meta.evidence.get("entity", ""),
        "parent_source": meta.evidence.get("parent", ""),
        "reportlib_version": version.parser_version(),
    }
    problems = []
    n_replaced = getattr(raw, "n_replaced", 0)
    if n_replaced:
        first = getattr(raw, "first_replaced_offset", None)
        where = f", the first at byte {first}" if first is not None else ""
        problems.append(
            _problem(
                doc_id,
                source,
                raw.sha256,
                "decode",
                f"{source}: {n_replaced} byte(s) that are not valid {raw.encoding} were "
                f"replaced by U+FFFD (stray NUL bytes dropped){where}; the rest of the "
                "report was read",
            )
        )
    problems += [
        _problem(doc_id, source, raw.sha256, "metadata", f"{source}: {message}")
        for message in meta.problems
    ]
    problems += [
        _problem(doc_id, source, raw.sha256, "metadata", f"{source}: {name} not found in the text")
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
    gazetteer = Gazetteer.load()
    for path in iterable:
        yield parse_file(path, doc_id=ids[path], gazetteer=gazetteer)


# A whole annual report has five parts and a closing; the shortest whole reports seen run to
# about 3,000 characters, page excerpts (a page's first screen) to 550–800.
EXCERPT_MAX_CHARS = 1500
_WHOLE_ENDING = re.compile(
    r"(?:[。！？!?”」）)]|\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九十]{4}年[^\n]{1,6}日"
    r"|人民政府|办事处|委员会|局|厅|办公室|党委|党工委)\s*$"
)


def is_page_excerpt(text: str) -> bool:
    r"""Whether ``text`` is a page excerpt rather than a whole report: shorter than
    :data:`EXCERPT_MAX_CHARS` characters, or cut off (its last line ends neither a sentence
    nor in a date or the signing body). Excerpts stay out of whole-report comparisons.

    Examples
    --------
    >>> whole = "一、主要举措和成效\n" + "开展普法宣传活动35场。" * 200 + "\n永乐镇人民政府\n2024年3月1日"
    >>> is_page_excerpt(whole), is_page_excerpt(whole[:700]), is_page_excerpt(whole[:-10])
    (False, True, False)
    >>> is_page_excerpt(whole[:-20] + "开展普法宣")
    True
    """
    if len(text) < EXCERPT_MAX_CHARS:
        return True
    return _WHOLE_ENDING.search(text.rstrip()[-40:]) is None


def documents_frame(rows: list[dict[str, object]] | pd.DataFrame) -> pd.DataFrame:
    """Rows → documents DataFrame with the contract's columns first and stable dtypes."""
    frame = pd.DataFrame(rows, columns=DOCUMENT_COLUMNS)
    frame["report_year"] = frame["report_year"].astype("Int64")
    frame["n_chars"] = frame["n_chars"].astype("int64")
    # Same dtypes whether rows were just parsed or read back from Parquet (the cache)
    for column in ("publish_date", "signed_date", "encoding"):
        frame[column] = frame[column].astype("string")
    frame["is_excerpt"] = frame["is_excerpt"].astype("bool")
    for column in frame.columns.difference(
        ["report_year", "n_chars", "publish_date", "signed_date", "encoding", "is_excerpt"]
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
