import pytest

from labdesk.core import grading
from labdesk.errors import ValidationError


@pytest.mark.parametrize("text, expected", [
    ("BR", "round"), (" rb ", "round"), ("Round", "round"), ("PS", "pear"),
    ("EM", "emerald"), ("OV", "oval"), ("MQ", "marquise"), ("HS", "heart"),
    ("HT", "heart"), ("PR", "princess"), ("PRIN", "princess"), ("CU", "cushion"),
    ("CUS", "cushion"), ("RAD", "radiant"), ("AS", "asscher"), ("SQEM", "asscher"),
    ("other", "other"), ("", None), (None, None),
])
def test_shapes_as_dealers_write_them(text, expected):
    assert grading.parse_shape(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("EX", "excellent"), ("ID", "ideal"), ("VG", "very_good"), ("very good", "very_good"),
    ("GD", "good"), ("G", "good"), ("FR", "fair"), ("F", "fair"), ("PR", "poor"),
    ("P", "poor"),
])
def test_finish_grades_where_pr_means_poor(text, expected):
    assert grading.parse_finish(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("NON", "none"), ("NIL", "none"), ("N", "none"), ("FNT", "faint"), ("F", "faint"),
    ("MED", "medium"), ("M", "medium"), ("STG", "strong"), ("S", "strong"),
    ("VST", "very_strong"), ("VS", "very_strong"), ("Very Strong", "very_strong"),
])
def test_fluorescence(text, expected):
    assert grading.parse_fluorescence(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("d", "D"), (" Z ", "Z"), ("O-P", "O-P"), ("o - p", "O-P"),
    ("Fancy Intense Yellow", "Fancy Intense Yellow"),
])
def test_colours(text, expected):
    assert grading.parse_colour(text) == expected


@pytest.mark.parametrize("bad", ["A", "P-O", "Q9", "blue", "DD"])
def test_unknown_colours_are_refused_naming_the_field(bad):
    with pytest.raises(ValidationError) as err:
        grading.parse_colour(bad)
    assert err.value.field == "colour" and bad in str(err.value)


def test_clarity_scale_has_eleven_grades_in_order():
    assert grading.CLARITIES[0] == "FL" and grading.CLARITIES[-1] == "I3"
    assert len(grading.CLARITIES) == 11
    assert grading.parse_clarity("vvs2") == "VVS2"
    with pytest.raises(ValidationError, match="clarity"):
        grading.parse_clarity("VS3")


def test_colour_groups_and_labels():
    assert grading.colour_group("E") == "colourless"
    assert grading.colour_group("H") == "near colourless"
    assert grading.colour_group("Z") == "light"
    assert grading.colour_group("O-P") is None
    assert grading.label("very_good") == "Very Good"
    assert grading.label("laboratory_grown") == "Laboratory-grown"
    assert grading.label("round") == "Round"
    assert grading.label("VS1") == "VS1"


def test_identification_and_growth():
    assert grading.parse_identification("LG") == "laboratory_grown"
    assert grading.parse_identification("Laboratory-Grown") == "laboratory_grown"
    assert grading.parse_growth_method("cvd") == "CVD"
    with pytest.raises(ValidationError, match="growth_method"):
        grading.parse_growth_method("flux")
