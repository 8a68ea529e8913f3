import csv
import re
from pathlib import Path

import pytest

from reportlib import clean, metadata
from reportlib.documents import parse_file
from tests.conftest import CORPUS, RAW

# Hand-checked against the seed pages (see data/raw/README.md): entity, level, parent, year,
# publish date, signed date. 002–004 print no page date; 000, 002, 003 have no signature date.
SEEDS = {
    "000_aaf925eb580b3263": ("永乐镇", "镇", "芮城县", 2023, "2024-03-01", None),
    "001_51acc513f15262cb": ("监利市", "市", "荆州市", 2021, "2022-01-04", "2021-12-31"),
    "002_b2dab5bcb2d48bfe": ("周庄镇", "镇", "宝丰县", 2023, None, None),
    "003_29f5b4eb58e63336": ("西大沟镇", "镇", "乌苏市", 2023, None, None),
    # 那吾镇's text names no county or city (only 市委、市政府), so parent stays empty
    "004_8c642f3c1dbf128b": ("那吾镇", "镇", "", 2025, None, "2025-12-09"),
}


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seed_metadata(doc_id):
    row = parse_file(RAW / f"{doc_id}.txt").row
    got = tuple(
        row[k] for k in ("entity", "level", "parent", "report_year", "publish_date", "signed_date")
    )
    assert got == SEEDS[doc_id]


SYNTHETIC = Path(__file__).parent / "fixtures" / "metadata_synthetic"


def _infer(name: str, folder: Path = CORPUS) -> metadata.Metadata:
    page = clean.normalize_text((folder / name).read_text(encoding="utf-8"))
    return metadata.infer_metadata(page, clean.strip_chrome(page))


def _catalog(folder: Path = CORPUS) -> list[dict[str, str]]:
    with (folder / "catalog.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


TARGETS = {"entity": 0.97, "level": 0.97, "report_year": 0.99, "publish_date": 0.97, "title": 0.95}


@pytest.mark.parametrize(
    "folder",
    [
        CORPUS,
        # 40 pages written on 2026-11-23 by a helper who never saw the extractor
        # (tests/fixtures/metadata_synthetic/README.md). First contact: entity 82.5 %, level
        # 85 %, parent 80.8 %, year 97.5 %, date 97.1 %, title 94.4 %; the misses were fixed
        # with general rules (short_places.txt, ministries, page <title> lines, …)
        SYNTHETIC,
    ],
    ids=["corpus", "synthetic"],
)
def test_corpus_accuracy(folder):
    """Per-field accuracy over a folder of hand-labelled pages, against the issue's targets.

    publish_date and title are scored on the pages that show one (catalog non-empty); parent on
    the pages whose text prints the expected parent's full name. A parent that differs from the
    label is always a miss, even where the label is empty.
    """
    hits = {field: [] for field in [*TARGETS, "parent"]}
    for row in _catalog(folder):
        meta = _infer(row["file"], folder)
        text = (folder / row["file"]).read_text(encoding="utf-8")
        got = {
            "entity": meta.entity,
            "level": meta.level,
            "report_year": str(meta.report_year or ""),
            "publish_date": meta.publish_date or "",
            "title": re.sub(r"\s", "", meta.title),
            "parent": meta.parent,
        }
        expected = {**row, "title": re.sub(r"\s", "", row["title"])}
        for field in ("entity", "level", "report_year"):
            hits[field].append((row["file"], got[field], expected[field]))
        for field in ("publish_date", "title"):
            if expected[field]:
                hits[field].append((row["file"], got[field], expected[field]))
        if (row["parent"] and row["parent"] in text) or got["parent"]:
            hits["parent"].append((row["file"], got["parent"], row["parent"]))
    report = []
    for field, results in hits.items():
        accuracy = sum(g == e for _, g, e in results) / len(results)
        misses = [(f, g, e) for f, g, e in results if g != e]
        report.append(f"{field}: {accuracy:.1%} of {len(results)}; misses {misses[:5]}")
        assert accuracy >= TARGETS.get(field, 0.90), "\n".join(report)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("时间:2024-03-01", "2024-03-01"),
        ("发布日期:2023/2/8", "2023-02-08"),
        ("2023.02.28 15:36", "2023-02-28"),
        ("2021年12月31日", "2021-12-31"),
        ("二〇二五年十二月九日", "2025-12-09"),
        ("20240301", "2024-03-01"),
        ("2023年3月", None),  # a month is not a date
        ("2023-02-30", None),  # no such day
    ],
)
def test_parse_date_reads_five_formats(text, expected):
    assert metadata.parse_date(text) == expected


def test_publish_date_is_not_the_written_date():
    page = "[ 成文日期 ] 2026-01-20 [ 发布日期 ] 2026-01-27\n" + "正文" * 30
    assert metadata.find_publish_date(page) == "2026-01-27"
    page = (
        "成文日期: | 2025-02-10 |\n"
        + "2024年,汤头街道在区委、区政府的坚强领导下,紧密围绕区委中心工作大局。"
    )
    assert metadata.find_publish_date(page) is None


def test_date_in_body_is_not_a_publish_date():
    page = "2024年,某街道在区委的领导下,于2024-05-12召开专题会议,研究部署法治政府建设工作。\n"
    assert metadata.find_publish_date(page) is None


def test_title_split_over_lines_with_issuer_lines():
    meta = _infer("d019.txt")
    assert (
        meta.title
        == "中共重庆市荣昌区吴家镇委员会 重庆市荣昌区吴家镇人民政府 关于2025年法治政府建设情况的报告"
    )
    assert (meta.entity, meta.parent) == ("吴家镇", "荣昌区")


def test_news_headline_is_not_a_title_but_still_names_the_body():
    meta = _infer("d014.txt")  # "司法部发布2023年法治政府建设年度报告" on a news site
    assert meta.title == ""
    assert (meta.entity, meta.level, meta.report_year) == ("司法部", "部门", 2023)


def test_department_entity_and_its_place():
    meta = _infer("d040.txt")  # "2025年以来,汕尾市司法局在市委…"
    assert (meta.entity, meta.level, meta.parent) == ("司法局", "部门", "汕尾市")


def test_anonymised_template_keeps_level_but_no_name():
    meta = _infer("d065.txt")  # "2019年,xx市人民政府…"
    assert (meta.entity, meta.level, meta.report_year) == ("", "市", 2019)


def test_traditional_mirror_page_is_read_in_simplified():
    meta = _infer("d042.txt")  # "2020年,在黨中央…全省各級行政機關" on a big5 gateway mirror
    assert (meta.entity, meta.level, meta.report_year) == ("安徽省", "省", 2020)


def test_parent_is_never_guessed_from_a_prefecture_document_title():
    # 多宝街道 cites 《广州市法治政府建设实施纲要》: 广州市 is two levels up, not its parent
    assert _infer("d060.txt").parent == ""


def test_place_chain_parses_nested_names():
    chain, department, _ = metadata.parse_place_chain("长沙市天心区坡子街街道办事处2022年")
    assert [p.name for p in chain] == ["长沙市", "天心区", "坡子街街道"]
    assert [p.level for p in chain] == ["市", "区", "街道"]
    assert department == ""
