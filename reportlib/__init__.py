"""reportlib: read, clean and tabulate China's annual rule-of-law-government reports."""

from reportlib.analysis import load_tables
from reportlib.briefings import BriefingError, render_briefing
from reportlib.clean import clean_text, normalize_text
from reportlib.counts import count_keywords, keyword_trends, top_terms
from reportlib.documents import find_input_files, parse_file, read_reports
from reportlib.errors import (
    BinaryFileError,
    BuildLockedError,
    DataFileError,
    EmptyFileError,
    LimitExceededError,
    NotAReportError,
    NoTextLayerError,
    ParameterError,
    ReadError,
    ReportlibError,
    SpecialFileError,
    UnsupportedFormatError,
)
from reportlib.indicators import extract_indicators
from reportlib.keyness import collocations, keyness
from reportlib.kwic import kwic
from reportlib.limits import Limits
from reportlib.measure_tables import indicator_table, report_measures, unlinked_counts
from reportlib.measures import Measure, load_measures
from reportlib.metadata import infer_metadata
from reportlib.pipeline import build
from reportlib.places import Gazetteer, divisions
from reportlib.plotting import set_theme, use_cjk_font, word_cloud
from reportlib.readers import read_file
from reportlib.reuse import find_reuse, reuse_summary
from reportlib.sections import outline_compliance, split_sections
from reportlib.segment import segment
from reportlib.store import connect, generation_dir, open_generation
from reportlib.tokens import tokenize
from reportlib.version import __version__

__all__ = [
    "BinaryFileError",
    "BriefingError",
    "BuildLockedError",
    "DataFileError",
    "EmptyFileError",
    "Gazetteer",
    "LimitExceededError",
    "Limits",
    "Measure",
    "NoTextLayerError",
    "NotAReportError",
    "ParameterError",
    "ReadError",
    "ReportlibError",
    "SpecialFileError",
    "UnsupportedFormatError",
    "__version__",
    "build",
    "clean_text",
    "collocations",
    "connect",
    "count_keywords",
    "divisions",
    "extract_indicators",
    "find_input_files",
    "find_reuse",
    "generation_dir",
    "indicator_table",
    "infer_metadata",
    "keyness",
    "keyword_trends",
    "kwic",
    "load_measures",
    "load_tables",
    "normalize_text",
    "open_generation",
    "outline_compliance",
    "parse_file",
    "read_file",
    "read_reports",
    "render_briefing",
    "report_measures",
    "reuse_summary",
    "segment",
    "set_theme",
    "split_sections",
    "tokenize",
    "top_terms",
    "unlinked_counts",
    "use_cjk_font",
    "word_cloud",
]
