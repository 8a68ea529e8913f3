"""Keyword counts, trends and top terms on a small hand-made corpus (numbers worked by hand)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reportlib import count_keywords, keyword_trends, split_sections, tokenize, top_terms


@pytest.fixture(scope="module")
def documents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": ["a", "b", "c"],
            "entity": ["甲镇", "甲镇", "丙镇"],
            "parent": ["乙县", "乙县", "乙县"],
            "level": ["乡镇", "乡镇", "乡镇"],
            "report_year": [2022, 2023, 2023],
            # a: 17 characters, 枫桥经验 twice (once inside 新时代枫桥经验); b: 5; c: 7
            "text": ["推广枫桥经验，坚持新时代枫桥经验。", "枫桥经验。", "开展法治宣传。"],
        }
    )


@pytest.fixture(scope="module")
def tokens(documents) -> pd.DataFrame:
    return tokenize(documents)


def _row(table: pd.DataFrame, **where) -> pd.Series:
    mask = pd.Series(True, index=table.index)
    for column, value in where.items():
        mask &= table[column] == value
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


def test_keyword_counts_per_document_with_rates_and_zeros(tokens, documents):
    counts = count_keywords(tokens, documents, keywords=["枫桥经验", "法治宣传"])
    assert len(counts) == 6  # 3 documents × 2 keywords, zeros included
    a = _row(counts, doc_id="a", term="枫桥经验")
    assert (a["count"], a["n_chars"], a["n_documents"], a["n_documents_with"]) == (2, 17, 1, 1)
    assert a["rate_per_10k"] == pytest.approx(2 / 17 * 10_000)  # 1176.47
    assert a["entity"] == "甲镇" and a["report_year"] == 2022  # metadata carried with doc_id
    c = _row(counts, doc_id="c", term="枫桥经验")
    assert (c["count"], c["rate_per_10k"], c["n_documents_with"]) == (0, 0.0, 0)
    assert _row(counts, doc_id="c", term="法治宣传")["rate_per_10k"] == pytest.approx(
        1428.571, rel=1e-5
    )


def test_token_matching_counts_whole_tokens_only(tokens, documents):
    counts = count_keywords(tokens, documents, keywords=["枫桥经验"], match="token")
    # 新时代枫桥经验 is one lexicon token, so only the standalone 枫桥经验 of a counts
    assert _row(counts, doc_id="a")["count"] == 1


def test_grouping_by_entity_sums_counts_and_characters(tokens, documents):
    counts = count_keywords(tokens, documents, keywords=["枫桥经验"], by=("entity",))
    town = _row(counts, entity="甲镇")
    assert (town["count"], town["n_chars"], town["n_documents"], town["n_documents_with"]) == (
        3,
        22,
        2,
        2,
    )
    other = _row(counts, entity="丙镇")
    assert (other["count"], other["n_chars"], other["n_documents"]) == (0, 7, 1)


def test_all_terms_without_keywords_leave_out_stop_words(tokens, documents):
    counts = count_keywords(tokens, documents)
    a = counts[counts["doc_id"] == "a"].set_index("term")["count"].to_dict()
    assert a["枫桥经验"] == 1 and a["新时代枫桥经验"] == 1
    assert "坚持" not in a  # a generic verb of the stop-word list
    assert (counts["count"] > 0).all()  # only terms present are listed


def test_counts_per_part_from_the_sections_table():
    documents = pd.DataFrame(
        {
            "doc_id": ["a"],
            "text": [
                "一、主要举措和成效\n推广枫桥经验。\n二、存在的不足\n枫桥经验运用不够。\n"
                "三、下一年度工作安排\n深化枫桥经验。"
            ],
        }
    )
    sections = split_sections(documents)
    counts = count_keywords(
        tokenize(sections), sections, keywords=["枫桥经验"], by=("doc_id", "part")
    )
    assert counts.set_index("part")["count"].to_dict() == {
        "achievements": 1,
        "next_year": 1,
        "shortcomings": 1,
    }
    assert counts["n_chars"].sum() == len(documents["text"][0])


def test_unknown_grouping_column_names_the_available_ones(tokens, documents):
    with pytest.raises(KeyError, match="report_year"):
        count_keywords(tokens, documents, keywords=["枫桥经验"], by=("province",))


def test_trends_from_document_counts(tokens, documents):
    counts = count_keywords(tokens, documents, keywords=["枫桥经验"])
    by_year = keyword_trends(counts, by=("report_year",))
    # 2022: a only, 2/17; 2023: b (1 in 5 characters) and c (0 in 7) → 1/12
    assert by_year["count"].tolist() == [2, 1]
    assert by_year["n_chars"].tolist() == [17, 12]
    assert by_year["n_reports"].tolist() == [1, 2]
    assert by_year["n_reports_with"].tolist() == [1, 1]
    assert by_year["rate_per_10k"].tolist() == pytest.approx([2 / 17 * 1e4, 1 / 12 * 1e4])
    series = keyword_trends(counts)  # default: entity × report_year
    assert len(series) == 3
    assert _row(series, entity="丙镇", report_year=2023)["rate_per_10k"] == 0


def test_trends_from_sparse_counts_keep_every_report_in_the_denominator(tokens, documents):
    counts = count_keywords(tokens, documents)  # all terms, only those present
    by_year = keyword_trends(counts, by=("report_year",), keywords=["枫桥经验"])
    # b holds 枫桥经验 once; c does not, yet its 7 characters count in 2023's denominator
    assert _row(by_year, report_year=2023)["n_chars"] == 12
    assert _row(by_year, report_year=2023)["n_reports"] == 2


def test_trends_need_the_grouping_columns():
    counts = pd.DataFrame({"term": ["x"], "count": [1], "n_chars": [10]})
    with pytest.raises(KeyError, match="entity"):
        keyword_trends(counts)


def test_top_terms_use_the_corpus_idf():
    documents = pd.DataFrame(
        {
            "doc_id": ["x", "y"],
            "text": ["法治宣传，枫桥经验，枫桥经验。", "法治宣传，营商环境，营商环境。"],
        }
    )
    table = top_terms(tokenize(documents), n=2, min_count=1)
    x = table[table["doc_id"] == "x"].set_index("term")
    # 枫桥经验: tf 2/3, in 1 of 2 documents → idf ln 2, tf-idf 0.462
    assert x.loc["枫桥经验", "tf_idf"] == pytest.approx(2 / 3 * math.log(2))
    # 法治宣传 is in every document: idf ln(2/2) = 0, so it ranks below
    assert x.loc["法治宣传", "idf"] == 0
    assert x["rank"].to_dict() == {"枫桥经验": 1, "法治宣传": 2}


def test_top_terms_by_a_document_column():
    documents = pd.DataFrame(
        {
            "doc_id": ["x", "y", "z"],
            "entity": ["甲镇", "甲镇", "乙镇"],
            "text": ["枫桥经验。", "枫桥经验。", "营商环境，营商环境。"],
        }
    )
    table = top_terms(tokenize(documents), by=("entity",), documents=documents, n=1)
    assert table.set_index("entity")["term"].to_dict() == {"甲镇": "枫桥经验", "乙镇": "营商环境"}


def test_inputs_are_not_changed(tokens, documents):
    before_tokens, before_documents = tokens.copy(), documents.copy()
    count_keywords(tokens, documents, keywords=["枫桥经验"], by=("entity",))
    top_terms(tokens)
    pd.testing.assert_frame_equal(tokens, before_tokens)
    pd.testing.assert_frame_equal(documents, before_documents)


def test_repeated_doc_ids_are_a_clear_error(tokens, documents):
    # regression: two rows with one doc_id made pandas raise "Reindexing only valid with
    # uniquely valued Index objects"
    doubled = pd.concat([documents, documents.iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="repeated doc_id"):
        count_keywords(tokens, doubled)
