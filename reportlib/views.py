"""The tables and figures' data that briefings show: a report's parts against the mandated
outline, its distinctive words and measures against its peers, what changed since its previous
report, measures and keyness across groups, reuse between reports, keyword trends, coverage
and build problems. Each is a small function that returns a new DataFrame.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from reportlib.keyness import KEYNESS_COLUMNS, keyness
from reportlib.labels import LABELS, label, number, percent
from reportlib.markup import group_label, measure_value, rate_name, report_name
from reportlib.measure_tables import report_measures
from reportlib.places import name_stems
from reportlib.sections import PARTS

if TYPE_CHECKING:
    from reportlib.analysis import Tables

__all__ = [
    "PART_NAMES",
    "changes_since",
    "copied_passages",
    "describe_problem",
    "distinctive_words",
    "drop_own_names",
    "keyness_by_group",
    "longest_series",
    "measure_grid",
    "measures_against_peers",
    "measures_by_entity",
    "part_profile",
    "province_coverage",
    "reuse_matrix",
    "trend_lines",
]


# The five mandated parts (《法治政府建设与责任落实督察工作规定》, 2019), as briefings name them.
PART_NAMES = {
    "achievements": "1 上一年度主要举措和成效",
    "shortcomings": "2 存在的不足和原因",
    "leadership": "3 党政主要负责人履行第一责任人职责情况",
    "next_year": "4 下一年度主要安排",
    "other": "5 其他需要报告的情况",
}


def part_profile(sections: pd.DataFrame, doc_id: str) -> pd.DataFrame:
    """One row per mandated part: present or not, its characters and share of the report,
    and where it comes in the report's order.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib import split_sections
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["一、主要举措和成效\\n做了很多。\\n二、存在的不足\\n不够。"]})
    >>> sections = split_sections(docs)
    >>> part_profile(sections, "a")[["part", "present", "n_chars"]].values.tolist()[:2]
    [['achievements', True, 16], ['shortcomings', True, 11]]
    """
    own = sections[sections["doc_id"] == doc_id]
    total = max(int(own["n_chars"].sum()), 1)
    rows = []
    for part in PARTS:
        in_part = own[own["part"] == part]
        rows.append(
            {
                "part": part,
                "mandated_part": PART_NAMES[part],
                "present": not in_part.empty,
                "n_chars": int(in_part["n_chars"].sum()),
                "share": float(in_part["n_chars"].sum()) / total,
                "first_section": int(in_part["order"].min()) if not in_part.empty else None,
            }
        )
    table = pd.DataFrame(rows)
    present = table["first_section"].dropna().rank(method="first").astype(int)
    table["position"] = present.reindex(table.index).astype("Int64")
    return table


def _place_names(reports: pd.DataFrame) -> set[str]:
    """The place names of ``reports`` (entity, parent, official name) and their stems
    (永乐镇 → 永乐): they top any keyness list without saying anything about a report."""
    names: set[str] = set()
    for column in ("entity", "parent", "official_name"):
        if column in reports:
            names |= {str(name) for name in reports[column].dropna() if str(name)}
    return names | {stem for name in names for stem in name_stems(name)}


def _without_names(table: pd.DataFrame, names: set[str], *, column: str = "term") -> pd.DataFrame:
    # every piece of two or more characters of every name, once: one set lookup per term, not
    # a scan of all peers' names (thousands at a national level) for each of thousands of terms
    pieces = {
        name[start:end]
        for name in names
        for start in range(len(name))
        for end in range(start + 2, len(name) + 1)
    }
    return table[~table[column].isin(pieces)]


def drop_own_names(table: pd.DataFrame, report: pd.Series, *, column: str = "term") -> pd.DataFrame:
    """``table`` without rows whose term is the report's own place name or a piece of it
    (永乐镇, 永乐, and 山镇 cut from 黑山镇).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"term": ["黑山镇", "山镇", "黑山", "普法"]})
    >>> drop_own_names(table, pd.Series({"entity": "黑山镇", "parent": "綦江区"}))["term"].tolist()
    ['普法']
    """
    return _without_names(table, _place_names(report.to_frame().T), column=column)


def _significant(table: pd.DataFrame, *, max_p: float, min_count: int) -> pd.DataFrame:
    """Over-used terms that pass the stated test: p below ``max_p`` and at least
    ``min_count`` occurrences in the target."""
    keep = (table["statistic"] > 0) & (table["p_value"] < max_p) & (table["n_target"] >= min_count)
    return table[keep]


def distinctive_words(
    counts: pd.DataFrame,
    report: pd.Series,
    peers: pd.DataFrame,
    *,
    measure: str = "llr",
    n: int = 20,
    min_count: int = 2,
    max_p: float = 0.001,
) -> pd.DataFrame:
    """The words that set ``report`` apart from ``peers``: keyness of the report (target)
    against the peers (reference), over-used words first, the report's and its peers' place
    names left out. A word is kept only when it is significant: ``p_value`` below ``max_p``
    (G² ≥ 10.83 at the default 0.001, one degree of freedom) and at least ``min_count``
    occurrences in the report. No peers (or none with counted words) give no word.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "term": ["枫桥经验", "普法"] * 2,
    ...                        "count": [10, 10, 1, 19]})
    >>> report = pd.Series({"doc_id": "a", "entity": "甲镇", "parent": ""})
    >>> distinctive_words(counts, report, pd.DataFrame({"doc_id": ["b"]}))["term"].tolist()
    ['枫桥经验']
    """
    reference = [doc_id for doc_id in peers["doc_id"] if doc_id != report["doc_id"]]
    # vectorised tests: the counts table holds every term of every report
    if (
        not (counts["doc_id"] == report["doc_id"]).any()
        or not counts["doc_id"].isin(reference).any()
    ):
        return pd.DataFrame(columns=KEYNESS_COLUMNS)
    table = keyness(
        counts,
        target=[report["doc_id"]],
        reference=reference,
        measure=measure,
        min_count=min_count,
    )
    # the report's own place names, and its peers' (a neighbour it names often)
    names = _place_names(pd.concat([report.to_frame().T, peers], ignore_index=True))
    table = _significant(_without_names(table, names), max_p=max_p, min_count=min_count)
    return table.head(n).reset_index(drop=True)


def changes_since(
    tables: Tables, report: pd.Series, previous: pd.Series, *, n: int = 15, min_count: int = 2
) -> dict[str, pd.DataFrame]:
    """What changed between ``previous`` and ``report`` of one entity.

    Returns
    -------
    dict
        ``new_words`` (used at least ``min_count`` times now, not at all before),
        ``dropped_words`` (the reverse) and ``indicators`` (each measure's value in both
        years, with the change; a measure only one report gives has an empty change; a
        measure given as a count and as a rate has a row for each, told by ``is_rate``).
    """
    counts = tables.counts()
    now = counts[counts["doc_id"] == report["doc_id"]].set_index("term")["count"]
    before = counts[counts["doc_id"] == previous["doc_id"]].set_index("term")["count"]
    new = now[(now >= min_count) & ~now.index.isin(before.index)].sort_values(ascending=False)
    dropped = before[(before >= min_count) & ~before.index.isin(now.index)].sort_values(
        ascending=False
    )
    values = report_measures(
        tables.indicators[tables.indicators["doc_id"].isin([report["doc_id"], previous["doc_id"]])]
    )
    years = [str(int(previous["report_year"])), str(int(report["report_year"]))]
    wide = (
        values.pivot(index=["measure", "name", "is_rate"], columns="doc_id", values="value")
        .reindex(columns=[previous["doc_id"], report["doc_id"]])
        .set_axis(years, axis=1)
        if len(values)
        else pd.DataFrame(
            columns=years,
            index=pd.MultiIndex.from_arrays([[], [], []], names=["measure", "name", "is_rate"]),
        )
    )
    wide["change"] = wide[years[1]] - wide[years[0]]
    return {
        "new_words": new.head(n).rename("count").reset_index(),
        "dropped_words": dropped.head(n).rename("count").reset_index(),
        "indicators": wide.reset_index(),
    }


def measures_against_peers(
    indicators: pd.DataFrame, report: pd.Series, peers: pd.DataFrame
) -> pd.DataFrame:
    """The report's measure values beside its peers' medians.

    Returns
    -------
    pandas.DataFrame
        One row per measure the report gives (achieved values): ``measure, name, is_rate,
        value, n_counts, peer_median, n_peers_giving, n_peers`` (``peer_median`` is over the
        ``n_peers_giving`` peers that give the measure; empty when none does), then
        ``sentences``, the report's own sentences behind the value.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib import extract_indicators
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "text": [
    ...     "受理行政复议案件11件。", "受理行政复议案件4件。", "受理行政复议案件6件。"]})
    >>> table = measures_against_peers(extract_indicators(docs), docs.iloc[0], docs.iloc[1:])
    >>> table[["measure", "value", "peer_median", "n_peers_giving", "n_peers"]].values.tolist()
    [['行政复议', 11.0, 5.0, 2, 2]]
    """
    doc_ids = [report["doc_id"], *peers["doc_id"]]
    values = report_measures(indicators[indicators["doc_id"].isin(doc_ids)])
    own = values[values["doc_id"] == report["doc_id"]]
    others = values[values["doc_id"].isin(peers["doc_id"])]
    medians = (
        others.groupby(["measure", "is_rate"])["value"]
        .agg(peer_median="median", n_peers_giving="size")
        .reset_index()
    )
    table = own.merge(medians, on=["measure", "is_rate"], how="left")
    table["n_peers_giving"] = table["n_peers_giving"].fillna(0).astype("int64")
    table["n_peers"] = len(peers)
    columns = ["measure", "name", "is_rate", "value", "n_counts", "peer_median"]
    return table[[*columns, "n_peers_giving", "n_peers", "sentences"]].reset_index(drop=True)


def measures_by_entity(indicators: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Measures × entities, ready to show: each entity's value of each measure (a report's
    largest count; the mean where an entity has several reports; rates averaged, never
    summed), "—" where the entity's reports do not give it, and a first column saying how
    many of the reports give the measure.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib import extract_indicators
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["甲镇", "乙镇"],
    ...                      "text": ["受理行政复议案件1,200件。", "调解成功率98%。"]})
    >>> measures_by_entity(extract_indicators(docs), docs).values.tolist()
    [['1 / 2', '1,200', '—'], ['1 / 2', '—', '98%']]
    """
    from reportlib.measure_tables import indicator_table

    table = indicator_table(indicators, documents, by=("entity",))
    if table.empty:
        return pd.DataFrame()
    table = table.assign(
        shown=[measure_value(v, r) for v, r in zip(table["mean"], table["is_rate"], strict=True)],
        row=[rate_name(n, r) for n, r in zip(table["name"], table["is_rate"], strict=True)],
    )
    grid = table.pivot(index="row", columns="entity", values="shown")
    order = [entity for entity in dict.fromkeys(documents["entity"]) if entity in grid.columns]
    grid = grid.reindex(columns=order).fillna("—")  # entities in the order they were chosen
    given = table.groupby("row")["n_reports"].sum()
    grid.insert(
        0,
        label("03.measures.given"),
        [
            label("03.measures.given_of", given=given[row], total=len(documents))
            for row in grid.index
        ],
    )
    return grid.rename_axis(index=label("measure"), columns=None)


def measure_grid(table: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """:func:`reportlib.indicator_table` grouped by ``by`` and ``report_year``, as readers
    see it: one row per measure and group, one column per year, each cell the total over the
    reports that give the measure (their median beside it when there are several; for a
    rate, its mean), then how many of the group's reports of that year give it.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib import extract_indicators, indicator_table
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "level": ["镇"] * 3, "report_year": [2023] * 3,
    ...                      "text": ["受理行政复议案件1,200件。", "受理行政复议案件4件。", "无。"]})
    >>> table = indicator_table(extract_indicators(docs), docs, by=("level", "report_year"))
    >>> measure_grid(table, by="level").values.tolist()
    [['1,204（中位数 602） · 2/3 份']]
    """

    def cell(row: pd.Series) -> str:
        if row["is_rate"]:
            value = percent(row["mean"])
        elif row["n_reports"] > 1:
            value = label(
                "05.cell.median", total=number(row["total"]), median=number(row["median"])
            )
        else:
            value = number(row["total"])
        return label(
            "05.cell.reports",
            value=value,
            given=row["n_reports"],
            total=row["n_reports"] + row["n_without"],
        )

    if table.empty:
        return pd.DataFrame()
    shown = table.assign(
        cell=table.apply(cell, axis=1),
        measure_name=[
            rate_name(n, r) for n, r in zip(table["name"], table["is_rate"], strict=True)
        ],
        year=table["report_year"].map(
            lambda y: label("year.unknown") if pd.isna(y) else label("years.one", year=int(y))
        ),
        group=table[by].fillna("").replace("", label("group.unknown", group=group_label(by))),
    )
    grid = shown.pivot_table(
        index=["measure_name", "group"], columns="year", values="cell", aggfunc="first"
    ).fillna("—")
    return grid.rename_axis(index=[label("measure"), group_label(by)], columns=None)


def keyness_by_group(
    counts: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    by: str = "entity",
    n: int = 6,
    min_count: int = 2,
    max_p: float = 0.001,
) -> pd.DataFrame:
    """Each group's distinctive words against the other groups' reports: keyness (G²) of
    the group's reports (target) against the rest of ``documents`` (reference), kept only
    when significant (``p_value`` < ``max_p``: G² ≥ 10.83 at 0.001) and used at least
    ``min_count`` times by the group; the place names of every report in ``documents``
    (entity, parent, official name and their stems) never count.

    Returns
    -------
    pandas.DataFrame
        ``group, term, statistic, p_value, n_target, n_reference``: at most ``n`` rows per
        group, the strongest first. Empty when there are fewer than two groups.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["甲镇", "乙镇"], "parent": ["", ""]})
    >>> counts = pd.DataFrame({"doc_id": ["a", "a", "b", "b"], "term": ["枫桥经验", "普法"] * 2,
    ...                        "count": [12, 10, 0, 30]})
    >>> keyness_by_group(counts, docs)[["group", "term"]].values.tolist()
    [['甲镇', '枫桥经验'], ['乙镇', '普法']]
    """
    columns = ["group", *KEYNESS_COLUMNS]
    named = documents[documents[by].fillna("") != ""]
    if named[by].nunique() < 2:
        return pd.DataFrame(columns=columns)
    counts = counts[counts["doc_id"].isin(named["doc_id"])]
    counts = _without_names(counts, _place_names(named))
    parts = []
    for group, members in named.groupby(by, sort=False):
        target = list(members["doc_id"])
        reference = list(named.loc[named[by] != group, "doc_id"])
        table = keyness(
            counts, target=target, reference=reference, measure="llr", min_count=min_count
        )
        table = _significant(table, max_p=max_p, min_count=min_count)
        parts.append(table.head(n).assign(group=group))
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    return found[columns].reset_index(drop=True)


def copied_passages(reuse: pd.DataFrame, *, n_reports: int, max_share: float = 0.2) -> pd.DataFrame:
    """The passages of a reuse table that are copying between particular reports (or within
    one): formulae of the genre left out (:func:`reportlib.reuse.is_formula`).

    >>> import pandas as pd
    >>> reuse = pd.DataFrame({"n_documents": [2, 2], "relation": ["other"] * 2,
    ...                       "text": ["全年办理行政复议案件12件。", "三、党政主要负责人履行推进法治建设第一责任人职责情况"]})
    >>> copied_passages(reuse, n_reports=10)["text"].tolist()
    ['全年办理行政复议案件12件。']
    """
    from reportlib.reuse import is_formula

    if reuse.empty:
        return reuse
    internal = reuse["relation"] == "internal"
    return reuse[internal | ~is_formula(reuse, n_reports=n_reports, max_share=max_share)]


def reuse_matrix(
    reuse: pd.DataFrame, documents: pd.DataFrame, *, n_reports: int, max_share: float = 0.2
) -> pd.DataFrame:
    """The share of each report (row) found in each other report (column) of ``documents``,
    formulae of the genre left out (:func:`copied_passages`; ``n_reports`` is the size of the
    corpus the shares of formulae refer to). Rows and columns are named by
    :func:`report_name`; a report's share found in itself is 0.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["甲镇", "乙镇"], "report_year": [2023] * 2,
    ...                      "text": ["x" * 100, "y" * 200]})
    >>> reuse = pd.DataFrame({"doc_id": ["b"], "other_doc_id": ["a"], "start": [0], "end": [50],
    ...     "n_chars": [50], "text": ["y" * 50], "relation": ["other"], "n_documents": [2]})
    >>> reuse_matrix(reuse, docs, n_reports=10).round(2).values.tolist()
    [[0.0, 0.0], [0.25, 0.0]]
    """
    doc_ids = list(documents["doc_id"])
    pairs = copied_passages(reuse, n_reports=n_reports, max_share=max_share)
    pairs = pairs[
        (pairs["relation"] != "internal")
        & pairs["doc_id"].isin(doc_ids)
        & pairs["other_doc_id"].isin(doc_ids)
    ]
    shared = pairs.groupby(["doc_id", "other_doc_id"])["n_chars"].sum()
    n_chars = documents.set_index("doc_id")["text"].str.len().clip(lower=1)
    matrix = pd.DataFrame(0.0, index=doc_ids, columns=doc_ids)
    for (doc, other), chars in shared.items():
        matrix.loc[doc, other] = min(1.0, chars / n_chars[doc])
    names = [report_name(documents, doc_id) for doc_id in doc_ids]
    return matrix.set_axis(names, axis=0).set_axis(names, axis=1)


def trend_lines(trends: pd.DataFrame, *, by: str) -> pd.DataFrame:
    """``keyword_trends`` output with a row for every year between each series' first and last
    year: a year a series has no report gets an empty rate, so a plotted line breaks there
    instead of joining across the gap.

    Examples
    --------
    >>> import pandas as pd
    >>> trends = pd.DataFrame({"entity": ["甲镇"] * 2, "report_year": [2020, 2023],
    ...     "term": ["普法"] * 2, "rate_per_10k": [3.0, 5.0], "n_reports": [1, 1]})
    >>> trend_lines(trends, by="entity")["rate_per_10k"].tolist()
    [3.0, nan, nan, 5.0]
    """
    rows = []
    for (group, term), series in trends.groupby([by, "term"], sort=False):
        years = series["report_year"].astype(int)
        full = pd.DataFrame({"report_year": range(int(years.min()), int(years.max()) + 1)})
        line = full.merge(series.assign(report_year=years), on="report_year", how="left")
        rows.append(line.assign(**{by: group, "term": term}))
    if not rows:
        return trends.iloc[:0]
    return pd.concat(rows, ignore_index=True)[trends.columns]


def longest_series(trends: pd.DataFrame, *, by: str, n: int = 12) -> pd.DataFrame:
    """The rows of ``trends`` for the ``n`` groups with reports in the most years (the most
    reports breaking ties): a chart with a hundred lines shows none.

    >>> import pandas as pd
    >>> trends = pd.DataFrame({"entity": ["甲", "甲", "乙"], "report_year": [2022, 2023, 2023],
    ...                        "n_reports": [1, 1, 3]})
    >>> longest_series(trends, by="entity", n=1)["entity"].unique().tolist()
    ['甲']
    """
    ranked = trends.groupby(by).agg(years=("report_year", "nunique"), reports=("n_reports", "sum"))
    top = ranked.sort_values(["years", "reports"], ascending=False).head(n).index
    return trends[trends[by].isin(top)]


_NOT_FOUND = re.compile(r"(\w+) not found in the text$")

_SAME_NAME = re.compile(r"(\S+): (\d+) divisions of the official list go by this name")


def describe_problem(stage: str, message: str) -> str:
    """A build problem (a ``problems`` row) told in the reader's language: the kinds the
    build writes are recognised, any other is named as such (its message stays in the table).

    Examples
    --------
    >>> describe_problem("metadata", "data/raw/a.txt: publish_date not found in the text")
    '文中未找到发布日期'
    >>> describe_problem("metadata", "d1.txt: 下洋镇: 3 divisions of the official list go by this name")
    '下洋镇：官方区划中有 3 个同名单位，页面未说明是哪一个，区划代码和上级留空'
    >>> describe_problem("read", "b.pdf: unexpected ValueError")
    '读取：其他问题（详见构建记录）'
    """
    text = str(message)
    found = _NOT_FOUND.search(text)
    if found:
        key = f"field.{found.group(1)}"
        return label(
            "problem.not_found", field=label(key) if key in LABELS["zh"] else found.group(1)
        )
    found = _SAME_NAME.search(text)
    if found:
        return label("problem.same_name", name=found.group(1).rsplit(": ", 1)[-1], n=found.group(2))
    if "no numbered headings" in text:
        return label("problem.no_headings")
    key = f"stage.{stage}"
    return f"{label(key) if key in LABELS['zh'] else stage}：{label('problem.other')}"


def province_coverage(documents: pd.DataFrame, divisions: pd.DataFrame) -> pd.DataFrame:
    """How much of each province the corpus covers, by the official division list.

    One row per province of the list: ``reports`` (linked to a division in that province),
    ``towns`` and ``counties`` reporting (distinct 9- and 6-digit codes at those tiers), the
    list's ``towns_in_list`` and ``counties_in_list``, their shares, and the ``years``
    reported on. Reports without a ``division_code`` are counted in a last row
    ``（未关联区划）``, so every report stands behind some row.

    Examples
    --------
    >>> import pandas as pd
    >>> divisions = pd.DataFrame({
    ...     "code": ["500000", "500110", "500110102", "500110103"],
    ...     "tier": [1, 3, 4, 4], "province": ["重庆市"] * 4,
    ... })
    >>> documents = pd.DataFrame({
    ...     "division_code": ["500110102", "500110102", "500110", ""],
    ...     "report_year": [2022, 2023, 2023, 2023],
    ... })
    >>> table = province_coverage(documents, divisions)
    >>> table[["province", "reports", "towns", "towns_in_list", "counties"]].values.tolist()
    [['重庆市', 3, 1, 2, 1], ['（未关联区划）', 1, 0, 0, 0]]
    """
    tiers = divisions.set_index("code")["tier"]
    provinces = divisions.set_index("code")["province"]
    codes = documents["division_code"].fillna("").astype(str)
    linked = documents.assign(
        _code=codes,
        _province=codes.map(provinces).fillna(label("01.province.unlinked")),
        _tier=codes.map(tiers).astype("Int64"),
    )
    in_list = divisions.groupby("province")["tier"].agg(
        towns_in_list=lambda t: int((t == 4).sum()), counties_in_list=lambda t: int((t == 3).sum())
    )
    rows = []
    for province, group in linked.groupby("_province", sort=True):
        years = group["report_year"].dropna().astype(int)
        rows.append(
            {
                "province": province,
                "reports": len(group),
                "towns": group.loc[group["_tier"] == 4, "_code"].nunique(),
                "counties": group.loc[group["_tier"] == 3, "_code"].nunique(),
                "years": f"{years.min()}–{years.max()}" if len(years) else "",
            }
        )
    table = pd.DataFrame(rows, columns=["province", "reports", "towns", "counties", "years"]).merge(
        in_list, left_on="province", right_index=True, how="left"
    )
    for column in ("towns_in_list", "counties_in_list"):
        table[column] = table[column].fillna(0).astype("int64")
    table["town_share"] = (table["towns"] / table["towns_in_list"].where(lambda n: n > 0)).round(4)
    table["county_share"] = (
        table["counties"] / table["counties_in_list"].where(lambda n: n > 0)
    ).round(4)
    unlinked = table["province"] == label("01.province.unlinked")
    table = pd.concat([table[~unlinked].sort_values("reports", ascending=False), table[unlinked]])
    return table.reset_index(drop=True)[
        [
            "province",
            "reports",
            "towns",
            "towns_in_list",
            "town_share",
            "counties",
            "counties_in_list",
            "county_share",
            "years",
        ]
    ]
