"""The life of a stone and who may move it (design.md, "Workflow").

    received -> proposed -> approved -> reported
                  |  ^          \\__ reopened (supervisor, reason) -> received
                  v  |
                rejected (reason, back to the technician)

    reported -> returned      (handed back to the client against a signature)
    received | rejected -> returned   (handed back ungraded)

A returned stone has left the lab: it takes no further work (no edits, no evidence, no
proposal, no review, no report, no reopening).  Its reports stand as issued; a supervisor
may still revoke one.

Every guard raises a typed error and has no side effects, so the facade calls it before
it writes anything, and the UI calls the same functions to grey out what may not be done.
"""
from __future__ import annotations

from dataclasses import dataclass

from labdesk.errors import PermissionDenied, StateError, ValidationError

ROLES = ("technician", "supervisor", "admin")
STATES = ("received", "proposed", "rejected", "approved", "reported", "returned")
#: A returned stone is locked for good (and, unlike the others, never reopened).
LOCKED_STATES = ("approved", "reported", "returned")
#: The states from which a stone goes back to its client (reported, or ungraded).
RETURNABLE_STATES = ("reported", "received", "rejected")
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
    """Grading facts, evidence and attachments are locked once the finding is approved,
    and for good once the stone is returned to its client."""
    return state in LOCKED_STATES


def check_not_returned(stone_no: str, state: str, what: str | None = None) -> None:
    """StateError when the stone went back to its client: it takes no further work."""
    if state == "returned":
        change = f" ({what} cannot change)" if what else ""
        raise StateError(f"{stone_no} was returned to the client and takes no further "
                         f"work{change}; a stone brought back is received again as a new "
                         f"stone")


def check_can_return(actor: Actor | None, stone_no: str, state: str) -> None:
    """Any member of staff hands stones back (a signature); a stone goes back once, and
    never while its finding is under review or approved without a report."""
    require_role(actor, *ROLES, action="return stones to the client")
    if state == "returned":
        raise StateError(f"{stone_no} was returned to the client already")
    if state == "proposed":
        raise StateError(f"{stone_no} has a finding awaiting review: a supervisor approves "
                         f"or rejects it before the stone is returned")
    if state == "approved":
        raise StateError(f"{stone_no} has an approved finding but no report yet: issue its "
                         f"report (or reopen it) before the stone is returned")
    if state not in RETURNABLE_STATES:
        raise StateError(f"{stone_no} is {state}: it cannot be returned")


def check_editable(stone_no: str, state: str, what: str = "this stone") -> None:
    """StateError when the stone is locked (approved or reported), or while its finding
    awaits review: the supervisor reviews exactly what was proposed; or when it went back
    to its client."""
    check_not_returned(stone_no, state, what)
    if is_locked(state):
        raise StateError(f"{stone_no} is {state} and locked: {what} cannot change. A "
                         f"supervisor may reopen it with a reason.")
    if state == "proposed":
        raise StateError(f"{stone_no} has a finding awaiting review: {what} cannot change "
                         f"until a supervisor approves or rejects it.")


def check_can_propose(actor: Actor | None, stone_no: str, state: str) -> None:
    require_role(actor, *ROLES, action="propose a finding")
    check_not_returned(stone_no, state)
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
    check_not_returned(stone_no, state)
    if state not in ("approved", "reported"):
        raise StateError(f"{stone_no} is {state}: only an approved or reported stone is "
                         f"reopened")


def check_can_issue(actor: Actor | None, stone_no: str, state: str,
                    issuers: str = "supervisors") -> None:
    """Who issues reports is the lab's setting (``report_issuers``): supervisors and
    admins by default, everyone when the lab says so."""
    roles = ROLES if issuers == "everyone" else ("supervisor", "admin")
    require_role(actor, *roles, action="issue a report")
    check_not_returned(stone_no, state)
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
