"""nbval runs every notebook against the built-in sample: build it first (cached: a re-run
costs a fraction of a second when data/raw has not changed).

A hook, not a fixture: nbval's cell items take no fixtures, so an autouse fixture would never
run for them and a clean checkout would have no data/processed.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_built = False


def pytest_runtest_setup(item):
    global _built
    if not _built:
        from reportlib import build

        build(ROOT / "data" / "raw", ROOT / "data" / "processed", progress=False)
        _built = True
