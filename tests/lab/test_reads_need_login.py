"""Reads of the lab's records need a logged-in user (issue 16, item 15): ISO/IEC 17025
and 21 CFR 11.10(d) limit access to authorised people.  Only a check with the lab's
public key needs no one (``labdesk verify --public-key``, tests/cli)."""
from __future__ import annotations

import pytest

from labdesk import AuthError
from labdesk.reports import claims
from labdesk.reports.keys import load_public_keys_file
from support.files import make_pdf
from support.homes import login_as
from support.labs import approve_stone, kp_fields, written

SENTENCE = "the lab's records are shown only to a logged-in user: log in first"


@pytest.fixture
def issued(lab, sub, tmp_path):
    """sub's first stone reported, its evidence with a scan; then nobody logged in."""
    stone = sub.stones[0].number
    evidence = lab.add_evidence(stone, "kp_certificate", **kp_fields())
    attachment = lab.attach(evidence.id, make_pdf(tmp_path / "kp.pdf"))
    approve_stone(lab, stone)
    report = lab.issue_report(stone)
    lab.logout()
    return {"stone": stone, "submission": sub.number, "evidence": evidence.id,
            "attachment": attachment, "report": report}


def _reads(lab, issued) -> dict:
    """Every facade read of the lab's records, by name."""
    stone, report = issued["stone"], issued["report"]
    return {
        "stone": lambda: lab.stone(stone),
        "stone_detail": lambda: lab.stone_detail(stone),
        "stones": lambda: lab.stones(),
        "stones (search)": lambda: lab.stones(search="AC-001"),
        "submission": lambda: lab.submission(issued["submission"]),
        "review_queue": lambda: lab.review_queue(),
        "finding": lambda: lab.finding(stone),
        "history": lambda: lab.history(stone),
        "audit_events": lambda: lab.audit_events(),
        "audit_event": lambda: lab.audit_event(1),
        "audit_actions": lambda: lab.audit_actions(),
        "find": lambda: lab.find(stone),
        "evidence": lambda: lab.evidence(issued["evidence"]),
        "submission_evidence": lambda: lab.submission_evidence(issued["submission"]),
        "attachment": lambda: lab.attachment(issued["attachment"].id),
        "document_path": lambda: lab.document_path(issued["attachment"].sha256),
        "assess": lambda: lab.assess(stone, "EU"),
        "rule_changes": lambda: lab.rule_changes(),
        "report": lambda: lab.report(report.number),
        "reports": lambda: lab.reports(),
        "report_pdf": lambda: lab.report_pdf(report.number),
        "verify (against the records)": lambda: lab.verify(report.token),
        "check": lambda: lab.check(),
    }


def test_every_read_of_the_records_refuses_nobody_with_one_sentence(lab, issued):
    before = written(lab)
    reads = _reads(lab, issued)
    for name, read in reads.items():
        with pytest.raises(AuthError) as refused:
            read()
        assert str(refused.value) == SENTENCE, name
    assert written(lab) == before   # a refused read writes nothing


def test_the_same_reads_answer_a_logged_in_user(lab, issued):
    login_as(lab, "tech")
    answers = {name: read() for name, read in _reads(lab, issued).items()}
    assert answers["stone"].number == issued["stone"]
    assert answers["stones"].total == 3
    assert answers["history"] and answers["report"].number == issued["report"].number
    assert answers["verify (against the records)"].status == "valid"
    assert answers["check"].ok


def test_after_logout_and_for_a_deactivated_account_the_reads_refuse(lab, issued):
    login_as(lab, "tech")
    assert lab.stones().total == 3
    lab.logout()
    with pytest.raises(AuthError, match="logged-in user"):
        lab.stones()
    login_as(lab, "tech")
    other = type(lab).open(lab.home)   # an admin at another desk deactivates tech
    try:
        login_as(other, "admin")
        other.deactivate_user("tech")
    finally:
        other.close()
    with pytest.raises(AuthError, match="deactivated"):
        lab.stone_detail(issued["stone"])
    assert lab.user is None


def test_what_names_no_record_needs_no_login(lab, issued, tmp_path):
    """The login window shows the lab's name; ``labdesk status`` its users and counts;
    anyone may check a token with the public keys the lab publishes."""
    assert lab.settings()["lab_name"] == "Test Gem Lab"
    assert sum(lab.counts()["stones"].values()) == 3
    assert "EU" in lab.jurisdictions()
    pem = tmp_path / "lab.pem"
    lab.export_public_keys(pem)
    keys = load_public_keys_file(pem)
    assert claims.check_token(issued["report"].token, keys).valid
