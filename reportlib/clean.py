"""Small ``str -> str`` normalisers, composed into the cleaning pipeline.

Two pipelines are exposed:

* :func:`normalize_text` — decoding artefacts only (line ends, character width, traditional →
  simplified script, watermarks, DOCX artefacts, white space). Nothing page-related is removed, so
  :mod:`reportlib.metadata` can still read dates, sources and breadcrumbs from it.
* :func:`clean_text` — :func:`normalize_text` followed by :func:`strip_chrome`, which removes web
  page furniture (navigation, breadcrumbs, metadata grids, share/print widgets, footers) from the
  page header and footer and chrome-only lines anywhere.

Cleaning never deletes report prose: a line that reads like a sentence is never dropped, and
inline removals are limited to watermark and spam patterns listed in ``data/watermarks.txt``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache

from reportlib.patterns import data_lines

__all__ = [
    "Page",
    "as_page",
    "clean_header_line",
    "clean_text",
    "is_metadata_line",
    "is_page_title",
    "is_prose",
    "is_traditional",
    "normalize_newlines",
    "normalize_text",
    "normalize_whitespace",
    "normalize_width",
    "remove_pinyin_glosses",
    "remove_spam",
    "remove_watermarks",
    "strip_chrome",
    "to_simplified",
]

CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_CHAR = re.compile(f"[{CJK}]")
_NOT_CJK_RUN = re.compile(f"[^{CJK}]+")
_CJK_RUN = re.compile(f"[{CJK}]+")


# --- character level -------------------------------------------------------------------------

_WIDTH_TABLE = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_WIDTH_TABLE.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_WIDTH_TABLE.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
# Odd spaces become a plain space; zero-width characters and soft hyphens disappear.
_WIDTH_TABLE.update({code: " " for code in (0x3000, 0x00A0, 0x2002, 0x2003, 0x2009, 0x202F)})
_WIDTH_TABLE.update({code: None for code in (0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD)})
_WIDTH_TABLE.update({ord("．"): ".", ord("％"): "%", ord("－"): "-"})


_WIDTH_CHARS = re.compile("[" + "".join(re.escape(chr(code)) for code in _WIDTH_TABLE) + "]+")


def normalize_newlines(text: str) -> str:
    r"""Turn ``\r\n``, ``\r`` and Unicode line separators into ``\n``.

    Examples
    --------
    >>> normalize_newlines("一\r\n二\r三")
    '一\n二\n三'
    """
    return (
        text.replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\u2028", "\n")
        .replace("\u2029", "\n")
    )


def normalize_width(text: str) -> str:
    """Full-width digits, Latin letters, ``．％－`` to ASCII; odd spaces to a space.

    Chinese punctuation (，。：；（）《》“”) is kept as written.

    Examples
    --------
    >>> normalize_width("发放宣传资料２０００余份，合格率１００％")
    '发放宣传资料2000余份，合格率100%'
    """
    # translate() walks every character in Python-level table lookups; the characters it
    # changes are rare, so find them with one regex scan and translate only when present.
    if _WIDTH_CHARS.search(text) is None:
        return text
    return _WIDTH_CHARS.sub(lambda match: match.group().translate(_WIDTH_TABLE), text)


# Pinyin glosses that some big5 gateway copies insert after a character: 領(lǐng)導.
_PINYIN_GLOSS = re.compile(
    r"(?<=["
    + CJK
    + r"])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,7}\)"
)


def remove_pinyin_glosses(text: str) -> str:
    """Remove pinyin readings in brackets inserted after characters: ``領(lǐng)導`` → ``領導``.

    Only glosses with a tone mark are removed, so ``(PM)`` or ``(app)`` stay.

    Examples
    --------
    >>> remove_pinyin_glosses("規(guī)范化")
    '規范化'
    """
    return _PINYIN_GLOSS.sub("", text)


@cache
def _t2s():
    import opencc  # imported lazily: only pages in traditional script need it

    return opencc.OpenCC("t2s")


# Frequent characters that exist only in traditional script (their simplified forms differ).
_TRADITIONAL_HINT = re.compile(
    "[國會們這個為與發說於時經過對還來學實現當關機區長動進體門問間樣認議設執證務規劃員據黨條處種應"
    "總點類統論權縣鄉鎮開資產業層導領堅決貫徹習記書環歷義極辦標準組織際創網絡質]"
)


def is_traditional(text: str, *, sample_chars: int = 600, threshold: float = 0.03) -> bool:
    """Whether a text is written in traditional characters.

    Converts a sample with OpenCC and counts the characters that change; simplified text changes
    almost nowhere (a handful of variant characters), traditional text in 10–30 % of characters.

    Examples
    --------
    >>> is_traditional("在黨中央、國務院及省委的堅強領導下")
    True
    >>> is_traditional("在党中央、国务院及省委的坚强领导下")
    False
    """
    if len(_TRADITIONAL_HINT.findall(text, 0, sample_chars * 3)) < 2:
        return False  # cheap pre-check; OpenCC only confirms pages that look traditional
    sample = _NOT_CJK_RUN.sub("", text[: sample_chars * 3])[:sample_chars]

    converted = _t2s().convert(sample)
    if converted == sample:  # the common case, decided without a Python-level loop
        return False
    changed = sum(a != b for a, b in zip(sample, converted, strict=False))
    return changed / len(sample) >= threshold


def to_simplified(text: str) -> str:
    """Convert a text in traditional characters to simplified ones (OpenCC ``t2s``).

    Simplified text is returned unchanged: converting it would only risk rewriting variants.

    Examples
    --------
    >>> to_simplified("全省各級行政機關堅持依法行政")
    '全省各级行政机关坚持依法行政'
    """
    if not is_traditional(text):
        return text
    return _t2s().convert(remove_pinyin_glosses(text))


@cache
def _watermark_pattern() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in data_lines("watermarks.txt")))


@cache
def _spam_pattern() -> re.Pattern[str]:
    rows = [line.split(",") for line in data_lines("spam.csv")[1:]]
    kinds = "|".join(re.escape(kind) for kind, _ in rows if kind)
    outlets = "|".join(re.escape(outlet) for _, outlet in rows if outlet)
    # Starts with literals, so the regex engine skips quickly to candidate places; the brand
    # (two characters before the match) is removed in remove_spam.
    return re.compile(f"(?:{kinds})(?:{outlets})(?:入口)?")


def remove_spam(text: str) -> str:
    """Remove injected betting spam "<brand><kind><outlet>" listed in ``data/spam.csv``.

    Examples
    --------
    >>> remove_spam("深入贯彻《中共中央三升体育平台全面推进依法治国若干重大问题的决定》")
    '深入贯彻《中共中央全面推进依法治国若干重大问题的决定》'
    """
    pieces, position = [], 0
    for match in _spam_pattern().finditer(text):
        brand_start = match.start() - 2
        if (
            brand_start < position
            or not _CJK_CHAR.fullmatch(text[brand_start])
            or not (_CJK_CHAR.fullmatch(text[brand_start + 1]))
        ):
            continue
        pieces.append(text[position:brand_start])
        position = match.end()
    if not pieces:
        return text
    pieces.append(text[position:])
    return "".join(pieces)


# A short label glued to a web address, repeated through a page: "XX网 www.example.com".
_URL_WATERMARK = re.compile(
    r"[^\s。，,；;：:“”\"'（）()]{0,20}(?:https?://)?www\.[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+[/A-Za-z0-9_\-.]*"
)


def remove_watermarks(text: str) -> str:
    """Remove site watermarks, injected spam (:func:`remove_spam`) and DOCX artefacts.

    Patterns come from ``data/watermarks.txt``; in addition any web address that occurs two or
    more times in the text is removed with the short label glued to it, because a report quotes
    a web address at most once while a watermark repeats.

    Examples
    --------
    >>> remove_watermarks("严格执法。秘书之家—全网资源每日更新www.mishuzj.com公正司法。")
    '严格执法。公正司法。'
    >>> remove_watermarks("落实制度[bookmark: _GoBack]。")
    '落实制度。'
    """
    text = remove_spam(_watermark_pattern().sub("", text))
    if "www." not in text:  # the common case: no web address, nothing more to look for
        return text
    seen: dict[str, int] = {}
    for match in _URL_WATERMARK.finditer(text):
        seen[match.group()] = seen.get(match.group(), 0) + 1
    for found, count in seen.items():
        if count >= 2:
            text = text.replace(found, "")
    return text


_SPACE_RUN = re.compile(r"  +")
_CJK_OR_PUNCT = f"[{CJK}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20“”‘’]"
# Starts with the literal space so the regex engine jumps from space to space; the lookbehind
# then checks the character before it.
_SPACE_BETWEEN_CJK = re.compile(f" (?<={_CJK_OR_PUNCT} )(?={_CJK_OR_PUNCT})")
_BLANK_LINES = re.compile(r"\n{3,}")
_SPACE_AROUND_NEWLINE = re.compile(r" \n ?|\n ")


def normalize_whitespace(text: str) -> str:
    """Trim lines, collapse runs of spaces, drop spaces between Chinese characters, keep paragraphs.

    Examples
    --------
    >>> normalize_whitespace("  二十届 一中全会   精神 \\n\\n\\n\\n下一段")
    '二十届一中全会精神\\n\\n下一段'
    """
    # Whole-text passes, each skipped when a cheap substring test shows nothing to do.
    text = text.replace("\t", " ").replace("\f", " ").replace("\v", " ")
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    if " \n" in text or "\n " in text:
        text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _SPACE_BETWEEN_CJK.sub("", text)
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip(" \n")


# --- the page around the report ---------------------------------------------------------------

_SENTENCE_MARK = re.compile(r"[，,。；;！!？?]")
# Headlines end in "?" or "!"; prose is recognised by its clause punctuation.
_CLAUSE_MARK = re.compile(r"[，,。；;]")
_ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
_TITLE_LIKE_END = re.compile(r"(?:报告|总结|情况)\s*$")


def is_prose(line: str) -> bool:
    """Whether a line reads like report prose rather than a heading or page furniture.

    Examples
    --------
    >>> is_prose("2023年,四季青街道在区委区政府的坚强领导下,坚持以习近平新时代中国特色社会主义思想为指导。")
    True
    >>> is_prose("首页 > 政务公开 > 法治政府建设")
    False
    """
    if len(line) < 16:
        return False
    n_cjk = _count_cjk(line, enough=40)
    has_clause = _CLAUSE_MARK.search(line) is not None
    if n_cjk >= 40 and not has_clause and (is_page_title(line) or _TITLE_LIKE_END.search(line)):
        # a long browser <title> ("…情况的报告_法治政府建设_某州人民政府网") or a long title
        # ("中共XX布依族苗族自治县委 XX布依族苗族自治县人民政府关于…情况的报告")
        return False
    return n_cjk >= 40 or (n_cjk >= 16 and has_clause)


def _count_cjk(line: str, *, enough: int) -> int:
    """Chinese characters in ``line``, counting runs and stopping once ``enough`` are seen."""
    count = 0
    for run in _CJK_RUN.finditer(line):
        count += run.end() - run.start()
        if count >= enough:
            break
    return count


_SEPARATORS = re.compile(r"[\s|｜/•·●▪◆■□>＞»›→【】\[\]]+")
_COUNTER = re.compile(r"\d+次?|[:：]")


@cache
def _chrome_words() -> frozenset[str]:
    return frozenset(data_lines("chrome_words.txt"))


def _is_chrome_words_line(line: str) -> bool:
    """A line made only of chrome words ("打印本页】 【关闭窗口", "• 登录 | 注册")."""
    if "。" in line:  # no chrome word holds a full stop: prose is ruled out without splitting
        return False
    tokens = [t.strip(":：") for t in _SEPARATORS.split(line)]
    tokens = [t for t in tokens if t]
    words = _chrome_words()
    return (bool(tokens) and all(t in words or _COUNTER.fullmatch(t) for t in tokens)) or not tokens


_BREADCRUMB_START = re.compile(
    r"^\s*(?:您?(?:当前|现在)?(?:所在)?的?位置|当前位置|所在位置)\s*[:：]?"
)
_BREADCRUMB_ARROWS = re.compile(r"[>＞»›→▸▶▷►〉⇒⇨➤≫∥]")
# "首页 · 政务公开 · 年度报告", "首页/信息公开/…": a home link, then any separator between segments
_HOME_CRUMB = re.compile(r"^\s*(?:网站首页|首页|主页)\s*(?P<separator>[^\w\s（(【\[])")


def _is_breadcrumb(line: str) -> bool:
    if _BREADCRUMB_START.match(line):
        return True
    # "首页 > 政务公开 > …": several arrows between short segments, no sentence
    home = _HOME_CRUMB.match(line)
    if home:
        segments = line.split(home.group("separator"))
    elif _BREADCRUMB_ARROWS.search(line):
        segments = _BREADCRUMB_ARROWS.split(line)
    else:
        return False
    return (
        len(segments) >= 3
        and all(len(segment.strip()) <= 30 for segment in segments)
        and not _SENTENCE_MARK.search(line.replace(",", ""))
    )


@cache
def _metadata_label_pattern() -> re.Pattern[str]:
    labels = sorted(data_lines("metadata_labels.txt"), key=len, reverse=True)
    # Labels are sometimes spaced out to align a grid: "索 引 号".
    spaced = ["\\s*".join(map(re.escape, label)) for label in labels]
    alternatives = "|".join(spaced)
    return re.compile(
        rf"(?:^|(?<=[\s|｜•·\]】]))[\[【]?\s*(?:{alternatives})\s*(?:[\]】]\s*[:：]?|[:：])"
    )


def is_metadata_line(line: str) -> bool:
    """Whether a line is a field of the page's metadata grid: "时间:2024-03-01 信息来源:…
    浏览次数:", "[ 索引号 ] … [ 发文字号 ]", "• 主题分类: 政务公开".

    Examples
    --------
    >>> is_metadata_line("索引号：11520000/2024-00123　发布机构：县司法局"), is_metadata_line("开展普法活动35场。")
    (True, False)
    """
    if "。" in line or len(line) > 200:
        return False
    labels = _metadata_label_pattern().findall(line)
    if not labels:
        return False
    stripped = line.lstrip(" •·●▪[【|｜")
    starts_with_label = _metadata_label_pattern().match(stripped) is not None
    return starts_with_label or len(labels) >= 2


_BARE_DATE = re.compile(
    r"^[\s•·]*(?:日期[:：]\s*)?\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$"
)
_FOOTER_MARKS = re.compile(
    r"版权所有|ICP备|ICP证|公网安备|网站标识码|主办单位|承办单位|技术支持|联系我们|网站地图|"
    r"建议使用.{0,20}浏览器|分辨率|Copyright|©"
)
_ORGAN_END = re.compile(r"(?:人民政府|委员会|办事处|党委|党工委|政府|党组)$")
_TITLE_WORDS = re.compile(r"报告|总结|情况|工作|法治")
_SITE_SUFFIX = re.compile(
    r"\s*(?:[_|｜]\s*[^_|｜]*?){0,3}[_|｜-]\s*[^_|｜]*(?:网站|门户|政府网|网)\s*$"
)
_TRAILING_DATE = re.compile(r"\s+\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*$")


def _is_furniture(line: str) -> bool:
    """Chrome that can stand anywhere on a page: chrome-word lines and breadcrumbs."""
    return _is_chrome_words_line(line) or _is_breadcrumb(line)


def clean_header_line(line: str, *, furniture: bool | None = None) -> str | None:
    """A page-header line as kept in the report (site suffix and time stamp trimmed), or None
    when the line is page chrome (menus, breadcrumbs, metadata grid, bare dates).
    ``furniture`` is whether the line is chrome words or a breadcrumb, if already known."""
    if furniture is None:
        furniture = _is_furniture(line)
    if furniture or is_metadata_line(line) or _BARE_DATE.match(line):
        return None
    if _FOOTER_MARKS.search(line):
        return None
    if line.lstrip().startswith(("•", "·", "●", "▪")):
        # Bulleted header values (index numbers, categories, dates) are a metadata list; keep
        # only a bullet that is part of the title block ("• 永乐镇人民政府").
        body = line.lstrip(" •·●▪")
        if not (_ORGAN_END.search(body) or _TITLE_WORDS.search(body)):
            return None
        line = body
    line = _SITE_SUFFIX.sub("", line) if ("_" in line or "｜" in line) else line
    return _TRAILING_DATE.sub("", line)


def _clean_footer_line(line: str, *, furniture: bool) -> str | None:
    if furniture or is_metadata_line(line) or _FOOTER_MARKS.search(line):
        return None
    if _BARE_DATE.match(line) and "-" in line:
        return None  # a portal time stamp; signature dates are written 2021年12月31日
    return line


def _compact(line: str) -> str:
    return re.sub(r"\s+", "", line)


def _drop_repeated_title_lines(lines: list[str]) -> list[str]:
    """In the header, drop a line that the following lines repeat (page title, then title)."""
    kept: list[str] = []
    compact = [_compact(line) for line in lines]
    for i, line in enumerate(lines):
        later = [c for c in compact[i + 1 :] if c]
        joined = [
            "".join(later[j:k])
            for j in range(len(later))
            for k in range(j + 1, min(j + 4, len(later) + 1))
        ]
        if compact[i] and compact[i] in joined:
            continue
        kept.append(line)
    return kept


@dataclass(frozen=True)
class Page:
    """A normalised page, split once: its lines, where the report's prose begins and ends,
    and which lines are page furniture.

    Lines before the first prose line are the page header (title block, metadata grid,
    breadcrumbs), lines after the last one the footer (signature, copyright). Cleaning and
    metadata are functions of this one value, so no stage splits the page again.

    Examples
    --------
    >>> page = Page.parse("首页 > 政务公开 > 法治政府建设\\n2023年,镇党委坚持依法行政,严格规范公正文明执法,推进法治政府建设。")
    >>> page.first, page.last, page.header
    (1, 1, ('首页 > 政务公开 > 法治政府建设',))
    """

    text: str
    lines: tuple[str, ...]
    first: int | None
    last: int | None
    furniture: tuple[bool, ...]
    # what is known of each distinct line: cleaning and metadata ask about the same lines
    _prose: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)
    _furniture: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def parse(cls, text: str) -> Page:
        """Split normalised text (:func:`normalize_text`) into a page."""
        lines = tuple(text.split("\n"))
        known_furniture = {line: _is_furniture(line) for line in set(lines)}
        furniture = tuple(known_furniture[line] for line in lines)
        known_prose: dict[str, bool] = {}

        def opens(i: int) -> bool:
            # Breadcrumbs and metadata grids can be long enough to pass for prose; they never are.
            line = lines[i]
            if furniture[i]:
                return False
            prose = known_prose.get(line)
            if prose is None:
                prose = known_prose[line] = is_prose(line)
            return prose and not is_metadata_line(line)

        # Only the ends are looked for: the lines between them are the body whatever they are.
        first = next((i for i in range(len(lines)) if opens(i)), None)
        while first is not None and _is_headline(lines, first, opens):
            first = next((i for i in range(first + 1, len(lines)) if opens(i)), None)
        last = (
            next(i for i in range(len(lines) - 1, first - 1, -1) if opens(i))
            if first is not None
            else None
        )
        return cls(text, lines, first, last, furniture, known_prose, known_furniture)

    def is_prose(self, line: str) -> bool:
        """:func:`is_prose`, answered once per distinct line of this page."""
        known = self._prose.get(line)
        if known is None:
            known = self._prose[line] = is_prose(line)
        return known

    def is_furniture(self, line: str) -> bool:
        """Whether a line is chrome that can stand anywhere (chrome words, a breadcrumb)."""
        known = self._furniture.get(line)
        if known is None:
            known = self._furniture[line] = _is_furniture(line)
        return known

    @property
    def has_prose(self) -> bool:
        return self.first is not None

    @property
    def header(self) -> tuple[str, ...]:
        """The lines above the report's prose (the first 40 lines of a page without prose)."""
        return self.lines[: self.first] if self.first is not None else self.lines[:40]

    @property
    def footer(self) -> tuple[str, ...]:
        """The lines below the report's prose."""
        return self.lines[self.last + 1 :] if self.last is not None else ()

    @property
    def first_prose(self) -> str:
        """The first prose line (the opening), or ''."""
        return self.lines[self.first] if self.first is not None else ""


_REPORT_TITLE_END = re.compile(r"(?:报告|总结|情况)\s*$")


def _is_headline(lines: tuple[str, ...], at: int, opens: Callable[[int], bool]) -> bool:
    """A short line that reads like prose ("蒙自这一年，法治政府建设交出“成绩单”") above the
    report's own title is a repost's headline, not the report's opening."""
    if len(lines[at].strip()) >= 40:
        return False
    for line in lines[at + 1 : at + 13]:
        stripped = line.strip()
        if stripped and len(stripped) <= 60 and _REPORT_TITLE_END.search(stripped):
            return not is_prose(stripped)
    return False


def as_page(text: str | Page) -> Page:
    """``text`` as a :class:`Page` (normalised text is split; a page is returned as it is)."""
    return text if isinstance(text, Page) else Page.parse(text)


def is_page_title(line: str) -> bool:
    """A browser <title> such as "…报告_街镇园区文件_上海市宝山区人民政府门户网站"."""
    return ("_" in line or "｜" in line) and _SITE_SUFFIX.search(line) is not None


def strip_chrome(text: str | Page) -> str:
    """Remove web-page chrome around and inside a report.

    The page header (lines before the first prose line) loses navigation, breadcrumbs, metadata
    grids, bare time stamps, share/print widgets and a repeated page title; the footer (lines
    after the last prose line) loses the same plus copyright and contact lines, but keeps the
    signature and its date. Inside the report only lines made entirely of chrome words go.

    Examples
    --------
    >>> page = "首页 > 政务公开 > 法治政府建设\\n永乐镇2023年度法治政府建设工作报告\\n" \\
    ...        "时间:2024-03-01 信息来源:芮城县永乐镇人民政府 浏览次数:\\n" \\
    ...        "2023年永乐镇在县委、县政府的正确领导下,严格履行职能,推动政府各项工作全面纳入法治轨道。\\n" \\
    ...        "打印本页】 【关闭窗口"
    >>> print(strip_chrome(page))
    永乐镇2023年度法治政府建设工作报告
    <BLANKLINE>
    2023年永乐镇在县委、县政府的正确领导下,严格履行职能,推动政府各项工作全面纳入法治轨道。
    """
    page = as_page(text)
    lines, first, last = page.lines, page.first, page.last
    flags = page.furniture
    if first is None or last is None:
        kept = [clean_header_line(line, furniture=f) for line, f in zip(lines, flags, strict=True)]
        return normalize_whitespace("\n".join(line for line in kept if line is not None))
    header = [
        c
        for line, f in zip(lines[:first], flags[:first], strict=True)
        if (c := clean_header_line(line, furniture=f)) is not None
    ]
    header = _drop_repeated_title_lines([line for line in header if line.strip()])
    body = [
        line
        for line, furniture in zip(
            lines[first : last + 1], page.furniture[first : last + 1], strict=True
        )
        if not line.strip()
        or not (furniture or (is_metadata_line(line) and _ISO_DATE.search(line) is not None))
    ]
    footer = [
        c
        for line, f in zip(lines[last + 1 :], flags[last + 1 :], strict=True)
        if (c := _clean_footer_line(line, furniture=f)) is not None
    ]
    return normalize_whitespace("\n".join([*header, "", *body, *footer]))


# --- pipelines ---------------------------------------------------------------------------------


def _compose(*steps: Callable[[str], str]) -> Callable[[str], str]:
    def pipeline(text: str) -> str:
        for step in steps:
            text = step(text)
        return text

    return pipeline


NORMALIZERS: tuple[Callable[[str], str], ...] = (
    normalize_newlines,
    normalize_width,
    to_simplified,
    remove_watermarks,
    normalize_whitespace,
)

normalize_text = _compose(*NORMALIZERS)
normalize_text.__doc__ = """Decoding-level normalisation (no page chrome removed); see module docs.

Examples
--------
>>> normalize_text("發放宣傳資料２０００余份\\r\\n")
'发放宣传资料2000余份'
"""


def clean_text(text: str, *, steps: Iterable[Callable[[str], str]] = NORMALIZERS) -> str:
    """Full cleaning: the normalisers, then :func:`strip_chrome`.

    Parameters
    ----------
    text
        Raw text as read from a file.
    steps
        The ``str -> str`` normalisers to apply before chrome stripping; pass your own tuple to
        add or drop a step.

    Examples
    --------
    >>> clean_text("• 无障碍浏览 |\\n2023年,下洋镇坚持以习近平新时代中国特色社会主义思想为指导,深入贯彻党的二十大精神。")
    '2023年,下洋镇坚持以习近平新时代中国特色社会主义思想为指导,深入贯彻党的二十大精神。'
    """
    return strip_chrome(_compose(*steps)(text))
