"""Every word a briefing shows a reader, in one place: headings, captions, axis labels, table
headers, notes and the sentences notebooks generate. Briefings are in Chinese; another
language is one more mapping in :data:`LABELS` and a ``language`` argument away.

Values are :meth:`str.format` templates; :func:`label` fills them in.
"""

from __future__ import annotations

from collections.abc import Mapping

from reportlib.errors import ParameterError

__all__ = ["LABELS", "label", "number", "percent", "yes_no"]

LABELS: dict[str, dict[str, str]] = {
    "zh": {
        # what stands behind a chart or table
        "caption": "{count} 份报告，{years}",
        "caption.no_year": "{count} 份报告，年份不详",
        "years.one": "{year} 年",
        "years.span": "{low}–{high} 年",
        "year.unknown": "年份不详",
        # how peers were chosen
        "peers.parent": "同一上级（{parent}）",
        "peers.level": "同一层级（{level}）",
        "peers.all": "其他全部报告",
        "peers.excerpts": "，不含 {n} 份网页摘录",
        "peers.none": "没有可比的完整报告（{n} 份网页摘录不作比较）",
        # page titles
        "title.01": "报告库概览",
        "title.02": "{entity} {year} 年度报告简报",
        "title.03": "{selection} 年度报告比较",
        "title.04": "关键词趋势",
        "title.05": "指标表",
        "title.06": "文本复用",
        "title.other": "简报",
        # parameter names, as the index of briefings lists them
        "parameter.entity": "主体",
        "parameter.entities": "主体",
        "parameter.parent": "上级",
        "parameter.year": "年度",
        "parameter.years": "年度",
        "parameter.keywords": "关键词",
        "parameter.group_by": "分组",
        "parameter.min_years": "最少年数",
        "parameter.measures": "指标",
        "parameter.planned": "计划值",
        "parameter.max_share": "套话阈值",
        "parameter.top": "显示条数",
        # the town briefing (02)
        "02.heading": "{entity} · {year} · 法治政府建设年度报告简报",
        "02.glance": "报告概况",
        "02.fact.title": "标题",
        "02.fact.entity": "主体 / 层级",
        "02.fact.parent": "上级",
        "02.fact.year": "报告年度",
        "02.fact.published": "发布日期",
        "02.fact.length": "篇幅",
        "02.fact.compliance": "五部分结构得分",
        "02.length": "{chars} 字",
        "02.no_title": "（未识别出标题）",
        "02.parts.title": "法定五部分篇幅：本报告与同类报告（{peers}，{rule}）的中位数",
        "02.parts.xlabel": "占报告篇幅的比例",
        "02.parts.peers": "同类报告中位数",
        "02.parts.all_present": "法定五部分齐全。",
        "02.excerpt.score": "—（网页摘录，不评分）",
        "02.excerpt.note": (
            "本报告是网页摘录（{chars} 字，只含页面开头），不评价五部分是否齐全；"
            "同类报告只计完整报告。"
        ),
        "02.parts.missing": "缺少的部分：{parts}。",
        "02.measures": "指标与同类报告中位数",
        "02.measures.none": "本报告没有给出目录中任何指标的数值。",
        "02.measures.name": "指标",
        "02.measures.value": "本报告",
        "02.measures.counts": "依据的数字个数",
        "02.measures.median": "同类报告中位数",
        "02.measures.peers": "给出该指标的同类报告",
        "02.measures.peers_of": "{given} / {total}",
        "02.measures.note": (
            "本报告的数值取其对该指标给出的最大数字（同一事项常分受理、办结等环节给出多个数字），"
            "比率取平均；中位数只计给出该指标的同类报告（{rule}）。"
            "本报告另有 {unlinked} 个数字未对应任何指标，不作比较。"
        ),
        "02.words": "与同类报告相比的特色词",
        "02.words.none": (
            "与 {peers} 份同类报告（{rule}）相比，没有显著突出的词语：只有对数似然检验 G² ≥ 10.83"
            "（p < 0.001）且在本报告中至少出现 2 次的词才列出。"
        ),
        "02.words.title": "较同类报告（{peers}，{rule}）显著多用的词",
        "02.words.xlabel": "关键性（G²，Williams 校正）",
        "02.words.top": "最突出的词：{terms}（G² ≥ 10.83，p < 0.001，至少出现 2 次）。",
        "02.cloud.title": "本报告高频词（1 份报告，{year}）",
        "02.since": "与上一份报告相比",
        "02.since.none": "数据中没有{entity}更早的报告。",
        "02.since.compared": "与 {year} 年报告比较（{caption}）。",
        "02.since.words": "**新出现的词：** {new}  \n**不再出现的词：** {dropped}",
        "02.since.none_word": "无",
        "02.since.measure": "指标",
        "02.since.change": "变化",
        "02.reuse.previous": (
            "**本报告 {share} 的文字与其 {year} 年报告相同**（数字与本地地名视为相同，"
            "法定提纲标题与通用套话不计；{other} 见于其他报告）。"
        ),
        "02.reuse.others": (
            "本报告 {share} 的文字见于其他报告（法定提纲标题与通用套话不计）：{sources}。"
        ),
        "02.reuse.none": "除法定提纲标题与通用套话外，本报告没有段落见于语料库中的其他报告。",
    }
}


def label(key: str, *, language: str = "zh", **values: object) -> str:
    """The text of ``key`` in ``language``, its ``{fields}`` filled from ``values``.

    Examples
    --------
    >>> label("caption", count=3, years="2021–2023 年")
    '3 份报告，2021–2023 年'
    """
    try:
        template = LABELS[language][key]
    except KeyError:
        raise ParameterError(f"no label {key!r} in language {language!r}") from None
    return template.format(**values)


def number(value: float) -> str:
    """A count for readers: thousands separated, no trailing .0 (2,500,006 not 2500005.5).

    Examples
    --------
    >>> number(2500005.5), number(12.0), number(3.25)
    ('2,500,006', '12', '3.2')
    """
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


def percent(value: float, *, digits: int = 1) -> str:
    """A rate already in percent (98.5 → "98.5%").

    >>> percent(98.456), percent(100.0)
    ('98.5%', '100%')
    """
    return f"{value:.0f}%" if float(value).is_integer() else f"{value:.{digits}f}%"


def yes_no(value: object, marks: Mapping[bool, str] | None = None) -> str:
    """✓ or ✗ for a boolean, — for a missing value.

    >>> yes_no(True), yes_no(False), yes_no(None)
    ('✓', '✗', '—')
    """
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    return (marks or {True: "✓", False: "✗"})[bool(value)]
