"""Tests for :mod:`reportlib.readers`.

Content comes from the seed reports in ``data/raw``; every test file is written to
``tmp_path`` (the seeds themselves are only read).
"""

from __future__ import annotations

import hashlib
import random
import re
from pathlib import Path

import docx
import pytest
from reportlab.lib.pdfencrypt import StandardEncryption
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from reportlib.errors import (
    BinaryFileError,
    EmptyFileError,
    NoTextLayerError,
    ReadError,
    UnsupportedFormatError,
)
from reportlib.readers import SUPPORTED_SUFFIXES, RawDocument, read_file

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


def test_stray_nul_in_text_is_binary(tmp_path: Path) -> None:
    # Not UTF-16 (too few NULs), and 8-bit text never contains NUL.
    data = seed_text().encode("utf-8") + b"\x00"
    assert_raises_naming_file(write(tmp_path, "odd.txt", data), BinaryFileError, "NUL")
