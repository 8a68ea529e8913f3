"""The package's surface: every public name resolves, and importing it stays light (issue 15)."""

from __future__ import annotations

import subprocess
import sys

import reportlib


def test_every_public_name_resolves():
    assert [name for name in reportlib.__all__ if getattr(reportlib, name, None) is None] == []


def test_regression_import_reportlib_loaded_pandas_and_every_reader():
    # importing pandas, the readers and the segmenter cost 0.8 s before any work was asked for
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, reportlib; print(sorted(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for heavy in ("pandas", "numpy", "pyarrow", "rjieba", "matplotlib"):
        assert f"'{heavy}'" not in loaded, heavy


def test_regression_a_function_named_like_its_module_became_the_module():
    import reportlib.keyness  # binds the submodule to the package

    assert callable(reportlib.keyness) and callable(reportlib.kwic) and callable(reportlib.segment)
