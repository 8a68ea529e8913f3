import csv
import re
from pathlib import Path

import pytest

from reportlib import clean, metadata
from reportlib.documents import parse_file
from reportlib.places import parse_place_chain
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


# --- issue 13: the official division list -----------------------------------------------------
# Synthetic snippets of each kind of miss; the places and codes are real (checked by hand in
# the 民政部 list), the wording invented.


def _meta(text: str) -> metadata.Metadata:
    page = clean.normalize_text(text)
    return metadata.infer_metadata(page, clean.strip_chrome(page))


def test_slogan_ending_in_a_level_is_never_the_entity():
    meta = _meta(
        "文化立市 法治护航\n2023年，生态强县战略深入实施，屏边县人民政府坚持依法行政，"
        "扎实推进法治政府建设，现将有关情况报告如下：\n一、主要举措和成效"
    )
    assert meta.entity == "屏边县"
    assert (meta.division_code, meta.official_name) == ("532523", "屏边苗族自治县")
    assert (meta.province, meta.city, meta.county) == (
        "云南省",
        "红河哈尼族彝族自治州",
        "屏边苗族自治县",
    )


def test_street_office_written_with_jie_is_its_jiedao():
    meta = _meta(
        "2023年，解放街党工委、办事处坚持以习近平法治思想为指导，在泊头市委、市政府的正确领导下，"
        "全面推进依法行政，现将有关情况报告如下：\n一、主要举措和成效"
    )
    assert (meta.entity, meta.level) == ("解放街道", "街道")
    assert meta.division_code == "130981001"  # 沧州市泊头市解放街道
    assert meta.parent == "泊头市"


def test_ambiguous_street_without_its_county_gets_no_code_but_a_problem():
    meta = _meta(
        "2023年，解放街党工委、办事处坚持以习近平法治思想为指导，全面推进依法行政，"
        "现将有关情况报告如下：\n一、主要举措和成效"
    )
    assert meta.entity == "解放街道"
    assert meta.division_code == "" and meta.parent == ""
    assert "130981001" in meta.problems[0]


def test_entity_after_a_recipient_line():
    meta = _meta(
        "丛台区委全面依法治区委员会：\n2023年，光明桥街道办事处坚持以习近平法治思想为指导，"
        "扎实推进法治政府建设，现将有关情况报告如下：\n一、主要举措和成效"
    )
    assert (meta.entity, meta.parent, meta.division_code) == ("光明桥街道", "丛台区", "130403004")


def test_department_short_form_is_not_taken_for_its_district():
    meta = _meta(
        "长春市朝阳区教委2023年法治政府建设年度报告\n2023年，区教委坚持以习近平法治思想为指导，"
        "全面推进依法治教，现将有关情况报告如下：\n一、主要举措"
    )
    assert (meta.entity, meta.level, meta.parent) == ("教委", "部门", "朝阳区")
    assert meta.division_code == "220104"  # the department's government: 长春市朝阳区


def test_issuer_prefix_in_the_title_is_the_parent():
    meta = _meta(
        "平南县人民政府 思旺镇2023年法治政府建设年度报告\n2023年，思旺镇坚持依法行政，"
        "扎实推进法治政府建设，现将有关情况报告如下：\n一、主要举措"
    )
    assert (meta.entity, meta.parent, meta.division_code) == ("思旺镇", "平南县", "450821115")


@pytest.mark.parametrize(("year", "county"), [(2018, "邵东县"), (2022, "邵东市")])
def test_renamed_county_is_a_parent_by_its_name_in_the_report_year(year, county):
    meta = _meta(
        f"{county}团山镇{year}年法治政府建设工作报告\n{year}年，团山镇在{county}委、"
        f"{county[-1]}政府的正确领导下，坚持依法行政，现将有关情况报告如下：\n一、主要举措"
    )
    assert (meta.entity, meta.parent, meta.report_year) == ("团山镇", county, year)
    # 团山镇 exists in 樊城区 too; the county tells them apart, in either name
    assert meta.division_code == "430582107"


def test_gazetteer_parent_fills_a_parent_the_page_prints_elsewhere():
    # the county is printed in the source line only as the site's name
    meta = _meta(
        "团山镇2023年度法治政府建设情况报告_邵东市人民政府\n首页 > 政务公开 > 法治政府建设\n"
        "2023年，团山镇坚持依法行政，扎实推进法治政府建设，现将有关情况报告如下：\n一、主要举措"
    )
    assert (meta.entity, meta.parent, meta.division_code) == ("团山镇", "邵东市", "430582107")
    assert meta.title == "团山镇2023年度法治政府建设情况报告"  # the page <title> without its site


def test_title_ending_in_qingkuang():
    meta = _meta(
        "屏边县2024年法治政府建设情况\n2024年，屏边县坚持依法行政，扎实推进法治政府建设。\n一、主要举措"
    )
    assert meta.title == "屏边县2024年法治政府建设情况"


def test_title_run_together_with_a_site_heading():
    meta = _meta(
        "法治政府建设年报光明桥街道办事处2022年度法治政府建设工作报告\n2022年，光明桥街道坚持依法行政，"
        "现将有关情况报告如下：\n一、主要举措"
    )
    assert meta.title == "光明桥街道办事处2022年度法治政府建设工作报告"
    assert meta.entity == "光明桥街道"


def test_spaces_around_the_year_inside_a_title():
    meta = _meta(
        "团山镇 2021 年法治政府建设年度报告\n2021年，团山镇坚持依法行政，现将有关情况报告如下：\n一、主要举措"
    )
    assert meta.title == "团山镇2021年法治政府建设年度报告"


def test_year_in_the_opening_of_a_flattened_page():
    meta = _meta(
        "首页 > 政务公开 团山镇法治政府建设工作报告 2023年以来，团山镇在邵东市委、市政府的正确领导下，"
        "坚持依法行政，扎实推进法治政府建设，取得了明显成效，现将有关情况报告如下：一、主要举措和成效"
        "（一）加强组织领导。"
    )
    assert meta.report_year == 2023
    assert meta.division_code == "430582107"


def test_a_list_heading_is_never_a_title():
    meta = _meta(
        "一、2023年法治政府建设情况\n2023年，团山镇在邵东市委的领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == ""


DIVISION_LABELS = Path(__file__).parent / "fixtures" / "division_labels.csv"
_FOLDERS = {"corpus": CORPUS, "seeds": RAW, "metadata_synthetic": SYNTHETIC}


def test_division_codes_on_labelled_pages():
    """Codes labelled blind by a helper from the page text and the official list
    (tests/fixtures/division_labels.md): precision ≥ 99 %, recall ≥ 90 %."""
    with DIVISION_LABELS.open(encoding="utf-8") as handle:
        labels = list(csv.DictReader(handle))
    given = right = wanted = found = 0
    for label in labels:
        row = parse_file(_FOLDERS[label["corpus"]] / label["file"]).row or {}
        got = row.get("division_code") or ""
        given += bool(got)
        right += bool(got) and got == label["division_code"]
        wanted += bool(label["division_code"])
        found += bool(label["division_code"]) and got == label["division_code"]
    assert len(labels) == 109
    assert right / given >= 0.99
    assert found / wanted >= 0.90


GAZETTEER_PAGES = Path(__file__).parent / "fixtures" / "metadata_gazetteer"
ISSUE_13_TARGETS = {**TARGETS, "parent": 0.95}


@pytest.mark.parametrize(
    "split",
    [
        "tune",
        "heldout",
        "heldout2",
        "heldout3",
        "heldout4",
        "heldout5",
        "heldout6",
        "heldout8",
        "heldout9",
    ],
)
def test_gazetteer_pages(split):
    """60 pages written and labelled blind by a helper for issue 13 (kinds: slogans, 街
    streets, quoted titles, recipient lines, short department names, issuer prefixes, renamed
    counties, 情况 titles, flattened pages, homonyms), then 40 more twice (heldout2,
    heldout3), 50 three times (heldout4–6), 40 (heldout7) and 50 twice (heldout8, heldout9);
    see its README.md. The held-out batches were each scored once and then tuned on, so they
    are tuning data now; ``heldout7`` and ``heldout10`` are never tuned on and are not scored
    here (their figures are in that README)."""
    with (GAZETTEER_PAGES / "catalog.csv").open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["split"] == split]
    assert len(rows) == {"tune": 30, "heldout": 30, "heldout2": 40, "heldout3": 40}.get(split, 50)
    hits: dict[str, list[bool]] = {field: [] for field in ISSUE_13_TARGETS}
    given = right = wanted = found = 0
    for row in rows:
        meta = _infer(row["file"], GAZETTEER_PAGES / split)
        got = {
            "entity": meta.entity,
            "level": meta.level,
            "parent": meta.parent,
            "report_year": str(meta.report_year or ""),
            "publish_date": meta.publish_date or "",
            "title": re.sub(r"\s", "", meta.title),
        }
        expected = {**row, "title": re.sub(r"\s", "", row["title"])}
        for field in hits:
            if field in ("parent", "publish_date", "title") and not expected[field]:
                continue
            hits[field].append(got[field] == expected[field])
        given += bool(meta.division_code)
        right += bool(meta.division_code) and meta.division_code == row["division_code"]
        wanted += bool(row["division_code"])
        found += bool(row["division_code"]) and meta.division_code == row["division_code"]
        if meta.division_code == row["division_code"] and row["division_code"]:
            assert (meta.official_name, meta.province, meta.city, meta.county) == (
                row["official_name"],
                row["province"],
                row["city"],
                row["county"],
            ), row["file"]
    for field, results in hits.items():
        assert sum(results) / len(results) >= ISSUE_13_TARGETS[field], field
    assert right / given >= 0.99
    assert found / wanted >= 0.90


# Regressions found on the first held-out batch of tests/fixtures/metadata_gazetteer (after
# its first contact, that batch became tuning data; see its README).


def test_street_name_holding_renmin_is_a_street():
    meta = _meta(
        "西宁市城中区人民街街道办事处2023年法治政府建设工作报告\n2023年，人民街街道坚持依法行政，"
        "现将有关情况报告如下：\n一、主要举措"
    )
    assert (meta.entity, meta.level, meta.parent) == ("人民街街道", "街道", "城中区")
    assert meta.division_code == "630103001"


def test_street_written_without_its_own_jie_is_found_by_its_district():
    # 金顶街道 is a street's official name in 云南 too; 石景山区 writes its 金顶街街道 so
    meta = _meta(
        "石景山区金顶街道2023年法治政府建设工作报告\n2023年，金顶街道在石景山区委、区政府的领导下，"
        "坚持依法行政，现将有关情况报告如下：\n一、主要举措"
    )
    assert (meta.division_code, meta.official_name) == ("110107006", "金顶街街道")


def test_parent_committee_of_a_one_character_county_is_the_county():
    # "横县县委": the county committee of 横县 (450181, 横州市 since 2021)
    meta = _meta(
        "峦城镇2020年法治政府建设工作报告\n2020年，峦城镇在横县县委、县政府的坚强领导下，"
        "坚持依法行政，现将有关情况报告如下：\n一、主要举措"
    )
    assert meta.parent == "横县"
    assert meta.county == "横州市"


def test_slogan_is_never_a_parent():
    meta = _meta(
        "文化立市 法治为民\n浮梁县2023年法治政府建设情况报告\n2023年，浮梁县在文化立市战略引领下，"
        "在景德镇市委、市政府的领导下坚持依法行政，现将有关情况报告如下：\n一、主要举措"
    )
    assert meta.entity == "浮梁县"
    assert meta.parent == "景德镇市"


# Regressions found on the second held-out batch (heldout2, scored once, then tuned on).


def test_banner_above_the_title_is_not_part_of_it():
    meta = _meta(
        "全力创建平安浮梁县　奋力打造法治浮梁\n浮梁县2024年法治政府建设工作报告\n"
        "2024年，浮梁县在景德镇市委、市政府的领导下坚持依法行政，现将有关情况报告如下：\n一、主要举措"
    )
    assert meta.title == "浮梁县2024年法治政府建设工作报告"


def test_long_co_issued_title_is_not_prose():
    meta = _meta(
        "中共镇宁布依族苗族自治县委 镇宁布依族苗族自治县人民政府关于2023年度法治政府建设情况的报告\n"
        "来源：县司法局　　发布日期：2024-03-05\n"
        "2023年，在安顺市委、市政府的坚强领导下，县委、县政府坚持以习近平法治思想为指导，"
        "现将有关情况报告如下：\n一、主要工作成效"
    )
    assert (meta.entity, meta.level, meta.parent) == ("镇宁布依族苗族自治县", "县", "安顺市")
    assert (meta.publish_date, meta.division_code) == ("2024-03-05", "520423")
    assert meta.title.startswith("中共镇宁布依族苗族自治县委")


def test_the_addressee_of_a_recipient_line_is_not_the_body():
    meta = _meta(
        "政务公开 | 法治政府建设 | 年度报告\n通化市人民政府：\n"
        "2023年，我市在上级党委、政府和市委的坚强领导下，坚持以习近平法治思想为指导，印发"
        "《集安市2023年法治政府建设工作要点》，现将有关情况报告如下：\n一、主要工作"
    )
    assert (meta.entity, meta.division_code) == ("集安市", "220582")
    assert meta.title == ""  # a column path is not a title


def test_page_title_with_a_dash_and_a_numeral_place_name():
    meta = _meta(
        "二七区2023年度法治政府建设工作情况 - 郑州市二七区人民政府\n日期：2024-03-01\n"
        "2023年，在郑州市委、市政府和区委的坚强领导下，区政府坚持以习近平法治思想为指导，"
        "紧扣老旧小区改造，统筹推进依法行政。现将有关情况报告如下：\n一、主要工作"
    )
    assert meta.title == "二七区2023年度法治政府建设工作情况"
    assert (meta.entity, meta.division_code) == ("二七区", "410103")


def test_column_heading_and_breadcrumb_run_into_the_title():
    first = _meta(
        "依法行政专栏浮梁县2023年法治政府建设年度报告\n2023年，浮梁县坚持依法行政，现将有关情况报告如下："
    )
    assert first.title == "浮梁县2023年法治政府建设年度报告"
    second = _meta(
        "景德镇市人民政府网首页｜政务公开｜法治政府建设浮梁县2023年法治政府建设年度报告\n"
        "2023年，浮梁县坚持依法行政，现将有关情况报告如下："
    )
    assert second.title == "浮梁县2023年法治政府建设年度报告"


def test_level_of_a_renamed_county_is_the_one_of_its_name_in_the_report_year():
    # 米林县 became 米林市 (540481) in 2023
    meta = _meta(
        "米林县2022年法治政府建设工作报告\n2022年，米林县在林芝市委、市政府的领导下坚持依法行政，"
        "现将有关情况报告如下：\n一、主要工作"
    )
    assert (meta.entity, meta.level, meta.division_code) == ("米林县", "县", "540481")


def test_self_reference_by_committee_and_government():
    meta = _meta(
        "首页 > 信息公开\n2023年，市委、市政府坚持以习近平法治思想为指导，以《集安市法治政府建设实施方案"
        "（2021—2025年）》为抓手，全面推进依法行政。现将有关情况报告如下。\n一、主要工作"
    )
    assert (meta.entity, meta.level) == ("集安市", "市")


def test_a_verb_before_a_level_is_no_place():
    chain, _, _ = parse_place_chain("制定区级权责清单")
    assert chain == []


# Regressions found on the third held-out batch (heldout3, scored once, then tuned on).


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("江湾镇街道", "310109019"),  # a street named after a town (虹口区)
        ("建设大街街道", "130302004"),  # a street name holding 建设 (海港区)
    ],
)
def test_street_names_holding_other_level_words(written, code):
    meta = _meta(
        f"{written}2023年法治政府建设工作报告\n2023年，{written}党工委、办事处坚持依法行政，"
        "现将有关情况报告如下：\n一、主要举措"
    )
    assert (meta.entity, meta.level, meta.division_code) == (written, "街道", code)


def test_township_with_a_one_character_name():
    meta = _meta(
        "坎乡人民政府2023年法治政府建设工作报告\n2023年，坎乡在察布查尔锡伯自治县县委、县政府的领导下"
        "坚持依法行政，现将有关情况报告如下：\n一、主要举措"
    )
    assert (meta.entity, meta.level, meta.division_code) == ("坎乡", "乡", "654022206")


def test_title_with_a_trailing_banner_and_a_run_in_index_number():
    first = _meta(
        "福田区华强北街道2023年法治政府建设年度报告　　　【奋力打造全国法治政府建设示范区】\n"
        "2023年，华强北街道坚持依法行政，现将有关情况报告如下："
    )
    assert first.title == "福田区华强北街道2023年法治政府建设年度报告"
    second = _meta(
        "主题：法治政府建设索引号：PY-2024-0318平遥县人民政府关于2023年度法治政府建设情况的报告\n"
        "2023年，平遥县坚持依法行政，现将有关情况报告如下："
    )
    assert second.title == "平遥县人民政府关于2023年度法治政府建设情况的报告"


def test_a_page_heading_above_a_complete_title_is_not_its_issuer():
    meta = _meta(
        "温州市自然资源和规划局\n温州市资规局2023年度法治政府建设工作报告\n"
        "2023年，市资规局坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "温州市资规局2023年度法治政府建设工作报告"
    assert (meta.entity, meta.parent) == ("资规局", "温州市")


def test_a_county_moved_to_another_prefecture_keeps_its_parent_of_the_year():
    # 公主岭市 (220184) was under 四平市 until 2019, under 长春市 since 2020
    meta = _meta(
        "公主岭市2019年法治政府建设年度报告\n2019年，在吉林省委、省政府和四平市委、市政府的坚强领导下，"
        "市政府坚持依法行政，现将有关情况报告如下：\n一、主要工作"
    )
    assert (meta.entity, meta.parent, meta.division_code) == ("公主岭市", "四平市", "220184")
    assert meta.city == "长春市"  # the list's prefecture of today


def test_a_moved_county_keeps_its_parent_of_the_year_when_todays_prefecture_is_printed_too():
    # with 长春市 on the page as well, today's prefecture must not replace the printed one of 2019
    meta = _meta(
        "公主岭市2019年法治政府建设年度报告\n2019年，在四平市委、市政府的坚强领导下，市政府坚持依法行政，"
        "主动融入长春市现代化都市圈建设，现将有关情况报告如下：\n一、主要工作"
    )
    assert (meta.entity, meta.parent, meta.division_code) == ("公主岭市", "四平市", "220184")


def test_a_prefecture_called_diqu_is_a_city_level():
    meta = _meta(
        "喀什地区2023年法治政府建设情况报告\n2023年，喀什地区行政公署坚持依法行政，现将有关情况报告如下："
    )
    assert (meta.entity, meta.level, meta.division_code) == ("喀什地区", "市", "653100")


# Regressions found on the fourth held-out batch (heldout4, scored once, then tuned on).


def test_site_heading_above_a_street_title_is_not_its_issuer():
    meta = _meta(
        "天津市河东区人民政府\n首页 > 街道动态 > 政务公开\n大王庄街2024年法治政府建设工作情况报告\n"
        "2024年，大王庄街在区委、区政府的坚强领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "大王庄街2024年法治政府建设工作情况报告"


def test_title_ending_in_kaizhan_qingkuang_and_one_run_into_chrome():
    first = _meta(
        "南海区2023年度法治政府建设工作开展情况\n2023年，南海区在佛山市委、市政府的领导下坚持依法行政。"
    )
    assert first.title == "南海区2023年度法治政府建设工作开展情况"
    second = _meta(
        "寿宁县2023年法治政府建设工作报告发布时间：2024-02-22来源：寿宁县人民政府办公室浏览次数：\n"
        "2023年，在宁德市委、市政府和县委的坚强领导下，寿宁县坚持依法行政，现将有关情况报告如下："
    )
    assert (second.title, second.publish_date) == ("寿宁县2023年法治政府建设工作报告", "2024-02-22")


def test_generated_date_of_an_information_catalogue_is_the_publish_date_of_last_resort():
    meta = _meta(
        "信息名称：平湖市市场监督管理局2024年度法治政府建设工作报告\n公开方式：主动公开　　生成日期：2025-01-16\n"
        "平湖市市场监督管理局2024年度法治政府建设工作报告\n"
        "2024年，平湖市市场监督管理局在市委、市政府的领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.publish_date == "2025-01-16"


def test_a_verb_before_a_government_is_no_parent():
    meta = _meta(
        "2024年，在市委、市政府的坚强领导下，我市坚持依法行政。年初，市政府常务会议审议通过并印发"
        "《邳州市2024年法治政府建设工作要点》；审查规范性文件326件；清理市政府规范性文件41件。"
        "现将有关情况报告如下：\n一、主要工作"
    )
    assert (meta.entity, meta.division_code) == ("邳州市", "320382")
    assert meta.parent == ""


# Regressions found on the fifth held-out batch (heldout5, scored once, then tuned on).


def test_a_dashed_breadcrumb_is_not_a_title():
    meta = _meta(
        "武义县人民政府\n首页 - 政务公开 - 法治政府建设 - 年度报告\n武义县2023年法治政府建设年度报告\n"
        "2023年，在金华市委、市政府和县委的坚强领导下，武义县坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "武义县2023年法治政府建设年度报告"


def test_a_wechat_column_tag_before_the_title():
    meta = _meta(
        "年报丨温泉街道2023年法治政府建设年度报告\n原创 温泉街道 福州鼓楼发布 2024-01-26\n"
        "2023年，温泉街道在鼓楼区委、区政府的坚强领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "温泉街道2023年法治政府建设年度报告"


def test_a_news_repost_gives_the_reports_own_title_under_its_headline():
    meta = _meta(
        "常德日报 | 常德新闻网\n常德市发布2023年度法治政府建设情况报告\n2024-03-21 08:30 来源：常德日报\n"
        "日前，常德市人民政府向湖南省人民政府报送了2023年度法治政府建设情况报告。现将报告主要内容刊发如下。\n"
        "常德市人民政府关于2023年度法治政府建设情况的报告\n"
        "2023年，常德市坚持以习近平法治思想为指导，全面推进依法行政。"
    )
    assert meta.title == "常德市人民政府关于2023年度法治政府建设情况的报告"


def test_a_provincial_department_by_its_short_name():
    meta = _meta(
        "湖北省住房和城乡建设厅\n首页 >> 政务公开 >> 法治政府建设\n湖北省住建厅2023年度法治政府建设情况报告\n"
        "2023年，省住建厅在省委、省政府的坚强领导下，坚持依法行政，现将有关情况报告如下："
    )
    assert (meta.entity, meta.level, meta.parent, meta.division_code) == (
        "住建厅",
        "部门",
        "湖北省",
        "420000",
    )


# Regressions found on the sixth held-out batch (heldout6, scored once, then tuned on).


def test_title_of_an_autonomous_county_broken_over_two_lines():
    meta = _meta(
        "峨边彝族自治县人民政府关于2023年法治政府建\n设情况的报告\n乐山市人民政府：\n"
        "2023年，峨边彝族自治县在乐山市委、市政府和县委的坚强领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "峨边彝族自治县人民政府关于2023年法治政府建设情况的报告"


def test_a_grid_field_and_a_double_bar_path_are_not_titles():
    meta = _meta(
        "政府信息公开 ∥ 法定主动公开内容 ∥ 法治政府建设年度报告\n"
        "│索 引 号：002986510/202403-00041　　组配分类：法治政府建设年度报告\n"
        "2024年，在州委、州政府和市委的坚强领导下，我市坚持依法行政，认真落实《珲春市2024年法治政府"
        "建设工作要点》，现将有关情况报告如下："
    )
    assert meta.title == ""
    assert (meta.entity, meta.parent) == ("珲春市", "")  # 在州委 names no 在州


def test_a_news_repost_without_a_headline_block():
    meta = _meta(
        "包头新闻网 > 时政要闻\n我市2023年法治政府建设情况报告公布 依法行政水平持续提升\n"
        "近日，市政府在门户网站公开发布2023年度法治政府建设情况报告。全文如下：\n"
        "包头市人民政府关于2023年度法治政府建设情况的报告\n内蒙古自治区人民政府：\n"
        "2023年，包头市在自治区党委、政府和市委的坚强领导下坚持依法行政。"
    )
    assert meta.title == "包头市人民政府关于2023年度法治政府建设情况的报告"
    assert (meta.entity, meta.division_code) == ("包头市", "150200")


def test_a_wechat_time_stamp_is_the_publish_date():
    meta = _meta(
        "权威发布｜敦煌市2024年法治政府建设年度报告出炉\n敦煌发布　2025年02月14日 17:30　甘肃\n"
        "敦煌市2024年法治政府建设年度报告\n2024年，敦煌市在酒泉市委、市政府的领导下坚持依法行政，"
        "现将有关情况报告如下："
    )
    assert meta.publish_date == "2025-02-14"


def test_a_site_name_run_into_the_title():
    meta = _meta(
        "富平县人民政府网站富平县2024年法治政府建设年度报告\n2024年，富平县在渭南市委、市政府的领导下"
        "坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "富平县2024年法治政府建设年度报告"


def test_a_bare_jie_stays_when_the_district_has_a_jie_jiedao():
    # 芙蓉区's street is 朝阳街街道 (430102), though many 朝阳街道 exist elsewhere
    meta = _meta(
        "朝阳街2023年法治政府建设工作报告\n2023年，朝阳街在芙蓉区委、区政府的领导下坚持依法行政，"
        "现将有关情况报告如下："
    )
    assert meta.entity == "朝阳街"
    assert meta.official_name == "朝阳街街道"


# Regressions found on the eighth and ninth held-out batches (scored once each, then tuned on).


def test_a_breadcrumb_with_middle_dots_is_not_the_title():
    meta = _meta(
        "首页 · 政务公开 · 法治政府建设 · 年度报告\n发布时间：2025.02.12 10:26\n"
        "彭州市2024年法治政府建设年度报告\n2024年，彭州市在成都市委、市政府的领导下坚持依法行政，"
        "现将有关情况报告如下："
    )
    assert meta.title == "彭州市2024年法治政府建设年度报告"


def test_a_column_banner_before_the_title_is_dropped():
    meta = _meta(
        "【法治政府建设专栏】富川瑶族自治县古城镇2025年法治政府建设工作报告\n2026/01/19　来源：古城镇人民政府\n"
        "2025年，古城镇在县委、县政府的坚强领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "富川瑶族自治县古城镇2025年法治政府建设工作报告"


def test_a_repost_headline_that_reads_like_prose_is_not_the_opening():
    meta = _meta(
        "个旧这一年，法治政府建设交出“成绩单”\n原创　个旧发布　2025年02月20日 19:05　云南\n"
        "个旧市2024年法治政府建设年度报告\n2024年，个旧市在红河州委、州政府和市委的坚强领导下，"
        "坚持依法行政，现将有关情况报告如下："
    )
    assert (meta.entity, meta.parent, meta.title) == (
        "个旧市",
        "红河州",
        "个旧市2024年法治政府建设年度报告",
    )
    assert meta.publish_date == "2025-02-20"


def test_a_title_broken_inside_a_word_over_two_lines():
    meta = _meta(
        "发布日期：2024-03-06\n都匀市人民政府关于2023年度法\n治政府建设情况的报告\n黔南州人民政府：\n"
        "2023年，都匀市在黔南州委、州政府的坚强领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "都匀市人民政府关于2023年度法治政府建设情况的报告"


def test_a_year_in_chinese_digits_ends_the_issuer_of_a_title():
    meta = _meta(
        "武陟县人民政府\n发布日期：2024-01-10\n武陟县龙源街道二〇二三年度法治政府建设情况报告\n"
        "二〇二三年，龙源街道在县委、县政府的坚强领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "武陟县龙源街道二〇二三年度法治政府建设情况报告"
    assert (meta.entity, meta.parent) == ("龙源街道", "武陟县")


def test_towns_and_county_departments_is_no_place():
    # "乡镇和县直部门": 和县 is a county in Anhui, 乡镇和县 is nothing
    meta = _meta(
        "2024年，县政府坚持依法行政。县政府印发《关于印发〈宁陕县2024年法治政府建设工作要点〉的通知》，"
        "逐项分解到乡镇和县直部门。现将全年工作情况报告如下："
    )
    assert meta.entity == "宁陕县"


def test_a_short_department_name_not_in_the_list_of_departments():
    meta = _meta(
        "丰台区经信局2023年法治政府建设年度报告\n2023年，区经信局在区委、区政府的坚强领导下坚持依法行政，"
        "现将有关情况报告如下："
    )
    assert (meta.entity, meta.level, meta.parent) == ("经信局", "部门", "丰台区")
    # the government's own offices are never read as one of its departments
    meta = _meta(
        "阿勒泰地区行政公署2023年法治政府建设情况报告\n2023年，地区行政公署坚持依法行政，现将有关情况报告如下："
    )
    assert (meta.entity, meta.level) == ("阿勒泰地区", "市")


def test_a_committee_keeps_its_full_name_and_a_trailing_column_heading_goes():
    meta = _meta(
        "宝山区商务委员会2024年法治政府建设工作报告法治政府建设专栏\n发布时间：2025-02-18\n"
        "2024年，宝山区商务委员会在区委、区政府的坚强领导下坚持依法行政，现将有关情况报告如下："
    )
    assert meta.title == "宝山区商务委员会2024年法治政府建设工作报告"
    assert (meta.entity, meta.parent) == ("商务委员会", "宝山区")


def test_a_flattened_page_opens_at_the_year_not_at_the_site_name():
    meta = _meta(
        "壶关县人民政府 乡镇之窗 树掌镇 信息公开 2024年，树掌镇在壶关县委、县政府的坚强领导下，"
        "坚持依法行政，扎实推进法治政府建设，现将有关情况报告如下。 一、主要工作"
    )
    assert (meta.entity, meta.level, meta.parent) == ("树掌镇", "镇", "壶关县")
