"""Reading one numeral: Arabic, Chinese, mixed (1.6万, 3千), percentages written out.

Only isolated numerals are converted (never whole sentences), so phrases such as 一网通办 or
进一步 are never touched. Chinese numerals go through cn2an, which reads them correctly when
given the numeral alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = [
    "ARABIC_NUMERAL",
    "ARABIC_NUMERAL_REST",
    "CHINESE_DIGITS",
    "CHINESE_NUMERAL",
    "CHINESE_NUMERAL_REST",
    "NUMERAL",
    "parse_digits",
    "parse_numeral",
    "scale_of_approximate",
]

CHINESE_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_ARABIC_GROUPS = r"(?:,\d{3})*(?:\.\d+)?"  # thousands and decimals after the first digits
_ARABIC = rf"\d+{_ARABIC_GROUPS}"
_ARABIC_MULTIPLIER = rf"(?:[万亿千百](?![{CHINESE_DIGITS}]))?"
_DECIMAL = "(?:点[零〇一二三四五六七八九]+)?"
# A numeral as it appears in a report: Arabic (with a Chinese multiplier) or Chinese.
ARABIC_NUMERAL = rf"{_ARABIC}{_ARABIC_MULTIPLIER}"
CHINESE_NUMERAL = rf"[{CHINESE_DIGITS}]+{_DECIMAL}"
# What follows a numeral's first character: a pattern that starts with that character as a
# plain set lets the regex engine skip ahead to it (a lookbehind first makes it try everywhere).
# Its digits are an atomic group: giving one back can never help, since what follows a number
# (a unit, 余, 至, %) never starts with a digit, comma or point, and backtracking through
# every digit of each date and file number was half the cost of finding counts.
ARABIC_NUMERAL_REST = rf"(?>\d*{_ARABIC_GROUPS}){_ARABIC_MULTIPLIER}"
CHINESE_NUMERAL_REST = rf"[{CHINESE_DIGITS}]*{_DECIMAL}"
NUMERAL = rf"(?:{ARABIC_NUMERAL}|{CHINESE_NUMERAL})"
_MULTIPLIER = {"百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
_ARABIC_WITH_MULTIPLIER = re.compile(rf"({_ARABIC})([万亿千百]?)")


@lru_cache(maxsize=4096)
def parse_numeral(numeral: str) -> float | None:
    """The value of one numeral, or None if it is not a number.

    Examples
    --------
    >>> [parse_numeral(n) for n in ("2,000", "1.6万", "3千", "三十二", "两万", "一千二百", "八十三点三")]
    [2000.0, 16000.0, 3000.0, 32.0, 20000.0, 1200.0, 83.3]
    >>> parse_numeral("两"), parse_numeral("十"), parse_numeral("万"), parse_numeral("一些")
    (2.0, 10.0, 10000.0, None)
    """
    arabic = _ARABIC_WITH_MULTIPLIER.fullmatch(numeral)
    if arabic:
        value = float(arabic.group(1).replace(",", ""))
        return value * _MULTIPLIER.get(arabic.group(2), 1)
    if not numeral or any(ch not in CHINESE_DIGITS + "点" for ch in numeral):
        return None
    if numeral in _MULTIPLIER:
        return float(_MULTIPLIER[numeral])  # a bare 万/千/百, as in 万余人, 千余份
    import cn2an  # imported on first use: Chinese numerals are the rarer case

    try:
        return float(cn2an.cn2an(numeral, "smart"))
    except (ValueError, KeyError):
        return None


_DIGIT_VALUES = {ch: i for i, ch in enumerate("〇一二三四五六七八九")} | {
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "O": 0,
}


def parse_digits(numeral: str) -> int | None:
    """A numeral read digit by digit, as years are written (二〇二一 → 2021), or by
    :func:`parse_numeral` when it has place words (三十一 → 31); None if it is neither.

    Examples
    --------
    >>> parse_digits("二〇二一"), parse_digits("二○二四"), parse_digits("十二"), parse_digits("三十一")
    (2021, 2024, 12, 31)
    >>> parse_digits("某年") is None
    True
    """
    if numeral and all(ch in _DIGIT_VALUES for ch in numeral):
        return int("".join(str(_DIGIT_VALUES[ch]) for ch in numeral))
    value = parse_numeral(numeral)
    return int(value) if value is not None and value == int(value) else None


def scale_of_approximate(numeral: str) -> float:
    """The step a 余/多 after ``numeral`` adds: 二十余 → 10, 2000余 → 1000, 1.6万余 → 1000.

    The high bound of "N余" is N plus one step of its last significant place.

    Examples
    --------
    >>> scale_of_approximate("二十"), scale_of_approximate("60"), scale_of_approximate("2000")
    (10.0, 10.0, 1000.0)
    >>> scale_of_approximate("两万"), scale_of_approximate("1.6万")
    (10000.0, 1000.0)
    """
    value = parse_numeral(numeral)
    if not value:
        return 1.0
    arabic = _ARABIC_WITH_MULTIPLIER.fullmatch(numeral)
    if arabic and "." in arabic.group(1):
        decimals = len(arabic.group(1).split(".")[1])
        return 10.0**-decimals * _MULTIPLIER.get(arabic.group(2), 1)
    if numeral[-1] in _MULTIPLIER:
        return float(_MULTIPLIER[numeral[-1]])
    step = 1.0
    while value % (step * 10) == 0:
        step *= 10
    return step
