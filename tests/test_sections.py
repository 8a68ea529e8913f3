import pandas as pd
import pytest

from reportlib import build, read_reports
from reportlib.sections import classify_heading, find_headings, outline_compliance, split_sections
from tests.conftest import CORPUS, RAW


@pytest.fixture(scope="module")
def seeds() -> pd.DataFrame:
    return read_reports(RAW)


@pytest.fixture(scope="module")
def seed_sections(seeds) -> pd.DataFrame:
    return split_sections(seeds)


# Checked by hand against the seed texts (data/raw): number of level-1 and level-2 sections and
# the part of each level-1 section, in order.
SEED_TREES = {
    # 一 举措和成效(4 subsections) 二 不足和原因 三 第一责任人职责 四 2024年主要安排(3) 五 对全县…的意见(3)
    "000_aaf925eb580b3263": (
        5,
        10,
        ["achievements", "shortcomings", "leadership", "next_year", "other"],
    ),
    # 一 基本情况(4) 二 存在的困难和问题(2) 三 下一步工作打算和建议(6); 1./2. items are level 3
    "001_51acc513f15262cb": (3, 12, ["achievements", "shortcomings", "next_year"]),
    # reordered: 一 第一责任人(3) 二 举措和成效(4) 三 原因、不足和问题(0) 四 2024年初步安排(3)
    "002_b2dab5bcb2d48bfe": (4, 10, ["leadership", "achievements", "shortcomings", "next_year"]),
    # 一 2023年法治政府建设情况(6) 二 主要做法和存在问题 (merged; 2) 三 2024年重点工作(2)
    "003_29f5b4eb58e63336": (3, 10, ["achievements", "achievements", "next_year"]),
    # 一 举措和成效(5) 二 不足和原因(2) 三 第一责任人(2) 四 下一年度安排, whose 一、二、三 restart
    # the numbering and are level 2 under 四 (3): 5 + 2 + 2 + 3 = 12
    "004_8c642f3c1dbf128b": (4, 12, ["achievements", "shortcomings", "leadership", "next_year"]),
}


@pytest.mark.parametrize("doc_id", sorted(SEED_TREES))
def test_seed_heading_trees(seed_sections, doc_id):
    group = seed_sections[seed_sections["doc_id"] == doc_id]
    n_level1, n_level2, parts = SEED_TREES[doc_id]
    level1 = group[group["level"] == 1]
    assert len(level1) == n_level1
    assert (group["level"] == 2).sum() == n_level2
    assert level1["part"].tolist() == parts


def test_merged_heading_gets_best_part_and_the_list(seed_sections):
    merged = seed_sections[seed_sections["heading"] == "主要做法和存在问题"].iloc[0]
    assert merged["part"] == "achievements"
    assert list(merged["merged_parts"]) == ["achievements", "shortcomings"]
    children = seed_sections[seed_sections["parent_section_id"] == merged["section_id"]]
    assert children["part"].tolist() == ["achievements", "shortcomings"]  # 主要做法 / 存在问题


def test_restarted_numbering_nests_under_the_part(seed_sections):
    group = seed_sections[seed_sections["doc_id"] == "004_8c642f3c1dbf128b"]
    four = group[(group["level"] == 1) & (group["number"] == "四")].iloc[0]
    restarted = group[group["parent_section_id"] == four["section_id"]]
    assert restarted["number"].tolist() == ["一", "二", "三"]
    assert set(restarted["part"]) == {"next_year"}


def test_preamble_and_closing_are_not_swallowed(seeds, seed_sections):
    last = seed_sections.groupby("doc_id").tail(1).set_index("doc_id")
    # seed 004 ends with its signature and date; seed 002 with a closing paragraph
    assert last.at["004_8c642f3c1dbf128b", "part"] == "closing"
    assert last.at["004_8c642f3c1dbf128b", "text"].strip() == "那吾镇人民政府\n2025年12月9日"
    assert last.at["002_b2dab5bcb2d48bfe", "part"] == "closing"
    assert last.at["002_b2dab5bcb2d48bfe", "text"].startswith(
        "法治政府建设工作关系到社会的和谐安定"
    )
    first = seed_sections.groupby("doc_id").head(1)
    assert set(first["part"]) == {"preamble"}


def test_run_in_heading_stops_at_the_first_full_stop(seed_sections):
    headings = seed_sections.loc[seed_sections["doc_id"] == "001_51acc513f15262cb", "heading"]
    assert "坚持深化改革,加强巩固依法履职效能" in headings.tolist()  # "2. 坚持…效能。一是…"


def _sections_are_a_partition(documents, sections):
    for doc_id, text in zip(documents["doc_id"], documents["text"], strict=True):
        group = sections[sections["doc_id"] == doc_id].sort_values("order")
        assert "".join(group["text"]) == text
        assert (group["start"].iloc[1:].to_numpy() == group["end"].iloc[:-1].to_numpy()).all()
        for row in group.itertuples():
            assert text[row.start : row.end] == row.text and row.n_chars == row.end - row.start


def test_sections_reproduce_every_document_exactly(seeds, seed_sections):
    _sections_are_a_partition(seeds, seed_sections)
    corpus = read_reports(CORPUS)
    _sections_are_a_partition(corpus, split_sections(corpus))


# Real snippets from the development corpus (data/raw/corpus). Variants the corpus does not
# print (一. 一， 1． （1）) reuse a real heading with only the marker changed.
@pytest.mark.parametrize(
    ("snippet", "number", "level", "heading"),
    [
        (
            "一、2023年法治政府建设主要举措和成效\n正文。",
            "一",
            1,
            "2023年法治政府建设主要举措和成效",
        ),  # d001
        ("一.主要举措与成效\n正文。", "一", 1, "主要举措与成效"),  # d002, marker 一.
        ("一，基本情况和主要成效\n正文。", "一", 1, "基本情况和主要成效"),  # d003, marker 一，
        (
            "第一部分 基本情况和主要成效\n正文。",
            "第一部分",
            1,
            "基本情况和主要成效",
        ),  # d003, 第一部分
        (
            "(一)加强组织领导,全面提升依法行政水平\n正文。",
            "（一）",
            2,
            "加强组织领导,全面提升依法行政水平",
        ),  # d001
        (
            "（一）高度重视，加强组织领导。一是成立了领导小组。",
            "（一）",
            2,
            "高度重视，加强组织领导",
        ),  # seed 002
        (
            "1.党政主要领导切实履行推进基层法治建设第一责任人职责。坚持将法治建设与经济社会发展同部署。",
            "1",
            3,
            "党政主要领导切实履行推进基层法治建设第一责任人职责",
        ),  # d010
        (
            "1、推动学习宣传贯彻抓深走实。今年镇党委理论学习中心组集中学习。",
            "1",
            3,
            "推动学习宣传贯彻抓深走实",
        ),  # d018
        ("1．坚持民主决策。认真贯彻民主集中制原则。", "1", 3, "坚持民主决策"),  # d009, marker 1．
        (
            "（1）坚持民主决策。认真贯彻民主集中制原则。",
            "（1）",
            3,
            "坚持民主决策",
        ),  # d009, marker （1）
    ],
)
def test_heading_variants(snippet, number, level, heading):
    documents = pd.DataFrame({"doc_id": ["x"], "text": [snippet], "report_year": [2023]})
    first = split_sections(documents).iloc[0]
    assert (first["number"], first["level"], first["heading"]) == (number, level, heading)


def test_numbers_inside_sentences_are_not_headings():
    # d004/d011 style running text: 一是…, 第一责任人, a quoted （一）
    text = (
        "党政主要负责人严格履行推进法治建设第一责任人职责。一是持续强化组织领导，二是着力提升意识。"
        "按照文件第（一）项要求，落实“三重一大”制度。\n二是加强培训。"
    )
    assert find_headings(text) == []


def test_skipped_and_duplicated_numbers_are_still_headings():
    text = "一、主要举措和成效\n做了。\n二、存在的不足和原因\n不足。\n二、存在的问题\n问题。\n四、下一步工作打算\n计划。"
    assert [h.number for h in find_headings(text)] == ["一", "二", "二", "四"]


def test_flattened_page_is_split_like_the_original(seeds):
    row = seeds.set_index("doc_id").loc["000_aaf925eb580b3263"]
    flat = row["text"].replace("\n", "")
    documents = pd.DataFrame(
        {"doc_id": ["flat"], "text": [flat], "report_year": [row["report_year"]]}
    )
    sections = split_sections(documents)
    level1 = sections[sections["level"] == 1]
    assert level1["part"].tolist() == [
        "achievements",
        "shortcomings",
        "leadership",
        "next_year",
        "other",
    ]
    assert "".join(sections["text"]) == flat


def test_report_without_headings_is_one_unknown_section_and_a_problem(tmp_path):
    text = (CORPUS / "d013.txt").read_text(encoding="utf-8")  # 司法部 2022: unnumbered headings
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "plain.txt").write_text(text, encoding="utf-8")
    result = build(tmp_path / "raw", tmp_path / "out", progress=False)
    assert result.sections["part"].tolist() == ["unknown"]
    assert result.sections["text"].iloc[0] == result.documents["text"].iloc[0]
    assert "sections" in set(result.problems["stage"])
    assert (tmp_path / "out" / "sections.parquet").exists()
    assert (tmp_path / "out" / "outline.parquet").exists()


@pytest.mark.parametrize(
    ("heading", "part"),
    [
        ("2023年度推进法治政府建设存在的不足和原因", "shortcomings"),
        ("存在的困难和问题", "shortcomings"),
        (
            "2023年党政主要负责人履行推进法治建设第一责任人职责,加强法治政府建设的有关情况",
            "leadership",
        ),
        ("下一年度推进法治政府建设的主要安排", "next_year"),
        ("2024年工作计划", "next_year"),
        ("其他需要报告的情况", "other"),
        ("主要做法及取得的成效", "achievements"),
        ("工作开展情况", "achievements"),
    ],
)
def test_part_names(heading, part):
    assert classify_heading(heading, report_year=2023)[0] == part


def test_compliance_score_by_hand():
    # parts in the order achievements, next_year, shortcomings (no leadership); shortcomings say
    # nothing of 原因. Score = 20 × 3 parts + 10 × order_ok(False) + 10 × causes(False) = 60.
    text = "一、主要举措和成效\n做了很多。\n二、2024年工作计划\n计划。\n三、存在的问题\n问题多。"
    documents = pd.DataFrame({"doc_id": ["a"], "text": [text], "report_year": [2023]})
    row = outline_compliance(split_sections(documents)).iloc[0]
    assert (row["has_achievements"], row["has_next_year"], row["has_shortcomings"]) == (
        True,
        True,
        True,
    )
    assert (row["has_leadership"], row["order_ok"], row["shortcomings_has_causes"]) == (
        False,
        False,
        False,
    )
    assert row["compliance_score"] == 60
    # shares: "一、主要举措和成效\n做了很多。\n" is 2+7+1+5+1 = 16 chars, "二、2024年工作计划\n计划。\n"
    # 2+9+1+3+1 = 16, "三、存在的问题\n问题多。" 2+5+1+4 = 12: 44 in all
    assert row["share_achievements"] == pytest.approx(16 / 44)
    assert row["share_next_year"] == pytest.approx(16 / 44)
    assert row["share_shortcomings"] == pytest.approx(12 / 44)


def test_rebuild_reuses_sections_of_unchanged_documents(tmp_path, monkeypatch):
    import shutil

    from reportlib import results

    shutil.copytree(RAW, tmp_path / "raw")
    first = build(tmp_path / "raw", tmp_path / "out", progress=False)
    calls = []
    original = results.sections_module.split_sections
    monkeypatch.setattr(
        results.sections_module,
        "split_sections",
        lambda docs: calls.append(len(docs)) or original(docs),
    )
    changed = sorted((tmp_path / "raw").glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n附件略。", encoding="utf-8")
    # in this process (workers=0), where the patch applies
    second = build(tmp_path / "raw", tmp_path / "out", progress=False, workers=0)
    assert calls == [1]  # only the changed report is split again
    unchanged = first.sections[first.sections["doc_id"] != changed.stem].reset_index(drop=True)
    again = second.sections[second.sections["doc_id"] != changed.stem].reset_index(drop=True)
    pd.testing.assert_frame_equal(unchanged, again, check_dtype=False)
