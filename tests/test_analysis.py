"""Selections, peers and changes that the notebooks display, on the built-in sample."""

from __future__ import annotations

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


def test_peers_are_whole_reports_and_page_excerpts_are_left_out(tables):
    report = analysis.select_report(tables.documents, entity="关坝镇")
    peers, how = analysis.peers_of(tables.documents, report)
    # the catalog puts 金桥镇 and 黑山镇 under 綦江区 with 关坝镇, but both are page excerpts
    # (full_text=no); the whole town reports are the four seed towns, and 17 other town
    # pages of the catalog are excerpts
    assert set(peers["entity"]) == {"永乐镇", "周庄镇", "西大沟镇", "那吾镇"}
    assert how == "同一层级（镇），不含 17 份网页摘录"


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
