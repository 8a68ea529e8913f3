"""Every notebook runs for every report and selection of any corpus (issue 15): the town
briefing (02) for each report of the built-in sample and of a second corpus with what the
sample lacks (no dates, parents, titles or year; a department, a province; a town with and
without an earlier report), and 01, 03–06 with lists and defaults.

The notebooks' cells run in this process (as papermill would, parameters after the defaults)
so that a hundred runs cost seconds, not kernel starts; every object a cell displays is
rendered the way the briefing renders it (HTML or Markdown), and what a reader would see
must hold no pandas placeholder (nan, None, <NA>, NaT).
"""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import nbformat
import pandas as pd
import pytest

from reportlib import build
from reportlib.briefings import notebook_parameters

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent
SECOND = Path(__file__).parent / "fixtures" / "second_corpus"
_PLACEHOLDER = re.compile(r"(?<![A-Za-z])(nan|NaN|None|<NA>|&lt;NA&gt;|NaT)(?![A-Za-z])")
_TAG = re.compile(r"<[^>]+>")
_STYLE = re.compile(r"<style.*?</style>", re.S)


def run_notebook(name: str, parameters: dict[str, object], monkeypatch) -> list[str]:
    """Run the code cells of ``notebooks/{name}.ipynb`` here; return what they displayed."""
    import IPython.display
    import matplotlib.pyplot as plt

    shown: list[str] = []

    def display(*objects, **_):
        for item in objects:
            for method in ("_repr_html_", "_repr_markdown_"):
                if hasattr(item, method):
                    shown.append(str(getattr(item, method)()))
                    break
            else:
                shown.append(str(item))

    monkeypatch.setattr(IPython.display, "display", display)
    path = ROOT / "notebooks" / f"{name}.ipynb"
    notebook = nbformat.read(path, as_version=4)
    namespace: dict[str, object] = {"__name__": "__briefing__"}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        exec(compile(cell.source, f"{name}:{cell.get('id')}", "exec"), namespace)
        if "parameters" in cell.metadata.get("tags", []):
            namespace.update(parameters)
        plt.close("all")
    return shown


def reader_text(shown: list[str]) -> str:
    return "\n".join(_TAG.sub(" ", _STYLE.sub("", block)) for block in shown)


@pytest.fixture(scope="module")
def corpora(tmp_path_factory) -> dict[str, Path]:
    out = {}
    for name, raw in (("sample", ROOT / "data" / "raw"), ("second", SECOND)):
        folder = tmp_path_factory.mktemp(name)
        build(raw, folder, progress=False)
        out[name] = folder
    return out


def _reports(folder: Path) -> list[str]:
    return sorted(pd.read_parquet(folder / "documents.parquet", columns=["doc_id"])["doc_id"])


def test_the_second_corpus_holds_what_the_sample_lacks(corpora):
    # otherwise the runs below would prove less than they claim
    documents = pd.read_parquet(corpora["second"] / "documents.parquet")
    assert documents["report_year"].isna().any()
    assert documents["publish_date"].isna().any()
    assert (documents["parent"] == "").any() and (documents["title"] == "").any()
    assert {"部门", "省", "镇"} <= set(documents["level"])
    assert documents["is_excerpt"].any() and not documents["is_excerpt"].all()
    assert documents.groupby("entity")["report_year"].nunique().max() >= 2


@pytest.mark.parametrize("corpus", ["sample", "second"])
def test_town_briefing_runs_for_every_report(corpora, corpus, monkeypatch):
    folder = corpora[corpus]
    failures = {}
    for doc_id in _reports(folder):
        try:
            shown = run_notebook(
                "02-town-briefing", {"data_dir": str(folder), "doc_id": doc_id}, monkeypatch
            )
        except Exception as error:  # collect them all: one report's failure hides no other
            failures[doc_id] = f"{type(error).__name__}: {error}"
            continue
        text = reader_text(shown)
        found = _PLACEHOLDER.findall(text)
        if "简报" not in text:  # the heading: the cells ran, and displayed what they made
            failures[doc_id] = "no heading"
        elif found:
            failures[doc_id] = f"shows {sorted(set(found))}"
    assert failures == {}


SELECTIONS = [
    ("01-corpus-overview", {}),
    ("03-cross-town-comparison", {}),
    ("03-cross-town-comparison", {"entities": "风陵渡镇,古魏镇"}),
    ("03-cross-town-comparison", {"parent": "芮城县", "years": [2023]}),
    ("03-cross-town-comparison", {"entities": ["陌南镇"]}),
    ("04-keyword-trends", {}),
    ("04-keyword-trends", {"group_by": "level", "min_years": 1}),
    ("04-keyword-trends", {"keywords": "枫桥经验", "level": "镇"}),
    ("05-indicator-tables", {}),
    ("05-indicator-tables", {"group_by": "entity", "measures": "[行政处罚案件, 集体学法]"}),
    ("05-indicator-tables", {"planned": True, "years": "2022,2023"}),
    ("05-indicator-tables", {"excerpts": True}),
    ("06-reuse", {}),
    ("06-reuse", {"parent": "芮城县", "max_share": 0.5, "top": 2}),
]


@pytest.mark.parametrize(("name", "parameters"), SELECTIONS, ids=lambda v: str(v)[:40])
def test_every_notebook_runs_on_the_second_corpus(corpora, name, parameters, monkeypatch):
    # the parameters as a reader types them (text for lists), read as the briefing reads them
    from reportlib.parameters import coerce_parameters

    given = coerce_parameters(
        notebook_parameters(ROOT / "notebooks" / f"{name}.ipynb"),
        {**parameters, "data_dir": str(corpora["second"])},
    )
    shown = run_notebook(name, given, monkeypatch)
    assert shown, name
    assert _PLACEHOLDER.findall(reader_text(shown)) == []


def test_regression_copying_between_towns_of_one_template_is_found_and_named(corpora, monkeypatch):
    # the two 芮城县 town reports share most of their wording: the reuse briefing must show
    # it between the two towns by name, not as a formula and not as "0 of 7"
    shown = reader_text(
        run_notebook(
            "06-reuse", {"data_dir": str(corpora["second"]), "parent": "芮城县"}, monkeypatch
        )
    )
    assert "风陵渡镇 · 2023 年" in shown and "上一年度报告" in shown
