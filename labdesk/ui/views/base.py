"""What every page of the main window shares."""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from labdesk.errors import LabError
from labdesk.ui.widgets import MessageBar, page_title


class View(QWidget):
    """A page: a title, a message bar, and its content.  ``refresh()`` re-reads what it
    shows from ``Lab``; ``act(fn)`` calls the facade and shows a ``LabError``'s message
    instead of raising it."""

    title = ""
    hint = ""

    def __init__(self, lab, window):
        super().__init__()
        self.lab = lab
        self.window_ = window
        self.setAccessibleName(self.title)
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(18, 14, 18, 14)
        self.outer.addWidget(page_title(self.title, self.hint))
        self.message = MessageBar()
        self.outer.addWidget(self.message)

    def refresh(self) -> None:
        """Re-read from the lab (called when the page is shown)."""

    def act(self, fn, *args, success: str | None = None, **kwargs):
        """Call ``fn``; on a ``LabError`` show its message and return None."""
        try:
            result = fn(*args, **kwargs)
        except LabError as exc:
            self.message.error(str(exc))
            return None
        if success:
            self.message.info(success)
        else:
            self.message.clear_message()
        return result
