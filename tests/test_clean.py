import re

import pytest

from reportlib import clean
from tests.conftest import CORPUS, RAW

SENTENCE_END = re.compile(r"(?<=[。！？；])")
# Seed 004 carries an injected spam phrase inside a quoted title; cleaning removes exactly it,
# so the expected sentence is the original minus that phrase (checked by hand).
SPAM = {"004_8c642f3c1dbf128b.txt": ["三升体育平台"]}


HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|\d+[.、．])")


def _body_sentences(raw: str) -> list[str]:
    """Report content, defined independently of the cleaner: every sentence that ends in
    。！？； and every numbered heading line, with at least eight Chinese characters. Page
    chrome (menus, metadata grids, print/close widgets) never ends a sentence that way."""
    text = clean.normalize_whitespace(clean.normalize_width(raw))
    sentences = []
    for line in text.split("\n"):
        pieces = SENTENCE_END.split(line)
        for piece in pieces:
            piece = piece.strip()
            complete = piece.endswith(("。", "！", "？", "；")) or HEADING.match(line)
            if complete and len(re.findall(f"[{clean.CJK}]", piece)) >= 8:
                sentences.append(piece)
    return sentences


@pytest.mark.parametrize("name", sorted(p.name for p in RAW.glob("*.txt")))
def test_every_seed_sentence_survives_cleaning(name):
    raw = (RAW / name).read_text(encoding="utf-8")
    cleaned = clean.clean_text(raw)
    sentences = _body_sentences(raw)
    assert len(sentences) > 20
    for sentence in sentences:
        for phrase in SPAM.get(name, []):
            sentence = sentence.replace(phrase, "")
        sentence = clean.remove_watermarks(sentence)
        assert sentence in cleaned, f"{name}: lost {sentence[:40]!r}"


@pytest.mark.parametrize("path", sorted(CORPUS.glob("d*.txt")), ids=lambda p: p.name)
def test_corpus_prose_survives_cleaning(path):
    raw = path.read_text(encoding="utf-8")
    cleaned = clean.clean_text(raw)
    for sentence in _body_sentences(raw):
        sentence = clean.to_simplified(sentence) if clean.is_traditional(raw) else sentence
        if clean.is_prose(sentence) and "位置" not in sentence:
            assert clean.normalize_whitespace(sentence) in cleaned


def test_seed_000_page_chrome_is_removed():
    cleaned = clean.clean_text((RAW / "000_aaf925eb580b3263.txt").read_text(encoding="utf-8"))
    for chrome in (
        "无障碍浏览",
        "登录",
        "注册",
        "网站支持IPv6",
        "打印本页",
        "关闭窗口",
        "浏览次数",
        "字体大小",
    ):
        assert chrome not in cleaned
    assert cleaned.startswith("永乐镇人民政府\n2023年度法治政府建设工作报告")


def test_seed_003_docx_bookmark_artefact_is_removed():
    raw = (RAW / "003_29f5b4eb58e63336.txt").read_text(encoding="utf-8")
    assert "[bookmark: _GoBack]" in raw
    assert "bookmark" not in clean.clean_text(raw)


def test_metadata_grid_and_breadcrumb_are_removed():
    cleaned = clean.clean_text((CORPUS / "d020.txt").read_text(encoding="utf-8"))
    for chrome in ("您当前的位置", "索引号", "发布机构", "成文日期", "体裁分类"):
        assert chrome not in cleaned
    assert "重庆市开州区铁桥镇人民政府" in cleaned


def test_voice_widget_and_repeated_dates_are_removed():
    cleaned = clean.clean_text((CORPUS / "d022.txt").read_text(encoding="utf-8"))
    for chrome in ("语音播报", "请耐心等待", "播报模式", "日期:2026-02-09"):
        assert chrome not in cleaned


def test_repeated_watermark_with_url_is_removed_everywhere():
    text = (
        "一是强化组织领导。秘书之家—全网资源每日更新www.mishuzj.com二是规范执法。\n"
        "三是加强普法。某某范文网www.fanwen.example.com四是化解纠纷。"
        "五是依法决策。某某范文网www.fanwen.example.com"
    )
    cleaned = clean.remove_watermarks(text)
    assert "mishuzj" not in cleaned and "fanwen" not in cleaned
    assert "一是强化组织领导。二是规范执法。" in cleaned


def test_a_web_address_quoted_once_is_kept():
    text = "群众可登录www.gov.cn查询办理进度。"
    assert clean.remove_watermarks(text) == text


def test_traditional_page_becomes_simplified_and_glosses_go():
    raw = (CORPUS / "d042.txt").read_text(encoding="utf-8")
    cleaned = clean.clean_text(raw)
    assert "在党中央、国务院及省委的坚强领导下" in cleaned
    assert "(lǐng)" not in cleaned and "规范化" in cleaned


def test_simplified_text_is_not_converted():
    # 乾 and 著 are valid simplified characters that t2s would rewrite in some contexts
    text = "坚持以习近平法治思想为指导,取得显著成效,乾坤朗朗。" * 3
    assert clean.to_simplified(text) == text


def test_full_width_digits_and_letters_become_ascii_but_punctuation_stays():
    assert clean.normalize_width("ＡＢＣ１２３，。（）") == "ABC123，。（）"


def test_signature_and_date_after_last_paragraph_are_kept():
    cleaned = clean.clean_text((RAW / "004_8c642f3c1dbf128b.txt").read_text(encoding="utf-8"))
    assert cleaned.endswith("那吾镇人民政府\n2025年12月9日")


def test_footer_print_close_is_removed_but_signed_date_kept():
    cleaned = clean.clean_text((RAW / "001_51acc513f15262cb.txt").read_text(encoding="utf-8"))
    assert cleaned.endswith("2021年12月31日")


def test_spam_removal_takes_exactly_the_two_character_brand():
    text = "《中共中央三升体育平台全面推进依法治国若干重大问题的决定》"
    assert clean.remove_spam(text) == "《中共中央全面推进依法治国若干重大问题的决定》"
    # no brand before it (start of text): nothing around it is touched
    assert clean.remove_spam("体育平台建设") == "体育平台建设"
    assert clean.remove_spam("依法治国,a体育平台") == "依法治国,a体育平台"
