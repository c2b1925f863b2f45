"""What a user may do with a stone now, and the sentence why not: decided once, here,
from the same guards the facade enforces, so that no page keeps a copy of a rule.

``StoneDetail.actions`` carries the answer for each action a page offers on a stone.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from labdesk.core import workflow
from labdesk.core.workflow import Actor
from labdesk.errors import LabError, PermissionDenied, StateError

#: The actions a page may offer on a stone, in the order a page shows them.
STONE_ACTIONS = ("edit_facts", "add_evidence", "edit_parcel_evidence", "propose",
                 "approve", "reject", "reopen", "issue", "return")


@dataclass(frozen=True)
class Permission:
    """Whether an action is allowed; ``why`` says why not, in a sentence."""
    allowed: bool
    why: str | None = None


def permission(check: Callable[[], object]) -> Permission:
    """Run a guard: allowed when it passes, its message when it refuses."""
    try:
        check()
    except LabError as exc:
        return Permission(False, _sentence(str(exc)))
    return Permission(True)


def _refuse_unreportable(number: str, missing) -> None:
    if missing:
        raise StateError(f"{number} cannot be reported, so no finding is proposed for it: "
                         f"{'; '.join(missing)}. Record its identification first")


def _refuse_voided(sentence: str | None) -> None:
    if sentence:
        raise StateError(sentence)


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def stone_actions(actor: Actor | None, number: str, state: str, *,
                  proposer_id: int | None, frozen_sibling: tuple[str, str] | None,
                  submission: str, issue_check: Callable[[], object],
                  missing_for_report: list[str] = (),
                  voided: str | None = None) -> dict[str, Permission]:
    """Each of ``STONE_ACTIONS`` for ``actor`` on stone ``number`` in ``state``.

    ``frozen_sibling``: a stone of the submission (this one included) that is under
    review or locked (number, state), which freezes the parcel's evidence; ``issue_check``: the facade's
    whole check before a report (the rules changes and the identification too);
    ``missing_for_report``: what the stone lacks that its report must print (no finding
    is proposed for a stone that can never be reported); ``voided``: the sentence
    refusing a finding for a stone of a voided submission (``core.voids.refusal``)."""
    def logged_in():
        if actor is None:
            raise PermissionDenied("log in first")

    def editable(what):
        def check():
            logged_in()
            workflow.check_editable(number, state, what)
        return check

    def parcel():
        logged_in()
        if frozen_sibling is not None:
            other, other_state = frozen_sibling
            workflow.check_editable(other, other_state,
                                    f"the parcel evidence of {submission}")

    return {
        "edit_facts": permission(editable("its grading facts")),
        "add_evidence": permission(editable("its evidence")),
        "edit_parcel_evidence": permission(parcel),
        "propose": permission(lambda: (
            workflow.check_can_propose(actor, number, state),
            _refuse_voided(voided),
            _refuse_unreportable(number, missing_for_report))),
        "approve": permission(lambda: workflow.check_can_approve(actor, number, state,
                                                                 proposer_id)),
        "reject": permission(lambda: workflow.check_can_reject(actor, number, state,
                                                               proposer_id)),
        "reopen": permission(lambda: workflow.check_can_reopen(actor, number, state)),
        "issue": permission(issue_check),
        # a returned stone takes no further work: every guard above refuses it
        # (workflow.check_not_returned), and it is not returned twice
        "return": permission(lambda: workflow.check_can_return(actor, number, state)),
    }
