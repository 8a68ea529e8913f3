"""What the notebooks show: the built tables loaded once, a report chosen by its parameters,
its peers, its parts against the mandated outline, its distinctive words, and what changed
since its previous report.

Notebooks stay thin: each table they display comes from one call here, and a parameter that
names nothing stops with a :class:`~reportlib.errors.ParameterError` that lists the closest
valid values.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reportlib.counts import count_keywords
from reportlib.errors import ParameterError
from reportlib.keyness import KEYNESS_COLUMNS, keyness
from reportlib.labels import LABELS, label, number, percent
from reportlib.measure_tables import report_measures
from reportlib.parameters import as_list, as_year
from reportlib.places import name_stems
from reportlib.reuse import REUSE_COLUMNS
from reportlib.sections import PARTS
from reportlib.store import open_generation

__all__ = [
    "PART_NAMES",
    "Tables",
    "busiest_level",
    "changes_since",
    "closest_matches",
    "comparable",
    "copied_passages",
    "describe_problem",
    "distinctive_words",
    "drop_own_names",
    "escape_frame",
    "find_data_dir",
    "group_label",
    "keyness_by_group",
    "load_tables",
    "longest_series",
    "measure_grid",
    "measure_value",
    "measures_against_peers",
    "measures_by_entity",
    "mention_list",
    "most_reused",
    "named_sources",
    "part_profile",
    "peers_of",
    "previous_report",
    "province_coverage",
    "rate_name",
    "report_name",
    "reuse_matrix",
    "select_documents",
    "select_report",
    "side_by_side",
    "source_list",
    "text_or",
    "trend_documents",
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


@dataclass
class Tables:
    """The tables of one build, loaded once for a notebook."""

    data_dir: Path
    documents: pd.DataFrame
    problems: pd.DataFrame
    sections: pd.DataFrame
    outline: pd.DataFrame
    indicators: pd.DataFrame
    tokens: pd.DataFrame
    reuse: pd.DataFrame

    def counts(self) -> pd.DataFrame:
        """Every term's count per document (:func:`reportlib.count_keywords`), computed once."""
        if not hasattr(self, "_counts"):
            self._counts = count_keywords(self.tokens, self.documents)
        return self._counts


def find_data_dir(data_dir: str | Path = "data/processed") -> Path:
    """``data_dir`` as given, or — when relative and not found from here — from the nearest
    parent folder that has it (a notebook run from ``notebooks/``), from the folder named by the
    ``REPORTLIB_DATA_DIR`` environment variable, or from the project that holds this package (a
    plain ``papermill`` run from any other folder).

    Examples
    --------
    >>> find_data_dir("/nonexistent/folder")
    Traceback (most recent call last):
    ...
    reportlib.errors.ParameterError: data_dir /nonexistent/folder holds no documents.parquet: run `reportlib build` (or `make run`) first
    """
    import os

    path = Path(data_dir)
    candidates = [path]
    if not path.is_absolute():
        candidates += [parent / path for parent in Path.cwd().resolve().parents]
        if os.environ.get("REPORTLIB_DATA_DIR"):
            candidates.append(Path(os.environ["REPORTLIB_DATA_DIR"]))
        candidates.append(Path(__file__).resolve().parent.parent / path)
    for candidate in candidates:
        if (candidate / "documents.parquet").exists():
            return candidate.resolve()
    raise ParameterError(
        f"data_dir {data_dir} holds no documents.parquet: run `reportlib build` (or `make run`) first"
    )


def load_tables(data_dir: str | Path = "data/processed") -> Tables:
    """Read the tables that ``reportlib build`` wrote into ``data_dir``.

    Examples
    --------
    >>> import tempfile
    >>> from reportlib import build
    >>> folder = tempfile.mkdtemp()
    >>> _ = build("data/raw/seeds", folder, progress=False)
    >>> len(load_tables(folder).documents)
    5
    """
    folder = find_data_dir(data_dir)
    # one generation, pinned while it is read: every table comes from the same build even
    # when a new one is published meanwhile
    with open_generation(folder) as generation:

        def read(name: str) -> pd.DataFrame:
            path = generation.table(name)
            return pd.read_parquet(path) if path.exists() else pd.DataFrame()

        return Tables(
            data_dir=folder,
            documents=read("documents"),
            problems=read("problems"),
            sections=read("sections"),
            outline=read("outline"),
            indicators=read("indicators"),
            tokens=read("tokens"),
            # a build older than the reuse table: an empty one, so notebooks still run
            reuse=read("reuse")
            if generation.table("reuse").exists()
            else pd.DataFrame(columns=REUSE_COLUMNS),
        )


def escape_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``table`` whose text cells, column names and index labels are HTML-escaped:
    report text is untrusted, and a pandas Styler writes its cells and labels as they are.
    Numbers stay numbers, so ``.style.format("{:.1f}")`` still applies.

    Examples
    --------
    >>> import pandas as pd
    >>> t = escape_frame(pd.DataFrame({"<b>": ["<img src=x onerror=alert(1)>"], "n": [3]}))
    >>> t.columns.tolist(), t.loc[0, "&lt;b&gt;"], int(t.loc[0, "n"])
    (['&lt;b&gt;', 'n'], '&lt;img src=x onerror=alert(1)&gt;', 3)
    """
    import html

    def escaped(value: object) -> object:
        return html.escape(value) if isinstance(value, str) else value

    out = table.copy()
    for column in out.columns:
        if not pd.api.types.is_numeric_dtype(out[column]) and not pd.api.types.is_bool_dtype(
            out[column]
        ):
            out[column] = out[column].map(escaped)
    out.columns = out.columns.map(escaped)
    out.index = out.index.map(escaped)
    return out


def report_name(documents: pd.DataFrame, doc_id: str) -> str:
    """A report as readers know it: "永乐镇 · 2023 年" (never its doc_id).

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["永乐镇", ""],
    ...                      "report_year": [2023, None], "title": ["", "某某报告"]})
    >>> report_name(docs, "a"), report_name(docs, "b")
    ('永乐镇 · 2023 年', '某某报告 · 年份不详')
    """
    rows = documents[documents["doc_id"] == doc_id]
    if rows.empty:
        return label("year.unknown")
    row = rows.iloc[0]
    who = text_or(row.get("entity"), "") or text_or(row.get("title"), "") or label("year.unknown")
    year = row.get("report_year")
    when = label("year.unknown") if pd.isna(year) else label("years.one", year=int(year))
    return f"{who} · {when}"


def named_sources(top_sources: str, documents: pd.DataFrame) -> str:
    """``reuse_summary``'s ``top_sources`` ("doc_id (chars); …") with each report named by
    :func:`report_name` and its shared characters counted in 字.

    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["x1"], "entity": ["友谊路街道"], "report_year": [2023]})
    >>> named_sources("x1 (53)", docs)
    '友谊路街道 · 2023 年（53 字）'
    """

    named = []
    for item in filter(None, (part.strip() for part in str(top_sources).split(";"))):
        found = re.fullmatch(r"(.+?) \((\d+)\)", item)
        if found is None:
            named.append(item)
            continue
        named.append(f"{report_name(documents, found.group(1))}（{found.group(2)} 字）")
    return "；".join(named)


def text_or(value: object, missing: str = "—") -> str:
    """``value`` as text for a reader, or ``missing`` when it is None, NA, NaN or empty (a
    report without a publish date, parent or title).

    Examples
    --------
    >>> import pandas as pd
    >>> text_or(pd.NA), text_or(None, "(no title found)"), text_or("2024-03-01")
    ('—', '(no title found)', '2024-03-01')
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return missing
    if isinstance(value, float) and value != value:
        return missing
    text = str(value)
    return text if text.strip() else missing


def closest_matches(value: object, choices: Iterable[object], *, n: int = 5) -> list[str]:
    """The valid values nearest to ``value``, best first: for error messages.

    Examples
    --------
    >>> closest_matches("普法", ["信访", "普法宣传", "行政执法"])  # then names sharing a character
    ['普法宣传', '行政执法']
    """
    names = sorted({str(choice) for choice in choices if str(choice)})
    found = difflib.get_close_matches(str(value), names, n=n, cutoff=0.3)
    # names sharing a character matter for short Chinese names (永乐 → 永乐镇)
    found += [name for name in names if set(str(value)) & set(name) and name not in found]
    return found[:n]


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
    >>> select_report(docs, entity="", doc_id="a")["report_year"]
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
    rows = documents[documents["entity"] == entity]
    if rows.empty:
        raise ParameterError(
            f"no report of entity {entity!r}", closest=closest_matches(entity, documents["entity"])
        )
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
        unknown = [name for name in entities if name not in set(documents["entity"])]
        if unknown:
            raise ParameterError(
                f"no report of entity {unknown[0]!r}",
                closest=closest_matches(unknown[0], documents["entity"]),
            )
        chosen = chosen[chosen["entity"].isin(list(entities))]
    if parent:
        if parent not in set(documents["parent"]):
            raise ParameterError(
                f"no report has parent {parent!r}",
                closest=closest_matches(parent, documents["parent"]),
            )
        chosen = chosen[chosen["parent"] == parent]
    levels = as_list(levels, name="levels")  # type: ignore[assignment]
    if levels:
        unknown = [level for level in levels if level not in set(documents["level"])]
        if unknown:
            raise ParameterError(
                f"no report of level {unknown[0]!r}",
                closest=closest_matches(unknown[0], documents["level"]),
            )
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
    the same parent, else other entities of the same level, else every other report. Page
    excerpts (``is_excerpt``) are never peers: a first screen of a page is no whole report, and
    the rule says how many were left out.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"], "entity": ["甲镇", "乙镇", "丙市", "丁镇"],
    ...                      "parent": ["丁县", "丁县", "", "丁县"], "level": ["镇", "镇", "市", "镇"],
    ...                      "is_excerpt": [False, False, False, True]})
    >>> peers, how = peers_of(docs, docs.iloc[0])
    >>> peers["doc_id"].tolist(), how
    (['b'], '同一上级（丁县），不含 1 份网页摘录')
    """
    others = documents[documents["entity"] != report["entity"]]
    excerpt = (
        others["is_excerpt"].astype(bool)
        if "is_excerpt" in others
        else pd.Series(False, index=others.index)
    )
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
        whole = others[member & ~excerpt]
        if whole.empty:
            continue
        left_out = int((member & excerpt).sum())
        return whole, rule + (label("peers.excerpts", n=left_out) if left_out else "")
    return others.iloc[:0], label("peers.none", n=int(excerpt.sum()))


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


def _own_names(report: pd.Series) -> set[str]:
    """The report's own place names and their stems (永乐镇 → 永乐): they top any keyness list
    without saying anything about the report."""
    names = {str(report.get(column) or "") for column in ("entity", "parent", "official_name")}
    names.discard("")
    return names | {stem for name in names for stem in name_stems(name)}


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
    names = _own_names(report)
    own = table[column].map(lambda term: len(term) >= 2 and any(term in name for name in names))
    return table[~own.astype(bool)]


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
    against the peers (reference), over-used words first, the report's own place names
    left out. A word is kept only when it is significant: ``p_value`` below ``max_p``
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
    table = _significant(drop_own_names(table, report), max_p=max_p, min_count=min_count)
    return table.head(n).reset_index(drop=True)


def previous_report(documents: pd.DataFrame, report: pd.Series) -> pd.Series | None:
    """The same entity's latest report before ``report``'s year, if there is one.

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
    earlier = documents[
        (documents["entity"] == report["entity"])
        & (documents["report_year"] < report["report_year"])
    ]
    if report.get("parent"):
        earlier = earlier[earlier["parent"].isin([report["parent"], ""])]
    if earlier.empty:
        return None
    return earlier.sort_values(["report_year", "doc_id"]).iloc[-1]


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


def side_by_side(reuse: pd.DataFrame, documents: pd.DataFrame, *, n: int = 5) -> str:
    """HTML: the ``n`` longest passages of ``reuse`` (one row per pair of reports), each
    report's wording in its own column, the characters that differ highlighted.

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["甲镇", "乙镇"], "report_year": [2022, 2023],
    ...                      "text": ["甲镇开展检查60次。", "乙镇开展检查75次。"]})
    >>> reuse = pd.DataFrame({"doc_id": ["b"], "other_doc_id": ["a"], "start": [0], "end": [10],
    ...     "other_start": [0], "other_end": [10], "n_chars": [10], "relation": ["other"], "n_documents": [2]})
    >>> "<mark>乙</mark>" in side_by_side(reuse, docs)
    True
    """
    import html

    if reuse.empty:
        return f"<p>{html.escape(label('reuse.none_shared'))}</p>"
    texts = documents.set_index("doc_id")["text"]
    # long Chinese text reads left-aligned (the notebook's theme aligns cells right)
    cell = "style='text-align:left;vertical-align:top'"
    seen: set[tuple] = set()
    rows = []
    for row in reuse.sort_values("n_chars", ascending=False).itertuples():
        key = tuple(sorted([(row.doc_id, row.start), (row.other_doc_id, row.other_start)]))
        if key in seen:
            continue  # the same passage seen from the other report
        seen.add(key)
        mine = texts[row.doc_id][row.start : row.end]
        theirs = texts[row.other_doc_id][row.other_start : row.other_end]
        left, right = [], []
        matcher = difflib.SequenceMatcher(None, mine, theirs, autojunk=False)
        for operation, i1, i2, j1, j2 in matcher.get_opcodes():
            a, b = html.escape(mine[i1:i2]), html.escape(theirs[j1:j2])
            if operation == "equal":
                left.append(a)
                right.append(b)
            else:
                left.append(f"<mark>{a}</mark>" if a else "")
                right.append(f"<mark>{b}</mark>" if b else "")
        relation = f"reuse.relation.{row.relation}"
        detail = label(
            "reuse.row",
            chars=number(row.n_chars),
            relation=label(relation) if relation in LABELS["zh"] else row.relation,
            n=row.n_documents,
        )
        rows.append(
            f"<tr><td {cell}>{html.escape(report_name(documents, row.doc_id))}<br>"
            f"<small>{html.escape(detail)}</small></td>"
            f"<td {cell}>{''.join(left)}</td>"
            f"<td {cell}>{html.escape(report_name(documents, row.other_doc_id))}</td>"
            f"<td {cell}>{''.join(right)}</td></tr>"
        )
        if len(rows) >= n:
            break
    head = "".join(
        f"<th {cell}>{html.escape(label(key))}</th>"
        for key in ("report", "reuse.passage", "reuse.other", "reuse.wording")
    )
    # columns that wrap rather than overflow
    return (
        "<table class='reuse' style='table-layout:fixed;width:100%'>"
        f"<tr>{head}</tr>" + "".join(rows) + "</table>"
    )


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


def rate_name(name: str, is_rate: object) -> str:
    """A measure's name as a row label: a rate carries "（%）".

    >>> rate_name("调解成功率", True), rate_name("行政复议", False)
    ('调解成功率（%）', '行政复议')
    """
    return label("measure.rate", name=name) if bool(is_rate) else name


def measure_value(value: float, is_rate: object) -> str:
    """A measure's value for readers: a rate in percent, a count with thousands separated.

    >>> measure_value(2500005.5, False), measure_value(98.46, True)
    ('2,500,006', '98.5%')
    """
    return percent(value) if bool(is_rate) else number(value)


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
        group=table[by].fillna("").replace("", label("none")),
    )
    grid = shown.pivot_table(
        index=["measure_name", "group"], columns="year", values="cell", aggfunc="first"
    ).fillna("—")
    return grid.rename_axis(index=[label("measure"), group_label(by)], columns=None)


def group_label(by: str) -> str:
    """The Chinese name of a documents column used for grouping.

    >>> group_label("level"), group_label("division_code")
    ('层级', 'division_code')
    """
    key = f"group.{by}"
    return label(key) if key in LABELS["zh"] else by


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
    names: set[str] = set()
    for _, row in named.iterrows():
        names |= _own_names(row)
    own = counts["term"].map(lambda t: len(t) >= 2 and any(t in name for name in names))
    counts = counts[~own.astype(bool)]
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
        if level not in set(documents["level"]):
            raise ParameterError(
                f"no report of level {level!r}", closest=closest_matches(level, documents["level"])
            )
    else:
        level = busiest_level(chosen, by=by, min_years=min_years)
    return chosen[chosen["level"] == level], kind, label("04.level", level=level)


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


def source_list(values: pd.DataFrame, documents: pd.DataFrame, *, limit: int = 40) -> str:
    """HTML: one folded block per measure of :func:`reportlib.report_measures` output, listing
    the counts as written and their sentences with the report they come from, every value
    escaped.

    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "entity": ["甲镇"], "report_year": [2023]})
    >>> values = pd.DataFrame({"doc_id": ["a"], "name": ["行政复议"], "surfaces": ["<b>3件"],
    ...                        "sentences": ["受理<script>3件。"]})
    >>> "&lt;script&gt;" in source_list(values, docs) and "<script>" not in source_list(values, docs)
    True
    """
    import html

    blocks = []
    for name, group in values.groupby("name", sort=True):
        items = "".join(
            f"<li><b>{html.escape(str(row.surfaces))}</b> — {html.escape(str(row.sentences))} "
            f"<i>（{html.escape(report_name(documents, row.doc_id))}）</i></li>"
            for row in group.head(limit).itertuples()
        )
        more = (
            f"<p>{html.escape(label('05.sources.more', n=len(group) - limit))}</p>"
            if len(group) > limit
            else ""
        )
        summary = html.escape(label("05.sources.summary", name=name, n=len(group)))
        blocks.append(f"<details><summary>{summary}</summary><ul>{items}</ul>{more}</details>")
    return "".join(blocks) or f"<p>{html.escape(label('05.sources.none'))}</p>"


def mention_list(mentions: pd.DataFrame, documents: pd.DataFrame, *, limit: int = 60) -> str:
    """HTML: the first ``limit`` counts linked to no measure (:func:`reportlib.unlinked_counts`)
    in one folded block, each with its subject, sentence and report, every value escaped.

    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a"], "entity": ["甲镇"], "report_year": [2023]})
    >>> mentions = pd.DataFrame({"doc_id": ["a"], "surface": ["3个"], "subject": ["<i>"],
    ...                          "sentence": ["建成3个。"]})
    >>> mention_list(mentions, docs).startswith("<details><summary>显示前 1 个")
    True
    """
    import html

    items = "".join(
        f"<li><b>{html.escape(str(row.surface))}</b> {html.escape(str(row.subject))} — "
        f"{html.escape(str(row.sentence))} <i>（{html.escape(report_name(documents, row.doc_id))}）</i></li>"
        for row in mentions.head(limit).itertuples()
    )
    shown = html.escape(label("05.unlinked.show", n=min(len(mentions), limit)))
    return f"<details><summary>{shown}</summary><ul>{items}</ul></details>"


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
