"""reportlib: read, clean and tabulate China's annual rule-of-law-government reports.

The names below are imported when first used (PEP 562): ``import reportlib`` stays fast, and a
notebook or a script pays for pandas, the readers and the segmenter only when it reaches them.
"""

from __future__ import annotations

import importlib
import sys
import types

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
from reportlib.version import __version__

# each public name and the module that holds it
_LAZY = {
    "BriefingError": "reportlib.briefings",
    "Gazetteer": "reportlib.places",
    "Limits": "reportlib.limits",
    "Measure": "reportlib.measures",
    "build": "reportlib.pipeline",
    "clean_text": "reportlib.clean",
    "collocations": "reportlib.keyness",
    "connect": "reportlib.store",
    "count_keywords": "reportlib.counts",
    "divisions": "reportlib.places",
    "extract_indicators": "reportlib.indicators",
    "find_input_files": "reportlib.documents",
    "find_reuse": "reportlib.reuse",
    "generation_dir": "reportlib.store",
    "indicator_table": "reportlib.measure_tables",
    "infer_metadata": "reportlib.metadata",
    "keyness": "reportlib.keyness",
    "keyword_trends": "reportlib.counts",
    "kwic": "reportlib.kwic",
    "load_measures": "reportlib.measures",
    "load_tables": "reportlib.analysis",
    "normalize_text": "reportlib.clean",
    "open_generation": "reportlib.store",
    "outline_compliance": "reportlib.sections",
    "parse_file": "reportlib.documents",
    "read_file": "reportlib.readers",
    "read_reports": "reportlib.documents",
    "render_briefing": "reportlib.briefings",
    "report_measures": "reportlib.measure_tables",
    "reuse_summary": "reportlib.reuse",
    "segment": "reportlib.segment",
    "set_theme": "reportlib.plotting",
    "split_sections": "reportlib.sections",
    "tokenize": "reportlib.tokens",
    "top_terms": "reportlib.counts",
    "unlinked_counts": "reportlib.measure_tables",
    "use_cjk_font": "reportlib.plotting",
    "word_cloud": "reportlib.plotting",
}

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


class _Package(types.ModuleType):
    """Keeps a function named like its module (``keyness``, ``kwic``, ``segment``) the
    package's attribute when the import system binds the submodule of that name to it."""

    def __setattr__(self, name: str, value: object) -> None:
        if (
            isinstance(value, types.ModuleType)
            and _LAZY.get(name) == value.__name__
            and hasattr(value, name)
        ):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> object:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    else:
        try:  # a submodule: reportlib.sections.PARTS
            value = importlib.import_module(f"reportlib.{name}")
        except ModuleNotFoundError:
            raise AttributeError(f"module 'reportlib' has no attribute {name!r}") from None
    globals()[name] = value  # found once
    return value


def __dir__() -> list[str]:
    return sorted(set(__all__) | set(globals()))
