"""The Lab facade: origin findings and the four-eyes workflow (design.md "Workflow")."""
from __future__ import annotations

import pytest

from labdesk import AuthError, Lab, PermissionDenied, StateError, ValidationError
from labdesk.errors import NotFound
from support.homes import FULL_NAMES, PASSWORDS, login_as
from support.labs import STATEMENT, kp_fields, propose, written


def only_the_wrong_password_recorded(lab, before: tuple, who: str) -> None:
    """Nothing was written but the wrong password itself: counted against ``who``'s
    account (issue 16, item 14), one audited event."""
    events, stones, records = written(lab)
    last = lab.audit_events(limit=1).items[0]
    assert (last.action, last.entity, last.data["row"]["username"]) == \
        ("user.login_failed", "users", who)
    assert last.data["row"]["failed_logins"] == 1
    assert (events - 1, stones, records) == before


# ---------------------------------------------------------------------- propose
def test_propose_a_finding(lab, sub):
    stone = sub.stones[0].number
    ev = lab.add_evidence(stone, "kp_certificate", **kp_fields())
    parcel = lab.add_evidence(sub.number, "other", notes="packing list")
    before = lab.audit_events().total
    finding = lab.propose_finding(stone, "NR", mining_country="bw", statement=STATEMENT)
    assert (finding.stone, finding.origin, finding.mining_country, finding.status) == \
        (stone, "non_russian", "BW", "proposed")
    assert (finding.proposed_by, finding.proposed_by_name) == ("tech", FULL_NAMES["tech"])
    assert finding.statement == STATEMENT and finding.decided_by is None
    assert finding.evidence_ids == (ev.id, parcel.id)
    assert isinstance(finding.assessments, dict)
    assert lab.stone(stone).state == "proposed" and not lab.stone(stone).locked
    assert lab.finding(stone) == finding
    assert lab.audit_events().total == before + 2  # the finding, the stone's new state
    assert [e.action for e in lab.history(stone)[-2:]] == ["finding.propose",
                                                          "stone.proposed"]
    queue = lab.review_queue()
    assert [(f.stone, f.proposed_by) for f in queue] == [(stone, "tech")]
    assert lab.counts()["review"] == 1


@pytest.mark.parametrize("origin, country", [("russian", None), ("RU", "ru"),
                                             ("undetermined", None),
                                             ("undetermined", "CA")])
def test_propose_russian_or_undetermined(lab, sub, origin, country):
    finding = lab.propose_finding(sub.stones[1].number, origin, mining_country=country)
    assert finding.origin in ("russian", "undetermined")
    if finding.origin == "russian":
        assert finding.mining_country == "RU"
    else:
        assert finding.mining_country == (country.upper() if country else None)


@pytest.mark.parametrize("args, field", [
    ({"origin": "maybe"}, "origin"),
    ({"origin": ""}, "origin"),
    ({"origin": "non_russian", "mining_country": "XX"}, "mining_country"),
    ({"origin": "non_russian", "mining_country": "RU"}, "mining_country"),
    ({"origin": "russian", "mining_country": "BW"}, "mining_country"),
    ({"origin": "undetermined", "statement": "x" * 2001}, "statement"),
])
def test_propose_refuses_bad_input_and_writes_nothing(lab, sub, args, field):
    stone = sub.stones[0].number
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.propose_finding(stone, **args)
    assert err.value.field == field
    assert written(lab) == before
    assert lab.stone(stone).state == "received" and lab.review_queue() == []


@pytest.mark.parametrize("evidence", [
    {"origin_countries": ["RU"]},
    {"transit_countries": ["RU"]},
    {"issuing_country": "RU", "reference": "RU-2023-1"},
])
def test_a_non_russian_finding_against_evidence_naming_russia_is_refused(lab, sub,
                                                                         evidence):
    stone = sub.stones[0].number
    lab.add_evidence(stone, "kp_certificate", **kp_fields(**evidence))
    before = written(lab)
    with pytest.raises(ValidationError, match="Russia") as err:
        lab.propose_finding(stone, "non_russian", mining_country="BW",
                            statement=STATEMENT)
    assert err.value.field == "origin"
    assert written(lab) == before
    # an honest finding is possible
    assert lab.propose_finding(stone, "russian").mining_country == "RU"


def test_propose_twice_or_on_a_locked_stone_is_a_state_error(lab, sub, approved):
    login_as(lab, "tech")
    second = sub.stones[1].number
    lab.propose_finding(second, "undetermined")
    before = written(lab)
    with pytest.raises(StateError, match="awaiting review"):
        lab.propose_finding(second, "undetermined")
    with pytest.raises(StateError):
        lab.propose_finding(approved, "undetermined")
    assert written(lab) == before


def test_propose_an_unknown_stone(lab, sub):
    with pytest.raises(NotFound):
        lab.propose_finding("D0000404", "undetermined")


# ---------------------------------------------------------------------- approve
def test_approve_is_a_signature(lab, sub):
    stone = sub.stones[0].number
    propose(lab, stone)
    login_as(lab, "sup1")
    before = lab.audit_events().total
    finding = lab.approve(stone, comment="KP matches the rough", password=PASSWORDS["sup1"])
    assert (finding.status, finding.decided_by, finding.decided_by_name) == \
        ("approved", "sup1", FULL_NAMES["sup1"])
    assert finding.decision_comment == "KP matches the rough" and finding.decided_at
    assert finding.proposed_by == "tech"
    stone_now = lab.stone(stone)
    assert stone_now.state == "approved" and stone_now.locked
    assert lab.review_queue() == []
    assert lab.audit_events().total == before + 2
    event = lab.audit_events(action="finding.approve").items[0]
    signature = event.data["signature"]
    assert (signature["signer"], signature["name"], signature["meaning"]) == \
        ("sup1", FULL_NAMES["sup1"], "approval")
    assert signature["reauthenticated"] is True and signature["at"] == finding.decided_at
    assert event.changed["status"] == ["proposed", "approved"]
    assert [e.action for e in lab.history(stone)[-2:]] == ["finding.approve",
                                                          "stone.approved"]
    assert lab.check().ok


@pytest.mark.parametrize("who", ["tech", "admin"])
def test_only_a_supervisor_approves(lab, sub, who):
    stone = sub.stones[0].number
    propose(lab, stone)
    login_as(lab, who)
    before = written(lab)
    with pytest.raises(PermissionDenied):
        lab.approve(stone, password=PASSWORDS[who])
    assert written(lab) == before
    assert lab.stone(stone).state == "proposed"


def test_a_supervisor_never_approves_their_own_proposal(lab, sub):
    stone = sub.stones[0].number
    propose(lab, stone, who="sup1")
    before = written(lab)
    with pytest.raises(PermissionDenied, match="four eyes"):
        lab.approve(stone, password=PASSWORDS["sup1"])
    with pytest.raises(PermissionDenied):
        lab.reject(stone, "not convinced", password=PASSWORDS["sup1"])
    assert written(lab) == before
    login_as(lab, "sup2")
    assert lab.approve(stone, password=PASSWORDS["sup2"]).decided_by == "sup2"


def test_approving_with_nothing_proposed_is_a_state_error(lab, sub, approved):
    login_as(lab, "sup2")
    before = written(lab)
    with pytest.raises(StateError):
        lab.approve(sub.stones[1].number, password=PASSWORDS["sup2"])  # received
    with pytest.raises(StateError):
        lab.approve(approved, password=PASSWORDS["sup2"])  # approved already
    assert written(lab) == before


def test_approve_with_a_wrong_password_changes_nothing(lab, sub):
    stone = sub.stones[0].number
    propose(lab, stone)
    login_as(lab, "sup1")
    before, finding = written(lab), lab.finding(stone)
    with pytest.raises(AuthError):
        lab.approve(stone, comment="ok", password="not-my-password")
    only_the_wrong_password_recorded(lab, before, "sup1")
    assert lab.finding(stone) == finding and lab.stone(stone).state == "proposed"
    assert lab.user.username == "sup1"
    assert [f.stone for f in lab.review_queue()] == [stone]


def test_approve_needs_a_logged_in_user(lab, sub):
    stone = sub.stones[0].number
    propose(lab, stone)
    lab.logout()
    with pytest.raises(AuthError):
        lab.approve(stone)


def test_approve_an_unknown_stone(lab, sub):
    login_as(lab, "sup1")
    with pytest.raises(NotFound):
        lab.approve("D0000404", password=PASSWORDS["sup1"])


# ---------------------------------------------------------------------- reject
@pytest.mark.parametrize("reason", ["", "  ", None, "no"])
def test_reject_needs_a_reason(lab, sub, reason):
    stone = sub.stones[0].number
    propose(lab, stone)
    login_as(lab, "sup1")
    before = written(lab)
    with pytest.raises(ValidationError) as err:
        lab.reject(stone, reason, password=PASSWORDS["sup1"])
    assert err.value.field == "reason"
    assert written(lab) == before


def test_reject_sends_the_stone_back_and_a_new_proposal_follows(lab, sub):
    stone = sub.stones[0].number
    propose(lab, stone)
    login_as(lab, "sup1")
    rejected = lab.reject(stone, "  KP scan is missing ", password=PASSWORDS["sup1"])
    assert (rejected.status, rejected.decided_by, rejected.decision_comment) == \
        ("rejected", "sup1", "KP scan is missing")
    assert lab.stone(stone).state == "rejected" and not lab.stone(stone).locked
    assert lab.review_queue() == []
    event = lab.audit_events(action="finding.reject").items[0]
    assert event.data["signature"]["meaning"] == "rejection"
    # back to the technician: facts can change, a new finding is proposed
    login_as(lab, "tech")
    lab.update_stone(stone, notes="rechecked")
    second = lab.propose_finding(stone, "undetermined")
    assert second.id != rejected.id and lab.finding(stone) == second
    assert [f.status for f in lab.stone_detail(stone).findings] == ["rejected", "proposed"]
    assert lab.stone_detail(stone).finding == second
    login_as(lab, "sup2")
    assert lab.approve(stone, password=PASSWORDS["sup2"]).status == "approved"


def test_reject_guards(lab, sub):
    stone = sub.stones[0].number
    login_as(lab, "sup1")
    with pytest.raises(StateError):
        lab.reject(stone, "nothing to reject")  # received
    propose(lab, stone)
    before = written(lab)
    with pytest.raises(PermissionDenied):
        lab.reject(stone, "technicians do not review")
    login_as(lab, "sup1")
    with pytest.raises(AuthError):
        lab.reject(stone, "wrong password", password="not-my-password")
    only_the_wrong_password_recorded(lab, before, "sup1")
    assert lab.stone(stone).state == "proposed"


# ---------------------------------------------------------------------- locking
def test_an_approved_stone_is_locked(lab, sub, approved):
    stone = lab.stone(approved)
    for who in ("tech", "sup1", "sup2", "admin"):
        login_as(lab, who)
        before = written(lab)
        with pytest.raises(StateError, match="locked"):
            lab.update_stone(approved, colour="F")
        with pytest.raises(StateError):
            lab.update_stone(approved)  # even an empty change
        assert written(lab) == before
    assert lab.stone(approved) == stone


# ---------------------------------------------------------------------- reopen
def test_reopen_unlocks_an_approved_stone_and_is_audited(lab, sub, approved):
    login_as(lab, "sup2")
    before = lab.audit_events().total
    stone = lab.reopen(approved, "Weight was misread", password=PASSWORDS["sup2"])
    assert (stone.state, stone.locked) == ("received", False)
    assert lab.finding(approved).status == "reopened"
    assert lab.audit_events().total == before + 2
    reopen, state = lab.history(approved)[-2:]
    assert (reopen.action, reopen.actor, reopen.data["reason"]) == \
        ("finding.reopen", "sup2", "Weight was misread")
    assert reopen.data["signature"]["meaning"] == "reopening"
    assert reopen.data["signature"]["reauthenticated"] is True
    assert reopen.changed["status"] == ["approved", "reopened"]
    assert (state.action, state.data["reason"]) == ("stone.received", "Weight was misread")
    assert state.changed["state"] == ["approved", "received"]
    login_as(lab, "tech")
    assert lab.update_stone(approved, weight="1.243").weight == "1.243"
    assert lab.propose_finding(approved, "undetermined").status == "proposed"
    assert lab.check().ok


def test_reopening_a_reported_stone_supersedes_its_report(lab, sub, approved):
    report = lab.issue_report(approved)
    assert lab.stone(approved).state == "reported" and lab.stone(approved).locked
    login_as(lab, "tech")
    with pytest.raises(StateError):
        lab.update_stone(approved, colour="D")
    login_as(lab, "sup2")
    lab.reopen(approved, "Client disputes the colour", password=PASSWORDS["sup2"])
    assert lab.stone(approved).state == "received"
    withdrawn = lab.report(report.number)
    assert (withdrawn.status, withdrawn.withdrawn_by, withdrawn.withdrawn_reason) == \
        ("superseded", "sup2", "Client disputes the colour")
    actions = [e.action for e in lab.history(approved)[-3:]]
    assert actions == ["finding.reopen", "report.supersede", "stone.received"]
    assert lab.verify(report.token).status == "superseded"
    assert lab.check().ok


def test_the_approving_supervisor_may_reopen(lab, sub, approved):
    assert lab.user.username == "sup1"
    assert lab.reopen(approved, "Clerical error").state == "received"


def test_reopen_guards(lab, sub, approved):
    received = sub.stones[1].number
    login_as(lab, "tech")
    before = written(lab)
    with pytest.raises(PermissionDenied):
        lab.reopen(approved, "I want to change it")
    login_as(lab, "admin")
    with pytest.raises(PermissionDenied):
        lab.reopen(approved, "admins do not sign")
    login_as(lab, "sup2")
    with pytest.raises(StateError):
        lab.reopen(received, "not approved")
    with pytest.raises(ValidationError) as err:
        lab.reopen(approved, " ")
    assert err.value.field == "reason"
    with pytest.raises(AuthError):
        lab.reopen(approved, "Weight was misread", password="not-my-password")
    only_the_wrong_password_recorded(lab, before, "sup2")
    assert lab.stone(approved).state == "approved"


# ---------------------------------------------------------------------- assess
def test_assess(lab, sub):
    pytest.importorskip("labdesk.core.assessment")
    stone = sub.stones[0].number
    lab.add_evidence(stone, "kp_certificate", **kp_fields())
    result = lab.assess(stone, "eu", on="2024-06-01")
    assert result.jurisdiction == "EU" and str(result.on) == "2024-06-01"
    assert result.outcome in ("clear", "insufficient", "prohibited")
    with pytest.raises(ValidationError) as err:
        lab.assess(stone, "Mars")
    assert err.value.field == "jurisdiction"
    with pytest.raises(ValidationError) as err:
        lab.assess(stone, "EU", on="soon")
    assert err.value.field == "on"
    with pytest.raises(NotFound):
        lab.assess("D0000404", "EU")


# ---------------------------------------------------------------------- two windows
def test_an_approval_racing_a_rejection_in_another_window_is_refused(lab, sub,
                                                                     monkeypatch):
    import labdesk.lab.accounts as lab_module
    stone = sub.stones[0].number
    propose(lab, stone)
    other = Lab.open(lab.home)  # a second supervisor's window on the same lab
    try:
        login_as(other, "sup2")
        real_verify = lab_module.verify_password
        raced = []

        def verify_while_the_other_window_rejects(stored_hash, password):
            if not raced:
                raced.append(other.reject(stone, "Invoice does not match the stone"))
            return real_verify(stored_hash, password)

        login_as(lab, "sup1")
        monkeypatch.setattr(lab_module, "verify_password",
                            verify_while_the_other_window_rejects)
        with pytest.raises(StateError):
            lab.approve(stone, password=PASSWORDS["sup1"])
        assert raced, "the rejection did not run during the approval"
        assert lab.stone(stone).state == "rejected"
        assert lab.finding(stone).status == "rejected"
    finally:
        other.close()
