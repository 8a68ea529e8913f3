"""Measures: what a count is a count of, so that tables compare like with like.

A count is comparable across reports only when it is linked to a **measure**: one defined
quantity with one unit family (the catalogue, with fixed ids, is ``docs/MEASURES.md``; its rows
and linking patterns are ``reportlib/data/measures.csv``, which users can extend). A count is
linked to the first measure whose unit family holds its unit, whose *thing* is named in the
count's clause (or right after its unit) and whose *action*, if it has one, is named in the
sentence (before the count, or after it up to a breakdown of it); a measure's *not* pattern in
the clause rules it out. A count that fits no
measure stays unlinked: it is a mention, never summed or averaged.

This module also says which counts are plans (:func:`is_planned`) and which are parts of a
total given in the same sentence (:func:`parts_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reportlib.errors import DataFileError
from reportlib.patterns import anchored, data_csv, first_characters

__all__ = [
    "Catalogue",
    "Measure",
    "breakdown_start",
    "continues_the_sentence",
    "has_breakdown",
    "is_planned",
    "link_measure",
    "load_measures",
    "parts_of",
    "plan_start",
]


@dataclass(frozen=True)
class Measure:
    """One row of the measure catalogue.

    ``units`` is the unit family (measure words, or ``%`` for a rate); ``thing``, ``action``
    and ``exclude`` are the compiled linking patterns (``action``/``exclude`` may be None).
    """

    id: str
    name: str
    units: frozenset[str]
    thing: re.Pattern[str]
    action: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    definition: str
    category: str = ""

    # the thing pattern behind a greedy ``.*``: one match call finds its last occurrence
    last_thing: re.Pattern[str] = field(init=False, repr=False, compare=False)
    # the characters a thing can start with (None: any): a text holding none of them cannot
    # name the thing, which one set test tells before any regex runs
    thing_starts: frozenset[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # load_measures compiles the thing with anchored(): its lookahead makes each position
        # the greedy .* backs off to fail at one character test
        object.__setattr__(self, "last_thing", re.compile(f"(?s:.*)(?:{self.thing.pattern})"))
        starts = first_characters([self.thing.pattern])
        object.__setattr__(self, "thing_starts", None if starts is None else frozenset(starts))

    @property
    def is_rate(self) -> bool:
        return self.units == frozenset({"%"})


class Catalogue:
    """The measures, in linking order, with what linking asks of them worked out once: the
    measures each unit may count and one pattern per unit that finds any of their things (a
    count whose clause names none of them is settled without trying each measure).

    Iterating gives the :class:`Measure` rows. Build it with :func:`load_measures` and pass it
    down.
    """

    def __init__(self, measures: tuple[Measure, ...]):
        self.measures = measures
        units: dict[str, list[Measure]] = {}
        for measure in measures:
            for unit in sorted(measure.units):
                units.setdefault(unit, []).append(measure)
        self.by_unit = {unit: tuple(found) for unit, found in units.items()}
        self.any_thing = {
            unit: anchored("|".join(f"(?:{m.thing.pattern})" for m in found))
            for unit, found in self.by_unit.items()
        }
        # a thing of any measure of cases, documents or events, closing a clause: the clause
        # counts that (rates name no thing, people may be those an activity reached)
        self.ends_in_a_thing = anchored(
            "(?:"
            + "|".join(
                f"(?:{m.thing.pattern})"
                for m in measures
                if not m.is_rate and m.units.isdisjoint(_PEOPLE)
            )
            + ")(?:案件|申请)?$"
        )
        self.units_of: dict[str, frozenset[str]] = {}
        self.names: dict[str, str] = {}
        self.categories: dict[str, str] = {}
        for measure in measures:
            self.units_of[measure.id] = self.units_of.get(measure.id, frozenset()) | measure.units
            self.names.setdefault(measure.id, measure.name)
            self.categories.setdefault(measure.id, measure.category)

    def __iter__(self):
        return iter(self.measures)

    def __len__(self) -> int:
        return len(self.measures)

    def rules_out(self, measure: str, unit: str, text: str) -> bool:
        """Whether every row of ``measure`` that counts in ``unit`` has a ``not`` pattern
        found in ``text``: what ``text`` names is no instance of that measure."""
        rows = [m for m in self.by_unit.get(unit, ()) if m.id == measure]
        return bool(rows) and all(
            m.exclude is not None and m.exclude.search(text) is not None for m in rows
        )

    def names_a_thing(self, unit: str, text: str) -> bool:
        """Whether ``text`` names something a measure of ``unit`` counts."""
        pattern = self.any_thing.get(unit)
        return pattern is not None and pattern.search(text) is not None


def _compile(pattern: str, *, measure: str, column: str, source: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return anchored(pattern)
    except re.error as error:
        raise DataFileError(
            f"measure {measure}: bad {column} pattern {pattern!r}: {error}", path=source
        ) from error


def load_measures(*extra: str | Path, builtin: bool = True) -> Catalogue:
    """The measures, in linking order: ``reportlib/data/measures.csv``, then the rows of each
    ``extra`` file of the same shape (``id,name,category,units,thing,action,not,definition``;
    ``#`` lines are comments). An id may have several rows (several wordings of one measure).
    ``builtin=False`` leaves the built-in catalogue out (a file of one's own alone).

    Load once and pass the result down (:func:`reportlib.extract_indicators` takes it).

    Examples
    --------
    >>> measures = load_measures()
    >>> [m.id for m in measures if m.id in ("行政复议", "出庭应诉率")]
    ['出庭应诉率', '行政复议']
    >>> next(m for m in measures if m.id == "出庭应诉率").is_rate
    True
    """
    import csv

    sources: list[tuple[list[dict[str, str]], str]] = []
    if builtin:
        sources.append((data_csv("measures.csv"), "reportlib/data/measures.csv"))
    for path in extra:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        rows = list(csv.DictReader(line for line in lines if line and not line.startswith("#")))
        sources.append((rows, str(path)))
    names: dict[str, str] = {}  # across the files: an id keeps one name
    return Catalogue(
        tuple(m for rows, source in sources for m in _measures_of(rows, source, names=names))
    )


def _measures_of(
    rows: list[dict[str, str]], source: str, *, names: dict[str, str]
) -> list[Measure]:
    measures = []
    for row in rows:
        measure = (row.get("id") or "").strip()
        if not measure:
            raise DataFileError("a measure row without an id", path=source)
        name = row.get("name", "") or measure
        if names.setdefault(measure, name) != name:
            # several rows of one id are several wordings of one measure, never two measures
            raise DataFileError(
                f"measure {measure}: two names, {names[measure]} and {name}", path=source
            )
        thing = _compile(row.get("thing", ""), measure=measure, column="thing", source=source)
        if thing is None:
            raise DataFileError(f"measure {measure}: no thing pattern", path=source)
        measures.append(
            Measure(
                id=measure,
                name=name,
                units=frozenset(u for u in (row.get("units") or "").split("|") if u),
                thing=thing,
                action=_compile(
                    row.get("action", ""), measure=measure, column="action", source=source
                ),
                exclude=_compile(row.get("not", ""), measure=measure, column="not", source=source),
                definition=row.get("definition", ""),
                category=row.get("category", ""),
            )
        )
    return measures


def link_measure(
    catalogue: Catalogue,
    *,
    unit: str,
    clause: str,
    after: str,
    before: str,
    context: str = "",
    rest: str = "",
) -> str:
    """The id of the measure a count fits, or ''.

    Of the measures whose unit family holds ``unit``, the one whose thing is named nearest to
    the number wins: in the words right after the unit ("配备3名执法人员"), else latest in the
    clause before the number; its action, if it has one, must be named in the sentence (``before``,
    ``after`` or ``rest``), and its ``not`` pattern must not be in the clause.

    Parameters
    ----------
    catalogue
        From :func:`load_measures`.
    unit
        The count's unit (``%`` for a rate).
    clause, after
        The count's clause before the number, and the words after its unit in the clause.
    before
        The sentence up to the number.
    rest
        The sentence after the count, up to a breakdown of it (其中…).
    context
        The words of the clause before ``clause`` when ``clause`` is one item of a list of
        counts ("执法人员18名、" before "协管员"): a ``not`` pattern there rules a measure
        out, a thing named there names nothing of this count.

    Examples
    --------
    >>> catalogue = load_measures()
    >>> link_measure(catalogue, unit="件", clause="全年受理行政复议案件", after="", before="全年受理行政复议案件")
    '行政复议'
    >>> link_measure(catalogue, unit="份", clause="发放资料", after="", before="开展普法宣传活动35场,发放资料")
    '普法资料'
    >>> link_measure(catalogue, unit="个", clause="", after="村分别建立了法律服务微信群", before="")
    ''
    """
    if unit == "%":
        # a rate is named right before it ("出庭应诉率100%", "参考率、通过率均达100%"): that
        # name decides, and what the sentence says around it may rule a measure out
        names = _RATE_NAME.findall(clause)
        clause, after = (names[-1] if names else ""), ""
        rates = _RATE_JOINER.split(clause)
        if len(rates) > 1:
            # one value for several rates is a value of each: never linked to two measures
            # ("出庭应诉率、败诉率均为…"); a rate of no measure beside them does not stop it
            # ("参考率、通过率和优秀率100%")
            found = {
                link_measure(catalogue, unit=unit, clause=rate, after="", before=before)
                for rate in rates
            } - {""}
            return found.pop() if len(found) == 1 else ""
    pattern = catalogue.any_thing.get(unit)
    if pattern is None or not (pattern.search(clause) or pattern.search(after)):
        return ""  # the clause names nothing a measure of this unit counts
    if clause.endswith(_ENTITY_BEFORE):
        return ""  # "进驻部门38个": departments were counted
    if _CHANGE.search(clause) or _ONE_OF.match(after):
        return ""  # "较上年增加31人" is a change, "五个项目之一" the size of a set: no values
    # "8个村建立了…": a count of villages, schools, firms … is of those, whatever follows
    counted = _COUNTED_ENTITY.match(after) is not None
    # "信访化解、征地协调等涉法事务35件" counts 涉法事务, not the items listed before 等 — unless
    # the count is of events (次, 场: "排查…等场所50余次" counts the inspections) or what
    # follows 等 only sums the items up ("市长热线、民呼必应等其他案件")
    listed = clause.rfind("等")
    head_end = _NOUN_END.search(clause, listed + 1) if listed >= 0 else None
    listed_noun = (
        listed >= 0
        and unit not in _EVENTS
        and not _GENERIC_HEAD.fullmatch(
            clause, listed + 1, head_end.start() if head_end else len(clause)
        )
    )
    people = unit in _PEOPLE
    present = frozenset(clause + after)
    best, best_distance = "", None
    words = None  # the sentence around the count, where an action may be named
    for measure in catalogue.by_unit[unit]:
        if measure.thing_starts is not None and measure.thing_starts.isdisjoint(present):
            continue
        distance = None
        following = measure.thing.search(after)
        if following is not None and (
            following.start() <= 1
            or not (counted or people)
            # "1名常年法律顾问": a word or two may qualify the people named after the count
            or (people and not counted and following.start() <= 4)
        ):
            distance = following.start()
        elif following is not None and people and not counted and _TAKES_PART.search(after):
            distance = following.start()  # "2860名国家工作人员参加学法考试"
        # the plain search is cheaper than the greedy one, and most things are not there
        # a count of villages, firms … is of those, even when the clause names a thing
        # ("示范村占全省1.86万个行政村的11.7%")
        last = (
            measure.last_thing.match(clause)
            if not counted and measure.thing.search(clause)
            else None
        )
        if last is not None and last.end() <= listed and listed_noun:
            last = None  # the thing is one of the items listed before 等, not what was counted
        if last is not None and (distance is None or len(clause) - last.end() < distance):
            distance = len(clause) - last.end()
        if distance is None or (best_distance is not None and distance >= best_distance):
            continue
        if measure.exclude is not None:
            if unit == "%":
                scope = before
            elif last is not None and distance == len(clause) - last.end():
                # the thing's own clause rules it out, not an earlier one of the sentence
                # ("审查…规范性文件38件，备案…规范性文件126件，纠正…5件")
                whole = context + clause
                scope = whole[_clause_start(whole, len(context) + last.end()) :] + " " + after
                if context and _names_an_earlier_item(measure.exclude, context):
                    # "学法培训6次、会前学法12次": the training is the earlier item's thing,
                    # while a verb before the list governs every item ("审查合同54份、规范性文件")
                    scope = clause + " " + after
            else:
                scope = context + clause + " " + after
            if measure.exclude.search(scope):
                continue
        if measure.action is not None:
            if words is None:
                words = before + after + rest
            if not measure.action.search(words):
                continue
        best, best_distance = measure.id, distance
    return best


def _names_an_earlier_item(exclude: re.Pattern[str], context: str) -> bool:
    """Whether every match of ``exclude`` in ``context`` (the earlier items of a list of
    counts) is an item's own thing, standing right before the item's number.

    >>> exclude = re.compile("培训|审查")
    >>> _names_an_earlier_item(exclude, "组织干部学法培训6次、"), _names_an_earlier_item(exclude, "审查合同54份、")
    (True, False)
    """
    found = False
    for match in exclude.finditer(context):
        if not _DIGIT_SOON.match(context, match.end()):
            return False
        found = True
    return found


_DIGIT_SOON = re.compile(r".?[0-9０-９]")


def _clause_start(text: str, end: int) -> int:
    start = 0
    for mark in _CLAUSE_MARK.finditer(text, 0, end):
        start = mark.end()
    return start


_CHANGE = re.compile(r"较上年|较去年|比上年|比去年|同比|环比")
# the name of a rate: the words up to 率/度 right before the number (several names may share one)
_RATE_NAME = re.compile(
    r"[\u4e00-\u9fff]{1,12}?(?:率|度)(?:[、和及与][\u4e00-\u9fff]{1,8}?(?:率|度))*"
)
_RATE_JOINER = re.compile(r"(?<=[率度])[、和及与]")
# words ending a clause, tested with str.endswith: a regex ending in $ is tried at every position
_ENTITY_BEFORE = ("部门", "单位", "企业", "商户", "门店", "学校", "小区", "网格")
_PEOPLE = frozenset(("人", "名", "人次", "位"))
_NOUN_END = re.compile(r"[\d，,。；;、]")
_EVENTS = frozenset(("次", "场", "场次", "轮", "期", "批次", "班", "堂", "节"))
_GENERIC_HEAD = re.compile(
    r"(?:其他|各类|相关|多种|多项|一批)*(?:案件|事项|问题|活动|事件|内容|方面|领域|形式|工作)?"
)
# what the people counted did: the thing after it is then what the count is about
_TAKES_PART = re.compile(r"^[\u4e00-\u9fff]{0,14}?(?:参加|参与|参训|通过|完成|担任|开展|接受)")
_ONE_OF = re.compile(r"^[^，,。；;]{0,8}之一")
_COUNTED_ENTITY = re.compile(
    r"^(?:行政)?(?:村|社区|镇|乡|街道|部门|单位|企业|学校|户|家庭|小区|网格|居民区|自然村|村民小组"
    r"|区(?![级域内划])|县(?![级域内])|项目)"
)


# verbs that start a new activity: a clause holding one counts something of its own
_NEW_ACTIVITY = re.compile(
    r"开展|组织|举办|召开|举行|发放|印发|建立|建成|设立|新建|撰写|制定|出台|走访|排查|检查|"
    r"培育|聘请|招录|招聘|配备|列席|参与|提供|制发|旁听|签批|批阅|通报|调度|征求|评查|审查|审核|清理|命名|创建|推出|录入|张贴|悬挂|投入|提出|出具|形成|推荐|批示|研究|解决|整改"
)


def _starts_an_activity(clause: str, after: str) -> bool:
    # a verb of a new activity with its object, before the count ("开展党风党纪教育") or
    # after it ("提出6份意见"); a verb alone ends the clause of a count of what came before
    # ("…专题集中学习,全年累计开展20余次")
    for verb in _NEW_ACTIVITY.finditer(clause):
        end = verb.end()
        if _OBJECT.search(clause, end) or (end == len(clause) and _OBJECT.match(after)):
            return True
    return False


_OBJECT = re.compile(r"[\u4e00-\u9fff]{2}")
# how far back a thing closing a clause may start (公共法律服务工作站 and 案件 after it)
_THING_REACH = 14
# "另有协管员14名", "此外…": a clause opening so counts something besides what came before
# ("应考312人": those due to take part, not those who did)
_OWN_OPENER = re.compile(r"(?:另有|另外|另|此外|还有|应(?=参|考|到))")
# a clause ending in a noun of people or of places ("执法辅助人员", "村级综合服务中心", "法治文化阵地")
# names what it counts; a breakdown (其中持证人员…) still counts the sentence's thing
_OWN_HEAD = ("员", "中心", "阵地", "站", "室", "基地", "平台", "窗口")
# …but the people an activity reached are of that activity ("覆盖公职人员近5万名")
_REACHED = re.compile(r"(?:覆盖|惠及|涉及|参训|参与)")


def continues_the_sentence(
    catalogue: Catalogue, *, unit: str, clause: str, after: str = ""
) -> bool:
    """Whether a count's clause names neither a thing a measure of its unit counts nor a new
    activity, so the count is of what the sentence named before it. A clause ending in the
    thing of a measure of another unit counts that thing; a clause opening with
    另有/此外/应考… or ending in a noun of people or places of its own ("另有协管员14名",
    "新增法治文化阵地12个") counts something else.

    Examples
    --------
    >>> catalogue = load_measures()
    >>> continues_the_sentence(catalogue, unit="起", clause="已办结")
    True
    >>> continues_the_sentence(catalogue, unit="次", clause="开展党风党纪教育")
    False
    """
    if (
        _starts_an_activity(clause, after)
        or _OWN_OPENER.match(clause)
        or (
            clause.endswith(_OWN_HEAD)
            and not _BREAKDOWN.match(clause)
            and not _REACHED.match(clause)
        )
        or _CHANGE.search(clause)
        # "8次中心组学习、1期读书班": a count opening a list item names its noun after it
        or ((not clause or clause.endswith("、")) and _OBJECT.match(after))
        or _COUNTED_ENTITY.match(after)
        or _ONE_OF.match(after)
        # "行政诉讼14起,行政复议8起": the thing of a measure of another unit is counted here
        or catalogue.ends_in_a_thing.search(clause, max(0, len(clause) - _THING_REACH))
    ):
        return False
    pattern = catalogue.any_thing.get(unit)
    return pattern is None or not (pattern.search(clause) or pattern.match(after))


# 计划/力争/拟/预计/争取/目标 before a count make it a target; 将 only as "will" before a verb.
# 按计划, 年度计划 and "制定学法计划," name a plan document, 目标管理/目标责任 a system of
# targets; 拟定 is drafting.
_PLAN = anchored(
    r"(?<!按)(?<!按照)(?<!年度)(?<!工作)(?<!学习)(?<!学法)计划(?![，,。；;、和及与的]|生育|内|书|表|单列)"
    r"|力争|预计|争取|目标(?!管理|责任|考核|任务|体系|[，,。；;、的])(?:是|为)?|(?<!模)拟(?!定|订|稿|[^，,。；;]{0,4}的)"
    r"|(?<![即])将(?:继续|进一步|全面|持续|力争|开展|组织|举办|新建|建成|完成|实现|新增|推动|推进|确保|培育|创建|打造|建立)"
)


def is_planned(*, part: str | None, before: str) -> bool:
    """Whether a count is a plan or target: in the report's next-year part, or governed by
    计划/力争/拟/预计/争取/将… in its sentence before it.

    Examples
    --------
    >>> is_planned(part="achievements", before="2024年计划开展普法活动")
    True
    >>> is_planned(part="achievements", before="按计划开展普法活动")
    False
    >>> is_planned(part="next_year", before="开展普法活动")
    True
    """
    return part == "next_year" or _PLAN.search(before) is not None


def plan_start(text: str, start: int, end: int) -> int | None:
    """Where the first word that makes what follows a plan (计划/力争/将…) stands in
    ``text[start:end]`` (a sentence), or None: a count after it is planned.

    >>> text = "今年开展普法活动12场,明年将开展20场。"
    >>> plan_start(text, 0, len(text))
    14
    """
    found = _PLAN.search(text, start, end)
    return found.start() if found else None


# "共审查…560件，其中规范性文件4件、合同512件": what follows 其中/包括/分别为 breaks the total down
_BREAKDOWN = re.compile(r"其中|包括|含|分别为|分别是")


# a clause that opens with one of these counts something new, not a part of the total before
_NEW_COUNT = re.compile(r"[，,；;](?:另|此外|另外|还|已|均|全部|累计)")
_CLAUSE_MARK = re.compile(r"[，,；;]")


def has_breakdown(text: str, start: int, end: int) -> bool:
    """Whether a breakdown word (其中, 包括, 分别为 …) stands in ``text[start:end]``."""
    return breakdown_start(text, start, end) is not None


def breakdown_start(text: str, start: int, end: int) -> int | None:
    """Where the first breakdown word (其中, 包括, 分别为 …) stands in ``text[start:end]``, or
    None: what follows it breaks a count down.

    >>> breakdown_start("学习16次，其中专题学法5次。", 0, 15)
    6
    """
    found = _BREAKDOWN.search(text, start, end)
    return found.start() if found else None


def parts_of(
    starts: list[int],
    units: list[str],
    *,
    text: str,
    families: list[frozenset[str]] | None = None,
    values: list[float] | None = None,
    measures: list[str] | None = None,
) -> list[int | None]:
    """For the counts of one sentence (their start offsets in ``text``, in order, and their
    units), the start of the total each one breaks down, or None.

    A count is a part when 其中/包括/分别为 stands between it and an earlier count that is not
    itself a part (the total) and whose unit family holds its unit: ``families[i]`` is the
    unit family of count i's measure (its own unit alone when it has none). A part is never
    larger than its total (``values``), and a clause opening with 另/此外/已… starts a new
    count ("其中一审案件5件、二审案件2件，已审结6件": 6 is no part), as does a later clause
    whose count is of a measure (``measures``, linked on its own) other than the total's
    ("复议案件1426件，其中纠错186件，办理应诉案件96件": 96 is no part).

    Examples
    --------
    >>> text = "审查各类文件560件,其中规范性文件4件、合同512件。"
    >>> parts_of([6, 18, 23], ["件", "件", "件"], text=text)
    [None, 6, 6]
    >>> text = "发放资料6500余份,包括读本1200册。"
    >>> parts_of([4, 15], ["份", "册"], text=text, families=[frozenset({"份", "册"}), frozenset({"册"})])
    [None, 4]
    """
    families = families or [frozenset({unit}) for unit in units]
    found: list[int | None] = []
    for i, (start, unit) in enumerate(zip(starts, units, strict=True)):
        total = None
        for j in range(i - 1, -1, -1):
            if found[j] is not None or unit not in families[j]:
                continue
            breakdown = _BREAKDOWN.search(text, starts[j], start)
            if (
                breakdown
                and not _NEW_COUNT.search(text, breakdown.end(), start)
                and (values is None or values[i] <= values[j])
                and not (
                    measures is not None
                    and measures[i]
                    and measures[i] != measures[j]
                    and _CLAUSE_MARK.search(text, breakdown.end(), start)
                )
            ):
                total = starts[j]
            break
        found.append(total)
    return found
