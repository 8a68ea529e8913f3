"""Selections, peers and changes that the notebooks display, on the built-in sample."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from reportlib import ParameterError, analysis, build

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> analysis.Tables:
    out = tmp_path_factory.mktemp("processed")
    build(ROOT / "data" / "raw", out, progress=False)
    return analysis.load_tables(out)


def test_unknown_entity_names_the_closest(tables):
    with pytest.raises(ParameterError) as caught:
        analysis.select_report(tables.documents, entity="杨浦")
    assert "杨浦区" in caught.value.closest
    assert "Closest: 杨浦区" in str(caught.value)


def test_year_without_report_lists_the_years_there_are(tables):
    with pytest.raises(ParameterError) as caught:
        analysis.select_report(tables.documents, entity="嘉兴市", year=2019)
    assert caught.value.closest == ["2021", "2022", "2023"]


def test_latest_report_by_default(tables):
    assert analysis.select_report(tables.documents, entity="司法部")["report_year"] == 2023


def test_peers_are_reports_of_the_same_kind(tables):
    # a whole report's peers are whole reports: 永乐镇 (芮城县, no other report there) gets the
    # other three whole seed towns, and the 18 town pages of the catalog (full_text=no) are
    # left out and counted
    report = analysis.select_report(tables.documents, entity="永乐镇")
    peers, how = analysis.peers_of(tables.documents, report)
    assert set(peers["entity"]) == {"周庄镇", "西大沟镇", "那吾镇"}
    assert how == "同一层级（镇），不含 18 份网页摘录"


def test_regression_a_page_excerpt_was_measured_against_whole_reports(tables):
    # 关坝镇 is a page excerpt (catalog: full_text=no); so are 金桥镇 and 黑山镇 under 綦江区.
    # Its part shares, measures and words were compared with the four whole seed towns.
    report = analysis.select_report(tables.documents, entity="关坝镇")
    peers, how = analysis.peers_of(tables.documents, report)
    assert set(peers["entity"]) == {"金桥镇", "黑山镇"}
    assert how == "同一上级（綦江区），均为网页摘录"


def test_the_excerpt_rule_agrees_with_the_catalogs_hand_labels(tables):
    import pandas as pd

    catalog = pd.read_csv(ROOT / "data" / "raw" / "corpus" / "catalog.csv")
    files = tables.documents["source_path"].str.split("/").str[-1]
    labelled = dict(zip(catalog["file"], catalog["full_text"] == "no", strict=True))
    for file, excerpt in zip(files, tables.documents["is_excerpt"], strict=True):
        assert excerpt == labelled.get(file, False), file  # the seeds are whole reports


def test_select_documents_by_parent_and_unknown_parent(tables):
    chosen = analysis.select_documents(tables.documents, parent="海丰县")
    assert len(chosen) == 3
    with pytest.raises(ParameterError, match="Closest: 海丰县"):
        analysis.select_documents(tables.documents, parent="海丰")


def test_part_profile_of_a_full_report(tables):
    report = analysis.select_report(tables.documents, entity="永乐镇")
    profile = analysis.part_profile(tables.sections, report["doc_id"])
    assert profile["present"].all()  # 永乐镇's report has all five parts (outline score 100)
    assert profile["share"].sum() <= 1
    assert profile["position"].tolist() == [1, 2, 3, 4, 5]


def test_changes_since_the_previous_report(tables):
    documents = tables.documents
    report = analysis.select_report(documents, entity="司法部", year=2023)
    previous = analysis.previous_report(documents, report)
    assert previous["report_year"] == 2022
    changes = analysis.changes_since(tables, report, previous)
    counts = tables.counts()
    before = set(counts.loc[counts["doc_id"] == previous["doc_id"], "term"])
    now = set(counts.loc[counts["doc_id"] == report["doc_id"], "term"])
    assert set(changes["new_words"]["term"]) <= now - before
    assert set(changes["dropped_words"]["term"]) <= before - now
    measures = changes["indicators"]
    assert list(measures.columns) == ["measure", "name", "is_rate", "2022", "2023", "change"]
    both = measures.dropna(subset=["2022", "2023"])
    assert (both["change"] == both["2023"] - both["2022"]).all()
    # one value per measure (as a count, as a rate) and year, never summed
    assert not measures.duplicated(["measure", "is_rate"]).any()
    assert (
        analysis.previous_report(documents, analysis.select_report(documents, entity="永乐镇"))
        is None
    )


def test_distinctive_words_leave_out_the_towns_own_name(tables):
    report = analysis.select_report(tables.documents, entity="黑山镇")
    peers, _ = analysis.peers_of(tables.documents, report)
    words = analysis.distinctive_words(tables.counts(), report, peers, n=50, min_count=1)
    assert not any(term in "黑山镇" for term in words["term"])
    assert (words["statistic"] > 0).all()


def test_data_dir_is_found_from_a_subfolder(tmp_path, monkeypatch):
    build(ROOT / "data" / "raw" / "seeds", tmp_path / "data" / "processed", progress=False)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    assert analysis.find_data_dir("data/processed") == (tmp_path / "data" / "processed").resolve()
    assert len(analysis.load_tables().documents) == 5


def test_inputs_are_not_changed(tables):
    before = tables.documents.copy()
    analysis.select_documents(tables.documents, years=[2023])
    analysis.peers_of(tables.documents, tables.documents.iloc[0])
    pd.testing.assert_frame_equal(tables.documents, before)


# --- the briefing layer's views (issue 15) --------------------------------------------------


def test_regression_cross_town_comparison_mixed_page_excerpts_with_whole_reports(tables):
    # 03 with the default selection put 18 page excerpts beside the 4 whole town reports
    towns = analysis.select_documents(tables.documents, levels=["镇"])
    chosen, note = analysis.comparable(towns)
    assert set(chosen["entity"]) == {"永乐镇", "周庄镇", "西大沟镇", "那吾镇"}  # seeds/README.md
    assert note == "只比较完整报告，不含 18 份网页摘录"  # 镇: 22 reports, 18 of them excerpts
    excerpts, note = analysis.comparable(towns[towns["is_excerpt"]])
    assert len(excerpts) == 18 and "都是网页摘录" in note


def test_regression_trend_lines_joined_across_missing_years():
    trends = pd.DataFrame(
        {
            "entity": ["甲镇", "甲镇", "乙镇", "乙镇"],
            "report_year": [2021, 2024, 2022, 2023],
            "term": ["普法"] * 4,
            "rate_per_10k": [2.0, 4.0, 1.0, 1.5],
            "n_reports": [1, 2, 1, 1],
        }
    )
    lines = analysis.trend_lines(trends, by="entity")
    first = lines[lines["entity"] == "甲镇"].sort_values("report_year")
    assert first["report_year"].tolist() == [2021, 2022, 2023, 2024]
    assert first["rate_per_10k"].isna().tolist() == [False, True, True, False]
    assert len(lines[lines["entity"] == "乙镇"]) == 2  # no gap, nothing added


def test_regression_keyword_trends_put_a_ministry_a_province_and_a_street_office_on_one_axis(
    tables,
):
    chosen, kind, level = analysis.trend_documents(tables.documents, by="entity", min_years=2)
    assert chosen["level"].nunique() == 1, chosen["level"].unique()
    # sample: 友谊路街道 (街道) and 司法部 (部门) each give one 3–4-year series; 街道 has more
    # reports (16 against 7), so it is the default; no whole report spans two years
    assert set(chosen["entity"]) >= {"友谊路街道"} and level == "只比较街道一级"
    assert chosen["is_excerpt"].all() and "网页摘录" in kind
    ministry, _, _ = analysis.trend_documents(tables.documents, level="部门")
    assert set(ministry["level"]) == {"部门"}
    with pytest.raises(ParameterError, match="level"):
        analysis.trend_documents(tables.documents, level="乡镇")


def test_keyness_by_group_keeps_only_significant_words_and_no_place_names():
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "entity": ["黑山镇", "关坝镇", "关坝镇"],
            "parent": ["綦江区"] * 3,
        }
    )
    counts = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "a", "b", "b", "c", "c", "b"],
            "term": [
                "枫桥经验",
                "黑山",
                "学习",
                "綦江",
                "普法",
                "学习",
                "普法",
                "学习",
                "枫桥经验",
            ],
            "count": [30, 25, 40, 20, 30, 40, 30, 40, 1],
        }
    )
    found = analysis.keyness_by_group(counts, documents, by="entity")
    # 枫桥经验 30 against 1 passes G² ≥ 10.83; 学习 (used alike) never does; 黑山 and 綦江
    # are the towns' own place names
    assert found.loc[found["group"] == "黑山镇", "term"].tolist() == ["枫桥经验"]
    assert "学习" not in set(found["term"]) and not {"黑山", "綦江"} & set(found["term"])
    assert (found["statistic"] >= 10.83).all()
    assert analysis.keyness_by_group(counts, documents.iloc[:1], by="entity").empty


def test_regression_the_only_copying_found_was_the_mandated_third_heading():
    heading = "三、2023年度党政主要负责人履行推进法治建设第一责任人职责,加强法治政府建设的有关情况"
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "entity": ["永乐镇", "周庄镇"],
            "report_year": [2023, 2023],
            "text": [heading + "甲" * 100, heading + "乙" * 100],
        }
    )
    reuse = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "other_doc_id": ["b", "a"],
            "start": [0, 0],
            "end": [len(heading)] * 2,
            "other_start": [0, 0],
            "other_end": [len(heading)] * 2,
            "n_chars": [len(heading)] * 2,
            "text": [heading] * 2,
            "relation": ["other"] * 2,
            "n_documents": [2, 2],
        }
    )
    assert analysis.copied_passages(reuse, n_reports=69).empty
    matrix = analysis.reuse_matrix(reuse, documents, n_reports=69)
    assert (matrix.to_numpy() == 0).all()
    assert matrix.index.tolist() == ["永乐镇 · 2023 年", "周庄镇 · 2023 年"]
    assert "共有段落" in analysis.side_by_side(reuse.iloc[:0], documents)


def test_measure_grid_never_sums_a_rate_and_counts_the_reports_behind_each_cell():
    from reportlib import extract_indicators, indicator_table

    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "level": ["镇"] * 3,
            "report_year": [2023] * 3,
            "text": ["调解成功率98%。", "调解成功率96%。", "受理行政复议案件2,500件。"],
        }
    )
    table = indicator_table(extract_indicators(documents), documents, by=("level", "report_year"))
    grid = analysis.measure_grid(table, by="level")
    cells = dict(zip(grid.index.get_level_values(0), grid.iloc[:, 0], strict=True))
    assert cells["调解成功率（%）"] == "97% · 2/3 份"  # the mean, never 194%
    assert cells["行政复议案件"] == "2,500 · 1/3 份"
    assert grid.columns.tolist() == ["2023 年"]


def test_describe_problem_tells_every_kind_the_sample_build_writes(tables):
    described = [
        analysis.describe_problem(stage, message)
        for stage, message in zip(tables.problems["stage"], tables.problems["message"], strict=True)
    ]
    assert described and not any("其他问题" in text for text in described)
    assert all(re.search("[\u4e00-\u9fff]", text) for text in described)


def test_report_by_doc_id_when_the_page_names_no_entity(tables):
    nameless = tables.documents[tables.documents["entity"] == ""]
    assert len(nameless) == 1  # the sample's one report without an entity (catalog.csv: d065)
    report = analysis.select_report(tables.documents, doc_id=nameless["doc_id"].iloc[0])
    assert report["title"] == nameless["title"].iloc[0]
    assert analysis.previous_report(tables.documents, report) is None
    with pytest.raises(ParameterError, match="doc_id"):
        analysis.select_report(tables.documents, doc_id="d06")


def test_regression_a_peers_place_name_was_shown_as_a_distinctive_word():
    # a town report that names its neighbour often: the neighbour's name is a peer's name,
    # no word of the report's own (issue 15: "the report's own and its peers' place names")
    counts = pd.DataFrame(
        {
            "doc_id": ["a", "a", "a", "b", "b"],
            "term": ["古魏", "枫桥经验", "普法", "普法", "枫桥经验"],
            "count": [25, 30, 10, 40, 1],
        }
    )
    report = pd.Series({"doc_id": "a", "entity": "风陵渡镇", "parent": "芮城县"})
    peers = pd.DataFrame({"doc_id": ["b"], "entity": ["古魏镇"], "parent": ["芮城县"]})
    assert analysis.distinctive_words(counts, report, peers)["term"].tolist() == ["枫桥经验"]


def test_closest_values_are_ranked_by_similarity(tables):
    with pytest.raises(ParameterError) as caught:
        analysis.select_report(tables.documents, entity="友谊街道")
    assert caught.value.closest[0] == "友谊路街道"
