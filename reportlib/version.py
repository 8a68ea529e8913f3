"""The library's version and the parser version that keys the build cache."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

__all__ = ["__version__", "parser_version"]

__version__ = "0.1.0"


@cache
def parser_version() -> str:
    """``__version__`` plus a digest of reportlib's code, of the pattern files in
    ``reportlib/data`` and of the versions of the packages the division list comes from.

    Editing a pattern list (a new chrome word, a department) or the code changes parsing,
    so it must invalidate cached results just like a new release does.

    Examples
    --------
    >>> parser_version().startswith(__version__ + "+")
    True
    """
    digest = hashlib.sha256()
    package = resources.files("reportlib")
    for folder, suffixes in ((package, (".py",)), (package.joinpath("data"), (".txt", ".csv"))):
        for entry in sorted(folder.iterdir(), key=lambda item: item.name):
            if entry.is_file() and entry.name.endswith(suffixes):
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes())
    # the official division list comes from packages: a new release of one changes results
    from reportlib.places import data_sources

    for name, release in sorted(data_sources().items()):
        digest.update(f"{name}=={release}".encode())
    return f"{__version__}+{digest.hexdigest()[:10]}"
