"""What a user may do with a stone, and why not: decided once in core from the guards
the facade enforces (``StoneDetail.actions``); and the declared-figures warning."""
from __future__ import annotations

import pytest

from labdesk.core import declared
from labdesk.core.permissions import STONE_ACTIONS, stone_actions
from labdesk.core.workflow import Actor
from labdesk.errors import StateError

TECH = Actor(id=1, username="tom", full_name="Tom Tech", role="technician")
SUE = Actor(id=2, username="sue", full_name="Sue Super", role="supervisor")
SAM = Actor(id=3, username="sam", full_name="Sam Second", role="supervisor")


def actions(actor, state, proposer=None, frozen=None, issue=lambda: None):
    """As the facade asks: the stone itself freezes its parcel while under review or
    locked; the issue check is stubbed (the facade's own is tested in tests/lab)."""
    if frozen is None and state in ("proposed", "approved", "reported", "returned"):
        frozen = ("D0000001", state)
    return stone_actions(actor, "D0000001", state, proposer_id=proposer,
                         frozen_sibling=frozen, submission="SUB-000001", issue_check=issue)


def allowed(result):
    return {name for name, p in result.items() if p.allowed}


def test_every_action_is_answered():
    assert tuple(actions(TECH, "received")) == STONE_ACTIONS


@pytest.mark.parametrize("actor, state, proposer, expected", [
    (TECH, "received", None, {"edit_facts", "add_evidence", "edit_parcel_evidence",
                              "propose", "issue", "return"}),   # return: ungraded
    (TECH, "proposed", 1, {"issue"}),
    (SUE, "proposed", 1, {"approve", "reject", "issue"}),
    (SUE, "proposed", 2, {"issue"}),                      # her own proposal: four eyes
    (SUE, "approved", 1, {"reopen", "issue"}),
    (TECH, "approved", 1, {"issue"}),
    (SAM, "rejected", 1, {"edit_facts", "add_evidence", "edit_parcel_evidence",
                          "propose", "issue", "return"}),
    (TECH, "reported", 1, {"issue", "return"}),
    (SUE, "returned", 1, {"issue"}),     # issue is stubbed here; nothing else is allowed
])
def test_who_may_do_what_in_each_state(actor, state, proposer, expected):
    assert allowed(actions(actor, state, proposer)) == expected


def test_the_reasons_are_the_guards_own_sentences():
    result = actions(SUE, "proposed", proposer=2)
    assert not result["approve"].allowed
    assert result["approve"].why == ("You proposed this finding for D0000001: another "
                                     "supervisor must approve it (four eyes).")
    assert "Only a supervisor may reopen" in actions(TECH, "approved")["reopen"].why
    assert actions(SUE, "approved")["edit_facts"].why.startswith(
        "D0000001 is approved and locked: its grading facts cannot change")


def test_a_frozen_sibling_freezes_the_parcel_evidence_only():
    result = actions(TECH, "received", frozen=("D0000002", "approved"))
    assert result["edit_facts"].allowed and result["add_evidence"].allowed
    assert not result["edit_parcel_evidence"].allowed
    assert "the parcel evidence of SUB-000001" in result["edit_parcel_evidence"].why
    assert "D0000002 is approved" in result["edit_parcel_evidence"].why


def test_the_issue_check_is_the_facades():
    def held():
        raise StateError("D0000001: the origin rules changed after its finding was made")
    result = actions(TECH, "approved", issue=held)
    assert not result["issue"].allowed
    assert result["issue"].why == ("D0000001: the origin rules changed after its finding "
                                   "was made.")


def test_nobody_logged_in_may_do_anything():
    result = actions(None, "received")
    assert allowed(result) == {"issue"}                  # the issue check is stubbed here
    assert result["edit_facts"].why == "Log in first."
    assert result["propose"].why == "Log in to propose a finding."


@pytest.mark.parametrize("count, mct, words", [
    (3, None, "the client declared 3 stones but the submission holds 2"),
    (None, 2000, "the client declared 2.000 ct but the submission holds 1.500 ct"),
])
def test_declared_figures_that_differ_are_said(count, mct, words):
    assert declared.discrepancies(count, mct, 2, 1500, "the submission holds") == [words]
    assert declared.warning(count, mct, 2, 1500).startswith("Check the parcel: ")


def test_declared_figures_that_agree_say_nothing():
    assert declared.discrepancies(2, 1500, 2, 1500) == []
    assert declared.warning(None, None, 2, 1500) == ""
    assert declared.warning(5, None, 0, 0) == ""          # nothing entered yet
