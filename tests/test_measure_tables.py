"""Tables of measures (reportlib/measure_tables.py): like with like, reports behind every
figure, rates never summed, plans and parts apart, inputs left alone."""

from __future__ import annotations

import math

import pandas as pd

from reportlib import extract_indicators, indicator_table, report_measures, unlinked_counts

TEXTS = {
    "a": "受理行政复议申请11件,办结9件。开展普法宣传活动35场,发放宣传资料2000余份。调解成功率98%。",
    "b": "受理行政复议案件4件。开展普法宣传活动12场。调解成功率96%。检查旅客近500万人,抓获犯罪嫌疑人11人。",
    "c": "发放宣传资料800份。下一步,计划开展普法宣传活动40场。",
}


def _documents() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "doc_id": list(TEXTS),
            "entity": ["甲镇", "乙镇", "丙镇"],
            "level": ["镇", "镇", "镇"],
            "report_year": [2023, 2023, 2023],
            "text": list(TEXTS.values()),
        }
    )


def _row(table: pd.DataFrame, measure: str, **where) -> pd.Series:
    chosen = table[table["measure"] == measure]
    for column, value in where.items():
        chosen = chosen[chosen[column] == value]
    assert len(chosen) == 1, chosen
    return chosen.iloc[0]


def test_a_reports_value_is_its_largest_count_not_the_sum_of_its_steps():
    documents = _documents()
    values = report_measures(extract_indicators(documents))
    assert _row(values, "行政复议", doc_id="a")[["value", "n_counts"]].tolist() == [11.0, 2]
    assert _row(values, "行政复议", doc_id="a")["surfaces"] == "11件 / 9件"


def test_measure_table_counts_reports_with_and_without_and_never_sums_rates():
    documents = _documents()
    table = indicator_table(extract_indicators(documents), documents, by=("level",))
    review = _row(table, "行政复议")
    assert (review["n_reports"], review["n_without"], review["total"]) == (2, 1, 15.0)
    assert (review["median"], review["min"], review["max"]) == (7.5, 4.0, 11.0)
    rate = _row(table, "调解成功率")
    assert rate["is_rate"] and math.isnan(rate["total"]) and rate["mean"] == 97.0
    # 800 + 2000: leaflets are added to leaflets only
    assert _row(table, "普法资料")["total"] == 2800.0


def test_unlinked_counts_are_mentions_never_in_the_table():
    documents = _documents()
    indicators = extract_indicators(documents)
    table = indicator_table(indicators, documents, by=())
    assert set(table["measure"]) == {"行政复议", "普法活动", "普法资料", "调解成功率"}
    mentions = unlinked_counts(indicators)
    assert mentions["surface"].tolist() == ["近500万人", "11人"]
    assert "人" not in table.get("unit", pd.Series(dtype=str)).tolist()


def test_planned_values_are_kept_apart_from_achieved_ones():
    documents = _documents()
    indicators = extract_indicators(documents)
    achieved = indicator_table(indicators, documents, by=())
    planned = indicator_table(indicators, documents, by=(), planned=True)
    assert _row(achieved, "普法活动")["total"] == 47.0  # 35 + 12, never the 40 planned
    assert _row(planned, "普法活动")[["total", "n_reports", "n_without"]].tolist() == [40.0, 1, 2]


def test_parts_of_a_total_are_not_counted_again():
    documents = pd.DataFrame(
        {
            "doc_id": ["a"],
            "level": ["县"],
            "text": ["全年受理法律援助案件486件,其中刑事案件132件、民事案件341件。"],
        }
    )
    table = indicator_table(extract_indicators(documents), documents, by=("level",))
    assert _row(table, "法律援助")[["total", "n_reports"]].tolist() == [486.0, 1]


def test_groups_by_entity_and_year_and_inputs_are_left_alone():
    documents = _documents()
    indicators = extract_indicators(documents)
    before_docs, before_indicators = documents.copy(), indicators.copy()
    table = indicator_table(indicators, documents, by=("entity", "report_year"))
    assert set(table.columns[:3]) == {"entity", "report_year", "measure"}
    assert _row(table, "普法资料", entity="丙镇")["total"] == 800.0
    pd.testing.assert_frame_equal(documents, before_docs)
    pd.testing.assert_frame_equal(indicators, before_indicators)


def test_no_linked_counts_gives_an_empty_table_with_its_columns():
    documents = pd.DataFrame({"doc_id": ["x"], "level": ["镇"], "text": ["8个村建立了微信群。"]})
    table = indicator_table(extract_indicators(documents), documents, by=("level",))
    assert table.empty and {"measure", "n_reports", "n_without", "total"} <= set(table.columns)


def test_built_tables_hold_measures_and_answer_the_analysts_question_in_sql(tmp_path):
    """ "How many 行政复议 cases did each town handle?" from the stored tables, with DuckDB."""
    import reportlib

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text(
        "甲镇2023年法治政府建设年度报告\n2023年,甲镇在县委、县政府的坚强领导下,坚持以习近平法治思想"
        "为指导,深入推进法治政府建设,现将有关情况报告如下:\n一、主要举措和成效\n"
        "受理行政复议申请11件,办结9件。发放宣传资料2000余份。\n"
        "二、2024年工作安排\n计划开展普法活动40场。",
        encoding="utf-8",
    )
    reportlib.build(raw, tmp_path / "out", progress=False, workers=0)
    stored = pd.read_parquet(tmp_path / "out" / "indicators.parquet")
    assert {"measure", "is_planned", "part_of"} <= set(stored.columns)
    assert str(stored["part_of"].dtype) == "Int64" and stored["is_planned"].dtype == bool
    with reportlib.connect(tmp_path / "out") as connection:
        rows = connection.execute(
            "select measure, max(value) as value, count(*) as counts from indicators "
            "where measure <> '' and not is_planned and part_of is null "
            "group by measure order by measure"
        ).fetchall()
    assert rows == [("普法资料", 2000.0, 1), ("行政复议", 11.0, 2)]
