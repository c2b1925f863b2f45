"""The window's one vocabulary: times and the names of audit actions.

Every page says a time or an action the same way by asking this module.  It
imports nothing from Qt, so it is tested without a display (``tests/ui/test_wording.py``
also checks that importing it loads no Qt module).

Times are stored in UTC (ISO-8601, ``...Z``); the window shows them in the workstation's
local time with the zone named: ``2026-12-02 14:05 CET``.
"""
from __future__ import annotations

import datetime as dt
import re

# ---------------------------------------------------------------------- times
_STORED_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d[\d:.]*(Z|[+-]\d\d:\d\d)?")
_ABBREVIATION = re.compile(r"[A-Z]{2,5}")


def _moment(value) -> dt.datetime | None:
    """A stored time (text or datetime) as an aware datetime; None when it is not one.
    A time without a zone is UTC, as the lab stores every time."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and _STORED_TIME.fullmatch(value.strip()):
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.timezone.utc)


def zone_name(moment: dt.datetime) -> str:
    """The zone of a local time as people write it: 'CET', 'EDT', 'UTC'; where the system
    knows no short name ('W. Europe Standard Time', '+04'), its offset: 'UTC+04:00'."""
    name = moment.tzname() or ""
    if _ABBREVIATION.fullmatch(name):
        return name
    offset = moment.utcoffset() or dt.timedelta(0)
    if not offset:
        return "UTC"
    sign = "+" if offset > dt.timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def local_time(moment, *, seconds: bool = False, zone: dt.tzinfo | None = None) -> str:
    """A stored time in the workstation's local time, with the zone shown:
    '2026-12-02T13:05:09.4Z' -> '2026-12-02 14:05 CET' (to the second with ``seconds``).
    ``zone`` stands for the workstation's zone (tests).  Nothing for None or blank; a day
    ('2026-12-02') or text that is not a time comes back as it is."""
    when = _moment(moment)
    if when is None:
        return "" if moment is None else str(moment).strip()
    local = when.astimezone(zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M") + \
        " " + zone_name(local)


def local_date(moment, *, zone: dt.tzinfo | None = None) -> str:
    """The workstation's calendar day of a stored time ('2026-12-02'), for a column too
    narrow for the time; its tooltip shows ``local_time``.  A day comes back as it is."""
    when = _moment(moment)
    if when is None:
        return "" if moment is None else str(moment).strip()
    return when.astimezone(zone).date().isoformat()


# ---------------------------------------------------------------------- labels
ACTION_LABELS = {
    "lab.init": "Lab created", "lab.backup": "Backup written",
    "lab.reindex": "Search index rebuilt",
    "settings.set": "Setting changed",
    "user.add": "User added", "user.activate": "User reactivated",
    "user.deactivate": "User deactivated", "user.password": "Password set",
    "key.create": "Signing key created", "key.retire": "Signing key retired",
    "client.add": "Client added", "client.update": "Client changed",
    "submission.receive": "Submission received", "stone.receive": "Stone received",
    "stone.update": "Grading facts changed",
    "stone.proposed": "Sent for review", "stone.rejected": "Returned to the technician",
    "stone.approved": "Approved and locked", "stone.reported": "Reported",
    "stone.received": "Reopened for correction",
    "evidence.add": "Evidence added", "evidence.update": "Evidence changed",
    "attachment.add": "Document attached",
    "finding.propose": "Finding proposed", "finding.approve": "Finding approved",
    "finding.reject": "Finding rejected", "finding.reopen": "Finding reopened",
    "report.issue": "Report issued", "report.revoke": "Report revoked",
    "report.supersede": "Report superseded",
}


def action_label(action: str) -> str:
    """'stone.proposed' -> 'Sent for review'; an unknown action in plain words."""
    if action in ACTION_LABELS:
        return ACTION_LABELS[action]
    return action.replace(".", " ").replace("_", " ").capitalize()
