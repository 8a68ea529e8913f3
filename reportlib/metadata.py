"""Infer a report's metadata from its text: entity, level, parent, year, dates and title.

The library never sees a URL: everything is read from the page text. Two texts are used:

* the normalised :class:`reportlib.clean.Page`, split once into header, prose and footer,
  which still holds the page header — metadata grid, breadcrumb, source line — where publish
  dates and parents are printed;
* the *cleaned* report (:func:`reportlib.clean.strip_chrome` of that page), whose title block,
  opening sentence and signature name the reporting body.

Place names are parsed as chains of ``name + level suffix`` (重庆市|开州区|铁桥镇, see
:func:`reportlib.places.parse_place_chain`) starting at a known boundary (start of title,
after the opening year, after 现将, in a signature or source field), never by scanning for a
suffix in running text, because a suffix alone cannot tell where a name begins. Candidates are
then checked against the official division list (:class:`reportlib.places.Gazetteer`), which
also gives the division code. Dates are read by :mod:`reportlib.dates`. Whatever cannot be
inferred stays empty and is reported, never guessed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from itertools import islice, pairwise

from reportlib import clean, places
from reportlib.clean import Page
from reportlib.dates import find_publish_date, find_signed_date, parse_date
from reportlib.patterns import data_csv
from reportlib.places import Gazetteer, PlaceName, parse_place_chain

__all__ = [
    "LEVELS",
    "Metadata",
    "PlaceName",
    "find_publish_date",
    "find_report_year",
    "find_signed_date",
    "find_title",
    "infer_metadata",
    "parse_date",
    "parse_place_chain",
]

LEVELS = ("省", "市", "州", "盟", "区", "县", "旗", "镇", "乡", "街道", "部门")
CJK = clean.CJK

# Which levels may stand directly above a level, and each level's rank: reportlib/data/levels.csv
_PARENT_LEVELS = {level: places.level_parents(level) for level in LEVELS}
_RANK = {level: places.level_rank(level) for level in LEVELS}


@cache
def _provinces() -> dict[str, str]:
    return {row["short"]: row["full"] for row in data_csv("provinces.csv")}


_ROW_FIELDS = (
    "entity",
    "level",
    "parent",
    "report_year",
    "publish_date",
    "signed_date",
    "title",
    "division_code",
    "official_name",
    "province",
    "city",
    "county",
)


@dataclass
class Metadata:
    """Metadata of one report; empty strings / None where the text does not say.

    ``division_code`` … ``county`` come from the official division list; ``problems`` says
    what the page left undecided (a name the list does not know, homonyms it cannot tell
    apart).
    """

    entity: str = ""
    level: str = ""
    parent: str = ""
    report_year: int | None = None
    publish_date: str | None = None
    signed_date: str | None = None
    title: str = ""
    division_code: str = ""
    official_name: str = ""
    province: str = ""
    city: str = ""
    county: str = ""
    evidence: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def as_row(self) -> dict[str, object]:
        """The fields that are documents-table columns (``evidence`` is not)."""
        return {name: getattr(self, name) for name in _ROW_FIELDS}


def _header_footer(page: str | Page) -> tuple[list[str], list[str], str]:
    """Lines before the first prose line, lines after the last one, and the first prose line."""
    page = clean.as_page(page)
    return list(page.header), list(page.footer), page.first_prose


# --- title ------------------------------------------------------------------------------------

_TITLE_END = re.compile(
    r"(?:报告|总结|汇报|(?:建设|工作|开展|推进|落实)情况)(?:[(（][^)）]{0,12}[)）])?$"
)
# a list heading ("一、2023年法治政府建设情况") is a section, never a title
_ENUMERATED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+[、.．])"
)
# the page <title>'s site part: "…报告_邵东市人民政府", "…报告｜某某网"
_PAGE_TITLE_SITE = re.compile(
    r"\s*(?:[_｜|]|\s[-—–]\s?|[-—–]\s|(?<=报告|总结|情况)[-—–])\s*[^_｜|]*$"
)
# page chrome run after the title on its line: "…工作报告发布时间：2024-02-22来源：…"
_TRAILING_CHROME = re.compile(
    r"(?<=报告|总结|情况)\s*(?:发布时间|发布日期|日期|时间|来源|信息来源|浏览次数|作者|字号)\s*[:：].*$"
)
# a banner printed after the title on its line: "…年度报告　【奋力打造全国法治政府建设示范区】"
_TRAILING_BANNER = re.compile(r"\s*【[^】]*】\s*$")
# a column heading run after it: "…2024年法治政府建设工作报告法治政府建设专栏"
_TRAILING_COLUMN = re.compile(rf"(?<=报告|总结|情况)[{CJK}]{{2,12}}?(?:专栏|专题|栏目)$")
# …or before it: "【法治政府建设专栏】XX县XX镇2025年…"
_LEADING_BANNER = re.compile(r"^\s*【[^】]{2,24}】\s*(?=\S)")
# page chrome run into the title on one line: "…人民政府信息公开法治政府建设XX县2023年度…",
# "主题：法治政府建设索引号：PY-2024-0318XX县人民政府关于2023年度…"
_RUN_IN_CHROME = re.compile(
    rf"^.*(?:信息公开|政务公开|法治政府建设|专栏|专题|栏目|门户网站|网站|政府网|索引号[:：]?[\w\-/]*\d|主题[:：][{CJK}]*?)"
    rf"(?=(?:中共)?[{CJK}]{{2,14}}?(?:省|市|州|盟|区|县|旗|镇|乡|街道|苏木)(?:人民政府|政府)?(?:关于)?\s*(?:19|20)\d{{2}})"
)
# a breadcrumb or column path run into the title: "…网首页｜政务公开｜法治政府建设XX市2023年…"
_CRUMBS_BEFORE = re.compile(r"^.*(?:[|｜丨∥>＞»/／]|\s[-—–]\s)\s*")
_PLACE_AHEAD = rf"(?=[{CJK}]{{2,12}}?(?:省|市|州|盟|区|县|旗|镇|乡|街道|苏木))"
# a column heading run into the title: "法治政府建设年报XX街道办事处2022年度…", "依法行政专栏玛多县…"
_COLUMN_HEADING = re.compile(
    rf"^(?:(?:法治政府建设)?(?:年度报告|年报|报告)(?:公开|专栏)?|[{CJK}]{{2,8}}?(?:专栏|专题|栏目)"
    rf"|法治政府建设(?=[{CJK}]{{2,12}}?(?:省|市|州|盟|区|县|旗|镇|乡|街道)(?:人民政府)?\s*(?:19|20)\d{{2}})){_PLACE_AHEAD}"
)
# a metadata grid's field inside a line ("…00041　组配分类：法治政府建设年度报告")
_LABELLED_FIELD = re.compile(
    r"(?:分类|索引号|发布机构|文号|主题词|组配|公开方式|公开范围)\s*[:：]|[┌│└├┐┘]"
)
_OPENS_WITH_ISSUER = re.compile(
    rf"^(?:中共)?[{CJK}]{{2,20}}?(?:省|市|州|盟|区|县|旗|镇|乡|街道|街|苏木|局|厅|委)[{CJK}\s]{{0,30}}?"
    r"(?:\s*(?:19|20)\d{2}|\s*二[〇○零][〇○零一二三四五六七八九]{2}|关于)"
)
_CRUMB_SEPARATORS = re.compile(r"[|｜丨∥>＞»/／]|\s[-—–]\s")
# a banner above the title: "全力创建平安榕江县 奋力打造法治古州", "深入推进依法治旗"
_BANNER = re.compile(
    r"^(?:全力|奋力|深入|坚持|打造|创建|争创|聚力|凝心|推进|推动|筑牢|建设|护航|助力|奋进|勇当|加快|"
    r"奋楫|践行|弘扬|厚植|共建|共筑|法治护航|平安)"
)
# spaces a page puts around the year inside a title: "XX镇 2021 年…"
_SPACE_AT_DIGITS = re.compile(rf"(?<=[{CJK}\d]) +(?=\d)|(?<=\d) +(?=[{CJK}])")
_TITLE_TOPIC = re.compile(r"法治|依法行政|法制")
_HEADLINE = re.compile(r"[?？!！]|发布|公布|出炉|印发")
_ORGAN_END = re.compile(
    r"(?:人民政府|委员会|办事处|党委|党工委|政府|党组|局|厅|部|市委|县委|区委)$"
)


def _title_lines(page: str | Page) -> list[str]:
    """Header lines that may belong to a title; a page <title> ("…_某某人民政府门户网站") is
    moved after the others, because the title printed on the page is the one we want."""
    page = clean.as_page(page)
    kept, page_titles = [], []
    for line in page.header:
        furniture = page.is_furniture(line)
        if (
            furniture
            and _TITLE_END.search(line)
            and _CRUMBS_BEFORE.match(line)
            and _YEAR.search(_CRUMBS_BEFORE.sub("", line))
        ):
            # a breadcrumb whose last step is the title ("首页 > 政务公开 > 法治政府建设XX镇
            # 2024年…情况"), not a column ("… > 法治政府建设年度报告", which has no year)
            line, furniture = _CRUMBS_BEFORE.sub("", line), False
        cleaned = clean.clean_header_line(line, furniture=furniture)
        if cleaned is None:
            continue
        cleaned = clean.normalize_whitespace(cleaned)
        # before the test for a label line: "…工作报告发布时间：…浏览次数：" is a title
        cleaned = _TRAILING_CHROME.sub("", cleaned)
        if not cleaned or cleaned.endswith((":", "：")) or page.is_prose(cleaned):
            continue
        if _ENUMERATED.match(cleaned):
            continue
        if len(_CRUMB_SEPARATORS.findall(cleaned)) >= 2 and not _YEAR.search(
            _CRUMBS_BEFORE.sub("", cleaned)
        ):
            continue  # a breadcrumb or column path ("首页 - 政务公开 - 法治政府建设 - 年度报告")
        cleaned = _TRAILING_COLUMN.sub("", _TRAILING_BANNER.sub("", cleaned))
        if _TITLE_END.search(cleaned):
            cleaned = _LEADING_BANNER.sub("", cleaned)
        if _TITLE_END.search(cleaned) and _CRUMBS_BEFORE.match(cleaned):
            cleaned = _CRUMBS_BEFORE.sub("", cleaned)  # the title after a breadcrumb path
        if _TITLE_END.search(cleaned):
            cleaned = _RUN_IN_CHROME.sub("", cleaned)
        cleaned = _SPACE_AT_DIGITS.sub("", _COLUMN_HEADING.sub("", cleaned))
        if _LABELLED_FIELD.search(cleaned):
            continue  # still a field of a metadata grid once any title run into it is cut out
        if clean.is_page_title(line) or (
            _PAGE_TITLE_SITE.search(cleaned)
            and _TITLE_END.search(_PAGE_TITLE_SITE.sub("", cleaned))
        ):
            # the page <title>: its site part goes, and the printed title is preferred
            page_titles.append(_PAGE_TITLE_SITE.sub("", cleaned) or cleaned)
        else:
            kept.append(cleaned)
    return kept + page_titles


def _title_blocks(lines: list[str]) -> list[str]:
    """Title blocks: a line ending in 报告/总结 plus the issuer lines or fragments before it."""
    blocks = []
    used = -1
    for i, line in enumerate(lines):
        if not (_TITLE_END.search(line) and len(line) <= 90):
            continue
        start = i
        while (
            start - 1 > used
            and not _TITLE_END.search(lines[start - 1])
            and len(lines[start - 1]) <= 40
            and (
                _ORGAN_END.search(lines[start - 1])
                # a word broken over the line end: "…关于2023年度法" + "治政府建设情况的报告"
                or _TITLE_TOPIC.search(lines[start - 1][-3:] + lines[start][:3])
                # a line split mid-phrase, not a slogan of two phrases (坚持生态立县 共建法治乡镇)
                or (
                    _TITLE_TOPIC.search(lines[start - 1])
                    and not _WHITE.search(lines[start - 1])
                    and not _SLOGAN_PHRASE.search(lines[start - 1])
                    and not _BANNER.match(lines[start - 1])
                    and len(_CRUMB_SEPARATORS.findall(lines[start - 1])) < 2
                )
            )
            # a line naming a report is a title of its own (a page <title> "…报告-某市人民政府"),
            # never the issuer line of the next one
            and "报告" not in lines[start - 1]
            # a title that opens with its own issuer (XX县人民政府关于…, 中共XX县委 XX县人民政府…)
            # is complete: the organ line above it is a heading of the page
            and not (start == i and _OPENS_WITH_ISSUER.match(line))
            # a heading that the block repeats (XX县人民政府 above 中共XX县委 XX县人民政府)
            and _WHITE.sub("", lines[start - 1]) not in _WHITE.sub("", lines[start])
        ):
            start -= 1
        text = lines[start]
        for previous, current in zip(lines[start:i], lines[start + 1 : i + 1], strict=True):
            text += (" " if _ORGAN_END.search(previous) else "") + current
        blocks.append(text)
        used = i
    return blocks


def find_title(page: str | Page) -> tuple[str, str]:
    """The report's printed title, and a headline about it if the page has only that.

    Returns
    -------
    (title, headline)
        ``title`` is empty when the page shows none; ``headline`` is a news headline
        (司法部发布2023年法治政府建设年度报告) that still names the body and year.

    Examples
    --------
    >>> find_title("中共重庆市荣昌区吴家镇委员会\\n重庆市荣昌区吴家镇人民政府\\n关于2025年法治政府建设情况的报告\\n"
    ...            "2025年,吴家镇党委、政府坚持以习近平法治思想为指引,深入贯彻落实党的二十大精神。")[0]
    '中共重庆市荣昌区吴家镇委员会 重庆市荣昌区吴家镇人民政府 关于2025年法治政府建设情况的报告'
    """
    page = clean.as_page(page)
    blocks = [b for b in _title_blocks(_title_lines(page)) if _TITLE_TOPIC.search(b)]
    headlines = [b for b in blocks if _HEADLINE.search(b)]
    titles = [b for b in blocks if not _HEADLINE.search(b)]
    if not titles and page.first is not None:
        # a news repost: headline, an intro paragraph, then the report under its own title
        for line in page.lines[page.first + 1 : page.first + 6]:
            line = line.strip()
            if (
                _TITLE_END.search(line)
                and _TITLE_TOPIC.search(line)
                and _YEAR.search(line)
                and len(line) <= 90
                and not page.is_prose(line)
                and (headlines or _OPENS_WITH_ISSUER.match(line))
            ):
                return line, headlines[0] if headlines else ""
    if not titles:
        return "", headlines[0] if headlines else ""
    title = titles[0]
    # A page <title> often prefixes the printed title with the region: prefer the printed one.
    for later in titles[1:]:
        compact_title, compact_later = _WHITE.sub("", title), _WHITE.sub("", later)
        if compact_title != compact_later and compact_title.endswith(compact_later):
            title = later
    return title, headlines[0] if headlines else ""


# --- year -------------------------------------------------------------------------------------

_YEAR = re.compile(r"(?<![\d\-—–~至])((?:19|20)\d{2})\s*年(?!\s*[-—–~至]\s*(?:19|20)?\d{2})")


_YEAR_AFTER_TITLE = re.compile(
    r"(?:报告|总结|情况|[\s>＞])\s*((?:19|20)\d{2})\s*年度?(?:以来|来)?[,，]"
)
_YEAR_OF_REPORT = re.compile(
    r"((?:19|20)\d{2})\s*年度?(?:法治|依法行政)[^。，,]{0,20}(?:报告|情况|总结)"
)
_YEAR_IN_FIRST_HEADING = re.compile(
    r"(?:^|\n)[一1][、.．]\s*((?:19|20)\d{2})\s*年度?(?:法治|依法|工作|推进|主要)"
)


def find_report_year(
    title: str, opening: str, publish_date: str | None, *, head: str = ""
) -> int | None:
    """The year the report is about.

    Order: a year in the title; "现将2023年度…" or a year opening the first paragraph; the year
    before the publish date (reports come out in the first months of the next year).

    Examples
    --------
    >>> find_report_year("关于2023年法治政府建设情况的报告", "", "2024-03-01")
    2023
    >>> find_report_year("", "2021年以来,我市法治政府工作……现将工作汇报如下", None)
    2021
    >>> find_report_year("法治政府建设年度报告", "今年以来……", "2024-02-01")
    2023
    """
    for text in (_BRACKETED.sub("", title),):
        found = _YEAR.search(text)
        if found:
            return int(found.group(1))
    found = _INTRO_YEAR.search(opening)
    if found:
        return int(found.group(1))
    found = _LEADING_YEAR.match(opening)
    if found:
        return int(found.group(1))
    found = _YEAR.search(opening[:120])
    if found and "年度" in opening[found.start() : found.end() + 2]:
        return int(found.group(1))
    # A flattened page: the title runs into the opening ("…工作报告 2023年以来，…"), or the
    # year names the report inside the first lines ("2023年度法治政府建设工作报告").
    found = _YEAR_AFTER_TITLE.search(opening[:400]) or _YEAR_OF_REPORT.search(head[:400])
    if found:
        return int(found.group(1))
    # A first heading such as "一、2023年法治政府建设情况" in the report's first lines.
    found = _YEAR_IN_FIRST_HEADING.search(head[:1500])
    if found:
        return int(found.group(1))
    if publish_date:
        year, month = int(publish_date[:4]), int(publish_date[5:7])
        return year - 1 if month <= 6 else year
    return None


_WHITE = re.compile(r"\s")
_WHITE_RUN = re.compile(r"\s+")
_BRACKETED = re.compile(r"[(（][^)）]*[)）]")
_INTRO_YEAR = re.compile(r"现将\D{0,12}?((?:19|20)\d{2})\s*年")
_LEADING_YEAR = re.compile(r"\s*((?:19|20)\d{2})\s*年")
_ONE_CJK = re.compile(f"[{CJK}]")
_BARE_LEVEL = re.compile(r"(?:省|市|州|区|县|旗|镇|乡)(?=\S)")
_ABOUT = re.compile(r"^关于")
_YEAR_PREFIX = re.compile(r"^(?:(?:19|20)\d{2}|二[〇○零][〇○零一二三四五六七八九]{2})\s*年度?")
_SENTENCE_END = re.compile(r"(?<=[。！？])")
_QUOTED_TITLE = re.compile(r"《[^》]*》")
_DOCUMENT_TITLE_START = re.compile(r"[《〈](?:(?:19|20)\d{2}年度?)?$")
_GOVERNMENT_AFTER = re.compile(r"人民政府|政府|市委|委|关于")

# --- places -----------------------------------------------------------------------------------


def _bare_level_department(text: str) -> str:
    """ "市市场监管局" → "市场监管局": a department after a bare level word ("the city's")."""
    found = _BARE_LEVEL.match(text)
    if found:
        department = places.department_pattern().match(text, found.end())
        if department:
            return department.group()
    return ""


@dataclass
class _Candidate:
    chain: list[PlaceName]
    department: str
    source: str

    @property
    def entity(self) -> str:
        return self.department or (self.chain[-1].name if self.chain else "")


_TITLE_PREFIX = re.compile(r"^(?:中共|中国共产党)?")
_OPENING = re.compile(
    r"^\s*(?:(?:19|20)\d{2}\s*年(?:度)?(?:以来|来)?[,，、]?\s*)?"
    r"(?:(?:在|经)[^。；;]{0,60}?(?:下|支持)[,，]\s*)*"
)
_REPORT_INTRO = re.compile(r"现将|现就|现把")
_SELF_LEVEL = re.compile(
    r"(?:我|全|本)(省|市|州|区|县|旗|镇|乡|街道)|我(局|厅|部)|"
    r"(?:现将|^\s*(?:19|20)\d{2}\s*年[,，]?\s*)(省|市|州|区|县|旗)(?:人民)?政府|"
    r"^\s*(?:19|20)\d{2}\s*年[,，]?\s*(省|市|州|区|县|旗)委[、和](?:省|市|州|区|县|旗)(?:人民)?政府|"
    # "…领导下，县政府坚持…": the government as the subject of the opening sentence
    r"[,，]\s*(省|市|州|区|县|旗)(?:人民)?政府(?=坚持|始终|深入|全面|认真|紧紧|紧扣|以|围绕|聚焦)"
)
_SOURCE_FIELD = re.compile(
    r"(?:信息来源|来源|发布机构|机构名称|发布单位)\s*[\]】|｜]?\s*[:：]?\s*[|｜]?\s*"
)
_SITE_NAME = re.compile(rf"([{CJK}]{{2,20}}?)(?:人民政府)?(?:门户)?(?:网站|政府网|门户)")


# a department the list of departments does not know, by the shape of a title: a place, a short
# name ending in an organ word, then the report year ("大兴区经信局2023年…", "沈阳市人防办关于…")
_UNLISTED_DEPARTMENT = re.compile(
    rf"([{CJK}]{{1,6}}?(?:局|办|委员会|委|厅|署))"
    r"(?=\s*(?:(?:19|20)\d{2}|二[〇○零][〇○零一二三四五六七八九]{2}|关于))"
)


def _chains_in(text: str, *, source: str) -> list[_Candidate]:
    chain, department, end = parse_place_chain(text)
    if chain and not department and source in ("title", "headline"):
        unlisted = _UNLISTED_DEPARTMENT.match(text, end)
        if unlisted and not _NOT_A_DEPARTMENT.search(unlisted.group(1)):
            department = unlisted.group(1)
    if chain or department:
        return [_Candidate(chain, department, source)]
    department = _bare_level_department(text)
    return [_Candidate([], department, source)] if department else []


# the place's own government or party bodies, never one of its departments
_NOT_A_DEPARTMENT = re.compile(
    r"人民政府|政府|公署|党委|党工委|办事处|管委会|^委|^区委|^县委|^市委"
)
_CLAUSE_BOUNDARY = re.compile(r"[,，。]")
_NEAR_SUFFIX = re.compile(r"[省市州盟区县旗镇乡道局厅部委]")


_FLAT_OPENING = re.compile(r"(?<=\s)(?:19|20)\d{2}\s*年度?\s*[,，]")


def _candidates(
    lines: list[str], prose: list[str], title: str, headline: str, page: Page
) -> list[_Candidate]:
    """Entity candidates in order of trust, from the report's non-empty lines and its prose."""
    found: list[_Candidate] = []
    # Title: after 中共/关于/a year, the title opens with the issuer.
    for text, source in ((title, "title"), (headline, "headline")):
        for part in _WHITE_RUN.split(text):
            part = _TITLE_PREFIX.sub("", part)
            part = _ABOUT.sub("", part)
            part = _YEAR_PREFIX.sub("", part)
            found += _chains_in(part, source=source)
    opening = prose[0] if prose else ""
    flattened = _FLAT_OPENING.search(opening, 1, 300)
    if flattened:
        # a flattened page: site chrome, then the opening "2024年，虹梯关乡在…" on the same line
        opening = opening[flattened.start() :]
    # Opening sentence: "2023年,四季青街道在…", "2022年,在区委…领导下,友谊路街道…"
    for sentence in _SENTENCE_END.split(opening)[:3]:
        match = _OPENING.match(sentence)
        found += _chains_in(sentence[match.end() :] if match else sentence, source="opening")
    # "现将周庄镇2023年度法治政府建设情况报告如下"
    for intro in _REPORT_INTRO.finditer(" ".join(prose[:3])):
        found += _chains_in(" ".join(prose[:3])[intro.end() :], source="intro")
    # After a clause boundary inside the opening: ",周庄镇严格按照…" (not inside 《》)
    outside_quotes = _QUOTED_TITLE.sub("", opening)
    for boundary in _CLAUSE_BOUNDARY.finditer(outside_quotes[:400]):
        # only clauses that have a place or department suffix close to their start
        if not _NEAR_SUFFIX.search(outside_quotes, boundary.end(), boundary.end() + 12):
            continue
        candidates = _chains_in(outside_quotes[boundary.end() :], source="clause")
        if candidates and candidates[0].chain and _RANK.get(candidates[0].chain[-1].level, 0) >= 2:
            found += candidates
    # Signature: a short line naming an organ among the last lines.
    for line in lines[-4:]:
        if len(line) <= 40 and not page.is_prose(line) and _ORGAN_END.search(line):
            found += _chains_in(_TITLE_PREFIX.sub("", line), source="signature")
    return found


# What may stand right before a place name: punctuation, a line start, a year ("2024年杨浦区"),
# or a short word that is never part of a name.
_BOUNDARY_CHARS = frozenset('《〈“"(（,，。、；;:：>|_ \t\n在由据和及与对向的')
_BOUNDARY_WORDS = frozenset(
    ("宣传", "落实", "贯彻", "根据", "按照", "围绕", "印发", "出台", "制定", "学习")
)
_MENTION_SPAN = 2500


@cache
def _suffix_search() -> re.Pattern[str]:
    suffixes = "|".join(re.escape(suffix) for suffix, _ in places.suffixes())
    return re.compile(f"(?:{suffixes}|州)")


def _is_boundary(text: str, position: int) -> bool:
    """Whether a place name may begin at ``text[position]``."""
    if position == 0 or text[position - 1] in _BOUNDARY_CHARS:
        return True
    if text[position - 2 : position] in _BOUNDARY_WORDS:
        return True
    year_end = position - 2 if text[position - 2 : position] == "年度" else position - 1
    return text[year_end : year_end + 1] == "年" and text[year_end - 1 : year_end].isdigit()


def _mention_weight(text: str, start: int, chain: list[PlaceName], after: str) -> int:
    """How sure a mention is a real name: a document title (《宝丰县…》), a chain, an organ."""
    weight = 1
    if _DOCUMENT_TITLE_START.search(text, max(0, start - 8), start) or len(chain) > 1:
        weight += 1
    if places.ORGAN_AFTER.match(after):
        weight += 1
    return weight


_Mention = tuple[list[PlaceName], str, int]


class _Mentions:
    """Place mentions of the texts of one page, worked out once per text (the report is asked
    about several times) and dropped with the page."""

    def __init__(self) -> None:
        self._found: dict[str, list[_Mention]] = {}

    def __call__(self, text: str) -> list[_Mention]:
        if text not in self._found:
            self._found[text] = _mentions(text)
        return self._found[text]


def _mentions(text: str) -> list[_Mention]:
    """Place chains mentioned at name boundaries anywhere in the text (《X…》, after 在/据/,).

    Works from the suffixes backwards: for each 省/市/区/镇… not already inside a chain, a name
    of two to four characters (one for 州) that starts at a boundary is parsed. Looking for the
    few suffixes is far cheaper than trying a name at every boundary. Names are capped at four
    characters, since a boundary word we do not know would otherwise glue itself to the name.
    """
    chains = []
    # Superior organs and the report's own name are printed early; scanning the first pages
    # keeps metadata fast on long reports.
    text = text[:_MENTION_SPAN]
    covered = 0
    for suffix in _suffix_search().finditer(text):
        if suffix.start() < covered:
            continue
        shortest = 1 if suffix.group() == "州" else 2
        for start in range(max(covered, suffix.start() - 4), suffix.start() - shortest + 1):
            if not _is_boundary(text, start):
                continue
            chain, _, end = parse_place_chain(text, start=start, max_name=4)
            if chain:
                after = text[end : end + 4]
                chains.append((chain, after, _mention_weight(text, start, chain, after)))
                covered = end
                break
    return chains


_RECIPIENT_LINE = re.compile(
    rf"^\s*[{CJK}]{{2,40}}(?:人民政府|委员会|党委|政府|办公室|领导小组)[:：]\s*$"
)


def _resolve_name(level: str, text: str, mentions: _Mentions) -> str:
    """A name for "我县/全省/本市" reports: the best-attested place of that level in the text,
    never the addressee of a recipient line ("通化市人民政府：" is the government above)."""
    addressees = {
        place.name
        for line in text.split("\n")[:12]
        if _RECIPIENT_LINE.match(line)
        for place in parse_place_chain(line)[0]
    }
    counts: Counter[str] = Counter()
    for chain, _, weight in mentions(text):
        for place in chain:
            if place.level == level and place.name not in addressees:
                counts[place.name] += weight
    if counts:
        return counts.most_common(1)[0][0]
    if level in ("省", "市"):
        for short, full in _provinces().items():
            full_level = "省" if full.endswith(("省", "自治区")) else "市"
            if full_level == level and short in text:
                return full
    return ""


_PLACE_END = frozenset("省市州盟区县旗镇乡道")


def _follows_a_place(entity: str, text: str) -> bool:
    """Whether ``entity`` is printed right after something ending like a place (上城区四季青街道);
    a cheap test that spares the mention scan for most reports."""
    position = text.find(entity, 1, _MENTION_SPAN)
    while position > 0:
        if text[position - 1] in _PLACE_END:
            return True
        position = text.find(entity, position + 1, _MENTION_SPAN)
    return False


def _find_parent(
    entity: str,
    level: str,
    candidates: list[_Candidate],
    page: Page,
    report: str,
    mentions: _Mentions,
) -> tuple[str, str]:
    allowed = _PARENT_LEVELS.get(level, ())
    # 1. the place printed before the entity in a trusted chain (title, signature, source)
    for candidate in candidates:
        if candidate.entity == entity:
            printed = [p for p in candidate.chain if p.name != entity]
            if printed and printed[-1].level in allowed:
                return printed[-1].name, candidate.source
    # 2. the entity printed after a place anywhere on the page ("上城区四季青街道", breadcrumbs):
    #    the report plus the page furniture around it, which is where breadcrumbs stand
    header, footer, _ = _header_footer(page)
    furniture = "\n".join([*header, *footer])
    preceded = [text for text in (furniture, report) if _follows_a_place(entity, text)]
    for chain, _, _ in [mention for text in preceded for mention in mentions(text)]:
        names = [p.name for p in chain]
        if entity in names:
            index = names.index(entity)
            if index > 0 and chain[index - 1].level in allowed:
                return chain[index - 1].name, "chain"
    for line in header:
        # 3. the site the page is published on: "海丰县人民政府门户网站"
        for site in _SITE_NAME.finditer(line):
            chain, _, _ = parse_place_chain(site.group(1))
            if (
                chain
                and chain[-1].name != entity
                and chain[-1].level in allowed
                and _RANK.get(chain[-1].level, 9) < _RANK.get(level, 9)
            ):
                return chain[-1].name, "site"
        # 4. a source/publisher field naming an organ above the entity
        for field_match in _SOURCE_FIELD.finditer(line):
            chain, _, _ = parse_place_chain(line, start=field_match.end())
            names = [p.name for p in chain]
            if entity in names and names.index(entity) > 0:
                return names[names.index(entity) - 1], "source"
            # the publisher is the government above: "来源 大通回族土族自治县人民政府"
            if (
                chain
                and entity not in names
                and chain[-1].level in allowed
                and _RANK.get(chain[-1].level, 9) < _RANK.get(level, 9)
            ):
                return chain[-1].name, "source"
    # 5. a higher organ the report names: "在廉江市委、市政府的领导下", 《宝丰县人民政府…》, addressee
    scores: Counter[str] = Counter()
    for chain, after, weight in mentions(report):
        place = chain[-1]
        if place.name == entity or place.level not in allowed:
            continue
        if level != "部门" and _RANK.get(place.level, 9) > _RANK.get(level, 9):
            continue
        # A town's 市 may be its county-level city or the prefecture above the county: only an
        # organ that leads the town ("在廉江市委、市政府的领导下") tells which.
        if _RANK.get(level, 0) == 3 and place.level == "市" and not places.ORGAN_AFTER.match(after):
            continue
        if level == "市" and place.level == "市" and not _GOVERNMENT_AFTER.match(after):
            continue
        scores[place.name] += weight
    # One weak mention ("…的典范城区") is not enough: empty beats a wrong parent.
    if scores and scores.most_common(1)[0][1] >= 2:
        return scores.most_common(1)[0][0], "mention"
    # 6. a province named by its short form: 考察浙江, 法治浙江, 对广东…重要讲话 (a city's parent),
    #    or a municipality (上海) for its districts and counties.
    if _RANK.get(level) not in (1, 2):
        return "", ""
    named = {m.group("a") or m.group("b") for m in _province_mentions().finditer(report)}
    for short, full in _provinces().items():
        is_municipality = full.endswith("市")
        if (
            (_RANK.get(level) == 1 and not is_municipality)
            or (_RANK.get(level) == 2 and is_municipality)
        ) and short in named:
            return full, "province"
    return "", ""


@cache
def _province_mentions() -> re.Pattern[str]:
    """考察浙江, 法治浙江, 对广东…, 浙江省, 上海市委: a province named by its short form."""
    shorts = "|".join(sorted(map(re.escape, _provinces()), key=len, reverse=True))
    return re.compile(
        rf"(?:考察|视察|法治|对)(?P<a>{shorts})|(?P<b>{shorts})(?:省|市委|市人民政府)"
    )


_ORGAN_FOLLOWS = re.compile("(?:人民政府|政府|办事处|街道办|党工委|党委|委员会|委|行政公署|公署)")
_SLOGAN_STEM = re.compile(r"[立强兴治富美建护惠安]$")
# a programme slogan: 生态立县, 工业强市, 依法治区 (a verb and a level, no name before the level)
_SLOGAN_PHRASE = re.compile(
    rf"[{CJK}]{{2}}(?:[立强兴富]|(?<!自)治)[省市州区县镇乡村]"
)  # not 自治县


def _is_named_body(entity: str, page: str, source: str) -> bool:
    """Whether a name the official list does not know is still the reporting body: the page
    prints it as a government (XX镇人民政府, XX街道办事处) and it is no slogan (文化立市)."""
    stem = entity[:-1] if len(entity) > 2 else entity
    if places.PLACEHOLDER.match(stem):
        return True  # an anonymised template (xx市): it tells the level; the name is dropped
    if _SLOGAN_STEM.search(stem):
        return False
    if source == "signature":
        return True
    position = page.find(entity)
    for _ in range(50):  # a name printed as a government is so printed early
        if position < 0:
            break
        if _ORGAN_FOLLOWS.match(page, position + len(entity)):
            return True
        position = page.find(entity, position + 1)
    return False


def _choose(
    candidates: list[_Candidate], gazetteer: Gazetteer, page: str
) -> tuple[_Candidate | None, str]:
    """The reporting body among the candidates, and the issuer printed before it in the title
    (XX市人民政府 XX乡2023年…), if any.

    A department counts as it is (its name comes from ``departments.txt``); a place counts
    if the official list knows it, or else if the page prints it as a government. Within the
    title, a more local place after a known one is the body and the first is its issuer.
    """
    usable = [c for c in candidates if c.entity]
    titled = [c for c in usable if c.source == "title" and c.chain and not c.department]
    for first, later in pairwise(titled):
        upper, lower = first.chain[-1], later.chain[-1]
        if (
            upper.level in _PARENT_LEVELS.get(lower.level, ())
            and (_RANK.get(upper.level) or 0) < (_RANK.get(lower.level) or 0)
            and gazetteer.knows(upper.name)
            and gazetteer.knows(lower.name)
            and len(later.chain) == 1
        ):
            return later, upper.name
    for candidate in usable:
        if candidate.department or gazetteer.knows(candidate.entity):
            return candidate, ""
        if candidate.entity.endswith("街") and gazetteer.knows(candidate.entity + "道"):
            return candidate, ""
    for candidate in usable:
        if _is_named_body(candidate.entity, page, candidate.source):
            return candidate, ""
    return None, ""


def _listed_parent(
    meta: Metadata, gazetteer: Gazetteer, page: str, chosen: _Candidate | None
) -> str | None:
    """The printed name of the division above the body, when the list knows the body by a
    name no other division has and no place is printed before it in its chain."""
    if meta.level == "部门" or (chosen is not None and len(chosen.chain) > 1):
        return None
    readings = gazetteer.readings(meta.entity, year=meta.report_year)
    if len(readings) != 1 or readings[0].kind != "official":
        return None
    return _printed_above(gazetteer, readings[0].division.code, page, year=meta.report_year) or None


def _printed_above(gazetteer: Gazetteer, code: str, page: str, *, year: int | None) -> str:
    """The name the page prints for the division above ``code`` in ``year``: the prefecture of
    that year for a county that moved since (公主岭市: 四平市 in 2019), else the list's."""
    then = gazetteer.superiors_in(code, year)
    upper = places.immediate_parent(gazetteer, code)
    if then and not (upper and then & set(gazetteer.evidence_forms(upper.code))):
        return max((name for name in then if name in page), key=len, default="")
    return places.printed_name(gazetteer, upper, page, year=year) if upper else ""


def _link_division(meta: Metadata, gazetteer: Gazetteer, page: str, *, above: list[str]) -> None:
    """Fill the division columns, check the parent against the list and fill it from the
    page where the list says which of the printed places is the one above."""
    if meta.level == "部门":
        if not meta.parent:
            return
        name, level = meta.parent, places.level_of(meta.parent)
        above = [place for place in above if place != meta.parent]
    else:
        name, level = meta.entity, meta.level
    found = places.resolve(
        gazetteer,
        name,
        level=level,
        year=meta.report_year,
        parent="" if meta.level == "部门" else meta.parent,
        # the page's head (title block, source lines, opening) and tail (signature) name the
        # places that tell homonyms apart; the middle of a long report adds cost, not evidence
        text=page if len(page) <= 6000 else page[:5000] + "\n" + page[-1000:],
        above=above,
    )
    if found.reason == "elsewhere":
        meta.problems.append(
            f"{name}: the page puts it in {'/'.join(above)}, where the official division list "
            "(民政部, 2025-12-31) has no division of this name; division_code is left empty"
        )
        return
    if not found.code:
        if meta.level == "部门" and found.reason != "ambiguous":
            return
        if found.reason == "ambiguous":
            codes = " ".join(found.candidates[:20])
            more = f" and {len(found.candidates) - 20} more" if len(found.candidates) > 20 else ""
            meta.problems.append(
                f"{name}: {len(found.candidates)} divisions of the official list go by this "
                f"name ({codes}{more}); the page does not say which, so division_code and "
                "parent are left empty"
                if meta.level != "部门"
                else f"{name}: {len(found.candidates)} divisions of the official list go by "
                f"this name ({codes}{more}); the page does not say which, so division_code "
                "is left empty"
            )
            if meta.level != "部门":
                meta.parent = ""
                meta.evidence.pop("parent", None)
        else:
            meta.problems.append(
                f"{name}: not in the official division list (民政部, 2025-12-31), nor a former "
                "name; kept because the page prints it as the reporting body"
            )
        return
    division = gazetteer.division(found.code)
    assert division is not None
    meta.division_code = division.code
    meta.official_name = division.name
    for key, value in gazetteer.containing(division.code).items():
        setattr(meta, key, value)
    if meta.level == "部门":
        return
    # the level of the name valid in the report year: 米林县 in 2022, 米林市 since 2023
    meta.level = (
        (places.level_of(name) or division.level) if found.kind == "former" else division.level
    )
    names_above = gazetteer.names_above(division.code)
    upper = places.immediate_parent(gazetteer, division.code)
    directly_above = set(gazetteer.evidence_forms(upper.code)) if upper else set()
    printed = _printed_above(gazetteer, division.code, page, year=meta.report_year)
    names_above = names_above | directly_above
    if meta.parent and (meta.parent not in names_above or meta.parent not in directly_above):
        # the list says the printed place is not above this one, or not directly (a town's
        # city is not its parent: its county is). A name the list does not know at all (a
        # district abolished since) cannot be contradicted: it stays unless the page also
        # prints the one above by the list, or it reads like a slogan (文化立市).
        unknown = not gazetteer.knows(meta.parent)
        if (
            printed
            or not unknown
            or _SLOGAN_STEM.search(meta.parent[:-1])
            or not _is_named_body(meta.parent, page, "")  # 清理市场 is no 清理市
        ):
            meta.parent = ""
            meta.evidence.pop("parent", None)
    if not meta.parent and printed:
        meta.parent = printed
        meta.evidence["parent"] = "gazetteer"


def infer_metadata(
    page: str | Page, report: str, *, gazetteer: Gazetteer | None = None
) -> Metadata:
    """Infer all metadata fields of one report.

    Parameters
    ----------
    page
        The normalised page (:class:`reportlib.clean.Page`, or the text of
        :func:`reportlib.clean.normalize_text`), chrome included.
    report
        The cleaned report text (:func:`reportlib.clean.clean_text`).
    gazetteer
        The official division list (default: :meth:`reportlib.places.Gazetteer.load`);
        load it once and pass it to every call.

    Examples
    --------
    >>> page = ("首页 > 政务公开\\n重庆市开州区铁桥镇人民政府关于2025年法治政府建设情况的报告\\n"
    ...         "[ 成文日期 ] 2026-01-20 [ 发布日期 ] 2026-01-27\\n"
    ...         "2025年,铁桥镇坚持以习近平法治思想为指导,扎实推进法治政府建设,现将有关情况报告如下:")
    >>> from reportlib.clean import strip_chrome
    >>> meta = infer_metadata(page, strip_chrome(page))
    >>> (meta.entity, meta.level, meta.parent, meta.report_year, meta.publish_date)
    ('铁桥镇', '镇', '开州区', 2025, '2026-01-27')
    >>> meta.division_code, meta.official_name, meta.province, meta.county
    ('500154107', '铁桥镇', '重庆市', '开州区')
    """
    gazetteer = gazetteer or Gazetteer.load()
    page = clean.as_page(page)
    mentions = _Mentions()
    meta = Metadata()
    meta.title, headline = find_title(page)
    meta.publish_date = find_publish_date(page)
    meta.signed_date = find_signed_date(report)
    lines = [line for line in report.split("\n") if line.strip()]
    # the opening prose lines are all that is asked of the prose: no need to judge the rest
    prose = list(islice((line for line in lines if page.is_prose(line)), 3))
    opening = prose[0] if prose else ""
    meta.report_year = find_report_year(
        meta.title or headline, opening, meta.publish_date or meta.signed_date, head=report
    )

    candidates = _candidates(lines, prose, meta.title, headline, page)
    chosen, issuer = _choose(candidates, gazetteer, page.text)
    if chosen is not None:
        meta.entity = chosen.entity
        meta.level = "部门" if chosen.department else chosen.chain[-1].level
        meta.evidence["entity"] = chosen.source
    else:
        self_level = _SELF_LEVEL.search(" ".join(prose[:2]) or report[:300])
        if self_level:
            word = next(group for group in self_level.groups() if group)
            level = {"局": "部门", "厅": "部门", "部": "部门"}.get(word, word)
            meta.level = level
            if level != "部门":
                meta.entity = _resolve_name(level, report, mentions)
            meta.evidence["entity"] = "self-reference"
    if places.PLACEHOLDER.match(
        meta.entity[: -len(meta.level)] if meta.level and meta.entity.endswith(meta.level) else ""
    ):
        meta.entity = ""  # an anonymised template: "xx市人民政府" tells the level, not the name
    if (
        meta.entity.endswith("街")
        and meta.level == "街道"
        and gazetteer.lookup(meta.entity + "道")
        and not places.resolve(gazetteer, meta.entity + "街道", level="街道", text=page.text).code
    ):
        # 解放街党工委 is the office of 解放街道; but 东街 is 东街街道, and so is 朝阳街 where
        # the page's district has a 朝阳街街道
        meta.entity += "道"
    if meta.entity and not meta.level:
        meta.level = places.level_of(meta.entity)
    if meta.entity:
        if issuer:
            meta.parent, source = issuer, "title"
        elif (printed := _listed_parent(meta, gazetteer, page.text, chosen)) is not None:
            # the list knows the body alone and the page prints the place above it: no need
            # to search the text for a parent (the costliest step of metadata)
            meta.parent, source = printed, "gazetteer"
        else:
            meta.parent, source = _find_parent(
                meta.entity, meta.level, candidates, page, report, mentions
            )
        if source:
            meta.evidence["parent"] = source
        # the places printed before the body in its own chain (a department's: all of them)
        chain = [p.name for p in chosen.chain] if chosen is not None else []
        above = chain if chosen is not None and chosen.department else chain[:-1]
        own = {meta.entity, chain[-1]} if chain else {meta.entity}
        above = [name for name in above if name not in own]  # 中共嘉兴市委 嘉兴市人民政府
        _link_division(meta, gazetteer, page.text, above=above)
    return meta
