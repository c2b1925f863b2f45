"""The intake service through the Lab facade: receiving stones, their facts, packing
lists."""
from __future__ import annotations

import datetime as dt

import pytest

from labdesk import AuthError, ValidationError
from labdesk.errors import NotFound
from support.homes import login_as
from support.labs import CLIENT, STONES, receive_stones, stored_documents, written


# ---------------------------------------------------------------------- receive
def test_receive_returns_the_submission_with_numbered_canonical_stones(lab):
    login_as(lab, "tech")
    before = lab.audit_events().total
    sub = receive_stones(lab, reference=" PO-77 ", declared_count=3,
                         declared_weight="3.756")
    assert sub.number.startswith("SUB-")
    assert (sub.client, sub.reference, sub.received_by) == (CLIENT, "PO-77", "tech")
    assert (sub.declared_count, sub.declared_weight) == (3, "3.756")
    assert [s.number for s in sub.stones] == ["D0000001", "D0000002", "D0000003"]
    assert sub.total_weight == "3.756"
    first, _, third = sub.stones
    assert (first.weight, first.weight_mct, first.shape, first.colour, first.clarity) == \
        ("1.234", 1234, "round", "E", "VS1")
    assert (first.cut, first.polish, first.symmetry, first.fluorescence) == \
        ("excellent", "excellent", "very_good", "none")
    assert first.measurements == "6.80 - 6.85 x 4.20"
    assert (first.client_ref, first.identification, first.notes) == \
        ("AC-001", "natural", "bright stone")
    assert (third.identification, third.growth_method, third.inscription) == \
        ("laboratory_grown", "CVD", "LABORATORY-GROWN")
    assert all(s.state == "received" and not s.locked for s in sub.stones)
    assert all(s.submission == sub.number and s.client == CLIENT for s in sub.stones)
    # one event for the client, one for the submission, one for its stones
    assert lab.audit_events().total == before + 3
    listed = lab.audit_events(action="stone.receive").items[0]
    assert listed.data == {"batch": {"first": 1, "last": 3, "rows": 3}}  # not the rows
    batch = lab.audit_event(listed.id)
    assert (batch.entity, batch.entity_id) == ("stones", "rows:1-3")
    assert [row["number"] for row in batch.data["rows"]] == ["D0000001", "D0000002",
                                                             "D0000003"]
    assert batch.data["rows"][0]["weight_mct"] == 1234
    stored = lab.submission(sub.number.lower())
    assert (stored.number, stored.stones) == (sub.number, sub.stones)


def test_receive_reuses_a_client_whatever_the_case(lab):
    receive_stones(lab, STONES[:1])
    receive_stones(lab, STONES[1:2], client="ACME   diamonds")
    assert [c.name for c in lab.clients()] == [CLIENT]
    assert lab.audit_events(action="client.add").total == 1
    assert {s.client for s in lab.stones().items} == {CLIENT}


def test_receive_numbers_follow_on(lab):
    first = receive_stones(lab, STONES[:2])
    second = receive_stones(lab, STONES[2:], client="Beta Gems")
    assert first.number != second.number
    assert [s.number for s in second.stones] == ["D0000003"]


def test_receive_keeps_a_past_received_at(lab):
    sub = receive_stones(lab, received_at=dt.date(2024, 5, 1))
    assert sub.received_at.startswith("2024-05-01")
    sub2 = receive_stones(lab, received_at="2024-06-02T09:30:00+02:00")
    assert sub2.received_at == "2024-06-02T07:30:00Z"
    assert lab.stone(sub2.stones[0].number).received_at == sub2.received_at


BAD_STONE_FIELDS = [
    ("weight", "-0.5", "weight"),
    ("weight", "0", "weight"),
    ("weight", "0.000", "weight"),
    ("weight", "heavy", "weight"),
    ("weight", "1.2345", "weight"),
    ("weight", "", "weight"),
    ("weight", None, "weight"),
    ("weight", 1.2345, "weight"),
    ("colour", "ZZ", "colour"),
    ("clarity", "VVS3", "clarity"),
    ("shape", "blob", "shape"),
    ("cut", "superb", "cut"),
    ("fluorescence", "glowing", "fluorescence"),
    ("identification", "moissanite", "identification"),
    ("measurements", "big", "measurements"),
    ("carat_weight", "1.00", "carat_weight"),  # an unknown field
    ("growth_method", "CVD", "growth_method"),  # on a natural stone
]


@pytest.mark.parametrize("name, value, field", BAD_STONE_FIELDS)
def test_receive_refuses_a_bad_stone_names_field_and_row_and_writes_nothing(
        lab, name, value, field):
    login_as(lab, "tech")
    before = written(lab)
    rows = [dict(s) for s in STONES]
    rows[1][name] = value
    with pytest.raises(ValidationError) as err:
        lab.receive("New Client Ltd", rows, reference="PO-1")
    assert err.value.field == field
    assert err.value.row == 2
    assert "stone 2" in str(err.value)
    assert written(lab) == before
    assert lab.clients() == []  # not even the new client


def test_receive_without_a_weight(lab):
    login_as(lab, "tech")
    rows = [dict(s) for s in STONES]
    del rows[2]["weight"]
    with pytest.raises(ValidationError) as err:
        lab.receive(CLIENT, rows)
    assert (err.value.field, err.value.row) == ("weight", 3)


def test_receive_reports_every_bad_stone_at_once(lab):
    login_as(lab, "tech")
    rows = [dict(s) for s in STONES]
    rows[0]["weight"] = "-1"
    rows[2]["colour"] = "blue-ish"
    rows[2]["clarity"] = "VVS9"
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.receive(CLIENT, rows)
    assert (err.value.field, err.value.row) == ("weight", 1)
    assert [(p["row"], p["column"]) for p in err.value.problems] == \
        [(1, "weight"), (3, "colour"), (3, "clarity")]
    assert written(lab) == before


def test_receive_refuses_a_row_that_is_not_a_stone(lab):
    login_as(lab, "tech")
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.receive(CLIENT, [dict(STONES[0]), "1.00 ct round"])
    assert err.value.row == 2
    assert written(lab) == before


@pytest.mark.parametrize("kwargs, field", [
    ({"received_at": dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2)},
     "received_at"),
    ({"received_at": (dt.date.today() + dt.timedelta(days=2)).isoformat()},
     "received_at"),
    ({"received_at": "yesterday"}, "received_at"),
    ({"reference": "x" * 101}, "reference"),
    ({"declared_count": 0}, "declared_count"),
    ({"declared_count": "three"}, "declared_count"),
    ({"declared_weight": "-3"}, "declared_weight"),
])
def test_receive_refuses_bad_submission_data_and_writes_nothing(lab, kwargs, field):
    login_as(lab, "tech")
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.receive(CLIENT, [dict(s) for s in STONES], **kwargs)
    assert err.value.field == field
    assert written(lab) == before


@pytest.mark.parametrize("client, stones, field", [
    (CLIENT, [], "stones"),
    (CLIENT, None, "stones"),
    ("   ", [dict(STONES[0])], "client"),
])
def test_receive_needs_a_client_and_stones(lab, client, stones, field):
    login_as(lab, "tech")
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.receive(client, stones)
    assert err.value.field == field
    assert written(lab) == before


def test_receive_needs_a_logged_in_user(lab):
    before = written(lab)
    with pytest.raises(AuthError):
        lab.receive(CLIENT, [dict(STONES[0])])
    assert written(lab) == before


# ---------------------------------------------------------------------- update_stone
def test_update_stone_changes_facts_and_audits_old_and_new(lab, sub):
    stone = sub.stones[0]
    login_as(lab, "tech")
    before = lab.audit_events().total
    updated = lab.update_stone(stone.number, colour="f", weight="1.240 ct",
                               notes="re-weighed")
    assert (updated.colour, updated.weight, updated.weight_mct, updated.notes) == \
        ("F", "1.240", 1240, "re-weighed")
    assert updated.updated_at > stone.updated_at
    assert lab.stone(stone.number) == updated
    assert lab.audit_events().total == before + 1
    event = lab.history(stone.number)[-1]
    assert event.action == "stone.update" and event.actor == "tech"
    assert event.changed["colour"] == ["E", "F"]
    assert event.changed["weight_mct"] == [1234, 1240]
    assert event.changed["notes"] == ["bright stone", "re-weighed"]
    assert lab.check().ok


def test_update_stone_with_nothing_new_writes_nothing(lab, sub):
    before = written(lab)
    lab.update_stone(sub.stones[0].number)
    assert written(lab) == before


def test_update_stone_with_the_same_values_writes_nothing(lab, sub):
    stone = sub.stones[0]
    before = written(lab)
    same = lab.update_stone(stone.number, colour="E", clarity="vs1", weight="1.234")
    assert written(lab) == before
    assert same == stone


def test_update_stone_accepts_the_stone_number_in_any_form(lab, sub):
    login_as(lab, "tech")
    assert lab.update_stone(" d0000002 ", polish="vg").polish == "very_good"
    assert lab.update_stone(2, symmetry="GD").symmetry == "good"
    assert lab.stone(2) == lab.stone("D0000002") == lab.stone(sub.stones[1])


@pytest.mark.parametrize("fields, field", [
    ({"weight": "0"}, "weight"),
    ({"weight": "-1.5"}, "weight"),
    ({"weight": "one carat"}, "weight"),
    ({"weight": "1.0001"}, "weight"),
    ({"colour": "ZZ"}, "colour"),
    ({"clarity": "SI3"}, "clarity"),
    ({"carat": "1.00"}, "carat"),
    ({"growth_method": "HPHT"}, "growth_method"),  # stone 1 is natural
    ({"notes": "x" * 2001}, "notes"),
])
def test_update_stone_refuses_bad_input_and_writes_nothing(lab, sub, fields, field):
    stone = sub.stones[0]
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.update_stone(stone.number, **fields)
    assert err.value.field == field
    assert written(lab) == before
    assert lab.stone(stone.number) == stone


def test_update_stone_checks_identification_against_growth_method(lab, sub):
    lg = sub.stones[2]  # laboratory-grown, CVD
    with pytest.raises(ValidationError) as err:
        lab.update_stone(lg.number, identification="natural")
    assert err.value.field == "growth_method"
    updated = lab.update_stone(lg.number, identification="natural", growth_method=None)
    assert (updated.identification, updated.growth_method) == ("natural", None)


def test_update_stone_of_an_unknown_stone(lab, sub):
    with pytest.raises(NotFound) as err:
        lab.update_stone("D9999999", colour="F")
    assert err.value.field == "stone"


def test_update_stone_needs_a_logged_in_user(lab, sub):
    lab.logout()
    with pytest.raises(AuthError):
        lab.update_stone(sub.stones[0].number, colour="F")


# ---------------------------------------------------------------------- packing lists
PACKING_LIST = ("Stock #,Shape,Weight,Color,Clarity,Price/Ct\n"
                "A1,BR,1.16,E,VS1,5000\n"
                "A2,PS,0.52,G,SI1,3000\n")


def _stored_documents(lab) -> list:
    return stored_documents(lab)


def test_preview_packing_list_writes_nothing(lab, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text(PACKING_LIST)
    before = written(lab)
    preview = lab.preview_packing_list(path)
    assert [s["client_ref"] for s in preview.stones] == ["A1", "A2"]
    assert preview.left_out == ["Price/Ct"]
    assert written(lab) == before and _stored_documents(lab) == []


def test_import_packing_list_receives_every_stone_and_keeps_the_file(lab, tmp_path):
    import hashlib
    path = tmp_path / "list.csv"
    path.write_text(PACKING_LIST)
    login_as(lab, "tech")
    sub = lab.import_packing_list(path, "Dealer One", reference="PL-1")
    assert [(s.client_ref, s.weight, s.shape) for s in sub.stones] == \
        [("A1", "1.160", "round"), ("A2", "0.520", "pear")]
    assert sub.left_out == ("Price/Ct",) and sub.reference == "PL-1"
    assert _stored_documents(lab) == [hashlib.sha256(path.read_bytes()).hexdigest()]
    event = lab.audit_events(action="submission.receive").items[0]
    assert event.data["left_out"] == ["Price/Ct"]
    assert event.data["row"]["source_file"] == _stored_documents(lab)[0]


def test_import_packing_list_is_all_or_nothing(lab, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("Stock #,Weight\nA1,1.16\nA2,-1\nA3,abc\n")
    login_as(lab, "tech")
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.import_packing_list(path, "Dealer One")
    assert (err.value.row, err.value.field.lower()) == (3, "weight")
    assert [p["row"] for p in err.value.problems] == [3, 4]
    assert written(lab) == before and _stored_documents(lab) == []
    lab.logout()
    with pytest.raises(AuthError):
        lab.import_packing_list(tmp_path / "bad.csv", "Dealer One")
