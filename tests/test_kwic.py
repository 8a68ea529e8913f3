"""Keywords in context: windows at document edges, several patterns, sections."""

from __future__ import annotations

import pandas as pd
import pytest

from reportlib import kwic, split_sections

DOCUMENTS = pd.DataFrame(
    {"doc_id": ["a", "b"], "text": ["枫桥经验在基层，推广新时代枫桥经验", "没有这个词"]}
)


def test_windows_are_cut_at_the_document_edges():
    table = kwic(DOCUMENTS, "枫桥经验", window=3)
    assert table[["doc_id", "start", "end"]].values.tolist() == [["a", 0, 4], ["a", 13, 17]]
    # first match: nothing before it; last match: nothing after it
    assert table["pre"].tolist() == ["", "新时代"]
    assert table["post"].tolist() == ["在基层", ""]
    assert (table["match"] == "枫桥经验").all()


def test_a_wide_window_takes_what_there_is():
    table = kwic(DOCUMENTS, "基层", window=100)
    assert table["pre"].tolist() == ["枫桥经验在"]
    assert table["post"].tolist() == ["，推广新时代枫桥经验"]


def test_several_patterns_longest_first_and_literal():
    table = kwic(DOCUMENTS, ["枫桥经验", "新时代枫桥经验", "基层"], window=0)
    assert table["match"].tolist() == ["枫桥经验", "基层", "新时代枫桥经验"]
    # literal by default: a dot is a dot
    assert kwic(DOCUMENTS, "枫.经验").empty
    assert len(kwic(DOCUMENTS, "枫.经验", regex=True)) == 2


def test_line_breaks_in_the_context_show_as_spaces():
    documents = pd.DataFrame({"doc_id": ["a"], "text": ["一、主要举措\n  推广枫桥经验\n二、不足"]})
    row = kwic(documents, "枫桥经验", window=8).iloc[0]
    # the window counts characters as written: 要举措 + newline + two spaces + 推广 = 8
    assert row["pre"] == "要举措 推广" and row["post"] == " 二、不足"


def test_matches_carry_their_section():
    documents = pd.DataFrame(
        {
            "doc_id": ["a"],
            "text": ["一、主要举措和成效\n推广枫桥经验。\n二、存在的不足\n枫桥经验运用不够。"],
        }
    )
    sections = split_sections(documents)
    table = kwic(documents, "枫桥经验", sections=sections)
    parts = table["section_id"].map(sections.set_index("section_id")["part"])
    assert parts.tolist() == ["achievements", "shortcomings"]
    assert kwic(documents, "枫桥经验")["section_id"].isna().all()


def test_bad_patterns_are_clear_errors():
    with pytest.raises(ValueError, match="non-empty"):
        kwic(DOCUMENTS, "")
    with pytest.raises(ValueError, match="regular expression"):
        kwic(DOCUMENTS, "(", regex=True)
