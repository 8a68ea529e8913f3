"""Notebook parameters as a reader types them: ``-p year 2023年``, ``-p keywords 枫桥经验``,
``-p entities "甲镇,乙镇"``. Values from the command line, a YAML file or a plain
``papermill -p`` arrive as strings; each notebook parameter is read into the type of its
default, and a value that cannot be read stops with a :class:`ParameterError` naming the
parameter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from reportlib.errors import ParameterError

__all__ = ["as_list", "as_year", "coerce_parameters"]

# parameters holding lists, whatever their default in a notebook
LIST_PARAMETERS = frozenset(("entities", "years", "keywords", "categories", "levels", "parents"))
_YEAR = re.compile(r"\s*(\d{4})\s*(?:年度?)?\s*")
_SEPARATORS = re.compile(r"[,，、;；\s]+")


def _missing(value: object) -> bool:
    # None, "", NaN and pandas' NA (a report without a year), without importing pandas
    if value is None or (isinstance(value, str) and not value.strip()):
        return True
    return (isinstance(value, float) and value != value) or type(value).__name__ == "NAType"


def as_year(value: object, *, name: str = "year") -> int | None:
    """A report year from ``2023``, ``"2023"`` or ``"2023年"``; None stays None.

    Examples
    --------
    >>> as_year("2023年"), as_year(2022), as_year(None)
    (2023, 2022, None)
    >>> as_year("去年")
    Traceback (most recent call last):
    ...
    reportlib.errors.ParameterError: parameter year: '去年' is no year (write it as 2023)
    """
    if _missing(value):
        return None
    if isinstance(value, bool):
        raise ParameterError(f"parameter {name}: {value!r} is no year (write it as 2023)")
    if isinstance(value, int | float) and float(value).is_integer():
        return int(value)
    found = _YEAR.fullmatch(str(value))
    if found is None:
        raise ParameterError(f"parameter {name}: {value!r} is no year (write it as 2023)")
    return int(found.group(1))


def as_list(value: object, *, name: str = "", years: bool = False) -> list[object]:
    """A list parameter from a list, a YAML/JSON list written as text, or names separated by
    commas (, ，、) or spaces; one name becomes a list of one. ``years`` reads each item as a
    year.

    Examples
    --------
    >>> as_list("枫桥经验"), as_list("甲镇，乙镇"), as_list("[2022, 2023]", years=True)
    (['枫桥经验'], ['甲镇', '乙镇'], [2022, 2023])
    >>> as_list(None), as_list(2023, years=True)
    ([], [2023])
    """
    if _missing(value):
        items: list[object] = []
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    elif isinstance(value, str) and value.strip().startswith("["):
        import yaml

        try:
            loaded = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise ParameterError(f"parameter {name}: {value!r} is no list ({error})") from None
        items = list(loaded) if isinstance(loaded, list) else [loaded]
    elif isinstance(value, str):
        items = [item for item in _SEPARATORS.split(value.strip()) if item]
    else:
        items = [value]
    if years:
        return [as_year(item, name=name or "years") for item in items]
    return [str(item) for item in items]


def coerce_parameters(
    declared: Mapping[str, object], given: Mapping[str, object]
) -> dict[str, object]:
    """``given`` read into the types of the ``declared`` defaults, plus the rule that an
    explicit selection overrides the defaults of other selectors: ``entities`` given without
    ``parent`` clears the notebook's default parent.

    Examples
    --------
    >>> coerce_parameters({"entities": [], "parent": "綦江区", "years": []},
    ...                   {"entities": "甲镇,乙镇", "years": "2023年"})
    {'entities': ['甲镇', '乙镇'], 'years': [2023], 'parent': ''}
    >>> coerce_parameters({"min_years": 2}, {"min_years": "三"})
    Traceback (most recent call last):
    ...
    reportlib.errors.ParameterError: parameter min_years: '三' is no whole number
    """
    coerced: dict[str, object] = {}
    for key, value in given.items():
        default = declared.get(key)
        if key in LIST_PARAMETERS or isinstance(default, list):
            coerced[key] = as_list(value, name=key, years=key == "years")
        elif key == "year":
            coerced[key] = as_year(value)
        elif isinstance(default, bool):
            coerced[key] = value
        elif isinstance(default, int) and not isinstance(value, int):
            try:
                coerced[key] = int(str(value).strip())
            except ValueError:
                raise ParameterError(f"parameter {key}: {value!r} is no whole number") from None
        else:
            coerced[key] = value
    if coerced.get("entities") and "parent" in declared and "parent" not in given:
        coerced["parent"] = ""
    return coerced
