"""Audit: the chain of events (placeholder)."""
from labdesk.ui.views.base import View


class AuditView(View):
    title = "Audit"
