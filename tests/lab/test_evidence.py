"""The Lab facade: origin evidence, attachments, the document store, and their locking."""
from __future__ import annotations

import datetime as dt
import hashlib
import stat

import pytest

from labdesk import AuthError, IntegrityError, StateError, ValidationError
from labdesk.errors import NotFound
from support.files import make_pdf, make_png
from support.homes import login_as
from support.labs import (approve_stone, kp_fields, propose, stored_documents,
                          tamper_document, written)


def _stored_documents(lab) -> list:
    return stored_documents(lab)


# ---------------------------------------------------------------------- add_evidence
def test_add_evidence_to_a_stone(lab, sub):
    stone = sub.stones[0].number
    before = lab.audit_events().total
    ev = lab.add_evidence(stone, "Kp Certificate", **kp_fields(
        issued_on=dt.date(2024, 2, 1), origin_countries="bw", transit_countries="BE, AE",
        value_usd="$15,000"))
    assert isinstance(ev.id, int)
    assert (ev.kind, ev.target, ev.level, ev.created_by, ev.locked) == \
        ("kp_certificate", stone, "stone", "tech", False)
    assert (ev.reference, ev.issuing_country, ev.issued_on, ev.expires_on) == \
        ("BW-2024-0001", "BW", "2024-02-01", "2024-04-01")
    assert (ev.origin_countries, ev.transit_countries, ev.origin_type) == \
        (["BW"], ["BE", "AE"], "single")
    assert (ev.weight, ev.value_usd, ev.parcels, ev.hs_code) == \
        ("12.500", "15000.00", 1, "7102.31")
    assert ev.attachments == ()
    assert lab.evidence(ev.id) == ev
    assert lab.audit_events().total == before + 1
    event = lab.history(stone)[-1]
    assert (event.action, event.entity, event.entity_id) == ("evidence.add", "evidence",
                                                             str(ev.id))
    assert [e.id for e in lab.stone_detail(stone).evidence] == [ev.id]
    # only that stone
    assert lab.stone_detail(sub.stones[1].number).evidence == ()


def test_add_evidence_of_every_kind(lab, sub):
    stone = sub.stones[1].number
    made = [
        lab.add_evidence(stone, "g7_certificate", reference="G7-ANR-1", issuer="AWDC",
                         issuing_country="BE", origin_countries=["BW", "ZA"],
                         origin_type="mixed"),
        lab.add_evidence(stone, "sow_invoice", reference="INV-9", seller="Cutter Ltd",
                         buyer="Acme", sow_statement="yes", value_usd="1200.50"),
        lab.add_evidence(stone, "non_russian_declaration", seller="Cutter Ltd",
                         issued_on="2024-05-02", notes="on letterhead"),
        lab.add_evidence(stone, "provenance_record", platform="Tracr",
                         reference="TR-77", origin_countries=["BW"]),
        lab.add_evidence(stone, "grandfathering_proof",
                         outside_russia_since="2023-06-01", reference="BL-4"),
        lab.add_evidence(stone, "lab_analysis", reference="LAB-1"),
        lab.add_evidence(stone, "other", notes="email from the client"),
    ]
    assert [e.kind for e in made] == ["g7_certificate", "sow_invoice",
                                      "non_russian_declaration", "provenance_record",
                                      "grandfathering_proof", "lab_analysis", "other"]
    assert made[1].sow_statement is True and made[1].value_usd == "1200.50"
    assert made[4].outside_russia_since == "2023-06-01"
    assert [e.id for e in lab.stone_detail(stone).evidence] == [e.id for e in made]


def test_parcel_evidence_covers_every_stone_of_the_submission(lab, sub):
    ev = lab.add_evidence(sub.number.lower(), "kp_certificate", **kp_fields())
    assert (ev.level, ev.target) == ("submission", sub.number)
    assert [e.id for e in lab.submission_evidence(sub.number)] == [ev.id]
    for stone in sub.stones:
        assert [e.id for e in lab.stone_detail(stone.number).evidence] == [ev.id]
        assert "evidence.add" in [e.action for e in lab.history(stone.number)]
    own = lab.add_evidence(sub.stones[0].number, "lab_analysis", reference="LAB-7")
    assert [e.id for e in lab.stone_detail(sub.stones[0].number).evidence] == \
        [ev.id, own.id]
    assert [e.id for e in lab.submission_evidence(sub.number)] == [ev.id]


BAD_EVIDENCE = [
    ("kp_certificate", {"issuing_country": "XX"}, "issuing_country"),
    ("kp_certificate", {"origin_countries": ["BW", "QQ"]}, "origin_countries"),
    ("kp_certificate", {"transit_countries": "Narnia"}, "transit_countries"),
    ("kp_certificate", {"colour": "E"}, "colour"),            # not an evidence field
    ("kp_certificate", {"platform": "Tracr"}, "platform"),    # not a field of a KP cert
    ("kp_certificate", {"reference": None}, "reference"),     # required
    ("kp_certificate", {"weight": "-2"}, "weight"),
    ("kp_certificate", {"weight": "0"}, "weight"),
    ("kp_certificate", {"weight": "1.0001"}, "weight"),
    ("kp_certificate", {"issued_on": "1st of May"}, "issued_on"),
    ("kp_certificate", {"expires_on": "2024-02-30"}, "expires_on"),
    ("kp_certificate", {"value_usd": "-5"}, "value_usd"),
    ("kp_certificate", {"value_usd": "lots"}, "value_usd"),
    ("kp_certificate", {"parcels": "two"}, "parcels"),
    ("kp_certificate", {"origin_type": "several"}, "origin_type"),
    ("kp_certificate", {"origin_countries": ["BW", "ZA"]}, "origin_countries"),  # single
    ("kp_certificate", {"hs_code": "diamonds"}, "hs_code"),
    ("sow_invoice", {"reference": "INV-1", "sow_statement": "maybe"}, "sow_statement"),
]


@pytest.mark.parametrize("kind, overrides, field", BAD_EVIDENCE)
def test_add_evidence_refuses_bad_input_names_the_field_and_writes_nothing(
        lab, sub, kind, overrides, field):
    fields = kp_fields(**overrides) if kind == "kp_certificate" else overrides
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.add_evidence(sub.stones[0].number, kind, **fields)
    assert err.value.field == field
    assert written(lab) == before


@pytest.mark.parametrize("kind", ["passport", "", None, "kp"])
def test_add_evidence_refuses_an_unknown_kind(lab, sub, kind):
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.add_evidence(sub.stones[0].number, kind, reference="X-1")
    assert err.value.field == "kind"
    assert written(lab) == before


@pytest.mark.parametrize("target", ["D0000099", "SUB-000099", "nonsense"])
def test_add_evidence_to_an_unknown_target(lab, sub, target):
    before = written(lab)
    with pytest.raises(NotFound) as err:
        lab.add_evidence(target, "other", notes="x")
    assert err.value.field == "target"
    assert written(lab) == before


def test_add_evidence_needs_a_logged_in_user(lab, sub):
    lab.logout()
    with pytest.raises(AuthError):
        lab.add_evidence(sub.stones[0].number, "other", notes="x")


# ---------------------------------------------------------------------- update_evidence
def test_update_evidence(lab, sub):
    ev = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    before = lab.audit_events().total
    updated = lab.update_evidence(ev.id, expires_on="2024-05-01", origin_countries=["CA"])
    assert (updated.expires_on, updated.origin_countries) == ("2024-05-01", ["CA"])
    assert updated.reference == ev.reference
    assert lab.audit_events().total == before + 1
    event = lab.audit_events(action="evidence.update").items[0]
    assert event.changed["expires_on"] == ["2024-04-01", "2024-05-01"]
    assert event.changed["origin_countries"] == ['["BW"]', '["CA"]']
    assert lab.update_evidence(ev, notes="seal intact").notes == "seal intact"
    assert lab.check().ok


def test_update_evidence_with_the_same_values_writes_nothing(lab, sub):
    ev = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    before = written(lab)
    assert lab.update_evidence(ev.id, reference="BW-2024-0001", origin_countries="BW") == ev
    assert written(lab) == before


@pytest.mark.parametrize("fields, field", [
    ({"issuing_country": "XX"}, "issuing_country"),
    ({"seller": "someone"}, "seller"),  # not a KP certificate field
    ({"shoe_size": 9}, "shoe_size"),
    ({"weight": "-1"}, "weight"),
])
def test_update_evidence_refuses_bad_input_and_writes_nothing(lab, sub, fields, field):
    ev = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.update_evidence(ev.id, **fields)
    assert err.value.field == field
    assert written(lab) == before
    assert lab.evidence(ev.id) == ev


def test_unknown_evidence_ids(lab, sub):
    with pytest.raises(NotFound) as err:
        lab.update_evidence(999, notes="x")
    assert err.value.field == "evidence_id"
    with pytest.raises(ValidationError) as err:
        lab.evidence("first")
    assert err.value.field == "evidence_id"
    with pytest.raises(NotFound):
        lab.attach(999, make_pdf(lab.home.parent / "x.pdf"))


# ---------------------------------------------------------------------- attach
def test_attach_a_pdf_and_an_image(lab, sub, tmp_path):
    ev = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    pdf = make_pdf(tmp_path / "KP BW-2024-0001.pdf")
    png = make_png(tmp_path / "seal.png")
    before = lab.audit_events().total
    a = lab.attach(ev.id, pdf)
    b = lab.attach(ev, png)
    assert a.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert (a.filename, a.size, a.media_type, a.created_by, a.evidence_id) == \
        ("KP BW-2024-0001.pdf", pdf.stat().st_size, "application/pdf", "tech", ev.id)
    assert (b.filename, b.media_type) == ("seal.png", "image/png")
    assert lab.audit_events().total == before + 2
    assert lab.history(sub.stones[0].number)[-1].action == "attachment.add"
    assert lab.attachment(a.id) == a
    assert lab.evidence(ev.id).attachments == (a, b)
    stored = lab.document_path(a.sha256)
    assert stored.read_bytes() == pdf.read_bytes()
    assert stored.name == a.sha256 and stored.parent.name == a.sha256[:2]
    assert stat.S_IMODE(stored.stat().st_mode) == 0o444  # read-only
    assert lab.check().documents == 2 and lab.check().ok


def test_attaching_the_same_file_twice_stores_it_once(lab, sub, tmp_path):
    pdf = make_pdf(tmp_path / "kp.pdf")
    ev1 = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    ev2 = lab.add_evidence(sub.stones[1].number, "kp_certificate", **kp_fields())
    a1 = lab.attach(ev1.id, pdf)
    a2 = lab.attach(ev2.id, tmp_path / "kp.pdf")
    assert a1.sha256 == a2.sha256 and a1.id != a2.id
    assert _stored_documents(lab) == [a1.sha256]


def test_attach_a_parcel_document(lab, sub, tmp_path):
    ev = lab.add_evidence(sub.number, "kp_certificate", **kp_fields())
    a = lab.attach(ev.id, make_pdf(tmp_path / "kp.pdf"))
    for stone in sub.stones:
        detail = lab.stone_detail(stone.number)
        assert detail.evidence[0].attachments == (a,)


def _bad_files(tmp_path):
    (tmp_path / "notes.txt").write_text("just text, not a scan")
    (tmp_path / "empty.pdf").write_bytes(b"")
    make_pdf(tmp_path / "real.pdf")
    (tmp_path / "misnamed.png").write_bytes((tmp_path / "real.pdf").read_bytes())
    (tmp_path / "truncated.pdf").write_bytes((tmp_path / "real.pdf").read_bytes()[:300])
    return ["notes.txt", "empty.pdf", "misnamed.png", "truncated.pdf", "missing.pdf"]


@pytest.mark.parametrize("name", ["notes.txt", "empty.pdf", "misnamed.png",
                                  "truncated.pdf", "missing.pdf"])
def test_attach_refuses_what_is_not_a_document_and_stores_nothing(lab, sub, tmp_path,
                                                                   name):
    _bad_files(tmp_path)
    ev = lab.add_evidence(sub.stones[0].number, "kp_certificate", **kp_fields())
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.attach(ev.id, tmp_path / name)
    assert err.value.field == "file"
    assert written(lab) == before
    assert _stored_documents(lab) == []


def test_attach_refuses_a_file_over_the_labs_limit(lab, sub, tmp_path):
    login_as(lab, "admin")
    lab.update_settings(max_attachment_mb=1)
    login_as(lab, "tech")
    ev = lab.add_evidence(sub.stones[0].number, "other", notes="big scan")
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4\n" + b"0" * 1_100_000 + b"\n%%EOF\n")
    with pytest.raises(ValidationError, match="limit") as err:
        lab.attach(ev.id, big)
    assert err.value.field == "file"
    assert _stored_documents(lab) == []


def test_document_path_verifies_the_hash(lab, sub, tmp_path):
    with pytest.raises(ValidationError):
        lab.document_path("not-a-hash")
    with pytest.raises(IntegrityError, match="missing"):
        lab.document_path("0" * 64)
    ev = lab.add_evidence(sub.stones[0].number, "other", notes="scan")
    a = lab.attach(ev.id, make_png(tmp_path / "scan.png"))
    path = lab.document_path(a.sha256)
    tamper_document(lab, a.sha256, path.read_bytes() + b"extra")
    with pytest.raises(IntegrityError, match="altered"):
        lab.document_path(a.sha256)
    with pytest.raises(NotFound):
        lab.attachment(999)


# ---------------------------------------------------------------------- locking
def test_evidence_of_an_approved_stone_is_locked(lab, sub, tmp_path):
    stone = sub.stones[0].number
    ev = lab.add_evidence(stone, "kp_certificate", **kp_fields())
    approve_stone(lab, stone)
    assert lab.evidence(ev.id).locked is True
    for who in ("tech", "sup1", "admin"):
        login_as(lab, who)
        before = written(lab)
        with pytest.raises(StateError, match=stone):
            lab.add_evidence(stone, "other", notes="late document")
        with pytest.raises(StateError):
            lab.update_evidence(ev.id, expires_on="2030-01-01")
        with pytest.raises(StateError):
            lab.attach(ev.id, make_pdf(tmp_path / "late.pdf"))
        assert written(lab) == before
    assert _stored_documents(lab) == []
    assert lab.evidence(ev.id) == ev.__class__(**{**ev.__dict__, "locked": True})


def test_parcel_evidence_locks_once_one_of_its_stones_is_approved(lab, sub, tmp_path):
    parcel = lab.add_evidence(sub.number, "kp_certificate", **kp_fields())
    other = sub.stones[1].number
    own = lab.add_evidence(other, "other", notes="still open")
    approve_stone(lab, sub.stones[0].number)
    login_as(lab, "tech")
    assert lab.evidence(parcel.id).locked is True
    assert lab.evidence(own.id).locked is False  # the other stone is not approved
    before = written(lab)
    with pytest.raises(StateError):
        lab.update_evidence(parcel.id, notes="x")
    with pytest.raises(StateError):
        lab.attach(parcel.id, make_pdf(tmp_path / "kp.pdf"))
    assert written(lab) == before
    # the other stone's own evidence stays editable
    assert lab.update_evidence(own.id, notes="edited").notes == "edited"


def test_no_new_parcel_evidence_once_one_of_its_stones_is_approved(lab, sub):
    approve_stone(lab, sub.stones[0].number)
    login_as(lab, "tech")
    before = written(lab)
    with pytest.raises(StateError):
        lab.add_evidence(sub.number, "other", notes="late parcel document")
    assert written(lab) == before
    assert lab.stone_detail(sub.stones[0].number).evidence == ()


def test_evidence_is_editable_again_after_a_reopen(lab, sub, tmp_path):
    stone = sub.stones[0].number
    ev = lab.add_evidence(stone, "kp_certificate", **kp_fields())
    approve_stone(lab, stone)
    lab.reopen(stone, "KP certificate expiry was misread")
    login_as(lab, "tech")
    assert lab.update_evidence(ev.id, expires_on="2024-06-01").expires_on == "2024-06-01"
    assert lab.attach(ev.id, make_pdf(tmp_path / "kp.pdf")).evidence_id == ev.id
    assert lab.add_evidence(stone, "other", notes="corrected").level == "stone"


def test_evidence_is_editable_again_after_a_rejection(lab, sub, tmp_path):
    stone = sub.stones[0].number
    ev = lab.add_evidence(stone, "other", notes="first")
    parcel = lab.add_evidence(sub.number, "other", notes="parcel")
    propose(lab, stone)
    login_as(lab, "sup1")
    lab.reject(stone, "Attach the KP certificate scan")
    login_as(lab, "tech")
    assert lab.update_evidence(ev.id, notes="second").notes == "second"
    assert lab.update_evidence(parcel.id, notes="parcel 2").notes == "parcel 2"
    assert lab.attach(ev.id, make_pdf(tmp_path / "kp.pdf")).evidence_id == ev.id
    assert lab.add_evidence(sub.number, "other", notes="more").level == "submission"


def test_a_proposed_stone_and_its_evidence_are_frozen_until_reviewed(lab, sub, tmp_path):
    """The supervisor reviews exactly what was proposed (four eyes)."""
    stone, other = sub.stones[0].number, sub.stones[1].number
    ev = lab.add_evidence(stone, "kp_certificate", **kp_fields())
    parcel = lab.add_evidence(sub.number, "other", notes="packing list")
    propose(lab, stone)
    pdf = make_pdf(tmp_path / "late.pdf")
    for who in ("tech", "sup1"):
        login_as(lab, who)
        before = written(lab)
        with pytest.raises(StateError, match="awaiting review"):
            lab.update_stone(stone, colour="D")
        with pytest.raises(StateError):
            lab.add_evidence(stone, "kp_certificate",
                             **kp_fields(reference="RU-1", origin_countries=["RU"]))
        with pytest.raises(StateError):
            lab.update_evidence(ev.id, origin_countries=["RU"])
        with pytest.raises(StateError):
            lab.attach(ev.id, pdf)
        # parcel evidence covers the proposed stone too
        with pytest.raises(StateError):
            lab.add_evidence(sub.number, "other", notes="late parcel document")
        with pytest.raises(StateError):
            lab.update_evidence(parcel.id, notes="changed")
        with pytest.raises(StateError):
            lab.attach(parcel.id, pdf)
        assert written(lab) == before
    # the other stones' own facts and evidence stay open
    login_as(lab, "tech")
    assert lab.update_stone(other, colour="H").colour == "H"
    assert lab.add_evidence(other, "other", notes="own").level == "stone"
    login_as(lab, "sup1")
    assert lab.approve(stone, password="sup1-pw-1").evidence_ids == (ev.id, parcel.id)
