"""One stone: facts, evidence, documents, assessment, finding, history (placeholder)."""
from labdesk.ui.views.base import View


class StoneView(View):
    title = "Stone"

    def show_stone(self, number: str) -> None:
        self.number = number
        self.message.info(number)
