"""Issue 17, returns to the client: stones go back against a signature (the password
re-entered), with who collected them and the identity document seen; a ``returned`` state
after ``reported`` (or ``received``/``rejected``, ungraded); a receipt; the custody on the
stone.  A stone is returned once, never while under review, and takes no further work.
Every test runs on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from labdesk.core.permissions import STONE_ACTIONS
from labdesk.errors import AuthError, StateError, ValidationError
from labdesk.store import audit
from support.homes import FULL_NAMES, PASSWORDS, login_as
from support.labs import approve_stone, propose, written


def _issue(lab, stone_no):
    approve_stone(lab, stone_no)
    return lab.issue_report(stone_no)


def test_a_return_is_a_signature_audited_with_who_collected_and_the_document_seen(lab, sub):
    first, second, _ = (s.number for s in sub.stones)
    report = _issue(lab, first)
    login_as(lab, "tech")
    done = lab.return_stones([first, second], "Jan Peeters", note="collected in person",
                             id_document="Belgian ID 591-1234567-89",
                             password=PASSWORDS["tech"])
    assert done.receipt.startswith("RET-") and done.client == sub.stones[0].client
    assert done.collected_by == "Jan Peeters" and done.returned_by == "tech"
    assert [(s.stone, s.from_state, s.report) for s in done.stones] == [
        (first, "reported", report.number), (second, "received", None)]
    assert done.total_weight_mct == 1234 + 512
    assert lab.stone(first).state == "returned" and lab.stone(first).locked
    assert lab.stone(second).state == "returned"
    assert done.receipt_path.is_file() and done.receipt_path.read_bytes()[:5] == b"%PDF-"

    events = [e for e in lab.history(first) if e.action in ("stone.return",
                                                             "stone.returned")]
    assert [e.action for e in events] == ["stone.return", "stone.returned"]
    signed = events[0].data["signature"]
    assert signed["meaning"] == "return to the client" and signed["reauthenticated"]
    assert signed["signer"] == "tech" and signed["at"] == done.returned_at
    row = events[0].data["row"]
    assert (row["collected_by"], row["id_document"], row["receipt"], row["note"]) == (
        "Jan Peeters", "Belgian ID 591-1234567-89", done.receipt, "collected in person")
    assert events[1].data["changed"]["state"] == ["reported", "returned"]
    assert lab.check().ok, lab.check().problems
    assert lab.stones(state="returned").total == 2
    assert lab.return_receipt(done.receipt).stones == done.stones

    custody = lab.custody(first)
    assert [(c.kind, c.party) for c in custody] == [("received", sub.stones[0].client),
                                                    ("returned", "Jan Peeters")]
    assert custody[1].id_document == "Belgian ID 591-1234567-89"
    assert custody[1].receipt == done.receipt
    assert custody[1].staff == FULL_NAMES["tech"] and custody[0].staff == FULL_NAMES["tech"]


def test_a_stone_is_returned_once_and_the_second_time_writes_nothing(lab, sub):
    first = sub.stones[0].number
    login_as(lab, "tech")
    lab.return_stones([first], "Jan Peeters", password=PASSWORDS["tech"])
    before = written(lab)
    with pytest.raises(StateError, match=f"{first} was returned to the client already"):
        lab.return_stones([first], "Jan Peeters", password=PASSWORDS["tech"])
    assert written(lab) == before


@pytest.mark.parametrize("state", ["proposed", "approved"])
def test_a_stone_under_review_is_refused_with_a_reason_and_nothing_is_written(lab, sub,
                                                                             state):
    first, second, _ = (s.number for s in sub.stones)
    if state == "proposed":
        propose(lab, first)
        why = f"{first} has a finding awaiting review"
    else:
        approve_stone(lab, first)
        why = f"{first} has an approved finding but no report yet"
    login_as(lab, "tech")
    before = written(lab)
    with pytest.raises(StateError, match=why):   # the whole receipt: the other stone too
        lab.return_stones([second, first], "Jan Peeters", password=PASSWORDS["tech"])
    assert written(lab) == before
    assert lab.stone(second).state == "received"


def test_bad_input_is_one_message_and_changes_nothing(lab, sub):
    first = sub.stones[0].number
    login_as(lab, "tech")
    before = written(lab)
    for stones, who, field in (([first], "  ", "collected_by"),
                               ([], "Jan", "stones"),
                               ([first, first.lower()], "Jan", "stones"),
                               ([first], "x" * 201, "collected_by")):
        with pytest.raises(ValidationError) as caught:
            lab.return_stones(stones, who, password=PASSWORDS["tech"])
        assert caught.value.field == field
    with pytest.raises(AuthError):
        lab.return_stones([first], "Jan", password="not-the-password")
    with pytest.raises(Exception, match="no stone D9999999"):
        lab.return_stones([first, "D9999999"], "Jan", password=PASSWORDS["tech"])
    assert written(lab)[1:] == before[1:]   # a wrong password is audited, nothing else
    assert lab.stone(first).state == "received"


def test_one_receipt_is_for_one_clients_stones(lab, sub):
    login_as(lab, "tech")
    other = lab.receive("Other Dealer BV", [{"weight": "0.300"}])
    with pytest.raises(ValidationError, match="one receipt is for one client's stones"):
        lab.return_stones([sub.stones[0].number, other.stones[0].number], "Jan",
                          password=PASSWORDS["tech"])


def test_a_returned_stone_takes_no_further_work(lab, sub):
    first, second, _ = (s.number for s in sub.stones)
    report = _issue(lab, first)
    propose(lab, second)
    login_as(lab, "sup2")
    lab.reject(second, "evidence unclear", password=PASSWORDS["sup2"])
    login_as(lab, "tech")
    lab.return_stones([first, second], "Jan", password=PASSWORDS["tech"])  # rejected: ungraded
    refusals = [
        lambda: lab.update_stone(second, colour="F"),
        lambda: lab.add_evidence(second, "other", notes="late"),
        lambda: propose(lab, second),
        lambda: (login_as(lab, "sup1"), lab.reopen(first, "regrade", PASSWORDS["sup1"])),
        lambda: (login_as(lab, "sup1"), lab.issue_report(first)),
    ]
    before = written(lab)
    for refuse in refusals:
        with pytest.raises(StateError, match="was returned to the client and takes no "
                                             "further work"):
            refuse()
    assert written(lab)[1:] == before[1:]
    actions = lab.stone_detail(second).actions
    assert set(actions) == set(STONE_ACTIONS)
    assert not any(p.allowed for p in actions.values())
    # its report stands as issued; a supervisor may still withdraw it
    login_as(lab, "sup1")
    assert lab.revoke_report(report.number, "error found",
                             password=PASSWORDS["sup1"]).status == "revoked"
    assert lab.stone(first).state == "returned"
    # the receipt prints what went back: a reprint is the same document
    assert lab.return_receipt_pdf(lab.custody(first)[1].receipt).read_bytes() == \
        lab.return_receipt_pdf(lab.custody(first)[1].receipt).read_bytes()


def test_the_return_permission_comes_from_the_lab(lab, sub):
    first = sub.stones[0].number
    login_as(lab, "tech")
    assert lab.stone_detail(first).actions["return"].allowed
    propose(lab, first)
    why = lab.stone_detail(first).actions["return"].why
    assert why.startswith(f"{first} has a finding awaiting review")


def test_the_returns_table_is_in_the_chain_and_a_changed_row_is_found(lab, sub):
    from support.labs import raw_sql
    first = sub.stones[0].number
    login_as(lab, "tech")
    lab.return_stones([first], "Jan Peeters", password=PASSWORDS["tech"])
    assert "returns" in audit.AUDITED_TABLES
    raw_sql(lab, "UPDATE returns SET collected_by = 'Somebody Else'")
    login_as(lab, "admin")
    result = lab.check()
    assert not result.ok
    assert any("Somebody Else" in p for p in result.problems), result.problems
