"""Reuse: planted copies found with exact offsets, unrelated reports near zero, internal
repetition told apart, formulae counted but not paired."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pandas as pd
import pytest

from reportlib import read_reports
from reportlib.reuse import find_reuse, normalize_for_reuse, reuse_summary

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return read_reports(ROOT / "data" / "raw")


def _paragraphs(text: str, *, min_chars: int = 60) -> list[tuple[int, int]]:
    """Spans of lines that read as prose paragraphs (long, ending a sentence)."""
    spans, position = [], 0
    for line in text.split("\n"):
        stripped = line.strip()
        if len(stripped) >= min_chars and stripped[-1] in "。；":
            start = position + line.index(stripped[0])
            spans.append((start, start + len(stripped)))
        position += len(line) + 1
    return spans


def _plant(sample: pd.DataFrame, *, n: int, seed: int):
    """Copy n real paragraphs into other reports, the source's name swapped for the target's
    and every number changed, as a recycled report would."""
    rng = random.Random(seed)
    texts = dict(zip(sample["doc_id"], sample["text"], strict=True))
    entity = dict(zip(sample["doc_id"], sample["entity"], strict=True))
    targets = rng.sample(sorted(texts), n)
    # sources are never targets, so their text and offsets stay as read
    sources = [(d, span) for d in texts if d not in targets for span in _paragraphs(texts[d])]
    planted = []
    for target in targets:
        source, (start, end) = rng.choice(sources)
        paragraph = texts[source][start:end]
        if entity[source]:
            paragraph = paragraph.replace(entity[source], entity[target] or "本单位")
        paragraph = re.sub(r"\d+", lambda m: str(int(m.group()) + 7), paragraph)
        lines = texts[target].split("\n")
        at = rng.randrange(1, len(lines))
        before = "\n".join(lines[:at]) + "\n"
        texts[target] = before + paragraph + "\n" + "\n".join(lines[at:])
        planted.append((target, source, len(before), len(before) + len(paragraph), start, end))
    documents = sample.copy()
    documents["text"] = documents["doc_id"].map(texts)
    return documents, planted


def test_planted_copies_are_found_with_their_offsets(sample):
    documents, planted = _plant(sample, n=40, seed=7)
    reuse = find_reuse(documents)
    found = 0
    for target, source, start, end, _source_start, _source_end in planted:
        rows = reuse[(reuse["doc_id"] == target) & (reuse["other_doc_id"] == source)]
        # the passage must cover the planted paragraph (90 %: a too-short sentence at its
        # edge is not compared on its own)
        covered = rows[
            (rows["start"] <= start + 0.1 * (end - start))
            & (rows["end"] >= end - 0.1 * (end - start))
        ]
        found += not covered.empty
    assert found / len(planted) >= 0.95, found


def test_exact_offsets_of_one_planted_paragraph():
    paragraph = (
        "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度，"
        "甲镇全年开展执法检查60次，办理行政处罚案件12件。"
    )
    documents = pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "entity": ["甲镇", "乙镇"],
            "parent": ["丙县", "丁县"],
            "report_year": [2023, 2023],
            "text": [
                "甲镇2023年法治政府建设报告\n一、主要举措\n"
                + paragraph
                + "\n二、不足\n学习不够深入。",
                "乙镇报告\n乙镇坚持依法行政。\n"
                + paragraph.replace("甲镇", "乙镇").replace("12", "8").replace("60", "125")
                + "\n",
            ],
        }
    )
    reuse = find_reuse(documents).set_index("doc_id")
    a_start = documents["text"][0].index("全面推行")
    b_start = documents["text"][1].index("全面推行")
    row = reuse.loc["b"]
    assert (row["start"], row["other_start"]) == (b_start, a_start)
    assert (
        row["end"] == b_start + len(paragraph) - 1 + 1
    )  # through the final 。, names/numbers changed
    assert row["other_end"] == a_start + len(paragraph)
    assert row["relation"] == "other" and row["similarity"] == 1.0


def test_unrelated_reports_score_near_zero(sample):
    reuse = find_reuse(sample)
    external = reuse[reuse["relation"] != "internal"]
    n = len(sample)
    pairs = {
        tuple(sorted(pair))
        for pair in zip(external["doc_id"], external["other_doc_id"], strict=True)
    }
    # 69 distinct real reports by different entities (and a few series)
    assert len(pairs) / (n * (n - 1) / 2) <= 0.05
    summary = reuse_summary(reuse, sample)
    assert summary["boilerplate_ratio"].mean() < 0.02


def test_internal_repetition_is_not_reuse(sample):
    # seed 004 (那吾镇) repeats a 246-character paragraph verbatim under a new list number
    reuse = find_reuse(sample)
    own = reuse[reuse["doc_id"] == "004_8c642f3c1dbf128b"]
    assert set(own["relation"]) == {"internal"}
    assert (own["other_doc_id"] == "004_8c642f3c1dbf128b").all()
    assert own["n_chars"].min() >= 240
    summary = reuse_summary(reuse, sample).set_index("doc_id").loc["004_8c642f3c1dbf128b"]
    assert summary["internal_ratio"] > 0.08 and summary["boilerplate_ratio"] == 0


def test_same_entity_earlier_year_and_ratio_against_previous_report():
    sentences = [
        "全年排查化解矛盾纠纷一百余件，调解成功率保持在较高水平。",
        "严格落实行政执法三项制度，执法案卷评查全部合格。",
        "各村配备法律顾问，为群众提供免费法律咨询服务。",
        "重大行政决策全部经过合法性审查，未发生违法决策。",
        "开展法律进企业活动，帮助企业防范经营中的法律风险。",
        "政务公开目录逐项更新，依申请公开答复及时规范。",
    ]
    old = "一、主要举措\n" + "\n".join(sentences) + "\n"
    new = old + "二、新增工作\n今年首次开展法治体检活动，覆盖全部企业。\n"
    documents = pd.DataFrame(
        {
            "doc_id": ["y2022", "y2023"],
            "entity": ["甲镇", "甲镇"],
            "parent": ["丙县", "丙县"],
            "report_year": [2022, 2023],
            "text": [old, new],
        }
    )
    reuse = find_reuse(documents)
    assert set(reuse.loc[reuse["doc_id"] == "y2023", "relation"]) == {"same_entity_earlier_year"}
    assert set(reuse.loc[reuse["doc_id"] == "y2022", "relation"]) == {"same_entity_later_year"}
    summary = reuse_summary(reuse, documents).set_index("doc_id")
    assert summary.loc["y2023", "previous_doc_id"] == "y2022"
    # everything but the heading line and the new section repeats 2022
    shared = len(old) - len("一、主要举措\n") - 1
    assert summary.loc["y2023", "previous_ratio"] == pytest.approx(shared / len(new), abs=0.02)


def test_formulae_are_counted_but_not_paired():
    formula = (
        "以习近平新时代中国特色社会主义思想为指导，深入学习贯彻习近平法治思想，全面推进依法行政。"
    )
    documents = pd.DataFrame(
        {
            "doc_id": [f"d{i}" for i in range(8)],
            "entity": [f"第{i}镇" for i in range(8)],
            "parent": [""] * 8,
            "report_year": [2023] * 8,
            "text": [
                f"{formula}\n本镇第{i}项特色工作是建设{'甲乙丙丁戊己庚辛'[i]}号法治文化公园。"
                for i in range(8)
            ],
        }
    )
    paired = find_reuse(documents, max_documents=5)
    assert paired.empty  # 8 reports share the sentence: a formula, never paired
    counted = find_reuse(documents, max_documents=100)
    assert (counted["n_documents"] == 8).all()
    summary = reuse_summary(counted, documents, max_share=0.5)
    assert (summary["boilerplate_ratio"] == 0).all() and (summary["formula_ratio"] > 0.5).all()


def test_normalisation_keeps_offsets():
    text = "永乐镇 全年开展检查60次,\n永乐 共计1,200人。"
    normalized, offsets = normalize_for_reuse(text, names=["永乐镇"])
    assert normalized == "@全年开展检查#次,\n@共计#人。"
    assert [text[i] for i in offsets] == [
        "永",
        *"全年开展检查",
        "6",
        "次",
        ",",
        "\n",
        "永",
        "共",
        "计",
        "1",
        "人",
        "。",
    ]


def test_build_writes_the_reuse_table(tmp_path):
    from reportlib import build

    build(ROOT / "data" / "raw" / "seeds", tmp_path, progress=False)
    reuse = pd.read_parquet(tmp_path / "reuse.parquet")
    assert list(reuse.columns)[:2] == ["doc_id", "other_doc_id"]
    internal = reuse[reuse["relation"] == "internal"]
    assert set(internal["doc_id"]) == {"004_8c642f3c1dbf128b"}
