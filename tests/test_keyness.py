"""Keyness against hand-computed 2×2 tables, and collocations on a hand-made text."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from reportlib import collocations, keyness, tokenize

# Target document "a": 枫桥经验 10, 普法 10 (20 tokens); reference "b": 枫桥经验 1, 普法 19 (20).
# For 枫桥经验 the 2×2 table is a = 10, b = 1, c = 10, d = 19; N = 40,
# ad − bc = 190 − 10 = 180, margins (a+b)(c+d)(a+c)(b+d) = 11 · 29 · 20 · 20 = 127,600.
COUNTS = pd.DataFrame(
    {
        "doc_id": ["a", "a", "b", "b"],
        "term": ["枫桥经验", "普法", "枫桥经验", "普法"],
        "count": [10, 10, 1, 19],
    }
)


def _statistic(table: pd.DataFrame, term: str) -> pd.Series:
    return table.set_index("term").loc[term]


def test_chi2_with_yates_correction_by_hand():
    table = keyness(COUNTS, target=["a"])
    # Yates: N (|ad − bc| − N/2)² / margins = 40 · (180 − 20)² / 127,600 = 1,024,000 / 127,600
    assert _statistic(table, "枫桥经验")["statistic"] == pytest.approx(8.02508, abs=1e-4)
    # p = P(chi²₁ > 8.02508) = 2 (1 − Φ(√8.02508 = 2.83286)); normal table: 1 − Φ(2.83) = 0.002327,
    # 1 − Φ(2.84) = 0.002256, interpolated 0.0023068 → p ≈ 0.004614
    assert _statistic(table, "枫桥经验")["p_value"] == pytest.approx(0.004614, abs=2e-5)
    # the other term is under-used in the target by the same table: same size, negative sign
    assert _statistic(table, "普法")["statistic"] == pytest.approx(-8.02508, abs=1e-4)
    assert table["term"].tolist() == ["枫桥经验", "普法"]  # most distinctive of the target first
    assert (_statistic(table, "枫桥经验")[["n_target", "n_reference"]] == [10, 1]).all()


def test_chi2_without_correction_by_hand():
    table = keyness(COUNTS, target=["a"], correction=False)
    # 40 · 180² / 127,600 = 1,296,000 / 127,600
    assert _statistic(table, "枫桥经验")["statistic"] == pytest.approx(10.15674, abs=1e-4)


def test_likelihood_ratio_with_williams_correction_by_hand():
    table = keyness(COUNTS, target=["a"], measure="llr")
    # Expected: E11 = 11·20/40 = 5.5, E12 = 5.5, E21 = 29·20/40 = 14.5, E22 = 14.5.
    # G² = 2 [10 ln(10/5.5) + 1 ln(1/5.5) + 10 ln(10/14.5) + 19 ln(19/14.5)]
    #    = 2 [5.97837 − 1.70475 − 3.71564 + 5.13551] = 11.38698
    # Williams: q = 1 + (40/11 + 40/29 − 1)(40/20 + 40/20 − 1) / (6·40) = 1 + 4.01567·3/240 = 1.05020
    # G²/q = 10.84274
    assert _statistic(table, "枫桥经验")["statistic"] == pytest.approx(10.84274, abs=1e-3)
    plain = keyness(COUNTS, target=["a"], measure="llr", correction=False)
    assert _statistic(plain, "枫桥经验")["statistic"] == pytest.approx(11.38698, abs=1e-3)


def test_yates_never_overshoots_a_tiny_difference():
    # a = b = c = d: no difference at all, so chi² is 0 whatever the correction
    counts = pd.DataFrame(
        {"doc_id": ["a", "a", "b", "b"], "term": ["x", "y", "x", "y"], "count": [3, 3, 3, 3]}
    )
    assert keyness(counts, target=["a"])["statistic"].abs().max() == 0


def test_target_forms_agree():
    by_ids = keyness(COUNTS, target=["a"])
    by_mask = keyness(COUNTS, target=COUNTS["doc_id"] == "a")
    by_array = keyness(COUNTS, target=(COUNTS["doc_id"] == "a").to_numpy())
    by_document_series = keyness(COUNTS, target=pd.Series([True, False], index=["a", "b"]))
    for other in (by_mask, by_array, by_document_series):
        pd.testing.assert_frame_equal(by_ids, other)


def test_explicit_reference_leaves_other_documents_out():
    counts = pd.concat(
        [COUNTS, pd.DataFrame({"doc_id": ["c"], "term": ["枫桥经验"], "count": [100]})],
        ignore_index=True,
    )
    against_b = keyness(counts, target=["a"], reference=["b"])
    pd.testing.assert_frame_equal(against_b, keyness(COUNTS, target=["a"]))


def test_empty_target_is_a_clear_error():
    with pytest.raises(ValueError, match="target selects no document"):
        keyness(COUNTS, target=["zzz"])
    with pytest.raises(ValueError, match="measure"):
        keyness(COUNTS, target=["a"], measure="pmi")


def test_p_values_follow_the_statistic():
    table = keyness(COUNTS, target=["a"])
    assert np.all((table["p_value"] > 0) & (table["p_value"] <= 1))
    assert math.isclose(table["p_value"][0], table["p_value"][1])


def test_collocations_do_not_cross_punctuation_or_documents():
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            # 法治宣传 + 活动 adjacent 3 times; "活动，法治宣传" is broken by the comma, and the
            # end of a and the start of b are not adjacent
            "text": ["法治宣传活动，法治宣传活动，法治宣传活动", "法治宣传营商环境"],
        }
    )
    table = collocations(tokenize(documents), min_count=1)
    pairs = dict(zip(table["collocation"], table["count"], strict=True))
    assert pairs["法治宣传活动"] == 3
    assert "活动法治宣传" not in pairs
    assert pairs["法治宣传营商环境"] == 1
    assert table.loc[table["collocation"] == "法治宣传活动", "words"].iloc[0] == (
        "法治宣传",
        "活动",
    )


def test_collocations_of_three_words():
    documents = pd.DataFrame({"doc_id": ["a"], "text": ["规范行政执法程序，规范行政执法程序"]})
    table = collocations(tokenize(documents), size=3, min_count=2)
    assert table["collocation"].tolist() == ["规范行政执法程序"]
    assert table["count"].tolist() == [2]
