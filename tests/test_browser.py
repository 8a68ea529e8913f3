"""Every briefing opened in a real browser: headless Chromium (Debian's ``chromium``; ``make
test`` installs it when missing). No script errors, every image decoded, no horizontal
overflow at 1280 px, a Chinese page (issue 15)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from reportlib import build
from reportlib.briefings import render_briefing

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        CHROMIUM is None,
        reason="*** NO CHROMIUM: the browser tests did not run (apt-get install chromium) ***",
    ),
]

# Runs in the page: collects script errors from the start, then on load writes what it found
# into the DOM, which --dump-dom prints.
_PROBE = """<script>
window.__errors = [];
window.addEventListener("error", function (e) { window.__errors.push(String(e.message || e.type)); }, true);
window.addEventListener("load", function () {
  var images = Array.prototype.slice.call(document.images);
  var text = document.body.innerText || "";
  var out = document.createElement("pre"); out.id = "__probe";
  out.textContent = JSON.stringify({
    errors: window.__errors,
    images: images.length,
    broken: images.filter(function (i) { return !(i.complete && i.naturalWidth > 0); }).length,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    text: text
  });
  document.body.appendChild(out);
});
</script>"""

# every briefing and the index are Chinese pages
_CHINESE = ("01-", "02-", "03-", "04-", "05-", "06-", "index")
# words that stay Latin in a Chinese page: a test's name, a unit of its statistic
_LATIN_ALLOWED = {"Williams", "reportlib", "brief"}
_FILE_NAME = re.compile(r"[\w./-]+\.(?:txt|html?|docx?|pdf)\b", re.I)


def _fonts_conf(folder: Path) -> Path:
    # the project's CJK font (mplfonts, installed with the package) for Chromium too
    import mplfonts

    fonts = Path(mplfonts.__file__).parent / "fonts"
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f'<dir>{fonts}</dir><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f"<cachedir>{folder / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    return conf


def _open(page: Path, work: Path) -> dict[str, object]:
    html = page.read_text(encoding="utf-8")
    probed = work / f"probed-{page.name}"
    at = html.find("<head>") + len("<head>")
    probed.write_text(html[:at] + _PROBE + html[at:], encoding="utf-8")
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--window-size=1280,900",
            "--virtual-time-budget=10000",
            "--dump-dom",
            probed.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={"FONTCONFIG_FILE": str(_fonts_conf(work)), "HOME": str(work), "PATH": "/usr/bin:/bin"},
    )
    found = re.search(r'<pre id="__probe">(.*?)</pre>', result.stdout, re.S)
    assert found, result.stderr[-2000:]
    import html as html_module

    return json.loads(html_module.unescape(found.group(1)))


@pytest.fixture(scope="module")
def briefings(tmp_path_factory) -> list[Path]:
    data = tmp_path_factory.mktemp("processed")
    build(ROOT / "data" / "raw", data, progress=False)
    out = tmp_path_factory.mktemp("briefings")
    runs = [
        ("01", {}),
        ("02", {"entity": "永乐镇"}),
        ("02", {"entity": "司法部", "year": 2023}),
        ("02", {"doc_id": "d065"}),  # the page names no entity
        ("03", {}),
        ("03", {"parent": "綦江区"}),  # page excerpts only
        ("04", {}),
        ("05", {}),
        ("06", {}),
    ]
    pages = [render_briefing(n, {**p, "data_dir": str(data)}, out_dir=out) for n, p in runs]
    return [*pages, out / "index.html"]


def test_every_briefing_loads_in_chromium_without_errors_or_overflow(briefings, tmp_path):
    for page in briefings:
        found = _open(page, tmp_path)
        assert found["errors"] == [], page.name
        assert found["broken"] == 0, page.name
        assert found["scrollWidth"] <= found["innerWidth"], page.name
        if page.name.startswith("02-town-briefing__entity-永乐镇"):
            assert found["images"] >= 2, page.name  # the parts and the word cloud at least
        elif page.name.startswith("02"):
            assert found["images"] >= 1, page.name  # excerpts: the word cloud at least


def test_chinese_briefings_show_no_english_words(briefings, tmp_path):
    for page in briefings:
        if not page.name.startswith(_CHINESE):
            continue
        html = page.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in html, page.name
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert re.search("[\u4e00-\u9fff]", title), title
        # file names (d41.txt) are the reader's own data, not words of the page
        text = _FILE_NAME.sub("", str(_open(page, tmp_path)["text"]))
        words = set(re.findall(r"[A-Za-z]{3,}", text))
        assert words - _LATIN_ALLOWED == set(), (page.name, sorted(words - _LATIN_ALLOWED))
