"""The life of a stone and who may move it (design.md, "Workflow").

    received -> proposed -> approved -> reported
                  |  ^          \\__ reopened (supervisor, reason) -> received
                  v  |
                rejected (reason, back to the technician)

Every guard raises a typed error and has no side effects, so the facade calls it before
it writes anything, and the UI calls the same functions to grey out what may not be done.
"""
from __future__ import annotations

from dataclasses import dataclass

from labdesk.errors import PermissionDenied, StateError, ValidationError

ROLES = ("technician", "supervisor", "admin")
STATES = ("received", "proposed", "rejected", "approved", "reported")
LOCKED_STATES = ("approved", "reported")
REPORT_STATES = ("issued", "revoked", "superseded")


@dataclass(frozen=True)
class Actor:
    """Who is acting: enough of a user for the guards."""
    id: int
    username: str
    full_name: str
    role: str


def require_role(actor: Actor | None, *roles: str, action: str) -> None:
    """PermissionDenied unless ``actor`` holds one of ``roles``."""
    if actor is None:
        raise PermissionDenied(f"log in to {action}")
    if actor.role not in roles:
        who = " or ".join(_a(r) for r in roles)
        raise PermissionDenied(f"only {who} may {action}; {actor.username} is "
                               f"{_a(actor.role)}")


def _a(noun: str) -> str:
    """'a supervisor', 'an admin'."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def is_locked(state: str) -> bool:
    """Grading facts, evidence and attachments are locked once the finding is approved."""
    return state in LOCKED_STATES


def check_editable(stone_no: str, state: str, what: str = "this stone") -> None:
    """StateError when the stone is locked (approved or reported), or while its finding
    awaits review: the supervisor reviews exactly what was proposed."""
    if is_locked(state):
        raise StateError(f"{stone_no} is {state} and locked: {what} cannot change. A "
                         f"supervisor may reopen it with a reason.")
    if state == "proposed":
        raise StateError(f"{stone_no} has a finding awaiting review: {what} cannot change "
                         f"until a supervisor approves or rejects it.")


def check_can_propose(actor: Actor | None, stone_no: str, state: str) -> None:
    require_role(actor, *ROLES, action="propose a finding")
    if state == "proposed":
        raise StateError(f"{stone_no} already has a finding awaiting review")
    if state not in ("received", "rejected"):
        raise StateError(f"{stone_no} is {state}: a finding can be proposed only for a "
                         f"received or rejected stone")


def _check_review(actor, stone_no, state, proposer_id, action):
    require_role(actor, "supervisor", action=action)
    if state != "proposed":
        raise StateError(f"{stone_no} is {state}: there is no proposed finding to {action}")
    if proposer_id == actor.id:
        raise PermissionDenied(f"you proposed this finding for {stone_no}: another "
                               f"supervisor must {action} it (four eyes)")


def check_can_approve(actor: Actor | None, stone_no: str, state: str,
                      proposer_id: int | None) -> None:
    """Only a supervisor approves, never one who proposed the finding."""
    _check_review(actor, stone_no, state, proposer_id, "approve")


def check_can_reject(actor: Actor | None, stone_no: str, state: str,
                     proposer_id: int | None) -> None:
    """Rejection is a review decision too: a supervisor, not the proposer."""
    _check_review(actor, stone_no, state, proposer_id, "reject")


def check_can_reopen(actor: Actor | None, stone_no: str, state: str) -> None:
    require_role(actor, "supervisor", action="reopen a stone")
    if state not in LOCKED_STATES:
        raise StateError(f"{stone_no} is {state}: only an approved or reported stone is "
                         f"reopened")


def check_can_issue(actor: Actor | None, stone_no: str, state: str,
                    issuers: str = "supervisors") -> None:
    """Who issues reports is the lab's setting (``report_issuers``): supervisors and
    admins by default, everyone when the lab says so."""
    roles = ROLES if issuers == "everyone" else ("supervisor", "admin")
    require_role(actor, *roles, action="issue a report")
    if state != "approved":
        raise StateError(f"{stone_no} is {state}: a report is issued only for an approved "
                         f"finding")


def check_can_revoke(actor: Actor | None, report_no: str, status: str) -> None:
    require_role(actor, "supervisor", action="revoke a report")
    if status != "issued":
        raise StateError(f"report {report_no} is {status}: only an issued report is revoked")


def check_admin(actor: Actor | None, action: str) -> None:
    require_role(actor, "admin", action=action)


def check_reason(reason: str, what: str) -> str:
    """A rejection, reopening or revocation needs a reason a reader can follow."""
    text = (reason or "").strip()
    if len(text) < 3:
        raise ValidationError(f"reason: a {what} needs a reason", field="reason")
    return text
