"""Issue 16, item 4: the same packing list twice is refused, naming the earlier
submission, unless duplicates are allowed; a supervisor voids a submission received by
mistake (audited, stones kept and shown as voided, nothing proposed or issued from them).
Item 9: the earlier grading report is kept on the stone and found by the search box;
the dealer's declared origin is never counted as evidence."""
from __future__ import annotations

import pytest

from labdesk.errors import DuplicateIntake, PermissionDenied, StateError, ValidationError
from support.homes import PASSWORDS, login_as
from support.labs import CLIENT, kp_fields, propose, written

LIST = ("Stock #,Weight/Carat,Shape,Color,Clarity,Lab,Cert #,Origin/Country,Nature\n"
        "AC-101,1.02,RB,F,VS1,GIA,2141438167,Botswana,natural\n"
        "AC-102,0.71,OV,G,SI1,IGI,LG600123,Russia,natural\n")


@pytest.fixture
def packing(tmp_path):
    path = tmp_path / "acme.csv"
    path.write_text(LIST)
    return path


def test_the_same_packing_list_twice_is_refused_naming_the_earlier_submission(lab, packing):
    login_as(lab, "tech")
    first = lab.import_packing_list(packing, CLIENT)
    before = written(lab)
    with pytest.raises(DuplicateIntake) as caught:
        lab.import_packing_list(packing, "ACME diamonds")  # the client, whatever the case
    message = str(caught.value)
    assert message.startswith(f"{CLIENT} sent 2 of its 2 stock numbers before: "
                              f"{first.number} (received ")
    assert "'AC-101', 'AC-102'" in message and "allow duplicates" in message
    assert caught.value.field == "client_ref"
    assert [e["stone"] for e in caught.value.earlier] == [s.number for s in first.stones]
    assert written(lab) == before            # nothing saved, not even the file
    again = lab.import_packing_list(packing, CLIENT, allow_duplicates=True)
    assert again.number != first.number and len(again.stones) == 2


def test_another_clients_references_and_typed_intake_are_not_refused(lab, packing):
    login_as(lab, "tech")
    lab.import_packing_list(packing, CLIENT)
    other = lab.import_packing_list(packing, "Other Dealer BV")   # same refs, other client
    assert len(other.stones) == 2
    typed = lab.receive(CLIENT, [{"client_ref": "ac-101", "weight": "1.02"}])
    assert typed.stones[0].client_ref == "ac-101"                 # receive: as before
    with pytest.raises(DuplicateIntake, match="sent its stock number before"):
        lab.receive(CLIENT, [{"client_ref": "AC-101", "weight": "1.02"}],
                    allow_duplicates=False)
    assert [h["client_ref"] for h in lab.held_client_refs(CLIENT, ["ac-102", "X"])] == \
        ["AC-102"]


def test_a_supervisor_voids_a_submission_received_by_mistake(lab, packing):
    login_as(lab, "tech")
    first = lab.import_packing_list(packing, CLIENT)
    second = lab.import_packing_list(packing, CLIENT, allow_duplicates=True)
    with pytest.raises(PermissionDenied, match="only a supervisor may void"):
        lab.void_submission(second.number, "received twice")
    login_as(lab, "sup1")
    with pytest.raises(ValidationError, match="reason"):
        lab.void_submission(second.number, " ")
    voided = lab.void_submission(second.number, "the same list received twice",
                                 password=PASSWORDS["sup1"])
    assert voided.voided and voided.voided_by == "sup1"
    assert voided.void_reason == "the same list received twice"
    assert all(s.voided and s.state == "received" for s in voided.stones)  # kept
    assert not any(s.voided for s in lab.submission(first.number).stones)
    event = lab.audit_events(action="submission.void").items[0]
    assert (event.actor, event.data["reason"], event.data["stones"]) == \
        ("sup1", "the same list received twice", 2)
    assert event.data["signature"]["meaning"] == "voiding"
    assert lab.check().ok
    with pytest.raises(StateError, match="voided already"):
        lab.void_submission(second.number, "again")
    # nothing is proposed from its stones; the page says why, in the Lab's sentence
    stone = voided.stones[0].number
    with pytest.raises(StateError, match=f"{stone} belongs to {second.number}, which was "
                                         f"voided on .*: no one may propose a finding"):
        propose(lab, stone)
    detail = lab.stone_detail(stone)
    assert not detail.actions["propose"].allowed
    assert "voided" in detail.actions["propose"].why
    # its references no longer count as held: the list may come in again
    login_as(lab, "sup2")
    lab.void_submission(first.number, "wrong client")
    login_as(lab, "tech")
    assert len(lab.import_packing_list(packing, CLIENT).stones) == 2


def test_a_submission_with_a_finding_under_way_is_not_voided(lab, sub):
    propose(lab, sub.stones[1].number)
    login_as(lab, "sup1")
    before = written(lab)
    with pytest.raises(StateError, match=f"{sub.number} cannot be voided: its stone "
                                         f"{sub.stones[1].number} has a finding awaiting "
                                         f"review"):
        lab.void_submission(sub.number, "mistake")
    assert written(lab) == before


def test_nothing_is_issued_from_a_voided_submission(lab, sub):
    """Issuing needs an approved finding, which a voided stone cannot get; the issue
    guard refuses it all the same (a stone approved before its parcel was voided
    behind LabDesk's back, say)."""
    login_as(lab, "sup1")
    lab.void_submission(sub.number, "received by mistake")
    detail = lab.stone_detail(sub.stones[0].number)
    assert not detail.actions["issue"].allowed


# ------------------------------------------------------------------ item 9
def test_the_earlier_report_is_kept_searchable_and_the_declared_origin_is_no_evidence(
        lab, packing):
    login_as(lab, "tech")
    sub = lab.import_packing_list(packing, CLIENT)
    first, second = sub.stones
    assert (first.earlier_lab, first.earlier_report, first.declared_origin) == \
        ("GIA", "2141438167", "Botswana")
    assert lab.find("2141438167") == [("stone", first.number)]
    assert lab.find("lg600123") == [("stone", second.number)]   # whole, any case
    # "Russia" declared on the list changes no assessment: only evidence counts
    lab.add_evidence(second.number, "kp_certificate", **kp_fields())
    declared = lab.assess(second.number, "EU", on="2024-06-01")
    lab.update_stone(second.number, declared_origin="")
    assert lab.stone(second.number).declared_origin is None
    plain = lab.assess(second.number, "EU", on="2024-06-01")
    assert (declared.outcome, declared.reasons, declared.missing) == \
        (plain.outcome, plain.reasons, plain.missing)


def test_the_report_prints_the_earlier_report(lab):
    from labdesk.reports import content
    from support.labs import approve_stone
    login_as(lab, "tech")
    sub = lab.receive(CLIENT, [{"client_ref": "ER-1", "weight": "0.90",
                                "identification": "natural", "earlier_lab": "GIA",
                                "earlier_report": "2141438167"},
                               {"client_ref": "ER-2", "weight": "0.80",
                                "identification": "natural"}])
    numbers = [s.number for s in sub.stones]
    for number in numbers:
        approve_stone(lab, number)
    finding = lab.finding(numbers[0])

    def printed(number):
        return dict(content.page("R-1", "2025-03-04", lab.settings(), None,
                                 lab.stone(number), sub, None, finding, [], "sup1",
                                 "2025-03-04T10:00:00Z", "x").stone)
    assert printed(numbers[0])["Earlier report"] == \
        "GIA 2141438167 (as the client's list states)"
    assert "Earlier report" not in printed(numbers[1])
    assert lab.verify(lab.issue_report(numbers[0]).qr_text).valid
