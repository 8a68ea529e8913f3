"""Build orchestration: ``data/raw`` → ``data/processed/*.parquet``, with a cache and DuckDB.

``build`` is the only function that reads ``data/raw`` and writes ``data/processed``, and the
only place that caches: a file whose sha256 and reportlib version match a row of the previous
build is not parsed again, its row is reused. Every table is written atomically (temporary file
in the same folder, then ``os.replace``) so a crash never leaves a half-written table behind.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from reportlib import documents as documents_module
from reportlib import indicators as indicators_module
from reportlib import readers, version
from reportlib import reuse as reuse_module
from reportlib import sections as sections_module
from reportlib import tokens as tokens_module

__all__ = ["BuildResult", "build", "connect", "summarize", "write_table"]

TABLES = ("documents", "problems", "sections", "outline", "indicators", "tokens", "reuse")


@dataclass
class BuildResult:
    """What a build produced and how much of it came from the cache."""

    documents: pd.DataFrame
    problems: pd.DataFrame
    sections: pd.DataFrame
    outline: pd.DataFrame
    indicators: pd.DataFrame
    n_files: int
    n_parsed: int
    n_cached: int
    n_bytes: int
    seconds: float
    out_dir: Path

    @property
    def tokens(self) -> pd.DataFrame:
        """The tokens table, read from ``tokens.parquet`` when asked for: it is the largest
        table, and a build does not hold it in memory."""
        return pd.read_parquet(self.out_dir / "tokens.parquet")

    @property
    def n_tokens(self) -> int:
        import pyarrow.parquet as pq

        path = self.out_dir / "tokens.parquet"
        return pq.ParquetFile(path).metadata.num_rows if path.exists() else 0


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


def _previous(out_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The previous build's tables, whole (empty frames when there is none or it is unreadable)."""
    documents_path, problems_path = out_dir / "documents.parquet", out_dir / "problems.parquet"
    empty = documents_module.documents_frame([]), documents_module.problems_frame([])
    if not documents_path.exists() or not problems_path.exists():
        return empty
    try:
        old_documents = pd.read_parquet(documents_path)
        old_problems = pd.read_parquet(problems_path)
    except Exception:  # an unreadable old table only means a cold cache
        return empty
    needed = {"sha256", "reportlib_version", "doc_id", "source_path"}
    if not needed <= set(old_documents.columns) or not needed <= set(old_problems.columns):
        return empty
    return old_documents, old_problems


def _reuse(
    cached: list[tuple[Path, str, str]], old_documents: pd.DataFrame, old_problems: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of the previous build for unchanged files, under their current doc_id and path.

    ``cached`` holds (path, doc_id, sha256). Identical files share one old row per table; a
    problem message names the file, so the old path in it is replaced by the new one.
    """
    columns = ["sha256", "doc_id", "source_path"]
    current = pd.DataFrame(
        [(digest, doc_id, str(path)) for path, doc_id, digest in cached], columns=columns
    )
    first = old_documents.drop_duplicates("sha256")
    documents = current.merge(first.drop(columns=["doc_id", "source_path"]), on="sha256")
    # problems: those of one old file per sha256 (identical files had identical problems)
    owners = pd.concat([first[columns], old_problems[columns]]).drop_duplicates("sha256")
    problems = old_problems.merge(owners, on=columns).merge(
        current, on="sha256", suffixes=("_old", "")
    )
    problems["message"] = [
        message.replace(old_path, new_path, 1)
        for message, old_path, new_path in zip(
            problems["message"], problems["source_path_old"], problems["source_path"], strict=True
        )
    ]
    return documents, problems


def build(
    raw_dir: str | Path = "data/raw",
    out_dir: str | Path = "data/processed",
    *,
    progress: bool = True,
    use_cache: bool = True,
    workers: int | None = None,
) -> BuildResult:
    """Build the processed tables from the raw folder.

    Parameters
    ----------
    raw_dir
        Folder (or file) of raw reports; never written to.
    out_dir
        Folder for the tables: ``documents``, ``problems``, ``sections``, ``outline``,
        ``indicators``, ``tokens`` and ``reuse`` (``.parquet``).
    progress
        Show a progress bar on a terminal.
    use_cache
        Reuse rows of the previous build for unchanged files (same sha256 and parser version).
        When nothing changed at all, the tables are not even rewritten.
    workers
        Processes that parse files; by default one per core when more than
        ``PARALLEL_FROM`` files need parsing, else one (starting processes costs more than it
        saves on a small folder). The tables are the same whatever the number.

    Examples
    --------
    >>> import tempfile
    >>> result = build("data/raw/seeds", tempfile.mkdtemp(), progress=False)
    >>> result.n_files, len(result.documents)
    (5, 5)
    """
    started = time.perf_counter()
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    files = documents_module.find_input_files(raw_dir)
    ids = documents_module.assign_doc_ids(files)
    old_documents, old_problems = (
        _previous(out_dir) if use_cache else _previous(Path("/nonexistent"))
    )
    current_version = version.parser_version()
    parsed_ok = set(
        old_documents.loc[old_documents["reportlib_version"] == current_version, "sha256"]
    )
    failed_before = set(
        old_problems.loc[
            (old_problems["reportlib_version"] == current_version)
            & (old_problems["stage"] != "metadata")
            & (old_problems["sha256"] != ""),
            "sha256",
        ]
    )
    cached: list[tuple[Path, str, str]] = []
    to_parse: list[Path] = []
    n_bytes = 0
    for path in files:
        try:
            n_bytes += path.stat().st_size
            digest = readers.file_sha256(path)
        except OSError:
            digest = ""
        if digest and (digest in parsed_ok or digest in failed_before):
            cached.append((path, ids[path], digest))  # a file that failed before fails again
        else:
            to_parse.append(path)
    reused_documents, reused_problems = _reuse(
        cached,
        old_documents[old_documents["reportlib_version"] == current_version],
        old_problems[old_problems["reportlib_version"] == current_version],
    )
    rows: list[dict] = []
    problems: list[dict] = []
    for parsed in _parse_all(to_parse, ids, workers=workers, progress=progress):
        if parsed.row is not None:
            rows.append(parsed.row)
        problems += parsed.problems
    documents = documents_module.documents_frame(
        pd.concat([reused_documents, pd.DataFrame(rows)], ignore_index=True)
        if rows
        else reused_documents
    )
    sections, new_section_problems, kept_ids = _sections_for(documents, old_documents, out_dir)
    problems += new_section_problems
    # sections split again bring their problems anew; drop the reused copies of those
    reused_problems = reused_problems[
        (reused_problems["stage"] != "sections") | reused_problems["doc_id"].isin(kept_ids)
    ]
    problems_table = documents_module.problems_frame(
        pd.concat([reused_problems, pd.DataFrame(problems)], ignore_index=True)
        if problems
        else reused_problems
    )
    unchanged = (
        not to_parse
        and _same(documents, old_documents)
        and _same(problems_table, old_problems)
        and all((out_dir / f"{name}.parquet").exists() for name in TABLES)
    )
    outline = sections_module.outline_compliance(sections)
    indicators = _indicators_for(documents, sections, kept_ids, out_dir)
    if not unchanged:
        write_table(documents, out_dir / "documents.parquet")
        write_table(problems_table, out_dir / "problems.parquet")
        write_table(sections, out_dir / "sections.parquet")
        write_table(outline, out_dir / "outline.parquet")
        write_table(indicators, out_dir / "indicators.parquet")
        _write_tokens(documents, sections, kept_ids, out_dir)
        # reuse compares every report with every other: recomputed whenever anything changed
        write_table(reuse_module.find_reuse(documents), out_dir / "reuse.parquet")
    return BuildResult(
        documents=documents,
        problems=problems_table,
        sections=sections,
        outline=outline,
        indicators=indicators,
        n_files=len(files),
        n_parsed=len(to_parse),
        n_cached=len(files) - len(to_parse),
        n_bytes=n_bytes,
        seconds=time.perf_counter() - started,
        out_dir=out_dir,
    )


PARALLEL_FROM = 200
_CHUNK = 64


def _parse_one(item: tuple[Path, str]) -> documents_module.ParsedFile:
    path, doc_id = item
    return documents_module.parse_file(path, doc_id=doc_id)


def _parse_all(
    paths: list[Path], ids: dict[Path, str], *, workers: int | None, progress: bool
) -> Iterator[documents_module.ParsedFile]:
    """Parse files in order, in a pool of processes when there are many."""
    items = [(path, ids[path]) for path in paths]
    if workers is None:
        workers = (os.cpu_count() or 1) if len(items) > PARALLEL_FROM else 1
    bar = None
    if progress and len(items) > 20:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(items), desc="parsing reports", unit="file", disable=None)
    try:
        if workers <= 1:
            results: Iterable[documents_module.ParsedFile] = map(_parse_one, items)
            for parsed in results:
                if bar is not None:
                    bar.update()
                yield parsed
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            for parsed in pool.map(_parse_one, items, chunksize=_CHUNK):  # keeps input order
                if bar is not None:
                    bar.update()
                yield parsed
    finally:
        if bar is not None:
            bar.close()


def _indicators_for(
    documents: pd.DataFrame, sections: pd.DataFrame, kept_ids: set[str], out_dir: Path
) -> pd.DataFrame:
    """Indicators of every document, reused for the documents whose sections were reused."""
    old = pd.DataFrame(columns=indicators_module.INDICATOR_COLUMNS)
    path = out_dir / "indicators.parquet"
    if kept_ids and path.exists():
        try:
            old = pd.read_parquet(path)
        except Exception:  # an unreadable old table only means the indicators are read again
            kept_ids = set()
    reused = old[old["doc_id"].isin(kept_ids)]
    # a kept report with no stored rows (none found, or an older build without indicators) is
    # read again: cheap, and never leaves a report without its indicators
    todo = documents[~documents["doc_id"].isin(set(reused["doc_id"]))]
    fresh = indicators_module.extract_indicators(
        todo, sections=sections[sections["doc_id"].isin(set(todo["doc_id"]))]
    )
    frames = [frame for frame in (reused, fresh) if len(frame)]
    if not frames:
        return fresh
    return (
        pd.concat(frames, ignore_index=True)
        .sort_values(["doc_id", "start"], kind="stable")
        .reset_index(drop=True)
    )


TOKEN_BATCH = 2000  # documents segmented and written at a time: bounds the build's memory


def _document_spans(table) -> dict[str, tuple[int, int]]:
    """(first row, number of rows) of each document in a table whose rows are grouped by
    document, read from the dictionary codes without turning them into strings."""
    spans: dict[str, tuple[int, int]] = {}
    offset = 0
    for chunk in table.column("doc_id").chunks:
        codes = chunk.indices.to_numpy(zero_copy_only=False)
        if not len(codes):
            continue
        starts = np.flatnonzero(np.concatenate(([True], codes[1:] != codes[:-1])))
        ends = np.concatenate((starts[1:], [len(codes)]))
        names = chunk.dictionary.take(pa.array(codes[starts])).to_pylist()
        for name, start, end in zip(names, starts.tolist(), ends.tolist(), strict=True):
            if name in spans and sum(spans[name]) == offset + start:
                first, length = spans[name]  # a document continued from the previous chunk
                spans[name] = (first, length + end - start)
            else:
                spans[name] = (offset + start, end - start)
        offset += len(codes)
    return spans


def _write_tokens(
    documents: pd.DataFrame,
    sections: pd.DataFrame,
    kept_ids: set[str],
    out_dir: Path,
) -> Path:
    """Write ``tokens.parquet``: rows of unchanged documents copied from the previous table
    (same sha256 and parser version, which covers the lexicon and stop-word files), the others
    segmented now. Documents are handled in sorted batches, in Arrow, and written as they come,
    so memory stays bounded by a batch and a document is never segmented twice."""
    import pyarrow.parquet as pq

    path = out_dir / "tokens.parquet"
    all_ids = sorted(set(documents["doc_id"]))
    old = None
    spans: dict[str, tuple[int, int]] = {}
    if kept_ids and path.exists():
        try:
            # only the kept documents' rows are read; the table is sorted by document
            old = pq.read_table(path, filters=[("doc_id", "in", sorted(kept_ids))])
            old = old.combine_chunks() if old.num_rows else None
        except Exception:  # an unreadable old table only means the documents are cut again
            old = None
    if old is not None:
        spans = _document_spans(old)
    by_document = sections.sort_values(["doc_id", "start"], kind="stable")
    section_rows = by_document.groupby("doc_id", sort=False).indices  # doc_id → row numbers
    out_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out_dir, prefix=".tokens.", suffix=".tmp")
    os.close(handle)
    try:
        with pq.ParquetWriter(temporary, tokens_module.TOKEN_SCHEMA) as writer:
            for first in range(0, len(all_ids), TOKEN_BATCH):
                batch = all_ids[first : first + TOKEN_BATCH]
                todo = [doc_id for doc_id in batch if doc_id not in spans]
                rows = [row for doc_id in todo for row in section_rows.get(doc_id, ())]
                fresh = tokens_module.tokenize_arrow(by_document.iloc[rows]) if rows else None
                fresh_spans = _document_spans(fresh) if fresh is not None else {}
                # documents in sorted order, each from the old table or from the fresh one
                pieces = [
                    old.slice(*spans[doc_id])
                    if doc_id in spans
                    else fresh.slice(*fresh_spans[doc_id])
                    for doc_id in batch
                    if doc_id in spans or doc_id in fresh_spans
                ]
                if pieces:
                    writer.write_table(pa.concat_tables(pieces))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def _sections_for(
    documents: pd.DataFrame, old_documents: pd.DataFrame, out_dir: Path
) -> tuple[pd.DataFrame, list[dict], set[str]]:
    """Sections of every document: reused for documents unchanged since the last build (same
    doc_id, sha256 and parser version), split anew for the rest, whose problems are returned,
    with the ids of the documents whose sections were reused."""
    keys = ["doc_id", "sha256", "reportlib_version"]
    kept_ids: set[str] = set()
    old_sections = pd.DataFrame(columns=sections_module.SECTION_COLUMNS)
    path = out_dir / "sections.parquet"
    if path.exists() and len(old_documents):
        try:
            old_sections = pd.read_parquet(path)
        except Exception:  # an unreadable old table only means the sections are split again
            old_sections = pd.DataFrame(columns=sections_module.SECTION_COLUMNS)
        same = documents[keys].merge(old_documents[keys], on=keys)
        kept_ids = set(same["doc_id"]) & set(old_sections["doc_id"])
        old_sections = old_sections[old_sections["doc_id"].isin(kept_ids)]
    todo = documents[~documents["doc_id"].isin(kept_ids)]
    new_sections = sections_module.split_sections(todo)
    sections = (
        pd.concat([old_sections, new_sections], ignore_index=True)
        .sort_values(["doc_id", "order"], kind="stable")
        .reset_index(drop=True)
    )
    unknown = new_sections.loc[new_sections["part"] == "unknown", "doc_id"]
    by_id = todo.set_index("doc_id")
    problems = [
        {
            "doc_id": doc_id,
            "source_path": by_id.at[doc_id, "source_path"],
            "stage": "sections",
            "message": f"{by_id.at[doc_id, 'source_path']}: no numbered headings found; "
            "the report is one section of part unknown",
            "sha256": by_id.at[doc_id, "sha256"],
            "reportlib_version": version.parser_version(),
        }
        for doc_id in unknown
    ]
    return sections, problems, kept_ids


def _same(new: pd.DataFrame, old: pd.DataFrame) -> bool:
    """Whether a rebuilt table has the same rows as the stored one (checked on its keys)."""
    keys = [
        c
        for c in ("doc_id", "source_path", "sha256", "stage", "message", "reportlib_version")
        if c in new
    ]
    if len(new) != len(old) or not set(keys) <= set(old.columns):
        return False
    return new[keys].reset_index(drop=True).equals(old[keys].reset_index(drop=True))


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
    if len(result.outline):
        outline = result.outline
        parts = ", ".join(
            f"{part} {int(outline[f'has_{part}'].sum())}" for part in sections_module.PARTS
        )
        lines += [
            "",
            f"Sections: {len(result.sections)}; reports with each mandated part: {parts}; "
            f"parts in order: {int(outline['order_ok'].sum())}; "
            f"median compliance score {outline['compliance_score'].median():.0f}/100",
        ]
    if len(result.indicators):
        indicators = result.indicators
        top = indicators.loc[~indicators["is_duplicate"], "category"].value_counts().head(5)
        lines.append(
            f"Indicators: {len(indicators)} ({int(indicators['is_duplicate'].sum())} in repeated "
            f"paragraphs) in {indicators['doc_id'].nunique()} reports; most frequent categories: "
            + ", ".join(f"{category} {count}" for category, count in top.items())
        )
    if result.n_tokens:
        lines.append(
            f"Tokens: {result.n_tokens} words in tokens.parquet (reportlib.tokenize; "
            "count_keywords, keyness, kwic and top_terms read them)"
        )
    reuse_path = result.out_dir / "reuse.parquet"
    if reuse_path.exists():
        reuse = pd.read_parquet(reuse_path, columns=["doc_id", "relation"])
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
    >>> _ = build("data/raw/seeds", folder, progress=False)
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
