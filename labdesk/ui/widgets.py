"""Widgets every view uses: the message bar, the page header, a PDF viewer."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout,
                               QWidget)

STYLE = """
QWidget { font-size: 10pt; }
QLabel#PageTitle { font-size: 15pt; font-weight: 600; color: #1d2733; }
QLabel#Hint { color: #5b6775; }
QLabel#MessageBar[kind="error"] { background: #fde8e8; color: #8a1c1c;
    border: 1px solid #f1b0b0; border-radius: 4px; }
QLabel#MessageBar[kind="info"] { background: #e7f3ec; color: #1c5b34;
    border: 1px solid #a8d5b9; border-radius: 4px; }
QLabel#Verdict { font-size: 26pt; font-weight: 700; padding: 12px; border-radius: 6px; }
QLabel#Verdict[kind="valid"] { background: #e2f4e8; color: #14632f; }
QLabel#Verdict[kind="bad"] { background: #fde3e3; color: #8a1414; }
QLabel#Verdict[kind="warn"] { background: #fff3d6; color: #7a5200; }
QListWidget#Navigation { background: #1d2733; color: #e8edf2; border: none;
    font-size: 11pt; padding-top: 8px; }
QListWidget#Navigation::item { padding: 9px 14px; }
QListWidget#Navigation::item:selected { background: #0f5c8c; color: white; }
QLabel#Locked { color: #8a5a00; font-weight: 600; }
QFrame#RulesBanner { background: #fff3d6; border: 1px solid #e6c36a; border-radius: 4px; }
QFrame#RulesBanner QLabel { color: #5e4100; }
"""


class MessageBar(QLabel):
    """One line above a view: what went wrong (red) or what was done (green)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.setMargin(7)  # inside the border; counted in the size hint, unlike padding
        self.setWordWrap(True)
        self.setAccessibleName("Message")
        self.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.hide()

    def _show(self, kind: str, text: str):
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.setText(text)
        self.show()

    def error(self, text: str):
        self._show("error", text)

    def info(self, text: str):
        self._show("info", text)

    def clear_message(self):
        self.setText("")
        self.hide()

    @property
    def kind(self) -> str | None:
        return self.property("kind") if self.isVisible() else None


def page_title(text: str, hint: str = "") -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 4)
    title = QLabel(text)
    title.setObjectName("PageTitle")
    layout.addWidget(title)
    if hint:
        label = QLabel(hint)
        label.setObjectName("Hint")
        label.setWordWrap(True)
        layout.addWidget(label)
    return box


class PdfView(QScrollArea):
    """A PDF's pages rendered with pdfium, one under the other."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setAccessibleName("PDF preview")
        self._inner = QWidget()
        self._layout = QVBoxLayout(self._inner)
        self._layout.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.setWidget(self._inner)
        self.pages = 0

    def clear(self):
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.pages = 0

    def load(self, path, width: int = 640):
        import pypdfium2 as pdfium
        self.clear()
        document = pdfium.PdfDocument(str(path))
        try:
            for index in range(min(len(document), 50)):
                page = document[index]
                scale = width / page.get_width()
                image = page.render(scale=scale).to_pil().convert("RGB")
                data = image.tobytes("raw", "RGB")
                qimage = QImage(data, image.width, image.height, 3 * image.width,
                                QImage.Format_RGB888).copy()
                label = QLabel()
                label.setPixmap(QPixmap.fromImage(qimage))
                label.setFrameShape(QFrame.Box)
                label.setAccessibleName(f"Page {index + 1}")
                self._layout.addWidget(label)
                self.pages += 1
        finally:
            document.close()


def hbox(*widgets, stretch_last=False) -> QHBoxLayout:
    layout = QHBoxLayout()
    for w in widgets:
        if w is None:
            layout.addStretch(1)
        elif isinstance(w, QWidget):
            layout.addWidget(w)
        else:
            layout.addLayout(w)
    if stretch_last:
        layout.addStretch(1)
    return layout
