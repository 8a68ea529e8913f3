"""What a briefing shows a reader, as text and HTML: reports named as readers know them,
values formatted for them, and every value that comes from a report escaped (report text is
untrusted input, even in a briefing).
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from reportlib.labels import LABELS, label, number, percent

__all__ = [
    "escape_frame",
    "group_label",
    "measure_value",
    "mention_list",
    "named_sources",
    "rate_name",
    "report_name",
    "side_by_side",
    "source_list",
    "text_or",
]


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


def group_label(by: str) -> str:
    """The Chinese name of a documents column used for grouping.

    >>> group_label("level"), group_label("division_code")
    ('层级', 'division_code')
    """
    key = f"group.{by}"
    return label(key) if key in LABELS["zh"] else by


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
