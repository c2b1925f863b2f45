"""``widgets.form_row`` and ``widgets.labelled``: a row's label, its buddy, the field's
accessible name and its tooltip, set at once."""
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QWidget

from labdesk.ui.views.evidence_form import OptionalDateEdit
from labdesk.ui.widgets import form_row, labelled, plain_label
from labdesk.ui.wording import STONE_FIELD_LABELS


def test_a_form_row_names_its_field(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    form = QFormLayout(page)
    edit = QLineEdit()
    label = form_row(form, "Report &prefix", edit, "1 to 6 letters")
    assert form.labelForField(edit) is label and label.buddy() is edit
    assert edit.accessibleName() == "Report prefix"
    assert edit.toolTip() == label.toolTip() == "1 to 6 letters"
    # a name where the label alone would be ambiguous
    other = QLineEdit()
    form_row(form, "Password", other, name="New user's password")
    assert other.accessibleName() == "New user's password"


def test_a_row_holding_a_layout_names_the_widget_given(qtbot):
    page = QWidget()
    qtbot.addWidget(page)
    form = QFormLayout(page)
    code, hint = QLineEdit(), QLabel("Botswana")
    row = QHBoxLayout()
    row.addWidget(code)
    row.addWidget(hint)
    label = form_row(form, "Mining country", row, buddy=code)
    assert label.buddy() is code and code.accessibleName() == "Mining country"


def test_a_widget_with_a_focus_proxy_is_named_through_it(qtbot):
    date = OptionalDateEdit("Issued on")
    qtbot.addWidget(date)
    label = labelled("Issued on *", date)
    assert label.buddy() is date.edit and date.edit.accessibleName() == "Issued on"
    assert date.clear_button.accessibleName() == "Clear issued on"


def test_plain_label():
    assert plain_label("&Kind *") == "Kind"
    assert plain_label("Carat weight:") == "Carat weight"
    assert plain_label("Declared &weight (ct)") == "Declared weight (ct)"
    assert plain_label("Tom && Jerry") == "Tom & Jerry"


def test_the_stone_page_names_every_fact_after_its_row(window, lab):
    win = window("tom")
    win.open_stone(lab.stones(limit=1).items[0].number)
    facts = win.stone_view.facts
    for name, widget in facts.items():
        assert widget.accessibleName() == STONE_FIELD_LABELS[name]
    labels = {label.buddy(): label for label in win.stone_view.findChildren(QLabel)
              if label.buddy() is not None}
    assert set(facts.values()) <= set(labels)
    assert "jewellery" in labels[facts["mounted"]].toolTip()
