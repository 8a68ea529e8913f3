"""Atomic file writes: a reader sees the old file or the new one, never half of either.

Every file reportlib writes for others to read (a table, a briefing, an index, a manifest)
goes through :func:`replacing`: the content is written to a temporary file in the same
folder, flushed to disk, and renamed over the target in one step. A crash, a kill or a full
disk leaves the previous file intact plus at most one temporary file, whose name starts with
``.`` and ends with ``.tmp``, that the next build removes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

__all__ = ["TEMPORARY_SUFFIX", "fsync_folder", "replacing", "write_table", "write_text"]

TEMPORARY_SUFFIX = ".tmp"


def fsync_folder(folder: str | Path) -> None:
    """Flush a folder's entries (a rename or a new file) to disk.

    Without it a power cut right after ``os.replace`` may bring back the old name.
    """
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def replacing(path: str | Path, *, mode: int = 0o644) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` atomically.

    Parameters
    ----------
    path
        The file to write. Its folder is created if needed.
    mode
        Permissions of the new file (``mkstemp`` makes files private; tables and briefings
        are for sharing).

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "note.txt"
    >>> with replacing(target) as temporary:
    ...     _ = temporary.write_text("新")
    >>> target.read_text()
    '新'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(
        prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX, dir=path.parent
    )
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, mode)
        with open(temporary, "rb") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        fsync_folder(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a DataFrame to Parquet atomically.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> write_table(pd.DataFrame({"doc_id": ["a"]}), f"{folder}/t.parquet").name
    't.parquet'
    """
    with replacing(path) as temporary:
        frame.to_parquet(temporary, index=False)
    return Path(path)


def write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 text atomically.

    Examples
    --------
    >>> import tempfile
    >>> write_text(Path(tempfile.mkdtemp()) / "index.html", "<p>简报</p>").name
    'index.html'
    """
    with replacing(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return Path(path)
