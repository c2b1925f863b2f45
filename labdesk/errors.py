"""Typed errors: every failure a user can cause is one of these.

The UI shows ``str(error)``; the CLI prints it on one line and exits 2.
"""
from __future__ import annotations


class LabError(Exception):
    """Base class of every error LabDesk raises on purpose."""


class ValidationError(LabError):
    """Bad input. ``field`` names what is wrong; ``row`` the line of a file, when any.

    ``problems`` holds every problem found (a packing list reports them all at once);
    each is a dict with ``row``, ``column``, ``value`` and ``message``.
    """

    def __init__(self, message: str, field: str | None = None, row: int | None = None,
                 problems: list[dict] | None = None):
        self.field = field
        self.row = row
        self.problems = problems or [
            {"row": row, "column": field, "value": None, "message": message}]
        super().__init__(message)


class PermissionDenied(LabError):
    """The logged-in user's role or history does not allow this action."""


class StateError(LabError):
    """The record is not in a state that allows this action (locked, not proposed...)."""


class AuthError(LabError):
    """Login or re-authentication failed, or nobody is logged in."""


class IntegrityError(LabError):
    """Stored data does not match what was recorded (hash, chain, missing file)."""


class NotFound(ValidationError):
    """A number or name that names no record."""
