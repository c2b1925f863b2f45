"""Colours live in one place: ``widgets.STYLE`` (selected by object name and dynamic
properties) and ``widgets.TONES`` for what the style sheet cannot reach."""
import re
from pathlib import Path

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

import labdesk.ui
from labdesk.ui import widgets

UI = Path(labdesk.ui.__file__).parent


def test_no_colour_or_style_sheet_outside_widgets():
    found = []
    for path in sorted(UI.rglob("*.py")):
        if path.name == "widgets.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"#[0-9a-fA-F]{6}\b|setStyleSheet\(|QColor\(|Qt\.(gray|darkRed)\b",
                         line):
                found.append(f"{path.relative_to(UI)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


def test_every_tone_the_sheets_name_is_known():
    assert "@" not in widgets.STYLE and "@" not in widgets.RICH_TEXT
    assert set(widgets.OUTCOME_TONES.values()) | set(widgets.STATUS_TONES.values()) <= \
        set(widgets.TONES)


def test_restyle_applies_the_sheet_again_padding_included(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    widgets.apply_style(page)
    label = QLabel("Clear")
    label.setObjectName("Outcome")
    QVBoxLayout(page).addWidget(label)
    page.show()
    plain = label.sizeHint()
    widgets.restyle(label, outcome="clear")
    assert label.property("outcome") == "clear"
    # 14pt and 8px of padding on each side: the label measures itself again
    assert label.sizeHint().height() >= plain.height() + 16
    widgets.restyle(label, outcome="")
    assert label.sizeHint() == plain
