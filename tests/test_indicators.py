import math

import pandas as pd
import pytest

from reportlib import read_reports
from reportlib.indicators import extract_document_indicators, extract_indicators
from tests.conftest import RAW


def _one(sentence):
    rows = extract_document_indicators(sentence)
    assert len(rows) == 1, rows
    return rows[0]


# The issue's own examples (value, unit, qualifier, subject).
@pytest.mark.parametrize(
    ("sentence", "surface", "value", "unit", "qualifier", "subject"),
    [
        ("开展执法检查60余次。", "60余次", 60, "次", "余", "执法检查"),
        ("发放宣传资料2000余份。", "2000余份", 2000, "份", "余", "宣传资料"),
        ("矛盾纠纷化解率达99%。", "99%", 99, "%", "", "矛盾纠纷化解率"),
        ("追回被拖欠工资1269万元。", "1269万元", 12_690_000, "元", "", "被拖欠工资"),
        ("全乡3名执法人员全部持证上岗。", "3名", 3, "名", "", "执法人员"),
        ("发放宣传手册1.6万册。", "1.6万册", 16000, "册", "", "宣传手册"),
        ("服务群众两万余人次。", "两万余人次", 20000, "人次", "余", "群众"),
        ("挽回经济损失二十余万元。", "二十余万元", 200_000, "元", "余", "经济损失"),
        ("村级法治宣传覆盖率60%以上。", "60%以上", 60, "%", "以上", "村级法治宣传覆盖率"),
        ("调解成功率达百分之八十三点三。", "百分之八十三点三", 83.3, "%", "", "调解成功率"),
        ("接待来访群众近3000人次。", "近3000人次", 3000, "人次", "近", "来访群众"),
        ("全市54个乡镇全部建成公共法律服务工作站。", "54个", 54, "个", "", "乡镇"),
    ],
)
def test_counts_the_issue_lists(sentence, surface, value, unit, qualifier, subject):
    row = _one(sentence)
    assert (row["surface"], row["unit"], row["qualifier"], row["subject"]) == (
        surface,
        unit,
        qualifier,
        subject,
    )
    assert row["value"] == pytest.approx(value)


def test_bounds():
    row = _one("挽回经济损失二十余万元。")
    assert (row["low"], row["high"]) == (200_000, 300_000)  # 二十余万 lies between 20万 and 30万
    row = _one("每次参加人数3至5人。".replace("每次", ""))
    assert (row["value"], row["low"], row["high"]) == (3, 3, 5)
    row = _one("开展培训超过60次。")
    assert row["low"] == 60 and math.isnan(row["high"])


@pytest.mark.parametrize(
    "sentence",
    [
        "2023年,全面完成2024-03-01前的各项工作。",  # years and dates
        "在12.4全国法治宣传日和3月法治宣传月开展活动。",
        "一是加强领导。第一责任人要履行职责。",  # ordinals and list markers
        "深入推进八五普法,严格落实三重一大制度,推行一网通办。",  # slogans
        "增强“四个意识”、坚定“四个自信”、做到“两个维护”,实现五个全覆盖和六个一。",
        "全面落实行政执法三项制度,坚持一岗双责,推进法律七进。",
        "学习贯彻党的二十大和二十届二中全会精神。",
        "按照〔2019〕28号文件和第二十四条规定。",  # document and article numbers
        "实施法治政府建设规划(2021—2025年)。",
        "第二次会议和第72次会议审议了第三批清单。",  # ordinals with a unit
        "每两月1次听取汇报。",  # frequency
        "一年来,连续三年获评先进,第一季度完成任务。",  # time spans
        "构建两级平台,实现三级联动。",  # structures
        "出台一批制度,完成一项工作,开展一系列活动。",  # articles
        "排名全省第一,进入全市前十。",  # rankings
        "PM2.5浓度下降,发出一号司法建议。",  # name parts
        "开通12345热线。",  # hotlines
        "完善六项机制和两张清单。",  # fixed phrases naming a set of rules
        "进一步加强一些薄弱环节,一方面要做好一定的准备。",  # vague words
        "“1310”具体部署和“1+2+9”工作安排。",
    ],
)
def test_not_counts(sentence):
    assert extract_document_indicators(sentence) == []


def test_repeated_paragraph_is_marked_not_dropped():
    # seed 004 repeats a paragraph verbatim ("4.聚焦基层治理痛点…" and "5.聚焦基层治理痛点…")
    documents = read_reports(RAW)
    indicators = extract_indicators(documents[documents["doc_id"] == "004_8c642f3c1dbf128b"])
    repeated = indicators[indicators["is_duplicate"]]
    assert len(repeated) >= 1
    for row in repeated.itertuples():
        original = indicators[(indicators["surface"] == row.surface) & ~indicators["is_duplicate"]]
        assert len(original) >= 1 and original["start"].min() < row.start


def test_offsets_index_the_document_text():
    documents = read_reports(RAW)
    indicators = extract_indicators(documents)
    texts = documents.set_index("doc_id")["text"]
    for row in indicators.itertuples():
        assert texts[row.doc_id][row.start : row.end] == row.surface
    assert indicators["section_id"].notna().all() and indicators["part"].notna().all()


def _golden(name: str = "indicators_golden.csv"):
    import csv
    from pathlib import Path

    path = Path(__file__).parent / "fixtures" / name
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    sentences: dict[str, list[dict]] = {}
    for row in rows:
        sentences.setdefault(row["sentence_id"], []).append(row)
    return sentences


def _score(sentences):
    """(true positives, false positives, false negatives, found with a subject) on (value, unit,
    qualifier), each sentence read as the pipeline sees it (normalised, traditional → simplified)."""
    from collections import Counter

    import opencc

    from reportlib import clean

    simplified = opencc.OpenCC("t2s")  # labels keep 項/個 as written on traditional pages
    true_positive = false_positive = false_negative = with_subject = 0
    for rows in sentences.values():
        sentence = clean.normalize_text(rows[0]["sentence"])
        expected = Counter(
            (round(float(r["value"]), 3), simplified.convert(r["unit"]), r["qualifier"])
            for r in rows
            if r["surface"]
        )
        found = extract_document_indicators(sentence)
        got = Counter((round(g["value"], 3), g["unit"], g["qualifier"]) for g in found)
        common = expected & got
        true_positive += sum(common.values())
        false_positive += sum((got - expected).values())
        false_negative += sum((expected - got).values())
        with_subject += sum(
            1
            for g in found
            if g["subject"] and (round(g["value"], 3), g["unit"], g["qualifier"]) in common
        )
    return true_positive, false_positive, false_negative, with_subject


def test_held_out_sentences_give_no_false_counts():
    """191 further sentences labelled by another hand after the rules were written and never used
    to tune them (tests/fixtures/indicators_heldout.csv): almost all hold numbers that are not
    counts (list markers, years, slogans, ordinals, names), so this measures precision on text
    the extractor had not seen."""
    true_positive, false_positive, false_negative, _ = _score(_golden("indicators_heldout.csv"))
    assert true_positive >= 8 and false_negative <= 1
    assert true_positive / (true_positive + false_positive) >= 0.98


def test_golden_table_precision_recall_and_subjects():
    """261 real sentences from the seeds and the corpus, labelled by hand without the extractor
    (tests/fixtures/indicators_golden.md gives the rules): (value, unit, qualifier) must reach
    98 % precision and recall, and ≥90 % of the found indicators must have a subject."""
    true_positive, false_positive, false_negative, with_subject = _score(_golden())
    precision = true_positive / (true_positive + false_positive)
    recall = true_positive / (true_positive + false_negative)
    assert true_positive >= 290  # the table holds 303 indicators
    assert precision >= 0.98 and recall >= 0.98, (precision, recall)
    assert with_subject / true_positive >= 0.90


def test_build_writes_indicators_and_reuses_them_for_unchanged_reports(tmp_path, monkeypatch):
    import shutil

    from reportlib import build, results

    shutil.copytree(RAW, tmp_path / "raw")
    first = build(tmp_path / "raw", tmp_path / "out", progress=False)
    stored = pd.read_parquet(tmp_path / "out" / "indicators.parquet")
    assert len(stored) == len(first.indicators) > 100
    seen = []
    original = results.indicators_module.extract_indicators
    monkeypatch.setattr(
        results.indicators_module,
        "extract_indicators",
        lambda docs, **kw: seen.append(sorted(docs["doc_id"])) or original(docs, **kw),
    )
    changed = sorted((tmp_path / "raw").glob("*.txt"))[-1]
    changed.write_text(
        changed.read_text(encoding="utf-8") + "\n另:开展普法活动3场。", encoding="utf-8"
    )
    # in this process (workers=0), where the patch applies
    second = build(tmp_path / "raw", tmp_path / "out", progress=False, workers=0)
    assert len(seen) == 1 and len(seen[0]) == 1  # only the changed report is read again
    assert len(second.indicators) == len(first.indicators) + 1


def test_slogan_lookahead_keeps_every_slogan():
    # The lookahead that speeds up the slogan search is derived from slogans.txt; it must not
    # hide a slogan that the plain alternation finds.
    import re

    from reportlib.indicators import _slogan_pattern
    from reportlib.patterns import data_lines, first_characters

    plain = re.compile("|".join(f"(?:{line})" for line in data_lines("slogans.txt")))
    text = "深入开展八五普法,落实三重一大制度和“四个意识”,推进一网通办,召开二十届二中全会精神宣讲12场。"
    assert [m.span() for m in _slogan_pattern().finditer(text)] == [
        m.span() for m in plain.finditer(text)
    ]
    assert len(plain.findall(text)) >= 4
    # a slogan that can start anywhere turns the lookahead off rather than hiding matches
    assert first_characters([".{2}普法"]) is None
    assert first_characters(["[一二]+届"]) == {"一", "二"}


@pytest.mark.parametrize(
    ("name", "least_found"),
    [
        # 200 sentences by a helper who never saw the extractor (indicators_synthetic.md):
        # first contact P 99.3 % / R 98.2 %; 276 indicators
        ("indicators_synthetic.csv", 270),
        # 150 more (provinces, cities, departments, 街道) by a second helper who saw neither the
        # extractor nor the first set (indicators_synthetic2.md): first contact P 97.7 % /
        # R 97.7 %; 219 indicators
        ("indicators_synthetic2.csv", 212),
    ],
)
def test_synthetic_sentences_precision_recall(name, least_found):
    """Written sets: their first-contact misses became the regression tests below, so they are
    no longer unseen; they guard against regressions."""
    true_positive, false_positive, false_negative, with_subject = _score(_golden(name))
    assert true_positive >= least_found
    assert true_positive / (true_positive + false_positive) >= 0.98
    assert true_positive / (true_positive + false_negative) >= 0.98
    assert with_subject / true_positive >= 0.90


def _triples(sentence: str) -> list[tuple[float, str, str]]:
    return [(r["value"], r["unit"], r["qualifier"]) for r in extract_document_indicators(sentence)]


def test_chinese_count_closing_its_clause_needs_no_introducing_word():
    assert _triples("全县共设立两个行政复议服务窗口,配备工作人员八名。") == [
        (2.0, "个", ""),
        (8.0, "名", ""),
    ]
    assert _triples("坚持统一领导，万一发生险情") == []  # glued digits stay words


def test_near_a_hundred_is_a_count_but_a_bare_hundred_is_a_name():
    assert _triples("全年新增人民调解员近百名。") == [(100.0, "名", "近")]
    assert _triples("开展百名法学家百场报告会。") == []


def test_round_the_clock_service_names_are_not_counts():
    assert _triples("设立24小时自助服务区,实现群众办事不打烊。") == []
    assert _triples("参加培训36小时。") == [(36.0, "小时", "")]


def test_compound_vehicle_unit_and_knives():
    assert _triples("检查营运车辆3,650辆次,收缴管制刀具14把。") == [
        (3650.0, "辆次", ""),
        (14.0, "把", ""),
    ]


def test_villages_counted_after_the_unit_are_the_subject():
    # regression: "8个村分别建立了…" had no subject, because one-character nouns were refused
    rows = extract_document_indicators(
        "我镇已建立公共法律服务工作站,8个村分别建立了法律服务微信群。"
    )
    assert [(r["surface"], r["subject"]) for r in rows] == [("8个", "村")]


def test_ceilings_within_and_below_are_qualifiers():
    rows = extract_document_indicators("办理时间压缩至1个工作日以内。")
    assert [(r["value"], r["unit"], r["qualifier"]) for r in rows] == [(1.0, "个工作日", "以内")]
    assert math.isnan(rows[0]["low"]) and rows[0]["high"] == 1.0


def test_per_unit_norms_are_not_counts():
    assert _triples("全县每个村(社区)配备1名法律顾问。") == []
    assert _triples("组建法律顾问团队15个,每个团队由3至5名律师组成。") == [(15.0, "个", "")]


def test_scores_are_counts_but_fractions_minutes_and_words_are_not():
    assert _triples("全市营商环境评价得分92.6分,位居全省前三名。") == [(92.6, "分", "")]
    assert _triples("三分之一的村建成法治广场。") == []
    assert _triples("打造15分钟公共法律服务圈,这项工作十分重要。") == []


def test_written_out_percentage_beats_a_shorter_reading_at_the_same_place():
    # regression: "百分" (百 + the score unit 分) hid "百分之九十五"
    assert _triples("案卷评查优良率达到百分之九十五。") == [(95.0, "%", "")]


def test_compound_and_scientific_units():
    assert _triples("安装自动监控设备1,126台套,PM2.5平均浓度为31微克/立方米。") == [
        (1126.0, "台套", ""),
        (31.0, "微克/立方米", ""),
    ]


def test_sections_given_out_of_order_still_place_each_count():
    # regression guard: the section outline is no longer sorted by pandas; a sections table
    # from elsewhere (here reversed) must give the same section to every count
    import pandas as pd

    from reportlib.sections import split_sections

    text = "一、主要举措和成效\n开展执法检查60余次。\n二、存在的不足和原因\n培训不足3次。\n三、下一年度主要安排\n计划开展培训12场。"
    documents = pd.DataFrame({"doc_id": ["a"], "report_year": [2023], "text": [text]})
    sections = split_sections(documents)
    assert len(sections) >= 3
    reordered = sections.iloc[::-1].reset_index(drop=True)
    in_order = extract_indicators(documents, sections=sections)
    out_of_order = extract_indicators(documents, sections=reordered)
    pd.testing.assert_frame_equal(in_order, out_of_order)
    assert in_order["part"].tolist()[0] == "achievements" and in_order["is_planned"].tolist()[-1]


def test_sentence_and_clause_found_around_a_count_at_the_edges_of_a_text():
    # the marks around a count are searched from it; at the text's start and end there are none
    rows = extract_document_indicators("3名执法人员,全年开展培训12场")
    assert [(r["surface"], r["sentence"], r["subject"]) for r in rows] == [
        ("3名", "3名执法人员,全年开展培训12场", "执法人员"),
        ("12场", "3名执法人员,全年开展培训12场", "培训"),
    ]
    # a long paragraph: the sentence is the one holding the count, not the line
    line = (
        "。".join(["推进依法行政工作取得新进展"] * 40)
        + "。全年办理行政复议案件7件。"
        + "坚持依法办事" * 30
    )
    (row,) = extract_document_indicators(line)
    assert row["sentence"] == "全年办理行政复议案件7件。" and row["measure"] == "行政复议"


def test_written_out_percentage_next_to_a_number_is_one_count():
    # the 百分之 pattern runs apart from the numbers pattern; where both read the same place the
    # longer reading wins and nothing is counted twice
    assert _triples("群众满意度达百分之九十五,回访30人。") == [(95.0, "%", ""), (30.0, "人", "")]
