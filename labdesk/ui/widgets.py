"""Widgets every view uses: the style sheet, the message bar, the page header, labelled
form rows, a PDF viewer.

Colours live here only.  A widget that changes colour with its state carries a dynamic
property (``kind``, ``outcome``, ``invalid``…) or an object name the style sheet selects;
``restyle`` sets the property and has the sheet applied again.  Table cells and rich text,
which the sheet cannot reach, take their colour from ``TONES`` by name (``brush``,
``tinted``, ``RICH_TEXT``); plots and painted badges from ``PLOT_TONES`` and ``TONES``
(``colour``)."""
from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QApplication, QFormLayout, QFrame, QHBoxLayout, QLabel,
                               QScrollArea, QSizePolicy, QVBoxLayout, QWidget)

#: Colours by what they mean.
TONES = {
    "ink": "#1d2733",            # text, headings
    "muted": "#5b6775",          # hints, hashes
    "faded": "#a0a0a4",          # what no longer counts (a deactivated user)
    "good": "#14632f", "good_back": "#e2f4e8", "good_line": "#a8d5b9",
    "bad": "#8a1414", "bad_back": "#fde3e3", "bad_line": "#f1b0b0",
    "warn": "#7a5200", "warn_back": "#fff3d6", "warn_line": "#e8cf8f",
    "locked": "#8a5a00",
    # a locked (disabled) field: its text stays readable, 4.5:1 or more on its background
    "locked_field": "#3b4450", "locked_field_back": "#f1f2f4",
    "error": "#8a1c1c", "error_back": "#fde8e8", "problem_back": "#fff7f7",
    "invalid": "#c0392b", "invalid_back": "#fff5f5",
}
#: The tone of each outcome and report status, where a colour says it.
OUTCOME_TONES = {"clear": "good", "insufficient": "warn", "prohibited": "bad"}
STATUS_TONES = {"issued": "good", "revoked": "bad", "superseded": "warn"}
#: The plots' colours (the Dashboard's): series in the Okabe-Ito palette, told apart with
#: every common colour blindness, and the paper and axes they are drawn on.
PLOT_TONES = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermilion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442",
    "paper": "#ffffff",          # a plot's background, its legend's, a marker's outline
    "axis": "#8a94a0",           # axis lines and ticks
}
#: The plot tone of each outcome's series.
OUTCOME_PLOT_TONES = {"clear": "green", "insufficient": "orange", "prohibited": "vermilion"}
#: A sidebar entry's badge (the Review entry's count): its pill and its text.
BADGE_TONES = {"back": "orange", "text": "ink"}

_SHEET = """
QWidget { font-size: 10pt; }
QLabel#PageTitle { font-size: 15pt; font-weight: 600; color: @ink; }
QLabel#DialogTitle { font-size: 14pt; font-weight: 600; }
QLabel#Hint { color: @muted; }
QLabel#Caption { font-weight: 600; }
QLabel#FormError { color: @error; }
QLabel#MessageBar[kind="error"] { background: @error_back; color: @error;
    border: 1px solid @bad_line; border-radius: 4px; }
QLabel#MessageBar[kind="info"] { background: #e7f3ec; color: #1c5b34;
    border: 1px solid @good_line; border-radius: 4px; }
QLabel#Warning { background: @warn_back; color: @warn; border: 1px solid @warn_line;
    border-radius: 4px; padding: 5px 9px; }
QListView#Problems, QListWidget#Problems { color: @bad; background: @problem_back;
    border: 1px solid @bad_line; }
QLabel#ProblemsTitle { color: @bad; font-weight: 600; }
*[invalid="true"] { border: 1px solid @invalid; background: @invalid_back; }
QLabel#Verdict { font-size: 26pt; font-weight: 700; padding: 12px; border-radius: 6px; }
QLabel#Verdict[kind="valid"] { background: @good_back; color: @good; }
QLabel#Verdict[kind="bad"] { background: @bad_back; color: @bad; }
QLabel#Verdict[kind="warn"] { background: @warn_back; color: @warn; }
QLabel#VerdictSummary, QLineEdit#ScanInput { font-size: 12pt; }
QLabel#ClaimFact, QLabel#PackingSummary { font-size: 11pt; }
QListWidget#Navigation { background: @ink; color: #e8edf2; border: none;
    font-size: 11pt; padding-top: 8px; }
QListWidget#Navigation::item { padding: 9px 14px; }
QListWidget#Navigation::item:selected { background: #0f5c8c; color: white; }
QLabel#Locked { color: @locked; font-weight: 600; }
QLineEdit:disabled, QPlainTextEdit:disabled, QTextEdit:disabled, QComboBox:disabled,
QAbstractSpinBox:disabled { color: @locked_field; }
QLineEdit:disabled, QPlainTextEdit:disabled, QAbstractSpinBox:disabled {
    background: @locked_field_back; }
QLabel#Locked[banner="true"] { background: @warn_back; border: 1px solid #f0d08a;
    border-radius: 4px; padding: 6px 10px; }
QFrame#RulesBanner { background: @warn_back; border: 1px solid #e6c36a;
    border-radius: 4px; }
QFrame#RulesBanner QLabel { color: #5e4100; }
QLabel#NewClient { color: @warn; }
QLabel#IntegrityResult { border-radius: 4px; padding: 8px 12px; font-size: 11pt;
    font-weight: 600; }
QLabel#IntegrityResult[kind="ok"] { background: @good_back; color: @good;
    border: 1px solid @good_line; }
QLabel#IntegrityResult[kind="bad"] { background: @bad_back; color: @bad;
    border: 1px solid @bad_line; }
QPlainTextEdit#EventDetails { font-family: monospace; }
QLabel#StoneHeader, QLabel#ReportHeading { font-size: 12pt; }
QLabel#ReportHeading, QLabel#FindingHeading { font-weight: 600; }
QLabel#FindingHeading, QLabel#JurisdictionHeading { font-size: 13pt; }
QLabel#Outcome[outcome="clear"], QLabel#Outcome[outcome="insufficient"],
QLabel#Outcome[outcome="prohibited"] { font-size: 14pt; font-weight: 700; padding: 8px;
    border-radius: 5px; }
QLabel#Outcome[outcome="clear"] { background: @good_back; color: @good; }
QLabel#Outcome[outcome="insufficient"] { background: @warn_back; color: @warn; }
QLabel#Outcome[outcome="prohibited"] { background: @bad_back; color: @bad; }
QLabel#LogoPreview { border: 1px dashed #9aa5b1; background: white; color: @muted; }
QFrame#DashboardTile { background: white; border: 1px solid #d6dbe1; border-radius: 6px; }
QLabel#DashboardFigure { font-size: 20pt; font-weight: 600; color: @ink; border: none; }
QLabel#DashboardCaption { color: @muted; border: none; }
"""
#: The rich text of a text browser: class names for the tones.
_RICH_TEXT = """
.clear { color: @good; } .insufficient { color: @warn; } .prohibited { color: @bad; }
.outcome { font-weight: 600; font-size: 13pt; } .muted { color: @muted; }
.bad { color: @bad; }
"""


def _with_tones(sheet: str) -> str:
    return re.sub(r"@(\w+)", lambda m: TONES[m.group(1)], sheet)


STYLE = _with_tones(_SHEET)
RICH_TEXT = _with_tones(_RICH_TEXT)
_BRUSHES: dict[str, QBrush] = {}


def apply_style(window: QWidget) -> None:
    """Give a top-level window (the main window, a dialog shown before it) the style."""
    window.setStyleSheet(STYLE)


def restyle(widget: QWidget, **properties) -> None:
    """Set dynamic properties the style sheet selects on, and apply the sheet again."""
    changed = False
    for name, value in properties.items():
        if widget.property(name) != value:
            widget.setProperty(name, value)
            changed = True
    if changed:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
        # a frame (a label) measures its padding and border again only on this event
        QApplication.sendEvent(widget, QEvent(QEvent.StyleChange))


def brush(tone: str) -> QBrush:
    """A tone for a table cell's text or background (a model's ForegroundRole)."""
    if tone not in _BRUSHES:
        _BRUSHES[tone] = QBrush(QColor(TONES[tone]))
    return _BRUSHES[tone]


def colour(tone: str, alpha: int = 255) -> QColor:
    """A tone (of ``TONES`` or ``PLOT_TONES``) as a colour, for what paints itself (a
    plot, a delegate); ``alpha`` from 0 (clear) to 255 (opaque)."""
    result = QColor(PLOT_TONES[tone] if tone in PLOT_TONES else TONES[tone])
    result.setAlpha(alpha)
    return result


def tinted(text: str, tone: str) -> str:
    """Rich text (a QLabel's) in a tone: the style sheet does not reach inside it."""
    return f"<span style='color:{TONES[tone]}'>{text}</span>"


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
        restyle(self, kind=kind)
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


class ElidedLabel(QLabel):
    """One line of plain text that takes the width it is given: what does not fit ends
    in "…", and then the whole text is its tooltip.  ``text()`` is the whole text."""

    def __init__(self, text: str = "", parent=None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Preferred)
        self.setText(text)

    def setText(self, text) -> None:
        super().setText(text or "")
        self._tip()

    def shown_text(self) -> str:
        """What is painted: the text, elided to the label's width."""
        return self.fontMetrics().elidedText(self.text(), Qt.ElideRight,
                                             self.contentsRect().width())

    def elided(self) -> bool:
        return self.shown_text() != self.text()

    def _tip(self) -> None:
        self.setToolTip(self.text() if self.elided() else "")

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(self.fontMetrics().horizontalAdvance("Mm…"), hint.height())

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._tip()

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(),
                                  int(self.alignment()) | Qt.TextSingleLine, self.palette(),
                                  self.isEnabled(), self.shown_text(), self.foregroundRole())


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


def labelled(text: str, widget: QWidget, tip: str = "", name: str | None = None) -> QLabel:
    """The label of a field: its buddy is ``widget`` (Alt and the letter after '&' move
    there), which is named after it for assistive technology (or ``name``, where the label
    alone would be ambiguous) and given ``tip``, shown on the label too.  A widget that
    hands its focus to another (a date with a clear button) names that one."""
    target = widget.focusProxy() or widget
    label = QLabel(text)
    label.setBuddy(target)
    target.setAccessibleName(name or plain_label(text))
    if tip:
        widget.setToolTip(tip)
        label.setToolTip(tip)
    return label


def form_row(form: QFormLayout, text: str, field, tip: str = "", name: str | None = None,
             buddy: QWidget | None = None) -> QLabel:
    """Add a row to ``form``: its label, the label's buddy, the accessible name and the
    tooltip at once (``labelled``).  ``field`` may be a layout; ``buddy`` is then the
    widget in it that the label names."""
    label = labelled(text, buddy if buddy is not None else field, tip, name)
    form.addRow(label, field)
    return label


def plain_label(text: str) -> str:
    """A label's words without mnemonic, colon or required mark: '&Kind *:' -> 'Kind'."""
    text = re.sub(r"&(.)", r"\1", text).strip()
    return re.sub(r"\s*\*?\s*:?$", "", text)


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
