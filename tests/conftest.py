from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw" / "seeds"  # the five full seed reports (data/raw also holds corpus/)
CORPUS = Path(__file__).resolve().parent.parent / "data" / "raw" / "corpus"


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    return sorted(RAW.glob("*.txt"))


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS
