import pytest

from reportlib.numbers import parse_numeral, scale_of_approximate


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("400", 400.0),
        ("2,000", 2000.0),  # thousands separator
        ("99.3", 99.3),
        ("1.6万", 16000.0),
        ("3千", 3000.0),
        ("2.5亿", 250_000_000.0),
        ("三十二", 32.0),
        ("两万", 20000.0),
        ("一千二百", 1200.0),
        ("十", 10.0),
        ("两", 2.0),
        ("八十三点三", 83.3),
        ("一百零五", 105.0),
    ],
)
def test_parse_numeral(numeral, value):
    assert parse_numeral(numeral) == pytest.approx(value)


@pytest.mark.parametrize("text", ["一些", "进一步", "abc", ""])
def test_non_numerals_are_none(text):
    assert parse_numeral(text) is None


@pytest.mark.parametrize(
    ("numeral", "step"),
    [
        ("二十", 10.0),
        ("60", 10.0),
        ("2000", 1000.0),
        ("1269", 1.0),
        ("两万", 10000.0),
        ("1.6万", 1000.0),
    ],
)
def test_step_of_an_approximate_count(numeral, step):
    # "N余" lies between N and N + one step of N's last significant place
    assert scale_of_approximate(numeral) == pytest.approx(step)
