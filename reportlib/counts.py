"""Counts: how often terms occur per document or group, as rates per 10,000 characters.

Vocabulary after quanteda: tokens → counts (a long document-feature table) → trends and top
terms. Every function returns a new DataFrame and leaves its inputs unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

__all__ = ["COUNT_COLUMNS", "count_keywords", "keyword_trends", "top_terms"]

# Document columns carried into per-document counts, so that trends and keyness can select and
# group by them without another join.
_METADATA = ("entity", "parent", "level", "report_year")
COUNT_COLUMNS = ["term", "count", "n_chars", "rate_per_10k", "n_documents", "n_documents_with"]


def _unit_keys(units: pd.DataFrame) -> list[str]:
    """A documents table is keyed by doc_id; a sections table by doc_id and section_id."""
    return ["doc_id", "section_id"] if "section_id" in units.columns else ["doc_id"]


def _units(documents: pd.DataFrame) -> pd.DataFrame:
    keys = _unit_keys(documents)
    repeated = documents[documents.duplicated(keys, keep=False)]
    if len(repeated):
        # two rows with one key would split one document's denominator between them
        raise ValueError(
            f"documents has repeated {'/'.join(keys)}: "
            f"{sorted(map(str, repeated[keys[-1]].unique()))[:5]}"
        )
    extra = [c for c in (*_METADATA, "part") if c in documents.columns and c not in keys]
    units = documents[[*keys, *extra]].copy()
    units["n_chars"] = documents["text"].fillna("").str.len().astype("int64")
    return units


def count_keywords(
    tokens: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    keywords: Iterable[str] | None = None,
    by: Sequence[str] = ("doc_id",),
    match: str = "text",
    include_stopwords: bool = False,
) -> pd.DataFrame:
    """Counts of terms per group, with rates per 10,000 characters and the reports behind them.

    Parameters
    ----------
    tokens
        The tokens table (:func:`reportlib.tokenize`).
    documents
        The documents table, or a sections table to count per section (``by`` may then name
        ``section_id`` or ``part``). Its text lengths are the denominators of the rates.
    keywords
        Terms to count. Without them every token that is not a stop word is counted, and
        only the terms present in a group are listed; with them every group gets a row for
        every keyword, zeros included.
    by
        Grouping columns, from ``documents`` (``doc_id``, ``entity``, ``report_year``,
        ``level``, ``parent``, ``section_id``, ``part`` …). When ``doc_id`` is among them, the
        documents' ``entity, parent, level, report_year`` are carried along.
    match
        How keywords are found: ``"text"`` counts every occurrence in the text, inside longer
        words too (枫桥经验 inside 新时代枫桥经验) — what an analyst searching the reports
        expects; ``"token"`` counts whole tokens only. Ignored without ``keywords``.
    include_stopwords
        Count stop words too when no keywords are given.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns (plus carried metadata), then ``term, count, n_chars, rate_per_10k,
        n_documents, n_documents_with``: ``n_chars`` and ``n_documents`` describe the whole
        group, ``n_documents_with`` the documents in it where the term occurs.

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib.tokens import tokenize
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "report_year": [2023, 2024],
    ...                      "text": ["坚持新时代枫桥经验。", "推广枫桥经验和枫桥经验。"]})
    >>> counts = count_keywords(tokenize(docs), docs, keywords=["枫桥经验"], by=("report_year",))
    >>> counts[["report_year", "term", "count", "n_chars", "n_documents"]].values.tolist()
    [[2023, '枫桥经验', 1, 10, 1], [2024, '枫桥经验', 2, 12, 1]]
    """
    if match not in ("text", "token"):
        raise ValueError(f"match must be 'text' or 'token', not {match!r}")
    units = _units(documents)
    keys = _unit_keys(units)
    by = list(by)
    unknown = [column for column in by if column not in units.columns]
    if unknown:
        raise KeyError(
            f"cannot group by {unknown}: not columns of the documents table "
            f"(available: {sorted(units.columns)})"
        )
    if keywords is not None:
        terms = list(dict.fromkeys(keywords))
        per_unit = (
            _text_counts(documents, keys, terms)
            if match == "text"
            else _token_counts(tokens, units, keys, terms=terms, include_stopwords=True)
        )
        # every unit × keyword, zeros included: trends need the zeros
        grid = units[keys].merge(pd.DataFrame({"term": terms}), how="cross")
        per_unit = grid.merge(per_unit, on=[*keys, "term"], how="left")
        per_unit["count"] = per_unit["count"].fillna(0).astype("int64")
        per_unit = per_unit.sort_values([*keys, "term"], kind="stable")
    else:
        per_unit = _token_counts(
            tokens, units, keys, terms=None, include_stopwords=include_stopwords
        )
    return _aggregate(per_unit, units, keys, by)


def _token_counts(
    tokens: pd.DataFrame,
    units: pd.DataFrame,
    keys: list[str],
    *,
    terms: list[str] | None,
    include_stopwords: bool,
) -> pd.DataFrame:
    selected = tokens
    if terms is not None:
        selected = selected[selected["token"].isin(terms)]
    elif not include_stopwords:
        selected = selected[~selected["is_stopword"]]
    columns = [*keys, "token"]
    counted = selected.groupby(columns, sort=True, observed=True).size()
    counted = counted.rename("count").reset_index().rename(columns={"token": "term"})
    counted["count"] = counted["count"].astype("int64")
    return counted


def _text_counts(documents: pd.DataFrame, keys: list[str], terms: list[str]) -> pd.DataFrame:
    """Occurrences of each term in each text; overlapping terms are each counted (枫桥经验 and
    新时代枫桥经验 both count in 新时代枫桥经验)."""
    patterns = {term: re.compile(re.escape(term)) for term in terms if term}
    rows = []
    key_columns = [documents[key].tolist() for key in keys]
    for index, text in enumerate(documents["text"].fillna("").tolist()):
        key = [column[index] for column in key_columns]
        for term, pattern in patterns.items():
            if term in text:
                rows.append((*key, term, len(pattern.findall(text))))
    return pd.DataFrame(rows, columns=[*keys, "term", "count"])


def _aggregate(
    per_unit: pd.DataFrame, units: pd.DataFrame, keys: list[str], by: list[str]
) -> pd.DataFrame:
    """Sum unit counts into groups; denominators come from every unit of the group, not only
    those where a term occurs."""
    carried = [c for c in _METADATA if "doc_id" in by and c in units.columns and c not in by]
    group_columns = [*by, *carried]
    if set(keys) <= set(by) and set(by) <= set(units.columns):
        # one group per unit (the default, per document): the unit counts are the answer;
        # only the unit's columns and totals are attached, without grouping again
        return _per_unit(per_unit, units, keys, group_columns)
    # inner: tokens of documents not in ``documents`` are not counted
    with_groups = per_unit.merge(units, on=keys, how="inner", suffixes=("", "_unit"))
    counted = (
        with_groups.groupby([*group_columns, "term"], sort=True, dropna=False, observed=True)
        .agg(count=("count", "sum"), n_documents_with=("doc_id", "nunique"))
        .reset_index()
    )
    totals = (
        units.groupby(group_columns, sort=False, dropna=False, observed=True)
        .agg(n_chars=("n_chars", "sum"), n_documents=("doc_id", "nunique"))
        .reset_index()
    )
    table = counted.merge(totals, on=group_columns, how="left")
    # a zero-count row (a keyword absent from a group) has no document with it
    table.loc[table["count"] == 0, "n_documents_with"] = 0
    table["count"] = table["count"].astype("int64")
    table["n_chars"] = table["n_chars"].astype("int64")
    table["rate_per_10k"] = _rate(table["count"], table["n_chars"])
    for column in ("n_documents", "n_documents_with"):
        table[column] = table[column].astype("int64")
    return table[[*group_columns, *COUNT_COLUMNS]].reset_index(drop=True)


def _per_unit(
    per_unit: pd.DataFrame, units: pd.DataFrame, keys: list[str], group_columns: list[str]
) -> pd.DataFrame:
    index = pd.MultiIndex.from_frame(units[keys]) if len(keys) > 1 else pd.Index(units[keys[0]])
    wanted = (
        pd.MultiIndex.from_frame(per_unit[keys]) if len(keys) > 1 else pd.Index(per_unit[keys[0]])
    )
    position = index.get_indexer(wanted)
    known = position >= 0  # tokens of documents not in ``documents`` are not counted
    table = per_unit.loc[known, [*keys, "term", "count"]].reset_index(drop=True)
    position = position[known]
    for column in [*(c for c in group_columns if c not in keys), "n_chars"]:
        table[column] = units[column].to_numpy()[position]
    table["n_documents"] = 1
    table["n_documents_with"] = (table["count"] > 0).astype("int64")
    table["count"] = table["count"].astype("int64")
    table["rate_per_10k"] = _rate(table["count"], table["n_chars"])
    if group_columns[: len(keys)] != keys:
        table = table.sort_values([*group_columns, "term"], kind="stable")
    # else the unit counts come sorted by unit and term, and the other columns follow the unit
    return table[[*group_columns, *COUNT_COLUMNS]].reset_index(drop=True)


def _rate(count: pd.Series, n_chars: pd.Series) -> pd.Series:
    return (count * 10_000 / n_chars.where(n_chars > 0)).astype("float64")


def keyword_trends(
    counts: pd.DataFrame,
    *,
    by: Sequence[str] = ("entity", "report_year"),
    keywords: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Keyword rates per group, ready to plot, with the number of reports behind each point.

    Parameters
    ----------
    counts
        Output of :func:`count_keywords` at a finer grain than ``by`` (per document by
        default), so that every ``by`` column is in it.
    by
        The groups of the trend, usually the series and the year.
    keywords
        Keep these terms only.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``term, count, n_chars, rate_per_10k, n_reports, n_reports_with``, one
        row per group and term, zeros included, sorted by term then group.

    Examples
    --------
    >>> import pandas as pd
    >>> counts = pd.DataFrame({"doc_id": ["a", "b", "c"], "report_year": [2022, 2023, 2023],
    ...     "term": ["枫桥经验"] * 3, "count": [1, 2, 0], "n_chars": [1000, 1000, 3000],
    ...     "n_documents": [1, 1, 1]})
    >>> trends = keyword_trends(counts, by=("report_year",))
    >>> trends[["report_year", "rate_per_10k", "n_reports"]].to_dict("list")
    {'report_year': [2022, 2023], 'rate_per_10k': [10.0, 5.0], 'n_reports': [1, 2]}
    """
    by = list(by)
    missing = [column for column in [*by, "term", "count", "n_chars"] if column not in counts]
    if missing:
        raise KeyError(
            f"counts has no column {missing}; count with by=('doc_id',) (the default) or with "
            f"these columns among `by`"
        )
    data = counts
    if keywords is not None:
        data = data[data["term"].isin(list(keywords))]
    # the grain of the counts: everything that is neither a term nor a statistic
    statistics = {*COUNT_COLUMNS}
    unit_columns = [c for c in counts.columns if c not in statistics]
    units = counts.drop_duplicates(unit_columns)
    if "n_documents" not in units:
        units = units.assign(n_documents=1)
    totals = (
        units.groupby(by, dropna=False, observed=True)
        .agg(n_chars=("n_chars", "sum"), n_reports=("n_documents", "sum"))
        .reset_index()
    )
    with_term = data[data["count"] > 0]
    present = (
        with_term.groupby([*by, "term"], dropna=False, observed=True)
        .agg(count=("count", "sum"), n_reports_with=("n_documents", "sum"))
        .reset_index()
        if "n_documents" in with_term
        else with_term.groupby([*by, "term"], dropna=False, observed=True)
        .agg(count=("count", "sum"), n_reports_with=("count", "size"))
        .reset_index()
    )
    terms = pd.DataFrame({"term": pd.unique(data["term"])})
    grid = totals.merge(terms, how="cross")
    table = grid.merge(present, on=[*by, "term"], how="left")
    table["count"] = table["count"].fillna(0).astype("int64")
    table["n_reports_with"] = table["n_reports_with"].fillna(0).astype("int64")
    table["n_chars"] = table["n_chars"].astype("int64")
    table["n_reports"] = table["n_reports"].astype("int64")
    table["rate_per_10k"] = _rate(table["count"], table["n_chars"])
    table = table.sort_values(["term", *by], kind="stable").reset_index(drop=True)
    return table[[*by, "term", "count", "n_chars", "rate_per_10k", "n_reports", "n_reports_with"]]


def top_terms(
    tokens: pd.DataFrame,
    *,
    by: Sequence[str] = ("doc_id",),
    n: int = 20,
    documents: pd.DataFrame | None = None,
    min_count: int = 2,
) -> pd.DataFrame:
    """The terms that characterise each group, by TF-IDF with the IDF of this corpus.

    jieba's bundled IDF comes from general-domain text, where 开展 and 行政 are rare and so
    rank first in every report; here IDF is ``log(N / df)`` over the documents in ``tokens``,
    so words every report uses score 0 and a town's own vocabulary rises.

    Parameters
    ----------
    tokens
        The tokens table; stop words are left out.
    by
        Grouping columns: ``doc_id``/``section_id``, or document columns when ``documents``
        is given (``entity``, ``report_year`` …).
    n
        Terms per group.
    documents
        The documents table, to group by its columns.
    min_count
        Ignore terms seen fewer times than this in a group.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``rank, term, count, tf, idf, tf_idf`` (``tf`` = share of the group's
        non-stop-word tokens).

    Examples
    --------
    >>> import pandas as pd
    >>> from reportlib.tokens import tokenize
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text": [
    ...     "法治宣传，法治宣传，枫桥经验，枫桥经验。", "法治宣传，法治宣传，营商环境，营商环境。"]})
    >>> top_terms(tokenize(docs), n=1)[["doc_id", "term", "count"]].values.tolist()
    [['a', '枫桥经验', 2], ['b', '营商环境', 2]]
    """
    by = list(by)
    words = tokens.loc[~tokens["is_stopword"], ["doc_id", "section_id", "token"]]
    if documents is not None:
        extra = [c for c in by if c not in words.columns]
        words = words.merge(documents[["doc_id", *extra]], on="doc_id", how="left")
    missing = [c for c in by if c not in words.columns]
    if missing:
        raise KeyError(f"cannot group by {missing}: pass documents= to group by its columns")
    n_documents = words["doc_id"].nunique()
    document_frequency = words.drop_duplicates(["doc_id", "token"]).groupby("token").size()
    idf = np.log(n_documents / document_frequency)
    counted = words.groupby([*by, "token"], dropna=False, observed=True).size()
    counted = counted.rename("count").reset_index()
    group_size = counted.groupby(by, dropna=False, observed=True)["count"].transform("sum")
    counted["tf"] = counted["count"] / group_size
    counted = counted[counted["count"] >= min_count]
    counted["idf"] = counted["token"].map(idf).astype("float64")
    counted["tf_idf"] = counted["tf"] * counted["idf"]
    counted = counted.sort_values(
        [*by, "tf_idf", "count", "token"],
        ascending=[True] * len(by) + [False, False, True],
        kind="stable",
    )
    counted["rank"] = counted.groupby(by, dropna=False, observed=True).cumcount() + 1
    table = counted[counted["rank"] <= n].rename(columns={"token": "term"})
    table["count"] = table["count"].astype("int64")
    return table[[*by, "rank", "term", "count", "tf", "idf", "tf_idf"]].reset_index(drop=True)
