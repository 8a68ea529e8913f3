"""Errors raised by reportlib.

Every error derives from :class:`ReportlibError` and carries the file it is about
(``path``) and, where it makes sense, a character or byte ``offset``, so a message in a
``problems`` row can always be traced back to the input.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "BinaryFileError",
    "BuildLockedError",
    "DataFileError",
    "EmptyFileError",
    "LimitExceededError",
    "NoTextLayerError",
    "NotAReportError",
    "ParameterError",
    "ReadError",
    "ReportlibError",
    "SpecialFileError",
    "UnsupportedFormatError",
]


class ReportlibError(Exception):
    """Base class of every error reportlib raises.

    Parameters
    ----------
    message
        What is wrong, in words an analyst understands.
    path
        The input file concerned, if any.
    offset
        Byte or character offset into that file where the problem was found, if known.
    """

    def __init__(self, message: str, *, path: Path | str | None = None, offset: int | None = None):
        self.message = message
        self.path = Path(path) if path is not None else None
        self.offset = offset
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}" if self.path is not None else ""
        if self.offset is not None:
            where += f" (offset {self.offset})"
        return f"{where}: {self.message}" if where else self.message


class ReadError(ReportlibError):
    """A file could not be read or decoded into text."""


class EmptyFileError(ReadError):
    """The file holds no bytes, or only white space."""


class BinaryFileError(ReadError):
    """The file's bytes are not text in any encoding we can detect."""


class UnsupportedFormatError(ReadError):
    """The file's extension is not one of the formats reportlib reads."""


class NoTextLayerError(ReadError):
    """A PDF (or DOCX) with no extractable text, e.g. a scanned, image-only PDF."""


class SpecialFileError(ReadError):
    """The path is not a regular file (a FIFO, socket, device, or a link to one): it is
    reported without being opened for reading, since reading it could block or never end.
    ``kind`` names what it is ("FIFO", "socket", "character device" …)."""

    def __init__(self, message: str, *, path: Path | str | None = None, kind: str = ""):
        self.kind = kind
        super().__init__(message, path=path)


class LimitExceededError(ReportlibError):
    """A file went over one of the per-file budgets of :class:`reportlib.limits.Limits`
    (its size, the inflated size of a DOCX, its text length, its parsing time). ``limit``
    names the budget (``"max_file_bytes"`` …) and ``allowed`` its value."""

    def __init__(
        self,
        message: str,
        *,
        limit: str,
        allowed: float,
        path: Path | str | None = None,
        offset: int | None = None,
    ):
        self.limit = limit
        self.allowed = allowed
        shown = f"{int(allowed)}" if float(allowed).is_integer() else f"{allowed:g}"
        super().__init__(f"{message} (over the limit {limit}={shown})", path=path, offset=offset)


class BuildLockedError(ReportlibError):
    """Another build holds the output folder's lock (``holder`` describes it: pid, host,
    start time) and did not release it within the wait."""

    def __init__(self, message: str, *, path: Path | str | None = None, holder: str = ""):
        self.holder = holder
        super().__init__(message, path=path)


class DataFileError(ReportlibError):
    """A data file of patterns (``reportlib/data`` or a user's own) that cannot be used: a bad
    regular expression, a missing or repeated id. ``path`` names the file."""


class NotAReportError(ReportlibError):
    """The text was read but does not look like a report (too short, no report wording)."""


class ParameterError(ReportlibError):
    """A briefing parameter names nothing in the data (an unknown entity, a year with no
    report). ``closest`` lists the nearest valid values, best first."""

    def __init__(self, message: str, *, closest: list[str] | None = None):
        self.closest = list(closest or [])
        if self.closest:
            message = f"{message}. Closest: {', '.join(self.closest)}"
        super().__init__(message)
