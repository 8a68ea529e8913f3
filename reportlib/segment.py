"""Word segmentation: jieba's dictionary and behaviour, plus this genre's policy lexicon.

The backend is rjieba (Python bindings to jieba-rs): it ships jieba's own dictionary and, with
the HMM for unknown words turned off, cuts text exactly as jieba does — ``tests/test_segment.py``
compares the two on the built-in sample — at about 20 times jieba's speed. jieba itself is used
only if rjieba cannot be imported, with its start-up log and import warnings silenced so they
never reach a notebook or an HTML briefing.

Two plain-text files in ``reportlib/data`` shape the result, and users can extend both:

- ``policy_lexicon.txt``: terms of the field that must stay one token (习近平法治思想, 枫桥经验,
  谁执法谁普法, 行政机关负责人出庭应诉 …); an optional second column gives a jieba frequency;
- ``stopwords.txt``: function words and report filler (的, 进一步, 切实 …) that
  :func:`is_stopword` flags so keyword statistics can leave them out.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable
from functools import cache

from reportlib.patterns import data_lines

__all__ = [
    "backend_name",
    "is_stopword",
    "policy_lexicon",
    "segment",
    "stopwords",
]


@cache
def policy_lexicon() -> tuple[tuple[str, int | None], ...]:
    """The terms of ``data/policy_lexicon.txt`` with their optional jieba frequency.

    Examples
    --------
    >>> ("枫桥经验", None) in policy_lexicon()
    True
    """
    terms: list[tuple[str, int | None]] = []
    for line in data_lines("policy_lexicon.txt"):
        parts = line.split()
        frequency = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
        terms.append((parts[0], frequency))
    return tuple(terms)


@cache
def stopwords() -> frozenset[str]:
    """The words of ``data/stopwords.txt``.

    Examples
    --------
    >>> {"的", "进一步"} <= stopwords()
    True
    """
    return frozenset(data_lines("stopwords.txt"))


# Numbers, dates and single characters carry no keyword meaning on their own ("2023", "三", "镇");
# a stop-word list cannot enumerate them, so they are recognised by shape.
_NO_KEYWORD = re.compile(r"^(?:[\d.,%零〇一二两三四五六七八九十百千万亿第]+|.)$")


def is_stopword(token: str, *, extra: Iterable[str] = ()) -> bool:
    """Whether ``token`` is left out of keyword statistics: a stop word, a number, or a single
    character.

    Examples
    --------
    >>> [is_stopword(t) for t in ("进一步", "2023", "镇", "枫桥经验")]
    [True, True, True, False]
    """
    return token in stopwords() or bool(_NO_KEYWORD.match(token)) or token in set(extra)


# The frequency a lexicon term gets when its line names none. jieba's own rule for a new word
# (just enough to win when the term stands alone) loses in context: 行政执法 in 行政执法水平
# was cut 行政/执法. 2,000 occurrences in jieba's 60-million-word count makes a term win
# over the dictionary's ordinary words; terms already in the dictionary keep their count.
LEXICON_FREQUENCY = 2000


class _Segmenter:
    """One backend with the lexicon loaded; built once per process and per set of extra terms."""

    def __init__(self, extra_terms: tuple[str, ...]):
        terms = [*policy_lexicon(), *((term, None) for term in extra_terms)]
        try:
            import rjieba

            self.name = "rjieba"
            self._backend = rjieba.Jieba()
            for term, frequency in terms:
                if frequency is not None or not self._backend.has_word(term):
                    self._backend.add_word(term, frequency or LEXICON_FREQUENCY, None)
            self.cut = self._cut_rjieba
        except ImportError:  # no wheel for this platform: the same tokens, only slower
            self.name = "jieba"
            self._backend = _quiet_jieba()
            for term, frequency in terms:
                if frequency is not None or not self._backend.FREQ.get(term):
                    self._backend.add_word(term, frequency or LEXICON_FREQUENCY)
            self.cut = self._cut_jieba

    def _cut_rjieba(self, text: str) -> list[str]:
        return self._backend.cut(text, False)

    def _cut_jieba(self, text: str) -> list[str]:
        return list(self._backend.cut(text, HMM=False))


def _quiet_jieba():
    """A jieba Tokenizer whose import warnings and "Building prefix dict…" log are silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pkg_resources and invalid-escape warnings at import
        import jieba
    logging.getLogger("jieba").setLevel(logging.ERROR)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@cache
def _segmenter(extra_terms: tuple[str, ...] = ()) -> _Segmenter:
    return _Segmenter(extra_terms)


def backend_name() -> str:
    """``"rjieba"`` or, where rjieba is not installed, ``"jieba"``.

    Examples
    --------
    >>> backend_name() in ("rjieba", "jieba")
    True
    """
    return _segmenter().name


def segment(text: str, *, extra_terms: Iterable[str] = ()) -> list[str]:
    """Cut ``text`` into words, jieba's way with the HMM off, keeping lexicon terms whole.

    Every character of ``text`` is in exactly one token, so ``"".join(segment(text)) == text``.

    Parameters
    ----------
    text
        Any text.
    extra_terms
        Further terms to keep whole, on top of ``data/policy_lexicon.txt``.

    Examples
    --------
    >>> segment("坚持和发展新时代枫桥经验")
    ['坚持', '和', '发展', '新时代枫桥经验']
    """
    return _segmenter(tuple(sorted(set(extra_terms)))).cut(text)
