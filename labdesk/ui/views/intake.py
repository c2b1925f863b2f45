"""Intake: a new submission, its stones grid, packing-list import (placeholder)."""
from labdesk.ui.views.base import View


class IntakeView(View):
    title = "Intake"
