"""Differential test of :func:`reportlib.readers.read_file`'s text decoding.

Every real page of the sample (``data/raw/corpus/d*.txt`` and ``data/raw/seeds/*.txt``, all
UTF-8) is written in UTF-8, GB18030, GBK (pages GBK can encode), UTF-16 LE and BE, each with
and without a byte-order mark, and every copy is also damaged in seeded random ways. Each
copy must be read, to the page's text up to the damaged characters:

* a clean copy reads back exactly, in the encoding it was written in;
* a damaged copy reads with the right encoding family, and every difference from the page
  (a non-equal :class:`difflib.SequenceMatcher` opcode) starts within ``NEAR`` characters
  of a damaged place and spans at most ``PER_DAMAGE`` characters per damaged place;
* except for *silent* damage in GB18030/GBK and UTF-16, which are not self-synchronising: a
  byte inserted or flipped so that the bytes after it still decode (out of step, but
  valid), or a second insertion in the same line that puts the bytes back in step, leaves
  nothing to tell the decoder where the damage is. Such a difference must still start at a
  damaged place and end before the next boundary after it (a character below ``0`` in
  GB18030, whose byte can never be part of a pair; a newline in UTF-16); these copies are
  counted apart, and must stay rare.

The sample files are only read; copies are written to pytest's ``tmp_path``.
"""

from __future__ import annotations

import bisect
import codecs
import difflib
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from reportlib.clean import normalize_newlines
from reportlib.readers import RawDocument, read_file

RAW = Path(__file__).resolve().parents[1] / "data" / "raw"
PAGES = sorted([*(RAW / "corpus").glob("d*.txt"), *(RAW / "seeds").glob("*.txt")])

# (variant, codec used to write the body, byte-order mark, encoding read_file must report)
VARIANTS: tuple[tuple[str, str, bytes, str], ...] = (
    ("utf-8", "utf-8", b"", "utf-8"),
    ("gb18030", "gb18030", b"", "gb18030"),
    ("gbk", "gbk", b"", "gb18030"),
    ("utf-16-le", "utf-16-le", b"", "utf-16-le"),
    ("utf-16-be", "utf-16-be", b"", "utf-16-be"),
    ("utf-16-le-bom", "utf-16-le", codecs.BOM_UTF16_LE, "utf-16"),
    ("utf-16-be-bom", "utf-16-be", codecs.BOM_UTF16_BE, "utf-16"),
)
FAMILY = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "gb18030": "gb18030",
    "utf-16": "utf-16",
    "utf-16-le": "utf-16",
    "utf-16-be": "utf-16",
}
DAMAGES = ("flip", "insert", "nul", "truncate")

# A damaged byte may turn its character into up to three U+FFFD (a UTF-8 lead byte whose two
# continuation bytes become strays) or knock the neighbouring character out with it (a byte
# inserted inside a two-byte character), so each damaged place may account for this many
# differing characters, lying at most NEAR characters from it.
PER_DAMAGE = 3
NEAR = 2
# Where a decoder out of step is back in step (see the module docstring).
BOUNDARY = {"gb18030": re.compile(r"[\x00-/]"), "utf-16": re.compile(r"\n")}
# Silent damage is rare: at most this share of the damaged copies.
MAX_SILENT_SHARE = 0.03


@dataclass(frozen=True)
class Copy:
    """One encoded, possibly damaged copy of a page, and what reading it must give."""

    page: str
    variant: str
    damage: str  # "none" or one of DAMAGES
    data: bytes
    expected: str  # the page's text, as read_file returns it
    encoding: str  # reported encoding of the clean copy
    places: tuple[int, ...]  # character offsets (in expected) of the damaged places

    @property
    def name(self) -> str:
        return f"{self.page}/{self.variant}/{self.damage}"


def page_text(path: Path) -> str:
    return normalize_newlines(path.read_text(encoding="utf-8"))


def char_ends(text: str, codec: str, start: int) -> list[int]:
    """Byte offset just after each character of *text* encoded with *codec* after *start* bytes."""
    ends, pos = [], start
    for char in text:
        pos += len(char.encode(codec))
        ends.append(pos)
    return ends


def char_at(ends: list[int], byte: int) -> int:
    """Index of the character holding byte offset *byte* (the BOM counts as character 0)."""
    return min(bisect.bisect_right(ends, byte), len(ends) - 1)


def damage(data: bytes, ends: list[int], kind: str, rng: random.Random) -> tuple[bytes, list[int]]:
    """Damage *data* in one of DAMAGES ways; return it and the damaged character offsets.

    Flips and insertions go to distinct random byte offsets and are applied from the last
    to the first, so every offset refers to the undamaged bytes.
    """
    buf = bytearray(data)
    if kind == "truncate":
        # Cut inside the last multi-byte character: everything after it is lost, and the
        # expected text is shortened to end with that character (see make_copies).
        last = max(i for i in range(len(ends)) if ends[i] - (ends[i - 1] if i else 0) > 1)
        return bytes(buf[: ends[last] - 1]), [last]
    count = 1 if kind == "nul" else rng.randint(1, 3)
    offsets = sorted(rng.sample(range(len(buf)), count), reverse=True)
    for offset in offsets:
        if kind == "flip":
            buf[offset] ^= rng.randint(1, 255)
        elif kind == "insert":
            buf.insert(offset, rng.randint(1, 255))
        else:  # nul
            buf.insert(offset, 0)
    return bytes(buf), [char_at(ends, offset) for offset in offsets]


def make_copies(pages: list[Path] = PAGES) -> Iterator[Copy]:
    """Every variant of every page, clean and damaged in each way (seeded, so reproducible)."""
    for path in pages:
        text = page_text(path)
        for variant, codec, bom, encoding in VARIANTS:
            try:
                body = text.encode(codec)
            except UnicodeEncodeError:
                yield Copy(path.name, variant, "skipped", b"", text, encoding, ())
                continue
            data = bom + body
            ends = char_ends(text, codec, len(bom))
            yield Copy(path.name, variant, "none", data, text, encoding, ())
            for kind in DAMAGES:
                rng = random.Random(f"{path.name}/{variant}/{kind}")
                damaged, places = damage(data, ends, kind, rng)
                expected = text[: places[0] + 1] if kind == "truncate" else text
                yield Copy(path.name, variant, kind, damaged, expected, encoding, tuple(places))


def common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix (found by halving, comparing whole slices)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def differences(expected: str, got: str) -> list[tuple[int, int, int]]:
    """``(start, end, size)`` in *expected* of each stretch where *got* differs from it."""
    # The common prefix and suffix are cut off first: difflib is quadratic on the rest.
    head = common_prefix(expected, got)
    tail = common_prefix(expected[head:][::-1], got[head:][::-1])
    a, b = expected[head : len(expected) - tail], got[head : len(got) - tail]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [
        (head + i1, head + i2, max(i2 - i1, j2 - j1))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def check(
    copy: Copy, doc: RawDocument, diffs: list[tuple[int, int, int]]
) -> tuple[str | None, bool]:
    """Why reading *copy* gave the wrong result (``None`` if right), and whether it was silent.

    *diffs* are the :func:`differences` between the page and the text read.
    """
    got, encoding = doc.text, doc.encoding
    if copy.damage == "none":
        if got != copy.expected:
            return "clean copy read to a different text", False
        if encoding != copy.encoding:
            return f"clean copy read as {encoding}, written as {copy.encoding}", False
        if doc.n_replaced:
            return f"clean copy read with {doc.n_replaced} bytes replaced", False
        return None, False
    family = FAMILY[copy.encoding]
    if FAMILY.get(encoding or "") != family:
        return f"read as {encoding}, written as {copy.encoding}", False
    for start, end, _ in diffs:
        if not any(start - NEAR <= place <= end + NEAR for place in copy.places):
            return f"characters {start}-{end} differ, away from the damage at {copy.places}", False
    total = sum(size for _, _, size in diffs)
    if total <= PER_DAMAGE * len(copy.places):
        return None, False
    boundary = BOUNDARY.get(family)
    for start, end, size in diffs:
        if size <= PER_DAMAGE:
            continue
        # Silent: from a damaged place to before the next boundary after it.
        silent = boundary is not None and any(
            place - NEAR <= start <= place + NEAR
            and boundary.search(copy.expected, place + 1, max(end - NEAR, place + 1)) is None
            for place in copy.places
        )
        if not silent:
            return f"{total} characters differ for {len(copy.places)} damaged places", False
    return None, True


@dataclass
class Tally:
    tested: int = 0
    skipped: int = 0
    exact: int = 0
    rejected: int = 0
    wrong: int = 0
    silent: int = 0  # right, but only thanks to the silent-damage allowance
    worst: int = 0  # most differing characters in one copy
    worst_copy: str = ""


def run(reader=read_file, *, tmp: Path, pages: list[Path] = PAGES) -> tuple[Tally, list[str]]:
    """Read every copy with *reader*; count the outcomes and list the failures."""
    tally, failures = Tally(), []
    path = tmp / "copy.txt"
    for copy in make_copies(pages):
        if copy.damage == "skipped":
            tally.skipped += 1
            continue
        tally.tested += 1
        path.write_bytes(copy.data)
        try:
            doc = reader(path)
        except Exception as exc:
            tally.rejected += 1
            failures.append(f"{copy.name}: rejected: {exc}")
            continue
        if doc.text == copy.expected:
            tally.exact += 1
        diffs = differences(copy.expected, doc.text)
        size = sum(s for _, _, s in diffs)
        if size > tally.worst:
            tally.worst, tally.worst_copy = size, copy.name
        problem, silent = check(copy, doc, diffs)
        tally.silent += silent
        if problem is not None:
            tally.wrong += 1
            failures.append(f"{copy.name}: {problem}")
    return tally, failures


def test_every_copy_reads_to_the_page_up_to_the_damage(tmp_path: Path) -> None:
    tally, failures = run(tmp=tmp_path)

    print(f"\n{tally}")
    assert tally.tested > 1500
    assert failures == []
    assert tally.rejected == 0
    damaged = tally.tested * len(DAMAGES) // (len(DAMAGES) + 1)
    assert tally.silent <= MAX_SILENT_SHARE * damaged
    # Every clean copy, and the copies whose damage happens to be harmless, read exactly.
    assert tally.exact >= tally.tested // (len(DAMAGES) + 1)


# One page, every variant: damage of a known kind at a known place.
PAGE = RAW / "corpus" / "d001.txt"


def variant_bytes(text: str, variant: str) -> tuple[bytes, int]:
    """*text* written as *variant*, and the length of its byte-order mark."""
    _, codec, bom, _ = next(v for v in VARIANTS if v[0] == variant)
    return bom + text.encode(codec), len(bom)


def read_bytes(tmp_path: Path, data: bytes) -> RawDocument:
    path = tmp_path / "report.txt"
    path.write_bytes(data)
    return read_file(path)


@pytest.mark.parametrize("variant", [v[0] for v in VARIANTS])
def test_clean_copy_reads_exactly_with_nothing_replaced(variant: str, tmp_path: Path) -> None:
    text = page_text(PAGE)
    data, _ = variant_bytes(text, variant)

    doc = read_bytes(tmp_path, data)

    expected = next(v[3] for v in VARIANTS if v[0] == variant)
    assert (doc.text, doc.encoding, doc.n_replaced, doc.first_replaced_offset) == (
        text,
        expected,
        0,
        None,
    )
    assert data.decode(doc.encoding) == text  # the CONTRACT's exactness promise


@pytest.mark.parametrize("variant", [v[0] for v in VARIANTS])
def test_one_inserted_byte_is_replaced_where_it_is(variant: str, tmp_path: Path) -> None:
    # Inserted between two characters, in the middle of a line: every decoder must skip
    # just that byte, even the multi-byte ones, where it throws the rest of the line out
    # of step (the old decoder rejected all of these copies).
    text = page_text(PAGE)
    at = text.index("深入贯彻") + 2
    head, bom = variant_bytes(text[:at], variant)
    tail, _ = variant_bytes(text[at:], variant)
    junk = b"\xff" if variant == "utf-8" else b"\xb0" if variant.startswith("gb") else b"A"
    data = head + junk + tail[bom:]

    doc = read_bytes(tmp_path, data)

    assert doc.text == text[:at] + "\ufffd" + text[at:]
    assert (doc.n_replaced, doc.first_replaced_offset) == (1, len(head))


@pytest.mark.parametrize("variant", ["utf-8", "gb18030", "gbk"])
def test_stray_nul_is_dropped_and_counted(variant: str, tmp_path: Path) -> None:
    text = page_text(PAGE)
    at = text.index("法治政府建设")
    head, _ = variant_bytes(text[:at], variant)
    tail, _ = variant_bytes(text[at:], variant)

    # The NUL lands inside the character before "法": dropped, it leaves that character whole.
    doc = read_bytes(tmp_path, head[:-1] + b"\x00" + head[-1:] + tail)

    assert doc.text == text
    assert (doc.encoding, doc.n_replaced, doc.first_replaced_offset) == (
        "utf-8" if variant == "utf-8" else "gb18030",
        1,
        len(head) - 1,
    )


@pytest.mark.parametrize("variant", [v[0] for v in VARIANTS])
def test_truncated_last_character_is_replaced(variant: str, tmp_path: Path) -> None:
    text = page_text(PAGE).rstrip() + "。"
    data, _ = variant_bytes(text, variant)
    data = data[:-1]  # "。" loses its last byte

    doc = read_bytes(tmp_path, data)

    assert doc.text == text[:-1] + "\ufffd"
    width = len("。".encode(next(v[1] for v in VARIANTS if v[0] == variant)))
    assert (doc.n_replaced, doc.first_replaced_offset) == (width - 1, len(data) - width + 1)
    assert FAMILY[doc.encoding] == FAMILY[next(v[3] for v in VARIANTS if v[0] == variant)]
