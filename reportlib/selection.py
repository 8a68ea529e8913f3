"""Which reports a briefing is about: a report chosen by its parameters, its peers, its
previous report (one definition, shared with reuse), and the reports a comparison may put side
by side (whole reports, or page excerpts alone, never the two mixed).

A parameter that names nothing stops with a :class:`~reportlib.errors.ParameterError` that
lists the closest valid values.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

import pandas as pd

from reportlib.errors import ParameterError
from reportlib.labels import label
from reportlib.markup import text_or
from reportlib.parameters import as_list, as_year

__all__ = [
    "busiest_level",
    "closest_matches",
    "comparable",
    "most_reused",
    "peers_of",
    "previous_doc_ids",
    "previous_report",
    "select_documents",
    "select_report",
    "trend_documents",
]


def closest_matches(value: object, choices: Iterable[object], *, n: int = 5) -> list[str]:
    """The valid values nearest to ``value``, best first: for error messages. Candidates are
    the names close by :mod:`difflib`'s ratio (≥ 0.3) and the names sharing a character with
    ``value`` (short Chinese names: 永乐 → 永乐镇), ranked by that ratio, then by how many of
    ``value``'s characters they hold, then by name.

    Examples
    --------
    >>> closest_matches("普法", ["信访", "普法宣传", "行政执法"])
    ['普法宣传', '行政执法']
    >>> closest_matches("司法所", ["司法局", "运城市司法局", "公安局", "司法部"])
    ['司法局', '司法部', '运城市司法局']
    """
    wanted = str(value)
    scored = []
    for name in sorted({str(choice) for choice in choices if str(choice)}):
        ratio = difflib.SequenceMatcher(None, wanted, name).ratio()
        shared = len(set(wanted) & set(name))
        if ratio >= 0.3 or shared:
            scored.append((-ratio, -shared, name))
    return [name for *_, name in sorted(scored)[:n]]


def select_report(
    documents: pd.DataFrame,
    *,
    entity: str = "",
    parent: str | None = None,
    year: int | None = None,
    doc_id: str | None = None,
) -> pd.Series:
    """The report of ``entity`` (in ``parent``, if given) for ``year`` (latest if None), or
    the report ``doc_id`` whatever the others say (a report whose entity the page does not
    name can still be briefed on).

    Raises
    ------
    ParameterError
        No such entity, parent or year; the message names the closest valid values.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["永乐镇", "永乐镇"],
    ...                      "parent": ["芮城县", "芮城县"], "report_year": [2022, 2023]})
    >>> select_report(docs, entity="永乐镇")["doc_id"]
    'b'
    >>> select_report(docs, entity="永乐")
    Traceback (most recent call last):
    ...
    reportlib.errors.ParameterError: no report of entity '永乐'. Closest: 永乐镇
    >>> int(select_report(docs, entity="", doc_id="a")["report_year"])
    2022
    """
    if doc_id:
        chosen = documents[documents["doc_id"] == doc_id]
        if chosen.empty:
            raise ParameterError(
                f"no report has doc_id {doc_id!r}",
                closest=closest_matches(doc_id, documents["doc_id"]),
            )
        return chosen.iloc[0]
    _require([entity], documents, "entity", "of entity")
    rows = documents[documents["entity"] == entity]
    if parent:
        in_parent = rows[rows["parent"] == parent]
        if in_parent.empty:
            raise ParameterError(
                f"{entity} has no report under parent {parent!r}",
                closest=sorted(set(rows["parent"]) - {""}),
            )
        rows = in_parent
    year = as_year(year)
    if year is not None:
        in_year = rows[rows["report_year"] == year]
        if in_year.empty:
            years = sorted(int(y) for y in rows["report_year"].dropna())
            raise ParameterError(
                f"{entity} has no report for {year}", closest=[str(y) for y in years]
            )
        rows = in_year
    return rows.sort_values(["report_year", "doc_id"], na_position="first").iloc[-1]


def _require(values: Sequence[object], documents: pd.DataFrame, column: str, what: str) -> None:
    """Stop when a value names no report: "no report of entity '永乐'. Closest: 永乐镇"."""
    known = set(documents[column])
    unknown = [value for value in values if value not in known]
    if unknown:
        raise ParameterError(
            f"no report {what} {unknown[0]!r}",
            closest=closest_matches(unknown[0], documents[column]),
        )


def select_documents(
    documents: pd.DataFrame,
    *,
    entities: Sequence[str] | None = None,
    parent: str | None = None,
    years: Sequence[int] | None = None,
    levels: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The documents matching every given filter; an unknown value raises ParameterError.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["甲镇", "乙镇"], "parent": ["丙县"] * 2,
    ...                      "level": ["镇", "镇"], "report_year": [2022, 2023]})
    >>> select_documents(docs, parent="丙县", years=[2023])["doc_id"].tolist()
    ['b']
    """
    entities = as_list(entities, name="entities")  # type: ignore[assignment]
    years = as_list(years, name="years", years=True)  # type: ignore[assignment]
    chosen = documents
    if entities:
        _require(entities, documents, "entity", "of entity")
        chosen = chosen[chosen["entity"].isin(list(entities))]
    if parent:
        _require([parent], documents, "parent", "has parent")
        chosen = chosen[chosen["parent"] == parent]
    levels = as_list(levels, name="levels")  # type: ignore[assignment]
    if levels:
        _require(levels, documents, "level", "of level")
        chosen = chosen[chosen["level"].isin(list(levels))]
    if years:
        wanted = {int(year) for year in years}  # type: ignore[call-overload]
        available = sorted({int(y) for y in chosen["report_year"].dropna()})
        if not wanted & set(available):
            raise ParameterError(
                f"no report for {sorted(wanted)} in this selection",
                closest=[str(year) for year in available],
            )
        chosen = chosen[chosen["report_year"].isin(wanted)]
    if chosen.empty:
        raise ParameterError("the selection holds no report")
    return chosen


def peers_of(documents: pd.DataFrame, report: pd.Series) -> tuple[pd.DataFrame, str]:
    """The reports to compare ``report`` with, and how they were chosen: other entities under
    the same parent, else other entities of the same level, else every other report, always
    of the report's own kind. A whole report's peers are whole reports (page excerpts left
    out, and counted); a page excerpt's (``is_excerpt``: the first screen of a page) are page
    excerpts, so a report's beginning is never measured against whole reports.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "entity": ["甲镇", "乙镇", "丙市", "丁镇"],
    ...                      "parent": ["丁县", "丁县", "", "丁县"], "level": ["镇", "镇", "市", "镇"],
    ...                      "is_excerpt": [False, False, False, True]})
    >>> peers, how = peers_of(docs, docs.iloc[0])
    >>> peers["doc_id"].tolist(), how
    (['b'], '同一上级（丁县），不含 1 份网页摘录')
    >>> peers, how = peers_of(docs, docs.iloc[3])
    >>> peers["doc_id"].tolist(), how
    ([], '没有可比的网页摘录（3 份完整报告不与摘录比较）')
    """
    others = documents[documents["entity"] != report["entity"]]
    excerpt = (
        others["is_excerpt"].astype(bool)
        if "is_excerpt" in others
        else pd.Series(False, index=others.index)
    )
    own_kind = excerpt if bool(report.get("is_excerpt", False)) else ~excerpt
    groups = []
    if report.get("parent"):
        groups.append(
            (others["parent"] == report["parent"], label("peers.parent", parent=report["parent"]))
        )
    if report.get("level"):
        groups.append(
            (others["level"] == report["level"], label("peers.level", level=report["level"]))
        )
    groups.append((pd.Series(True, index=others.index), label("peers.all")))
    for member, rule in groups:
        peers = others[member & own_kind]
        if peers.empty:
            continue
        left_out = int((member & ~own_kind).sum())
        if bool(report.get("is_excerpt", False)):
            return peers, rule + label("peers.excerpts_only") + (
                label("peers.whole_left_out", n=left_out) if left_out else ""
            )
        return peers, rule + (label("peers.excerpts", n=left_out) if left_out else "")
    if bool(report.get("is_excerpt", False)):
        return others.iloc[:0], label("peers.none_excerpts", n=int((~excerpt).sum()))
    return others.iloc[:0], label("peers.none", n=int(excerpt.sum()))


def _latest_earlier(same_entity: pd.DataFrame, *, year: object, parent: object) -> pd.Series | None:
    """The rule of a previous report, on one entity's reports: the latest of an earlier year,
    under the same parent or under an unknown one (a page that does not name its parent)."""
    earlier = same_entity[same_entity["report_year"] < year]
    if text_or(parent, ""):
        earlier = earlier[earlier["parent"].isin([parent, ""])]
    if earlier.empty:
        return None
    return earlier.sort_values(["report_year", "doc_id"]).iloc[-1]


def previous_report(documents: pd.DataFrame, report: pd.Series) -> pd.Series | None:
    """The same entity's latest report before ``report``'s year (under the same parent, or
    one the page does not name), if there is one. Reports whose entity or year is unknown have
    none.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["甲镇"] * 2, "parent": [""] * 2,
    ...                      "report_year": [2022, 2023]})
    >>> previous_report(docs, docs.iloc[1])["doc_id"]
    'a'
    """
    if pd.isna(report.get("report_year")) or not text_or(report.get("entity"), ""):
        return None  # reports whose entity is unknown are no series
    return _latest_earlier(
        documents[documents["entity"] == report["entity"]],
        year=report["report_year"],
        parent=report.get("parent"),
    )


def previous_doc_ids(documents: pd.DataFrame) -> dict[str, str]:
    """Every report's previous report (:func:`previous_report`), as doc_id → doc_id, in one
    pass over the entities that have several reports.

    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "entity": ["甲镇", "甲镇", "乙镇"],
    ...     "parent": ["丙县", "丁县", ""], "report_year": [2022, 2023, 2023]})
    >>> previous_doc_ids(docs)  # 甲镇 of 丁县 is another town than 甲镇 of 丙县
    {}
    >>> previous_doc_ids(docs.assign(parent=["丙县", "", ""]))
    {'b': 'a'}
    """
    if not {"entity", "report_year"} <= set(documents.columns):
        return {}  # a bare table of texts: no series
    if "parent" not in documents:
        documents = documents.assign(parent="")
    named = documents[(documents["entity"].fillna("") != "") & documents["report_year"].notna()]
    several = named[named.duplicated("entity", keep=False)]
    found: dict[str, str] = {}
    for _, same_entity in several.groupby("entity", sort=False):
        for row in same_entity.itertuples(index=False):
            earlier = _latest_earlier(same_entity, year=row.report_year, parent=row.parent)
            if earlier is not None:
                found[row.doc_id] = str(earlier["doc_id"])
    return found


def comparable(documents: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The documents a comparison may put side by side, and a note saying which: the whole
    reports when there are any (the page excerpts left out, and counted), else the excerpts
    alone, said to be excerpts. Whole reports and first screens of pages are never mixed.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "is_excerpt": [False, True, True]})
    >>> kept, note = comparable(docs)
    >>> kept["doc_id"].tolist(), note
    (['a'], '只比较完整报告，不含 2 份网页摘录')
    >>> comparable(docs.iloc[1:])[0]["doc_id"].tolist()
    ['b', 'c']
    """
    if "is_excerpt" not in documents:
        return documents, label("kind.all_whole")
    excerpt = documents["is_excerpt"].astype(bool)
    if excerpt.all():
        return documents, label("kind.excerpts")
    if not excerpt.any():
        return documents, label("kind.all_whole")
    return documents[~excerpt], label("kind.whole", n=int(excerpt.sum()))


def busiest_level(documents: pd.DataFrame, *, by: str, min_years: int) -> str:
    """The level whose documents give the most ``by`` groups with reports in at least
    ``min_years`` years (the most reports breaking ties): the one level a trend compares by
    default, so a ministry, a province and a street office never share an axis.

    >>> import pandas as pd
    >>> docs = pd.DataFrame({"entity": ["甲镇", "甲镇", "乙市"], "level": ["镇", "镇", "市"],
    ...                      "report_year": [2022, 2023, 2023]})
    >>> busiest_level(docs, by="entity", min_years=2)
    '镇'
    """
    known = documents[(documents["level"].fillna("") != "") & documents["report_year"].notna()]
    if known.empty:
        return ""
    spans = known.groupby(["level", by])["report_year"].nunique()
    series = (spans >= min_years).groupby(level="level").sum()
    sizes = known.groupby("level").size()
    ranked = pd.DataFrame({"series": series, "reports": sizes}).fillna(0)
    return str(ranked.sort_values(["series", "reports"], ascending=False).index[0])


def trend_documents(
    documents: pd.DataFrame, *, by: str = "entity", min_years: int = 2, level: str = ""
) -> tuple[pd.DataFrame, str, str]:
    """The reports a keyword trend compares, and two notes saying which.

    Like is compared with like: whole reports, or page excerpts when no group of whole
    reports spans ``min_years`` years (never the two mixed; the kind note says which), and
    one level (``level``, else :func:`busiest_level`), unless the groups are the levels
    themselves (``by="level"``). Reports without a year or a ``by`` value are left out.

    Returns
    -------
    tuple
        ``(documents, kind_note, level_note)``.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": list("abcd"), "entity": ["甲镇", "甲镇", "乙市", "乙市"],
    ...     "level": ["镇", "镇", "市", "市"], "report_year": [2022, 2023, 2022, 2023],
    ...     "is_excerpt": [True, True, True, False]})
    >>> chosen, kind, level = trend_documents(docs)
    >>> chosen["doc_id"].tolist(), kind, level
    (['a', 'b'], '所选报告都是网页摘录（只含页面开头约 700 字）：以下只在摘录之间比较，不代表完整报告', '只比较镇一级')
    """
    known = documents[(documents[by].fillna("") != "") & documents["report_year"].notna()]
    excerpt = (
        known["is_excerpt"].astype(bool)
        if "is_excerpt" in known
        else pd.Series(False, index=known.index)
    )

    def spans(part: pd.DataFrame) -> bool:
        return bool((part.groupby(by)["report_year"].nunique() >= min_years).any())

    whole = known[~excerpt]
    if spans(whole) or not excerpt.any():
        chosen = whole
        kind = (
            label("kind.whole", n=int(excerpt.sum())) if excerpt.any() else label("kind.all_whole")
        )
    else:
        chosen, kind = known[excerpt], label("kind.excerpts")
    if by == "level":
        return chosen, kind, label("04.level.all")
    if level:
        _require([level], documents, "level", "of level")
    else:
        level = busiest_level(chosen, by=by, min_years=min_years)
    return chosen[chosen["level"] == level], kind, label("04.level", level=level)


def most_reused(summary: pd.DataFrame, documents: pd.DataFrame, *, n: int = 12) -> pd.DataFrame:
    """The (at most) ``n`` documents with the most reuse (shared with other reports plus
    repeated within themselves; none without any), for a reuse briefing with no parent chosen.

    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"]})
    >>> summary = pd.DataFrame({"doc_id": ["a", "b", "c"], "boilerplate_ratio": [0.1, 0.0, 0.3],
    ...                         "internal_ratio": [0.0, 0.0, 0.1]})
    >>> most_reused(summary, docs, n=5)["doc_id"].tolist()
    ['a', 'c']
    """
    total = summary["boilerplate_ratio"] + summary["internal_ratio"]
    ranked = summary.assign(_total=total)
    top = ranked[ranked["_total"] > 0].nlargest(n, "_total")["doc_id"]
    return documents[documents["doc_id"].isin(set(top))]
