"""Dates in report pages: reading one date, the page's publication date, the signature's date.

A page prints several dates: the portal's 发布日期 (when it was published), the 成文日期 of
the document, dates in the text, and the date under the signature. Each finder reads only
the zone of the :class:`reportlib.clean.Page` where its date stands.
"""

from __future__ import annotations

import re
from datetime import date

from reportlib.clean import Page, as_page, is_prose
from reportlib.numbers import parse_digits

__all__ = ["find_publish_date", "find_signed_date", "parse_date"]


_ISO_LIKE_DATE = re.compile(r"(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}")
_CN = "〇零○一二三四五六七八九十"
_DATE = re.compile(
    rf"(?P<y>(?:19|20)\d{{2}})\s*(?P<sep>[-/.年])\s*(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})(?!\d)"
    rf"|(?P<cy>[{_CN}]{{4}})年(?P<cm>[{_CN}]{{1,2}})月(?P<cd>[{_CN}]{{1,3}})日"
    rf"|(?<!\d)(?P<compact>(?:19|20)\d{{2}}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))(?!\d)"
)


def parse_date(text: str) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD``, or None.

    Reads 2024-03-01, 2024/3/1, 2024.03.01, 2024年3月1日, 二〇二四年三月一日 and 20240301.

    Examples
    --------
    >>> parse_date("时间:2024-03-01 信息来源:芮城县永乐镇人民政府")
    '2024-03-01'
    >>> parse_date("二〇二一年十二月三十一日")
    '2021-12-31'
    >>> parse_date("2021年12月31日")
    '2021-12-31'
    """
    for match in _DATE.finditer(text):
        if match.group("y"):
            if match.group("sep") == "年" and "月" not in match.group():
                continue
            year, month, day = int(match.group("y")), int(match.group("m")), int(match.group("d"))
        elif match.group("cy"):
            year = parse_digits(match.group("cy")) or 0
            month = parse_digits(match.group("cm")) or 0
            day = parse_digits(match.group("cd")) or 0
        else:
            compact = match.group("compact")
            year, month, day = int(compact[:4]), int(compact[4:6]), int(compact[6:])
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            continue
    return None


_PUBLISH_LABEL = re.compile(
    r"(?:发\s*布\s*(?:日\s*期|时\s*间)|更新时间|发表时间|上传时间|(?<![成文])时\s*间|(?<![成文发])日\s*期)"
    r"\s*[\]】|｜]?\s*[:：]?\s*[|｜]?\s*"
)
_NOT_PUBLISH_LABEL = re.compile(r"成\s*文\s*日\s*期|发\s*文\s*日\s*期|印发日期|生成日期")


def find_publish_date(page: str | Page) -> str | None:
    """The page's publication date from the page header (or footer), never 成文日期.

    Parameters
    ----------
    page
        The normalised page (:class:`reportlib.clean.Page`, or its text), chrome in place.

    Examples
    --------
    >>> find_publish_date("[ 成文日期 ] 2026-01-27 [ 发布日期 ] 2026-01-28\\n正文")
    '2026-01-28'
    >>> find_publish_date("控江路街道2022年度法治政府建设 工作情况报告 2023-02-09\\n正文")
    '2023-02-09'
    """
    page = as_page(page)
    header, footer, first_prose = page.header, page.footer, page.first_prose
    # 1. a labelled date (发布日期/发布时间/时间/日期/更新时间)
    for zone in (header, [first_prose[:200]], footer):
        for line in zone:
            for label in _PUBLISH_LABEL.finditer(line):
                before = line[max(0, label.start() - 3) : label.end()]
                if _NOT_PUBLISH_LABEL.search(before):
                    continue
                found = parse_date(line[label.end() : label.end() + 24])
                if found and _DATE.match(line[label.end() : label.end() + 24].lstrip(" |｜[]")):
                    return found
    # 2. an unlabelled ISO-style date in the header (under the title, after it, or in a bullet)
    for line in header:
        if _NOT_PUBLISH_LABEL.search(line):
            continue
        for match in _ISO_LIKE_DATE.finditer(line):
            found = parse_date(match.group())
            if found:
                return found
    # 3. a time stamp under the title ("敦煌发布 2025年02月14日 17:30"): a date with a time of
    #    day is when something was posted, never a signature's date
    for line in header:
        found = _STAMPED_DATE.search(line)
        if found:
            return parse_date(found.group(1))
    # 4. an information catalogue's 生成日期, when the page gives no other date: the day the
    #    entry was generated for the public, unlike a 成文日期 (the document's own date)
    for line in header:
        found = _GENERATED.search(line)
        if found:
            return parse_date(found.group(1))
    return None


_STAMPED_DATE = re.compile(r"((?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日)\s*\d{1,2}:\d{2}")
_GENERATED = re.compile(
    r"生成日期\s*[\]】|｜]?\s*[:：]?\s*((?:19|20)\d{2}[-/.年]\d{1,2}[-/.月]\d{1,2})"
)
_SIGNATURE_DATE = re.compile(
    rf"(?:\d{{4}}\s*年\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日|[{_CN}]{{4}}年[{_CN}]{{1,2}}月[{_CN}]{{1,3}}日)"
)


def find_signed_date(report: str) -> str | None:
    """The date under the closing signature: a line that is only a date, in the last lines.

    Examples
    --------
    >>> find_signed_date("……全面推进政务公开。\\n那吾镇人民政府\\n2025年12月9日")
    '2025-12-09'
    """
    tail = [line.strip() for line in report.strip().split("\n")[-6:] if line.strip()]
    for line in reversed(tail):
        if _SIGNATURE_DATE.fullmatch(line):
            return parse_date(line)
        if is_prose(line):
            break
    return None
