"""Tokens table: offsets, positions, sections, stop words, and reuse in the build."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from reportlib import read_reports, split_sections, tokenize
from reportlib.tokens import TOKEN_COLUMNS

RAW = Path(__file__).parent.parent / "data" / "raw" / "seeds"


@pytest.fixture(scope="module")
def documents() -> pd.DataFrame:
    return read_reports(RAW)


def test_tokens_point_back_into_the_text(documents):
    tokens = tokenize(documents)
    texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    assert list(tokens.columns) == TOKEN_COLUMNS
    assert len(tokens) > 5000
    for row in tokens.sample(2000, random_state=0).itertuples():
        assert texts[row.doc_id][row.start : row.start + len(row.token)] == row.token


def test_punctuation_and_spaces_are_dropped_but_leave_a_gap_in_positions():
    documents = pd.DataFrame({"doc_id": ["a"], "text": ["化解纠纷，调解 成功。"]})
    tokens = tokenize(documents)
    assert tokens["token"].tolist() == ["化解", "纠纷", "调解", "成功"]
    # 化解 0, 纠纷 1, "，" 2 dropped, 调解 3, " " 4 dropped, 成功 5
    assert tokens["position"].tolist() == [0, 1, 3, 5]
    assert tokens["start"].tolist() == [0, 2, 5, 8]


def test_sections_give_each_token_its_section_and_document_offsets(documents):
    sections = split_sections(documents)
    tokens = tokenize(sections)
    spans = sections[["section_id", "start", "end"]].rename(columns={"start": "start_section"})
    joined = tokens.merge(spans, on="section_id", how="left")
    assert tokens["section_id"].notna().all()
    assert ((joined["start"] >= joined["start_section"]) & (joined["start"] < joined["end"])).all()
    texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    for row in tokens.sample(1000, random_state=1).itertuples():
        assert texts[row.doc_id][row.start : row.start + len(row.token)] == row.token
    # positions run on across the sections of a document
    assert tokens.groupby("doc_id")["position"].apply(lambda p: p.is_monotonic_increasing).all()


def test_stop_words_numbers_and_single_characters_are_flagged_not_dropped():
    documents = pd.DataFrame({"doc_id": ["a"], "text": ["进一步推广新时代枫桥经验12次"]})
    tokens = tokenize(documents).set_index("token")["is_stopword"].to_dict()
    assert tokens["进一步"] and tokens["12"] and tokens["次"]
    assert not tokens["新时代枫桥经验"]


def test_extra_stopwords_and_terms():
    documents = pd.DataFrame({"doc_id": ["a"], "text": ["推行枫溪调解法"]})
    tokens = tokenize(documents, extra_terms=["枫溪调解法"], extra_stopwords=["推行"])
    assert tokens["token"].tolist() == ["推行", "枫溪调解法"]
    assert tokens["is_stopword"].tolist() == [True, False]


def test_empty_and_missing_texts_give_no_rows():
    documents = pd.DataFrame({"doc_id": ["a", "b"], "text": ["", None]})
    tokens = tokenize(documents)
    assert len(tokens) == 0 and list(tokens.columns) == TOKEN_COLUMNS


def test_input_is_not_changed(documents):
    before = documents.copy()
    tokenize(documents)
    pd.testing.assert_frame_equal(documents, before)


def test_build_writes_tokens_and_never_cuts_an_unchanged_report_twice(tmp_path, monkeypatch):
    import shutil

    from reportlib import build, results

    shutil.copytree(RAW, tmp_path / "raw")
    first = build(tmp_path / "raw", tmp_path / "out", progress=False)
    stored = pd.read_parquet(tmp_path / "out" / "tokens.parquet")
    assert len(stored) == len(first.tokens) > 5000
    assert stored["section_id"].notna().all()
    cut = []
    original = results.tokens_module.tokenize_arrow

    def recording(frame, **options):
        cut.extend(frame["doc_id"].unique())
        return original(frame, **options)

    monkeypatch.setattr(results.tokens_module, "tokenize_arrow", recording)
    # change one report: only that one is segmented again (workers=0: in this process,
    # where the patch applies)
    changed = sorted((tmp_path / "raw").glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增一段。", encoding="utf-8")
    second = build(tmp_path / "raw", tmp_path / "out", progress=False, workers=0)
    assert len(set(cut)) == 1
    assert second.tokens["doc_id"].nunique() == 5
    unchanged = first.tokens[first.tokens["doc_id"] != changed.stem].reset_index(drop=True)
    again = second.tokens[second.tokens["doc_id"] != changed.stem].reset_index(drop=True)
    # categories (the dictionary of words) may be ordered differently; the values may not
    pd.testing.assert_frame_equal(unchanged, again, check_dtype=False, check_categorical=False)
    # the patched table is exactly what a cold build of the same files writes
    cold = build(tmp_path / "raw", tmp_path / "cold", progress=False)
    pd.testing.assert_frame_equal(second.tokens, cold.tokens, check_categorical=False)
