"""Reuse: passages a report shares with other reports, with its own earlier years, or with
itself.

How passages are found:

1. **Normalise** each text so that recycled passages look alike: white space is dropped, runs of
   digits become ``#`` (new numbers in old text) and the report's own entity and parent names
   (and their stems: 永乐镇 → 永乐) become ``@`` (a neighbour's report with the name swapped).
   An index keeps every normalised character's offset in ``documents.text``.
2. **Cut** the normalised text into sentences (at 。！？； and line ends).
3. **Candidates**: each sentence's character 3-gram shingles go into a MinHash
   (`datasketch <https://ekzhu.com/datasketch/>`_), and MinHash LSH returns the sentences of
   other reports that are probably alike, without comparing every pair of reports.
4. **Evidence**: each candidate pair is checked exactly (identical after normalising, or a
   ``difflib`` ratio of at least ``min_similarity``), and runs of consecutive matching
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
"""

from __future__ import annotations

import difflib
import itertools
import math
import re
import zlib
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["REUSE_COLUMNS", "SUMMARY_COLUMNS", "find_reuse", "normalize_for_reuse", "reuse_summary"]

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

_NAME_SUFFIXES = ("街道", "镇", "乡", "县", "区", "市", "州", "省", "盟", "旗")
SHINGLE = 3
NUM_PERM = 64

# Caps: each bounds the work one report can cause, far above what real reports need.
#
# The longest sentence of the built-in sample is 283 normalised characters. difflib's ratio
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
# OCR-noisy copies of one page has as many as copies, each a difflib call per pair.
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


def _names(*names: str) -> list[str]:
    """Names and their stems, longest first (永乐镇, 永乐)."""
    found = set()
    for name in names:
        if not name:
            continue
        found.add(name)
        for suffix in _NAME_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                found.add(name[: -len(suffix)])
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
        pattern = re.compile("|".join(re.escape(name) for name in found))
        for match in pattern.finditer(text):
            replaced[match.start()] = ord("@")
            drop[match.start() + 1 : match.end()] = True
    offsets = np.flatnonzero(~drop).astype(np.int32 if len(text) < 2**31 else np.int64)
    del drop
    kept = codes[offsets]
    marks = replaced[offsets]
    kept[marks > 0] = marks[marks > 0]
    return kept.tobytes().decode("utf-32-le", "surrogatepass"), offsets


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


def _shingles(text: str) -> list[bytes]:
    if len(text) <= SHINGLE:
        return [text.encode("utf-8")]
    return [text[i : i + SHINGLE].encode("utf-8") for i in range(len(text) - SHINGLE + 1)]


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)  # fast, and the same in every process (unlike hash())


def _signatures(keys: Sequence[str]) -> np.ndarray:
    """MinHash values of each sentence, one row each (the MinHash objects are not kept)."""
    from datasketch import MinHash

    dtype = MinHash(num_perm=NUM_PERM, hashfunc=_crc32).hashvalues.dtype  # uint32 since 2.0
    matrix = np.empty((len(keys), NUM_PERM), dtype=dtype)
    minhashes = MinHash.generator(
        (_shingles(key) for key in keys), num_perm=NUM_PERM, hashfunc=_crc32
    )
    for row, minhash in enumerate(minhashes):
        matrix[row] = minhash.hashvalues
    return matrix


def _bands(threshold: float) -> list[tuple[int, int]]:
    """The column ranges datasketch's MinHashLSH hashes together for this threshold."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return [(band * lsh.r, (band + 1) * lsh.r) for band in range(lsh.b)]


def _buckets(signatures: np.ndarray, bands: Sequence[tuple[int, int]]) -> Iterator[list[int]]:
    """Sentences (ascending) that share one band's values: the candidates MinHash LSH would
    return for each other."""
    for start, end in bands:
        _, bucket = np.unique(signatures[:, start:end], axis=0, return_inverse=True)
        bucket = bucket.ravel()
        shared = np.flatnonzero(np.bincount(bucket)[bucket] > 1)
        if not len(shared):
            continue
        members = shared[np.argsort(bucket[shared], kind="stable")]
        splits = np.flatnonzero(np.diff(bucket[members])) + 1
        yield from (group.tolist() for group in np.split(members, splits))


def _bucket_pairs(
    members: Sequence[int], homes: Sequence[int], tails: set[int]
) -> Iterator[tuple[int, int]]:
    """Pairs of one bucket's sentences to check (``homes``: each sentence's report): all, but
    a report's sentences beyond its first ``MAX_BUCKET_KEYS`` there only with the bucket's
    first and with that report's previous one, and only in the first bucket where they are
    such (``tails``: those met so far, updated).

    >>> list(_bucket_pairs([0, 1, 2], [0, 0, 1], set()))
    [(0, 1), (0, 2), (1, 2)]
    >>> tails = set()
    >>> len(list(_bucket_pairs(range(100), [0] * 100, tails)))  # 28 + 2 × 92, not 4950
    212
    >>> len(list(_bucket_pairs(range(100), [0] * 100, tails)))  # another band: heads only
    28
    """
    heads: list[int] = []
    seen: Counter[int] = Counter()
    previous: dict[int, int] = {}
    for key in members:
        home = homes[key]
        if seen[home] < MAX_BUCKET_KEYS:
            yield from ((head, key) for head in heads)
            heads.append(key)
        elif key not in tails:
            tails.add(key)
            yield heads[0], key
            if previous[home] != heads[0]:
                yield previous[home], key
        seen[home] += 1
        previous[home] = key


def _ratio(text: str, other: str, min_similarity: float) -> float | None:
    """difflib's ratio if at least ``min_similarity`` (its cheap upper bounds first)."""
    matcher = difflib.SequenceMatcher(None, text, other, autojunk=False)
    if matcher.real_quick_ratio() < min_similarity or matcher.quick_ratio() < min_similarity:
        return None
    ratio = matcher.ratio()
    return ratio if ratio >= min_similarity else None


def find_reuse(
    documents: pd.DataFrame,
    *,
    min_chars: int = 50,
    min_unit_chars: int = 10,
    min_similarity: float = 0.85,
    threshold: float = 0.5,
    max_documents: int = 200,
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
        How alike two sentences must be (``difflib`` ratio of the normalised sentences) to
        count as one copied from the other; identical ones always count.
    threshold
        MinHash LSH's Jaccard threshold for candidates (lower finds more, checks more).
    max_documents
        A sentence found in more reports than this is a formula: counted, never paired.

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
    frame = documents.reset_index(drop=True)
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
        return pd.DataFrame(columns=REUSE_COLUMNS)
    key_texts = list(number_of_key)
    del number_of_key

    similar = _similar_keys(key_texts, homes, threshold=threshold, min_similarity=min_similarity)
    places = _places([text.keys for text in prepared], similar)
    sharing = _sharing(places, similar)
    pairs = _sentence_pairs(
        [text.keys for text in prepared], places, similar, sharing, max_documents=max_documents
    )
    del places

    rows = []
    for (doc, other_doc), found in pairs.items():
        mine, theirs, internal = prepared[doc], prepared[other_doc], doc == other_doc
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
                start, end, other_start, other_end = span
                rows.append(
                    {
                        "doc_id": doc_ids[doc],
                        "other_doc_id": doc_ids[other_doc],
                        "start": start,
                        "end": end,
                        "other_start": other_start,
                        "other_end": other_end,
                        "n_chars": end - start,
                        "text": texts[doc][start:end],
                        "relation": _relation(doc, other_doc, entities, parents, years),
                        "n_documents": min(item[3] for item in evidence),
                        "similarity": round(sum(item[2] for item in evidence) / len(evidence), 3),
                    }
                )
    table = pd.DataFrame(rows, columns=REUSE_COLUMNS)
    if table.empty:
        return table
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
    key_texts: Sequence[str], homes: Sequence[int], *, threshold: float, min_similarity: float
) -> dict[int, dict[int, float]]:
    """Distinct sentences alike enough to be copies of each other: ``{key: {other: ratio}}``,
    both ways (a sentence is never listed as similar to itself)."""
    signatures = _signatures(key_texts)
    n_keys = len(key_texts)
    candidates = array("q")
    tails: set[int] = set()
    for members in _buckets(signatures, _bands(threshold)):
        pairs = _bucket_pairs(members, homes, tails)
        candidates.extend(key * n_keys + other for key, other in pairs)
    del signatures
    similar: dict[int, dict[int, float]] = defaultdict(dict)
    # each pair once (a pair shares several bands), in order: the relation is symmetric
    for code in np.unique(np.frombuffer(candidates, dtype=np.int64)).tolist():
        key, other = divmod(code, n_keys)
        ratio = _ratio(key_texts[key], key_texts[other], min_similarity)
        if ratio is not None:
            similar[key][other] = ratio
            similar[other][key] = ratio
    return dict(similar)


def _places(
    keys_of_doc: Sequence[Sequence[int]], similar: dict[int, dict[int, float]]
) -> dict[int, dict[int, list[int]]]:
    """Where each sentence that can be paired is found: ``{key: {doc: [sentence numbers]}}``,
    for sentences found twice or more, or like another (the rest cannot be paired)."""
    counts = np.bincount(np.concatenate([np.asarray(keys, dtype=np.int64) for keys in keys_of_doc]))
    wanted = counts > 1
    wanted[list(similar)] = True
    wanted_list = wanted.tolist()
    places: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
    for doc, keys in enumerate(keys_of_doc):
        for number, key in enumerate(keys):
            if wanted_list[key]:
                places[key][doc].append(number)
    return places


def _sharing(
    places: dict[int, dict[int, list[int]]], similar: dict[int, dict[int, float]]
) -> dict[int, int]:
    """How many reports hold each sentence or one like it."""
    sharing = {}
    for key, where in places.items():
        holders = set(where)
        for other in similar.get(key, ()):
            holders.update(places[other])
        sharing[key] = len(holders)
    return sharing


def _sentence_pairs(
    keys_of_doc: Sequence[Sequence[int]],
    places: dict[int, dict[int, list[int]]],
    similar: dict[int, dict[int, float]],
    sharing: dict[int, int],
    *,
    max_documents: int,
) -> dict[tuple[int, int], dict[tuple[int, int], tuple[float, int]]]:
    """Matching sentences paired between two reports (or two places of one):
    ``{(doc, other_doc): {(mine, theirs): (ratio, n_documents)}}``, each pair both ways.

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
    for key, where in places.items():
        if sharing[key] > max_documents:
            continue  # a formula: counted in `sharing`, never paired
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
                    other_key, numbers = theirs[0]
                    for rank, one in enumerate(mine):
                        add(doc, other_doc, one, numbers[rank % len(numbers)], key, other_key)
    for doc, families in chained.items():
        for one, other, key, other_key in _chain(keys_of_doc[doc], families):
            add(doc, doc, one, other, key, other_key)
    return pairs


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
        formulae of the genre: they count in ``formula_ratio``, not in ``boilerplate_ratio``.
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
    # a passage in two reports is a copy between them whatever the corpus size
    limit = max(2.0, max_share * n_reports)
    rows = []
    grouped = dict(tuple(reuse.groupby("doc_id"))) if len(reuse) else {}
    for document in documents.itertuples(index=False):
        n_chars = max(len(document.text or ""), 1)
        own = grouped.get(document.doc_id)
        previous = _previous(documents, document)
        if own is None:
            rows.append(
                (document.doc_id, len(document.text or ""), 0.0, 0.0, 0.0, previous, 0.0, 0, "")
            )
            continue
        external = own[own["relation"] != "internal"]
        formula = external[external["n_documents"] > limit]
        copied = external[external["n_documents"] <= limit]
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


def _previous(documents: pd.DataFrame, document) -> str | None:
    entity = getattr(document, "entity", "")
    year = getattr(document, "report_year", None)
    if not entity or year is None or pd.isna(year):
        return None
    earlier = documents[(documents["entity"] == entity) & (documents["report_year"] < year)]
    if earlier.empty:
        return None
    return str(earlier.sort_values(["report_year", "doc_id"]).iloc[-1]["doc_id"])
