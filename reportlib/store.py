"""Build orchestration: ``data/raw`` → ``data/processed/*.parquet``, with a cache and DuckDB.

``build`` is the only function that reads ``data/raw`` and writes ``data/processed``, and the
only place that caches: a file whose sha256 and reportlib version match a row of the previous
build is not parsed again, its row is reused. Every table is written atomically (temporary file
in the same folder, then ``os.replace``) so a crash never leaves a half-written table behind.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reportlib import documents as documents_module
from reportlib import version

__all__ = ["BuildResult", "build", "connect", "summarize", "write_table"]

TABLES = ("documents", "problems")


@dataclass
class BuildResult:
    """What a build produced and how much of it came from the cache."""

    documents: pd.DataFrame
    problems: pd.DataFrame
    n_files: int
    n_parsed: int
    n_cached: int
    n_bytes: int
    seconds: float
    out_dir: Path


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame to Parquet atomically (temp file in the same folder + rename).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> write_table(pd.DataFrame({"doc_id": ["a"]}), f"{folder}/t.parquet").name
    't.parquet'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{path.stem}-", suffix=".parquet.tmp", dir=path.parent
    )
    os.close(handle)
    try:
        frame.to_parquet(temporary, index=False)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _previous(out_dir: Path) -> tuple[dict[str, dict], dict[str, list[dict]]]:
    """Rows of the previous build by sha256, if made by this parser version (code + patterns)."""
    documents_path, problems_path = out_dir / "documents.parquet", out_dir / "problems.parquet"
    if not documents_path.exists() or not problems_path.exists():
        return {}, {}
    try:
        old_documents = pd.read_parquet(documents_path)
        old_problems = pd.read_parquet(problems_path)
    except Exception:  # an unreadable old table only means a cold cache
        return {}, {}
    if "reportlib_version" not in old_documents or "sha256" not in old_problems:
        return {}, {}
    old_documents = old_documents[old_documents["reportlib_version"] == version.parser_version()]
    rows = {row["sha256"]: row for row in old_documents.to_dict("records")}
    problems: dict[str, list[dict]] = {}
    for row in old_problems.to_dict("records"):
        if row["sha256"]:
            problems.setdefault(row["sha256"], []).append(row)
    return rows, problems


def build(
    raw_dir: str | Path = "data/raw",
    out_dir: str | Path = "data/processed",
    *,
    progress: bool = True,
    use_cache: bool = True,
) -> BuildResult:
    """Build the processed tables from the raw folder.

    Parameters
    ----------
    raw_dir
        Folder (or file) of raw reports; never written to.
    out_dir
        Folder for ``documents.parquet`` and ``problems.parquet``.
    progress
        Show a progress bar on a terminal.
    use_cache
        Reuse rows of the previous build for unchanged files (same sha256 and version).

    Examples
    --------
    >>> import tempfile
    >>> result = build("data/raw", tempfile.mkdtemp(), progress=False)
    >>> result.n_files, len(result.documents)
    (5, 5)
    """
    started = time.perf_counter()
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    files = documents_module.find_input_files(raw_dir)
    ids = documents_module.assign_doc_ids(files)
    cached_rows, cached_problems = _previous(out_dir) if use_cache else ({}, {})
    rows: list[dict] = []
    problems: list[dict] = []
    to_parse: list[Path] = []
    n_bytes = 0
    for path in files:
        try:
            n_bytes += path.stat().st_size
            digest = _sha256(path)
        except OSError:
            digest = ""
        if digest and digest in cached_rows:
            rows.append({**cached_rows[digest], "doc_id": ids[path], "source_path": str(path)})
            problems += [
                {**row, "doc_id": ids[path], "source_path": str(path)}
                for row in cached_problems.get(digest, [])
            ]
        elif (
            digest
            and digest in cached_problems
            and not any(row["stage"] == "metadata" for row in cached_problems[digest])
        ):
            # a file that failed before fails again: reuse its problem rows
            problems += [
                {**row, "doc_id": ids[path], "source_path": str(path)}
                for row in cached_problems[digest]
            ]
        else:
            to_parse.append(path)
    iterable = to_parse
    if progress and len(to_parse) > 20:
        from tqdm.auto import tqdm

        iterable = tqdm(to_parse, desc="parsing reports", unit="file", disable=None)
    for path in iterable:
        parsed = documents_module.parse_file(path, doc_id=ids[path])
        if parsed.row is not None:
            rows.append(parsed.row)
        problems += parsed.problems
    documents = documents_module.documents_frame(rows)
    problems_table = documents_module.problems_frame(problems)
    write_table(documents, out_dir / "documents.parquet")
    write_table(problems_table, out_dir / "problems.parquet")
    return BuildResult(
        documents=documents,
        problems=problems_table,
        n_files=len(files),
        n_parsed=len(to_parse),
        n_cached=len(files) - len(to_parse),
        n_bytes=n_bytes,
        seconds=time.perf_counter() - started,
        out_dir=out_dir,
    )


def summarize(result: BuildResult) -> str:
    """A plain-text summary of a build: documents by level and year, problems by stage."""
    documents, problems = result.documents, result.problems
    lines = [
        f"Built {len(documents)} documents from {result.n_files} files "
        f"({result.n_bytes / 1e6:.1f} MB) in {result.seconds:.2f} s: "
        f"{result.n_parsed} parsed, {result.n_cached} from cache → {result.out_dir}",
    ]
    if len(documents):
        table = pd.crosstab(
            documents["level"].replace("", "(unknown)"),
            documents["report_year"].astype("string").fillna("(unknown)"),
            margins=True,
            margins_name="all",
        )
        lines += ["", "Documents by level (rows) and report year (columns):", table.to_string()]
    if len(problems):
        by_stage = problems.groupby("stage").size()
        lines += ["", "Problems by stage: " + ", ".join(f"{s} {n}" for s, n in by_stage.items())]
        failed = problems[problems["stage"] != "metadata"]
        for message in failed["message"].head(10):
            lines.append(f"  - {message}")
        lines.append(
            "  (all problems: problems.parquet, or reportlib.connect(out).execute('from problems').df())"
        )
    else:
        lines += ["", "No problems."]
    return "\n".join(lines)


def connect(out_dir: str | Path = "data/processed"):
    """A DuckDB connection with one view per table in ``out_dir`` (documents, problems, …).

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> _ = build("data/raw", folder, progress=False)
    >>> connect(folder).execute("select count(*) from documents").fetchall()[0][0]
    5
    """
    import duckdb

    out_dir = Path(out_dir)
    connection = duckdb.connect()
    for path in sorted(out_dir.glob("*.parquet")):
        quoted = str(path.resolve()).replace("'", "''")
        connection.execute(f"create view \"{path.stem}\" as select * from read_parquet('{quoted}')")
    return connection
