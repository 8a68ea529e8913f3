"""Tables of measures: what each report gives for each measure, and groups of reports compared.

Only counts linked to a measure (``indicators.measure``) are ever added up or averaged, and
only with counts of the same measure. Within one report, a measure's value is its **largest**
count: a report that writes "受理行政复议申请11件，办结9件" handled 11 cases, and adding its
counts would count cases twice (``n_counts`` says when a report gives several). Parts of a
total (``part_of``) and repeated paragraphs never count; planned values (``is_planned``) are
kept apart from achieved ones. Across reports, counts are summed and their median taken;
rates are averaged, never summed. Unlinked counts are mentions (:func:`unlinked_counts`): they
are listed, never summed or averaged.
"""

from __future__ import annotations

import pandas as pd

from reportlib.measures import Catalogue, load_measures

__all__ = ["indicator_table", "report_measures", "unlinked_counts"]

REPORT_MEASURE_COLUMNS = [
    "doc_id",
    "measure",
    "name",
    "is_rate",
    "value",
    "n_counts",
    "surfaces",
    "sentences",
]


def report_measures(
    indicators: pd.DataFrame,
    *,
    planned: bool = False,
    include_duplicates: bool = False,
    measures: Catalogue | None = None,
) -> pd.DataFrame:
    """One row per report and measure it gives: its value and the counts behind it.

    Parameters
    ----------
    indicators
        The indicators table (:func:`reportlib.extract_indicators`).
    planned
        False (default): achieved values only; True: planned values (targets, next year) only.
    include_duplicates
        Keep counts of paragraphs the report repeats verbatim.
    measures
        The catalogue (:func:`reportlib.measures.load_measures` when not given), for names.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, measure, name, is_rate, value, n_counts, surfaces, sentences``: ``value`` is
        the largest count (the mean for a rate; a measure given both ways has a row for each),
        ``surfaces`` and ``sentences`` the counts as written and their sentences, joined by
        " / " and a line break. A new frame; the input is not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib import extract_indicators
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["受理行政复议申请11件,办结9件,调解成功率98%。"]})
    >>> report_measures(extract_indicators(docs))[["measure", "value", "n_counts"]].values.tolist()
    [['行政复议', 11.0, 2], ['调解成功率', 98.0, 1]]
    """
    data = indicators[
        (indicators["measure"].fillna("") != "")
        & (indicators["is_planned"] == planned)
        & indicators["part_of"].isna()
    ]
    if not include_duplicates:
        data = data[~data["is_duplicate"]]
    if data.empty:
        return pd.DataFrame(columns=REPORT_MEASURE_COLUMNS)
    names = (load_measures() if measures is None else measures).names
    # a measure given both as a count and as a rate (学法考试: 1200人, 参考率100%) has two values
    grouped = data.sort_values(["doc_id", "start"]).groupby(
        ["doc_id", "measure", "is_rate"], sort=False, dropna=False
    )
    table = grouped.agg(
        largest=("value", "max"),
        mean=("value", "mean"),
        n_counts=("value", "size"),
        surfaces=("surface", lambda values: " / ".join(values)),
        sentences=("sentence", lambda values: "\n".join(dict.fromkeys(values))),
    ).reset_index()
    table["name"] = table["measure"].map(names).fillna(table["measure"])
    table["value"] = table["mean"].where(table["is_rate"], table["largest"])
    table["n_counts"] = table["n_counts"].astype("int64")
    # in the order the report gives them (groups were formed in reading order)
    return table[REPORT_MEASURE_COLUMNS].reset_index(drop=True)


def indicator_table(
    indicators: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    by: tuple[str, ...] = ("entity", "report_year"),
    planned: bool = False,
    include_duplicates: bool = False,
    measures: Catalogue | None = None,
) -> pd.DataFrame:
    """Measures × groups of reports: one row per measure and ``by`` group.

    Parameters
    ----------
    indicators
        The indicators table.
    documents
        The reports that make up the groups (a selection of the documents table): a report
        in ``documents`` that gives no value of a measure counts in ``n_without``.
    by
        Documents columns to group by (entity, parent, level, report_year, division_code…).
    planned, include_duplicates, measures
        As for :func:`report_measures`.

    Returns
    -------
    pandas.DataFrame
        ``*by, measure, name, is_rate, n_reports, n_without, total, median, mean, min, max``:
        ``n_reports`` reports give the measure and ``n_without`` reports of the group do not;
        ``total`` is the sum of the reports' values (empty for rates, which are never summed).
        A new frame; the inputs are not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib import extract_indicators
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c"], "level": ["镇", "镇", "镇"],
    ...     "text": ["受理行政复议申请11件,办结9件。", "受理行政复议案件4件,调解成功率96%。", "调解成功率100%。"]})
    >>> table = indicator_table(extract_indicators(docs), docs, by=("level",))
    >>> table[["measure", "n_reports", "n_without", "total", "mean"]].values.tolist()
    [['行政复议', 2, 1, 15.0, 7.5], ['调解成功率', 2, 1, nan, 98.0]]
    """
    by = tuple(by)
    values = report_measures(
        indicators[indicators["doc_id"].isin(documents["doc_id"])],
        planned=planned,
        include_duplicates=include_duplicates,
        measures=measures,
    )
    columns = [*by, "measure", "name", "is_rate", "n_reports", "n_without"]
    columns += ["total", "median", "mean", "min", "max"]
    if values.empty:
        return pd.DataFrame(columns=columns)
    groups = documents[["doc_id", *by]].drop_duplicates("doc_id")
    data = values.merge(groups, on="doc_id", how="inner")
    table = (
        data.groupby([*by, "measure", "is_rate"], dropna=False, sort=False)
        .agg(
            name=("name", "first"),
            n_reports=("doc_id", "nunique"),
            total=("value", "sum"),
            median=("value", "median"),
            mean=("value", "mean"),
            min=("value", "min"),
            max=("value", "max"),
        )
        .reset_index()
    )
    if by:
        sizes = groups.groupby(list(by), dropna=False).size().rename("n_group").reset_index()
        table = table.merge(sizes, on=list(by), how="left")
    else:
        table = table.assign(n_group=len(groups))
    table["n_without"] = (table["n_group"] - table["n_reports"]).astype("int64")
    table["n_reports"] = table["n_reports"].astype("int64")
    table["total"] = table["total"].where(~table["is_rate"].astype(bool))
    return table.sort_values([*by, "measure"]).reset_index(drop=True)[columns]


def unlinked_counts(indicators: pd.DataFrame, *, include_duplicates: bool = False) -> pd.DataFrame:
    """The counts linked to no measure: mentions to read, never to add up.

    Returns the rows of ``indicators`` whose ``measure`` is empty (repeated paragraphs left
    out unless ``include_duplicates``), with ``doc_id, section_id, surface, subject, sentence,
    is_planned``. A new frame.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib import extract_indicators
    >>> docs = pd.DataFrame({"doc_id": ["a"], "text": ["8个村建立了法律服务微信群。"]})
    >>> unlinked_counts(extract_indicators(docs))[["surface", "subject"]].values.tolist()
    [['8个', '村']]
    """
    data = indicators[indicators["measure"].fillna("") == ""]
    if not include_duplicates:
        data = data[~data["is_duplicate"]]
    columns = ["doc_id", "section_id", "surface", "subject", "sentence", "is_planned"]
    return data[columns].reset_index(drop=True)
