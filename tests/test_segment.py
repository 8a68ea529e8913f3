"""Segmentation: lexicon terms stay whole, rjieba cuts exactly as jieba, no log leaks."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from reportlib import read_reports
from reportlib.segment import _Segmenter, is_stopword, policy_lexicon, segment

RAW = Path(__file__).parent.parent / "data" / "raw" / "seeds"
CORPUS = Path(__file__).parent.parent / "data" / "raw" / "corpus"


@pytest.fixture(scope="module")
def seed_texts() -> list[str]:
    return read_reports(RAW)["text"].tolist()


@pytest.fixture(scope="module")
def jieba_segmenter():
    # the fallback path of reportlib.segment: jieba itself with the same lexicon and rules
    saved = sys.modules.get("rjieba")
    sys.modules["rjieba"] = None  # makes "import rjieba" raise ImportError
    try:
        segmenter = _Segmenter(())
    finally:
        if saved is None:
            del sys.modules["rjieba"]
        else:
            sys.modules["rjieba"] = saved
    assert segmenter.name == "jieba"
    return segmenter


def test_rjieba_cuts_the_seeds_exactly_as_jieba(seed_texts, jieba_segmenter):
    # Same dictionary, same lexicon, HMM off: the fast backend must be a drop-in for jieba.
    for text in seed_texts:
        assert segment(text) == jieba_segmenter.cut(text)


def test_jieba_fallback_keeps_the_lexicon_too(jieba_segmenter):
    assert "新时代枫桥经验" in jieba_segmenter.cut("坚持和发展新时代枫桥经验")


def test_lexicon_terms_stay_whole_on_the_seeds_and_corpus(seed_texts):
    texts = seed_texts + read_reports(CORPUS)["text"].tolist()
    terms = [term for term, _ in policy_lexicon()]
    occurrences = split = 0
    for text in texts:
        cuts = set()
        position = 0
        for token in segment(text):
            position += len(token)
            cuts.add(position)
        spans = [(m.start(), m.end()) for term in terms for m in re.finditer(re.escape(term), text)]
        for start, end in spans:
            occurrences += 1
            if not any(cut in cuts for cut in range(start + 1, end)):
                continue
            # two lexicon terms that overlap (全民普法 / 普法宣传教育) cannot both stay whole
            crossing = any(
                s < end
                and start < e
                and not (s <= start and end <= e)
                and not (start <= s and e <= end)
                for s, e in spans
            )
            split += not crossing
    assert occurrences > 1000  # the lexicon is about this genre: its terms are everywhere
    assert split == 0


def test_named_terms_of_the_issue_are_single_tokens():
    for term in (
        "习近平法治思想",
        "谁执法谁普法",
        "三重一大",
        "一网通办",
        "最多跑一次",
        "法律明白人",
    ):
        assert term in segment(f"深入推进{term}工作")


def test_segment_keeps_every_character():
    text = "2023年，全镇发放宣传资料1.6万册 (PM2.5) 打印本页\n关闭窗口"
    assert "".join(segment(text)) == text


def test_extra_terms_are_kept_whole():
    assert "枫溪调解法" not in segment("推行枫溪调解法")
    assert "枫溪调解法" in segment("推行枫溪调解法", extra_terms=["枫溪调解法"])


def test_stopwords_numbers_and_single_characters_are_flagged():
    assert is_stopword("进一步") and is_stopword("切实") and is_stopword("的")
    assert is_stopword("2023") and is_stopword("三十二") and is_stopword("镇")
    assert not is_stopword("枫桥经验") and not is_stopword("行政复议")
    assert is_stopword("某某", extra=["某某"])


def test_no_log_or_warning_reaches_stderr():
    # jieba prints "Building prefix dict…" to stderr and its import warns; neither may leak into
    # a notebook or an HTML briefing, whichever backend runs.
    code = (
        "import sys; sys.modules['rjieba'] = None\n"
        "import warnings; warnings.simplefilter('default')\n"
        "from reportlib.segment import segment, backend_name\n"
        "assert backend_name() == 'jieba'\n"
        "print(segment('推进法治政府建设'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert "法治政府建设" in done.stdout
    assert done.stderr == ""
