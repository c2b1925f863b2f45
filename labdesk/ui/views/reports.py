"""Reports: issued reports (placeholder)."""
from labdesk.ui.views.base import View


class ReportsView(View):
    title = "Reports"

    def select_report(self, number: str) -> None:
        self.message.info(number)
