"""Reuse: passages a report shares with other reports, with its own earlier years, or with
itself.

How passages are found:

1. **Normalise** each text so that recycled passages look alike: white space is dropped, runs of
   digits become ``#`` (new numbers in old text) and the report's own entity and parent names
   (and their stems: 永乐镇 → 永乐) become ``@`` (a neighbour's report with the name swapped).
   An index keeps every normalised character's offset in ``documents.text``.
2. **Cut** the normalised text into sentences (at 。！？； and line ends).
3. **Candidates**: each sentence's character 3-gram shingles go into a MinHash
   (on arrays, with datasketch's choice of bands), and MinHash LSH returns the sentences of
   other reports that are probably alike, without comparing every pair of reports.
4. **Evidence**: each candidate pair is checked exactly (identical after normalising, or a
   Indel similarity, ``2 · LCS / total length``, of at least ``min_similarity``), and runs of consecutive matching
   sentences become one passage with exact offsets in both texts.

A sentence found in more than ``max_documents`` reports is a formula of the genre
(以习近平新时代中国特色社会主义思想为指导…), not a copy between two reports: it is counted, never
paired. Every passage records how many reports share it, so ratios can leave out passages
that more than ``max_share`` of the corpus repeats.

Repetition costs a chain, not a square, so the work and memory for one report grow about
linearly with its length whatever it repeats (one page ten thousand times, one sentence,
lines without any sentence mark):

- A sentence found ``k`` times in one report is paired with its previous occurrence only
  (``k - 1`` pairs each way, not ``k²``), and so are two sentences alike where one follows
  the other. Found ``k`` times in one report and ``m`` times in another, its ``i``-th
  occurrence in either is paired with the ``i``-th (cyclically) in the other: ``max(k, m)``
  pairs, every occurrence keeps a partner, and copies of a page repeated in both stay
  aligned. Up to ``ALL_PAIRS_UP_TO`` combinations are still all paired, as before, so
  ordinary reports (a paragraph repeated two or three times) give the same passages.
- A gap of at most ``MAX_GAP_SENTENCES`` between two pairs that follow each other in both
  texts is bridged where its sentences match: a paragraph that a repeated page repeats itself
  is chained to its other place, and would otherwise break every copy's passage.
- A run that overlaps itself (copies 2…n of a page against copies 1…n-1) is cut into copies of
  its period (several, if one is shorter than ``min_chars``), each against the copy before it.
- Within one MinHash LSH bucket a report's first ``MAX_BUCKET_KEYS`` distinct sentences are
  compared with every other sentence of the bucket, its further near-identical ones (a page
  number in words, OCR noise) only with the bucket's first and its own previous one there,
  and only in the first bucket where they are such.
- A sentence longer than ``MAX_UNIT_CHARS`` is cut where its own text says (so a repeated
  line is cut the same way in every copy), and a passage grows over at most
  ``MAX_EXTEND_CHARS`` identical characters at each edge.

Sharing costs array operations, not Python steps, for each sentence pair: a corpus of many
reports copying one template (every sentence in dozens of reports) makes millions of pairs for
tens of thousands of passages. A sentence found at most a few times in any report, its family
too (``k * m`` at most ``ALL_PAIRS_UP_TO``: nearly all of them), is paired all with all on
arrays; between two reports where no sentence was paired rank by rank, bridging and cutting
change nothing, so runs are found and grown on arrays too. Only pairs of places within one
report, and of reports that repeat a page many times, go through them one by one.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rapidfuzz.distance.Indel import normalized_similarity as _indel

from reportlib.places import name_stems
from reportlib.sections import classify_heading
from reportlib.selection import previous_doc_ids

__all__ = [
    "REUSE_COLUMNS",
    "SUMMARY_COLUMNS",
    "find_reuse",
    "is_formula",
    "is_outline_heading",
    "normalize_for_reuse",
    "reuse_summary",
    "sentence_key",
    "sentence_keys",
    "sentence_keys_of",
]

REUSE_COLUMNS = [
    "doc_id",
    "other_doc_id",
    "start",
    "end",
    "other_start",
    "other_end",
    "n_chars",
    "text",
    "relation",
    "n_documents",
    "similarity",
]
SUMMARY_COLUMNS = [
    "doc_id",
    "n_chars",
    "boilerplate_ratio",
    "formula_ratio",
    "internal_ratio",
    "previous_doc_id",
    "previous_ratio",
    "n_sources",
    "top_sources",
]

SHINGLE = 3
NUM_PERM = 64

# Caps: each bounds the work one report can cause, far above what real reports need.
#
# The longest sentence of the built-in sample is 283 normalised characters. A similarity
# costs up to the square of a sentence's length, so a 1 MB line without sentence marks would
# be one sentence compared in quadratic time: longer sentences are cut.
MAX_UNIT_CHARS = 1000
# Where a too-long sentence is cut: after any two characters whose hash is divisible by this,
# about every CUT_EVERY characters. A cut decided by the text, not by a count from the
# sentence's start, falls at the same place in every copy of a repeated line, so the copies
# give identical pieces (a fixed length would give every copy its own phase and its own,
# merely similar, pieces); a stretch with no such point is cut every MAX_UNIT_CHARS.
CUT_EVERY = 100
# _extend takes in the short sentences at a passage's edge (under ``min_unit_chars``, never
# compared on their own: "二是巩固创建成果。") and the unchanged head or tail of an edited one;
# on the sample it never grows a passage by more than 9 characters. Unbounded, it would walk
# across a whole page repeated without line breaks from every passage.
MAX_EXTEND_CHARS = 100
# A sentence's occurrences in two places (k in one, m in the other) are paired all with all
# while k * m is at most this, as ordinary reports need (a paragraph repeated up to four times
# within a report: 12 ordered pairs); beyond it, in a chain (within a report) or cyclically
# (between two reports): linear, not quadratic, in its occurrences.
ALL_PAIRS_UP_TO = 16
# A report's distinct sentences in one LSH bucket (sentences sharing 4 MinHash values) that
# are compared with all others there; its further ones only with the bucket's first and with
# its own previous one. The sample has at most 3 of a report in one bucket; a report made of
# OCR-noisy copies of one page has as many as copies, each a similarity to compute per pair.
MAX_BUCKET_KEYS = 8
# A chained sentence's previous occurrence is sought among itself and this many sentences most
# like it (one repeated with OCR noise can have as many variants as copies).
MAX_CHAIN_KEYS = 8
# Longest gap (in sentences) bridged between two pairs that follow each other in both texts:
# a passage that a repeated page itself repeats (seed 004 repeats a 248-character sentence) is
# chained to its other place and leaves such a gap in every copy's run; 64 sentences is a
# long section. Bridging costs at most this many checks for each pair, so the work stays
# linear.
MAX_GAP_SENTENCES = 64

_Pair = tuple[int, int, float, int]  # mine, theirs (sentence numbers), ratio, n_documents


def sentence_key(sentence: str) -> int:
    """A normalised sentence's key: 64 bits of BLAKE2b, the same in every process and run
    (Python's ``hash`` is not), as a signed integer for Parquet and DuckDB.

    >>> sentence_key("全面推行行政执法公示制度。") == sentence_key("全面推行行政执法公示制度。")
    True
    """
    digest = hashlib.blake2b(sentence.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


# a sentence this long (normalised) can make a passage alone when copied with edits: its
# MinHash bands are stored, so that reports sharing only such sentences are compared too
BAND_MIN_CHARS = 30


def sentence_keys(
    text: str, *, names: Sequence[str] = (), min_unit_chars: int = 10, threshold: float = 0.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What a build stores of one report to find, out of core, the reports it shares
    sentences with: the distinct keys of the sentences :func:`find_reuse` compares (sorted,
    ``int64``) with each one's length (normalised characters, ``int32``); and the distinct
    MinHash LSH bands (``int64``) of its sentences of at least ``BAND_MIN_CHARS``, with the
    length of the longest sentence having each, which two reports share when they hold
    sentences alike rather than identical. :func:`sentence_keys_of` does many at once.

    Examples
    --------
    >>> text = "永乐镇全面开展行政执法检查60次。\\n永乐镇全面开展行政执法检查75次。"
    >>> keys, lengths, bands, band_lengths = sentence_keys(text, names=["永乐镇"])
    >>> len(keys), int(keys[0]) == sentence_key("@全面开展行政执法检查#次。"), lengths.tolist()
    (1, True, [14])
    >>> len(bands)  # no sentence of 30 characters
    0
    """
    return sentence_keys_of(
        [text], names=[names], min_unit_chars=min_unit_chars, threshold=threshold
    )[0]


def sentence_keys_of(
    texts: Sequence[str],
    *,
    names: Sequence[Sequence[str]],
    min_unit_chars: int = 10,
    threshold: float = 0.5,
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """:func:`sentence_keys` of several reports (each with its own names), the MinHash of
    all their long sentences computed at once."""
    keyed, long, owners = [], [], []
    for number, (text, own) in enumerate(zip(texts, names, strict=True)):
        normalized, _ = normalize_for_reuse(text, names=own)
        found: dict[int, str] = {}
        for start, end in _units(normalized, min_unit_chars=min_unit_chars):
            sentence = normalized[start:end]
            found.setdefault(sentence_key(sentence), sentence)
        keys = np.array(sorted(found), dtype=np.int64)
        sentences = [found[key] for key in keys.tolist()]
        keyed.append((keys, np.array([len(s) for s in sentences], dtype=np.int32)))
        for sentence in sentences:
            if len(sentence) >= BAND_MIN_CHARS:
                long.append(sentence)
                owners.append(number)
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int32))
    banded: list[tuple[np.ndarray, np.ndarray]] = [empty] * len(texts)
    if long:
        signatures = _signatures(long)
        values = np.stack(
            [_mix(signatures[:, start:end]) | (np.uint64(band) << np.uint64(32))
             for band, (start, end) in enumerate(_bands(threshold))],
            axis=1,
        ).astype(np.int64)  # fmt: skip
        lengths = np.array([len(sentence) for sentence in long], dtype=np.int32)
        owner = np.asarray(owners)
        bounds = np.flatnonzero(np.diff(owner)) + 1
        for rows in np.split(np.arange(len(long)), bounds):
            doc = int(owner[rows[0]])
            bands, inverse = np.unique(values[rows].ravel(), return_inverse=True)
            longest = np.zeros(len(bands), dtype=np.int32)
            np.maximum.at(longest, inverse.ravel(), np.repeat(lengths[rows], values.shape[1]))
            banded[doc] = (bands, longest)
    return [(*keyed[n], *banded[n]) for n in range(len(texts))]


def _names(*names: str) -> list[str]:
    """Names and their stems, longest first (永乐镇, 永乐)."""
    found = {stem for name in names if name for stem in (name, *name_stems(name))}
    return sorted(found, key=len, reverse=True)


def _codes(text: str) -> np.ndarray:
    """Code points of ``text`` (4 bytes a character; lone surrogates kept as they are)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _table(characters: Iterable[int]) -> np.ndarray:
    """A lookup table over code points: ``table[np.minimum(codes, len(table) - 1)]`` is True
    for ``characters`` (the last entry, for every code point beyond, is False)."""
    characters = list(characters)
    table = np.zeros(max(characters) + 2, dtype=bool)
    table[characters] = True
    return table


def normalize_for_reuse(text: str, *, names: Sequence[str] = ()) -> tuple[str, np.ndarray]:
    """The normalised text and, for each of its characters, the offset in ``text``.

    White space other than line ends is dropped, a run of digits (with ``.``/``,`` between
    digits: 1,200 and 3.5) becomes ``#``, a name (or its stem) ``@``. Worked out on arrays of
    code points rather than match by match: a report of a million numbers costs no Python
    object per number. The offsets are ``int32`` (``int64`` from 2**31 characters on).

    Examples
    --------
    >>> normalized, offsets = normalize_for_reuse("永乐镇开展检查 60 次。", names=["永乐镇"])
    >>> normalized, offsets.tolist()
    ('@开展检查#次。', [0, 3, 4, 5, 6, 8, 11, 12])
    """
    found = _names(*names)
    if any(_NOT_IN_NAMES.search(name) for name in found):
        return _normalize_by_pattern(text, found)
    codes = _codes(text)
    digit = ((codes >= ord("0")) & (codes <= ord("9"))) | (
        (codes >= ord("０")) & (codes <= ord("９"))
    )
    number = digit.copy()  # a separator between two digits belongs to the number
    number[1:-1] |= np.isin(codes[1:-1], _SEPARATORS) & digit[:-2] & digit[2:]
    replaced = np.zeros(len(codes), dtype=np.uint32)
    first = number.copy()
    first[1:] &= ~number[:-1]
    replaced[first] = ord("#")
    drop = number & ~first
    drop |= _SPACES[np.minimum(codes, len(_SPACES) - 1)]
    del digit, number, first
    if found:
        # with no digit, separator or space in a name, no number or space overlaps one
        for start, end in _matches(text, found):
            replaced[start] = ord("@")
            drop[start + 1 : end] = True
    offsets = np.flatnonzero(~drop).astype(np.int32 if len(text) < 2**31 else np.int64)
    del drop
    kept = codes[offsets]
    marks = replaced[offsets]
    kept[marks > 0] = marks[marks > 0]
    return kept.tobytes().decode("utf-32-le", "surrogatepass"), offsets


def _matches(text: str, names: Sequence[str]) -> list[tuple[int, int]]:
    """Where ``names`` are found in ``text``, as a regular expression of them (longest
    first) finds them: from the left, the longest at each place, none overlapping. Found by
    ``str.find``: compiling a pattern for each report's names cost more than normalising it.

    >>> _matches("永乐镇永乐村", ["永乐镇", "永乐"])
    [(0, 3), (3, 5)]
    """
    found = []
    for name in names:
        start = text.find(name) if name else -1
        while start >= 0:
            found.append((start, start + len(name)))
            start = text.find(name, start + 1)
    found.sort(key=lambda match: (match[0], -match[1]))
    chosen: list[tuple[int, int]] = []
    for start, end in found:
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, end))
    return chosen


# what [^\S\n] matches: white space but line ends (none above U+3000, 　)
_SPACES = _table(code for code in range(0x3001) if chr(code).isspace() and code != ord("\n"))
_SEPARATORS = np.array([ord("."), ord(","), ord("．")], dtype=np.uint32)
_DIGITS = r"[0-9０-９]+(?:[.,．][0-9０-９]+)*"
_NOT_IN_NAMES = re.compile(r"[\s0-9０-９.,．]")


def _normalize_by_pattern(text: str, names: Sequence[str]) -> tuple[str, np.ndarray]:
    """:func:`normalize_for_reuse` match by match, for names with digits or spaces in them
    (whose matches a number or a space can cut short)."""
    alternatives = [r"(?P<space>[^\S\n]+)", rf"(?P<digits>{_DIGITS})"]
    alternatives.append("(?P<name>" + "|".join(re.escape(name) for name in names) + ")")
    pieces: list[str] = []
    kept = array("q")
    position = 0
    for match in re.finditer("|".join(alternatives), text):
        pieces.append(text[position : match.start()])
        kept.extend(range(position, match.start()))
        if match.lastgroup != "space":
            pieces.append("#" if match.lastgroup == "digits" else "@")
            kept.append(match.start())
        position = match.end()
    pieces.append(text[position:])
    kept.extend(range(position, len(text)))
    dtype = np.int32 if len(text) < 2**31 else np.int64
    return "".join(pieces), np.frombuffer(kept, dtype=np.int64).astype(dtype)


_UNIT_ENDS = _table(map(ord, "。！？；!?;\n"))
_WILDCARDS = _table(map(ord, "@#"))


def _units(normalized: str, *, min_unit_chars: int) -> list[tuple[int, int]]:
    """Spans of the sentences compared (in the normalised text): cut at 。！？；!?; (which a
    sentence keeps) and line ends; one longer than ``MAX_UNIT_CHARS`` is cut into pieces; one
    shorter than ``min_unit_chars`` without its leading and trailing # and @ is left out.

    >>> _units("一是深化法治教育培训。@#\\n短句。二是强化制度体系建设，完善规章制度", min_unit_chars=5)
    [(0, 11), (17, 34)]
    """
    codes = _codes(normalized)
    marks = np.flatnonzero(_UNIT_ENDS[np.minimum(codes, len(_UNIT_ENDS) - 1)])
    starts = np.concatenate([[0], marks + 1])
    ends = np.concatenate([marks + (codes[marks] != ord("\n")), [len(codes)]])
    # the few that start or end with a wildcard are measured without it one by one
    last = len(_WILDCARDS) - 1
    wild = np.zeros(len(starts), dtype=bool)
    filled = ends > starts
    wild[filled] = (
        _WILDCARDS[np.minimum(codes[starts[filled]], last)]
        | _WILDCARDS[np.minimum(codes[ends[filled] - 1], last)]
    )
    spans = []
    for start, end, measured in zip(starts.tolist(), ends.tolist(), wild.tolist(), strict=True):
        if end - start < min_unit_chars:
            continue
        if end - start > MAX_UNIT_CHARS:
            spans.extend(
                piece
                for piece in _cut(normalized, start, end)
                if len(normalized[piece[0] : piece[1]].strip("@#")) >= min_unit_chars
            )
        elif not measured or len(normalized[start:end].strip("@#")) >= min_unit_chars:
            spans.append((start, end))
    return spans


def _cut(normalized: str, start: int, end: int) -> list[tuple[int, int]]:
    """Pieces of a too-long sentence, cut after two characters whose hash says so (about
    every ``CUT_EVERY`` characters) and, failing that, every ``MAX_UNIT_CHARS``.

    >>> line = "依法行政" * 600
    >>> pieces = _cut(line, 0, len(line))
    >>> max(end - start for start, end in pieces) <= MAX_UNIT_CHARS
    True
    """
    codes = _codes(normalized[start:end]).astype(np.uint64)
    mixed = (codes[:-1] * np.uint64(0x9E3779B1) + codes[1:] * np.uint64(0x85EBCA77)) & np.uint64(
        0xFFFFFFFF
    )
    mixed ^= mixed >> np.uint64(15)
    mixed = (mixed * np.uint64(0x2C1B3C6D)) & np.uint64(0xFFFFFFFF)
    mixed ^= mixed >> np.uint64(12)
    cuts = (start + 2 + np.flatnonzero(mixed % np.uint64(CUT_EVERY) == 0)).tolist()
    pieces = []
    for piece_end in [*(cut for cut in cuts if cut < end), end]:
        piece_start = pieces[-1][1] if pieces else start
        while piece_end - piece_start > MAX_UNIT_CHARS:
            pieces.append((piece_start, piece_start + MAX_UNIT_CHARS))
            piece_start += MAX_UNIT_CHARS
        pieces.append((piece_start, piece_end))
    return pieces


# MinHash of the 3-character shingles, on arrays: a shingle's 32-bit hash (of its three code
# points), then NUM_PERM multiply-shift permutations of it (odd 64-bit multipliers, fixed
# seed), the least of each over a sentence's shingles.
_PERMUTATIONS = np.random.RandomState(1).randint(0, 2**63 - 1, size=(2, NUM_PERM), dtype=np.int64)
_MULTIPLIERS = (_PERMUTATIONS[0].astype(np.uint64) << np.uint64(1)) | np.uint64(1)
_OFFSETS = _PERMUTATIONS[1].astype(np.uint64)
_CHUNK_SHINGLES = 1 << 16  # shingles permuted at a time: bounds the working arrays (32 MB)


def _mix(codes: np.ndarray) -> np.ndarray:
    """A 32-bit hash of each row of code points (murmur3's finaliser over a polynomial)."""
    value = np.zeros(len(codes), dtype=np.uint64)
    for column in range(codes.shape[1]):
        value = (value * np.uint64(0x100000001B3) + codes[:, column].astype(np.uint64)) & np.uint64(
            0xFFFFFFFFFFFFFFFF
        )
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xFF51AFD7ED558CCD)
    value ^= value >> np.uint64(33)
    value *= np.uint64(0xC4CEB9FE1A85EC53)
    value ^= value >> np.uint64(33)
    return value & np.uint64(0xFFFFFFFF)


def _signatures(keys: Sequence[str]) -> np.ndarray:
    """MinHash values of each sentence's character 3-grams (``uint32``, one row each); a
    sentence of three characters or fewer is its own one shingle.

    >>> rows = _signatures(["全面推行行政执法公示制度", "全面推行行政执法公示制度", "深入开展法治宣传"])
    >>> rows.shape, bool((rows[0] == rows[1]).all()), bool((rows[0] == rows[2]).mean() < 0.5)
    ((3, 64), True, True)
    """
    matrix = np.empty((len(keys), NUM_PERM), dtype=np.uint32)
    # sentences at a time: the working arrays are a block's, not the corpus's (a batch of
    # 15,000 reports held a gigabyte of them)
    for low in range(0, len(keys), _BLOCK_SENTENCES):
        matrix[low : low + _BLOCK_SENTENCES] = _block_signatures(keys[low : low + _BLOCK_SENTENCES])
    return matrix


_BLOCK_SENTENCES = 4096


def _block_signatures(keys: Sequence[str]) -> np.ndarray:
    """:func:`_signatures` of a few thousand sentences."""
    lengths = np.fromiter((len(key) for key in keys), dtype=np.int64, count=len(keys))
    codes = np.concatenate([_codes(key) for key in keys]).astype(np.uint64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    n_shingles = np.maximum(lengths - SHINGLE + 1, 1)
    owner = np.repeat(np.arange(len(keys)), n_shingles)
    first = np.arange(int(n_shingles.sum())) - np.repeat(
        np.cumsum(n_shingles) - n_shingles, n_shingles
    )
    first += starts[owner]
    # a short sentence's missing code points count as 0, and its one shingle is the whole
    columns = np.stack(
        [
            np.where(
                first + i < (starts + lengths)[owner],
                codes[np.minimum(first + i, len(codes) - 1)],
                0,
            )
            for i in range(SHINGLE)
        ],
        axis=1,
    )
    hashes = _mix(columns)
    del columns
    best = np.full((len(keys), NUM_PERM), np.iinfo(np.uint32).max, dtype=np.uint32)
    for part in range(0, len(hashes), _CHUNK_SHINGLES):
        chunk = hashes[part : part + _CHUNK_SHINGLES]
        # a permutation a row: reduceat along rows is three times quicker than down
        # columns, and the operations in place make no temporaries
        permuted = np.multiply(_MULTIPLIERS[:, None], chunk[None, :])
        permuted += _OFFSETS[:, None]
        permuted >>= np.uint64(32)
        rows = owner[part : part + len(chunk)]
        starts_here = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
        reduced = np.minimum.reduceat(permuted.astype(np.uint32), starts_here, axis=1).T
        # a sentence's shingles are consecutive: each row once in a chunk
        chosen = rows[starts_here]
        best[chosen] = np.minimum(best[chosen], reduced)
    return best


@functools.cache
def _bands(threshold: float) -> list[tuple[int, int]]:
    """Bands of ``r`` rows for this Jaccard threshold: the ``(b, r)`` with ``b · r`` at most
    NUM_PERM that minimises the false positives and false negatives (weighted alike) of
    MinHash LSH, as datasketch's MinHashLSH chooses them.

    >>> len(_bands(0.5)), _bands(0.5)[0]
    (14, (0, 4))
    """
    grid = np.linspace(0.0, 1.0, 2001)
    best = None
    for b in range(1, NUM_PERM + 1):
        for r in range(1, NUM_PERM // b + 1):
            probability = 1 - (1 - grid**r) ** b
            low, high = grid <= threshold, grid >= threshold
            false_positive = np.trapezoid(probability[low], grid[low])
            false_negative = np.trapezoid(1 - probability[high], grid[high])
            error = 0.5 * false_positive + 0.5 * false_negative
            if best is None or error < best[0]:
                best = (error, b, r)
    _, b, r = best
    return [(band * r, (band + 1) * r) for band in range(b)]


def _buckets(
    signatures: np.ndarray, bands: Sequence[tuple[int, int]]
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Sentences that share one band's values, the candidates MinHash LSH would return for
    each other: for each band, its buckets' members (ascending within a bucket) one bucket
    after the other, and where each bucket starts."""
    found = []
    for start, end in bands:
        band = _mix(signatures[:, start:end])
        _, bucket = np.unique(band, return_inverse=True)
        bucket = bucket.ravel()
        shared = np.flatnonzero(np.bincount(bucket)[bucket] > 1)
        if not len(shared):
            continue
        members = shared[np.argsort(bucket[shared], kind="stable")]
        found.append((members, np.flatnonzero(np.diff(bucket[members], prepend=-1))))
    return found


def _crowded(members: np.ndarray, starts: np.ndarray, homes: np.ndarray) -> np.ndarray:
    """Buckets where a report has more than ``MAX_BUCKET_KEYS`` sentences (those where
    :func:`_bucket_pairs` passes over some and records them in ``tails``)."""
    sizes = np.diff(starts, append=len(members))
    bucket = np.repeat(np.arange(len(starts), dtype=np.int64), sizes)
    held, counts = np.unique(bucket * (int(homes.max()) + 1) + homes[members], return_counts=True)
    crowded = np.zeros(len(starts), dtype=bool)
    crowded[held[counts > MAX_BUCKET_KEYS] // (int(homes.max()) + 1)] = True
    return crowded


def _candidates(
    buckets: Sequence[tuple[np.ndarray, np.ndarray]],
    homes: Sequence[int],
    *,
    wanted: np.ndarray | None = None,
) -> np.ndarray:
    """The pairs of sentences to check, as ``key * n_keys + other`` (ascending, once each):
    those :func:`_bucket_pairs` gives in every bucket of every band or, with ``wanted`` (a
    mask over sentences), only those with a wanted side. A bucket with no wanted sentence
    gives none of those, and is passed over unless it is crowded (it would change
    ``tails``): the work is the wanted sentences' buckets, not all."""
    n_keys = len(homes)
    candidates = array("q")
    tails: set[int] = set()
    home_array = np.asarray(homes, dtype=np.int64)
    marked = None if wanted is None else wanted.tolist()
    for members, starts in buckets:
        ends = np.append(starts[1:], len(members))
        if wanted is None:
            chosen = range(len(starts))
        else:
            holding = np.add.reduceat(wanted[members].astype(np.int64), starts) > 0
            chosen = np.flatnonzero(holding | _crowded(members, starts, home_array)).tolist()
        for bucket in chosen:
            group = members[starts[bucket] : ends[bucket]].tolist()
            pairs = _bucket_pairs(group, homes, tails, wanted=marked)
            candidates.extend(key * n_keys + other for key, other in pairs)
    return np.unique(np.frombuffer(candidates, dtype=np.int64))


def _bucket_pairs(
    members: Sequence[int],
    homes: Sequence[int],
    tails: set[int],
    *,
    wanted: Sequence[bool] | None = None,
) -> Iterator[tuple[int, int]]:
    """Pairs of one bucket's sentences to check (``homes``: each sentence's report): all, but
    a report's sentences beyond its first ``MAX_BUCKET_KEYS`` there only with the bucket's
    first and with that report's previous one, and only in the first bucket where they are
    such (``tails``: those met so far, updated). With ``wanted`` (a flag per sentence), only
    those of these pairs with a wanted side.

    >>> list(_bucket_pairs([0, 1, 2], [0, 0, 1], set()))
    [(0, 1), (0, 2), (1, 2)]
    >>> list(_bucket_pairs([0, 1, 2], [0, 0, 1], set(), wanted=[False, True, False]))
    [(0, 1), (1, 2)]
    >>> tails = set()
    >>> len(list(_bucket_pairs(range(100), [0] * 100, tails)))  # 28 + 2 × 92, not 4950
    212
    >>> len(list(_bucket_pairs(range(100), [0] * 100, tails)))  # another band: heads only
    28
    """
    heads: list[int] = []
    wanted_heads: list[int] = []
    seen: Counter[int] = Counter()
    previous: dict[int, int] = {}
    for key in members:
        home = homes[key]
        mine = wanted is None or wanted[key]
        if seen[home] < MAX_BUCKET_KEYS:
            yield from ((head, key) for head in (heads if mine else wanted_heads))
            heads.append(key)
            if mine:
                wanted_heads.append(key)
        elif key not in tails:
            tails.add(key)
            if mine or wanted[heads[0]]:
                yield heads[0], key
            if previous[home] != heads[0] and (mine or wanted[previous[home]]):
                yield previous[home], key
        seen[home] += 1
        previous[home] = key


def _ratio(text: str, other: str, min_similarity: float) -> float | None:
    """How alike two normalised sentences are, if at least ``min_similarity``: their Indel
    similarity, ``2 · LCS / (len(text) + len(other))`` (rapidfuzz, in C++: a microsecond a
    pair). It is exact where difflib's ratio is a heuristic below it (difflib's matching
    blocks are one common subsequence, not always the longest).

    >>> round(_ratio("全面推行行政执法公示制度", "全面推行行政执法公示制度。", 0.85), 3)
    0.96
    >>> _ratio("全面推行行政执法公示制度", "深入开展法治宣传教育活动", 0.85) is None
    True
    """
    ratio = _indel(text, other, score_cutoff=min_similarity - 1e-9)
    return ratio if ratio >= min_similarity else None


def find_reuse(
    documents: pd.DataFrame,
    *,
    min_chars: int = 50,
    min_unit_chars: int = 10,
    min_similarity: float = 0.85,
    threshold: float = 0.5,
    max_documents: int = 200,
    max_sources: int | None = 20,
    only: Collection[str] | None = None,
    corpus_counts: Mapping[int, int] | None = None,
    with_text: bool = True,
) -> pd.DataFrame:
    """Passages each report shares with another report or repeats within itself.

    A report that repeats itself costs about linearly in its length (see the module's
    docstring: occurrences are chained, not paired all with all).

    Parameters
    ----------
    documents
        The documents table (``doc_id``, ``text``; ``entity``, ``parent``, ``report_year``
        for the relation and the wildcards).
    min_chars
        Shortest passage reported, in characters of the report's text.
    min_unit_chars
        Sentences shorter than this (after normalising) are not compared on their own.
    min_similarity
        How alike two sentences must be (Indel similarity of the normalised sentences,
        ``2 · LCS / total length``) to count as one copied from the other; identical ones
        always count.
    threshold
        MinHash LSH's Jaccard threshold for candidates (lower finds more, checks more).
    max_documents
        A sentence found in more reports than this is a formula: counted, never paired.
    max_sources
        Each report's passages are kept against at most this many other reports: its own
        reports of other years first, then those sharing the most sentences with it (ties:
        the first in ``documents``). Many towns copying one county template would otherwise
        give every pair of them its passages, a table that grows with the square of the
        towns. ``n_documents`` still counts every report. None keeps every source.
    only
        Only the passages between these doc_ids and any report (both ways): the other
        reports are compared with them, not with one another, which costs these reports'
        share of the work (the build compares a changed report with the unchanged ones).
    corpus_counts
        How many reports of a larger corpus hold each sentence, by :func:`sentence_key`
        (:func:`sentence_counts` of the corpus). Given, ``documents`` may be a part of that
        corpus (the build compares a batch of reports with those sharing their sentences):
        formulae and ``n_documents`` are then those of the whole corpus, not of the part.
    with_text
        False leaves out the ``text`` column: a passage's text is its report's
        ``text[start:end]``, which the build stores once (copies of a template make passages
        as long as the reports, and their texts were most of a batch's memory).

    Returns
    -------
    pandas.DataFrame
        One row per passage and direction: ``doc_id, other_doc_id, start, end, other_start,
        other_end`` (offsets into each ``documents.text``), ``n_chars``, ``text`` (as written
        in ``doc_id``), ``relation`` (``same_entity_earlier_year``,
        ``same_entity_later_year``, ``same_parent``, ``other``, or ``internal`` for a passage
        the report repeats itself), ``n_documents`` (reports that share the passage's least
        shared sentence) and ``similarity`` (1.0 when identical after normalising).

    Examples
    --------
    >>> import pandas as pd
    >>> paragraph = "全面推行行政执法公示制度、执法全过程记录制度和重大执法决定法制审核制度，全年开展执法检查60次。"
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "entity": ["甲镇", "乙镇"], "parent": ["丙县", "丙县"],
    ...     "report_year": [2023, 2023],
    ...     "text": ["甲镇报告。\\n" + paragraph, "乙镇报告。\\n" + paragraph.replace("60", "75")]})
    >>> reuse = find_reuse(docs, min_chars=30)
    >>> reuse[["doc_id", "other_doc_id", "start", "end", "relation"]].values.tolist()
    [['a', 'b', 6, 54, 'same_parent'], ['b', 'a', 6, 54, 'same_parent']]

    A page repeated five times: each copy repeats the one before it (and, the other way
    round, is repeated by the one after it).

    >>> page = paragraph + "\\n" + "各村配备法律顾问，为群众提供免费法律咨询服务，全年解答咨询三百余次。\\n"
    >>> internal = find_reuse(pd.DataFrame({"doc_id": ["c"], "text": [page * 5]}))
    >>> internal.loc[internal["start"] > internal["other_start"], ["start", "other_start"]].values.tolist()
    [[84, 0], [168, 84], [252, 168], [336, 252]]
    """
    # without its attrs, which pandas deep-copies for every column read
    frame = pd.DataFrame(documents).reset_index(drop=True)
    doc_ids = frame["doc_id"].tolist()
    texts = frame["text"].fillna("").tolist()
    entities = frame["entity"].fillna("").tolist() if "entity" in frame else [""] * len(frame)
    parents = frame["parent"].fillna("").tolist() if "parent" in frame else [""] * len(frame)
    years = frame["report_year"].tolist() if "report_year" in frame else [None] * len(frame)

    # distinct normalised sentences get one number each (a repeated page: as many as one copy)
    number_of_key: dict[str, int] = {}
    homes: list[int] = []  # the report each distinct sentence is first found in
    prepared: list[_Text] = []
    for doc, text in enumerate(texts):
        normalized, offsets = normalize_for_reuse(text, names=[entities[doc], parents[doc]])
        spans = _units(normalized, min_unit_chars=min_unit_chars)
        keys = []
        for start, end in spans:
            key = number_of_key.setdefault(normalized[start:end], len(number_of_key))
            if key == len(homes):
                homes.append(doc)
            keys.append(key)
        prepared.append(_Text(normalized, offsets, spans, keys))
    if not homes:
        return pd.DataFrame(columns=[c for c in REUSE_COLUMNS if with_text or c != "text"])
    key_texts = list(number_of_key)
    del number_of_key

    focus = None if only is None else np.isin(np.asarray(doc_ids, dtype=object), list(only))
    keys_of_doc = [text.keys for text in prepared]
    focus_keys = None
    if focus is not None:
        focus_keys = np.zeros(len(key_texts), dtype=bool)
        for doc in np.flatnonzero(focus).tolist():
            focus_keys[keys_of_doc[doc]] = True
    similar = _similar_keys(
        key_texts, homes, threshold=threshold, min_similarity=min_similarity, focus=focus_keys
    )
    occurrences = _Occurrences.of(keys_of_doc, len(key_texts), similar)
    if corpus_counts is not None:
        known = np.fromiter(
            (corpus_counts.get(sentence_key(text), 0) for text in key_texts),
            dtype=np.int64,
            count=len(key_texts),
        )
        occurrences.n_documents = np.maximum(occurrences.n_documents, known)
    places = _places(occurrences)
    sharing = _sharing(places, similar, occurrences.n_documents)
    at_once = _at_once(occurrences, places, similar, sharing, max_documents=max_documents)
    pairs, mixed = _sentence_pairs(
        keys_of_doc, places, similar, sharing, at_once.tolist(), max_documents=max_documents
    )
    del places
    made = _at_once_pairs(
        occurrences, at_once, similar, sharing, max_documents=max_documents, focus=focus
    )
    del occurrences, at_once
    # twice as many candidates as sources kept: the sources are chosen by their passages'
    # characters once those are known (keep_sources), pairs of sentences only estimate them
    candidates = None if max_sources is None else 2 * max_sources
    made, pairs = _chosen(made, pairs, focus=focus, max_sources=candidates, entities=entities)

    # Bridging and cutting can change the runs only within one report, or between two where a
    # sentence was paired rank by rank (`mixed`): elsewhere every sentence is paired with every
    # occurrence of its family, so a gap between two pairs holds no match, and a run is one
    # passage. Those pairs of reports go one by one, as dictionaries; the others' runs and
    # passages are found at once, on arrays (most pairs of a corpus copying one template).
    one_by_one = made.doc == made.other_doc
    if mixed:
        codes = np.array([doc * len(texts) + other for doc, other in mixed], dtype=np.int64)
        one_by_one |= np.isin(made.doc * len(texts) + made.other_doc, codes)
    chosen = made.take(one_by_one)
    for doc, other_doc, mine, theirs, n_documents, ratio in zip(
        *(column.tolist() for column in (*chosen.integers(), chosen.ratio)), strict=True
    ):
        pairs[(doc, other_doc)][(mine, theirs)] = (ratio, n_documents)
    at_once_parts = [made.take(~one_by_one)]
    del made, chosen, one_by_one

    relations: dict[tuple[int, int], str] = {}
    rows = []

    def add_row(doc, other_doc, start, end, other_start, other_end, n_documents, similarity):
        relation = relations.get((doc, other_doc))
        if relation is None:
            relation = _relation(doc, other_doc, entities, parents, years)
            relations[(doc, other_doc)] = relation
        rows.append(
            (
                *(doc_ids[doc], doc_ids[other_doc], start, end, other_start, other_end),
                *(end - start, texts[doc][start:end] if with_text else None, relation),
                *(n_documents, similarity),
            )
        )

    between: list[tuple[int, int, int, int, int]] = []
    between_ratios: list[float] = []
    for (doc, other_doc), found in pairs.items():
        internal = doc == other_doc
        if not internal and (doc, other_doc) not in mixed:
            for (one, other), (ratio, n_documents) in found.items():
                between.append((doc, other_doc, one, other, n_documents))
                between_ratios.append(ratio)
            found.clear()
            continue
        mine, theirs = prepared[doc], prepared[other_doc]
        _bridge(found, mine.keys, theirs.keys, similar, sharing, max_documents=max_documents)
        matched = sorted((one, other, *evidence) for (one, other), evidence in found.items())
        found.clear()  # one pair of reports at a time
        for run in _runs(matched):
            for units, other_units, evidence in _passages(
                run, mine, internal=internal, min_chars=min_chars
            ):
                span = _span(mine, theirs, units, other_units, internal=internal)
                if span is None or span[1] - span[0] < min_chars:
                    continue
                add_row(
                    doc,
                    other_doc,
                    *span,
                    min(item[3] for item in evidence),
                    round(sum(item[2] for item in evidence) / len(evidence), 3),
                )
    del pairs
    at_once_parts.append(_Pairs.of(between, between_ratios))
    del between, between_ratios
    at_once_pairs = _Pairs.concatenate(at_once_parts)
    del at_once_parts
    for passage in _passages_at_once(at_once_pairs, prepared, min_chars=min_chars):
        add_row(*passage)

    table = pd.DataFrame(rows, columns=REUSE_COLUMNS)
    rows.clear()  # the tuples, not the frame built from them
    if not with_text:
        table = table.drop(columns="text")
    if table.empty:
        return table
    if max_sources is not None:
        table = keep_sources(table, max_sources=max_sources)
    table = table.sort_values(["doc_id", "start", "other_doc_id", "other_start"], kind="stable")
    for column in ("start", "end", "other_start", "other_end", "n_chars", "n_documents"):
        table[column] = table[column].astype("int64")
    return table.reset_index(drop=True)


@dataclass(slots=True)
class _Text:
    """One report as compared: its normalised text, each character's offset in the report,
    its sentences' spans (normalised) and their distinct-sentence numbers."""

    normalized: str
    offsets: np.ndarray
    spans: list[tuple[int, int]]
    keys: list[int]


def _similar_keys(
    key_texts: Sequence[str],
    homes: Sequence[int],
    *,
    threshold: float,
    min_similarity: float,
    focus: np.ndarray | None = None,
) -> dict[int, dict[int, float]]:
    """Distinct sentences alike enough to be copies of each other: ``{key: {other: ratio}}``,
    both ways (a sentence is never listed as similar to itself).

    With ``focus`` (a mask over sentences: those of the reports compared), only what the
    pairs with a focused side need: every sentence like a focused one, and every sentence
    like one of those (whose family is then whole: a formula's count and a family's order
    depend on it). The others' likeness among themselves is not looked for, and this is
    most of the work where a batch's neighbours outnumber it."""
    buckets = _buckets(_signatures(key_texts), _bands(threshold))
    n_keys = len(key_texts)
    similar: dict[int, dict[int, float]] = defaultdict(dict)

    def check(codes: np.ndarray) -> None:
        # each pair once (a pair shares several bands), in order: the relation is symmetric
        for code in codes.tolist():
            key, other = divmod(code, n_keys)
            ratio = _ratio(key_texts[key], key_texts[other], min_similarity)
            if ratio is not None:
                similar[key][other] = ratio
                similar[other][key] = ratio

    check(_candidates(buckets, homes, wanted=focus))
    if focus is not None:
        near = np.zeros(n_keys, dtype=bool)
        near[list(similar)] = True
        near &= ~focus
        if near.any():
            codes = _candidates(buckets, homes, wanted=near)
            # those with a focused side were checked above
            check(codes[~focus[codes // n_keys] & ~focus[codes % n_keys]])
    return dict(similar)


# A sentence found at most this many times in every report makes at most ALL_PAIRS_UP_TO
# combinations anywhere: its occurrences are all paired with all, which is done at once.
_ALL_PAIRS_EACH = math.isqrt(ALL_PAIRS_UP_TO)


@dataclass(slots=True)
class _Occurrences:
    """Every sentence of every report: its key, report and number, in the reports' order;
    ``by_key``, their indices ordered by key (key ``k``'s from ``first[k]`` to
    ``first[k + 1]``); and per distinct sentence the reports holding it, the most
    occurrences in one report and whether it can be paired (found twice or more, or like
    another: ``wanted``) and is ``alike`` another."""

    keys: np.ndarray
    docs: np.ndarray
    numbers: np.ndarray
    by_key: np.ndarray
    first: np.ndarray
    n_documents: np.ndarray
    most: np.ndarray
    wanted: np.ndarray
    alike: np.ndarray

    @classmethod
    def of(
        cls,
        keys_of_doc: Sequence[Sequence[int]],
        n_keys: int,
        similar: dict[int, dict[int, float]],
    ) -> _Occurrences:
        n_docs = len(keys_of_doc)
        lengths = np.array([len(keys) for keys in keys_of_doc], dtype=np.int64)
        total = int(lengths.sum())
        keys = np.fromiter(itertools.chain.from_iterable(keys_of_doc), dtype=np.int64, count=total)
        docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        numbers = np.arange(total, dtype=np.int64) - np.repeat(
            np.cumsum(lengths) - lengths, lengths
        )
        counts = np.bincount(keys, minlength=n_keys)
        held, per_doc = np.unique(keys * n_docs + docs, return_counts=True)
        held //= n_docs  # the key of each (key, report) found
        most = np.zeros(n_keys, dtype=np.int64)
        np.maximum.at(most, held, per_doc)
        alike = np.zeros(n_keys, dtype=bool)
        alike[list(similar)] = True
        return cls(
            keys,
            docs,
            numbers,
            np.argsort(keys, kind="stable"),
            np.concatenate([[0], np.cumsum(counts)]),
            np.bincount(held, minlength=n_keys),
            most,
            (counts > 1) | alike,
            alike,
        )

    @property
    def slow(self) -> np.ndarray:
        """The sentences paired by :func:`_sentence_pairs` unless :func:`_at_once` says
        otherwise: those like another, or found more than ``_ALL_PAIRS_EACH`` times in one
        report."""
        return self.wanted & (self.alike | (self.most > _ALL_PAIRS_EACH))


@dataclass(slots=True)
class _Pairs:
    """Sentence pairs as columns: ``(doc, other_doc, mine, theirs)``, the ratio and the
    number of reports sharing the less shared of the two."""

    doc: np.ndarray
    other_doc: np.ndarray
    mine: np.ndarray
    theirs: np.ndarray
    n_documents: np.ndarray
    ratio: np.ndarray

    def integers(self) -> tuple[np.ndarray, ...]:
        return self.doc, self.other_doc, self.mine, self.theirs, self.n_documents

    def take(self, chosen: np.ndarray) -> _Pairs:
        return _Pairs(*(column[chosen] for column in (*self.integers(), self.ratio)))

    @classmethod
    def of(cls, rows: Sequence[tuple[int, int, int, int, int]], ratios: Sequence[float]) -> _Pairs:
        columns = np.array(rows, dtype=np.int64).reshape(-1, 5).T
        return cls(*columns, np.array(ratios, dtype=np.float64))

    @classmethod
    def concatenate(cls, parts: Sequence[_Pairs]) -> _Pairs:
        return cls(
            *(
                np.concatenate(columns)
                for columns in zip(*(part.integers() for part in parts), strict=True)
            ),
            np.concatenate([part.ratio for part in parts]),
        )


def _places(occurrences: _Occurrences) -> dict[int, dict[int, list[int]]]:
    """Where each ``slow`` sentence is found: ``{key: {doc: [sentence numbers]}}``."""
    chosen = np.flatnonzero(occurrences.slow[occurrences.keys])
    places: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for key, doc, number in zip(
        occurrences.keys[chosen].tolist(),
        occurrences.docs[chosen].tolist(),
        occurrences.numbers[chosen].tolist(),
        strict=True,
    ):
        places[key][doc].append(number)
    return places


def _sharing(
    places: dict[int, dict[int, list[int]]],
    similar: dict[int, dict[int, float]],
    n_documents: np.ndarray,
) -> list[int]:
    """How many reports hold each sentence or one like it (indexed by key)."""
    sharing = n_documents.tolist()
    for key, others in similar.items():
        holders = set(places[key])
        for other in others:
            holders.update(places[other])
        # counts of a larger corpus (find_reuse's corpus_counts) can exceed the holders here
        sharing[key] = max(len(holders), max(int(n_documents[m]) for m in (key, *others)))
    return sharing


def _at_once(
    occurrences: _Occurrences,
    places: dict[int, dict[int, list[int]]],
    similar: dict[int, dict[int, float]],
    sharing: Sequence[int],
    *,
    max_documents: int,
) -> np.ndarray:
    """The sentences (not formulae) that :func:`_sentence_pairs` would pair all with all
    everywhere: found at most ``k`` times in any report, with their family at most ``m``
    times in any report, where ``k * m`` is at most ``ALL_PAIRS_UP_TO`` (most sentences:
    once or twice in a report, like no other). :func:`_at_once_pairs` pairs them."""
    found = occurrences.wanted & (np.asarray(sharing) <= max_documents)
    at_once = found & ~occurrences.alike & (occurrences.most <= _ALL_PAIRS_EACH)
    for key in similar:
        if not found[key]:
            continue
        per_doc: Counter[int] = Counter()
        for member in (key, *similar[key]):
            for doc, numbers in places[member].items():
                per_doc[doc] += len(numbers)
        at_once[key] = occurrences.most[key] * max(per_doc.values()) <= ALL_PAIRS_UP_TO
    return at_once


def _at_once_pairs(
    occurrences: _Occurrences,
    at_once: np.ndarray,
    similar: dict[int, dict[int, float]],
    sharing: Sequence[int],
    *,
    max_documents: int,
    focus: np.ndarray | None = None,
) -> _Pairs:
    """The pairs :func:`_sentence_pairs` would make from the ``at_once`` sentences, made at
    once: each occurrence with every other occurrence of its family (itself and those like
    it), and the other way round where a member like it is paired one by one (one
    ``at_once`` makes its own).

    With ``focus`` (a mask over reports), only pairs with a side in a focused report are
    made: a sentence like no other pairs its focused occurrences with all of its
    occurrences (and back), which costs the focused reports' share of the square, not all.
    """
    by_key, first = occurrences.by_key, occurrences.first
    # groups: the occurrences of a sentence like no other against themselves (consecutive
    # in by_key), those of one like others against its family's
    alone = at_once & ~occurrences.alike
    alone_places = by_key[alone[occurrences.keys[by_key]]]
    if focus is None:
        mine = [alone_places]
        sizes = [np.diff(first)[alone]]
    else:
        mine = [alone_places[focus[occurrences.docs[alone_places]]]]
        counts = np.bincount(occurrences.keys[mine[0]], minlength=len(first) - 1)
        sizes = [counts[alone]]
    theirs = [alone_places]
    other_sizes = [np.diff(first)[alone]]
    ratios = [np.ones(len(alone_places))]
    back = [np.zeros(len(alone_places), dtype=bool)]
    for key in np.flatnonzero(at_once & occurrences.alike).tolist():
        mine.append(by_key[first[key] : first[key + 1]])
        sizes.append(np.array([len(mine[-1])]))
        n_theirs = 0
        for member in (key, *similar[key]):
            found = by_key[first[member] : first[member + 1]]
            theirs.append(found)
            n_theirs += len(found)
            ratios.append(np.full(len(found), 1.0 if member == key else similar[key][member]))
            one_by_one = not at_once[member] and sharing[member] <= max_documents
            back.append(np.full(len(found), member != key and one_by_one))
        other_sizes.append(np.array([n_theirs]))
    one, other = _grouped_products(np.concatenate(sizes), np.concatenate(other_sizes))
    ratio, back_too = np.concatenate(ratios)[other], np.concatenate(back)[other]
    from_alone = other < len(alone_places)
    one, other = np.concatenate(mine)[one], np.concatenate(theirs)[other]
    distinct = one != other  # not an occurrence with itself
    one, other, ratio, back_too, from_alone = (
        one[distinct],
        other[distinct],
        ratio[distinct],
        back_too[distinct],
        from_alone[distinct],
    )
    keys, docs, numbers = occurrences.keys, occurrences.docs, occurrences.numbers
    if focus is not None:
        # the way back from an occurrence outside the focus, which made no pairs of its own
        back_too |= from_alone & ~focus[docs[other]]
    shared = np.asarray(sharing, dtype=np.int64)
    n_documents = np.minimum(shared[keys[one]], shared[keys[other]])
    one, other = np.concatenate([one, other[back_too]]), np.concatenate([other, one[back_too]])
    made = _Pairs(
        docs[one],
        docs[other],
        numbers[one],
        numbers[other],
        np.concatenate([n_documents, n_documents[back_too]]),
        np.concatenate([ratio, ratio[back_too]]),
    )
    if focus is not None:
        made = made.take(focus[made.doc] | focus[made.other_doc])
    return made


OWN_RELATIONS = ("internal", "same_entity_earlier_year", "same_entity_later_year")


def keep_sources(reuse: pd.DataFrame, *, max_sources: int = 20) -> pd.DataFrame:
    """The rows of each report against its own (``internal``, its other years) and against
    the ``max_sources`` other reports whose passages with it hold the most characters (ties:
    the lower ``other_doc_id``). A new DataFrame; the input is not changed. The build applies
    the same rule in SQL (:data:`reportlib.reuse_index.KEEP_SOURCES`).

    >>> rows = pd.DataFrame({"doc_id": ["a"] * 3, "other_doc_id": ["b", "c", "d"],
    ...                      "n_chars": [60, 90, 60], "relation": ["other"] * 3})
    >>> keep_sources(rows, max_sources=2)["other_doc_id"].tolist()
    ['b', 'c']
    """
    own = reuse["relation"].isin(OWN_RELATIONS)
    totals = (
        reuse.loc[~own]
        .groupby(["doc_id", "other_doc_id"], sort=False)["n_chars"]
        .sum()
        .reset_index()
        .sort_values(["doc_id", "n_chars", "other_doc_id"], ascending=[True, False, True])
    )
    kept = totals[totals.groupby("doc_id").cumcount() < max_sources]
    chosen = pd.MultiIndex.from_frame(kept[["doc_id", "other_doc_id"]])
    pairs = pd.MultiIndex.from_frame(reuse[["doc_id", "other_doc_id"]])
    return reuse[own.to_numpy() | pairs.isin(chosen)].copy()


def _chosen(
    made: _Pairs,
    pairs: dict[tuple[int, int], dict],
    *,
    focus: np.ndarray | None,
    max_sources: int | None,
    entities: Sequence[str],
) -> tuple[_Pairs, dict[tuple[int, int], dict]]:
    """The sentence pairs with a side in the reports asked for (``focus``, a mask over
    reports), of each report's ``max_sources`` sources: its own other years, then those with the most
    sentence pairs (ties: the lower report number). Internal pairs are always kept."""
    n_docs = len(entities)
    codes = made.doc * n_docs + made.other_doc
    if pairs:
        extra = np.array([doc * n_docs + other for doc, other in pairs], dtype=np.int64)
        extra_counts = np.array([len(found) for found in pairs.values()], dtype=np.int64)
    else:
        extra, extra_counts = np.zeros(0, np.int64), np.zeros(0, np.int64)
    found, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    everything = np.concatenate([found, extra])
    weights = np.concatenate([counts, extra_counts])
    code, where = np.unique(everything, return_inverse=True)
    total = np.bincount(where, weights=weights).astype(np.int64)
    doc, other = np.divmod(code, n_docs)
    keep = np.ones(len(code), dtype=bool)
    if focus is not None:
        keep &= focus[doc] | focus[other]
    if max_sources is not None:
        entity = np.asarray([e or "" for e in entities], dtype=object)
        own = (doc == other) | ((entity[doc] != "") & (entity[doc] == entity[other]))
        # per report: its own first, then the most pairs, then the lower number
        order = np.lexsort((other, -total, ~own, doc))
        rank = np.empty(len(code), dtype=np.int64)
        sorted_doc = doc[order]
        starts = np.flatnonzero(np.concatenate([[True], sorted_doc[1:] != sorted_doc[:-1]]))
        rank[order] = np.arange(len(order)) - np.repeat(
            starts, np.diff(np.append(starts, len(order)))
        )
        own_count = np.bincount(doc[own], minlength=n_docs)
        keep &= own | (rank < max_sources + own_count[doc])
    kept_codes = code[keep]
    if len(kept_codes) < len(code):
        made = made.take(np.isin(found, kept_codes)[inverse])
        kept = set(kept_codes.tolist())
        pairs = defaultdict(
            dict, {key: value for key, value in pairs.items() if key[0] * n_docs + key[1] in kept}
        )
    return made, pairs


def _grouped_products(sizes: np.ndarray, other_sizes: np.ndarray) -> tuple[np.ndarray, ...]:
    """Every pair of positions ``(i, j)`` with ``i`` in group ``g`` of one list and ``j`` in
    group ``g`` of the other (groups of ``sizes`` and ``other_sizes`` elements, in order).

    >>> [pair.tolist() for pair in _grouped_products(np.array([2, 1]), np.array([1, 2]))]
    [[0, 1, 2, 2], [0, 0, 1, 2]]
    """
    group = np.repeat(np.arange(len(sizes)), sizes)  # of each element of the first list
    width = other_sizes[group]
    one = np.repeat(np.arange(len(group)), width)
    starts = np.cumsum(width) - width  # where each element's pairs begin
    other_firsts = (np.cumsum(other_sizes) - other_sizes)[group]
    other = np.arange(len(one)) - np.repeat(starts - other_firsts, width)
    return one, other


def _sentence_pairs(
    keys_of_doc: Sequence[Sequence[int]],
    places: dict[int, dict[int, list[int]]],
    similar: dict[int, dict[int, float]],
    sharing: Sequence[int],
    at_once: Sequence[bool],
    *,
    max_documents: int,
) -> tuple[dict[tuple[int, int], dict[tuple[int, int], tuple[float, int]]], set[tuple[int, int]]]:
    """Matching sentences paired between two reports (or two places of one), for the
    sentences of ``places`` but the ``at_once`` ones (see :func:`_at_once_pairs`):
    ``{(doc, other_doc): {(mine, theirs): (ratio, n_documents)}}``, each pair both ways; and
    the pairs of reports ``(doc, other_doc)`` where a sentence of ``doc`` was paired rank by
    rank (between two reports, the only ones where :func:`_bridge` can find a match).

    A sentence's occurrences in one report are paired with those of its family (itself and
    the sentences like it) in another place all with all while that makes at most
    ``ALL_PAIRS_UP_TO`` pairs. Beyond, each gets one partner: within its report the family's
    previous occurrence (a chain), in another report the family's occurrence of the same rank
    (cyclically; the sentence itself first, else the one most like it). A formula (a sentence
    whose family is in more than ``max_documents`` reports) is paired from no report.
    """
    pairs: dict[tuple[int, int], dict[tuple[int, int], tuple[float, int]]] = defaultdict(dict)

    def add(doc: int, other_doc: int, mine: int, theirs: int, key: int, other_key: int) -> None:
        ratio = 1.0 if key == other_key else similar[key][other_key]
        evidence = (ratio, min(sharing[key], sharing[other_key]))
        pairs[(doc, other_doc)][(mine, theirs)] = evidence
        if sharing[other_key] <= max_documents:
            pairs[(other_doc, doc)][(theirs, mine)] = evidence

    chained: dict[int, dict[int, list[int]]] = defaultdict(dict)  # doc: {key: family}
    mixed: set[tuple[int, int]] = set()
    for key, where in places.items():
        if sharing[key] > max_documents:
            continue  # a formula: counted in `sharing`, never paired
        if at_once[key]:
            continue  # paired by _at_once_pairs
        family = _family(key, similar)
        found = _family_places(family, places)
        for doc, mine in where.items():
            for other_doc, theirs in found.items():
                n_theirs = sum(len(numbers) for _, numbers in theirs) - (other_doc == doc)
                if len(mine) * n_theirs <= ALL_PAIRS_UP_TO:
                    for other_key, numbers in theirs:
                        for one in mine:
                            for other in numbers:
                                if other_doc != doc or one != other:
                                    add(doc, other_doc, one, other, key, other_key)
                elif other_doc == doc:
                    chained[doc][key] = family[: 1 + MAX_CHAIN_KEYS]
                else:
                    mixed.add((doc, other_doc))
                    other_key, numbers = theirs[0]
                    for rank, one in enumerate(mine):
                        add(doc, other_doc, one, numbers[rank % len(numbers)], key, other_key)
    for doc, families in chained.items():
        for one, other, key, other_key in _chain(keys_of_doc[doc], families):
            add(doc, doc, one, other, key, other_key)
    return pairs, mixed


def _family(key: int, similar: dict[int, dict[int, float]]) -> list[int]:
    """The sentence and those like it, most alike first.

    >>> _family(3, {3: {8: 0.9, 5: 0.95, 9: 0.9}})
    [3, 5, 8, 9]
    """
    others = similar.get(key, {})
    return [key, *sorted(others, key=lambda other: (-others[other], other))]


def _family_places(
    family: Sequence[int], places: dict[int, dict[int, list[int]]]
) -> dict[int, list[tuple[int, list[int]]]]:
    """Where a family is found: ``{doc: [(key, sentence numbers), …]}``, in family order."""
    found: dict[int, list[tuple[int, list[int]]]] = defaultdict(list)
    for member in family:
        for doc, numbers in places[member].items():
            found[doc].append((member, numbers))
    return found


def _chain(
    keys: Sequence[int], families: dict[int, list[int]]
) -> Iterator[tuple[int, int, int, int]]:
    """``(sentence, previous, key, previous key)``: each sentence of ``families`` with the
    nearest earlier sentence of its family, in one report's sentences ``keys``.

    >>> list(_chain([7, 1, 7, 2, 7], {7: [7, 2]}))
    [(2, 0, 7, 7), (4, 3, 7, 2)]
    """
    last: dict[int, int] = {}
    for number, key in enumerate(keys):
        family = families.get(key)
        if family is None:
            pass
        elif len(family) == 1:  # a sentence no other is like: the usual case, made quick
            if key in last:
                yield number, last[key], key, key
        else:
            previous = max(
                ((last[member], member) for member in family if member in last), default=None
            )
            if previous is not None:
                yield number, previous[0], key, previous[1]
        last[key] = number


def _match(
    key: int,
    other: int,
    similar: dict[int, dict[int, float]],
    sharing: dict[int, int],
    max_documents: int,
) -> tuple[float, int] | None:
    """(ratio, n_documents) if a sentence ``key`` may be paired with a sentence ``other``."""
    if key == other:
        ratio = 1.0
    else:
        ratio = similar.get(key, {}).get(other)
        if ratio is None:
            return None
    if sharing[key] > max_documents:
        return None
    return ratio, min(sharing[key], sharing[other])


def _bridge(
    pairs: dict[tuple[int, int], tuple[float, int]],
    keys: Sequence[int],
    other_keys: Sequence[int],
    similar: dict[int, dict[int, float]],
    sharing: dict[int, int],
    *,
    max_documents: int,
) -> None:
    """Add to ``pairs`` (of two reports) the matching sentences in a gap of at most
    ``MAX_GAP_SENTENCES`` between two pairs that follow each other in both texts.

    A chained sentence whose previous occurrence is elsewhere (a paragraph a page repeats, in a
    report that repeats the page) leaves such a gap in its copy's run; ordinary reports, whose
    sentences are paired all with all, have none.
    """
    diagonals: dict[int, list[int]] = defaultdict(list)
    for mine, theirs in pairs:
        diagonals[mine - theirs].append(mine)
    for shift, mines in diagonals.items():
        mines.sort()
        for before, after in itertools.pairwise(mines):
            if not 1 < after - before <= MAX_GAP_SENTENCES + 1:
                continue
            one, back = before + 1, after - 1
            while one <= back:  # from the gap's start, then from its end
                evidence = _match(
                    keys[one], other_keys[one - shift], similar, sharing, max_documents
                )
                if evidence is None:
                    break
                pairs[(one, one - shift)] = evidence
                one += 1
            while back > one:
                evidence = _match(
                    keys[back], other_keys[back - shift], similar, sharing, max_documents
                )
                if evidence is None:
                    break
                pairs[(back, back - shift)] = evidence
                back -= 1


def _runs(matched: list[_Pair]) -> list[list[_Pair]]:
    """Chains of sentence pairs that follow each other in both texts: (3, 7), (4, 8), (5, 9)
    is one passage."""
    runs: list[list[_Pair]] = []
    open_runs: dict[tuple[int, int], list[_Pair]] = {}
    for item in matched:
        mine, theirs = item[0], item[1]
        run = open_runs.pop((mine - 1, theirs - 1), None)
        if run is None:
            run = []
            runs.append(run)
        run.append(item)
        open_runs[(mine, theirs)] = run
    return runs


def _passages(
    run: list[_Pair], text: _Text, *, internal: bool, min_chars: int
) -> Iterator[tuple[tuple[int, int], tuple[int, int], list[_Pair]]]:
    """A run's passages: ``(first, last)`` sentences in each text, and the pairs behind it.

    A run within one report that overlaps itself (sentences 10…99 against 0…89: the text
    repeats every 10 sentences) is cut into copies of the period, each against the copy before
    it; a period shorter than ``min_chars`` is taken several times.
    """
    first, last = run[0], run[-1]
    shift = first[0] - first[1]
    if not internal or len(run) <= abs(shift):
        yield (first[0], last[0]), (first[1], last[1]), run
        return
    period = abs(shift)
    low, high = min(first[0], first[1]), max(last[0], last[1]) + 1
    period_chars = int(text.offsets[text.spans[low + period][0]] - text.offsets[text.spans[low][0]])
    size = period * max(1, math.ceil(min_chars / max(period_chars, 1)))
    later = 0 if shift > 0 else 1  # which side of a pair is the later copy
    for tile in range(low + size, high, size):
        count = min(size, high - tile)
        earlier_units = (tile - size, tile - size + count - 1)
        later_units = (tile, tile + count - 1)
        skip = tile - run[0][later]
        evidence = run[max(skip, 0) : skip + count]
        if later == 0:
            yield later_units, earlier_units, evidence
        else:
            yield earlier_units, later_units, evidence


def _passages_at_once(
    pairs: _Pairs, prepared: Sequence[_Text], *, min_chars: int
) -> Iterator[tuple[int, int, int, int, int, int, int, float]]:
    """:func:`_runs` and :func:`_span` for pairs between two reports, on arrays:
    ``(doc, other_doc, start, end, other_start, other_end, n_documents, similarity)`` of the
    passages of at least ``min_chars``, in the order of the reports and of the runs' first pairs.

    For pairs that need neither bridging nor cutting (between two reports whose sentences are
    all paired all with all), where each run is one passage: the same passages as one by one,
    without a Python step for each pair or each run.
    """
    if not len(pairs.doc):
        return
    shift = pairs.mine - pairs.theirs
    order = np.lexsort((pairs.mine, shift, pairs.other_doc, pairs.doc))
    pairs, shift = pairs.take(order), shift[order]
    del order
    # a pair made twice (from each of two sentences alike) is one pair
    again = np.concatenate(
        [
            [False],
            (pairs.doc[1:] == pairs.doc[:-1])
            & (pairs.other_doc[1:] == pairs.other_doc[:-1])
            & (pairs.mine[1:] == pairs.mine[:-1])
            & (pairs.theirs[1:] == pairs.theirs[:-1]),
        ]
    )
    if again.any():
        pairs, shift = pairs.take(~again), shift[~again]
    del again
    follows = (
        (pairs.doc[1:] == pairs.doc[:-1])
        & (pairs.other_doc[1:] == pairs.other_doc[:-1])
        & (shift[1:] == shift[:-1])
        & (pairs.mine[1:] == pairs.mine[:-1] + 1)
    )
    del shift
    firsts = np.flatnonzero(np.concatenate([[True], ~follows]))
    lasts = np.append(firsts[1:], len(pairs.doc)) - 1
    del follows
    doc, other_doc = pairs.doc[firsts], pairs.other_doc[firsts]
    joined = _Joined.of(prepared)
    start = joined.unit_starts[joined.unit_base[doc] + pairs.mine[firsts]]
    end = joined.unit_ends[joined.unit_base[doc] + pairs.mine[lasts]]
    other_start = joined.unit_starts[joined.unit_base[other_doc] + pairs.theirs[firsts]]
    other_end = joined.unit_ends[joined.unit_base[other_doc] + pairs.theirs[lasts]]
    # _extend, all runs at once, one character a step
    codes, newline = joined.codes, ord("\n")
    floor = np.maximum(start - MAX_EXTEND_CHARS, joined.char_base[doc])
    other_floor = joined.char_base[other_doc]
    growing = np.flatnonzero((start > floor) & (other_start > other_floor))
    while len(growing):
        before = codes[start[growing] - 1]
        growing = growing[(before == codes[other_start[growing] - 1]) & (before != newline)]
        start[growing] -= 1
        other_start[growing] -= 1
        growing = growing[
            (start[growing] > floor[growing]) & (other_start[growing] > other_floor[growing])
        ]
    ceiling = np.minimum(end + MAX_EXTEND_CHARS, joined.char_base[doc + 1])
    other_ceiling = joined.char_base[other_doc + 1]
    growing = np.flatnonzero((end < ceiling) & (other_end < other_ceiling))
    while len(growing):
        after = codes[end[growing]]
        growing = growing[(after == codes[other_end[growing]]) & (after != newline)]
        end[growing] += 1
        other_end[growing] += 1
        growing = growing[
            (end[growing] < ceiling[growing]) & (other_end[growing] < other_ceiling[growing])
        ]
    del floor, other_floor, ceiling, other_ceiling
    offsets = joined.offsets
    start, end = offsets[start], offsets[end - 1] + 1
    other_start, other_end = offsets[other_start], offsets[other_end - 1] + 1
    kept = np.flatnonzero(end - start >= min_chars)
    kept = kept[
        np.lexsort(
            (pairs.theirs[firsts[kept]], pairs.mine[firsts[kept]], other_doc[kept], doc[kept])
        )
    ]
    n_documents = np.minimum.reduceat(pairs.n_documents, firsts)[kept]
    exact = (np.minimum.reduceat(pairs.ratio, firsts) == 1.0)[kept]
    ratios = pairs.ratio
    for run, *row, n, identical in zip(
        kept.tolist(),
        doc[kept].tolist(),
        other_doc[kept].tolist(),
        start[kept].tolist(),
        end[kept].tolist(),
        other_start[kept].tolist(),
        other_end[kept].tolist(),
        n_documents.tolist(),
        exact.tolist(),
        strict=True,
    ):
        if identical:
            similarity = 1.0
        else:
            evidence = ratios[firsts[run] : lasts[run] + 1].tolist()
            similarity = round(sum(evidence) / len(evidence), 3)
        yield (*row, n, similarity)


@dataclass(slots=True)
class _Joined:
    """All reports' normalised texts as one array of code points, with each character's
    offset in its report, where each report starts (``char_base``, one more at the end) and
    its sentences' spans in the joined text (report ``doc``'s first at ``unit_base[doc]``)."""

    codes: np.ndarray
    offsets: np.ndarray
    char_base: np.ndarray
    unit_base: np.ndarray
    unit_starts: np.ndarray
    unit_ends: np.ndarray

    @classmethod
    def of(cls, prepared: Sequence[_Text]) -> _Joined:
        lengths = np.array([len(text.normalized) for text in prepared], dtype=np.int64)
        char_base = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        n_units = np.array([len(text.spans) for text in prepared], dtype=np.int64)
        unit_base = np.concatenate([[0], np.cumsum(n_units)]).astype(np.int64)
        spans = np.fromiter(
            itertools.chain.from_iterable(
                itertools.chain.from_iterable(text.spans for text in prepared)
            ),
            dtype=np.int64,
            count=2 * int(unit_base[-1]),
        ).reshape(-1, 2)
        spans += np.repeat(char_base[:-1], n_units)[:, None]
        return cls(
            np.concatenate([_codes(text.normalized) for text in prepared]),
            np.concatenate([text.offsets for text in prepared]),
            char_base,
            unit_base,
            spans[:, 0].copy(),
            spans[:, 1].copy(),
        )


def _span(
    mine: _Text,
    theirs: _Text,
    units: tuple[int, int],
    other_units: tuple[int, int],
    *,
    internal: bool,
) -> tuple[int, int, int, int] | None:
    """Offsets in both reports' texts of the passage from ``units[0]`` to ``units[1]``
    (sentence numbers) against ``other_units``, grown over identical neighbouring characters.

    Within one report the two places never overlap: each grows at most into the gap between
    them, and where both would take the same characters the later one keeps them.
    """
    span = (mine.spans[units[0]][0], mine.spans[units[1]][1])
    other_span = (theirs.spans[other_units[0]][0], theirs.spans[other_units[1]][1])
    limit = MAX_EXTEND_CHARS
    if internal:
        earlier, later = sorted((span, other_span))
        if earlier[1] > later[0]:
            return None  # a passage overlapping itself is not a repetition
        limit = min(limit, later[0] - earlier[1])
    (start, end), (other_start, other_end) = _extend(
        mine.normalized, theirs.normalized, span, other_span, limit=limit
    )
    if internal and start > other_start:
        other_end = min(other_end, start)
    elif internal:
        end = min(end, other_start)
    return (
        int(mine.offsets[start]),
        int(mine.offsets[end - 1]) + 1,
        int(theirs.offsets[other_start]),
        int(theirs.offsets[other_end - 1]) + 1,
    )


def _extend(
    mine: str,
    theirs: str,
    span: tuple[int, int],
    other_span: tuple[int, int],
    *,
    limit: int = MAX_EXTEND_CHARS,
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Grow a matched passage over the identical characters around it, within the line and
    by at most ``limit`` characters each way: a sentence too short to be compared on its own
    ("二是巩固创建成果。") still belongs to the copied paragraph.

    >>> _extend("甲。二是巩固。乙", "丙。二是巩固。丁", (2, 7), (2, 7))
    ((1, 7), (1, 7))
    """
    (start, end), (other_start, other_end) = span, other_span
    floor = start - limit
    while (
        start > max(floor, 0)
        and other_start > 0
        and mine[start - 1] == theirs[other_start - 1]
        and mine[start - 1] != "\n"
    ):
        start, other_start = start - 1, other_start - 1
    ceiling = end + limit
    while (
        end < min(ceiling, len(mine))
        and other_end < len(theirs)
        and mine[end] == theirs[other_end]
        and mine[end] != "\n"
    ):
        end, other_end = end + 1, other_end + 1
    return (start, end), (other_start, other_end)


def _relation(doc: int, other: int, entities, parents, years) -> str:
    if doc == other:
        return "internal"
    if entities[doc] and entities[doc] == entities[other]:
        known = not (pd.isna(years[doc]) or pd.isna(years[other]))
        if known and years[other] < years[doc]:
            return "same_entity_earlier_year"
        if known and years[other] > years[doc]:
            return "same_entity_later_year"
        return "other"
    if parents[doc] and parents[doc] == parents[other]:
        return "same_parent"
    return "other"


def _covered(spans: list[tuple[int, int]]) -> int:
    """Characters covered by the union of ``spans``."""
    total, reach = 0, -1
    for start, end in sorted(spans):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def is_outline_heading(text: str) -> bool:
    """Whether a shared passage is only a heading of the mandated outline: one short line
    without a full stop that names one of the five parts.

    Examples
    --------
    >>> is_outline_heading("三、2023年度党政主要负责人履行推进法治建设第一责任人职责,落实年度职责清单,加强法治政府建设的有关情况")
    True
    >>> is_outline_heading("全年组织党委理论学习中心组集中学法12次。")
    False
    """
    stripped = str(text).strip()
    if not stripped or len(stripped) > 90 or "\n" in stripped or "。" in stripped:
        return False
    return classify_heading(stripped, strong_only=True)[0] != ""


def is_formula(reuse: pd.DataFrame, *, n_reports: int, max_share: float = 0.2) -> pd.Series:
    """Which rows of a reuse table are formulae of the genre rather than copying between
    particular reports: passages shared by more than ``max_share`` of the ``n_reports``
    reports (and by more than two: a passage in two reports is a copy between them whatever
    the corpus size), and the mandated outline's headings (:func:`is_outline_heading`).

    Examples
    --------
    >>> import pandas as pd
    >>> reuse = pd.DataFrame({"n_documents": [2, 40, 2],
    ...     "text": ["全年办理行政复议案件12件。", "依法行政。", "四、下一年度主要安排"]})
    >>> is_formula(reuse, n_reports=100).tolist()
    [False, True, True]
    """
    limit = max(2.0, max_share * max(n_reports, 1))
    genre = reuse["n_documents"] > limit
    if "text" in reuse:
        genre |= reuse["text"].map(is_outline_heading).astype(bool)
    return genre.astype(bool)


def reuse_summary(
    reuse: pd.DataFrame,
    documents: pd.DataFrame,
    *,
    max_share: float = 0.2,
    top: int = 3,
) -> pd.DataFrame:
    """Per report: how much of it repeats other reports, its previous report, and itself.

    Parameters
    ----------
    reuse
        Output of :func:`find_reuse`.
    documents
        The documents table.
    max_share
        Passages shared by more than this share of the reports (and by more than two) are
        formulae of the genre: they count in ``formula_ratio``, not in ``boilerplate_ratio``;
        so do the mandated outline's headings (:func:`is_outline_heading`), however few
        reports share them.
    top
        Sources listed in ``top_sources``.

    Returns
    -------
    pandas.DataFrame
        ``doc_id, n_chars, boilerplate_ratio`` (share of characters found in any other report,
        formulae left out), ``formula_ratio``, ``internal_ratio`` (repeated within the
        report), ``previous_doc_id``/``previous_ratio`` (the same entity's latest earlier
        report and the share repeated from it), ``n_sources``, ``top_sources``
        ("doc_id (chars); …").

    Examples
    --------
    >>> import pandas as pd
    >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["x" * 100, "y" * 200]})
    >>> reuse = pd.DataFrame({"doc_id": ["b"], "other_doc_id": ["a"], "start": [0], "end": [50],
    ...     "relation": ["other"], "n_documents": [2]})
    >>> reuse_summary(reuse, docs).set_index("doc_id")["boilerplate_ratio"].to_dict()
    {'a': 0.0, 'b': 0.25}
    """
    n_reports = max(documents["doc_id"].nunique(), 1)
    rows = []
    previous_of = previous_doc_ids(documents)  # the rule briefings use too
    grouped = dict(tuple(reuse.groupby("doc_id"))) if len(reuse) else {}
    for document in documents.itertuples(index=False):
        n_chars = max(len(document.text or ""), 1)
        own = grouped.get(document.doc_id)
        previous = previous_of.get(document.doc_id)
        if own is None:
            rows.append(
                (document.doc_id, len(document.text or ""), 0.0, 0.0, 0.0, previous, 0.0, 0, "")
            )
            continue
        external = own[own["relation"] != "internal"]
        # the mandated outline's headings ("三、…第一责任人职责…") are formulae, never copying
        genre = is_formula(external, n_reports=n_reports, max_share=max_share)
        formula = external[genre]
        copied = external[~genre]
        internal = own[own["relation"] == "internal"]
        from_previous = copied[copied["other_doc_id"] == previous] if previous else copied.iloc[:0]
        by_source = (
            copied.groupby("other_doc_id")
            .apply(lambda rows: _covered(list(zip(rows["start"], rows["end"], strict=True))))
            .sort_values(ascending=False)
            if len(copied)
            else pd.Series(dtype="int64")
        )
        rows.append(
            (
                document.doc_id,
                len(document.text or ""),
                _covered(list(zip(copied["start"], copied["end"], strict=True))) / n_chars,
                _covered(list(zip(formula["start"], formula["end"], strict=True))) / n_chars,
                _covered(list(zip(internal["start"], internal["end"], strict=True))) / n_chars,
                previous,
                _covered(list(zip(from_previous["start"], from_previous["end"], strict=True)))
                / n_chars,
                len(by_source),
                "; ".join(
                    f"{source} ({int(chars)})" for source, chars in by_source.head(top).items()
                ),
            )
        )
    table = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("boilerplate_ratio", "formula_ratio", "internal_ratio", "previous_ratio"):
        table[column] = table[column].astype("float64").round(4)
    return table
