"""CJK font set-up, word clouds and captions."""

from __future__ import annotations

import warnings

import matplotlib
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from reportlib import plotting


def _draw_chinese() -> None:
    figure, axis = plt.subplots()
    axis.plot([-2, 3], [1, -4])  # negative ticks: the minus sign must render too
    axis.set_title("法治政府建设年度报告：矛盾纠纷化解率")
    axis.set_xlabel("年份")
    figure.canvas.draw()
    plt.close(figure)


def test_font_file_exists_and_has_chinese_glyphs():
    from matplotlib.ft2font import FT2Font

    path = plotting.cjk_font_path()
    font = FT2Font(str(path))
    assert all(font.get_char_index(ord(character)) for character in "法治政府建设年度报告")


def test_no_missing_glyph_warning_after_set_theme():
    plotting.set_theme(style="whitegrid")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font(s)" is a UserWarning
        _draw_chinese()
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_seaborn_theme_then_font_still_renders_chinese():
    import seaborn

    seaborn.set_theme()  # resets the font list to one without Chinese glyphs
    family = plotting.use_cjk_font()
    assert matplotlib.rcParams["font.sans-serif"][0] == family
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _draw_chinese()


def test_use_cjk_font_is_idempotent():
    first = list(matplotlib.rcParams["font.sans-serif"])
    plotting.use_cjk_font()
    plotting.use_cjk_font()
    assert matplotlib.rcParams["font.sans-serif"].count(first[0]) == 1


def test_word_cloud_draws_the_suite_counts_in_the_cjk_font():
    counts = pd.Series({"枫桥经验": 9, "合法性审查": 5, "行政复议": 3, "零": 0})
    cloud = plotting.word_cloud(counts, width=300, height=150)
    words = [word for (word, _), *_ in cloud.layout_]
    assert set(words) == {"枫桥经验", "合法性审查", "行政复议"}  # zero weights left out
    assert cloud.font_path == str(plotting.cjk_font_path())
    with pytest.raises(ValueError):
        plotting.word_cloud({"空": 0})


def test_caption_counts_reports_and_years():
    documents = pd.DataFrame({"doc_id": ["a", "b"], "report_year": [2022, None]})
    assert plotting.caption(documents) == "2 份报告，2022 年"
    assert plotting.caption(documents.iloc[1:]) == "1 份报告，年份不详"
