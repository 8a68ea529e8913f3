"""Briefings: parameters checked before the kernel starts, one self-contained HTML file with
no code, an index; notebooks committed without outputs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from reportlib import ParameterError, build
from reportlib.briefings import briefing_file_name, notebook_parameters, render_briefing

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("processed")
    build(ROOT / "data" / "raw", out, progress=False)
    return out


@pytest.fixture(scope="module")
def town_briefing(sample, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("briefings")
    return render_briefing(
        ROOT / "notebooks" / "02-town-briefing.ipynb",
        {"entity": "司法部", "year": 2023, "data_dir": str(sample)},
        out_dir=out,
    )


def test_town_briefing_holds_its_sections_and_no_code(town_briefing):
    page = town_briefing.read_text(encoding="utf-8")
    for heading in (
        "报告概况",
        "指标与同类报告中位数",
        "与同类报告相比的特色词",
        "与上一份报告相比",
    ):
        assert heading in page
    assert "司法部 · 2023 年" in page
    assert "与 2022 年报告比较" in page  # 司法部 has a 2022 report in the sample
    assert "的文字与其 2022 年报告相同" in page  # the reuse line
    assert '<html lang="zh-CN">' in page and "<title>司法部 2023 年度报告简报</title>" in page
    # no Python: neither code nor prompts nor tracebacks nor stderr
    for code in ("import reportlib", "analysis.select_report", "plt.subplots", "Traceback"):
        assert code not in page
    assert 'class="jp-CodeMirrorEditor' not in page  # a code cell's editor box (markdown stays)
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page
    # regression: the facts printed for the tests ("司法部 | 部门 | …") showed as a raw line
    assert "司法部 | 部门" not in page


def test_briefing_is_one_self_contained_file(town_briefing):
    page = town_briefing.read_text(encoding="utf-8")
    # charts embedded, not linked: 司法部 2023 is a page excerpt, so its briefing draws no
    # part shares, only its distinctive words and its word cloud
    assert page.count("data:image/png;base64,") >= 2
    assert not re.findall(r'(?:src|href)="https?://', page)  # nothing fetched from the web


def test_index_lists_the_briefing_with_its_parameters(town_briefing):
    index = (town_briefing.parent / "index.html").read_text(encoding="utf-8")
    assert town_briefing.name in index
    assert "主体 = 司法部" in index and "年度 = 2023" in index


def test_file_names_are_safe_and_readable():
    name = briefing_file_name(Path("02-town-briefing.ipynb"), {"entity": "新 疆/阿克苏:地区"})
    assert name == "02-town-briefing__entity-新_疆_阿克苏_地区.html"
    long = briefing_file_name(Path("03-x.ipynb"), {"entities": ["很长的镇名" * 10] * 5})
    assert len(long.encode("utf-8")) <= 200 and long.endswith(".html")


def test_bad_parameters_stop_before_the_notebook_runs(sample, tmp_path):
    notebook = ROOT / "notebooks" / "02-town-briefing.ipynb"
    with pytest.raises(ParameterError, match="Closest: 永乐镇"):
        render_briefing(notebook, {"entity": "永乐", "data_dir": str(sample)}, out_dir=tmp_path)
    with pytest.raises(ParameterError, match="Closest: entity"):
        render_briefing(notebook, {"entty": "永乐镇", "data_dir": str(sample)}, out_dir=tmp_path)
    assert not list(tmp_path.glob("*.html"))


def test_command_line_reports_a_bad_parameter_in_one_line(sample, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "reportlib", "brief", "02", "-p", "entity", "嘉兴市",
         "-p", "year", "2019", "-p", "data_dir", str(sample), "--out", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "reportlib brief: 嘉兴市 has no report for 2019. Closest: 2021, 2022, 2023"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebooks_are_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and "data_dir" in notebook_parameters(path)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.fixture(scope="module")
def executed(sample, tmp_path_factory):
    """Notebooks run by papermill on the built-in sample with their default parameters."""
    import papermill

    out = tmp_path_factory.mktemp("executed")
    notebooks = {}
    for name in ("01-corpus-overview", "02-town-briefing", "04-keyword-trends"):
        papermill.execute_notebook(
            str(ROOT / "notebooks" / f"{name}.ipynb"),
            str(out / f"{name}.ipynb"),
            parameters={"data_dir": str(sample)},
            cwd=str(ROOT / "notebooks"),
            progress_bar=False,
        )
        notebooks[name] = nbformat.read(out / f"{name}.ipynb", as_version=4)
    return notebooks


def _stream(notebook, tag: str) -> str:
    cells = [c for c in notebook.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, tag
    return "".join(o.get("text", "") for o in cells[0].outputs if o.get("name") == "stdout")


@pytest.mark.parametrize("name", ["01-corpus-overview", "02-town-briefing", "04-keyword-trends"])
def test_notebooks_run_without_warnings_or_missing_glyphs(executed, name):
    # the HTML drops stderr, so check the executed notebook itself: no "Glyph … missing from
    # font(s)" and no other warning may be written while the notebook runs
    streams = [
        output.get("text", "")
        for cell in executed[name].cells
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stderr"
    ]
    assert streams == []


def test_corpus_overview_counts_levels_as_labelled_by_hand(executed):
    # Hand-checked: the levels in data/raw/corpus/catalog.csv (64 pages: 乡 3, 区 5, 县 2, 州 1,
    # 市 7, 省 5, 街道 16, 部门 7, 镇 18) plus the 5 seeds (监利市 市; 永乐镇, 周庄镇, 西大沟镇,
    # 那吾镇 镇; data/raw/seeds/README.md) give 市 8 and 镇 22.
    counts = dict(
        line.split()
        for line in _stream(executed["01-corpus-overview"], "check-levels").splitlines()
        if line.split() and line.split()[0] != "level"
    )
    assert counts == {
        "乡": "3", "区": "5", "县": "2", "州": "1", "市": "8",
        "省": "5", "街道": "16", "部门": "7", "镇": "22",
    }  # fmt: skip


def test_town_briefing_facts_of_the_default_town(executed):
    # Hand-checked against data/raw/seeds/README.md: 永乐镇, 镇, 芮城县, 2023, 时间:2024-03-01
    assert _stream(executed["02-town-briefing"], "check-facts").strip() == (
        "永乐镇 | 镇 | 芮城县 | 2023 年 | 发布日期 2024-03-01"
    )


def test_a_relative_data_dir_is_read_from_where_the_command_runs(sample, tmp_path, monkeypatch):
    # regression: the kernel runs in notebooks/, so "-p data_dir mine/processed" pointed there
    import shutil

    shutil.copytree(sample, tmp_path / "mine" / "processed")
    monkeypatch.chdir(tmp_path)
    page = render_briefing(
        ROOT / "notebooks" / "02-town-briefing.ipynb",
        {"entity": "永乐镇", "data_dir": "mine/processed"},
        out_dir=tmp_path / "out",
    )
    assert "永乐镇 · 2023 年" in page.read_text(encoding="utf-8")


def test_regression_cross_town_briefing_refused_a_list_of_entities(sample, tmp_path):
    page = render_briefing(
        "03",
        {"entities": "永乐镇,黑山镇", "data_dir": str(sample)},
        out_dir=tmp_path,
    )
    assert "永乐镇" in page.read_text(encoding="utf-8")


def test_regression_keyword_trends_failed_on_one_keyword_given_as_text(sample, tmp_path):
    assert render_briefing(
        "04", {"keywords": "枫桥经验", "data_dir": str(sample)}, out_dir=tmp_path
    ).exists()


def test_regression_a_year_written_2023nian_stopped_with_invalid_literal(sample, tmp_path):
    page = render_briefing(
        "02", {"entity": "永乐镇", "year": "2023年", "data_dir": str(sample)}, out_dir=tmp_path
    )
    assert page.name == "02-town-briefing__entity-永乐镇__year-2023.html"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_regression_papermill_missed_parameters_whose_comment_held_an_equals_sign(path):
    import papermill

    assert set(papermill.inspect_notebook(str(path))) == set(notebook_parameters(path))


def test_plain_papermill_from_another_folder_renders_the_town_briefing(
    sample, tmp_path, monkeypatch
):
    import papermill

    monkeypatch.setenv("REPORTLIB_DATA_DIR", str(sample))
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "02-town-briefing.ipynb"),
        str(out),
        parameters={"entity": "永乐镇", "year": "2023年"},  # as `papermill -p` passes them
        cwd=str(tmp_path),
        progress_bar=False,
    )
    executed = nbformat.read(out, as_version=4)
    assert "永乐镇 · 2023 年" in str(executed.cells[2].outputs)


def test_brief_runs_only_the_suites_notebooks_unless_trusted(sample, tmp_path):
    import shutil

    foreign = tmp_path / "02-town-briefing.ipynb"
    shutil.copy(ROOT / "notebooks" / "02-town-briefing.ipynb", foreign)
    with pytest.raises(ParameterError, match="not a notebook of the suite"):
        render_briefing(foreign, {"data_dir": str(sample)}, out_dir=tmp_path / "out")
    page = render_briefing(
        foreign, {"data_dir": str(sample)}, out_dir=tmp_path / "out", trusted=True
    )
    assert page.exists()


def test_short_names_find_the_suites_notebooks_from_any_folder(tmp_path, monkeypatch):
    from reportlib.briefings import find_notebook

    monkeypatch.chdir(tmp_path)
    assert find_notebook("town-briefing") == ROOT / "notebooks" / "02-town-briefing.ipynb"


def test_regression_the_index_named_a_grouping_by_its_english_column(tmp_path):
    from reportlib.briefings import write_index

    (tmp_path / "05.html").write_text("<html></html>", encoding="utf-8")
    page = write_index(
        tmp_path,
        entry={
            "file": "05.html",
            "notebook": "05-indicator-tables",
            "title": "指标表",
            "parameters": {"group_by": "province", "planned": True},
            "rendered_at": "2026-12-02T08:30:00",
        },
    ).read_text(encoding="utf-8")
    assert "分组 = 省份，计划值 = 是" in page
    assert "2026-12-02 08:30:00" in page and "province" not in page
