"""Briefings: run a parameterised notebook with papermill and render it to one HTML file that
shows no code, then list every briefing in ``index.html``.

The HTML is self-contained: charts are embedded images, code cells and prompts are left out
(nbconvert's ``exclude_input``; papermill's report mode would still show code in nbconvert's
HTML), stderr streams and warnings are dropped, and the scripts that nbconvert would load from
the web are removed. A bad parameter — an unknown entity, a year with no report — stops before
the notebook runs, with a message naming the closest valid values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import json
import os
import re
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from reportlib.atomic import write_text
from reportlib.errors import ParameterError, ReportlibError
from reportlib.parameters import coerce_parameters
from reportlib.store import generation_dir

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BriefingError",
    "briefing_file_name",
    "find_notebook",
    "notebook_parameters",
    "render_briefing",
    "write_index",
]


class BriefingError(ReportlibError):
    """A notebook failed while rendering a briefing (not because of its parameters)."""


NOTEBOOK_DIR = "notebooks"


def _suite_folders() -> list[Path]:
    """The suite's notebook folders: the project's own (next to this package, in a checkout
    or an editable install), then ``notebooks/`` in the working folder or a parent of it."""
    own = Path(__file__).resolve().parent.parent / NOTEBOOK_DIR
    around = [Path.cwd() / NOTEBOOK_DIR, *(p / NOTEBOOK_DIR for p in Path.cwd().parents)]
    folders = [own, *around]
    return [folder for folder in dict.fromkeys(f.resolve() for f in folders) if folder.is_dir()]


def find_notebook(name: str | Path, *, trusted: bool = False) -> Path:
    """A notebook by a short name ("02", "town-briefing", "02-town-briefing") looked up in the
    suite's ``notebooks/`` folder, from any working folder, or by path. A notebook runs code, so
    a path outside the suite's folders is refused unless ``trusted``.

    Examples
    --------
    >>> find_notebook("02").name
    '02-town-briefing.ipynb'
    >>> find_notebook("/tmp/x.ipynb")
    Traceback (most recent call last):
    ...
    reportlib.errors.ParameterError: /tmp/x.ipynb is not a notebook of the suite's notebooks/ folder: run it with trusted=True (reportlib brief --trust) if you trust it
    """
    path = Path(name)
    folders = _suite_folders()
    if path.suffix == ".ipynb":
        if not trusted and path.resolve().parent not in folders:
            raise ParameterError(
                f"{path} is not a notebook of the suite's {NOTEBOOK_DIR}/ folder: run it with "
                "trusted=True (reportlib brief --trust) if you trust it"
            )
        if path.exists():
            return path
    for folder in folders:
        notebooks = sorted(folder.glob("[0-9][0-9]-*.ipynb"))
        for notebook in notebooks:
            stem = notebook.stem
            if str(name) in (stem, stem[:2], stem[3:], notebook.name):
                return notebook
        raise ParameterError(
            f"no notebook {str(name)!r} in {folder}",
            closest=[notebook.stem for notebook in notebooks],
        )
    raise ParameterError(f"no notebook {str(name)!r} and no {NOTEBOOK_DIR}/ folder found")


def notebook_parameters(notebook: Path) -> dict[str, object]:
    """The parameters a notebook declares in its cell tagged ``parameters``, with their
    defaults (read with ``ast``: papermill's own reader gives up on ``years = []  # …``).

    Examples
    --------
    >>> notebook_parameters(find_notebook("02"))["entity"]
    '永乐镇'
    """
    import ast

    import nbformat

    document = nbformat.read(notebook, as_version=4)
    for cell in document.cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get(
            "tags", []
        ):
            parameters: dict[str, object] = {}
            for statement in ast.parse(cell.source).body:
                if isinstance(statement, ast.Assign | ast.AnnAssign):
                    targets = (
                        statement.targets
                        if isinstance(statement, ast.Assign)
                        else [statement.target]
                    )
                    try:
                        value = ast.literal_eval(statement.value) if statement.value else None
                    except ValueError:
                        value = ast.unparse(statement.value)
                    for target in targets:
                        if isinstance(target, ast.Name):
                            parameters[target.id] = value
            return parameters
    raise ParameterError(f"{notebook} has no cell tagged 'parameters'")


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\s]+')


def briefing_file_name(notebook: Path, parameters: Mapping[str, object]) -> str:
    """A file name from the notebook and its parameters, safe on any file system and readable
    in Chinese: ``02-town-briefing__entity-永乐镇__year-2023.html``.

    Examples
    --------
    >>> briefing_file_name(Path("02-town-briefing.ipynb"), {"entity": "永乐镇", "year": 2023})
    '02-town-briefing__entity-永乐镇__year-2023.html'
    >>> briefing_file_name(Path("03-x.ipynb"), {"entities": ["甲镇", "乙/镇"], "data_dir": "d"})
    '03-x__entities-甲镇+乙_镇.html'
    """
    parts = [notebook.stem]
    for key in sorted(parameters):
        value = parameters[key]
        if key == "data_dir" or value in (None, "", [], ()):
            continue
        text = "+".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        parts.append(f"{key}-{_UNSAFE.sub('_', text)}")
    name = "__".join(parts)
    if len(name.encode("utf-8")) > 180:  # file systems allow 255 bytes; leave room
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
        name = name.encode("utf-8")[:160].decode("utf-8", "ignore") + "__" + digest
    return name + ".html"


def _check_parameters(
    declared: Mapping[str, object], parameters: Mapping[str, object], *, notebook: Path
) -> dict[str, object]:
    """The given parameters, each read into the type of its ``declared`` default
    (:mod:`reportlib.parameters`); an unknown one names the closest of ``notebook``'s."""
    unknown = [key for key in parameters if key not in declared]
    if unknown:
        import difflib

        raise ParameterError(
            f"{notebook.name} has no parameter {unknown[0]!r}",
            closest=difflib.get_close_matches(unknown[0], list(declared), n=3, cutoff=0.0),
        )
    return coerce_parameters(declared, parameters)


def _check_against_data(parameters: Mapping[str, object]) -> pd.Series | None:
    """Stop before the notebook runs when a parameter names nothing in the data; the report
    a town briefing is about, when it is one."""
    import pandas as pd

    from reportlib.analysis import find_data_dir, select_documents, select_report

    # only the documents table: the others (tokens above all) are the notebook's to read
    folder = find_data_dir(str(parameters.get("data_dir") or "data/processed"))
    documents = pd.read_parquet(
        generation_dir(folder) / "documents.parquet",
        columns=["doc_id", "entity", "parent", "level", "report_year"],
    )
    report = None
    if parameters.get("entity") or parameters.get("doc_id"):
        report = select_report(
            documents,
            entity=str(parameters.get("entity") or ""),
            parent=parameters.get("parent") or None,  # type: ignore[arg-type]
            year=parameters.get("year"),  # type: ignore[arg-type]
            doc_id=parameters.get("doc_id") or None,  # type: ignore[arg-type]
        )
    if parameters.get("entities") or (parameters.get("parent") and not parameters.get("entity")):
        select_documents(
            documents,
            entities=parameters.get("entities") or None,  # type: ignore[arg-type]
            parent=parameters.get("parent") or None,  # type: ignore[arg-type]
            years=parameters.get("years") or None,  # type: ignore[arg-type]
        )
    elif parameters.get("level") and parameters.get("group_by") != "level":
        select_documents(
            documents,
            levels=[str(parameters["level"])],
            years=parameters.get("years") or None,  # type: ignore[arg-type]
        )
    elif parameters.get("years"):
        select_documents(documents, years=parameters["years"])  # type: ignore[arg-type]
    return report


def render_briefing(
    notebook: str | Path,
    parameters: Mapping[str, object] | None = None,
    *,
    out_dir: str | Path = "briefings",
    kernel_name: str | None = None,
    timeout: int = 600,
    trusted: bool = False,
) -> Path:
    """Run ``notebook`` with ``parameters`` and write its HTML briefing into ``out_dir``.

    Returns
    -------
    pathlib.Path
        The HTML file; ``out_dir/index.html`` is rewritten to list it.

    Raises
    ------
    ParameterError
        An unknown parameter, or one that names nothing in the data; a notebook outside the
        suite's ``notebooks/`` folder unless ``trusted``.
    BriefingError
        The notebook failed for another reason; the message names the cell and the error.
    """
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    started = time.perf_counter()
    path = find_notebook(notebook, trusted=trusted)
    given = dict(parameters or {})
    data_dir = given.get("data_dir")
    if data_dir and not Path(str(data_dir)).is_absolute() and Path(str(data_dir)).exists():
        # the notebook runs in its own folder: a folder named from here must stay this one
        given["data_dir"] = str(Path(str(data_dir)).resolve())
    # the notebook gets the values as read (2023年 → 2023, "甲镇,乙镇" → a list)
    declared = notebook_parameters(path)
    given = _check_parameters(declared, given, notebook=path)
    report = _check_against_data({**declared, **given})
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, _quiet_stderr():
        executed = Path(work) / path.name
        try:
            papermill.execute_notebook(
                str(path),
                str(executed),
                parameters=given,
                kernel_name=kernel_name,
                cwd=str(path.parent),
                progress_bar=False,
                log_output=False,
                execution_timeout=timeout,
            )
        except papermill.PapermillExecutionError as error:
            if error.ename == "ParameterError":
                raise ParameterError(str(error.evalue)) from None
            raise BriefingError(
                f"{path.name} failed in cell {error.exec_count}: {error.ename}: {error.evalue}",
                path=path,
            ) from None
        document = nbformat.read(executed, as_version=4)
    _drop_noise(document)
    exporter = HTMLExporter(
        template_name="lab",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.log.setLevel("ERROR")  # "Alternative text is missing…" is not for the reader
    shown = {**declared, **given}
    if report is not None:  # the title names the report chosen, however it was chosen
        shown |= {"entity": report["entity"] or "", "year": _year_or_none(report["report_year"])}
    title = briefing_title(path, shown)
    body, _ = exporter.from_notebook_node(document, resources={"metadata": {"name": title}})
    target = out / briefing_file_name(path, given)
    write_text(target, _in_chinese(_self_contained(body), title=title))
    write_index(
        out,
        entry={
            "file": target.name,
            "notebook": path.stem,
            "title": title,
            "parameters": given,
            "rendered_at": dt.datetime.now().isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 1),
        },
    )
    return target


@contextlib.contextmanager
def _quiet_stderr():
    """Silence the kernel's start-up chatter ("Kernel is running over TCP…") and papermill's
    log while a notebook runs: the kernel process writes to the file descriptor it inherits,
    so descriptor 2 itself is pointed at a scratch file, then restored."""
    import logging

    logger = logging.getLogger("papermill")
    level = logger.level
    logger.setLevel(logging.ERROR)
    saved = os.dup(2)
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            logger.setLevel(level)


def _drop_noise(document) -> None:
    """Remove stderr streams (warnings, logs), and the outputs of cells tagged ``check-…``:
    they print values for the tests to read, not for the reader."""
    for cell in document.cells:
        if cell.get("cell_type") != "code":
            continue
        if any(str(tag).startswith("check-") for tag in cell.get("metadata", {}).get("tags", [])):
            cell["outputs"] = []
            continue
        cell["outputs"] = [
            output
            for output in cell.get("outputs", [])
            if not (output.get("output_type") == "stream" and output.get("name") == "stderr")
        ]


_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"https?://[^\"]*\"[^>]*>\s*</script>", re.I)
_MATHJAX_CONFIG = re.compile(r"<!-- Load mathjax -->.*?<!-- End of mathjax configuration -->", re.S)


def briefing_title(notebook: Path, parameters: Mapping[str, object]) -> str:
    """The page title a reader sees in a tab or a forwarded file's list, in Chinese.

    Examples
    --------
    >>> briefing_title(Path("02-town-briefing.ipynb"), {"entity": "永乐镇", "year": 2023})
    '永乐镇 2023 年度报告简报'
    >>> briefing_title(Path("03-cross-town-comparison.ipynb"), {"entities": ["甲镇", "乙镇"]})
    '甲镇、乙镇 年度报告比较'
    """
    from reportlib.labels import LABELS, label

    number = notebook.stem[:2]
    if number == "02":
        year = parameters.get("year")
        entity = parameters.get("entity") or label("entity.unknown")
        return label("title.02", entity=entity, year=year or "最新")
    if number == "03":
        entities = parameters.get("entities") or []
        selection = (
            "、".join(map(str, entities))
            if entities
            else str(
                parameters.get("parent")
                or (f"{parameters['level']}一级" if parameters.get("level") else "")
            )
        )
        return label("title.03", selection=selection or "全部")
    key = f"title.{number}"
    return label(key) if key in LABELS["zh"] else label("title.other")


def _year_or_none(value: object) -> int | None:
    import pandas as pd

    return None if pd.isna(value) else int(value)  # type: ignore[call-overload, arg-type]


def _parameter_name(key: str) -> str:
    from reportlib.labels import LABELS

    return LABELS["zh"].get(f"parameter.{key}", key)


def _parameter_value(value: object, *, key: str = "") -> str:
    if key == "group_by":  # a documents column: 层级, not level
        from reportlib.markup import group_label

        return group_label(str(value))
    if isinstance(value, list | tuple):
        return "、".join(map(str, value))
    return (
        {True: "是", False: "否"}.get(value, str(value)) if isinstance(value, bool) else str(value)
    )


_HTML_TAG = re.compile(r"<html[^>]*>")
_TITLE_TAG = re.compile(r"<title>.*?</title>", re.S)


def _in_chinese(body: str, *, title: str) -> str:
    """The page declared Chinese, its title escaped (parameters are typed by anyone)."""
    body = _HTML_TAG.sub('<html lang="zh-CN">', body, count=1)
    return _TITLE_TAG.sub(lambda _: f"<title>{html.escape(title)}</title>", body, count=1)


def _self_contained(body: str) -> str:
    """Drop what nbconvert loads from the web (require.js, MathJax): briefings have no
    widgets or formulas, and a file that needs the network does not stand alone."""
    body = _MATHJAX_CONFIG.sub("", body)
    return _REMOTE_SCRIPT.sub("", body)


def write_index(out_dir: str | Path, *, entry: Mapping[str, object] | None = None) -> Path:
    """Rewrite ``index.html`` (and its record ``index.json``) listing every briefing in
    ``out_dir`` with its parameters and when it was rendered; ``entry`` adds or replaces one.
    """
    out = Path(out_dir)
    record_path = out / "index.json"
    records: list[dict] = []
    if record_path.exists():
        try:
            records = json.loads(record_path.read_text(encoding="utf-8"))
        except (ValueError, OSError):
            records = []
    if entry is not None:
        records = [r for r in records if r.get("file") != entry["file"]] + [dict(entry)]
    records = [r for r in records if (out / str(r.get("file"))).exists()]
    records.sort(key=lambda r: (str(r.get("notebook")), str(r.get("file"))))
    write_text(record_path, json.dumps(records, ensure_ascii=False, indent=1))
    rows = "\n".join(
        '<tr><td><a href="{file}">{notebook}</a></td><td>{parameters}</td><td>{date}</td></tr>'.format(
            file=html.escape(str(record["file"]), quote=True),
            notebook=html.escape(str(record.get("title") or record["notebook"])),
            parameters=html.escape(
                "，".join(
                    f"{_parameter_name(key)} = {_parameter_value(value, key=key)}"
                    for key, value in record.get("parameters", {}).items()
                    if key != "data_dir"
                )
                or "（默认参数）"
            ),
            date=html.escape(str(record.get("rendered_at", "")).replace("T", " ")),
        )
        for record in records
    )
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>法治政府建设年度报告 · 简报目录</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}</style></head>
<body><h1>简报目录</h1><p>共 {len(records)} 份简报，由 <code>reportlib brief</code> 生成。</p>
<table><tr><th>简报</th><th>参数</th><th>生成时间</th></tr>
{rows}
</table></body></html>
"""
    index = out / "index.html"
    write_text(index, page)
    return index
