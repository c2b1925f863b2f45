"""A submission received by mistake (the same packing list twice, the wrong client's
parcel) and what voiding it means: a supervisor voids it with a reason; its stones are
kept, shown as voided, and nothing is proposed or issued from them.

Guards only: each raises a typed error with a sentence and has no side effects, so the
facade calls them before it writes and again inside its transaction.
"""
from __future__ import annotations

from labdesk.core import workflow
from labdesk.core.workflow import Actor
from labdesk.errors import StateError


def day(at: str | None) -> str:
    """'2025-03-04T10:00:00Z' -> '2025-03-04'."""
    return str(at or "")[:10]


def refusal(stone_no: str, submission_no: str, voided_at: str | None,
            action: str) -> str | None:
    """The sentence refusing ``action`` ('propose a finding for it') on a stone of a
    voided submission; None when the submission stands."""
    if voided_at is None:
        return None
    return (f"{stone_no} belongs to {submission_no}, which was voided on {day(voided_at)} "
            f"(received by mistake): no one may {action}")


def check_not_voided(stone_no: str, submission_no: str, voided_at: str | None,
                     action: str) -> None:
    """StateError when the stone's submission was voided."""
    text = refusal(stone_no, submission_no, voided_at, action)
    if text:
        raise StateError(text)


def check_can_void(actor: Actor | None, submission_no: str, voided_at: str | None,
                   busy_stone: tuple[str, str] | None) -> None:
    """Only a supervisor voids a submission, once, and only while none of its stones has
    a finding under review, approved or reported (``busy_stone``: the first such stone,
    number and state): those are rejected, or reopened and their reports revoked,
    first."""
    workflow.require_role(actor, "supervisor", action="void a submission")
    if voided_at is not None:
        raise StateError(f"{submission_no} was voided already, on {day(voided_at)}")
    if busy_stone is not None:
        number, state = busy_stone
        what = {"proposed": "has a finding awaiting review (reject it first)",
                "approved": "has an approved finding (reopen it first)",
                "reported": "has an issued report (revoke it and reopen the stone "
                            "first)"}.get(state, f"is {state}")
        raise StateError(f"{submission_no} cannot be voided: its stone {number} {what}")
