from decimal import Decimal

import pytest

from labdesk.core.weights import format_weight, parse_weight
from labdesk.errors import ValidationError


@pytest.mark.parametrize("text, mct", [
    ("1.234", 1234), ("1,16", 1160), (" 0.5 ", 500), ("2", 2000), ("0.001", 1),
    ("1.5 ct", 1500), (".75", 750), (Decimal("3.1"), 3100), (1, 1000), (0.3, 300),
])
def test_weights_parse_to_thousandths(text, mct):
    assert parse_weight(text) == mct


@pytest.mark.parametrize("bad, words", [
    ("-1", "more than zero"), ("0", "more than zero"), ("0.000", "more than zero"),
    ("abc", "not a weight"), ("1.2345", "three decimals"), ("", "required"),
    (None, "required"), ("1.2.3", "not a weight"), ("9999", "more than"),
    ("1e3", "not a weight"), ("nan", "not a weight"), (True, "required"),
])
def test_bad_weights_name_the_field(bad, words):
    with pytest.raises(ValidationError) as err:
        parse_weight(bad, field="weight")
    assert err.value.field == "weight"
    assert words in str(err.value)


def test_format_weight_rounds_half_up_for_reports():
    assert format_weight(1234) == "1.234"
    assert format_weight(1235, 2) == "1.24"
    assert format_weight(1005, 2) == "1.01"
    assert format_weight(None) == ""
