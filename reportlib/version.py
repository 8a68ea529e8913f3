"""The library's version and the parser version that keys the build cache."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

__all__ = ["__version__", "parser_version"]

__version__ = "0.1.0"


@cache
def parser_version() -> str:
    """``__version__`` plus a digest of the pattern files in ``reportlib/data``.

    Editing a pattern list (a new chrome word, a department) changes parsing, so it must
    invalidate cached rows just like a new release does.

    Examples
    --------
    >>> parser_version().startswith(__version__ + "+")
    True
    """
    digest = hashlib.sha256()
    folder = resources.files("reportlib").joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda item: item.name):
        if entry.is_file():
            digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:10]}"
