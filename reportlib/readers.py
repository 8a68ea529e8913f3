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

    def read_file(path: str | Path) -> RawDocument   # raises reportlib.errors.ReadError subclasses

Notes on the choices made here:

* Text encodings are detected, not guessed: byte-order mark, then strict UTF-8, then
  UTF-16 without a BOM (from the NUL-byte pattern), then ``charset_normalizer`` on a
  prefix sample, after which the *whole* file is decoded strictly with the detected
  codec. Every reported ``encoding`` decodes the raw bytes exactly
  (``raw.decode(doc.encoding)``), GBK/GB2312 are reported as their superset
  ``gb18030``.
* HTML is parsed with lxml; scripts, forms controls, menus, sidebars, footers and other
  page chrome are removed, but the breadcrumb and the date/source lines are kept for the
  later metadata stages. The ``<title>`` text is the first output line.
* Line endings are always ``\\n``; nothing else is cleaned.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import docx
import lxml.html
from charset_normalizer import from_bytes
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from lxml import etree
from lxml.html import HtmlElement
from pdfminer.high_level import extract_text
from pdfminer.pdfdocument import PDFEncryptionError

from reportlib.clean import normalize_newlines
from reportlib.errors import (
    BinaryFileError,
    EmptyFileError,
    NoTextLayerError,
    ReadError,
    UnsupportedFormatError,
)

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

    Examples
    --------
    >>> doc = RawDocument(Path("a.txt"), "0" * 64, "txt", "utf-8", "标题\\n正文")
    >>> doc.text.splitlines()[0]
    '标题'
    """

    path: Path
    sha256: str
    format: str
    encoding: str | None
    text: str


def file_sha256(path: str | Path) -> str:
    """Hex sha256 of a file's bytes (raises OSError if it cannot be read).

    Examples
    --------
    >>> len(file_sha256("data/raw/seeds/000_aaf925eb580b3263.txt"))
    64
    """
    with Path(path).open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_file(path: str | Path) -> RawDocument:
    """Read a txt, html/htm, docx or pdf file into a :class:`RawDocument`.

    Parameters
    ----------
    path
        The file to read. The suffix (case-insensitive) selects the reader.

    Returns
    -------
    RawDocument
        The extracted text plus the file's SHA-256 and detected encoding.

    Raises
    ------
    UnsupportedFormatError
        The suffix is not in :data:`SUPPORTED_SUFFIXES`.
    EmptyFileError
        The file has no bytes, or (txt/html) only white space.
    BinaryFileError
        A txt/html file whose bytes are not text in any detectable encoding.
    NoTextLayerError
        A PDF or DOCX with no extractable text (e.g. a scanned PDF).
    ReadError
        Any other failure: missing file, corrupt or encrypted docx/pdf, undecodable text.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "report.txt"
    >>> _ = p.write_bytes("2023年度法治政府建设工作报告\\r\\n一、主要举措".encode("gb18030"))
    >>> doc = read_file(p)
    >>> doc.format, doc.encoding, doc.text.splitlines()
    ('txt', 'gb18030', ['2023年度法治政府建设工作报告', '一、主要举措'])
    """
    path = Path(path)
    fmt = _format_of(path)
    data = _read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    if not data:
        raise EmptyFileError("file is empty (0 bytes)", path=path)
    text, encoding = _READERS[fmt](data, path)
    return RawDocument(path=path, sha256=digest, format=fmt, encoding=encoding, text=text)


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


def _read_bytes(path: Path) -> bytes:
    """Read the whole file, turning OS errors into a :class:`ReadError`."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ReadError("file not found", path=path) from exc
    except IsADirectoryError as exc:
        raise ReadError("is a directory, not a file", path=path) from exc
    except OSError as exc:
        raise ReadError(f"cannot read file: {exc.strerror or exc}", path=path) from exc


# --------------------------------------------------------------------------------------
# Plain text: encoding detection and decoding
# --------------------------------------------------------------------------------------

# Detection looks at a prefix only: charset_normalizer is far too slow on multi-MB
# files, and 64 KiB of a report is plenty of evidence. The whole file is then decoded
# strictly, so a wrong guess is caught rather than silently producing mojibake.
_SAMPLE_SIZE = 64 * 1024

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
# UTF-16 text has a NUL for every ASCII character; real reports have far more than this.
_MIN_UTF16_NUL_SHARE = 0.002

# GBK and GB2312 are subsets of GB18030; decoding with the superset never hurts and
# accepts the characters a "GBK" file so often contains anyway.
_GB_FAMILY = frozenset({"gb2312", "gbk", "gb18030"})
# Supersets to try when the detected codec rejects some bytes further into the file
# (Big5 files routinely contain Microsoft or HKSCS extension characters).
_FALLBACK_CODECS: dict[str, tuple[str, ...]] = {"big5": ("cp950", "big5hkscs")}
# Declared charsets that decode any bytes and so prove nothing about them.
_WEAK_DECLARATIONS = frozenset({"iso8859-1", "cp1252"})

_NON_SPACE = re.compile(r"\S")


def _read_txt(data: bytes, path: Path) -> tuple[str, str]:
    """Decode a plain-text file; see :func:`_decode_text`."""
    text, encoding = _decode_text(data, path)
    _require_non_blank(text, path)
    return normalize_newlines(text), encoding


def _decode_text(data: bytes, path: Path, *, declared: str | None = None) -> tuple[str, str]:
    """Detect the encoding of *data* and decode all of it strictly.

    Parameters
    ----------
    data
        The raw bytes (not empty).
    path
        The file, for error messages.
    declared
        An encoding the file itself declares (HTML ``<meta charset>``), tried after
        strict UTF-8 and before statistical detection.

    Returns
    -------
    tuple of (str, str)
        The decoded text and the codec name that decodes *data* exactly.

    Examples
    --------
    >>> _decode_text("全面推进依法行政，加快建设法治政府。".encode("gbk"), Path("x.txt"))
    ('全面推进依法行政，加快建设法治政府。', 'gb18030')
    """
    bom_encoding = _bom_encoding(data)
    if bom_encoding is not None:
        text = _decode_or_fail(
            data, bom_encoding, path, f"starts with a {bom_encoding} byte-order mark"
        )
        _reject_binary_text(text, bom_encoding, path)
        return text, bom_encoding

    sample = data[:_SAMPLE_SIZE]
    if b"\x00" in sample:
        # Text in 8-bit and multi-byte encodings never contains NUL; UTF-16 does.
        encoding = _sniff_utf16(sample)
        if encoding is None:
            raise BinaryFileError(
                "contains NUL bytes and is not UTF-16 text; looks like a binary file, not text",
                path=path,
            )
        text = _decode_or_fail(data, encoding, path, "looks like UTF-16 without a byte-order mark")
        return text, encoding

    _reject_control_bytes(sample, path)
    try:
        # Fast path: strict UTF-8 is unambiguous, since GBK/Big5 text essentially never
        # forms valid UTF-8 sequences.
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode_declared_or_detected(data, sample, path, declared)
    _reject_binary_text(text, encoding, path)
    return text, encoding


def _bom_encoding(data: bytes) -> str | None:
    """Return the codec implied by a leading byte-order mark, if any."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def _decode_or_fail(data: bytes, encoding: str, path: Path, why: str) -> str:
    """Strictly decode with a codec we are sure of; undecodable bytes are a ReadError."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"file {why} but is not valid {encoding} at byte offset {exc.start}; "
            "the file is damaged or truncated",
            path=path,
            offset=exc.start,
        ) from exc


def _sniff_utf16(sample: bytes) -> str | None:
    """Recognise UTF-16 text without a BOM from its NUL bytes.

    In UTF-16 every ASCII character (digits, punctuation, newlines) has a NUL high byte,
    so NULs are frequent and mostly sit at odd offsets (little-endian) or even offsets
    (big-endian). Common CJK characters such as 一 (U+4E00) put NULs on the other side,
    so the parity only orders the two candidates; each is confirmed by decoding the
    sample strictly and checking that it reads as text. Binary data fails that check
    (lone surrogates, control characters).
    """
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    # A stray NUL or two in otherwise 8-bit text is not UTF-16: that text would
    # "decode" as UTF-16 into plausible-looking CJK garbage.
    if (even + odd) < _MIN_UTF16_NUL_SHARE * len(sample):
        return None
    candidates = ("utf-16-le", "utf-16-be") if odd >= even else ("utf-16-be", "utf-16-le")
    for encoding in candidates:
        try:
            # Incremental decoding tolerates a surrogate pair cut at the sample's end.
            text = codecs.getincrementaldecoder(encoding)("strict").decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if _bad_char_share(text) <= _MAX_BAD_CHAR_SHARE:
            return encoding
    return None


def _reject_control_bytes(sample: bytes, path: Path) -> None:
    """Fail early on files whose bytes include many control codes (binary data)."""
    controls = len(sample.translate(None, _NON_CONTROL_BYTES))
    if controls > _MAX_CONTROL_BYTE_SHARE * len(sample):
        raise BinaryFileError(
            f"{controls / len(sample):.0%} of the first {len(sample)} bytes are control "
            "codes; looks like a binary file, not text",
            path=path,
        )


def _decode_declared_or_detected(
    data: bytes, sample: bytes, path: Path, declared: str | None
) -> tuple[str, str]:
    """Decode non-UTF-8 bytes: the declared charset if it fits, else a detected one."""
    if declared is not None and _is_trustworthy_declaration(declared):
        decoded = _try_decode(data, declared)
        if decoded is not None:
            return decoded

    encoding = _detect_encoding(_cut_at_char_boundary(sample, whole=len(data) <= len(sample)))
    if encoding is None:
        raise BinaryFileError(
            "bytes are not text in any encoding charset_normalizer knows; "
            "looks like a binary file, not text",
            path=path,
        )
    decoded = _try_decode(data, encoding)
    if decoded is not None:
        return decoded

    # The prefix fooled detection (or the file mixes encodings): look at everything.
    if len(data) > len(sample):
        whole = _detect_encoding(data)
        if whole is not None and whole != encoding:
            decoded = _try_decode(data, whole)
            if decoded is not None:
                return decoded
    offset = _first_bad_offset(data, encoding)
    raise ReadError(
        f"detected encoding {encoding} from the start of the file, but the bytes at offset "
        f"{offset} are not valid {encoding}; the file is damaged or mixes encodings",
        path=path,
        offset=offset,
    )


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

    A split character at the end makes charset_normalizer reject the right codec. Bytes
    below 0x30 are never trail bytes in GB18030, GBK, Big5, Shift-JIS or EUC, so cutting
    just after one is always safe.
    """
    if whole:
        return sample
    for i in range(len(sample) - 1, max(len(sample) - 4096, 0) - 1, -1):
        if sample[i] < 0x30:
            return sample[: i + 1]
    return sample


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


def _first_bad_offset(data: bytes, encoding: str) -> int:
    """Byte offset of the first byte *encoding* cannot decode."""
    try:
        data.decode(encoding)
    except UnicodeDecodeError as exc:
        return exc.start
    return 0


def _bad_char_share(text: str) -> float:
    """Share of control, replacement and private-use characters in (a prefix of) *text*."""
    head = text[:_SAMPLE_SIZE]
    if not head or _BAD_CHARS.search(head) is None:  # clean text: no list to build
        return 0.0
    return len(_BAD_CHARS.findall(head)) / len(head)


def _reject_binary_text(text: str, encoding: str, path: Path) -> None:
    """Fail if the decoded text is largely control or replacement characters."""
    share = _bad_char_share(text)
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


def _read_html(data: bytes, path: Path) -> tuple[str, str]:
    """Decode an HTML page and extract its title plus visible, non-chrome text."""
    text, encoding = _decode_text(data, path, declared=_declared_charset(data))
    _require_non_blank(text, path)
    title, body_lines = _html_to_lines(text, path)
    if not body_lines:
        raise EmptyFileError(
            "HTML page has no visible text outside scripts, menus and other page chrome",
            path=path,
        )
    lines = [title, *body_lines] if title else body_lines
    return "\n".join(lines), encoding


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


def _read_docx(data: bytes, path: Path) -> tuple[str, None]:
    """Body paragraphs and tables of a .docx in document order; headers/footers skipped."""
    document = _open_docx(data, path)
    lines = list(_docx_block_lines(document.element.body))
    text = normalize_newlines("\n".join(lines))
    if _NON_SPACE.search(text) is None:
        raise NoTextLayerError("DOCX contains no text (only images or empty pages?)", path=path)
    return text, None


def _open_docx(data: bytes, path: Path) -> DocxDocument:
    """Open the package with python-docx; any failure is a :class:`ReadError`."""
    if data.startswith(_OLE2_MAGIC):
        raise ReadError(
            "not a .docx package but an OLE2 file: a legacy Word .doc renamed to .docx, "
            "or a password-protected document; re-save it as an unprotected .docx",
            path=path,
        )
    try:
        return docx.Document(io.BytesIO(data))
    # python-docx surfaces corrupt packages as whatever zipfile/lxml/its own code raises
    # (BadZipFile, KeyError, XMLSyntaxError, PackageNotFoundError, ...).
    except Exception as exc:
        raise ReadError(
            f"not a valid .docx file (corrupt or not a Word document): {exc}", path=path
        ) from exc


def _docx_block_lines(container: etree._Element) -> Iterable[str]:
    """Yield one line per paragraph and per table row of a body-like XML element."""
    p_tag, tbl_tag, sdt_tag = qn("w:p"), qn("w:tbl"), qn("w:sdt")
    for child in container.iterchildren():
        if child.tag == p_tag:
            yield _docx_paragraph_text(child)
        elif child.tag == tbl_tag:
            yield from _docx_table_lines(child)
        elif child.tag == sdt_tag:
            # Content controls (cover pages, TOCs) wrap ordinary paragraphs and tables.
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _docx_block_lines(content)


def _docx_paragraph_text(p: etree._Element) -> str:
    """Text of a ``w:p``, including tracked insertions and hyperlinks.

    python-docx's ``Paragraph.text`` only sees direct ``w:r``/``w:hyperlink`` children,
    so runs inside ``w:ins``, ``w:smartTag`` or ``w:fldSimple`` would be lost. Text boxes
    are skipped (Word stores them twice, as drawing and as VML fallback); deleted text is
    in ``w:delText`` and so is not picked up.
    """
    runs = p.xpath(".//w:r[not(ancestor::w:txbxContent) and not(ancestor::w:moveFrom)]")
    return "".join(run.text for run in runs)


def _docx_table_lines(tbl: etree._Element) -> Iterable[str]:
    """Yield each table row as ``cell | cell``; nested tables are flattened into cells."""
    for tr in tbl.iterchildren(qn("w:tr")):
        cells = [
            " ".join(t for p in tc.iter(qn("w:p")) if (t := _docx_paragraph_text(p))).replace(
                "\n", " "
            )
            for tc in tr.iterchildren(qn("w:tc"))
        ]
        if any(c.strip() for c in cells):
            yield " | ".join(c.strip() for c in cells)


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------

_CID_GLYPH = re.compile(r"\(cid:\d+\)")


def _read_pdf(data: bytes, path: Path) -> tuple[str, None]:
    """Text layer of a PDF via pdfminer.six; page breaks become line breaks."""
    text = _extract_pdf_text(data, path)
    # pdfminer writes "(cid:123)" for glyphs it cannot map to Unicode; text made only of
    # those is as useless as no text at all.
    if _NON_SPACE.search(_CID_GLYPH.sub("", text)) is None:
        raise NoTextLayerError(
            "PDF has no text layer (scanned or image-only?); it needs OCR first", path=path
        )
    return normalize_newlines(text).replace("\f", "\n"), None


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


_READERS: dict[str, Callable[[bytes, Path], tuple[str, str | None]]] = {
    "txt": _read_txt,
    "html": _read_html,
    "docx": _read_docx,
    "pdf": _read_pdf,
}
