"""nbval runs every notebook against the built-in sample: build it first (cached: a re-run
costs a fraction of a second when data/raw has not changed)."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def built_sample():
    from reportlib import build

    build(ROOT / "data" / "raw", ROOT / "data" / "processed", progress=False)
