import subprocess
import sys

from tests.conftest import RAW


def test_build_command_prints_a_summary(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "reportlib", "build", "--raw", str(RAW), "--out", str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Built 5 documents from 5 files" in done.stdout
    assert "Documents by level" in done.stdout
    assert (out / "documents.parquet").exists()


def test_missing_raw_folder_is_a_clear_error(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "reportlib",
            "build",
            "--raw",
            str(tmp_path / "nope"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "does not exist" in done.stderr
