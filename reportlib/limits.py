"""Per-file budgets: no single input may hang, stop or starve a build.

A file over a budget becomes a ``problems`` row (stage ``limit``) naming the budget, and the
build goes on. The defaults leave a wide margin over real reports (the longest of the sample
is about 50,000 characters; report PDFs with scanned seals run to a few tens of MB) while
keeping the memory one file can take well under a few GB.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True)
class Limits:
    """Budgets applied to every input file.

    Parameters
    ----------
    max_file_bytes
        Largest file read, in bytes (checked before reading; the read itself stops there too,
        in case the file grows).
    max_inflated_bytes
        Largest total a DOCX package may inflate to (its XML members, read with a bounded
        stream, so a lying zip header cannot get round it).
    max_text_chars
        Longest extracted text, in characters, that goes on to cleaning, metadata, sections,
        indicators, tokens and reuse.
    max_seconds
        Wall-clock time one file may take through all per-file stages; a worker over it is
        killed and replaced.

    Examples
    --------
    >>> Limits().max_seconds
    120.0
    >>> Limits(max_seconds=5).max_seconds
    5
    """

    max_file_bytes: int = 256 * 1024 * 1024
    max_inflated_bytes: int = 64 * 1024 * 1024
    max_text_chars: int = 20_000_000
    max_seconds: float = 120.0


DEFAULT_LIMITS = Limits()
