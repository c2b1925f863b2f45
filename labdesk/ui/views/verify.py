"""Verify: check a scanned or pasted token (placeholder)."""
from labdesk.ui.views.base import View


class VerifyView(View):
    title = "Verify"

    def verify_text(self, text: str) -> None:
        self.message.info(text)
