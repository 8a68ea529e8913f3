"""Numeric indicators: every count a report gives, with its value, unit, qualifier, subject and
the measure it is a count of.

Three regular expressions (led by an Arabic numeral, a Chinese numeral, or 百分之) find
``[qualifier] number [余/多] [万/亿] unit [以上/左右]`` and percentages; each candidate is then
checked against what is *not* a count: ordinals (第二次), frequencies (每两月1次, governing only
the count they introduce), rankings (全市前十), slogans and programme names (八五普法, 三项制度,
“四个意识”), name parts (PM2.5), Chinese numerals glued into words (统一部署; but 五家企业 is a
count), qualifiers that are the end of a word (乡规民约3项) and the fields of the page's metadata
grid (索引号, 文号, 浏览次数). Units, qualifiers, slogans, verbs and measures are plain data
files in ``reportlib/data``.

Each count is linked to a measure of the catalogue (:mod:`reportlib.measures`, ``measure``,
with its coarse ``category``) or to none; ``is_planned`` marks targets and the next-year part;
``part_of`` points at the total a count breaks down (其中…).

Bounds: ``low``/``high`` equal ``value`` for an exact count; N余/N多 runs to N plus one step of
its last place (二十余万元: 200000 to 300000); 超/逾/以上 leave ``high`` open (NaN), 近/不足
leave ``low`` open; a range keeps both ends (3至5次); 数十/数百 take the order of magnitude as
``value`` (10, 100) with bounds 2× to 9× it.

Offsets index ``documents.text``; the ``sentence`` column gives the context, ``subject`` the
phrase naming what was counted, ``verb`` the action. A paragraph repeated verbatim within a
report yields its indicators again with ``is_duplicate`` set, so totals can skip them.
"""

from __future__ import annotations

import bisect
import math
import operator
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from reportlib.clean import is_metadata_line
from reportlib.measures import (
    Catalogue,
    breakdown_start,
    continues_the_sentence,
    has_breakdown,
    link_measure,
    load_measures,
    parts_of,
    plan_start,
)
from reportlib.numbers import (
    ARABIC_NUMERAL_REST,
    CHINESE_DIGITS,
    CHINESE_NUMERAL_REST,
    NUMERAL,
    parse_numeral,
    scale_of_approximate,
)
from reportlib.patterns import anchored, data_csv, data_lines

__all__ = [
    "INDICATOR_COLUMNS",
    "extract_document_indicators",
    "extract_indicators",
]

INDICATOR_COLUMNS = [
    "doc_id",
    "section_id",
    "part",
    "start",
    "end",
    "surface",
    "value",
    "unit",
    "qualifier",
    "low",
    "high",
    "subject",
    "verb",
    "category",
    "measure",
    "is_planned",
    "part_of",
    "sentence",
    "is_rate",
    "is_duplicate",
]


@cache
def _qualifiers() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {"before": [], "middle": [], "after": [], "word": []}
    for row in data_csv("qualifiers.csv"):
        found[row["position"]].append(row["marker"])
    return {position: sorted(markers, key=len, reverse=True) for position, markers in found.items()}


def _alternation(words: list[str]) -> str:
    """One regular expression matching any of ``words``, the longest where several match.

    Written as a trie ("人(?:次)?|场(?:次)?…"): the regex engine tries alternatives one by one,
    so sharing their prefixes makes a unit list of ninety words cost a few comparisons.

    >>> re.fullmatch(_alternation(["人", "人次", "场次", "场"]), "人次") is not None
    True
    """
    trie: dict[str, dict] = {}
    for word in set(words):
        node = trie
        for character in word:
            node = node.setdefault(character, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(trie)


@cache
def _candidate_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Two patterns: numbers (Arabic or Chinese numerals) with their unit, and 百分之… .

    The first starts with a numeral's first character as a plain set, so the regex engine
    scans ahead to it in C, once over the text for both kinds of numeral; the lookbehinds come
    after that character (a pattern starting with a lookbehind or lookahead is tried at every
    position: twice as slow). Its matches never overlap, so a number never starts inside
    another one ("3千余份" is one count, not also 千余份)."""
    qualifiers = _qualifiers()
    units = _alternation(data_lines("units.txt"))
    middle = _alternation(qualifiers["middle"])
    after = _alternation(qualifiers["after"])
    # spaces may stand between the parts in copied text: "20 余万份", "近 500 万人"
    tail = (
        rf"(?:\s?(?:至|到|-|—|～|~)\s?(?P<number2>{NUMERAL}))?"
        rf"(?:\s?(?P<middle>{middle}))?(?:\s?(?P<multiplier>[万亿]))?"
        rf"\s?(?:(?P<percent>%|‰)|(?P<unit>{units}))(?P<after>{after})?"
    )
    chinese = CHINESE_DIGITS
    # Every way the tail can begin, checked right after the number: most numbers in a page
    # (dates, 索引号, article numbers) fail here at once instead of trying every unit.
    starts = {"至", "到", "-", "—", "～", "~", "万", "亿", "%", "‰"}
    starts.update(word[0] for word in (*qualifiers["middle"], *data_lines("units.txt")))
    tail = rf"(?=\s?[{re.escape(''.join(sorted(starts)))}]){tail}"
    # Not inside a number: "2023" is not read again from "023", nor "1,000" from "000"; a
    # comma after a word is clause punctuation in these pages, so "，14名" starts a count.
    # Never after 第 (第23条, 第8次) or, for Chinese numerals, after “ (“四个意识”).
    arabic = rf"(?<=[0-9０-９])(?<![\d.第]\d)(?<!\d,\d){ARABIC_NUMERAL_REST}"
    chinese_rest = (
        rf"(?<![0-9０-９])(?<![\d{chinese}第“].)"
        rf"(?:(?<=数)[十百千万]+|(?<!数){CHINESE_NUMERAL_REST})"
    )
    # digits as ranges: a set the engine tests in a few instructions (\d asks the Unicode
    # tables at every character of the text)
    return (
        re.compile(rf"(?P<number>[0-9０-９{chinese}数](?:{arabic}|{chinese_rest})){tail}"),
        re.compile(rf"百分之(?P<cnpercent>{NUMERAL})"),
    )


class _Match:
    """One candidate from any of the patterns, its groups as attributes (None where the pattern
    has no such group)."""

    __slots__ = (
        "after",
        "cnpercent",
        "end",
        "match",
        "middle",
        "multiplier",
        "number",
        "number2",
        "number_end",
        "number_start",
        "percent",
        "start",
        "unit",
        "unit_end",
    )

    def __init__(self, match: re.Match[str], fields: _Fields):
        # the groups by position (each attribute's group number, 0 where the pattern has
        # none): a groupdict per candidate costs more than the rest of this
        groups = (None, *match.groups())
        self.match = match
        self.start, self.end = match.span()
        (
            self.number,
            self.number2,
            self.middle,
            self.multiplier,
            self.unit,
            self.after,
            self.percent,
            self.cnpercent,
        ) = fields.pick(groups)
        self.number_start = match.start(fields.number) if self.number else self.start
        self.number_end = match.end(fields.number) if self.number else self.end
        self.unit_end = match.end(fields.unit) if self.unit else -1


_GROUPS = ("number", "number2", "middle", "multiplier", "unit", "after", "percent", "cnpercent")


class _Fields:
    """Where a pattern's groups stand: ``pick`` takes them from a match's groups, in the order
    of ``_GROUPS`` (None for a group the pattern lacks)."""

    def __init__(self, pattern: re.Pattern[str]):
        numbers = [pattern.groupindex.get(name, 0) for name in _GROUPS]
        self.pick = operator.itemgetter(*numbers)
        self.number = numbers[0]
        self.unit = numbers[4]


@cache
def _candidate_fields() -> tuple[_Fields, _Fields]:
    numbers, percents = _candidate_patterns()
    return _Fields(numbers), _Fields(percents)


def _candidates(text: str) -> list[_Match]:
    numbers, percents = _candidate_patterns()
    number_fields, percent_fields = _candidate_fields()
    found = [_Match(m, number_fields) for m in numbers.finditer(text)]
    if "百分之" not in text:
        return found  # in order, never overlapping
    found += [_Match(m, percent_fields) for m in percents.finditer(text)]
    found.sort(key=lambda candidate: (candidate.start, -candidate.end))  # longest first
    kept: list[_Match] = []
    for candidate in found:
        if kept and candidate.start < kept[-1].end:
            continue  # "百分之五十" and a number inside it: one count
        kept.append(candidate)
    return kept


@cache
def _before_pattern() -> re.Pattern[str]:
    """A qualifier written just before a number (近3000人次, 超过60%)."""
    return re.compile(f"(?:{_alternation(_qualifiers()['before'])})\\s?$")


@cache
def _slogan_pattern() -> re.Pattern[str]:
    # the lookahead naming every character a slogan can start with halves the slogan check
    return anchored("|".join(f"(?:{line})" for line in data_lines("slogans.txt")))


@cache
def _verb_pattern() -> re.Pattern[str]:
    return re.compile(_alternation(data_lines("verbs.txt")))


# A Chinese numeral counts only after one of these: a clause boundary, a qualifier, or a word
# that introduces a count. Anything else glues the numeral into a word (统一, 万一, 唯一).
_CHINESE_CONTEXT = anchored(
    r"(?:[，,。；;：:、（(“\s]|共|累计|合计|共计|总计|达|了|有|为|计|设|及|和|与|等|的|分|其中|全年|"
    r"开展|举办|组织|召开|发放|办理|化解|调解|受理|培训|建成|建立|成立|设立|配备|聘请|覆盖|涉及|"
    r"参加|参与|处理|查处|审查|出具|提供|接待|走访|完成|新增|增加|减少|入选|获得|获评|评选|开通|打造|"
    r"举行|进行|制定|出台|修订|清理|公开|发布|录制|张贴|悬挂|印发|推送|下发)$"
)
# "一" used as an article: 一批制度, 一项工作, 一次性, 一起 (together), 一处 (one place, vague)
_ARTICLE = re.compile(r"一(?:批|项|起|支|系列|些|定|道|体|线|律|致|同|方面|步|点|把|张网|站)")
# 每年/每月 … make a count a frequency; 每个团队/每村 … make it a per-unit norm ("每个村配备1名
# 法律顾问" is a rule, not a count of lawyers)
_PER_PERIOD = re.compile(
    r"每(?:年|月|季度?|周|天|日|半年|[两三四五六]个?月|次|届"
    r"|个|名|位|户|村|人|家|所|镇|乡|社区|单位|部门|团队|案件?)"
)
_REJECTED_HEAD = anchored(
    r"(?:第|前|(?<!先)后|排名|排名第|位列|位居|名列)\s?$"  # 第二次, 全市前十, 排名第5 (先后: one after another)
    r"|每[^，,。；;]{0,3}$"  # 每两月1次
    r"|[A-Za-z0-9.．·]$"  # PM2.5, 3·15
    r"|(?:浏览|点击|阅读|访问)(?:次数|量)?\s?[:：]?\s?$"  # 浏览:5072次 counts page views
)
_NOT_A_UNIT_AFTER = re.compile(
    r"^(?:处理|处罚|期间|条例|面积|名单(?!位)|所属|批准|类别|种类|部门|间隔|门槛)"
    # 分 is a score ("得分92.6分") only at a word's end: not 分钟, 三分之一, 十分重要
    r"|^分(?!以上|以下|左右)[\u4e00-\u9fff]"
)
_DATE_AFTER = re.compile(r"^(?:年|月|日|号|届|周年|岁)")
_CLAUSE_BOUNDARY = re.compile(r"[，,。！？!?；;：:、\n（）()“”]")
# words that open or close a subject without naming anything: "共计", "累计…达"
_SUBJECT_LEAD = re.compile(
    r"(?:共计|共|累计|合计|总计|全年|各类|各级|相关|了|等|其中|先后|分别|已|均|新|还|的)+"
)
_SUBJECT_TAIL = "共计|共|累计|合计|总计|达到|达|为|约|近|超过|超|逾|等|的|了|分别|总数|数量|人数"
# matched on the reversed subject: a pattern ending in $ would be tried at every position
_SUBJECT_TAIL_REVERSED = re.compile(
    "(?:" + "|".join(word[::-1] for word in _SUBJECT_TAIL.split("|")) + ")+"
)


def _trim_subject(subject: str) -> str:
    """``subject`` without the words that open or close it without naming anything.

    >>> _trim_subject("共计开展执法检查共计"), _trim_subject("各类矛盾纠纷总数达")
    ('开展执法检查', '矛盾纠纷')
    """
    lead = _SUBJECT_LEAD.match(subject)
    if lead:
        subject = subject[lead.end() :]
    tail = _SUBJECT_TAIL_REVERSED.match(subject[::-1])
    return subject[: len(subject) - tail.end()] if tail else subject


@dataclass(slots=True)
class _Found:
    start: int
    end: int
    surface: str
    value: float
    unit: str
    qualifier: str
    low: float
    high: float
    is_rate: bool


_MULTIPLIERS = {"万": 1e4, "亿": 1e8}


def _read_candidate(text: str, match: _Match) -> _Found | None:
    """Turn one regex match into an indicator, or None when it is not a count."""
    start, end = match.start, match.end
    before = _before_pattern().search(text, max(0, start - 3), start)
    qualifier_before = ""
    if before and not _qualifier_inside_a_word(text, before.start(), before.end()):
        qualifier_before = before.group().strip()
        start = before.start()
    if match.after in ("余", "多") and _CJK_AT.match(text, match.end):
        # "3场多元解纷培训", "2次多部门联合执法": 多 opens the next word, it qualifies nothing
        end = match.end - len(match.after)
        match.after = None
        match.end = end
    if match.percent or match.cnpercent:
        numeral = match.number or match.cnpercent
        value = parse_numeral(numeral)
        if value is None:
            return None
        qualifier = qualifier_before or match.middle or match.after or ""
        high_value = parse_numeral(match.number2) if match.number2 else None
        low, high = _bounds(value, qualifier, step=0.0, high=high_value)
        unit = "‰" if match.percent == "‰" else "%"
        return _Found(start, end, text[start:end], value, unit, qualifier, low, high, True)
    numeral = match.number
    unit = match.unit
    if numeral.startswith("数"):
        magnitude = parse_numeral(numeral[1:].replace("十", "十") if numeral[1:] != "十" else "十")
        value = magnitude or 0.0
        qualifier = "数"
    else:
        parsed = parse_numeral(numeral)
        if parsed is None:
            return None
        value = parsed
        qualifier = ""
    multiplier = _MULTIPLIERS.get(match.multiplier or "", 1.0)
    if unit in ("万元", "亿元"):
        multiplier *= 1e4 if unit == "万元" else 1e8
        unit = "元"
    value *= multiplier
    high_value = None
    if match.number2:
        second = parse_numeral(match.number2)
        high_value = second * multiplier if second is not None else None
    qualifier = qualifier or qualifier_before or match.middle or match.after or ""
    step = 0.0
    if qualifier in ("余", "多"):
        step = scale_of_approximate(numeral) * multiplier
    if qualifier == "数":
        low, high = 2 * value, 9 * value
    else:
        low, high = _bounds(value, qualifier, step=step, high=high_value)
    is_rate = unit in ("个百分点", "百分点")
    return _Found(start, end, text[start:end], value, unit, qualifier, low, high, is_rate)


_CJK_AT = re.compile(r"[\u4e00-\u9fff]")
_POINTS = frozenset(("个百分点", "百分点"))
# how far before a count its thing may be named: further back lie other clauses' things
_CLAUSE_REACH = 32
# the words after a count that may name what it counts end at a list comma or the next number
_AFTER_STOP = re.compile(r"、|[0-9](?![0-9]*年)")  # a year is no count: "纳入2025年度…目录"


def _qualifier_inside_a_word(text: str, start: int, end: int) -> bool:
    """Whether the qualifier at text[start:end] is the end of a longer word ("修订乡规民约3项");
    the words are the ``word`` rows of qualifiers.csv."""
    return any(
        len(word) > end - start and text.endswith(word, max(0, end - len(word)), end)
        for word in _qualifiers()["word"]
    )


def _bounds(
    value: float, qualifier: str, *, step: float, high: float | None
) -> tuple[float, float]:
    """Low and high bounds; NaN where the text leaves a side open (超3000 has no high)."""
    if high is not None:
        return value, high
    if qualifier in ("余", "多"):
        return value, value + step
    if qualifier in ("超", "超过", "逾", "以上"):
        return value, math.nan
    if qualifier in ("近", "不足", "不到", "以内", "以下"):
        return math.nan, value
    return value, value  # exact, 约, 左右


def _is_count_context(text: str, match: _Match, found: _Found) -> bool:
    """Reject ordinals, rankings, name parts, dates, glued Chinese numerals, articles, names.

    Only looks at the few characters around the number; frequencies, which need the clause,
    are checked afterwards by :func:`_is_frequency` for the candidates that pass.
    """
    number_start = match.number_start
    head = text[max(0, number_start - 6) : number_start]
    if _REJECTED_HEAD.search(head):
        return False  # ordinal, ranking, frequency, name part (PM2.5) or page counter
    numeral = match.number or match.cnpercent or ""
    if _DATE_AFTER.match(text, match.number_end):
        return False
    if match.unit and _NOT_A_UNIT_AFTER.match(text[match.unit_end - 1 : match.unit_end + 2]):
        return False
    if numeral in ("百", "千", "万") and not match.middle and not found.qualifier:
        return False  # 百名法学家百场报告会, 千村示范, 万人助万企: names; 万余人, 近百名 are counts
    is_chinese = numeral and not numeral[0].isdigit()
    # a single Chinese digit can be part of a word (统一, 万一); longer numerals (三十二),
    # 万余/千余 and qualified ones cannot, so only single digits need a counting context
    needs_context = len(numeral) == 1 and not match.middle
    if is_chinese and needs_context and not found.qualifier and not match.cnpercent:
        # a count that closes its clause ("配备工作人员八名。") needs no introducing word
        closes_clause = match.end >= len(text) or text[match.end] in _CLAUSE_END
        if (
            not closes_clause
            and not _CHINESE_CONTEXT.search(text[max(0, number_start - 4) : number_start])
            and number_start
            and not (numeral != "一" and _TWO_HAN.match(text, match.end))
        ):
            # "对五家企业", "三轮检查": a numeral, a counter and a noun count something;
            # slogans ("三项制度", "两个维护") are ruled out by the slogan list afterwards
            return False
        if _ARTICLE.match(text, number_start):
            return False
    return True


_CLAUSE_END = frozenset("，,。；;、")
# two Chinese characters: a noun after a Chinese numeral's counter, a list item's own words
_TWO_HAN = re.compile(r"[\u4e00-\u9fff]{2}")


def _is_frequency(text: str, match: _Match, *, scope_start: int, sentence_start: int) -> bool:
    """A count under 每… in its clause ("每年开展法治宣传教育6次"), or 一次 under 每… in its
    sentence ("每半年听取一次汇报,召开一次会议")."""
    number_start = match.number_start
    last = None
    for found in _PER_PERIOD.finditer(text, max(scope_start, number_start - 40), number_start):
        last = found
    # a 每… governs the count it introduces, not a later one of the same clause
    # ("按每季度1次的频次…全年开展学习6次": 6次 is the year's count)
    if last is not None and not _OWN_COUNT_BETWEEN.search(text, last.end(), number_start):
        return True
    numeral = match.number or match.cnpercent or ""
    return numeral == "一" and bool(
        _PER_PERIOD.search(text, max(sentence_start, number_start - 120), number_start)
    )


# what stands between a 每… and a count it does not govern: another number, or a total's word
_OWN_COUNT_BETWEEN = re.compile(
    r"\d|[一二两三四五六七八九十][次场个件名人项期]|全年|累计|共计|合计|总计|年内"
)
_FOLLOWING_NOUN = re.compile(r"[\u4e00-\u9fff]{1,12}")
_JOINER = re.compile(r"[的和及与]")


_LIST_MARKER = re.compile(
    r"^(?:\d{1,2}[.、．]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）])\s*"
)
_LIST_MARKER_FIRST = frozenset("0123456789一二三四五六七八九十（(")
# Words that end a noun phrase after a count: adverbs and common predicates.
_NOUN_STOP = re.compile(
    r"全部|均|都|已|分别|共|参加|参与|建成|完成|实现|获得|被|在|于|是|持证|进行|接受|得到|达到|"
    r"纳入|开通|配备|覆盖|入驻|设立|落实|参训|到场|出席|列席|受益|上岗"
)


# Places and bodies named by one character that a count after 个/所/家 often refers to.
_ONE_CHARACTER_NOUNS = frozenset("村镇乡户校所站院店厂矿社组")


def _cut_at_verb(noun: str) -> str:
    """The noun phrase at the start of ``noun``: "执法人员全部持证上岗" → "执法人员"."""
    for pattern in (_verb_pattern(), _NOUN_STOP):
        cut = pattern.search(noun)
        if cut and cut.start() >= 1:
            noun = noun[: cut.start()]
    return _JOINER.split(noun)[0]


def _subject_and_verb(
    text: str, found: _Found, clause_start: int, clause_end: int
) -> tuple[str, str]:
    """The counted thing and the action: "开展执法检查60余次" → (执法检查, 开展);
    "全乡3名执法人员" → (执法人员, ''); "化解率达99%" → (化解率, '')."""
    before = text[clause_start : found.start]
    after = text[found.end : clause_end]
    if found.is_rate:
        trimmed = _trim_subject(before.strip())
        if trimmed.endswith("率"):
            # "矛盾纠纷化解率达99%": the whole rate name, verbs inside it included
            return trimmed[-16:], ""
    # the first verb of the clause introduces the counted thing: in "开展执法检查60余次" 检查
    # is part of the subject, not a second action
    first_verb = _verb_pattern().search(before)
    verbs = [first_verb] if first_verb else []
    verb = first_verb.group() if first_verb else ""
    subject_before = before[first_verb.end() :] if first_verb else before
    subject_before = _trim_subject(subject_before.strip())
    # "3名执法人员", "8个行政村": a noun right after the unit is what was counted
    if found.is_rate and after.startswith("的"):
        # "超过60%的村": the share is of what follows 的
        noun = _FOLLOWING_NOUN.match(after, 1)
        if noun:
            return _cut_at_verb(noun.group()), verb
    following = _FOLLOWING_NOUN.match(after)
    if following and not found.is_rate:
        noun = _cut_at_verb(following.group())
        if noun in _ONE_CHARACTER_NOUNS:
            return noun, verb  # "8个村分别建立…": villages were counted
        if len(noun) >= 2 and not subject_before:
            return noun, verb
        if len(noun) >= 2 and found.unit in ("个", "名", "家", "户", "所", "位", "支", "座", "处"):
            return noun, verb
    if not subject_before and not verb and verbs == []:
        return "", ""
    return subject_before[-16:], verb


_SLOGAN_REACH = 14  # a slogan or quoted name around a number starts at most this far before it


def _in_slogan(text: str, start: int, end: int) -> bool:
    """Whether [start, end) overlaps a slogan, programme name or short quoted name.

    Searched in a window around the number only: scanning whole texts for slogans would cost
    more than everything else the extractor does.
    """
    window_start = max(0, start - _SLOGAN_REACH)
    for slogan in _slogan_pattern().finditer(
        text, window_start, min(len(text), end + _SLOGAN_REACH)
    ):
        if slogan.start() >= end:
            return False  # the later ones start after the number too
        if slogan.end() > start:
            return True
    return False


# Sentences, scopes and clauses never cross a line: a newline ends every one of them.
_SENTENCE_BOUNDARY = re.compile(r"[。！？!?；;\n]")
_SCOPE_BOUNDARY = re.compile(r"[，,。；;：:\n]")


def _mark_from(text: str, marks: re.Pattern[str], position: int) -> int:
    """The offset of the first of ``marks`` at or after ``position``, or the text's length."""
    found = marks.search(text, position)
    return found.start() if found else len(text)


def _mark_before(reversed_text: str, marks: re.Pattern[str], position: int) -> int:
    """The offset of the last of ``marks`` before ``position`` in the text that
    ``reversed_text`` reverses, or -1: one forward search of the reversed text.

    >>> text = "开展培训3次,发放资料200份。"
    >>> _mark_before(text[::-1], _SCOPE_BOUNDARY, text.index("200"))
    6
    """
    found = marks.search(reversed_text, len(reversed_text) - position)
    return len(reversed_text) - 1 - found.start() if found else -1


class _ParagraphRepeats:
    """Which lines repeat an earlier line of the same text verbatim (seed 004 repeats two
    paragraphs), ignoring a list number that may change ("4.聚焦…" then "5.聚焦…").

    Lines are compared only when asked about: a line whose text occurs once in the whole
    document cannot be a repeat, and that test is one C-level count; the full line-by-line
    pass is made only for documents that may hold a repeat.
    """

    def __init__(self, text: str):
        self.text = text
        self.repeat_of_line: dict[int, bool] | None = None
        self.answered: dict[int, bool] = {}

    @staticmethod
    def _core(line: str) -> str:
        stripped = line.strip()
        if stripped[:1] in _LIST_MARKER_FIRST:
            stripped = _LIST_MARKER.sub("", stripped)
        return stripped

    def is_repeat(self, line_start: int) -> bool:
        if self.repeat_of_line is not None:
            return self.repeat_of_line[line_start]
        if line_start in self.answered:
            return self.answered[line_start]
        line_end = self.text.find("\n", line_start)
        core = self._core(self.text[line_start : line_end if line_end >= 0 else len(self.text)])
        if len(core) < _MIN_REPEAT or self.text.count(core) < 2:
            self.answered[line_start] = False
            return False
        self.repeat_of_line = {}
        seen: set[str] = set()
        position = 0
        for line in self.text.split("\n"):
            core = self._core(line)
            self.repeat_of_line[position] = len(core) >= _MIN_REPEAT and core in seen
            seen.add(core)
            position += len(line) + 1
        return self.repeat_of_line[line_start]


_MIN_REPEAT = 20  # shorter lines (headings, 一是…) repeat by chance


def extract_document_indicators(
    text: str, *, measures: Catalogue | None = None
) -> list[dict[str, object]]:
    """Indicators of one text (no doc_id/section columns), each linked to a measure of
    ``measures`` (:func:`reportlib.measures.load_measures` when not given) or to none.

    ``is_planned`` here says only whether the sentence makes the count a plan (计划/力争/将…);
    :func:`extract_indicators` adds the counts of the next-year part. ``part_of`` is the
    ``start`` of the total a count breaks down (其中/包括…), or None.

    Examples
    --------
    >>> rows = extract_document_indicators("通过举办法治讲座4次、发放小册子2000余册,化解率达99%。")
    >>> [(r["surface"], r["value"], r["unit"], r["qualifier"], r["subject"]) for r in rows]
    [('4次', 4.0, '次', '', '法治讲座'), ('2000余册', 2000.0, '册', '余', '小册子'), ('99%', 99.0, '%', '', '化解率')]
    """
    catalogue = load_measures() if measures is None else measures
    return [dict(zip(_ROW_COLUMNS, row, strict=True)) for row in _document_rows(text, catalogue)]


def _list_item(clause: str) -> tuple[str, str]:
    """``clause`` split into the earlier items of a list of counts and the count's own item
    (``("", clause)`` when it is no such item): the own item names what the count counts,
    before its number ("执法人员18名、协管员") or, when it is empty, after it ("…学习、" + "1期读书班").

    >>> _list_item("现有执法人员18名、协管员"), _list_item("1名常年法律顾问和")
    (('现有执法人员18名、', '协管员'), ('1名常年法律顾问和', ''))
    >>> _list_item("审查规范性文件、合同")
    ('', '审查规范性文件、合同')
    """
    # "1名常年法律顾问和2名兼职法治员": a joiner right before the number opens a new item
    listed = len(clause) - 1 if clause[-1:] in _JOINERS else clause.rfind("、")
    if (
        listed > 0
        and _DIGIT.search(clause, 0, listed)
        and (listed == len(clause) - 1 or _TWO_HAN.search(clause, listed + 1))
    ):
        return clause[: listed + 1], clause[listed + 1 :]
    return "", clause


_JOINERS = frozenset("、和及与")
_DIGIT = re.compile(r"[0-9０-９]")


# A row of one document's indicators: INDICATOR_COLUMNS after doc_id, section_id and part, as
# a list (a dict per count costs more than reading the count; extract_indicators never needs
# one).
_ROW_COLUMNS = INDICATOR_COLUMNS[3:]
_START, _VALUE, _UNIT, _SUBJECT, _CATEGORY, _MEASURE, _IS_PLANNED, _PART_OF, _SENTENCE = (
    _ROW_COLUMNS.index(name)
    for name in (
        "start",
        "value",
        "unit",
        "subject",
        "category",
        "measure",
        "is_planned",
        "part_of",
        "sentence",
    )
)


def _document_rows(text: str, catalogue: Catalogue) -> list[list[object]]:
    """The indicators of ``text`` as rows of ``_ROW_COLUMNS``."""
    rows: list[list[object]] = []
    sentence_of_row: list[int] = []
    repeats = _ParagraphRepeats(text)
    # the marks around a count are searched for from it, forwards in the text and backwards in
    # its reverse: a long paragraph with one count costs no more than a short one
    reversed_text = text[::-1]
    metadata_lines: dict[int, bool] = {}
    plan_of_sentence: dict[int, int | None] = {}
    sentence_start = sentence_end = 0
    sentence = ""
    for match in _candidates(text):
        found = _read_candidate(text, match)
        if found is None or not _is_count_context(text, match, found):
            continue
        line_start = text.rfind("\n", 0, found.start) + 1
        if line_start not in metadata_lines:
            line_end = text.find("\n", line_start)
            line_end = len(text) if line_end < 0 else line_end
            metadata_lines[line_start] = line_end - line_start <= 200 and is_metadata_line(
                text[line_start:line_end]
            )
        if metadata_lines[line_start]:
            continue  # 索引号, 文号, 发布时间, 浏览次数: the page's numbers, not the report's
        if not sentence_start <= found.start < sentence_end - 1:
            # most sentences hold several counts: their bounds are found once
            sentence_start = _mark_before(reversed_text, _SENTENCE_BOUNDARY, found.start) + 1
            sentence_end = _mark_from(text, _SENTENCE_BOUNDARY, found.start) + 1
            sentence = text[sentence_start:sentence_end].strip()
        scope_start = _mark_before(reversed_text, _SCOPE_BOUNDARY, found.start) + 1
        if _is_frequency(text, match, scope_start=scope_start, sentence_start=sentence_start):
            continue
        if _in_slogan(text, found.start, found.end):
            continue
        clause_start = max(
            _mark_before(reversed_text, _CLAUSE_BOUNDARY, found.start) + 1, sentence_start
        )
        clause_end = min(_mark_from(text, _CLAUSE_BOUNDARY, found.end), sentence_end)
        subject, verb = _subject_and_verb(text, found, clause_start, clause_end)
        if subject.startswith("率") and verb:
            subject = verb + subject  # "办结率99.3%": the rate of the action
        if not subject and verb and rows and rows[-1][_SENTENCE] == sentence and rows[-1][_SUBJECT]:
            # "受理行政复议申请11件,办结9件": the second count is of the same thing
            subject = str(rows[-1][_SUBJECT])
        if found.is_rate is False and subject.endswith("率"):
            found.is_rate = True
        # the thing counted is named in its clause, or after the unit ("配备3名执法人员",
        # "组织3场法治培训"); the action may stand earlier in the sentence
        scope_end = min(_mark_from(text, _SCOPE_BOUNDARY, found.end), sentence_end)
        before = text[sentence_start : found.start]
        # a difference in percentage points is a change, never the value of a measure
        unit = "" if found.unit in _POINTS else "%" if found.is_rate else found.unit
        clause = text[max(scope_start, found.start - _CLAUSE_REACH) : found.start]
        context, clause = _list_item(clause)
        after = _AFTER_STOP.split(text[found.end : scope_end][:24], maxsplit=1)[0]
        # the rest of the sentence may name the action ("召开专题党委会4次,开展法治督察…"),
        # but not a breakdown of the count: "学习16次，其中专题学法5次" is no law study in all
        breakdown = breakdown_start(text, found.end, sentence_end)
        rest = text[found.end : sentence_end if breakdown is None else breakdown]
        measure = link_measure(
            catalogue,
            unit=unit,
            clause=clause,
            after=after,
            before=before,
            context=context,
            rest=rest,
        )
        if not measure and context and catalogue.names_a_thing(unit, clause):
            # "审查合同54份、规范性文件2件": the item's thing is ruled out as a measure of its
            # own, and the verb before the list says what its count is of
            clause = context + clause
            measure = link_measure(
                catalogue, unit=unit, clause=clause, after=after, before=before, rest=rest
            )
        if (
            not measure
            # a sentence naming nothing this unit may count has nothing to continue
            and catalogue.names_a_thing(unit, before)
            and continues_the_sentence(catalogue, unit=unit, clause=clause, after=after)
        ):
            # "受理信访案件152起,已办结146起", "组织法治培训40场次,覆盖800余人次": a clause
            # that names no new thing or activity counts what the sentence named before it
            measure = link_measure(
                catalogue, unit=unit, clause=before, after="", before=before, rest=rest
            )
        if sentence_start not in plan_of_sentence:
            plan_of_sentence[sentence_start] = plan_start(text, sentence_start, sentence_end)
        planned_from = plan_of_sentence[sentence_start]
        sentence_of_row.append(sentence_start)
        rows.append(
            [
                found.start,
                found.end,
                found.surface,
                found.value,
                found.unit,
                found.qualifier,
                found.low,
                found.high,
                subject,
                verb,
                catalogue.categories.get(measure, ""),
                measure,
                planned_from is not None and planned_from < found.start,
                None,  # part_of, set by _mark_parts
                sentence,
                found.is_rate,
                repeats.is_repeat(line_start),
            ]
        )
    _mark_parts(rows, sentence_of_row, text, units_of=catalogue.units_of)
    return rows


def _mark_parts(
    rows: list[list[object]],
    sentence_of_row: list[int],
    text: str,
    *,
    units_of: dict[str, frozenset[str]],
) -> None:
    """Set ``part_of`` on the counts that break down a total of their sentence (``units_of``
    maps a measure id to its unit family)."""
    first = 0
    while first < len(rows):
        last = first
        while last + 1 < len(rows) and sentence_of_row[last + 1] == sentence_of_row[first]:
            last += 1
        if last > first and has_breakdown(
            text,
            int(rows[first][_START]),  # type: ignore[call-overload]
            int(rows[last][_START]),  # type: ignore[call-overload]
        ):
            group = rows[first : last + 1]
            starts = [int(row[_START]) for row in group]  # type: ignore[call-overload]
            units = [str(row[_UNIT]) for row in group]
            totals = parts_of(
                starts,
                units,
                text=text,
                families=[
                    units_of.get(str(row[_MEASURE]), frozenset({unit}))
                    for row, unit in zip(group, units, strict=True)
                ],
                values=[float(row[_VALUE]) for row in group],  # type: ignore[arg-type]
                measures=[str(row[_MEASURE]) for row in group],
            )
            by_start = dict(zip(starts, group, strict=True))
            for row, total in zip(group, totals, strict=True):
                row[_PART_OF] = total
                if total is not None and by_start[total][_MEASURE]:
                    # "法律援助案件486件,其中刑事案件132件": a part counts what its total counts
                    row[_MEASURE] = by_start[total][_MEASURE]
                    row[_CATEGORY] = by_start[total][_CATEGORY]
        first = last + 1


def extract_indicators(
    documents: pd.DataFrame,
    *,
    sections: pd.DataFrame | None = None,
    measures: Catalogue | None = None,
) -> pd.DataFrame:
    """Extract the indicators of every document.

    Parameters
    ----------
    documents
        The documents table (``doc_id``, ``text``).
    sections
        Its sections table; computed with :func:`reportlib.split_sections` when not given, so
        every indicator carries its ``section_id`` and ``part``.
    measures
        The measure catalogue (:func:`reportlib.measures.load_measures`, the default).

    Returns
    -------
    pandas.DataFrame
        Columns ``doc_id, section_id, part, start, end, surface, value, unit, qualifier, low,
        high, subject, verb, category, measure, is_planned, part_of, sentence, is_rate,
        is_duplicate``. ``measure`` is a measure id or ''; ``is_planned`` marks targets and the
        next-year part; ``part_of`` is the ``start`` of the total a count breaks down.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "report_year": [2023],
    ...                      "text": ["一、主要举措和成效\\n开展执法检查60余次,全乡3名执法人员。"]})
    >>> extract_indicators(docs)[["section_id", "part", "surface", "subject"]].values.tolist()
    [['a:0', 'achievements', '60余次', '执法检查'], ['a:0', 'achievements', '3名', '执法人员']]
    """
    if sections is None:
        from reportlib.sections import split_sections

        sections = split_sections(documents)
    # Plain lists per document, built in one pass: pandas indexing per indicator costs more
    # than reading the indicators. The frames are read without their attrs (a build's problems
    # list), which pandas would deep-copy for every column read.
    documents = pd.DataFrame(documents)
    outline: dict[str, tuple[list[int], list[str], list[str]]] = {}
    sections = pd.DataFrame(sections)
    # .tolist() converts a whole Arrow-backed column at once; iterating it goes item by item
    for doc_id, start, section_id, part in zip(
        sections["doc_id"].tolist(),
        sections["start"].tolist(),
        sections["section_id"].tolist(),
        sections["part"].tolist(),
        strict=True,
    ):
        starts, section_ids, parts = outline.setdefault(doc_id, ([], [], []))
        starts.append(int(start))
        section_ids.append(section_id)
        parts.append(part)
    for doc_id, (starts, section_ids, parts) in outline.items():
        if starts != sorted(starts):
            # split_sections writes them in order; a table from elsewhere may not be
            order = sorted(range(len(starts)), key=starts.__getitem__)
            outline[doc_id] = (
                [starts[i] for i in order],
                [section_ids[i] for i in order],
                [parts[i] for i in order],
            )
    measures = load_measures() if measures is None else measures
    # the table is built column by column, one document's rows at a time
    columns: list[list[object]] = [[] for _ in INDICATOR_COLUMNS]
    for doc_id, text in zip(documents["doc_id"].tolist(), documents["text"].tolist(), strict=True):
        found = _document_rows(text, measures)
        if not found:
            continue
        starts, section_ids, parts = outline.get(doc_id, ([], [], []))
        if starts:
            at = [max(bisect.bisect_right(starts, row[_START]) - 1, 0) for row in found]
            found_sections: list[object] = [section_ids[i] for i in at]
            found_parts: list[object] = [parts[i] for i in at]
        else:
            found_sections = found_parts = [None] * len(found)
        for row, part in zip(found, found_parts, strict=True):
            if part == "next_year":
                row[_IS_PLANNED] = True
        columns[0].extend([doc_id] * len(found))
        columns[1].extend(found_sections)
        columns[2].extend(found_parts)
        for column, values in zip(columns[3:], zip(*found, strict=True), strict=True):
            column.extend(values)
    # typed arrays built from the columns: converting a frame's columns afterwards costs more
    data: dict[str, object] = {}
    for name, values in zip(INDICATOR_COLUMNS, columns, strict=True):
        dtype = _COLUMN_TYPES.get(name)
        if dtype == "Int64":
            data[name] = pd.array(values, dtype="Int64")
        else:
            data[name] = np.array(values, dtype=dtype or object)
    return pd.DataFrame(data, columns=INDICATOR_COLUMNS)


_COLUMN_TYPES = {
    "start": "int64",
    "end": "int64",
    "value": "float64",
    "low": "float64",
    "high": "float64",
    "is_rate": bool,
    "is_duplicate": bool,
    "is_planned": bool,
    "part_of": "Int64",
}
