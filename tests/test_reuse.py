"""Reuse: planted copies found with exact offsets, unrelated reports near zero, internal
repetition told apart, formulae counted but not paired."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import sys
import textwrap
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


def _two_towns(text_a: str, text_b: str) -> pd.DataFrame:
    """Two 2023 reports of towns under different counties."""
    return pd.DataFrame(
        {
            "doc_id": ["a", "b"],
            "entity": ["甲镇", "乙镇"],
            "parent": ["丙县", "丁县"],
            "report_year": [2023, 2023],
            "text": [text_a, text_b],
        }
    )


def test_exact_offsets_of_one_planted_paragraph():
    paragraph = (
        "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度，"
        "甲镇全年开展执法检查60次，办理行政处罚案件12件。"
    )
    documents = _two_towns(
        "甲镇2023年法治政府建设报告\n一、主要举措\n" + paragraph + "\n二、不足\n学习不够深入。",
        "乙镇报告\n乙镇坚持依法行政。\n"
        + paragraph.replace("甲镇", "乙镇").replace("12", "8").replace("60", "125")
        + "\n",
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


_ALIKE = "全面推行行政执法公示制度执法全过程记录制度和重大执法决定法制审核制度并组织全体执法人员集中培训。"


def test_only_finds_a_neighbours_whole_family_of_sentences_alike():
    # d's sentence is like n1's, n1's like n2's and n3's, d's not like theirs: n1's sentence
    # is then in 4 reports with its family, a formula at max_documents 3, so the pair from
    # n1's side is not made; looking only for sentences like d's would count 2 and make it
    like_d = _ALIKE.replace("全面推行", "深入落实")
    like_n1 = like_d.replace("集中培训", "轮岗学习").replace("组织全体", "安排全部")
    documents = pd.DataFrame(
        {"doc_id": ["d", "n1", "n2", "n3"], "text": [_ALIKE, like_d, like_n1, like_n1]}
    )
    options = {"max_sources": None, "max_documents": 3, "min_chars": 30}
    whole = find_reuse(documents, **options)
    assert whole[["doc_id", "other_doc_id"]].values.tolist()[:1] == [["d", "n1"]]
    expected = whole[whole["doc_id"].eq("d") | whole["other_doc_id"].eq("d")]
    part = find_reuse(documents, only={"d"}, **options)
    pd.testing.assert_frame_equal(part, expected.reset_index(drop=True))


def test_only_does_not_compare_the_neighbours_sentences_with_one_another(monkeypatch):
    # a batch of one report and 40 neighbours that reword one sentence among themselves
    # (not like the report's): find_reuse checks no pair of theirs for likeness
    from reportlib import reuse as module

    checked = []
    ratio = module._ratio
    monkeypatch.setattr(module, "_ratio", lambda *a: checked.append(a) or ratio(*a))
    neighbours = [_ALIKE.replace("集中培训", f"第{'一二三四五六七八九十'[i % 10]}{i}次培训")
                  for i in range(40)]  # fmt: skip
    documents = pd.DataFrame(
        {
            "doc_id": ["d", *(f"n{i:02d}" for i in range(40))],
            "text": ["深入开展法治宣传教育，组织开展送法下乡活动，发放宣传资料。", *neighbours],
        }
    )
    find_reuse(documents)
    assert len(checked) > 20  # without only, the pairs of the neighbours' sentences
    checked.clear()
    assert find_reuse(documents, only={"d"}).empty and checked == []


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


def test_passages_without_their_text_are_the_same_passages():
    # the build stores no passage text (it is the report's text[start:end]) and asks for
    # none: the texts of a template's copies were most of a batch's memory
    text = (ROOT / "data" / "raw" / "seeds" / "000_aaf925eb580b3263.txt").read_text("utf-8")
    documents = pd.DataFrame(
        {"doc_id": ["a", "b", "c"], "entity": ["永乐镇", "回龙镇", "太和镇"],
         "text": [text.replace("永乐镇", town) + "\n" + town + "另有自己的一段话，记录本镇特色工作。"
                  for town in ("永乐镇", "回龙镇", "太和镇")]}
    )  # fmt: skip
    with_text = find_reuse(documents)
    without = find_reuse(documents, with_text=False)
    assert len(with_text) > 3 and "text" not in without.columns
    pd.testing.assert_frame_equal(without, with_text.drop(columns="text"))
    texts = dict(zip(documents["doc_id"], documents["text"], strict=True))
    assert all(
        texts[doc][start:end] == passage
        for doc, start, end, passage in with_text[["doc_id", "start", "end", "text"]].values
    )


def test_build_writes_the_reuse_table(tmp_path):
    from reportlib import build

    build(ROOT / "data" / "raw" / "seeds", tmp_path, progress=False)
    reuse = pd.read_parquet(tmp_path / "reuse.parquet")
    assert list(reuse.columns)[:2] == ["doc_id", "other_doc_id"]
    internal = reuse[reuse["relation"] == "internal"]
    assert set(internal["doc_id"]) == {"004_8c642f3c1dbf128b"}


# --- repetition: work and memory grow linearly with a report's length -----------------------

SEEDS = ROOT / "data" / "raw" / "seeds"
_SENTENCE = (
    "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度，全年开展执法检查60次。"
)


def _page() -> str:
    """A real report page (永乐镇's, 3,700 characters, page noise kept)."""
    return (SEEDS / "000_aaf925eb580b3263.txt").read_text(encoding="utf-8").strip()


def _repeated(variant: str, copies: int) -> pd.DataFrame:
    """One report made of ``copies`` copies of something."""
    import cn2an

    page = _page()
    if variant == "page":
        text = (page + "\n") * copies
    elif variant == "page without line breaks":
        text = page.replace("\n", "") * copies
    elif variant == "one sentence":
        text = _SENTENCE * copies
    elif variant == "no sentence marks":  # one line of 3,500 × copies characters
        text = re.sub(r"[。！？；!?;\n]", "", page) * copies
    elif variant == "numbered pages":  # near-identical sentences, each a distinct one
        text = "".join(
            f"{page}\n本页为报告正文的第{cn2an.an2cn(number)}页，共计若干页，请注意查阅。\n"
            for number in range(copies)
        )
    else:
        raise ValueError(variant)
    return pd.DataFrame(
        {
            "doc_id": ["repeated"],
            "entity": ["永乐镇"],
            "parent": ["芮城县"],
            "report_year": [2023],
            "text": [text],
        }
    )


def _work(documents: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """What find_reuse does, counted: sentence pairs handed to _runs, characters _extend
    walks, difflib comparisons, and the rows (and their characters) it returns."""
    import difflib

    from reportlib import reuse as module

    work = dict.fromkeys(
        ("sentence pairs", "characters extended", "difflib comparisons", "rows", "row chars"), 0
    )
    runs, extend, matcher = module._runs, module._extend, difflib.SequenceMatcher

    def counting_runs(matched):
        work["sentence pairs"] += len(matched)
        return runs(matched)

    def counting_extend(mine, theirs, span, other_span, **options):
        grown = extend(mine, theirs, span, other_span, **options)
        work["characters extended"] += span[0] - grown[0][0] + grown[0][1] - span[1]
        return grown

    class CountingMatcher(matcher):
        def __init__(self, *args, **kwargs):
            work["difflib comparisons"] += 1
            super().__init__(*args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(module, "_runs", counting_runs)
        patch.setattr(module, "_extend", counting_extend)
        patch.setattr(difflib, "SequenceMatcher", CountingMatcher)
        reuse = module.find_reuse(documents)
    work["rows"] = len(reuse)
    work["row chars"] = int(reuse["n_chars"].sum())
    assert (reuse["relation"] == "internal").all() and len(reuse)
    return work


@pytest.mark.parametrize(
    ("variant", "copies"),
    [
        ("page", 10),
        ("page without line breaks", 10),
        ("one sentence", 200),
        ("no sentence marks", 10),
        ("numbered pages", 20),
    ],
)
def test_work_grows_linearly_with_repetition(variant, copies, monkeypatch):
    # Work counted, not timed: n, 2n and 4n copies. Before the chains, a sentence found k
    # times was paired k² times (ratio 4 for each doubling) and passages grew across the
    # whole repeated text.
    works = [_work(_repeated(variant, copies * factor), monkeypatch) for factor in (1, 2, 4)]
    for measure in works[0]:
        for smaller, larger in itertools.pairwise(works):
            growth = (larger[measure] + 1) / (smaller[measure] + 1)
            assert growth <= 2.3, (variant, measure, [work[measure] for work in works])


@pytest.mark.parametrize("variant", ["page", "page without line breaks", "no sentence marks"])
def test_a_repeated_report_repeats_each_copy_from_the_one_before(variant):
    copies = 30
    documents = _repeated(variant, copies)
    reuse = find_reuse(documents)
    assert set(reuse["relation"]) == {"internal"}
    later = reuse[reuse["start"] > reuse["other_start"]]
    # one passage a copy (the first has none before it), each against the copy before it
    period = len(documents["text"][0]) / copies
    assert len(later) == copies - 1
    assert ((later["start"] - later["other_start"] - period).abs() <= 0.01 * period).all()
    # all of a copy, but short lines at its edges (and, in the last copy, the final piece of
    # a line without sentence marks, cut differently where no copy follows)
    assert later["n_chars"].median() >= 0.98 * period and later["n_chars"].min() >= 0.7 * period
    summary = reuse_summary(reuse, documents).iloc[0]
    # each copy repeats the one before: (copies - 1) / copies of the report; the first copy
    # counts too (the second repeats it), less the short lines at the pages' edges
    assert summary["internal_ratio"] >= (copies - 1) / copies - 0.01
    assert summary["boilerplate_ratio"] == 0


def test_a_20_mb_repeated_report_stays_under_3_gb():
    # in a child process, so that its peak memory is its own; 8 GiB of address space at most,
    # so that a regression fails here instead of starving the machine (the code before the
    # chains ran out of memory on it)
    script = textwrap.dedent(
        f"""
        import resource, sys, time
        from pathlib import Path
        import pandas as pd
        from reportlib.reuse import find_reuse, reuse_summary

        resource.setrlimit(resource.RLIMIT_AS, (8 * 2**30, resource.RLIM_INFINITY))
        seeds = sorted(Path({str(SEEDS)!r}).glob("*.txt"))
        page = "\\n".join(path.read_text(encoding="utf-8").strip() for path in seeds) + "\\n"
        copies = round(20e6 / len(page.encode()))
        documents = pd.DataFrame({{"doc_id": ["big"], "entity": ["永乐镇"],
            "parent": ["芮城县"], "report_year": [2023], "text": [page * copies]}})
        started = time.perf_counter()
        reuse = find_reuse(documents)
        seconds = time.perf_counter() - started
        ratio = reuse_summary(reuse, documents)["internal_ratio"].iloc[0]
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        peak = peak if sys.platform == "darwin" else peak * 1024  # bytes on macOS, KiB else
        print(len(documents["text"][0].encode()), copies, len(reuse), ratio, peak, seconds)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    n_bytes, copies, n_rows, ratio, peak, _seconds = result.stdout.split()
    assert int(n_bytes) >= 19_000_000
    assert float(peak) < 3 * 2**30, f"peak RSS {float(peak) / 2**20:.0f} MiB"
    assert int(n_rows) >= 2 * (int(copies) - 1)
    assert float(ratio) >= (int(copies) - 1) / int(copies) - 0.01


def test_two_repeated_reports_pair_copy_by_copy():
    page = _page() + "\n"
    documents = pd.DataFrame(
        {
            "doc_id": ["twelve", "seven"],
            "entity": ["永乐镇", "永乐镇"],
            "report_year": [2023, 2024],
            "text": [page * 12, page * 7],
        }
    )
    reuse = find_reuse(documents)
    external = reuse[reuse["relation"] != "internal"]
    # copies 1-7 of one against 1-7 of the other, 8-12 against 1-5, both ways: 4 passages,
    # not one for each of the 12 + 7 - 1 offsets between them
    assert len(external) <= 12 + 7
    summary = reuse_summary(reuse, documents).set_index("doc_id")
    assert (summary["boilerplate_ratio"] > 0.95).all()


def test_a_paragraph_repeated_a_few_times_is_paired_all_with_all():
    # as before the chains: up to ALL_PAIRS_UP_TO combinations every copy meets every copy
    paragraph = "一是深化法治教育培训，构建全方位学习体系，切实增强机关干部依法行政意识与理念。"
    filler = [
        "二是强化制度体系建设，完善各项规章制度。",
        "三是规范行政权力运行，全面推行行政执法责任制。",
    ]
    text = "\n".join([paragraph, filler[0], paragraph, filler[1], paragraph])
    reuse = find_reuse(pd.DataFrame({"doc_id": ["a"], "text": [text]}), min_chars=30)
    starts = sorted(zip(reuse["start"], reuse["other_start"], strict=True))
    places = [match.start() for match in re.finditer(re.escape(paragraph), text)]
    assert starts == sorted((one, other) for one in places for other in places if one != other)


def test_extension_is_bounded():
    from reportlib.reuse import MAX_EXTEND_CHARS, _extend

    text = "依法行政" * 5000  # identical far beyond the matched span, no line end
    (start, end), _ = _extend(text, text, (8000, 8040), (4000, 4040))
    assert 8000 - start <= MAX_EXTEND_CHARS and end - 8040 <= MAX_EXTEND_CHARS


def test_a_long_line_is_cut_alike_in_every_copy():
    from reportlib.reuse import MAX_UNIT_CHARS, _units

    line = re.sub(r"[。！？；!?;\n]", "", _page())  # 3,500 characters, no sentence mark
    normalized = line + "\n" + "另起一行的开头" + line
    spans = _units(normalized, min_unit_chars=10)
    assert max(end - start for start, end in spans) <= MAX_UNIT_CHARS
    second = len(line) + 1
    first_pieces = {normalized[start:end] for start, end in spans if end <= len(line)}
    repeated = sum(
        end - start
        for start, end in spans
        if start >= second and normalized[start:end] in first_pieces
    )
    # the same pieces wherever the copy starts, but the one that holds the junction
    assert repeated >= 0.9 * len(line)


def _reference_normalize(text: str, names: list[str]) -> tuple[str, list[int]]:
    """normalize_for_reuse by its definition: one regular expression, match by match."""
    from reportlib.reuse import _names

    alternatives = [r"(?P<space>[^\S\n]+)", r"(?P<digits>[0-9０-９]+(?:[.,．][0-9０-９]+)*)"]
    if _names(*names):
        alternatives.append("(?P<name>" + "|".join(map(re.escape, _names(*names))) + ")")
    pieces, offsets, position = [], [], 0
    for match in re.finditer("|".join(alternatives), text):
        pieces.append(text[position : match.start()])
        offsets.extend(range(position, match.start()))
        if match.lastgroup != "space":
            pieces.append("#" if match.lastgroup == "digits" else "@")
            offsets.append(match.start())
        position = match.end()
    pieces.append(text[position:])
    offsets.extend(range(position, len(text)))
    return "".join(pieces), offsets


def test_normalisation_follows_its_definition(sample):
    rng = random.Random(3)
    alphabet = [*"0123456789０９.,．，。 \t\u3000\xa0\n甲乙镇永乐县", "永乐镇", "1,2", "3.5"]
    cases = [
        (text, [entity, parent])
        for text, entity, parent in zip(
            sample["text"], sample["entity"].fillna(""), sample["parent"].fillna(""), strict=True
        )
    ]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(30)))
        cases.append(
            (text, rng.choice([[], ["永乐镇"], ["永乐镇", "甲县"], ["1号镇"], ["永 乐镇"]]))
        )
    for text, names in cases:
        normalized, offsets = normalize_for_reuse(text, names=names)
        assert (normalized, offsets.tolist()) == _reference_normalize(text, names), text
        assert offsets.dtype == "int32"


# --- a shared template: work grows with the reports and the passages, not the sentence pairs


def _copies(documents: pd.DataFrame, copies: int) -> pd.DataFrame:
    """``copies`` copies of each report, each with its own trailing line (as
    benchmarks/build.py replicates the corpus): towns copying one county template."""
    rows = [
        {**row, "doc_id": f"{row['doc_id']}_{copy}", "text": f"{row['text']}\n（第{copy}份副本）\n"}
        for copy in range(copies)
        for row in documents.to_dict("records")
    ]
    return pd.DataFrame(rows)


def _traced(documents: pd.DataFrame) -> tuple[int, pd.DataFrame]:
    """find_reuse, and the lines of reportlib/reuse.py it executes: Python work, where a step
    for each sentence pair or each run shows wherever it is taken (NumPy's work does not)."""
    from reportlib import reuse as module

    lines = 0

    def count(frame, event, arg):
        nonlocal lines
        lines += event == "line"
        return count

    def trace(frame, event, arg):
        return count if frame.f_code.co_filename == module.__file__ else None

    previous = sys.gettrace()  # a coverage tool's, if any
    sys.settrace(trace)
    try:
        reuse = module.find_reuse(documents)
    finally:
        sys.settrace(previous)
    return lines, reuse


def test_shared_template_corpus_costs_no_more_work_than_before(sample):
    # Work counted, not timed. Three reports (004 repeats a paragraph itself), then 8 copies
    # of each: every copy shares all its sentences with 7 others (168 pairs of reports,
    # about 14,000 sentence pairs). The Python work may grow linearly with the copies (as
    # from one copy to two) plus 40 lines for each passage found; a Python step for each
    # sentence pair or each run between two reports (an evidence tuple, _bridge, _runs,
    # _span, _extend, a sum and a min for each) exceeds that: before, 8 copies cost 642,000
    # lines, more than twice the bound, and the version before the chains 335,000.
    base = sample[sample["doc_id"].str.startswith(("000_", "001_", "004_"))]
    assert len(base) == 3
    one, _ = _traced(_copies(base, 1))
    two, _ = _traced(_copies(base, 2))
    copies = 8
    lines, reuse = _traced(_copies(base, copies))
    bound = one + (copies - 1) * (two - one) + 40 * len(reuse)
    assert lines <= bound, (lines, bound, one, two, len(reuse))
    # and every copy is found whole in every other copy of its report
    external = reuse[reuse["relation"] != "internal"]
    for doc_id, text in zip(base["doc_id"], base["text"], strict=True):
        names = [f"{doc_id}_{copy}" for copy in range(copies)]
        pairs = external[external["doc_id"].isin(names) & external["other_doc_id"].isin(names)]
        assert len(set(zip(pairs["doc_id"], pairs["other_doc_id"], strict=True))) == 8 * 7
        assert (pairs.groupby(["doc_id", "other_doc_id"])["n_chars"].sum() >= 0.9 * len(text)).all()


def test_regression_the_mandated_heading_was_reported_as_copying():
    # two towns' only shared line was the outline's third heading: "2% … copied from …"
    heading = "三、2023年度党政主要负责人履行推进法治建设第一责任人职责，落实年度职责清单，加强法治政府建设的有关情况"
    documents = _two_towns(
        "一、主要举措和成效\n甲镇全年开展法治宣传活动二十场，受众三千人次。\n"
        + heading
        + "\n镇党委书记带头学法。",
        "一、主要举措和成效\n乙镇推行行政执法公示制度，执法案卷全部合格。\n"
        + heading
        + "\n镇长专题研究法治工作。",
    )
    reuse = find_reuse(documents)
    assert heading in set(reuse["text"])  # found, so the test sees the rule at work
    summary = reuse_summary(reuse, documents).set_index("doc_id")
    assert summary.loc["a", "boilerplate_ratio"] == 0
    assert summary.loc["a", "formula_ratio"] > 0
    assert summary.loc["a", "top_sources"] == ""
