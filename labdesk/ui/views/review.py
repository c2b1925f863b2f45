"""Review: proposed findings for supervisors (placeholder)."""
from labdesk.ui.views.base import View


class ReviewView(View):
    title = "Review"
