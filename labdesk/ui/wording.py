"""The words the window uses for audit actions: one vocabulary for the Audit page and a
stone's History tab, so the same event is never named two ways."""
from __future__ import annotations

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
