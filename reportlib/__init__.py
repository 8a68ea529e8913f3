"""reportlib: read, clean and tabulate China's annual rule-of-law-government reports."""

from reportlib.clean import clean_text, normalize_text
from reportlib.documents import find_input_files, parse_file, read_reports
from reportlib.errors import (
    BinaryFileError,
    EmptyFileError,
    NotAReportError,
    NoTextLayerError,
    ReadError,
    ReportlibError,
    UnsupportedFormatError,
)
from reportlib.indicators import extract_indicators, indicator_table
from reportlib.metadata import infer_metadata
from reportlib.readers import read_file
from reportlib.sections import outline_compliance, split_sections
from reportlib.store import build, connect
from reportlib.version import __version__

__all__ = [
    "BinaryFileError",
    "EmptyFileError",
    "NoTextLayerError",
    "NotAReportError",
    "ReadError",
    "ReportlibError",
    "UnsupportedFormatError",
    "__version__",
    "build",
    "clean_text",
    "connect",
    "extract_indicators",
    "find_input_files",
    "indicator_table",
    "infer_metadata",
    "normalize_text",
    "outline_compliance",
    "parse_file",
    "read_file",
    "read_reports",
    "split_sections",
]
