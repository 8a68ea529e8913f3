"""Tests for :mod:`reportlib.readers`.

Content comes from the seed reports in ``data/raw``; every test file is written to
``tmp_path`` (the seeds themselves are only read).
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import socket
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from reportlib.errors import (
    BinaryFileError,
    EmptyFileError,
    LimitExceededError,
    NoTextLayerError,
    ReadError,
    SpecialFileError,
    UnsupportedFormatError,
)
from reportlib.limits import Limits
from reportlib.readers import SUPPORTED_SUFFIXES, RawDocument, file_sha256, read_file

SEED_DIR = Path(__file__).resolve().parents[1] / "data" / "raw" / "seeds"
SEEDS = sorted(SEED_DIR.glob("*.txt"))
# Seeds whose characters all exist in GBK (the others contain • or en spaces).
GBK_SEED = SEED_DIR / "003_29f5b4eb58e63336.txt"
BIG5_LINE = (
    "2020年,在黨中央、國務院及省委的堅強領導下,"
    "全省各級行政機關堅持以習近平新時代中國特色社會主義思想為指導"
)
CID_FONT = "STSong-Light"


def seed_text(path: Path = GBK_SEED) -> str:
    """A seed report's text (the seeds are UTF-8 with LF line endings)."""
    return path.read_text(encoding="utf-8")


def seed_paragraphs(path: Path = GBK_SEED) -> list[str]:
    """The non-blank lines of a seed, stripped."""
    return [line.strip() for line in seed_text(path).splitlines() if line.strip()]


def squash(text: str) -> str:
    """Remove all white space (PDF extraction re-wraps lines)."""
    return re.sub(r"\s+", "", text)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------
# txt: encodings
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_utf8_seed_round_trips(seed: Path, tmp_path: Path) -> None:
    data = seed.read_bytes()
    path = write(tmp_path, "report.txt", data)

    doc = read_file(path)

    assert isinstance(doc, RawDocument)
    assert doc == RawDocument(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        format="txt",
        encoding="utf-8",
        text=seed_text(seed),
    )


@pytest.mark.parametrize(
    ("codec", "reported"),
    [
        ("gb18030", "gb18030"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # Python writes a BOM
        ("utf-16-le", "utf-16-le"),  # no BOM: found from the NUL-byte pattern
        ("utf-16-be", "utf-16-be"),
        ("utf-32", "utf-32"),
    ],
)
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_encodings_are_detected(seed: Path, codec: str, reported: str, tmp_path: Path) -> None:
    text = seed_text(seed)
    data = text.encode(codec)
    path = write(tmp_path, "report.txt", data)

    doc = read_file(path)

    assert doc.text == text
    assert doc.encoding == reported
    # The reported codec reproduces the text from the raw bytes.
    assert data.decode(doc.encoding) == text
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("codec", ["gbk", "gb2312"])
def test_gbk_and_gb2312_are_reported_as_gb18030(codec: str, tmp_path: Path) -> None:
    text = "\n".join(line for line in seed_text().splitlines() if _encodable(line, "gb2312"))
    path = write(tmp_path, "report.txt", text.encode(codec))

    doc = read_file(path)

    assert doc.encoding == "gb18030"
    assert doc.text == text


def _encodable(text: str, codec: str) -> bool:
    try:
        text.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def test_big5_traditional_text(tmp_path: Path) -> None:
    text = "\n".join([BIG5_LINE] * 4)
    path = write(tmp_path, "report.txt", text.encode("big5"))

    doc = read_file(path)

    assert doc.encoding in {"big5", "cp950", "big5hkscs"}
    assert doc.text == text


def test_gb18030_only_characters_beyond_the_detection_sample(tmp_path: Path) -> None:
    # Detection looks at a prefix; the whole file must still decode, including a
    # four-byte GB18030 character ("•", not in GBK) far past that prefix.
    body = seed_text() * 40
    text = body + "\n• 附件：2023年法治政府建设工作台账\n"
    path = write(tmp_path, "report.txt", text.encode("gb18030"))
    assert path.stat().st_size > 200_000

    doc = read_file(path)

    assert doc.encoding == "gb18030"
    assert doc.text == text


def test_line_endings_are_normalised(tmp_path: Path) -> None:
    lines = seed_paragraphs()
    path = write(tmp_path, "report.txt", "\r\n".join(lines).encode("gb18030") + b"\r\r")

    doc = read_file(path)

    assert doc.text == "\n".join(lines) + "\n\n"


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    path = write(tmp_path, "REPORT.TXT", seed_text().encode("utf-8"))

    doc = read_file(str(path))

    assert doc.path == path
    assert doc.format == "txt"
    assert {".txt", ".html", ".htm", ".docx", ".pdf"} == SUPPORTED_SUFFIXES


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------

MENU = ["首页", "政务公开", "政务服务", "互动交流", "走进乌苏"]
SIDEBAR = ["热点新闻", "我市召开春季农业生产工作会议", "市领导调研乡村振兴工作"]
FOOTER = ["版权所有：乌苏市人民政府办公室", "新ICP备05000000号-1", "网站标识码6542020001"]
SCRIPT_TEXT = "统计代码不应出现"
TITLE = "乌苏市西大沟镇法治政府建设工作总结"
DATE_LINE = "发布时间：2024-03-01 来源：乌苏市西大沟镇人民政府"
BREADCRUMB = "您当前所在位置：首页 > 政务公开 > 法治政府建设"


def government_page(paragraphs: list[str]) -> str:
    """A typical county-government article page, chrome and all."""
    body = "\n".join(f'<p style="text-indent:2em">{p}</p>' for p in paragraphs)
    menu = "".join(f'<li><a href="/{i}/">{item}</a></li>' for i, item in enumerate(MENU))
    news = "".join(f"<li><a href='#'>{item}</a><span>03-01</span></li>" for item in SIDEBAR[1:])
    return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN">
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">
<meta charset="gbk">
<title>{TITLE}-乌苏市人民政府网</title>
<script>var _hmt = _hmt || []; document.write("{SCRIPT_TEXT}");</script>
<style>.nav li {{ float: left }}</style>
</head>
<body>
<div class="top-bar"><a href="#">无障碍浏览</a> | <a href="#">用户登录</a></div>
<div class="header"><div class="logo"><img src="logo.png" alt="">乌苏市人民政府网</div>
  <div class="search"><form action="/search"><input name="q" value="请输入关键字">
  <button>站内搜索</button></form></div></div>
<div class="nav" id="mainNav"><ul>{menu}</ul></div>
<div class="main w1200">
  <div class="position">您当前所在位置：<a href="/">首页</a> &gt; <a href="/1/">政务公开</a>
    &gt; <a href="/1/fz/">法治政府建设</a></div>
  <div class="left-content"><div class="article">
    <h1 class="title">{TITLE}</h1>
    <div class="info"><span>发布时间：2024-03-01</span> <span>来源：乌苏市西大沟镇人民政府</span>
      <span class="share">分享到：<a>微信朋友圈</a><a>新浪微博</a></span></div>
    <div class="content" id="zoom">
{body}
      <table border="1"><tr><th>指标</th><th>2023年</th></tr>
      <tr><td><p>行政复议案件</p></td><td><p>3件</p></td></tr></table>
    </div>
  </div></div>
  <div class="right sidebar"><h3>{SIDEBAR[0]}</h3><ul>{news}</ul></div>
</div>
<div class="footer"><p>{FOOTER[0]}</p><p>{FOOTER[1]} {FOOTER[2]}</p>
<p>地址：乌苏市西大沟镇 电话：0992-0000000</p></div>
<script type="text/javascript">document.write('{SCRIPT_TEXT}');</script>
</body></html>"""


def test_html_keeps_body_title_and_date_and_drops_chrome(tmp_path: Path) -> None:
    paragraphs = seed_paragraphs()[1:]
    path = write(tmp_path, "page.htm", government_page(paragraphs).encode("gbk"))

    doc = read_file(path)
    lines = doc.text.split("\n")

    assert doc.format == "html"
    assert doc.encoding == "gb18030"
    assert lines[0] == f"{TITLE}-乌苏市人民政府网"  # <title> comes first
    assert TITLE in lines[1:]
    assert DATE_LINE in lines
    assert BREADCRUMB in lines
    for paragraph in paragraphs:
        assert paragraph in lines
    assert "指标 | 2023年" in lines
    assert "行政复议案件 | 3件" in lines
    # Menu words also occur in the breadcrumb and the report ("全面推进政务公开"), so the
    # menu is checked line by line; the rest of the chrome must vanish entirely.
    for item in MENU:
        assert item not in lines
    assert "".join(MENU) not in doc.text
    for chrome in [*SIDEBAR, *FOOTER, SCRIPT_TEXT, "站内搜索", "用户登录", "微信朋友圈"]:
        assert chrome not in doc.text


def test_html_body_inside_page_wide_form_and_layout_table(tmp_path: Path) -> None:
    # ASP.NET sites wrap the whole page in <form>; old sites lay it out with tables.
    paragraphs = seed_paragraphs()[1:6]
    cells = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = (
        '<html><head><meta charset="utf-8"><title>报告</title></head><body>'
        '<form id="form1" method="post"><input type="hidden" name="__VIEWSTATE" value="x">'
        '<table width="1000"><tr><td class="leftmenu"><ul><li>机构概况</li></ul></td>'
        f"<td>{cells}</td></tr></table></form></body></html>"
    )
    path = write(tmp_path, "page.html", html.encode("utf-8"))

    doc = read_file(path)

    assert doc.encoding == "utf-8"
    assert doc.text.split("\n") == ["报告", *paragraphs]


@pytest.mark.parametrize(
    ("declared", "codec", "expected"),
    [
        ("utf-8", "gbk", "gb18030"),  # declaration wrong: detection decides
        ("iso-8859-1", "gbk", "gb18030"),  # Latin-1 decodes anything, so it proves nothing
        ("gb2312", "utf-8", "utf-8"),  # valid UTF-8 beats the declaration
        ("big5", "big5", "big5"),
    ],
)
def test_html_declared_charset_is_checked_against_the_bytes(
    declared: str, codec: str, expected: str, tmp_path: Path
) -> None:
    text = BIG5_LINE if codec == "big5" else seed_paragraphs()[1]
    html = f'<html><head><meta charset="{declared}"><title>t</title></head><p>{text}</p></html>'
    path = write(tmp_path, "page.html", html.encode(codec))

    doc = read_file(path)

    assert doc.encoding == expected
    assert doc.text == f"t\n{text}"


# --------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_in_document_order(tmp_path: Path) -> None:
    paragraphs = seed_paragraphs()
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "页眉：不应读取"
    document.sections[0].footer.paragraphs[0].text = "页脚：第1页"
    document.add_heading(paragraphs[0], level=1)
    for paragraph in paragraphs[1:4]:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["序号", "事项", "数量"], strict=True):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, ["1", "行政复议案件", "3件"], strict=True):
        cell.text = value
    for paragraph in paragraphs[4:]:
        document.add_paragraph(paragraph)
    path = tmp_path / "report.docx"
    document.save(path)

    doc = read_file(path)

    assert doc.format == "docx"
    assert doc.encoding is None
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    expected = [*paragraphs[:4], "序号 | 事项 | 数量", "1 | 行政复议案件 | 3件", *paragraphs[4:]]
    assert doc.text.split("\n") == expected
    assert "页眉" not in doc.text
    assert "页脚" not in doc.text


# --------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------


def wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Break *text* into lines no wider than *width* points (CJK breaks anywhere)."""
    lines, line = [], ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def make_pdf(path: Path, paragraphs: list[str], **canvas_options: object) -> None:
    """Write *paragraphs* with the built-in Chinese CID font, one page per ~45 lines."""
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    pdf = canvas.Canvas(str(path), **canvas_options)
    width, height = pdf._pagesize
    size, margin = 11, 20 * mm
    y = height - margin
    for paragraph in paragraphs:
        for line in wrap(paragraph, width - 2 * margin, CID_FONT, size):
            if y < margin:
                pdf.showPage()
                y = height - margin
            pdf.setFont(CID_FONT, size)
            pdf.drawString(margin, y, line)
            y -= size * 1.6
        y -= size
    pdf.save()


def test_pdf_text_layer_with_cjk_cid_font(tmp_path: Path) -> None:
    paragraphs = seed_paragraphs()[:8]
    path = tmp_path / "report.pdf"
    make_pdf(path, paragraphs)

    doc = read_file(path)

    assert doc.format == "pdf"
    assert doc.encoding is None
    assert "\f" not in doc.text
    assert squash(doc.text) == squash("".join(paragraphs))


def test_pdf_with_owner_password_only_is_read(tmp_path: Path) -> None:
    # Copy-protected government PDFs open with the empty user password. Latin text on
    # purpose: reportlab writes the CID font's CIDSystemInfo strings unencrypted in an
    # encrypted PDF, so pdfminer "decrypts" them into garbage and loses the CJK mapping.
    text = "Annual report on building a law-based government, 2023"
    path = tmp_path / "protected.pdf"
    pdf = canvas.Canvas(str(path), encrypt=StandardEncryption("", ownerPassword="owner", canCopy=0))
    pdf.drawString(72, 720, text)
    pdf.save()

    assert read_file(path).text.strip() == text


# --------------------------------------------------------------------------------------
# Bad input: right error, and the message names the file
# --------------------------------------------------------------------------------------


def png_bytes() -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
        b"\x00\x00\x00\x1f\xf3\xffa\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
        b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def image_only_pdf(path: Path) -> None:
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 400, 300, 200, fill=1)
    pdf.save()


def encrypted_pdf(path: Path) -> None:
    make_pdf(path, seed_paragraphs()[:1], encrypt=StandardEncryption("user-secret"))


def assert_raises_naming_file(path: Path, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as excinfo:
        read_file(path)
    assert type(excinfo.value) is error
    assert excinfo.value.path == path
    assert str(path) in str(excinfo.value)
    assert message in str(excinfo.value)


@pytest.mark.parametrize(
    ("name", "data", "error", "message"),
    [
        ("empty.txt", b"", EmptyFileError, "empty"),
        ("empty.pdf", b"", EmptyFileError, "empty"),
        ("blank.txt", " \r\n\t\n\u3000\n".encode(), EmptyFileError, "white space"),
        ("blank.html", b"<html><body>\n  \n</body></html>", EmptyFileError, "no visible text"),
        ("random.txt", random.Random(0).randbytes(4096), BinaryFileError, "binary"),
        ("image.txt", png_bytes(), BinaryFileError, "binary"),
        ("controls.txt", bytes(range(1, 32)) * 20, BinaryFileError, "binary"),
        ("table.xlsx", b"PK\x03\x04", UnsupportedFormatError, ".xlsx"),
        ("noext", b"text", UnsupportedFormatError, "no suffix"),
        ("not-a-zip.docx", b"this is not a word file", ReadError, "not a valid .docx"),
        ("bad-zip.docx", b"PK\x03\x04" + bytes(100), ReadError, "not a valid .docx"),
        ("legacy.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), ReadError, "OLE2"),
        ("garbage.pdf", b"hello, not a pdf", ReadError, "not a PDF"),
        ("truncated.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", ReadError, "cannot read PDF"),
    ],
)
def test_bad_input_raises_named_error(
    name: str, data: bytes, error: type[Exception], message: str, tmp_path: Path
) -> None:
    assert_raises_naming_file(write(tmp_path, name, data), error, message)


def test_image_only_pdf_has_no_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    image_only_pdf(path)
    assert_raises_naming_file(path, NoTextLayerError, "no text layer")


def test_encrypted_pdf_is_a_read_error(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    encrypted_pdf(path)
    assert_raises_naming_file(path, ReadError, "encrypted")


def test_docx_without_text_has_no_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "blank.docx"
    docx.Document().save(path)
    assert_raises_naming_file(path, NoTextLayerError, "no text")


def test_missing_file_is_a_read_error(tmp_path: Path) -> None:
    assert_raises_naming_file(tmp_path / "missing.txt", ReadError, "not found")


def test_missing_file_has_no_digest_but_an_os_error(tmp_path: Path) -> None:
    # file_sha256 keeps raising OSError for OS failures: its callers catch exactly that.
    with pytest.raises(FileNotFoundError):
        file_sha256(tmp_path / "missing.txt")


# --------------------------------------------------------------------------------------
# Special files: refused from their stat, never opened, never a hang
# --------------------------------------------------------------------------------------


def finishes(call: Callable[[], object], *, timeout: float = 5.0) -> BaseException | None:
    """Run *call* in a daemon thread; fail (instead of hanging CI) if it blocks.

    Returns the exception it raised, or ``None``.
    """
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        pytest.fail(f"blocked for more than {timeout} s (a FIFO or device was read)")
    return outcome[0]


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))  # the file stays after close
    server.close()


def make_link_to_dev_zero(path: Path) -> None:
    os.symlink("/dev/zero", path)


def make_directory(path: Path) -> None:
    path.mkdir()


SPECIAL_FILES = [
    ("x.txt", make_fifo, "FIFO"),
    ("s.txt", make_socket, "socket"),
    ("y.txt", make_link_to_dev_zero, "character device"),
    ("d.txt", make_directory, "directory"),
]


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Paths ``os.open`` is called with while the test runs."""
    calls: list[str] = []
    real_open = os.open

    def spy(path: object, *args: object, **kwargs: object) -> int:
        calls.append(str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    return calls


@pytest.mark.parametrize("read", [read_file, file_sha256], ids=["read_file", "file_sha256"])
@pytest.mark.parametrize(
    ("name", "make", "kind"), SPECIAL_FILES, ids=[k for *_, k in SPECIAL_FILES]
)
def test_special_file_is_refused_without_being_opened(
    name: str,
    make: Callable[[Path], None],
    kind: str,
    read: Callable[[Path], object],
    tmp_path: Path,
    opened: list[str],
) -> None:
    # Regression: a FIFO named x.txt blocked the build forever, y.txt -> /dev/zero spun
    # at 100 % CPU eating memory.
    path = tmp_path / name
    make(path)

    started = time.perf_counter()
    error = finishes(lambda: read(path))

    assert time.perf_counter() - started < 1.0
    assert isinstance(error, SpecialFileError), error
    assert (error.kind, error.path) == (kind, path)
    assert str(path) in str(error)
    assert f"is a {kind}" in str(error)
    assert str(path) not in opened
    if path.is_symlink():
        assert "symbolic link" in str(error)


def test_fifo_swapped_in_after_the_stat_is_refused_by_fstat(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The path passes the stat as a regular file, then is a FIFO when opened: the
    # non-blocking open must not wait for a writer, and fstat must refuse it.
    regular = write(tmp_path, "regular.txt", b"text")
    fifo = tmp_path / "x.txt"
    os.mkfifo(fifo)
    real_stat = os.stat
    monkeypatch.setattr(
        os,
        "stat",
        lambda path, *a, **k: real_stat(regular if Path(path) == fifo else path, *a, **k),
    )

    error = finishes(lambda: read_file(fifo))

    assert isinstance(error, SpecialFileError)
    assert error.kind == "FIFO"


# --------------------------------------------------------------------------------------
# Limits: file size, text length, DOCX inflation
# --------------------------------------------------------------------------------------


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Number of bytes each ``os.read`` returned while the test runs."""
    sizes: list[int] = []
    real_read = os.read

    def spy(fd: int, n: int) -> bytes:
        chunk = real_read(fd, n)
        sizes.append(len(chunk))
        return chunk

    monkeypatch.setattr(os, "read", spy)
    return sizes


@pytest.mark.parametrize("read", [read_file, file_sha256], ids=["read_file", "file_sha256"])
def test_file_over_max_file_bytes_is_refused_before_reading(
    read: Callable[..., object], tmp_path: Path, reads: list[int]
) -> None:
    path = write(tmp_path, "big.txt", seed_text().encode("utf-8"))

    with pytest.raises(LimitExceededError) as excinfo:
        read(path, limits=Limits(max_file_bytes=1000))

    assert (excinfo.value.limit, excinfo.value.allowed, excinfo.value.path) == (
        "max_file_bytes",
        1000,
        path,
    )
    assert reads == []


def test_file_growing_while_read_stops_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reads: list[int]
) -> None:
    # fstat says 100 bytes (the file "grew" after it): the read still takes at most
    # max_file_bytes + 1 bytes.
    path = write(tmp_path, "growing.txt", b"x" * 50_000)
    real_fstat = os.fstat

    def small_fstat(fd: int) -> os.stat_result:
        info = list(real_fstat(fd))
        info[6] = 100  # st_size
        return os.stat_result(info)

    monkeypatch.setattr(os, "fstat", small_fstat)

    with pytest.raises(LimitExceededError, match="grew") as excinfo:
        read_file(path, limits=Limits(max_file_bytes=10_000))

    assert excinfo.value.limit == "max_file_bytes"
    assert sum(reads) == 10_001


def test_file_at_max_file_bytes_is_read(tmp_path: Path) -> None:
    data = seed_text().encode("utf-8")
    path = write(tmp_path, "report.txt", data)

    doc = read_file(path, limits=Limits(max_file_bytes=len(data)))

    assert doc.text == seed_text()
    assert file_sha256(path, limits=Limits(max_file_bytes=len(data))) == doc.sha256


def simple_docx(path: Path, paragraphs: list[str]) -> Path:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    document.save(path)
    return path


@pytest.mark.parametrize("fmt", ["txt", "docx"])
def test_text_over_max_text_chars_is_refused(fmt: str, tmp_path: Path) -> None:
    paragraphs = seed_paragraphs()
    if fmt == "txt":
        path = write(tmp_path, "report.txt", "\n".join(paragraphs).encode("gb18030"))
    else:
        path = simple_docx(tmp_path / "report.docx", paragraphs)
    length = len("\n".join(paragraphs))

    assert len(read_file(path, limits=Limits(max_text_chars=length)).text) == length
    with pytest.raises(LimitExceededError) as excinfo:
        read_file(path, limits=Limits(max_text_chars=length - 1))

    assert (excinfo.value.limit, excinfo.value.allowed) == ("max_text_chars", length - 1)
    assert f"{length:,} characters" in str(excinfo.value)


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BOMB_PARAGRAPH = "<w:p><w:r><w:t>法治政府建设年度报告</w:t></w:r></w:p>".encode()
BOMB_BYTES = 200 * 1024 * 1024


PACKAGE_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="{target}" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/{target}" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def write_docx_parts(
    path: Path, parts: dict[str, bytes], *, main: str = "word/document.xml"
) -> Path:
    """A package holding *parts*, with the content types and relationship Word writes."""
    package_parts = {
        "[Content_Types].xml": CONTENT_TYPES.format(target=main).encode(),
        "_rels/.rels": PACKAGE_RELS.format(target=main).encode(),
        **parts,
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in package_parts.items():
            package.writestr(name, content)
    return path


@pytest.fixture(scope="module")
def docx_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 200 MB document.xml of repeated paragraphs, deflated to about 600 KB.

    Written through ``ZipFile.open(name, "w")`` in 1 MB chunks: never all in memory.
    """
    path = tmp_path_factory.mktemp("bomb") / "bomb.docx"
    chunk = BOMB_PARAGRAPH * (1024 * 1024 // len(BOMB_PARAGRAPH))
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package,
        package.open("word/document.xml", "w") as member,
    ):
        member.write(f'<w:document xmlns:w="{W_NS}"><w:body>'.encode())
        for _ in range(BOMB_BYTES // len(chunk) + 1):
            member.write(chunk)
        member.write(b"</w:body></w:document>")
    return path


def test_docx_bomb_is_refused_in_well_under_a_second(docx_bomb: Path) -> None:
    # Regression: a 345 KB DOCX inflating to 200 MB took minutes and gigabytes.
    assert docx_bomb.stat().st_size < 1024 * 1024
    with zipfile.ZipFile(docx_bomb) as package:
        assert package.getinfo("word/document.xml").file_size >= BOMB_BYTES

    started = time.perf_counter()
    with pytest.raises(LimitExceededError) as excinfo:
        read_file(docx_bomb)

    assert time.perf_counter() - started < 0.5
    assert excinfo.value.limit == "max_inflated_bytes"
    assert excinfo.value.path == docx_bomb


def lie_about_size(path: Path, name: str, size: int) -> None:
    """Rewrite the central directory's uncompressed size of member *name* (no zip64)."""
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")  # central directory entries: signature, then fields
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.index(b"PK\x01\x02", entry + 4)
    data[entry + 24 : entry + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_docx_bomb_with_a_lying_size_header_is_refused_quickly(
    docx_bomb: Path, tmp_path: Path
) -> None:
    # The central directory claims 1 KB: the header check passes, the bounded stream stops
    # inflating at the claimed size and the CRC no longer matches.
    path = tmp_path / "liar.docx"
    path.write_bytes(docx_bomb.read_bytes())
    lie_about_size(path, "word/document.xml", 1024)

    started = time.perf_counter()
    with pytest.raises(ReadError, match=r"not a valid \.docx") as excinfo:
        read_file(path)

    assert time.perf_counter() - started < 0.5
    assert not isinstance(excinfo.value, LimitExceededError)


def test_docx_parts_read_are_capped_in_total(tmp_path: Path) -> None:
    xml = f'<w:document xmlns:w="{W_NS}"><w:body>'.encode()
    xml += BOMB_PARAGRAPH * 1000 + b"</w:body></w:document>"
    path = write_docx_parts(tmp_path / "report.docx", {"word/document.xml": xml})
    # Only the parts read count: the package relationship, then the main document.
    total = len(PACKAGE_RELS.format(target="word/document.xml")) + len(xml)

    assert read_file(path, limits=Limits(max_inflated_bytes=total)).text.count("\n") == 999
    with pytest.raises(LimitExceededError, match=r"word/document\.xml") as excinfo:
        read_file(path, limits=Limits(max_inflated_bytes=total - 1))
    assert (excinfo.value.limit, excinfo.value.allowed) == ("max_inflated_bytes", total - 1)


LOL = "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' if i else '<!ENTITY lol0 "lol">' for i in range(10)
)


@pytest.mark.parametrize(
    "body",
    [
        "<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>",
        '<w:p w:rsidR="&lol9;"><w:r><w:t>正文</w:t></w:r></w:p>',
    ],
    ids=["in-text", "in-attribute"],
)
def test_billion_laughs_docx_is_a_read_error_not_a_hang(body: str, tmp_path: Path) -> None:
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [{LOL}]>'
        f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'
    )
    path = write_docx_parts(tmp_path / "lol.docx", {"word/document.xml": xml.encode()})

    started = time.perf_counter()
    error = finishes(lambda: read_file(path))

    assert time.perf_counter() - started < 1.0
    assert type(error) is ReadError
    assert error.path == path
    assert "not a valid .docx" in str(error)


def test_docx_external_entity_is_not_resolved(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.txt", "机密".encode())
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p>'
        "</w:body></w:document>"
    )
    path = write_docx_parts(tmp_path / "xxe.docx", {"word/document.xml": xml.encode()})

    with pytest.raises(ReadError, match="DTD"):
        read_file(path)


W_DECL = f'xmlns:w="{W_NS}"'
DOCX_FEATURES = [
    # tracked changes: insertion kept, deletion (w:delText) dropped
    f'<w:p {W_DECL}><w:r><w:t>修订前</w:t></w:r><w:ins w:id="1" w:author="a">'
    '<w:r><w:t>插入的文字</w:t></w:r></w:ins><w:del w:id="2" w:author="a">'
    "<w:r><w:delText>删除的文字</w:delText></w:r></w:del></w:p>",
    # hyperlink, smart tag, simple field
    f'<w:p {W_DECL} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<w:hyperlink r:id="rId99"><w:r><w:t>链接文字</w:t></w:r></w:hyperlink>'
    '<w:smartTag w:uri="u" w:element="e"><w:r><w:t>智能标记</w:t></w:r></w:smartTag>'
    '<w:fldSimple w:instr="PAGE"><w:r><w:t>3</w:t></w:r></w:fldSimple></w:p>',
    # run content: tab, line break, page break, non-breaking hyphen, carriage return
    f'<w:p {W_DECL}><w:r><w:t xml:space="preserve">前 </w:t><w:tab/><w:t>后</w:t><w:br/>'
    '<w:t>换行</w:t><w:br w:type="page"/><w:t>分页</w:t><w:noBreakHyphen/><w:t>续</w:t>'
    "<w:cr/><w:t>末</w:t></w:r></w:p>",
    # content control wrapping a paragraph and a table
    f"<w:sdt {W_DECL}><w:sdtPr/><w:sdtContent><w:p><w:r><w:t>内容控件段落</w:t></w:r></w:p>"
    "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>甲</w:t></w:r></w:p><w:p><w:r><w:t>乙</w:t></w:r></w:p>"
    "</w:tc><w:tc><w:p><w:r><w:t>丙</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:sdtContent></w:sdt>",
    # a text box (skipped) and a move (only the moved-to text counts)
    f'<w:p {W_DECL} xmlns:v="urn:schemas-microsoft-com:vml"><w:r><w:t>正文</w:t></w:r>'
    "<w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>文本框</w:t></w:r></w:p>"
    '</w:txbxContent></v:textbox></v:shape></w:pict></w:r><w:moveFrom w:id="5" w:author="a">'
    '<w:r><w:t>移走</w:t></w:r></w:moveFrom><w:moveTo w:id="6" w:author="a"><w:r><w:t>移来'
    "</w:t></w:r></w:moveTo></w:p>",
    # nested table, flattened into its cell; an all-empty row gives no line
    f"<w:tbl {W_DECL}><w:tr><w:tc><w:p><w:r><w:t>外</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p>"
    "<w:r><w:t>内1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>内2</w:t></w:r></w:p></w:tc>"
    "</w:tr></w:tbl></w:tc><w:tc><w:p/></w:tc></w:tr><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl>",
]
DOCX_FEATURES_TEXT = [
    "修订前插入的文字",
    "链接文字智能标记3",
    "前 \t后",
    "换行分页-续",
    "末",
    "内容控件段落",
    "甲 乙 | 丙",
    "正文移来",
    "外 内1 内2 | ",
]


def test_docx_runs_in_insertions_links_fields_and_content_controls(tmp_path: Path) -> None:
    # The same text python-docx based extraction gave (checked against the old reader).
    document = docx.Document()
    end = document.element.body[-1]  # w:sectPr stays last
    for fragment in DOCX_FEATURES:
        end.addprevious(parse_xml(fragment))
    path = tmp_path / "features.docx"
    document.save(path)

    assert read_file(path).text.split("\n") == DOCX_FEATURES_TEXT


def test_docx_main_part_is_found_through_the_package_relationship(tmp_path: Path) -> None:
    xml = (
        f"<w:document {W_DECL}><w:body><w:p><w:r><w:t>正文</w:t></w:r></w:p></w:body></w:document>"
    )
    path = write_docx_parts(
        tmp_path / "report.docx", {"word/document2.xml": xml.encode()}, main="word/document2.xml"
    )

    assert read_file(path).text == "正文"


def test_zip_without_a_word_document_is_not_a_docx(tmp_path: Path) -> None:
    path = tmp_path / "sheet.docx"
    with zipfile.ZipFile(path, "w") as package:  # an .xlsx renamed
        package.writestr("xl/workbook.xml", b"<workbook/>")
    assert_raises_naming_file(path, ReadError, "has no word/document.xml")


# --------------------------------------------------------------------------------------
# Decoding: a few bad bytes do not reject a readable report
# --------------------------------------------------------------------------------------


def test_stray_nul_in_utf8_text_is_dropped_not_binary(tmp_path: Path) -> None:
    # Regression: one NUL byte made a whole UTF-8 report "binary".
    text = seed_text()
    at = len(text.encode("utf-8")) // 2
    data = text.encode("utf-8")
    at = data.index("。".encode(), at)  # between two characters
    path = write(tmp_path, "report.txt", data[:at] + b"\x00" + data[at:])

    doc = read_file(path)

    assert (doc.encoding, doc.n_replaced, doc.first_replaced_offset) == ("utf-8", 1, at)
    assert doc.text == text  # the NUL is dropped, nothing else changes
    assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def corrupt(data: bytes, offsets: list[int], byte: int) -> bytes:
    buf = bytearray(data)
    for offset in offsets:
        buf[offset] = byte
    return bytes(buf)


def test_three_invalid_bytes_in_a_utf8_page_do_not_reject_it(tmp_path: Path) -> None:
    # Regression: three invalid bytes in an otherwise UTF-8 page rejected the report.
    text = seed_text()
    data = text.encode("utf-8")
    # Three digits, far apart, become 0xFF, never valid in UTF-8.
    digits = [i for i, b in enumerate(data) if b in b"0123456789"]
    ascii_at = [digits[0], digits[len(digits) // 2], digits[-1]]
    path = write(tmp_path, "report.txt", corrupt(data, ascii_at, 0xFF))

    doc = read_file(path)

    assert (doc.encoding, doc.n_replaced, doc.first_replaced_offset) == ("utf-8", 3, ascii_at[0])
    expected = bytearray(data)
    for offset in ascii_at:
        expected[offset : offset + 1] = b"\x00"
    assert doc.text == bytes(expected).decode("utf-8").replace("\x00", "\ufffd")


def test_gb18030_page_with_three_corrupted_bytes_is_read(tmp_path: Path) -> None:
    # Regression: 9 % of GB18030 copies of readable reports were rejected. Three trail
    # bytes become "?", as a lossy converter writes them: each pair loses its lead byte.
    text = seed_text()
    data = text.encode("gb18030")
    starts = [len(text[:i].encode("gb18030")) for i in (100, 1000, 2000)]
    assert all(data[s] >= 0x81 for s in starts)  # each is a two-byte character
    path = write(tmp_path, "report.txt", corrupt(data, [s + 1 for s in starts], ord("?")))

    doc = read_file(path)

    assert (doc.encoding, doc.n_replaced, doc.first_replaced_offset) == (
        "gb18030",
        3,
        starts[0],
    )
    expected = text
    for i in (2000, 1000, 100):
        expected = expected[:i] + "\ufffd?" + expected[i + 1 :]
    assert doc.text == expected


def test_dollar_one_in_a_gbk_page_keeps_it_gb18030(tmp_path: Path) -> None:
    # Regression: detection was charset_normalizer's luck on a prefix; "$1" at offset 90
    # of this page made it give up ("not text in any encoding").
    text = (SEED_DIR.parent / "corpus" / "d005.txt").read_text(encoding="utf-8")
    path = tmp_path / "report.txt"
    for at in range(0, len(text), 7):
        page = text[:at] + "$1" + text[at:]
        path.write_bytes(page.encode("gbk"))

        doc = read_file(path)

        assert (at, doc.encoding, doc.n_replaced) == (at, "gb18030", 0)
        assert doc.text == page


def test_big5_page_with_a_bad_byte_stays_big5(tmp_path: Path) -> None:
    data = "\n".join([BIG5_LINE] * 4).encode("big5")
    at = len(BIG5_LINE[:30].encode("big5"))  # between two characters
    path = write(tmp_path, "report.txt", data[:at] + b"\xff" + data[at:])

    doc = read_file(path)

    assert doc.encoding in {"big5", "cp950", "big5hkscs"}
    assert (doc.n_replaced, doc.first_replaced_offset) == (1, at)
    assert doc.text.replace("\ufffd", "") == "\n".join([BIG5_LINE] * 4)


@pytest.mark.parametrize("over", [False, True])
def test_replaced_byte_share_threshold(over: bool, tmp_path: Path) -> None:
    # The stated rule: at most 1 % of the bytes may be replaced. 0xFF bytes are inserted
    # between characters, spread over the file: each is one replaced byte.
    text = seed_text()
    n = len(text.encode("utf-8"))
    allowed = max(k for k in range(n) if k <= (n + k) // 100)
    count = allowed + 1 if over else allowed
    cuts = [len(text) * (i + 1) // (count + 1) for i in range(count)]
    bounds = zip([0, *cuts], [*cuts, len(text)], strict=True)
    pieces = [text[a:b].encode("utf-8") for a, b in bounds]
    path = write(tmp_path, "report.txt", b"\xff".join(pieces))

    if over:
        assert_raises_naming_file(path, BinaryFileError, "binary")
    else:
        doc = read_file(path)
        assert (doc.encoding, doc.n_replaced) == ("utf-8", allowed)
        assert doc.text.replace("\ufffd", "") == text


def test_html_with_stray_nul_and_bad_bytes_is_read(tmp_path: Path) -> None:
    paragraphs = seed_paragraphs()[1:]
    data = government_page(paragraphs).encode("gbk")
    at = data.index(paragraphs[0].encode("gbk"))
    data = data[:at] + b"\x00" + data[at:]
    path = write(tmp_path, "page.htm", data)

    doc = read_file(path)

    assert (doc.format, doc.encoding, doc.n_replaced, doc.first_replaced_offset) == (
        "html",
        "gb18030",
        1,
        at,
    )
    assert paragraphs[0] in doc.text.split("\n")
