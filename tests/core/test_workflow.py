"""The guards of design.md "Workflow", tested directly (no database)."""
import pytest

from labdesk.core import workflow
from labdesk.core.workflow import Actor
from labdesk.errors import PermissionDenied, StateError, ValidationError

TECH = Actor(1, "tom", "Tom Tech", "technician")
SUP = Actor(2, "sue", "Sue Sup", "supervisor")
SUP2 = Actor(3, "sam", "Sam Sup", "supervisor")
ADMIN = Actor(4, "ada", "Ada Admin", "admin")


def test_only_a_supervisor_approves():
    with pytest.raises(PermissionDenied, match="only a supervisor"):
        workflow.check_can_approve(TECH, "D1", "proposed", proposer_id=SUP.id)
    with pytest.raises(PermissionDenied):
        workflow.check_can_approve(ADMIN, "D1", "proposed", proposer_id=TECH.id)
    workflow.check_can_approve(SUP, "D1", "proposed", proposer_id=TECH.id)


def test_nobody_approves_or_rejects_their_own_finding():
    with pytest.raises(PermissionDenied, match="four eyes"):
        workflow.check_can_approve(SUP, "D1", "proposed", proposer_id=SUP.id)
    with pytest.raises(PermissionDenied, match="four eyes"):
        workflow.check_can_reject(SUP, "D1", "proposed", proposer_id=SUP.id)
    workflow.check_can_approve(SUP2, "D1", "proposed", proposer_id=SUP.id)


@pytest.mark.parametrize("state", ["received", "rejected", "approved", "reported"])
def test_nothing_to_approve_unless_proposed(state):
    with pytest.raises(StateError, match="no proposed finding"):
        workflow.check_can_approve(SUP, "D1", state, proposer_id=TECH.id)


def test_nobody_logged_in():
    with pytest.raises(PermissionDenied, match="log in"):
        workflow.check_can_propose(None, "D1", "received")


@pytest.mark.parametrize("state, ok", [("received", True), ("rejected", True),
                                       ("proposed", False), ("approved", False),
                                       ("reported", False)])
def test_propose_from_received_or_rejected(state, ok):
    if ok:
        workflow.check_can_propose(TECH, "D1", state)
    else:
        with pytest.raises(StateError):
            workflow.check_can_propose(TECH, "D1", state)


@pytest.mark.parametrize("state", workflow.LOCKED_STATES)
def test_locked_states_refuse_changes(state):
    assert workflow.is_locked(state)
    with pytest.raises(StateError, match="locked" if state != "returned" else
                       "returned to the client and takes no further work"):
        workflow.check_editable("D1", state)


def test_a_stone_is_returned_from_reported_or_ungraded_once_and_never_under_review():
    for state in workflow.RETURNABLE_STATES:
        workflow.check_can_return(SUP, "D1", state)
    for state, why in (("returned", "returned to the client already"),
                       ("proposed", "awaiting review"),
                       ("approved", "approved finding but no report yet")):
        with pytest.raises(StateError, match=why):
            workflow.check_can_return(SUP, "D1", state)
    with pytest.raises(StateError, match="takes no further work"):
        workflow.check_can_reopen(SUP, "D1", "returned")
    with pytest.raises(StateError, match="takes no further work"):
        workflow.check_can_issue(SUP, "D1", "returned")


def test_nothing_issued_without_approval():
    with pytest.raises(StateError, match="approved"):
        workflow.check_can_issue(SUP, "D1", "proposed")
    workflow.check_can_issue(SUP, "D1", "approved")


def test_who_issues_reports_is_the_labs_setting():
    """Supervisors and admins by default (issue 16, item 17); everyone when the lab says
    so."""
    with pytest.raises(PermissionDenied, match="only a supervisor or an admin may issue"):
        workflow.check_can_issue(TECH, "D1", "approved")
    workflow.check_can_issue(TECH, "D1", "approved", issuers="everyone")
    workflow.check_can_issue(SUP, "D1", "approved", issuers="supervisors")


def test_reopen_and_revoke_are_for_supervisors():
    with pytest.raises(PermissionDenied):
        workflow.check_can_reopen(TECH, "D1", "approved")
    with pytest.raises(StateError):
        workflow.check_can_reopen(SUP, "D1", "received")
    workflow.check_can_reopen(SUP, "D1", "reported")
    with pytest.raises(PermissionDenied):
        workflow.check_can_revoke(TECH, "LD26-000001", "issued")
    with pytest.raises(StateError):
        workflow.check_can_revoke(SUP, "LD26-000001", "revoked")


def test_admin_only_and_reasons():
    with pytest.raises(PermissionDenied, match="admin"):
        workflow.check_admin(SUP, "add users")
    workflow.check_admin(ADMIN, "add users")
    with pytest.raises(ValidationError, match="reason"):
        workflow.check_reason("  ", "rejection")
    assert workflow.check_reason(" wrong weight ", "rejection") == "wrong weight"
