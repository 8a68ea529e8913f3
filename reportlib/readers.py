"""File → raw text, for every format reportlib reads (txt, html/htm, docx, pdf).

CONTRACT (implemented by the readers helper; other modules rely on exactly this):

    SUPPORTED_SUFFIXES: frozenset[str]   # {".txt", ".html", ".htm", ".docx", ".pdf"}

    @dataclass(frozen=True)
    class RawDocument:
        path: Path
        sha256: str          # hex digest of the raw bytes
        format: str          # "txt" | "html" | "docx" | "pdf"
        encoding: str | None # e.g. "utf-8", "utf-8-sig", "gb18030", "utf-16", "big5";
                             # None for docx/pdf
        text: str            # extracted text, one line per paragraph/block, NOT cleaned further
        n_replaced: int = 0  # bytes that could not be decoded (txt/html), see below
        first_replaced_offset: int | None = None  # byte offset of the first of them

    def read_file(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> RawDocument
        # raises reportlib.errors.ReadError subclasses, or LimitExceededError
    def file_sha256(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> str
        # raises OSError, SpecialFileError or LimitExceededError

Notes on the choices made here:

* Reading never blocks, spins or reads without bound. The path is ``os.stat``-ed first
  (following symbolic links): a FIFO, socket, device or directory, or a link to one, is a
  :class:`~reportlib.errors.SpecialFileError` naming its kind and is never opened for
  reading. A regular file is opened non-blocking and checked again on the descriptor (it
  may have been swapped in between). A file over ``limits.max_file_bytes`` is refused
  before reading, and the read stops at that size plus one byte in case the file grows.
  Text longer than ``limits.max_text_chars`` (any format) is refused too; both are
  :class:`~reportlib.errors.LimitExceededError`.
* Text encodings are detected, not guessed, and the same bytes always give the same
  verdict: byte-order mark, then strict UTF-8, then the page's declared charset (HTML) if
  it decodes the bytes exactly, and otherwise a scoring of the candidates UTF-8, GB18030
  and Big5 (plus UTF-16 LE/BE when the bytes hold NULs) on the first 64 KiB. A candidate's
  score adds a cost for each byte it cannot decode to a cost for each character by how
  plausible it is in a Chinese report: ASCII, punctuation and the 3,755 common hanzi of
  GB2312 level 1 (for GB18030) or the 5,401 of Big5 level 1 (for Big5) cost nothing, a
  level-2 hanzi a little, any other hanzi more, kana, Hangul or accented letters (what
  misread CJK bytes turn into) more, control and private-use characters most. The common
  sets are computed from the codecs, no data file. GB18030 decodes almost any byte pair,
  so plausibility is what tells it from Big5 bytes; a candidate whose characters average
  a cost over 1 or whose hanzi are mostly not level 1 is not plausible at all. The
  cheapest plausible candidate that decodes the whole file within the replacement rule
  wins; ``charset_normalizer`` is only the fallback when none does (Latin-1,
  Shift-JIS ...). GBK/GB2312 are reported as their superset ``gb18030``, Big5 as ``big5``,
  or ``cp950``/``big5hkscs`` when the file needs their extensions, UTF-16 without a BOM
  as ``utf-16-le``/``utf-16-be``.
* Decoding loses as little as possible. Bytes that cannot be decoded are replaced by
  U+FFFD (one per run of adjacent bad bytes) and counted in ``n_replaced``;
  ``first_replaced_offset`` is the byte offset in the file of the first one. Stray NUL
  bytes in a file that is not UTF-16 are *dropped*, and counted the same way. GB18030,
  Big5 and UTF-16 are not self-synchronising: a lost or inserted byte shifts every
  following byte pair, up to the next byte below 0x30 (never part of a GB18030 or Big5
  pair) or the next UTF-16 newline. So a stretch that fails to decode (with the segment
  after it) is re-synchronised: a shortest-path search picks the reading that skips the
  fewest bytes for the most plausible characters, a character that occurs elsewhere in
  the file's undamaged text being plausible whatever its class. Segments that decode are
  never changed, so damage that leaves valid bytes (rare: an out-of-step stretch that
  happens to decode) is not found. The replacement rule: a file is text when at most 1 %
  of its bytes (and never fewer than 3) are replaced, NULs included; more, and it is a
  :class:`~reportlib.errors.BinaryFileError`, as is a file with more than 5 % control
  bytes or whose decoded text is more than 10 % control, private-use or replacement
  characters (beyond the replacements counted). When ``n_replaced == 0`` the reported
  ``encoding`` decodes the raw bytes exactly (``raw.decode(doc.encoding)``, line endings
  aside); GBK/GB2312 files decode exactly with ``gb18030``.
* HTML is parsed with lxml; scripts, forms controls, menus, sidebars, footers and other
  page chrome are removed, but the breadcrumb and the date/source lines are kept for the
  later metadata stages. The ``<title>`` text is the first output line.
* DOCX is read with :mod:`zipfile` and a hardened lxml parser, not python-docx: only the
  main document part is inflated, through a bounded stream, and everything inflated from
  one package is capped by ``limits.max_inflated_bytes``; entities are never expanded and a
  part declaring a DTD is refused.
* Line endings are always ``\\n``; nothing else is cleaned.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import posixpath
import re
import stat
import sys
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import lxml.html
import numpy as np
from charset_normalizer import from_bytes
from lxml import etree
from lxml.html import HtmlElement
from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFEncryptionError

from reportlib.clean import normalize_newlines
from reportlib.errors import (
    BinaryFileError,
    EmptyFileError,
    LimitExceededError,
    NoTextLayerError,
    ReadError,
    ReportlibError,
    SpecialFileError,
    UnsupportedFormatError,
)
from reportlib.limits import DEFAULT_LIMITS, Limits

__all__ = ["SUPPORTED_SUFFIXES", "RawDocument", "file_sha256", "read_file"]

SUPPORTED_SUFFIXES: frozenset[str] = frozenset({".txt", ".html", ".htm", ".docx", ".pdf"})

_FORMAT_BY_SUFFIX: dict[str, str] = {
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}


@dataclass(frozen=True)
class RawDocument:
    """The text of one input file, before any cleaning.

    Parameters
    ----------
    path
        The file that was read.
    sha256
        Hex SHA-256 digest of the file's raw bytes (identifies the input, not the text).
    format
        ``"txt"``, ``"html"``, ``"docx"`` or ``"pdf"``.
    encoding
        Codec the bytes were decoded with, for txt/html (e.g. ``"utf-8"``,
        ``"utf-8-sig"``, ``"gb18030"``, ``"utf-16"``, ``"big5"``); ``None`` for docx/pdf.
    text
        Extracted text, one line per paragraph/block, ``\\n`` line endings.
    n_replaced
        Number of bytes (txt/html) that could not be decoded and were replaced by U+FFFD,
        or, for stray NUL bytes, dropped. ``0`` for a cleanly decoded file and for docx/pdf.
    first_replaced_offset
        Byte offset in the file of the first replaced byte; ``None`` if there is none.

    Examples
    --------
    >>> doc = RawDocument(Path("a.txt"), "0" * 64, "txt", "utf-8", "标题\\n正文")
    >>> doc.text.splitlines()[0], doc.n_replaced
    ('标题', 0)
    """

    path: Path
    sha256: str
    format: str
    encoding: str | None
    text: str
    n_replaced: int = 0
    first_replaced_offset: int | None = None


@dataclass(frozen=True)
class _Extracted:
    """What a format reader returns: the text and how it was decoded."""

    text: str
    encoding: str | None = None
    n_replaced: int = 0
    first_replaced_offset: int | None = None


def file_sha256(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> str:
    """Hex SHA-256 of a regular file's bytes, read in bounded chunks.

    Parameters
    ----------
    path
        The file to hash.
    limits
        Only ``max_file_bytes`` applies.

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    SpecialFileError
        The path is a FIFO, socket, device or directory (or a link to one); it is not opened.
    LimitExceededError
        The file is larger than ``limits.max_file_bytes`` (or grew past it while hashed).
    OSError
        The file cannot be read (missing, permission denied ...).

    Examples
    --------
    >>> len(file_sha256("data/raw/seeds/000_aaf925eb580b3263.txt"))
    64
    """
    path = Path(path)
    digest = hashlib.sha256()
    with _open_regular(path, limits) as (fd, _):
        for chunk in _bounded_chunks(fd, limits.max_file_bytes, path, first=_READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def read_file(path: str | Path, *, limits: Limits = DEFAULT_LIMITS) -> RawDocument:
    """Read a txt, html/htm, docx or pdf file into a :class:`RawDocument`.

    Parameters
    ----------
    path
        The file to read. The suffix (case-insensitive) selects the reader.
    limits
        Per-file budgets: ``max_file_bytes``, ``max_inflated_bytes`` (DOCX) and
        ``max_text_chars`` apply here (``max_seconds`` is enforced by the build).

    Returns
    -------
    RawDocument
        The extracted text plus the file's SHA-256, detected encoding and the count of
        bytes that could not be decoded.

    Raises
    ------
    UnsupportedFormatError
        The suffix is not in :data:`SUPPORTED_SUFFIXES`.
    SpecialFileError
        The path is a FIFO, socket, device or directory (or a link to one); not opened.
    EmptyFileError
        The file has no bytes, or (txt/html) only white space.
    BinaryFileError
        A txt/html file whose bytes are not text in any detectable encoding, or with more
        than 1 % undecodable bytes.
    NoTextLayerError
        A PDF or DOCX with no extractable text (e.g. a scanned PDF).
    LimitExceededError
        The file, a DOCX's inflated XML or the extracted text is over its budget.
    ReadError
        Any other failure: missing file, corrupt or encrypted docx/pdf.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "report.txt"
    >>> _ = p.write_bytes("2023年度法治政府建设工作报告\\r\\n一、主要举措".encode("gb18030"))
    >>> doc = read_file(p)
    >>> doc.format, doc.encoding, doc.text.splitlines(), doc.n_replaced
    ('txt', 'gb18030', ['2023年度法治政府建设工作报告', '一、主要举措'], 0)
    >>> _ = p.write_bytes("一、主要举措".encode("utf-8") + b"\\xff")
    >>> doc = read_file(p)
    >>> doc.text, doc.n_replaced, doc.first_replaced_offset
    ('一、主要举措\\ufffd', 1, 18)
    """
    path = Path(path)
    fmt = _format_of(path)
    data = _read_bytes(path, limits)
    digest = hashlib.sha256(data).hexdigest()
    if not data:
        raise EmptyFileError("file is empty (0 bytes)", path=path)
    extracted = _READERS[fmt](data, path, limits)
    if len(extracted.text) > limits.max_text_chars:
        raise LimitExceededError(
            f"extracted text is {len(extracted.text):,} characters long",
            limit="max_text_chars",
            allowed=limits.max_text_chars,
            path=path,
        )
    return RawDocument(
        path=path,
        sha256=digest,
        format=fmt,
        encoding=extracted.encoding,
        text=extracted.text,
        n_replaced=extracted.n_replaced,
        first_replaced_offset=extracted.first_replaced_offset,
    )


def _format_of(path: Path) -> str:
    """Map the file's suffix (case-insensitive) to a format name."""
    fmt = _FORMAT_BY_SUFFIX.get(path.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        shown = path.suffix or "(no suffix)"
        raise UnsupportedFormatError(
            f"unsupported file type {shown}; reportlib reads {supported}", path=path
        )
    return fmt


# --------------------------------------------------------------------------------------
# File access: regular files only, bounded reads
# --------------------------------------------------------------------------------------

# O_NONBLOCK: should the path be swapped for a FIFO after the stat, opening it must not wait
# for a writer (the fstat then refuses it). Windows has neither flag but has O_BINARY.
_OPEN_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)
_READ_CHUNK = 1024 * 1024

_SPECIAL_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, "directory"),
    (stat.S_ISFIFO, "FIFO"),
    (stat.S_ISSOCK, "socket"),
    (stat.S_ISCHR, "character device"),
    (stat.S_ISBLK, "block device"),
)


def _read_bytes(path: Path, limits: Limits) -> bytes:
    """Read a whole regular file (at most ``max_file_bytes``); OS errors become ReadError."""
    try:
        with _open_regular(path, limits) as (fd, size):
            chunks = _bounded_chunks(fd, limits.max_file_bytes, path, first=size + 1)
            return b"".join(chunks)
    except FileNotFoundError as exc:
        raise ReadError("file not found", path=path) from exc
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}", path=path) from exc


@contextmanager
def _open_regular(path: Path, limits: Limits) -> Iterator[tuple[int, int]]:
    """Open *path* for reading only if it is a regular file within the size budget.

    Yields the descriptor and the file's size. Special files are refused from their
    ``stat`` without being opened, since even opening a FIFO blocks until a writer comes.
    """
    _refuse_special(os.stat(path).st_mode, path)
    fd = os.open(path, _OPEN_FLAGS)
    try:
        info = os.fstat(fd)
        _refuse_special(info.st_mode, path)
        if info.st_size > limits.max_file_bytes:
            raise LimitExceededError(
                f"file is {info.st_size:,} bytes",
                limit="max_file_bytes",
                allowed=limits.max_file_bytes,
                path=path,
            )
        yield fd, info.st_size
    finally:
        os.close(fd)


def _refuse_special(mode: int, path: Path) -> None:
    """Raise :class:`SpecialFileError` unless *mode* is a regular file's."""
    if stat.S_ISREG(mode):
        return
    kind = next((name for is_kind, name in _SPECIAL_KINDS if is_kind(mode)), "special file")
    via = " (through a symbolic link)" if os.path.islink(path) else ""
    raise SpecialFileError(
        f"is a {kind}{via}, not a regular file; it was not opened, since reading it could "
        "block or never end",
        path=path,
        kind=kind,
    )


def _bounded_chunks(fd: int, limit: int, path: Path, *, first: int) -> Iterator[bytes]:
    """Yield the file's bytes; never read more than ``limit + 1`` bytes in all.

    The first read asks for *first* bytes (the size from ``fstat`` plus one, so a file that
    did not change is read in one call), later reads for a chunk each.
    """
    total, want = 0, first
    while True:
        chunk = os.read(fd, max(min(want, limit + 1 - total), 0))
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise LimitExceededError(
                f"file grew past {limit:,} bytes while being read",
                limit="max_file_bytes",
                allowed=limit,
                path=path,
            )
        yield chunk
        want = _READ_CHUNK


# --------------------------------------------------------------------------------------
# Plain text: encoding detection and decoding
# --------------------------------------------------------------------------------------

# Candidates are scored on a prefix, cut at a character boundary: a report's first 64 KiB
# are plenty of evidence, and the scoring is deterministic (no statistics of chance). The
# winner then decodes the whole file; should it replace too much there, the next plausible
# candidate is tried. UTF-16 is scored after re-synchronisation (an early inserted byte
# would otherwise garble the whole prefix), which is slower, so on a shorter prefix.
_SAMPLE_SIZE = 64 * 1024
_UTF16_SAMPLE_SIZE = 16 * 1024

# UTF-32 LE's BOM starts with UTF-16 LE's, so it must be tested first.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# C0 control bytes that never occur in text. Tab/LF/VT/FF/CR are layout, SO/SI/ESC are
# used by the ISO-2022 encodings and SUB (0x1a) is the DOS end-of-file marker.
_CONTROL_BYTES = bytes(
    b for b in [*range(0x20), 0x7F] if b not in b"\t\n\x0b\x0c\r\x0e\x0f\x1a\x1b"
)
_NON_CONTROL_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_MAX_CONTROL_BYTE_SHARE = 0.05

# After decoding: C0/C1 controls (except layout), U+FFFD and BMP private-use characters
# mean the bytes were not really text in that encoding.
_BAD_CHARS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_MAX_BAD_CHAR_SHARE = 0.10

# The replacement rule: a readable report may have a few bad bytes (a truncated last
# character, a stray NUL, a damaged sector), binary data has them everywhere. Random bytes
# fail a quarter or more of the time in every candidate, so 1 % leaves a wide margin on both
# sides; the floor lets a short file end in a cut character.
_MAX_REPLACED_SHARE = 0.01
_MIN_REPLACED_ALLOWED = 3

# GBK and GB2312 are subsets of GB18030; decoding with the superset never hurts and
# accepts the characters a "GBK" file so often contains anyway.
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030"})
# Supersets to try when a Big5 file uses Microsoft or HKSCS extension characters.
_FALLBACK_CODECS: dict[str, tuple[str, ...]] = {"big5": ("cp950", "big5hkscs")}
# Declared charsets that decode any bytes and so prove nothing about them.
_WEAK_DECLARATIONS = frozenset({"iso8859-1", "cp1252"})

_NON_SPACE = re.compile(r"\S")


@dataclass(frozen=True)
class _Codec:
    """A candidate encoding and how to judge and repair text decoded with it."""

    name: str  # Python codec
    script: str  # whose common characters make the text plausible: "gb", "big5" or "any"
    # For multi-byte codecs that are not self-synchronising (a lost or inserted byte shifts
    # every following character): where every character starts afresh whatever came
    # before, so damage shifts the characters up to the next boundary only. ``None`` for
    # UTF-8 (self-synchronising) and the fallback codecs: bad bytes are just replaced.
    boundary: re.Pattern[bytes] | None = None


# Bytes below 0x30 are never part of a multi-byte GB18030 or Big5 character; in UTF-16 only
# a newline (at either parity: the line after an inserted byte starts in step again) is a
# safe boundary, since an odd-offset newline would need a U+0Axx (Gurmukhi) character.
_BELOW_0X30 = re.compile(rb"[\x00-\x2f]+")
_UTF8 = _Codec("utf-8", "any")
_GB18030 = _Codec("gb18030", "gb", _BELOW_0X30)
_CP950 = _Codec("cp950", "big5", _BELOW_0X30)
_UTF16_LE = _Codec("utf-16-le", "any", re.compile(b"\n\x00"))
_UTF16_BE = _Codec("utf-16-be", "any", re.compile(b"\x00\n"))
_UTF16 = (_UTF16_LE, _UTF16_BE)
_EIGHT_BIT = (_UTF8, _GB18030, _CP950)  # in order of preference on equal scores


@dataclass(frozen=True)
class _Decoding:
    """Decoded text and the bytes that had to be replaced to get it."""

    text: str
    n_replaced: int = 0
    first_replaced: int | None = None  # byte offset in the decoded bytes


class _TooManyReplaced(Exception):
    """More bytes need replacing than the replacement rule allows."""


def _read_txt(data: bytes, path: Path, limits: Limits) -> _Extracted:
    """Decode a plain-text file; see :func:`_decode_text`."""
    decoded = _decode_text(data, path)
    _require_non_blank(decoded.text, path)
    return _Extracted(
        normalize_newlines(decoded.text),
        decoded.encoding,
        decoded.n_replaced,
        decoded.first_replaced_offset,
    )


def _decode_text(data: bytes, path: Path, *, declared: str | None = None) -> _Extracted:
    """Detect the encoding of *data* and decode all of it, replacing what cannot be decoded.

    Parameters
    ----------
    data
        The raw bytes (not empty).
    path
        The file, for error messages.
    declared
        An encoding the file itself declares (HTML ``<meta charset>``), used when it decodes
        the bytes exactly, and as a fallback before ``charset_normalizer``.

    Returns
    -------
    _Extracted
        The text, the codec, and the count and first offset of replaced bytes. With no
        replaced bytes, the codec decodes *data* exactly.

    Examples
    --------
    >>> _decode_text("全面推进依法行政，加快建设法治政府。".encode("gbk"), Path("x.txt"))
    _Extracted(text='全面推进依法行政，加快建设法治政府。', encoding='gb18030', n_replaced=0, first_replaced_offset=None)
    >>> _decode_text("依法\\x00行政".encode("gbk"), Path("x.txt")).text
    '依法行政'
    """
    bom = _bom_of(data)
    if bom is not None:
        return _decode_after_bom(data, *bom, path)
    n_nuls = data.count(0)
    # NUL never occurs in 8-bit or multi-byte text, only in UTF-16: for the 8-bit
    # candidates, NULs are stray bytes, dropped and counted as replaced.
    stripped = data.replace(b"\x00", b"") if n_nuls else data
    controls = _control_share(stripped[:_SAMPLE_SIZE])
    text_like = controls <= _MAX_CONTROL_BYTE_SHARE
    if n_nuls == 0 and text_like:
        exact = _decode_exactly(data, declared)
        if exact is not None:
            return _checked(exact, path)
    allowance = _replacement_allowance(len(data))
    eight_bit = text_like and n_nuls <= allowance
    for codec in _candidates(data, stripped, n_nuls, allowance, declared, eight_bit=eight_bit):
        decoded = _decode_candidate(data, stripped, n_nuls, codec, allowance)
        if decoded is not None:
            return _checked(decoded, path)
    if not text_like:
        raise BinaryFileError(
            f"{controls:.0%} of the first {min(len(stripped), _SAMPLE_SIZE)} bytes are control "
            "codes; looks like a binary file, not text",
            path=path,
        )
    nul_bytes = f"{n_nuls} NUL bytes and " if n_nuls else ""
    raise BinaryFileError(
        f"{nul_bytes}no encoding decodes the bytes with at most {_MAX_REPLACED_SHARE:.0%} of "
        "them replaced; looks like a binary file, not text",
        path=path,
    )


def _candidates(
    data: bytes,
    stripped: bytes,
    n_nuls: int,
    allowance: int,
    declared: str | None,
    *,
    eight_bit: bool,
) -> Iterator[_Codec]:
    """Codecs to try, best first: the plausible ones by score, then the fallbacks.

    The fallbacks (declared charset, charset_normalizer's guess) are only worked out when
    no scored candidate decodes the file: charset_normalizer is slow.
    """
    yield from _ranked_candidates(data, stripped, n_nuls, allowance, eight_bit=eight_bit)
    if eight_bit:
        yield from _fallback_candidates(stripped, declared)


def _checked(decoded: _Extracted, path: Path) -> _Extracted:
    """*decoded*, unless its text is mostly control or private-use characters."""
    _reject_binary_text(decoded.text, decoded.encoding or "", path, replaced=decoded.n_replaced)
    return decoded


def _decode_exactly(data: bytes, declared: str | None) -> _Extracted | None:
    """Strict UTF-8, then the declared charset: the fast paths for clean files."""
    try:
        # Strict UTF-8 is unambiguous: GBK/Big5 text essentially never forms valid
        # UTF-8 sequences.
        return _Extracted(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if declared is not None and _is_trustworthy_declaration(declared):
        decoded = _try_decode(data, declared)
        if decoded is not None:
            return _Extracted(*decoded)
    return None


def _decode_after_bom(data: bytes, bom: bytes, bom_encoding: str, path: Path) -> _Extracted:
    """Decode a file that starts with a byte-order mark; its codec is not in doubt."""
    codec = _codec_after_bom(bom)
    allowance = _replacement_allowance(len(data))
    try:
        decoded = _decode_repairing(data[len(bom) :], codec, limit=allowance)
    except _TooManyReplaced:
        raise BinaryFileError(
            f"starts with a {bom_encoding} byte-order mark, but more than "
            f"{_MAX_REPLACED_SHARE:.0%} of its bytes are not valid {bom_encoding}; the file "
            "is badly damaged or binary, not text",
            path=path,
        ) from None
    first = None if decoded.first_replaced is None else decoded.first_replaced + len(bom)
    return _checked(_Extracted(decoded.text, bom_encoding, decoded.n_replaced, first), path)


def _codec_after_bom(bom: bytes) -> _Codec:
    """The byte-order-specific codec for the bytes after *bom*."""
    if bom == codecs.BOM_UTF8:
        return _UTF8
    if bom == codecs.BOM_UTF16_LE:
        return _UTF16_LE
    if bom == codecs.BOM_UTF16_BE:
        return _UTF16_BE
    name = "utf-32-le" if bom == codecs.BOM_UTF32_LE else "utf-32-be"
    return _Codec(name, "any")


def _bom_of(data: bytes) -> tuple[bytes, str] | None:
    """The leading byte-order mark and the encoding it implies, if any."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return bom, encoding
    return None


def _replacement_allowance(n_bytes: int) -> int:
    """How many of *n_bytes* may be replaced for the file to still count as text.

    Examples
    --------
    >>> _replacement_allowance(100), _replacement_allowance(20_000)
    (3, 200)
    """
    return max(_MIN_REPLACED_ALLOWED, int(n_bytes * _MAX_REPLACED_SHARE))


def _control_share(sample: bytes) -> float:
    """Share of control bytes (never in text) in *sample*."""
    if not sample:
        return 0.0
    return len(sample.translate(None, _NON_CONTROL_BYTES)) / len(sample)


def _decode_candidate(
    data: bytes, stripped: bytes, n_nuls: int, codec: _Codec, allowance: int
) -> _Extracted | None:
    """Decode the whole file with *codec*; ``None`` if that replaces more than *allowance*."""
    if codec in _UTF16:
        source, dropped = data, 0
    else:
        source, dropped = stripped, n_nuls
    variant = _exact_variant(source, codec)
    if variant is not None and variant != codec.name:
        codec = replace(codec, name=variant)
    try:
        decoded = _decode_repairing(source, codec, limit=allowance - dropped)
    except _TooManyReplaced:
        return None
    first = decoded.first_replaced
    if dropped:
        first_nul = data.index(0)
        first = first_nul if first is None else min(first_nul, _unstripped_offset(first, data))
    return _Extracted(decoded.text, codec.name, decoded.n_replaced + dropped, first)


def _exact_variant(data: bytes, codec: _Codec) -> str | None:
    """The first codec of *codec*'s family that decodes *data* exactly, if any."""
    names = ("big5", "cp950", "big5hkscs") if codec is _CP950 else (codec.name,)
    for name in names:
        try:
            data.decode(name)
        except UnicodeDecodeError:
            continue
        return name
    return None


def _unstripped_offset(offset: int, data: bytes) -> int:
    """Map an offset in *data* with its NULs removed back to an offset in *data*."""
    for match in re.finditer(b"\x00", data):
        if match.start() > offset:
            break
        offset += 1
    return offset


def _fallback_candidates(stripped: bytes, declared: str | None) -> list[_Codec]:
    """Codecs for text that is no plausible UTF-8, GB18030 or Big5: declared, then detected."""
    names: list[str] = []
    if declared is not None and _is_trustworthy_declaration(declared):
        names.append(_normalise_encoding(declared))
    sample = stripped[:_SAMPLE_SIZE]
    detected = _detect_encoding(_cut_at_char_boundary(sample, whole=len(stripped) <= len(sample)))
    if detected is not None:
        names.append(detected)
    by_name = {codec.name: codec for codec in _EIGHT_BIT}
    by_name.update({"big5": _CP950, "big5hkscs": _CP950})
    result: list[_Codec] = []
    for name in names:
        codec = by_name.get(name) or _Codec(name, "any")
        if codec not in result and not name.startswith(("utf-16", "utf-32")):
            result.append(codec)
    return result


# --------------------------------------------------------------------------------------
# Scoring candidates: replaced bytes and plausibility
# --------------------------------------------------------------------------------------

# Character classes, by how typical they are of Chinese report text.
_ASCII, _SYMBOL, _COMMON, _LEVEL2, _HANZI, _LETTER, _JUNK = range(7)
_N_CLASSES = 7
# Costs are rough negative log-odds of "real text" against "bytes read with the wrong codec
# or out of step": common hanzi, ASCII and CJK punctuation are free, a level-2 hanzi costs
# a little, any other hanzi more, kana/Hangul/Cyrillic/accented letters (what misread CJK
# bytes turn into) more, control and private-use characters most. A replaced byte costs
# more than any character, so the decoder only skips a byte when that saves implausibility.
_CLASS_COST = np.array([0, 0, 0, 1, 2, 3, 5], dtype=np.int64)
_SKIP_COST = 6
# Text whose characters cost more than this on average is not text in that codec (real
# reports average well under 0.2, misread bytes 1.5 and more).
_MAX_MEAN_COST = 1.0
# In text really encoded with a GB or Big5 codec, at least half the hanzi are level 1.
_MIN_COMMON_HANZI_SHARE = 0.5

# Punctuation and symbols Chinese reports use (· × ÷ ° ± §, general punctuation, №, ℃,
# Roman numerals, arrows, maths, ①, box drawing, ■□▲●, ★, CJK punctuation, ㈠, ㎡,
# full-width forms).
_SYMBOL_RANGES = (
    (0xA7, 0xA7), (0xB0, 0xB1), (0xB7, 0xB7), (0xD7, 0xD7), (0xF7, 0xF7),
    (0x2010, 0x205E), (0x2100, 0x214F), (0x2160, 0x217F), (0x2190, 0x22FF),
    (0x2460, 0x24FF), (0x2500, 0x257F), (0x25A0, 0x25FF), (0x2600, 0x26FF),
    (0x3000, 0x303F), (0x3200, 0x33FF), (0xFE30, 0xFE4F), (0xFF01, 0xFF60),
    (0xFFE0, 0xFFE6),
)  # fmt: skip
_HANZI_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_JUNK_RANGES = ((0x00, 0x08), (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xF8FF), (0xFFF0, 0xFFFF))


def _decode_block(codec: str, leads: range, trails: Iterable[int], last: int) -> str:
    """The characters *codec* decodes from each two-byte code ``lead, trail`` up to *last*."""
    chars = []
    trails = tuple(trails)
    for lead in leads:
        for trail in trails:
            if (lead << 8 | trail) > last:
                break
            try:
                chars.append(bytes((lead, trail)).decode(codec))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


@cache
def _common_hanzi(script: str) -> tuple[frozenset[str], frozenset[str]]:
    """Level-1 and level-2 hanzi of a script, computed from the codecs.

    GB2312 level 1 (0xB0A1–0xD7F9) holds the 3,755 most common simplified hanzi and level 2
    (0xD8A1–0xF7FE) 3,008 less common ones; Big5 level 1 (0xA440–0xC67E) 5,401 common
    traditional characters and level 2 (0xC940–0xF9D5) 7,652 less common ones.

    Examples
    --------
    >>> [len(chars) for chars in _common_hanzi("gb") + _common_hanzi("big5")]
    [3755, 3008, 5401, 7652]
    """
    if script == "gb":
        trails = range(0xA1, 0xFF)
        return (
            frozenset(_decode_block("gb2312", range(0xB0, 0xD8), trails, 0xD7FE)),
            frozenset(_decode_block("gb2312", range(0xD8, 0xF8), trails, 0xF7FE)),
        )
    if script == "big5":
        trails = (*range(0x40, 0x7F), *range(0xA1, 0xFF))
        return (
            frozenset(_decode_block("big5", range(0xA4, 0xC7), trails, 0xC67E)),
            frozenset(_decode_block("big5", range(0xC9, 0xFA), trails, 0xF9D5)),
        )
    gb1, gb2 = _common_hanzi("gb")
    big1, big2 = _common_hanzi("big5")
    return gb1 | big1, (gb2 | big2) - (gb1 | big1)


@cache
def _class_table(script: str) -> np.ndarray:
    """Class of every BMP code point, for text decoded with a codec of *script*."""
    table = np.full(0x10000, _LETTER, dtype=np.uint8)
    for ranges, klass in ((_HANZI_RANGES, _HANZI), (_SYMBOL_RANGES, _SYMBOL)):
        for low, high in ranges:
            table[low : high + 1] = klass
    table[0x20:0x7F] = _ASCII
    table[[0x09, 0x0A, 0x0D]] = _ASCII
    table[[0x0B, 0x0C]] = _SYMBOL
    for low, high in _JUNK_RANGES:
        table[low : high + 1] = _JUNK
    table[0xFFFD] = _JUNK
    level1, level2 = _common_hanzi(script)
    table[[ord(c) for c in level2]] = _LEVEL2
    table[[ord(c) for c in level1]] = _COMMON
    table.flags.writeable = False
    return table


def _astral_class(code_point: int) -> int:
    """Class of a code point beyond the BMP: planes 2–3 hold CJK extension hanzi."""
    return _HANZI if 0x20000 <= code_point < 0x40000 else _LETTER


def _class_counts(text: str, script: str) -> np.ndarray:
    """How many characters of *text* fall in each class."""
    code_points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    bmp = code_points < 0x10000
    counts = np.bincount(_class_table(script)[code_points[bmp]], minlength=_N_CLASSES)
    if not bmp.all():
        for code_point in code_points[~bmp].tolist():
            counts[_astral_class(code_point)] += 1
    return counts


@dataclass(frozen=True)
class _Evidence:
    """How well one candidate codec reads a sample."""

    rate: float  # total cost per sample byte: lower is better
    plausible: bool


def _evidence(decoded: _Decoding, n_bytes: int, codec: _Codec) -> _Evidence:
    """Score a decoded sample: its replaced bytes and how plausible its characters are."""
    counts = _class_counts(decoded.text, codec.script)
    n_fffd = decoded.text.count("\ufffd")  # the replacements, already costed as skips
    counts[_JUNK] -= n_fffd
    n_chars = int(counts.sum())
    char_cost = int(counts @ _CLASS_COST)
    cost = char_cost + _SKIP_COST * decoded.n_replaced
    hanzi = int(counts[_COMMON] + counts[_LEVEL2] + counts[_HANZI])
    if n_chars == 0 or char_cost > _MAX_MEAN_COST * n_chars:
        plausible = False
    elif codec is _UTF8:
        # Bytes that are not UTF-8 rarely form valid multi-byte sequences: what decodes
        # must outweigh what does not.
        plausible = decoded.n_replaced < n_chars - int(counts[_ASCII])
    elif codec in _UTF16:
        plausible = counts[_COMMON] >= _MIN_COMMON_HANZI_SHARE * hanzi
    else:
        plausible = counts[_COMMON] > 0 and counts[_COMMON] >= _MIN_COMMON_HANZI_SHARE * hanzi
    return _Evidence(cost / max(n_bytes, 1), bool(plausible))


def _ranked_candidates(
    data: bytes, stripped: bytes, n_nuls: int, allowance: int, *, eight_bit: bool
) -> list[_Codec]:
    """Plausible candidate codecs, best first (ties keep the order of preference)."""
    scored: list[tuple[float, int, _Codec]] = []
    if n_nuls:
        for codec in _UTF16:
            head = _cut_after_newline(data, _UTF16_SAMPLE_SIZE, "\n".encode(codec.name))
            decoded = _decode_repairing(head, codec, limit=len(head))
            evidence = _evidence(decoded, len(head), codec)
            if evidence.plausible and decoded.n_replaced <= allowance:
                scored.append((evidence.rate, len(scored), codec))
    if eight_bit:
        sample = stripped[:_SAMPLE_SIZE]
        sample = _cut_at_char_boundary(sample, whole=len(stripped) <= len(sample))
        # The NULs dropped from about the raw bytes the sample came from count as replaced.
        nuls = data[: len(sample) + n_nuls].count(0)
        limit = min(allowance, len(sample)) - nuls
        for codec in _EIGHT_BIT:
            try:
                decoded = _decode_tallied(sample, codec.name, limit=limit)
            except _TooManyReplaced:
                continue
            decoded = _Decoding(decoded.text, decoded.n_replaced + nuls)
            evidence = _evidence(decoded, len(sample) + nuls, codec)
            if evidence.plausible:
                scored.append((evidence.rate, len(scored), codec))
    return [codec for *_, codec in sorted(scored)]


# --------------------------------------------------------------------------------------
# Decoding with replacement, and re-synchronising damaged stretches
# --------------------------------------------------------------------------------------

_TALLY = threading.local()
_TALLY_HANDLER = "reportlib.readers.tally"
# The re-synchronising search runs in Python (about a microsecond per byte), so it is
# bounded: a stretch longer than this, or past this many searched bytes in one file, just
# has its bad bytes replaced. Real damage is a few short stretches.
_MAX_RESYNC_BYTES = 32 * 1024
_MAX_RESYNC_TOTAL = 1024 * 1024
# Re-synchronisation judges characters against the rest of the document: one that occurs in
# its undamaged segments is plausible whatever its class, a new one costs this much more.
# Bytes read out of step decode to characters all over the code table (GB18030 shifted by
# one byte still gives level-1 hanzi four times in ten), so what gives them away is that the
# document never uses them. (The damaged stretches are left out of the count, or the
# garbage would vouch for itself.)
_NOVEL_COST = 2


class _Tally:
    __slots__ = ("count", "first", "last_end", "limit")

    def __init__(self, limit: int) -> None:
        self.count, self.first, self.last_end, self.limit = 0, None, -1, limit


def _tally_errors(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: one U+FFFD per run of bad bytes, counting the bytes replaced.

    Python's decoders report each stray UTF-8 continuation byte as an error of its own; a
    run of adjacent errors still gets a single U+FFFD, as the re-synchronising search gives.
    """
    tally = getattr(_TALLY, "current", None)
    if tally is None or not isinstance(exc, UnicodeDecodeError):
        raise exc
    tally.count += exc.end - exc.start
    if tally.first is None:
        tally.first = exc.start
    if tally.count > tally.limit:
        raise _TooManyReplaced
    adjacent = exc.start == tally.last_end
    tally.last_end = exc.end
    return ("" if adjacent else "\ufffd"), exc.end


codecs.register_error(_TALLY_HANDLER, _tally_errors)


def _decode_tallied(data: bytes, codec: str, *, limit: int) -> _Decoding:
    """Decode with U+FFFD for bad bytes, counting them; past *limit* raise _TooManyReplaced.

    Examples
    --------
    >>> _decode_tallied(b"ab\\xffc\\xfe\\xfe", "utf-8", limit=5)
    _Decoding(text='ab\ufffdc\ufffd', n_replaced=3, first_replaced=2)
    """
    tally = _Tally(limit)
    previous = getattr(_TALLY, "current", None)
    _TALLY.current = tally  # thread-local: decoding in several threads stays apart
    try:
        text = data.decode(codec, _TALLY_HANDLER)
    finally:
        _TALLY.current = previous
    return _Decoding(text, tally.count, tally.first)


def _decode_repairing(data: bytes, codec: _Codec, *, limit: int) -> _Decoding:
    """Decode *data*, replacing bad bytes and, in multi-byte codecs, re-synchronising.

    Raises :class:`_TooManyReplaced` once more than *limit* bytes are replaced. The bytes
    are cut at the codec's boundaries, and only segments that fail to decode are touched:
    every other one keeps its exact text (even odd text: an author's own mojibake is valid
    bytes too), so with nothing replaced the result is ``data.decode(codec.name)``.
    """
    try:
        return _Decoding(data.decode(codec.name))
    except UnicodeDecodeError:
        pass
    if codec.boundary is None:
        return _decode_tallied(data, codec.name, limit=limit)
    spans = _segments(data, codec.boundary)
    texts = [_decode_or_none(data[start:end], codec.name) for start, end in spans]
    stretches = _damaged_stretches(texts)
    if len(stretches) > limit:  # each needs a skipped byte at least: no need to search
        raise _TooManyReplaced
    searched = {k for first_k, last_k in stretches for k in range(first_k, last_k + 1)}
    undamaged = "".join(t for k, t in enumerate(texts) if t is not None and k not in searched)
    costs = _Costs(_novel_costs(codec.script), frozenset(map(ord, set(undamaged))))
    pieces: list[str] = []
    n_replaced, first, budget = 0, None, _MAX_RESYNC_TOTAL
    k = 0
    for first_k, last_k in stretches:
        pieces.extend(texts[k:first_k])  # type: ignore[arg-type]
        start, end = spans[first_k][0], spans[last_k][1]
        stretch = data[start:end]
        if len(stretch) <= min(_MAX_RESYNC_BYTES, budget):
            budget -= len(stretch)
            part = _resync(stretch, codec, costs)
        else:
            part = _decode_tallied(stretch, codec.name, limit=limit - n_replaced)
        pieces.append(part.text)
        if first is None and part.first_replaced is not None:
            first = start + part.first_replaced
        n_replaced += part.n_replaced
        if n_replaced > limit:
            raise _TooManyReplaced
        k = last_k + 1
    pieces.extend(texts[k:])  # type: ignore[arg-type]
    return _Decoding("".join(pieces), n_replaced, first)


def _decode_or_none(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _damaged_stretches(texts: list[str | None]) -> list[tuple[int, int]]:
    """``(first, last)`` segment indices of each run of undecodable segments, plus one.

    The segment after a damaged run is searched with it: the boundary byte may itself be
    the damage (inserted inside a pair), leaving that segment out of step.

    Examples
    --------
    >>> _damaged_stretches(["a", None, None, "b", "c", None])
    [(1, 3), (5, 5)]
    """
    stretches: list[tuple[int, int]] = []
    k = 0
    while k < len(texts):
        if texts[k] is not None:
            k += 1
            continue
        last = k
        while last + 1 < len(texts) and texts[last + 1] is None:
            last += 1
        last = min(last + 1, len(texts) - 1)
        stretches.append((k, last))
        k = last + 1
    return stretches


def _segments(data: bytes, boundary: re.Pattern[bytes]) -> list[tuple[int, int]]:
    """``(start, end)`` of the stretches of *data* that end just after a *boundary*."""
    ends = [match.end() for match in boundary.finditer(data)]
    if not ends or ends[-1] != len(data):
        ends.append(len(data))
    return list(zip([0, *ends[:-1]], ends, strict=True))


@dataclass(frozen=True)
class _Costs:
    """Character costs for re-synchronising one document's damaged stretches.

    A character of the document's undamaged text (*known*) costs nothing; any other costs
    *novel* (its class's cost plus :data:`_NOVEL_COST`, ASCII excepted).
    """

    novel: list[int]  # per BMP code point; beyond the BMP, just under a skipped byte
    known: frozenset[int]


@cache
def _novel_costs(script: str) -> list[int]:
    """Cost of each BMP code point the document does not otherwise use.

    Always less than a skipped byte, so a valid character is never skipped for its own
    sake. A list: indexing one is the fastest lookup in the search's inner loop.
    """
    table = _class_table(script)
    costs = _CLASS_COST[table] + _NOVEL_COST
    costs[table == _ASCII] = 0
    return np.minimum(costs, _SKIP_COST - 1).tolist()


@cache
def _byte_code_points(codec: str) -> tuple[list[int], list[int]]:
    """Code point of each single byte and byte pair that *codec* decodes to one character.

    ``-1`` marks bytes and pairs that are not one valid character. Built once per codec
    (about 30,000 trial decodes).
    """
    single, pair = [-1] * 256, [-1] * 65536
    for byte in range(256):
        char = _decode_or_none(bytes((byte,)), codec)
        if char is not None and len(char) == 1:
            single[byte] = ord(char)
    for lead in range(0x80, 0x100):
        if single[lead] >= 0:
            continue
        for trail in range(256):
            char = _decode_or_none(bytes((lead, trail)), codec)
            if char is not None and len(char) == 1:
                pair[lead << 8 | trail] = ord(char)
    return single, pair


def _resync(stretch: bytes, codec: _Codec, costs: _Costs) -> _Decoding:
    """Decode a damaged stretch the most plausible way, skipping as few bytes as possible.

    A shortest-path search over byte offsets: from each offset, either decode one character
    (costing its implausibility, from *costs*) or skip one byte (:data:`_SKIP_COST`, replaced
    by U+FFFD). A byte inserted into GB18030, Big5 or UTF-16 throws every following pair out
    of step into rare or invalid characters; skipping that one byte is cheaper, so the search
    puts the stretch back in step where plain replacement would garble the rest of it. On
    equal costs the path found first, the one skipping earliest, wins.

    Examples
    --------
    >>> text = "全面推进依法行政".encode("gb18030")
    >>> costs = _Costs(_novel_costs("gb"), frozenset(map(ord, "全面推进依法行政")))
    >>> _resync(text[:2] + b"\\xb0" + text[2:], _GB18030, costs)
    _Decoding(text='全\ufffd面推进依法行政', n_replaced=1, first_replaced=2)
    """
    n = len(stretch)
    steps = _step_function(stretch, codec)
    known, novel = costs.known, costs.novel
    best = [0] + [sys.maxsize] * n
    move = [0] * (n + 1)  # how the best path reaches each offset: char length, or -1 skip
    for i in range(n):
        here = best[i]
        for length, code_point in steps(i):
            if code_point in known:
                cost = here
            else:
                cost = here + (novel[code_point] if code_point < 0x10000 else _SKIP_COST - 1)
            if cost < best[i + length]:
                best[i + length] = cost
                move[i + length] = length
        if here + _SKIP_COST < best[i + 1]:
            best[i + 1] = here + _SKIP_COST
            move[i + 1] = -1
    return _follow_moves(stretch, move, codec.name)


def _step_function(line: bytes, codec: _Codec) -> Callable[[int], list[tuple[int, int]]]:
    """A function giving ``(length, code point)`` of each character starting at an offset."""
    n = len(line)
    if codec in _UTF16:
        first, second = (0, 8) if codec is _UTF16_LE else (8, 0)

        def utf16_steps(i: int) -> list[tuple[int, int]]:
            if i + 1 >= n:
                return []
            unit = line[i] << first | line[i + 1] << second
            if not 0xD800 <= unit < 0xE000:
                return [(2, unit)]
            if unit >= 0xDC00 or i + 3 >= n:  # a lone low surrogate, or a cut-off pair
                return []
            low = line[i + 2] << first | line[i + 3] << second
            if not 0xDC00 <= low < 0xE000:
                return []
            return [(4, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))]

        return utf16_steps

    single, pair = _byte_code_points(codec.name)
    four_byte = codec.name == "gb18030"

    def byte_steps(i: int) -> list[tuple[int, int]]:
        steps = []
        byte = line[i]
        if single[byte] >= 0:
            steps.append((1, single[byte]))
        if i + 1 < n:
            code_point = pair[byte << 8 | line[i + 1]]
            if code_point >= 0:
                steps.append((2, code_point))
            elif four_byte and i + 3 < n and 0x30 <= line[i + 1] <= 0x39:
                char = _decode_or_none(line[i : i + 4], codec.name)
                if char is not None and len(char) == 1:
                    steps.append((4, ord(char)))
        return steps

    return byte_steps


def _follow_moves(line: bytes, move: list[int], codec: str) -> _Decoding:
    """Rebuild the text along the best path: decoded runs, one U+FFFD per skipped run."""
    runs: list[tuple[int, int, bool]] = []  # (start, end, decoded?), built backwards
    pos = len(line)
    while pos > 0:
        length = move[pos]
        decoded = length > 0
        start = pos - length if decoded else pos - 1
        if runs and runs[-1][2] == decoded:
            runs[-1] = (start, runs[-1][1], decoded)
        else:
            runs.append((start, pos, decoded))
        pos = start
    runs.reverse()
    pieces, n_skipped, first = [], 0, None
    for start, end, decoded in runs:
        if decoded:
            pieces.append(line[start:end].decode(codec))
        else:
            pieces.append("\ufffd")
            n_skipped += end - start
            first = start if first is None else first
    return _Decoding("".join(pieces), n_skipped, first)


def _is_trustworthy_declaration(declared: str) -> bool:
    """Whether a declared charset is worth trying before detection.

    Latin-1/Windows-1252 decode any bytes, so a page wrongly declaring them (a common
    CMS default) would silently become mojibake; detection decides instead. A UTF-16/32
    declaration cannot be right for bytes without NULs.
    """
    try:
        name = _normalise_encoding(declared)
    except LookupError:
        return False  # an unknown charset name is just ignored
    return name not in _WEAK_DECLARATIONS and not name.startswith(("utf-16", "utf-32"))


def _detect_encoding(data: bytes) -> str | None:
    """Ask charset_normalizer for the most plausible codec, normalised; ``None`` if none."""
    match = from_bytes(data).best()
    return None if match is None else _normalise_encoding(match.encoding)


def _cut_at_char_boundary(sample: bytes, *, whole: bool) -> bytes:
    """Trim a prefix sample so it does not end inside a multi-byte character.

    A split character at the end would count as a replaced byte. Bytes below 0x30 are never
    trail bytes in GB18030, GBK, Big5, Shift-JIS or EUC (nor UTF-8 continuation bytes), so
    cutting just after one is always safe.
    """
    if whole:
        return sample
    for i in range(len(sample) - 1, max(len(sample) - 4096, 0) - 1, -1):
        if sample[i] < 0x30:
            return sample[: i + 1]
    return sample


def _cut_after_newline(data: bytes, size: int, newline: bytes) -> bytes:
    """The first *size* bytes of *data*, cut after the last *newline* in them if any.

    Cutting UTF-16 at an even length instead could hide an odd-length (damaged) last line.
    """
    if len(data) <= size:
        return data
    end = data.rfind(newline, 0, size)
    return data[: end + len(newline)] if end > 0 else data[:size]


def _normalise_encoding(name: str) -> str:
    """Canonical Python codec name; every GB variant becomes ``gb18030``."""
    canonical = codecs.lookup(name).name
    return "gb18030" if canonical in _GB_FAMILY else canonical


def _try_decode(data: bytes, encoding: str) -> tuple[str, str] | None:
    """Decode strictly with *encoding* or one of its supersets; ``None`` if none fits."""
    encoding = _normalise_encoding(encoding)
    for candidate in (encoding, *_FALLBACK_CODECS.get(encoding, ())):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    return None


def _bad_char_share(text: str, *, discount: int = 0) -> float:
    """Share of control, replacement and private-use characters in (a prefix of) *text*.

    *discount* of them (the replacements the decoder put in) are not counted.
    """
    head = text[:_SAMPLE_SIZE]
    if not head or _BAD_CHARS.search(head) is None:  # clean text: no list to build
        return 0.0
    return max(len(_BAD_CHARS.findall(head)) - discount, 0) / len(head)


def _reject_binary_text(text: str, encoding: str, path: Path, *, replaced: int = 0) -> None:
    """Fail if the decoded text is largely control or replacement characters.

    The U+FFFD put in for the *replaced* bytes do not count again: the replacement rule has
    judged them already.
    """
    share = _bad_char_share(text, discount=replaced)
    if share > _MAX_BAD_CHAR_SHARE:
        raise BinaryFileError(
            f"decoded as {encoding}, but {share:.0%} of the characters are control or "
            "replacement characters; looks like a binary file, not text",
            path=path,
        )


def _require_non_blank(text: str, path: Path) -> None:
    """Raise :class:`EmptyFileError` for text that is only white space."""
    # A regex search stops at the first visible character, unlike text.strip().
    if _NON_SPACE.search(text) is None:
        raise EmptyFileError("file contains only white space", path=path)


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)"""
    rb"""|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.I,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")

# Never content.
_DROP_TAGS = frozenset({
    "script", "style", "noscript", "template", "iframe", "svg", "object", "embed", "canvas",
    "input", "select", "option", "button", "textarea", "audio", "video", "map",
})  # fmt: skip
# Page chrome by element type. <form> is deliberately absent: ASP.NET sites wrap the
# entire page, report included, in one <form>.
_CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})

# Page chrome by class/id, matched against each word of a class or id ("top-nav",
# "footerWrap", "right_side" ...). Kept narrow on purpose: a false hit loses text.
_CHROME_WORD = re.compile(
    r"""^(?:
        \w*nav | nav\w* | \w*menus? | menu\w*
      | foot | footer\w* | \w*footer | copyrights? | banquan | bqxx
      | share\w* | \w*share | jiathis
      | side | sider | \w*sidebar\w* | (?:left|right)side
      | topbar | \w*toolbars? | tools?bar
      | search\w* | (?:top|site|head)search
      | login\w* | \w*login | logon | register
      | friend\w* | \w*links | yqlj
    )$""",
    re.X,
)
# Whole class tokens that mean the site-wide header/footer band. Words like "head" or
# "top" alone are too ambiguous ("article head" holds the title and date).
_CHROME_TOKENS = frozenset({"header", "site-header", "page-header", "bottom"})
# Breadcrumb classes ("nav-path", "crumbs", "position"): kept even inside chrome.
_BREADCRUMB_WORD = re.compile(
    r"^(?:\w*crumbs?\w* | bread\w* | position | location | \w*path | dqwz | weizhi | curpos)$",
    re.X,
)
# Text that marks a breadcrumb, and text that marks the date/source block; later stages
# read both.
_BREADCRUMB_TEXT = re.compile(r"(?:当前|所在|您的|现在的?)位置")
_BREADCRUMB_TRAIL = re.compile(r"^\s*首页\s*[>»›＞]")
_META_TEXT = re.compile(
    r"发布(?:时间|日期)|信息来源|来\s*源\s*[:：]|成文日期|发文(?:机关|日期)|索\s*引\s*号"
)
_KEEP_TEXT_MAX_CHARS = 300
_INLINE_TAGS = frozenset({
    "a", "span", "b", "strong", "i", "em", "font", "u", "small", "big", "label", "sup",
    "sub", "time", "abbr", "cite", "code", "mark", "q", "s", "strike", "tt", "var",
})  # fmt: skip
# A chrome-looking element holding this much prose is really the content column.
_PROSE_MIN_CHARS = 200
_PROSE_MIN_FULL_STOPS = 3

_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd",
    "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
    "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
    "legend", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table",
    "tbody", "tfoot", "thead", "tr", "ul",
})  # fmt: skip
_CELL_TAGS = frozenset({"td", "th"})
# A table cell with this many lines (or a nested table) is page layout, not data.
_LAYOUT_CELL_MIN_LINES = 3


def _read_html(data: bytes, path: Path, limits: Limits) -> _Extracted:
    """Decode an HTML page and extract its title plus visible, non-chrome text."""
    decoded = _decode_text(data, path, declared=_declared_charset(data))
    _require_non_blank(decoded.text, path)
    title, body_lines = _html_to_lines(decoded.text, path)
    if not body_lines:
        raise EmptyFileError(
            "HTML page has no visible text outside scripts, menus and other page chrome",
            path=path,
        )
    lines = [title, *body_lines] if title else body_lines
    return _Extracted(
        "\n".join(lines), decoded.encoding, decoded.n_replaced, decoded.first_replaced_offset
    )


def _declared_charset(data: bytes) -> str | None:
    """The ``<meta>`` (or XHTML ``<?xml encoding>``) charset in the first 8 KB, if any."""
    match = _META_CHARSET.search(data[:8192])
    if match is None:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def _html_to_lines(html: str, path: Path) -> tuple[str, list[str]]:
    """Parse *html* and return its ``<title>`` and the body's text lines."""
    # lxml refuses str input that carries an XML encoding declaration (XHTML pages);
    # the text is already decoded, so the declaration is meaningless here.
    html = _XML_DECLARATION.sub("", html, count=1)
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError(f"cannot parse HTML: {exc}", path=path) from exc
    title_el = root.find(".//title")
    title = _collapse_space(title_el.text_content()).strip() if title_el is not None else ""
    body = root.find("body")
    if body is None:
        return title, []
    _remove_non_content(body)
    return title, _render_lines(body)


def _remove_non_content(body: HtmlElement) -> None:
    """Drop scripts, form controls, comments and page chrome from *body* in place."""
    for el in list(body.iter(etree.Comment, etree.ProcessingInstruction, *_DROP_TAGS)):
        el.drop_tree()  # drop_tree keeps the element's tail text, remove() would not
    keep_whole, keep_self = _find_keep_nodes(body)
    # Chrome ancestors of kept nodes are pruned around them instead of being dropped.
    protected = {anc for node in keep_whole | keep_self for anc in node.iterancestors()}
    to_drop: list[HtmlElement] = []
    stack: list[tuple[HtmlElement, bool]] = [(body, False)]
    while stack:
        el, in_chrome = stack.pop()
        for child in el.iterchildren(tag=etree.Element):
            if child in keep_whole:
                continue
            if child in keep_self:
                # A date/source line stays, but a "share to" widget inside it does not.
                stack.append((child, False))
                continue
            chrome = in_chrome or _is_chrome(child)
            if chrome and child not in protected:
                to_drop.append(child)
            else:
                stack.append((child, chrome))
    for el in to_drop:
        el.drop_tree()


def _find_keep_nodes(body: HtmlElement) -> tuple[set[HtmlElement], set[HtmlElement]]:
    """Find what must survive chrome removal.

    Returns
    -------
    tuple of (set, set)
        Breadcrumbs (kept with everything inside), and the smallest blocks holding a
        date/source line (kept, but chrome inside them, like a share widget, is not).
    """
    whole: set[HtmlElement] = set()
    itself: set[HtmlElement] = set()
    for el in body.iterdescendants(tag=etree.Element):
        if any(_BREADCRUMB_WORD.match(w) for w in _class_words(el)) or _is_breadcrumb_trail(el):
            whole.add(el)
            continue
        for text, owner in ((el.text, el), (el.tail, el.getparent())):
            if not text or owner is None:
                continue
            target = whole if _BREADCRUMB_TEXT.search(text) else itself
            if target is itself and not _META_TEXT.search(text):
                continue
            node = _enclosing_block(owner)
            if node is not None:
                target.add(node)
    return whole, itself


def _is_breadcrumb_trail(el: HtmlElement) -> bool:
    """A short block reading "首页 > 政务公开 > …" (the links are separate text nodes)."""
    if el.tag not in _BLOCK_TAGS or el.tag == "li":
        return False
    # Cheap test first: itertext is lazy, text_content builds the whole subtree's text.
    first = next((t for t in el.itertext() if t.strip()), "")
    if not first.lstrip().startswith("首页"):
        return False
    text = el.text_content()
    return len(text) <= _KEEP_TEXT_MAX_CHARS and _BREADCRUMB_TRAIL.match(text) is not None


def _enclosing_block(el: HtmlElement) -> HtmlElement | None:
    """Climb from an inline element to its block; ``None`` if that block is big or a list item."""
    while el.tag in _INLINE_TAGS and el.getparent() is not None:
        el = el.getparent()
    # Sidebar news lists also show dates; a list item is never the article's date line.
    if el.tag == "li" or el.tag == "body":
        return None
    if len(el.text_content()) > _KEEP_TEXT_MAX_CHARS:
        return None
    return el


def _class_words(el: HtmlElement) -> set[str]:
    """Lower-case words of an element's class and id, plus each name run together.

    ``"topNav_box"`` gives top, nav, box and topnavbox; ``"top-bar"`` gives topbar.
    """
    names = f"{el.get('class') or ''} {el.get('id') or ''}".split()
    words = {re.sub(r"[^a-z0-9]+", "", name.lower()) for name in names}
    for name in names:
        split = re.sub(r"([a-z])([A-Z])", r"\1 \2", name).lower()
        words.update(re.split(r"[^a-z0-9]+", split))
    words.discard("")
    return words


def _is_chrome(el: HtmlElement) -> bool:
    """Whether *el* is navigation, footer, sidebar or similar page furniture."""
    if el.tag in _CHROME_TAGS:
        # An <header>/<footer> inside the article belongs to it (title, date, source).
        if el.tag in {"header", "footer"} and any(
            a.tag in {"article", "main"} for a in el.iterancestors()
        ):
            return False
        matched = True
    else:
        tokens = {t.lower() for t in f"{el.get('class') or ''} {el.get('id') or ''}".split()}
        matched = bool(tokens & _CHROME_TOKENS) or any(
            _CHROME_WORD.match(w) for w in _class_words(el)
        )
    return matched and not _holds_prose(el)


def _holds_prose(el: HtmlElement) -> bool:
    """Whether *el* contains running text (so it is the content, whatever its class)."""
    text = el.text_content()
    return len(text) >= _PROSE_MIN_CHARS and text.count("。") >= _PROSE_MIN_FULL_STOPS


def _collapse_space(text: str) -> str:
    """HTML white-space collapsing (ASCII white space only; nbsp and U+3000 stay)."""
    return _HTML_SPACE.sub(" ", text)


def _render_lines(body: HtmlElement) -> list[str]:
    """Serialise *body* as text lines: one per block, table rows as ``a | b | c``."""
    buffers: list[list[str]] = [[]]  # text being collected; a table cell pushes its own
    rows: list[list[tuple[str, bool]]] = []  # open table rows: (cell text, is layout)
    nested_table: list[bool] = []  # per open cell: does it contain a table?
    pre_depth = 0
    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == "pre":
                pre_depth += 1
            if tag in _CELL_TAGS:
                buffers.append([])
                nested_table.append(False)
            elif tag == "tr":
                rows.append([])
            elif tag == "table" and nested_table:
                nested_table[-1] = True
            if tag in _BLOCK_TAGS or tag == "br":
                buffers[-1].append("\n")
            if el.text:
                buffers[-1].append(el.text if pre_depth else _collapse_space(el.text))
            continue
        # event == "end"
        if tag in _CELL_TAGS:
            cell = "".join(buffers.pop())
            is_layout = nested_table.pop() or _count_lines(cell) >= _LAYOUT_CELL_MIN_LINES
            if rows:
                rows[-1].append((cell, is_layout))
            else:  # a stray cell outside any row: treat it as a block
                buffers[-1].append(f"\n{cell}\n")
        elif tag == "tr":
            buffers[-1].append(_render_row(rows.pop()))
        elif tag in _BLOCK_TAGS:
            buffers[-1].append("\n")
        if tag == "pre":
            pre_depth -= 1
        if el.tail:
            buffers[-1].append(el.tail if pre_depth else _collapse_space(el.tail))
    text = "".join(buffers[0])
    return [line.strip(" \t\r\f") for line in normalize_newlines(text).split("\n") if line.strip()]


def _count_lines(text: str) -> int:
    """Number of non-blank lines in *text*."""
    return sum(1 for line in text.split("\n") if line.strip())


def _render_row(cells: list[tuple[str, bool]]) -> str:
    """A data row becomes one ``a | b`` line; a layout row keeps each cell's lines."""
    if any(is_layout for _, is_layout in cells):
        return "".join(f"\n{text}\n" for text, _ in cells)
    flat = [_collapse_space(text.replace("\n", " ")).strip() for text, _ in cells]
    return f"\n{' | '.join(flat)}\n" if any(flat) else "\n"


# --------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NAMESPACES = {"w": _W}
_MAIN_DOCUMENT = "word/document.xml"
_PACKAGE_RELS = "_rels/.rels"
_OFFICE_DOCUMENT_REL = "/officeDocument"  # relationship Type suffix, transitional and strict
_RELATIONSHIP_TAG = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_NOT_A_DOCX = "not a valid .docx file (corrupt or not a Word document)"


def _w(tag: str) -> str:
    """Clark name of a WordprocessingML element."""
    return f"{{{_W}}}{tag}"


# What python-docx's ``Run.text`` makes of a run's children; everything else (w:delText,
# drawings, field codes in w:instrText ...) is not text.
_RUN_TEXT: dict[str, str | None] = {
    _w("t"): None,  # its own text
    _w("tab"): "\t",
    _w("ptab"): "\t",
    _w("cr"): "\n",
    _w("br"): "\n",  # a line break; page and column breaks give "" (see _docx_run_text)
    _w("noBreakHyphen"): "-",
}


def _read_docx(data: bytes, path: Path, limits: Limits) -> _Extracted:
    """Body paragraphs and tables of a .docx in document order; headers/footers skipped."""
    root = _docx_main_part(data, path, limits)
    body = root.find(_w("body"))
    lines = list(_docx_block_lines(body)) if body is not None else []
    text = normalize_newlines("\n".join(lines))
    if _NON_SPACE.search(text) is None:
        raise NoTextLayerError("DOCX contains no text (only images or empty pages?)", path=path)
    return _Extracted(text)


def _docx_main_part(data: bytes, path: Path, limits: Limits) -> etree._Element:
    """Parse the package's main document part; any failure is a :class:`ReadError`."""
    if data.startswith(_OLE2_MAGIC):
        raise ReadError(
            "not a .docx package but an OLE2 file: a legacy Word .doc renamed to .docx, "
            "or a password-protected document; re-save it as an unprotected .docx",
            path=path,
        )
    budget = _InflateBudget(limits.max_inflated_bytes, path)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            name = _main_part_name(package, budget, path)
            root = _parse_docx_xml(budget.read(package, name), name, path)
    except ReportlibError:
        raise
    # zipfile and zlib report damaged packages in many ways (BadZipFile, EOFError,
    # zlib.error, NotImplementedError for odd compression, RuntimeError for encryption ...).
    except Exception as exc:
        raise ReadError(f"{_NOT_A_DOCX}: {exc}", path=path) from exc
    if root.tag != _w("document"):
        raise ReadError(
            f"{_NOT_A_DOCX}: {name} is not a WordprocessingML document (root {root.tag})",
            path=path,
        )
    return root


class _InflateBudget:
    """Reads package members through bounded streams, within one total inflated size."""

    def __init__(self, allowed: int, path: Path) -> None:
        self.allowed, self.left, self.path = allowed, allowed, path

    def read(self, package: zipfile.ZipFile, name: str) -> bytes:
        """Inflate member *name*; more than the budget left is a LimitExceededError."""
        info = package.getinfo(name)
        if info.file_size > self.left:  # the header's word, checked first because it is free
            self._exceeded(name, f"declares {info.file_size:,} bytes")
        with package.open(info) as member:
            # read(n) stops inflating at n bytes, whatever the header claims.
            content = member.read(self.left + 1)
        if len(content) > self.left:
            self._exceeded(name, f"inflates to more than {self.left:,} bytes")
        self.left -= len(content)
        return content

    def _exceeded(self, name: str, what: str) -> None:
        raise LimitExceededError(
            f"DOCX part {name} {what}; a zip bomb or an absurdly large document",
            limit="max_inflated_bytes",
            allowed=self.allowed,
            path=self.path,
        )


def _main_part_name(package: zipfile.ZipFile, budget: _InflateBudget, path: Path) -> str:
    """The main document part: the package relationship's target, else word/document.xml.

    Word always writes ``word/document.xml``, but the relationship is what defines it (some
    converters write ``word/document2.xml``).
    """
    names = set(package.namelist())
    if _PACKAGE_RELS in names:
        rels = _parse_docx_xml(budget.read(package, _PACKAGE_RELS), _PACKAGE_RELS, path)
        for rel in rels.iter(_RELATIONSHIP_TAG):
            target = rel.get("Target") or ""
            if (
                (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT_REL)
                and rel.get("TargetMode") != "External"
                and (name := posixpath.normpath(target.lstrip("/"))) in names
            ):
                return name
    if _MAIN_DOCUMENT not in names:
        raise ReadError(f"{_NOT_A_DOCX}: the package has no {_MAIN_DOCUMENT}", path=path)
    return _MAIN_DOCUMENT


def _parse_docx_xml(xml: bytes, name: str, path: Path) -> etree._Element:
    """Parse one package part with entity expansion, DTDs and the network all off.

    OOXML never has a DTD, so a part declaring one (the "billion laughs" bomb) is refused.
    Blank text nodes are removed as python-docx does, so run text stays what it was.
    """
    parser = etree.XMLParser(
        remove_blank_text=True,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise ReadError(f"{_NOT_A_DOCX}: {name} is not well-formed XML: {exc}", path=path) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise ReadError(
            f"{_NOT_A_DOCX}: {name} declares a DTD (<!DOCTYPE>), which Word never writes; "
            "refused rather than expand its entities",
            path=path,
        )
    return root


def _docx_block_lines(container: etree._Element) -> Iterable[str]:
    """Yield one line per paragraph and per table row of a body-like XML element."""
    p_tag, tbl_tag, sdt_tag = _w("p"), _w("tbl"), _w("sdt")
    for child in container.iterchildren():
        if child.tag == p_tag:
            yield _docx_paragraph_text(child)
        elif child.tag == tbl_tag:
            yield from _docx_table_lines(child)
        elif child.tag == sdt_tag:
            # Content controls (cover pages, TOCs) wrap ordinary paragraphs and tables.
            content = child.find(_w("sdtContent"))
            if content is not None:
                yield from _docx_block_lines(content)


def _docx_paragraph_text(p: etree._Element) -> str:
    """Text of a ``w:p``, including tracked insertions and hyperlinks.

    Every run below the paragraph counts, so runs inside ``w:ins``, ``w:hyperlink``,
    ``w:smartTag`` or ``w:fldSimple`` are kept. Text boxes are skipped (Word stores them
    twice, as drawing and as VML fallback), as are moved-away runs; deleted text is in
    ``w:delText`` and so is not picked up.
    """
    runs = p.xpath(
        ".//w:r[not(ancestor::w:txbxContent) and not(ancestor::w:moveFrom)]",
        namespaces=_NAMESPACES,
    )
    return "".join(_docx_run_text(run) for run in runs)


def _docx_run_text(run: etree._Element) -> str:
    """A run's text as python-docx's ``Run.text`` gives it (tabs, breaks, hyphens)."""
    parts = []
    for child in run.iterchildren():
        if child.tag not in _RUN_TEXT:
            continue
        if child.tag == _w("t"):
            parts.append(child.text or "")
        elif child.tag == _w("br"):
            parts.append("\n" if child.get(_w("type"), "textWrapping") == "textWrapping" else "")
        else:
            parts.append(_RUN_TEXT[child.tag] or "")
    return "".join(parts)


def _docx_table_lines(tbl: etree._Element) -> Iterable[str]:
    """Yield each table row as ``cell | cell``; nested tables are flattened into cells."""
    for tr in tbl.iterchildren(_w("tr")):
        cells = [
            " ".join(t for p in tc.iter(_w("p")) if (t := _docx_paragraph_text(p))).replace(
                "\n", " "
            )
            for tc in tr.iterchildren(_w("tc"))
        ]
        if any(c.strip() for c in cells):
            yield " | ".join(c.strip() for c in cells)


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------

_CID_GLYPH = re.compile(r"\(cid:\d+\)")


def _read_pdf(data: bytes, path: Path, limits: Limits) -> _Extracted:
    """Text layer of a PDF via pdfminer.six; page breaks become line breaks."""
    text = _extract_pdf_text(data, path)
    # pdfminer writes "(cid:123)" for glyphs it cannot map to Unicode; text made only of
    # those is as useless as no text at all.
    if _NON_SPACE.search(_CID_GLYPH.sub("", text)) is None:
        raise NoTextLayerError(
            "PDF has no text layer (scanned or image-only?); it needs OCR first", path=path
        )
    return _Extracted(normalize_newlines(text).replace("\f", "\n"))


def _extract_pdf_text(data: bytes, path: Path) -> str:
    """Run pdfminer, translating its many failure modes into :class:`ReadError`."""
    # Readers accept junk before the header, so look for it in the first KB only.
    if b"%PDF-" not in data[:1024]:
        raise ReadError("not a PDF file (no %PDF header); corrupt or mis-named", path=path)
    try:
        # Encrypted PDFs with only an owner password (copy protection, common on
        # government sites) open with the empty user password and are read normally.
        return extract_text(io.BytesIO(data))
    except PDFEncryptionError as exc:
        detail = f" ({exc})" if str(exc) else ""
        raise ReadError(
            f"PDF is encrypted and cannot be opened without its password{detail}", path=path
        ) from exc
    # pdfminer reports damaged files through a wide range of exception types
    # (PDFSyntaxError, PSEOF, KeyError, TypeError, ...); all mean "cannot read this PDF".
    except Exception as exc:
        raise ReadError(f"cannot read PDF (corrupt or damaged file): {exc!r}", path=path) from exc


_READERS: dict[str, Callable[[bytes, Path, Limits], _Extracted]] = {
    "txt": _read_txt,
    "html": _read_html,
    "docx": _read_docx,
    "pdf": _read_pdf,
}
