"""Notebook parameters as readers type them (issue 15)."""

from __future__ import annotations

import pytest

from reportlib.errors import ParameterError
from reportlib.parameters import as_list, as_year, coerce_parameters


def test_regression_year_2023nian_gave_invalid_literal_for_int():
    assert as_year("2023年") == 2023
    assert as_year(" 2023 年度 ") == 2023
    with pytest.raises(ParameterError, match="parameter year"):
        as_year("二〇二三")


def test_regression_keywords_given_as_one_string_became_characters():
    assert as_list("枫桥经验") == ["枫桥经验"]
    assert as_list("枫桥经验、法律明白人, 普法") == ["枫桥经验", "法律明白人", "普法"]
    assert as_list("[2022, 2023年]", years=True) == [2022, 2023]


def test_regression_entities_were_refused_because_of_the_default_parent():
    declared = {"entities": [], "parent": "綦江区", "years": []}
    assert coerce_parameters(declared, {"entities": ["甲镇"]})["parent"] == ""
    # an explicit parent is kept
    assert coerce_parameters(declared, {"entities": ["甲镇"], "parent": "乙县"})["parent"] == "乙县"
    assert "parent" not in coerce_parameters(declared, {"years": [2023]})


def test_a_bad_number_names_its_parameter():
    with pytest.raises(ParameterError, match="min_years"):
        coerce_parameters({"min_years": 2}, {"min_years": "two"})
