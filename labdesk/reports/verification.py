"""Verifying a token without a lab: a retailer's copy of the lab's public keys and,
when they have it, the lab's signed revocation list."""
from __future__ import annotations

from labdesk.core.records import Verification
from labdesk.reports import claims


def verify_offline(text, public_keys: dict, revocations: str | None = None) -> Verification:
    """Check ``text`` against ``public_keys``; with ``revocations`` (the LDR1 text) also
    whether the lab withdrew the report.  Never raises."""
    parsed = claims.check_token(text, public_keys)
    number = parsed.claim.get("n") if parsed.claim else None
    if not parsed.valid:
        return Verification(valid=False, status=parsed.status, claim=parsed.claim,
                            problems=tuple(parsed.problems), report=number)
    if revocations is None:
        return Verification(valid=True, status="valid", claim=parsed.claim, report=number,
                            problems=("revocation was not checked: no revocation list "
                                      "was given",), revocations_checked=False)
    body = claims.check_revocations(revocations, public_keys)
    if body is None:
        return Verification(valid=True, status="valid", claim=parsed.claim, report=number,
                            problems=("revocation was not checked: the revocation list "
                                      "is not signed by this lab's key or is damaged",),
                            revocations_checked=False)
    superseded = body.get("superseded") or {}
    if number in superseded:
        successor = superseded[number]
        return Verification(valid=False, status="superseded", claim=parsed.claim,
                            report=number, successor=successor,
                            problems=(f"report {number} was superseded" +
                                      (f" by {successor}" if successor else "") +
                                      f" (list of {body.get('at')})",))
    if number in body["revoked"]:
        return Verification(valid=False, status="revoked", claim=parsed.claim,
                            report=number, problems=(f"report {number} was revoked (list "
                                                     f"of {body.get('at')})",))
    return Verification(valid=True, status="valid", claim=parsed.claim, report=number)
