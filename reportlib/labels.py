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
        "peers.excerpts_only": "，均为网页摘录",
        "peers.whole_left_out": "，不含 {n} 份完整报告",
        "peers.none_excerpts": "没有可比的网页摘录（{n} 份完整报告不与摘录比较）",
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
        "parameter.doc_id": "报告编号",
        "parameter.years": "年度",
        "parameter.keywords": "关键词",
        "parameter.group_by": "分组",
        "parameter.min_years": "最少年数",
        "parameter.measures": "指标",
        "parameter.planned": "计划值",
        "parameter.max_share": "套话阈值",
        "parameter.top": "显示条数",
        "parameter.level": "层级",
        "parameter.max_series": "最多序列数",
        "parameter.excerpts": "只看网页摘录",
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
            "本报告是网页摘录（{chars} 字，只含页面开头），不评价五部分是否齐全，"
            "也不画各部分篇幅；下面的指标和用词只与同为网页摘录的同类报告比较。"
        ),
        "02.since.other_kind": (
            "{year} 年报告是{then}，本报告是{now}：两者篇幅范围不同，不比较用词和指标。"
        ),
        "kind.name.excerpt": "网页摘录",
        "kind.name.whole": "完整报告",
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
        # shared by several briefings
        "kind.whole": "只比较完整报告，不含 {n} 份网页摘录",
        "kind.excerpts": (
            "所选报告都是网页摘录（只含页面开头约 700 字）：以下只在摘录之间比较，不代表完整报告"
        ),
        "kind.all_whole": "全部为完整报告",
        "level.unknown": "层级不详",
        "entity.unknown": "主体不详",
        "parent.unknown": "上级不详",
        "none": "无",
        "reports": "报告数",
        "report": "报告",
        "group.unknown": "{group}不详",
        "group.level": "层级",
        "group.parent": "上级",
        "group.entity": "主体",
        "group.province": "省份",
        "group.city": "地市",
        "group.county": "县区",
        "group.report_year": "年度",
        "measure": "指标",
        "measure.rate": "{name}（%）",
        "measure.none": "所选报告没有给出目录中任何指标的数值。",
        "reuse.passage": "段落",
        "reuse.other": "另一份报告",
        "reuse.wording": "其措辞",
        "reuse.row": "{chars} 字 · {relation} · 见于 {n} 份报告",
        "reuse.relation.other": "其他报告",
        "reuse.relation.previous": "上一年度报告",
        "reuse.relation.internal": "本报告内部",
        "reuse.none_shared": "没有共有段落。",
        "excerpt.mark": "网页摘录",
        # the corpus overview (01)
        "01.heading": "法治政府建设年度报告 · 报告库概览",
        "01.intro": (
            "已构建数据表的内容：各主体各年度的覆盖情况、层级与上级、报告篇幅、"
            "对法定五部分提纲的遵循程度，以及构建时遇到的问题。"
        ),
        "01.summary": (
            "**共 {reports} 份报告**，来自 {entities} 个主体，{years}；其中完整报告 {whole} 份、"
            "网页摘录 {excerpts} 份；构建时记录问题 {problems} 条。"
        ),
        "01.coverage": "覆盖情况：主体 × 报告年度",
        "01.coverage.title": "各主体各年度的报告数（{caption}）",
        "01.coverage.xlabel": "报告年度",
        "01.coverage.series": "有多个年度报告的主体（可看趋势）：{series}",
        "01.coverage.more": "图中只列报告最多的 {shown} 个主体（共 {total} 个）。",
        "01.levels": "层级与上级",
        "01.levels.title": "各层级报告数（{caption}）",
        "01.parents.title": "报告最多的上级（{count} 份报告）",
        "01.parents.none": "没有识别出上级",
        "01.province": "按省份的覆盖情况",
        "01.province.intro": (
            "与民政部行政区划代码（2025-12-31）关联的报告：各省有报告的乡镇和县区数。"
            "页面未能确定行政区划的报告计入最后一行。"
        ),
        "01.province.unlinked": "（未关联区划）",
        "01.province.title": "各省报告数（{caption}）",
        "01.province.province": "省份",
        "01.province.reports": "报告数",
        "01.province.towns": "有报告的乡镇",
        "01.province.towns_in_list": "区划中的乡镇",
        "01.province.town_share": "乡镇覆盖率",
        "01.province.counties": "有报告的县区",
        "01.province.counties_in_list": "区划中的县区",
        "01.province.county_share": "县区覆盖率",
        "01.province.years": "年度",
        "01.lengths": "报告篇幅",
        "01.lengths.title": "报告篇幅（{caption}）",
        "01.lengths.xlabel": "字数",
        "01.lengths.whole": "完整报告",
        "01.lengths.excerpts": "网页摘录",
        "01.lengths.note": (
            "完整报告篇幅中位数 {median} 字（{n} 份）；最长的是{longest}（{chars} 字）。"
            "网页摘录 {excerpts} 份，只含页面开头，不计入篇幅比较。"
        ),
        "01.lengths.no_whole": "没有完整报告：{excerpts} 份都是网页摘录，不作篇幅比较。",
        "01.outline": "提纲遵循情况",
        "01.outline.intro": (
            "2019 年《法治政府建设与责任落实督察工作规定》要求报告包含五个部分；"
            "得分（0–100）按各部分是否齐全、顺序是否正确、是否说明不足的原因计算。"
            "网页摘录只含页面开头，其后各部分本就看不到，因此不计入。"
        ),
        "01.outline.shares": "含各部分的完整报告比例（{caption}）",
        "01.outline.scores": "提纲得分（{caption}）",
        "01.outline.score": "得分（0–100）",
        "01.outline.note": (
            "完整报告提纲得分中位数 {median}/100；{in_order} / {n} 份各部分顺序正确"
            "（不含 {excerpts} 份网页摘录）。"
        ),
        "01.outline.none": "没有完整报告，不评价提纲（{excerpts} 份网页摘录不计）。",
        "01.problems": "构建时发现的问题",
        "01.problems.none": "没有问题。",
        "01.problems.stage": "环节",
        "01.problems.count": "问题数",
        "01.problems.file": "文件",
        "01.problems.message": "说明",
        "01.problems.shown": "列出除元数据外的前 {shown} 条（共 {total} 条）。",
        "01.level.count": "报告数",
        "stage.path": "文件名",
        "stage.limit": "超出限制",
        "stage.read": "读取",
        "stage.detect": "识别格式",
        "stage.parse": "解析",
        "stage.metadata": "元数据",
        "stage.sections": "分节",
        "stage.indicators": "指标",
        "stage.tokens": "分词",
        "stage.reuse": "复用",
        "field.publish_date": "发布日期",
        "field.title": "标题",
        "field.parent": "上级",
        "field.entity": "主体",
        "field.report_year": "报告年度",
        "field.level": "层级",
        "problem.not_found": "文中未找到{field}",
        "problem.same_name": "{name}：官方区划中有 {n} 个同名单位，页面未说明是哪一个，区划代码和上级留空",
        "problem.no_headings": "没有找到编号标题，全文作为一个未归类的部分",
        "problem.other": "其他问题（详见构建记录）",
        # the cross-town comparison (03)
        "03.heading": "法治政府建设年度报告 · 多主体比较",
        "03.chosen": "**{names}**：{caption}。{kind}。",
        "03.measures": "指标 × 主体",
        "03.measures.note": (
            "各主体各指标的数值（{caption}）：取每份报告对该指标给出的最大数字，"
            "一个主体有多份报告时取平均，比率取平均。—：该主体的报告没有给出。"
            "未对应任何指标的数字不作比较。"
        ),
        "03.measures.given": "给出该指标的报告",
        "03.measures.given_of": "{given} / {total}",
        "03.keyness": "各主体相对于其他主体的特色词",
        "03.keyness.title": "各主体相对其他主体的关键性（G²，{caption}）",
        "03.keyness.note": (
            "只列显著的词：对数似然检验 G² ≥ 10.83（p < 0.001）且在该主体报告中至少出现 {min_count} 次；"
            "各主体本身及其上级的地名不计。每个主体最多列 {n} 个。"
        ),
        "03.keyness.none": (
            "没有显著突出的词（G² ≥ 10.83，p < 0.001，至少出现 {min_count} 次）：{why}"
        ),
        "03.keyness.one": "至少需要两个主体。",
        "03.keyness.missing": "没有显著突出词的主体：{names}。",
        "03.keyness.no_word": "各主体之间的用词差异都不显著。",
        "03.outline": "提纲遵循情况对照",
        "03.outline.note": "法定五部分是否齐全、顺序是否正确及得分（0–100）（{caption}）：",
        "03.outline.entity": "主体",
        "03.outline.year": "年度",
        "03.outline.order": "顺序正确",
        "03.outline.score": "得分",
        "03.outline.excerpts": "网页摘录只含页面开头，不评价提纲。",
        "03.rates": "关键词频率（每万字）",
        "03.rates.note": "每万字出现次数（{caption}）：",
        # keyword trends (04)
        "04.heading": "法治政府建设年度报告 · 关键词趋势",
        "04.chosen": "{series} 条序列（按{group}），{caption}；{level}。{kind}。点旁数字为该点依据的报告数；缺少的年份处折线断开。",
        "04.level": "只比较{level}一级",
        "04.level.all": "按层级分组，每个层级一条线",
        "04.more": "序列较多，只画年度最多的 {shown} 条（共 {total} 条）。",
        "04.none": "没有{group}在 {min_years} 个以上年度都有报告，无法画趋势。",
        "04.title": "按{group}和年度的关键词频率（{caption}）",
        "04.ylabel": "每万字",
        "04.xlabel": "报告年度",
        "04.table.year": "年度",
        # measure tables (05)
        "05.heading": "法治政府建设年度报告 · 指标表",
        "05.kind.achieved": "已完成的数值",
        "05.kind.planned": "计划数值（目标和下一年度安排）",
        "05.intro": (
            "各指标的{kind}，按{group}和报告年度分列，依据 {caption}（{excerpts}）。"
            "一份报告的数值取其对该指标给出的最大数字（同一事项常分受理、办结等环节给出多个数字）；"
            "总数的组成部分和重复段落不计；比率只取平均，从不相加。"
            "未对应任何指标的数字另列在最后，从不相加。"
        ),
        "05.grid.note": (
            "每行一个指标和{group}，每列一个报告年度。每格：给出该指标的报告的合计，"
            "多份报告时括号内为中位数（比率为平均值），再是该{group}当年报告中给出该指标的份数。"
            "—：都没有给出。"
        ),
        "05.cell.median": "{total}（中位数 {median}）",
        "05.cell.reports": "{value} · {given}/{total} 份",
        "05.sources": "数值来源句",
        "05.sources.intro": "展开某个指标，阅读其数值所依据的原句。",
        "05.sources.summary": "{name}（{n} 份报告）",
        "05.sources.more": "……另有 {n} 份报告",
        "05.sources.none": "没有数值。",
        "05.unlinked": "未对应指标的数字",
        "05.unlinked.intro": "只是提及：列出来是为了不隐藏任何数字，从不相加或平均。",
        "05.unlinked.count": "{counts} 个数字（{reports} 份报告）未对应任何指标。",
        "05.unlinked.show": "显示前 {n} 个",
        # reuse (06)
        "06.heading": "法治政府建设年度报告 · 套话与复用",
        "06.intro": (
            "一份报告与其他报告及其本身往年报告共有的段落。数字和各报告自己的地名视为通配，"
            "所以换了数字或换了镇名的段落仍算复用。见于超过 {share} 报告的段落是这类文书的通用套话，"
            "与特定报告之间的复用分开统计；法定提纲的标题也算套话。"
        ),
        "06.summary": (
            "{shared} / {total} 份报告与其他报告有共有段落；{internal} 份在报告内部重复段落（{caption}）。"
        ),
        "06.chosen.parent": "下面列出上级为{parent}的报告。",
        "06.chosen.top": "下面列出复用最多的 {n} 份报告。",
        "06.chosen.none": "没有报告与其他报告共有段落或在内部重复段落（套话不计）。",
        "06.shares": "各报告见于别处的比例",
        "06.shares.note": (
            "每份报告（{caption}）：见于其他报告的比例（不含套话）、通用套话、报告内部重复、"
            "与上一年度报告相同的比例。网页摘录只含页面开头，比例只就摘录而言。"
        ),
        "06.col.report": "报告",
        "06.col.excerpt": "网页摘录",
        "06.col.boilerplate_ratio": "见于其他报告",
        "06.col.formula_ratio": "通用套话",
        "06.col.internal_ratio": "内部重复",
        "06.col.previous_ratio": "同上年报告",
        "06.col.top_sources": "主要来源",
        "06.pairs": "两两复用",
        "06.pairs.title": "每份报告（行）见于另一份报告（列）的比例（{caption}）",
        "06.pairs.xlabel": "来源（另一份报告）",
        "06.pairs.ylabel": "报告",
        "06.pairs.none": "所选报告之间没有共有段落（套话不计）。",
        "06.passages": "最长的共有段落对照",
        "06.passages.intro": "标亮处为不同之处（数字、名称、改动）。",
        "06.internal": "报告内部的重复",
        "06.internal.none": "这里没有报告重复自己的段落。",
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
