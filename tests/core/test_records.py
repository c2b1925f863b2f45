"""Building the frozen records Lab hands out."""
import pytest


def _stone_fields(**overrides) -> dict:
    from dataclasses import fields
    from labdesk.core.records import Stone
    values = {f.name: None for f in fields(Stone)}
    values.update(id=7, number="D0000007", submission="SUB-000001", client="Acme",
                  weight="1.234", weight_mct=1234, state="received", locked=False,
                  received_at="2026-01-01T00:00:00Z", created_at="c", updated_at="u")
    values.update(overrides)
    return values


def test_build_makes_the_record_its_init_would():
    from dataclasses import FrozenInstanceError
    from labdesk.core.records import Stone, build
    values = _stone_fields()
    built, made = build(Stone, values), Stone(**values)
    assert built == made and hash(built) == hash(made) and repr(built) == repr(made)
    with pytest.raises(FrozenInstanceError):
        built.weight = "9.999"
    values["weight"] = "2.000"  # the record does not share the caller's dict
    assert built.weight == "1.234"


def test_build_refuses_a_missing_or_unknown_field():
    from labdesk.core.records import Stone, build
    values = _stone_fields()
    del values["notes"]
    with pytest.raises(TypeError, match=r"\['notes'\]"):
        build(Stone, values)
    with pytest.raises(TypeError, match=r"\['colour_grade'\]"):
        build(Stone, {**_stone_fields(), "colour_grade": "D"})
