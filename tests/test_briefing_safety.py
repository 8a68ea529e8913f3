"""No briefing, index or notebook output holds live markup from report text (issue 15)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from reportlib import build
from reportlib.briefings import render_briefing

ROOT = Path(__file__).resolve().parent.parent
PLANTED = Path(__file__).parent / "fixtures" / "planted_markup"


class _LiveMarkup(HTMLParser):
    """Collects what a browser would run: event-handler attributes, javascript: links and
    scripts holding the planted payload."""

    def __init__(self) -> None:
        super().__init__()
        self.live: list[str] = []
        self._script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value}>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value}>")
        self._script = tag == "script"

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = False

    def handle_data(self, data):
        if self._script and "alert(" in data:
            self.live.append(f"<script>{data[:40]}")


def _live(page: Path) -> list[str]:
    parser = _LiveMarkup()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.live


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("planted")
    build(PLANTED, out, progress=False)
    return out


def test_the_planted_markup_reaches_the_tables(planted):
    # otherwise the briefings below would be safe only because nothing was planted
    import pandas as pd

    texts = pd.read_parquet(planted / "documents.parquet")["text"]
    assert texts.str.contains("<img src=x onerror=alert", regex=False).sum() == 2
    assert texts.str.contains("<script>alert(", regex=False).sum() == 2


@pytest.mark.parametrize(
    ("notebook", "parameters"),
    [
        ("01", {}),
        ("02", {"entity": "永乐镇"}),
        ("02", {"entity": "周庄镇"}),
        ("03", {"entities": ["永乐镇", "周庄镇"]}),
        ("04", {"keywords": ["script", "普法"], "min_years": 1}),
        ("05", {}),
        ("06", {}),
    ],
)
def test_no_briefing_holds_live_markup_from_a_report(planted, tmp_path, notebook, parameters):
    page = render_briefing(notebook, {**parameters, "data_dir": str(planted)}, out_dir=tmp_path)
    assert _live(page) == []
    assert _live(tmp_path / "index.html") == []
