"""Typed errors: every failure a user can cause is one of these.

The UI shows ``str(error)``; the CLI prints it on one line and exits 2.
"""
from __future__ import annotations

import errno
import sys
from pathlib import Path


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


class DuplicateIntake(ValidationError):
    """A packing list whose client references the lab already holds for that client.
    ``earlier`` lists each as a dict: ``client_ref``, ``stone``, ``submission``,
    ``received_at``.  Importing anyway takes ``allow_duplicates=True``."""

    def __init__(self, message: str, earlier: list[dict]):
        super().__init__(message, field="client_ref")
        self.earlier = list(earlier)


def storage_error(exc: BaseException, action: str) -> LabError | None:
    """The one clear ``LabError`` for a failure of the disk during ``action`` ("storing
    scan.pdf", "writing the backup"): a full or read-only disk, a folder LabDesk may not
    write to, an I/O error, from the file system or from SQLite.  None for anything else
    (a ``LabError`` already, a bug), which the caller lets through unchanged."""
    if isinstance(exc, LabError):
        return None
    # sqlite3 is looked up, not imported: core uses these errors and holds no database
    # (an error from SQLite means sqlite3 was imported by whoever raised it)
    sqlite3 = sys.modules.get("sqlite3")
    if isinstance(exc, OSError):
        where = f" ({Path(exc.filename).parent})" if exc.filename else ""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            reason = f"the disk is full{where}; free some space and try again"
        elif exc.errno == errno.EROFS:
            reason = f"the disk is read-only{where}; LabDesk cannot write to it"
        elif exc.errno in (errno.EACCES, errno.EPERM):
            reason = f"LabDesk is not allowed to write there{where}"
        elif exc.errno == errno.EIO:
            reason = f"the disk reported an input/output error{where}; check it"
        elif exc.errno == errno.ENAMETOOLONG:
            reason = "the file name is too long for the disk"
        elif exc.errno == errno.EEXIST:
            reason = f"a file of that name is already there{where}; LabDesk never " \
                     f"replaces it"
        else:
            reason = f"{exc.strerror or exc}{where}"
    elif sqlite3 is not None and isinstance(exc, sqlite3.DatabaseError):
        text = str(exc).lower()
        if "full" in text:
            reason = "the disk is full; free some space and try again"
        elif "readonly" in text or "read-only" in text:
            reason = "the disk or folder is read-only; LabDesk cannot write to it"
        elif "disk i/o" in text:
            reason = "the disk reported an input/output error; check it"
        elif "locked" in text or "busy" in text:
            reason = "another LabDesk window is using the lab's database; try again"
        else:
            return None
    else:
        return None
    return LabError(f"{action} failed: {reason}. Nothing was changed.")
