"""Sections: each report's heading tree, mapped to the five mandated parts, and compliance.

A report is cut at its headings into sections that partition ``documents.text`` exactly:
``preamble`` (title, addressee, opening), one section per heading (its heading line included),
and ``closing`` (closing paragraph, signature, date). Concatenating the ``text`` of a
document's sections in ``order`` gives back the document text, character for character.

Heading styles and their levels: ``一、`` (also ``一.`` ``一，`` and ``第一部分``) is level 1; ``（一）`` / ``(一)`` level
2; ``1.`` ``1、`` ``1．`` and ``（1）`` level 3 (``（1）`` inside a ``1.`` item is level 4). A heading
is recognised at the start of a line, or — in pages flattened into one line — right after a
sentence end. Its ``heading`` is the phrase up to the first 。 or the end of the line, so a
heading run into its body ("1.全面落实…。一是…") keeps only its own words.

Parts are read from headings with the patterns in ``data/parts.csv``; sub-sections inherit
their parent's part unless their own heading names another part with a strong pattern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import pandas as pd

from reportlib.patterns import data_csv

__all__ = [
    "OUTLINE_COLUMNS",
    "PARTS",
    "SECTION_COLUMNS",
    "classify_heading",
    "find_headings",
    "outline_compliance",
    "split_document",
    "split_sections",
    "with_text",
]

PARTS = ("achievements", "shortcomings", "leadership", "next_year", "other")
SECTION_COLUMNS = [
    "doc_id",
    "section_id",
    "parent_section_id",
    "order",
    "level",
    "number",
    "heading",
    "text",
    "start",
    "end",
    "n_chars",
    "part",
    "merged_parts",
]


def with_text(sections: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """``sections`` as stored (without ``text``: a section's text is its report's
    ``text[start:end]``, which the documents table holds once) with each section's text put
    back; a table that has its text is returned as is.

    Examples
    --------
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["一、成效\\n做了。"]})
    >>> stored = split_sections(docs).drop(columns="text")
    >>> with_text(stored, docs)["text"].tolist()
    ['一、成效\\n做了。']
    """
    from reportlib.store import with_text as sliced

    return sliced(sections, documents, table="sections")


_NUMERALS = "一二三四五六七八九十"
_CN_VALUE = {ch: i for i, ch in enumerate(_NUMERALS, start=1)}

# One pattern for every heading style; the named group tells the style.
_HEADING = re.compile(
    rf"(?P<l1>[{_NUMERALS}]{{1,3}})\s?[、.．，,](?![{_NUMERALS}])"
    rf"|第(?P<part>[{_NUMERALS}]{{1,3}})部分[、:：.．，,\s]?"
    rf"|[（(]\s?(?P<l2>[{_NUMERALS}]{{1,3}})\s?[)）]"
    r"|(?P<l3>\d{1,2})\s?[.、．](?!\d)"
    r"|[（(]\s?(?P<l4>\d{1,2})\s?[)）]"
)
# Where a heading may start: a line start, or (in flattened pages) a sentence end.
_LINE_START = re.compile(r"(?m)^[ \t]*")
_SENTENCE_START = re.compile(r"[。！？；;:：]\s?")
_HEADING_END = re.compile(r"[。！？!?\n]")
_MAX_HEADING = 80


def _chinese_value(numeral: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20."""
    if "十" not in numeral:
        return _CN_VALUE.get(numeral, 0)
    tens, _, ones = numeral.partition("十")
    return (_CN_VALUE.get(tens, 1) if tens else 1) * 10 + (_CN_VALUE.get(ones, 0) if ones else 0)


@dataclass
class Heading:
    """A heading found in a text: where it starts, its style, number and words."""

    start: int
    style: str  # "l1" 一、 | "l2" （一） | "l3" 1. | "l4" （1）
    number: str  # as written: "一", "（二）", "3"
    value: int  # numeric value of the number
    heading: str  # the heading's words (marker excluded)
    level: int = 0
    part: str = ""
    merged_parts: list[str] = field(default_factory=list)


def _is_flattened(text: str) -> bool:
    """A page whose line breaks were lost: few lines for its length."""
    return len(text) > 600 and text.count("\n") < len(text) / 400


def find_headings(text: str) -> list[Heading]:
    """Headings in ``text``, in order, with their style and number (no levels yet).

    Examples
    --------
    >>> [(h.number, h.heading) for h in find_headings("前言。\\n一、主要举措和成效\\n（一）加强领导。正文。")]
    [('一', '主要举措和成效'), ('（一）', '加强领导')]
    """
    starts = [m.end() for m in _LINE_START.finditer(text)]
    if _is_flattened(text):
        starts += [m.end() for m in _SENTENCE_START.finditer(text)]
        starts = sorted(set(starts))
    headings: list[Heading] = []
    for position in starts:
        match = _HEADING.match(text, position)
        if match is None:
            continue
        style = match.lastgroup or ""
        raw_number = match.group(style)
        end = _HEADING_END.search(text, match.end())
        stop = end.start() if end else len(text)
        words = text[match.end() : min(stop, match.end() + _MAX_HEADING)].strip()
        if not words or not re.match(r"[\u4e00-\u9fff“《\"(（\d]", words):
            continue  # "1.5万元" or a marker followed by punctuation is no heading
        number = {
            "l1": raw_number,
            "part": f"第{raw_number}部分",
            "l2": f"（{raw_number}）",
            "l4": f"（{raw_number}）",
        }.get(style, raw_number)
        style = "l1" if style == "part" else style
        value = int(raw_number) if raw_number.isdigit() else _chinese_value(raw_number)
        headings.append(Heading(match.start(), style, number, value, words))
    return headings


# --- parts -----------------------------------------------------------------------------------


@cache
def _part_patterns() -> list[tuple[str, str, re.Pattern[str]]]:
    rows = data_csv("parts.csv")
    return [(row["part"], row["strength"], re.compile(row["pattern"])) for row in rows]


_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


def classify_heading(
    heading: str, *, report_year: int | None = None, strong_only: bool = False
) -> tuple[str, list[str]]:
    """The part a heading names, and every part it names when it merges several.

    Parameters
    ----------
    heading
        The heading's words.
    report_year
        The year the report is about; a heading about a later year is about next year's plans.
    strong_only
        Use only patterns that clearly name a part (for sub-headings).

    Examples
    --------
    >>> classify_heading("主要做法和存在问题")
    ('achievements', ['achievements', 'shortcomings'])
    >>> classify_heading("2024年重点工作", report_year=2023)
    ('next_year', [])
    >>> classify_heading("强化组织领导,落实工作责任")
    ('', [])
    """
    found: dict[str, int] = {}
    for strength_pass in ("strong", "weak"):
        if strength_pass == "weak" and (strong_only or found):
            break
        for part, strength, pattern in _part_patterns():
            if strength != strength_pass or part in found:
                continue
            match = pattern.search(heading)
            if match:
                found[part] = match.start()
    year = _YEAR.search(heading)
    if report_year and year and int(year.group(1)) > report_year and "next_year" not in found:
        # "2024年重点工作" in a 2023 report: plans, whatever else the words say
        found = {
            "next_year": year.start(),
            **{p: s for p, s in found.items() if p != "achievements"},
        }
    if not found:
        return "", []
    # leadership and shortcomings headings often also say 情况/建设: the named part wins
    ordered = sorted(found, key=lambda part: (found[part], PARTS.index(part)))
    if "leadership" in found:
        ordered = ["leadership", *[p for p in ordered if p != "leadership"]]
    merged = ordered if len(ordered) > 1 and _really_merged(found) else []
    return ordered[0], merged


def _really_merged(found: dict[str, int]) -> bool:
    """Achievements words (情况, 建设) beside a leadership heading are not a second part."""
    return not ("leadership" in found and set(found) <= {"leadership", "achievements"})


# --- tree ------------------------------------------------------------------------------------


def _assign_levels(headings: list[Heading]) -> None:
    """Levels from styles, nesting a numbering that restarts inside a part one level down."""
    level_of_style = {"l1": 1, "l2": 2, "l3": 3, "l4": 3}
    last_l1_value = 0
    restarted = False  # 一、二、三 again inside part 四 (seed 004)
    open_l3 = False
    for heading in headings:
        level = level_of_style[heading.style]
        if heading.style == "l1":
            if heading.value == 1 and last_l1_value >= 2:
                restarted = True
            elif restarted and heading.value <= last_l1_value:
                pass
            elif heading.value > last_l1_value:
                restarted = False
            if not restarted:
                last_l1_value = heading.value
            level = 2 if restarted else 1
            open_l3 = False
        elif heading.style == "l2":
            level = 3 if restarted else 2
            open_l3 = False
        elif heading.style == "l3":
            level = 4 if restarted else 3
            open_l3 = True
        elif heading.style == "l4":
            level = (4 if open_l3 else 3) + (1 if restarted else 0)
        heading.level = level


def _assign_parts(
    headings: list[Heading], parents: list[int | None], report_year: int | None
) -> None:
    previous_top = ""
    for index, heading in enumerate(headings):
        parent = parents[index]
        if parent is None:
            part, merged = classify_heading(heading.heading, report_year=report_year)
            # An unnamed top-level section continues the previous one; the first one is the
            # report's work (reports open with their achievements, by theme).
            heading.part = part or previous_top or "achievements"
            heading.merged_parts = merged
            previous_top = heading.part
            continue
        parent_heading = headings[parent]
        if heading.level >= 3:
            # numbered items (1. 2. …) are run-in sentences: their words describe the work,
            # not the outline ("认真办理人大代表议案和建议" is no 意见建议 part)
            heading.part = parent_heading.part
            continue
        part, merged = classify_heading(heading.heading, report_year=report_year, strong_only=True)
        allowed = set(parent_heading.merged_parts)
        if not part and allowed:
            part, merged = classify_heading(heading.heading, report_year=report_year)
            part = part if part in allowed else ""
        heading.part = part or parent_heading.part
        heading.merged_parts = merged if part else []


def _parents(headings: list[Heading]) -> list[int | None]:
    parents: list[int | None] = []
    stack: list[int] = []
    for index, heading in enumerate(headings):
        while stack and headings[stack[-1]].level >= heading.level:
            stack.pop()
        parents.append(stack[-1] if stack else None)
        stack.append(index)
    return parents


# --- closing -----------------------------------------------------------------------------------

_CLOSING_CUE = re.compile(
    r"^(?:总之|综上|特此报告|以上报告|今后|在今后|新的一年|下一步,|下一步，)|特此报告|"
    r"(?:在今后的工作中|新征程|再上新台阶|迈上新的台阶|新的更大贡献|更好地服务)"
)
_SIGNATURE_LINE = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,30}(?:人民政府|委员会|办事处|党委|党工委|政府|局|厅|部|司法所|街道|镇|乡)"
    r"|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[〇零一二三四五六七八九十○]{4}年.{1,3}月.{1,3}日)$"
)


def _closing_start(text: str, body_start: int) -> int:
    """Where the closing (final paragraph and signature) begins, or ``len(text)`` if none."""
    end = len(text.rstrip())
    cut = len(text)
    lines = text[body_start:end].split("\n")
    position = end
    # signature block: short organ and date lines at the very end
    for line in reversed(lines):
        line_start = position - len(line)
        if line.strip() and _SIGNATURE_LINE.match(line.strip()):
            cut = line_start
            position = line_start - 1
            continue
        if not line.strip():
            position = line_start - 1
            continue
        # one closing paragraph before the signature (or at the end): it must read like one
        if _CLOSING_CUE.search(line) and len(line) < 400:
            cut = line_start
        break
    return max(cut, body_start)


# --- splitting -------------------------------------------------------------------------------


@dataclass
class _Section:
    start: int
    end: int
    level: int
    number: str
    heading: str
    part: str
    merged_parts: list[str]
    parent: int | None


def split_document(text: str, *, report_year: int | None = None) -> list[_Section]:
    """Split one report text into sections that partition it (see the module docs).

    Examples
    --------
    >>> text = "关于2023年的报告\\n一、主要举措和成效\\n（一）加强领导。内容。\\n二、存在的不足和原因\\n不足。\\n某镇人民政府\\n2024年1月5日"
    >>> [(s.level, s.number, s.part) for s in split_document(text, report_year=2023)]
    [(0, '', 'preamble'), (1, '一', 'achievements'), (2, '（一）', 'achievements'), (1, '二', 'shortcomings'), (0, '', 'closing')]
    """
    headings = find_headings(text)
    if not headings:
        return [_Section(0, len(text), 0, "", "", "unknown", [], None)]
    _assign_levels(headings)
    parents = _parents(headings)
    _assign_parts(headings, parents, report_year)
    # the closing can only begin on a line after the last heading's line
    after_last_heading = text.find("\n", headings[-1].start)
    closing = len(text) if after_last_heading < 0 else _closing_start(text, after_last_heading + 1)
    sections: list[_Section] = []
    if headings[0].start > 0:
        sections.append(_Section(0, headings[0].start, 0, "", "", "preamble", [], None))
    offset = len(sections)
    for index, heading in enumerate(headings):
        end = headings[index + 1].start if index + 1 < len(headings) else closing
        parent = parents[index]
        sections.append(
            _Section(
                heading.start,
                end,
                heading.level,
                heading.number,
                heading.heading,
                heading.part,
                heading.merged_parts,
                None if parent is None else parent + offset,
            )
        )
    if closing < len(text):
        sections.append(_Section(closing, len(text), 0, "", "", "closing", [], None))
    return sections


def split_sections(documents: pd.DataFrame) -> pd.DataFrame:
    """Split every document into sections.

    Parameters
    ----------
    documents
        The documents table (``doc_id``, ``text``, and ``report_year`` if available).

    Returns
    -------
    pandas.DataFrame
        One row per section: ``doc_id, section_id, parent_section_id, order, level, number,
        heading, text, start, end, n_chars, part, merged_parts``. ``start``/``end`` index
        ``documents.text``. A document without headings is one section of part ``unknown``.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["前言\\n一、主要工作\\n内容。"], "report_year": [2023]})
    >>> split_sections(docs)[["section_id", "level", "part"]].values.tolist()
    [['a:0', 0, 'preamble'], ['a:1', 1, 'achievements']]
    """
    rows = []
    years = documents["report_year"] if "report_year" in documents else [None] * len(documents)
    for doc_id, text, year in zip(documents["doc_id"], documents["text"], years, strict=True):
        year = None if pd.isna(year) else int(year)
        for order, section in enumerate(split_document(text, report_year=year)):
            rows.append(
                {
                    "doc_id": doc_id,
                    "section_id": f"{doc_id}:{order}",
                    "parent_section_id": None
                    if section.parent is None
                    else f"{doc_id}:{section.parent}",
                    "order": order,
                    "level": section.level,
                    "number": section.number,
                    "heading": section.heading,
                    "text": text[section.start : section.end],
                    "start": section.start,
                    "end": section.end,
                    "n_chars": section.end - section.start,
                    "part": section.part,
                    "merged_parts": section.merged_parts,
                }
            )
    frame = pd.DataFrame(rows, columns=SECTION_COLUMNS)
    for column in ("order", "level", "start", "end", "n_chars"):
        frame[column] = frame[column].astype("int64")
    return frame


# --- compliance ------------------------------------------------------------------------------

OUTLINE_COLUMNS = [
    "doc_id",
    *[f"has_{part}" for part in PARTS],
    "order_ok",
    *[f"share_{part}" for part in PARTS],
    "shortcomings_has_causes",
    "n_sections",
    "compliance_score",
]


def outline_compliance(sections: pd.DataFrame) -> pd.DataFrame:
    """How each report follows the mandated five-part outline.

    A part is present when a section (any level) is assigned to it or a merged heading names it.
    ``order_ok``: the parts of the top-level sections, in reading order, never go back in the
    mandated order (achievements → shortcomings → leadership → next_year → other).
    ``share_<part>``: the part's characters over the characters of all sections except preamble,
    closing and unknown (sections partition the text, so nothing is counted twice).
    ``shortcomings_has_causes``: the shortcomings part mentions 原因 (or 根源/症结).

    The score, 0–100::

        compliance_score = 20 × (has_achievements + has_shortcomings + has_leadership + has_next_year)
                           + 10 × order_ok + 10 × shortcomings_has_causes

    ``other`` (其他需要报告的情况) is reported but not scored: it is required only when there is
    something else to report.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "report_year": [2023], "text": [
    ...     "一、主要举措和成效\\n做了。\\n二、存在的不足和原因\\n原因是。\\n三、党政主要负责人履行推进法治建设第一责任人职责情况\\n履行。\\n四、2024年工作计划\\n计划。"]})
    >>> outline_compliance(split_sections(docs))[["order_ok", "compliance_score"]].values.tolist()
    [[True, 100]]
    """
    # Vectorised over all documents at once: a groupby per document is ~20x slower.
    doc_ids = pd.Index(sections["doc_id"].drop_duplicates(), name="doc_id")
    named = sections[["doc_id", "part"]]
    merged = sections[["doc_id", "merged_parts"]].explode("merged_parts").dropna()
    merged = merged.rename(columns={"merged_parts": "part"})
    present = pd.concat([named, merged])
    present = present[present["part"].isin(PARTS)].drop_duplicates()
    # groupby and unstack, not crosstab and pivot_table: their fixed cost (0.1 s) showed in
    # every batch of a re-run
    has = (
        present.groupby(["doc_id", "part"]).size().unstack(fill_value=0)
        .reindex(index=doc_ids, columns=list(PARTS), fill_value=0)
        > 0
    )  # fmt: skip
    top = sections[sections["parent_section_id"].isna() & sections["part"].isin(PARTS)].sort_values(
        ["doc_id", "order"]
    )
    rank = top["part"].map(PARTS.index).astype("int64")  # int even when no row is left
    goes_back = (rank.groupby(top["doc_id"]).diff() < 0).groupby(top["doc_id"]).any()
    order_ok = ~goes_back.reindex(doc_ids, fill_value=False)
    # sections partition the text, so summing every section of a part counts nothing twice
    in_parts = sections[sections["part"].isin(PARTS)]
    chars = in_parts.groupby(["doc_id", "part"])["n_chars"].sum().unstack(fill_value=0)
    chars = chars.reindex(index=doc_ids, columns=list(PARTS), fill_value=0)
    total = chars.sum(axis=1).replace(0, 1)
    shares = chars.div(total, axis=0)
    short = sections[sections["part"] == "shortcomings"]
    causes = (
        short["text"].str.contains(r"原因|根源|症结", regex=True).groupby(short["doc_id"]).any()
    ).reindex(doc_ids, fill_value=False)
    required = has[["achievements", "shortcomings", "leadership", "next_year"]].sum(axis=1)
    outline = pd.DataFrame(
        {
            **{f"has_{part}": has[part].to_numpy() for part in PARTS},
            "order_ok": order_ok.to_numpy(dtype=bool),
            **{f"share_{part}": shares[part].to_numpy(dtype=float) for part in PARTS},
            "shortcomings_has_causes": causes.to_numpy(dtype=bool),
            "n_sections": sections.groupby("doc_id").size().reindex(doc_ids).to_numpy(),
        },
        index=doc_ids,
    )
    outline["compliance_score"] = (
        20 * required.to_numpy()
        + 10 * outline["order_ok"]
        + 10 * outline["shortcomings_has_causes"]
    ).astype("int64")
    return outline.reset_index()[OUTLINE_COLUMNS]
