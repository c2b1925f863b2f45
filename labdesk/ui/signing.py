"""A signature, step by step: the one place a page asks for one (approve, reject, reopen,
revoke, settle a rules change).

1. the guard: is the action allowed? If not, the page's message bar says the sentence why;
2. the reason, when the signature's meaning needs one (refused before anyone signs when
   core's ``workflow.check_reason`` would refuse it);
3. the password: the signer sees who signs, the meaning and what is signed;
4. the call to ``Lab``: its refusal (a wrong password, a change meanwhile) is shown.

Whether an action is allowed comes from ``Lab``: a ``Permission`` of
``StoneDetail.actions``.  For the actions no record of the Lab answers yet (revoking a
report, settling a rules change) ``guard`` asks core's own guard, the one the Lab calls,
for the logged-in user: the page keeps no copy of the rule.

The dialogs are called through the ``dialogs`` module, so tests replace
``dialogs.ask_reason`` and ``dialogs.ask_password``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from labdesk.core import permissions, workflow
from labdesk.core.permissions import Permission
from labdesk.errors import LabError
from labdesk.ui import dialogs

NO_STONE = Permission(False, "Open a stone first.")


@dataclass(frozen=True)
class Signature:
    """What a page asks someone to sign.

    ``meaning`` is shown in the password dialog ("Rejection of the origin finding");
    ``subject`` is what is signed ("stone D0000012"); ``verb`` says what did not happen
    when the signature is cancelled ("rejected").  With a ``reason_title`` a reason is
    asked first, with ``reason_prompt``; ``reason_for`` names it for core's check ("a
    rejection needs a reason")."""
    meaning: str
    subject: str
    verb: str
    reason_title: str | None = None
    reason_prompt: str = ""
    reason_for: str = ""


@dataclass(frozen=True)
class Signed:
    """What the Lab returned, the reason given (if any) and the signer's printed name."""
    result: object
    reason: str | None
    signer: str


def guard(lab, check: Callable, *args, **kwargs) -> Permission:
    """Core's guard ``check`` for the logged-in user (a ``User`` carries what a guard
    reads), as a ``Permission``: for the actions ``Lab`` has no permission for yet."""
    return permissions.permission(lambda: check(lab.user, *args, **kwargs))


def tooltip(allowed: Permission, what: str) -> str:
    """A button's tooltip: what it does when allowed, the Lab's sentence why not else."""
    return what if allowed.allowed else allowed.why or ""


def sign(page, allowed: Permission, signature: Signature,
         call: Callable[[str | None, str], object]) -> Signed | None:
    """Guard, reason, password, then ``call(reason, password)``; a ``Signed`` when the
    Lab took it, None when refused or cancelled (``page.message`` says which)."""
    if not allowed.allowed:
        page.message.error(allowed.why or "Not allowed.")
        return None
    reason = None
    if signature.reason_title is not None:
        reason = dialogs.ask_reason(page, signature.reason_title, signature.reason_prompt)
        if reason is None:
            return None
        try:
            reason = workflow.check_reason(reason, signature.reason_for)
        except LabError as exc:
            page.message.error(str(exc))
            return None
    user = page.lab.user
    password = dialogs.ask_password(page, signer=user.full_name,
                                    meaning=signature.meaning, subject=signature.subject)
    if password is None:
        page.message.info(f"Not {signature.verb}: the signature for {signature.subject} "
                          f"was cancelled.")
        return None
    try:
        result = call(reason, password)
    except LabError as exc:
        page.message.error(str(exc))
        return None
    return Signed(result, reason, user.full_name)
