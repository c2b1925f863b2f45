"""The window at its smallest, 1100x700 (issue 16, item 11): what does not fit is elided
with its whole text in a tooltip, columns and panes take what they need, and a locked
stone's fields stay readable (text contrast 4.5:1 or more)."""
from collections import Counter

import pytest
from click.testing import CliRunner
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit

from labdesk.cli import main
from labdesk.ui.widgets import ElidedLabel
from ui_helpers import login

SMALL = (1100, 700)


def _luminance(colour: QColor) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    return (0.2126 * channel(colour.red()) + 0.7152 * channel(colour.green())
            + 0.0722 * channel(colour.blue()))


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_ratio_is_wcags():
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21)
    assert contrast(QColor("#777777"), QColor("white")) == pytest.approx(4.48, abs=0.01)


def test_a_locked_stones_fields_are_readable(window, lab, qtbot):
    win = window("sue", size=SMALL)
    stone = lab.stones(state="reported", limit=1).items[0]
    win.open_stone(stone.number)
    view = win.stone_view
    assert view.blocked_facts                           # locked: read only
    checked = 0
    for name, widget in view.facts.items():
        if not widget.isVisible():
            continue
        assert not widget.isEnabled(), name
        palette = widget.palette()
        if isinstance(widget, QComboBox):
            text, back = QPalette.ButtonText, QPalette.Button
        else:
            text, back = QPalette.Text, QPalette.Base
        ratio = contrast(palette.color(QPalette.Disabled, text),
                         palette.color(QPalette.Disabled, back))
        assert ratio >= 4.5, f"{name}: {ratio:.2f}:1"
        checked += 1
    assert checked >= 10
    # and as drawn: the darkest text of a locked field on its own background
    field = view.facts["measurements"]
    assert isinstance(field, QLineEdit) and field.text()
    image = field.grab().toImage().convertToFormat(QImage.Format_RGB32)
    pixels = Counter(image.pixel(x, y) for x in range(image.width())
                     for y in range(image.height()))
    background = QColor.fromRgb(pixels.most_common(1)[0][0])
    inside = field.rect().adjusted(4, 4, -4, -4)        # the text, not the frame
    darkest = max(contrast(QColor.fromRgb(image.pixel(x, y)), background)
                  for x in range(inside.left(), inside.right())
                  for y in range(inside.top(), inside.bottom()))
    assert darkest >= 4.5, f"drawn text contrast {darkest:.2f}:1"
    notes = view.facts["notes"]
    assert isinstance(notes, QPlainTextEdit)


def test_a_locked_stones_facts_fit_without_scrolling_sideways(window, lab, qtbot):
    win = window("sue", size=SMALL)
    win.open_stone(lab.stones(state="reported", limit=1).items[0].number)
    view = win.stone_view
    view.tabs.setCurrentIndex(0)
    scroll = view.tabs.currentWidget()
    qtbot.waitUntil(lambda: scroll.viewport().width() > 0)
    assert scroll.horizontalScrollBar().maximum() == 0
    right = scroll.viewport().mapToGlobal(scroll.viewport().rect().topRight()).x()
    for name, widget in view.facts.items():
        if widget.isVisible():
            edge = widget.mapToGlobal(widget.rect().topRight()).x()
            assert edge <= right, f"{name} is cut off at the right"
    assert view.save_button.mapToGlobal(view.save_button.rect().topRight()).x() <= right


def test_review_elides_with_the_whole_text_in_a_tooltip(window, lab, qtbot):
    long_client = "Société Anonyme des Diamantaires Réunis d'Anvers et de Ramat Gan NV"
    login(lab, "tom")
    sub = lab.receive(long_client, [{"weight": "0.50", "client_ref": "SADR-1",
                                     "identification": "natural",
                                     "measurements": "5.01 - 5.05 x 3.10"}])
    number = sub.stones[0].number
    lab.add_evidence(number, "kp_certificate", reference="BW-LONG-1",
                     issuer="Botswana Kimberley Process Authority, Ministry of Minerals "
                            "and Energy, Gaborone", issuing_country="BW",
                     origin_countries=["BW"])
    lab.propose_finding(number, "non_russian", mining_country="BW",
                        statement="Single-origin KP certificate.")
    win = window("sue", size=SMALL)
    view = win.show_page("review")
    row = next(i for i in range(view.queue.count())
               if view.queue.item(i).data(Qt.UserRole) == number)
    view.queue.setCurrentRow(row)
    qtbot.waitUntil(lambda: view.finding is not None and view.finding.stone == number)
    client = view.stone_facts["Client"]
    assert isinstance(client, ElidedLabel)
    assert client.text() == long_client
    qtbot.waitUntil(lambda: client.width() > 0)
    assert client.elided()                                   # too long for 1100 px
    assert client.shown_text().endswith("…")
    assert client.toolTip() == long_client
    # what fits is shown whole, with no tooltip to hover for
    measurements = view.stone_facts["Measurements"]
    assert measurements.text() == "5.01 - 5.05 x 3.10 mm"
    assert not measurements.elided() and measurements.toolTip() == ""
    for label in view.stone_facts.values():
        assert label.geometry().right() <= view.stone_box.contentsRect().right()
    # the queue elides its lines; each item's tooltip says it whole
    assert view.queue.textElideMode() == Qt.ElideRight
    item = view.queue.item(row)
    assert number in item.toolTip() and "Sue" not in item.toolTip()
    assert "Not of Russian origin" in item.toolTip()
    # the issuer's name: elided in its column, whole in the tooltip
    issuer = next(view.evidence.topLevelItem(i).child(j)
                  for i in range(view.evidence.topLevelItemCount())
                  for j in range(view.evidence.topLevelItem(i).childCount())
                  if view.evidence.topLevelItem(i).child(j).text(0) == "Issuer")
    assert issuer.toolTip(1) == issuer.text(1) and issuer.text(1).startswith("Botswana")


def test_reports_columns_all_fit_at_1100(window, lab, qtbot):
    win = window("sue", size=SMALL)
    view = win.show_page("reports")
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    table = view.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    header = table.horizontalHeader()
    right = table.viewport().width()
    for column in range(view.model.columnCount()):
        edge = header.sectionViewportPosition(column) + header.sectionSize(column)
        assert edge <= right + 1, f"column {column} clipped: {edge} > {right}"
    assert table.horizontalScrollBar().maximum() == 0
    # the note column elides; its tooltip holds the whole note
    revoked = next(r for r in range(view.model.rowCount())
                   if view.model.rows[r].status == "revoked")
    index = view.model.index(revoked, view.model.columnCount() - 1)
    assert view.model.data(index, Qt.ToolTipRole) == view.model.data(index)
    # the preview has the rest of the page
    assert view.preview.width() >= 250


@pytest.mark.slow
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_screenshots_at_several_sizes(qtbot, tmp_path, demo_template):
    out = tmp_path / "shots"
    result = CliRunner().invoke(main, ["screenshots", str(out), "--size", "1100x700",
                                       "--size", "1920x1080", "--demo-home",
                                       str(demo_template)])
    assert result.exit_code == 0, result.output
    for size in ((1100, 700), (1920, 1080)):
        folder = out / f"{size[0]}x{size[1]}"
        names = {p.stem for p in folder.glob("*.png")}
        assert {"review", "reports", "stones", "stone", "find-results",
                "keyboard-shortcuts", "reports-ready-to-issue"} <= names
        for page in ("review", "reports", "stones", "stone"):
            image = QImage(str(folder / f"{page}.png"))
            assert (image.width(), image.height()) == size, (page, size)
