"""The form for one piece of origin evidence: its kind decides its fields
(``labdesk.core.evidence.KIND_FIELDS``), each labelled in words (``FIELD_LABELS``).

Dates may be left empty ("not stated"); countries are ISO codes separated by commas; the
System of Warranties statement is a check box.  ``Lab`` checks every value and names the
field it refuses; the form marks that field and the page's message bar says why.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QPushButton, QToolButton,
                               QVBoxLayout, QWidget)

from labdesk.core.countries import country_name
from labdesk.core.evidence import (COUNTRY_LISTS, FIELD_LABELS, KIND_FIELDS, KINDS, REQUIRED,
                                   kind_label)
from labdesk.errors import LabError, ValidationError
from labdesk.ui.widgets import form_row, restyle
from labdesk.ui.wording import local_time

DATE_FIELDS = ("issued_on", "expires_on", "outside_russia_since")
COUNTRY_LIST_FIELDS = COUNTRY_LISTS
PLACEHOLDERS = {
    "reference": "as printed on the document", "issuing_country": "ISO code, e.g. BW",
    "origin_countries": "ISO codes separated by commas, e.g. BW, ZA",
    "transit_countries": "ISO codes separated by commas, e.g. AE, BE",
    "processing_countries": "where it was cut and polished, e.g. IN",
    "weight": "carats, e.g. 12.519", "value_usd": "dollars, e.g. 185000.00",
    "parcels": "a whole number", "hs_code": "e.g. 7102.10",
    "platform": "Tracr, Everledger, Sarine…",
}
EMPTY_DATE = QDate(1900, 1, 1)


class OptionalDateEdit(QWidget):
    """A date that may be "not stated": a date edit (with a calendar) and a clear button.
    Clicking or typing into an empty one starts from today.  Its form row names the date
    edit (the focus proxy); ``name`` names the clear button."""

    changed = Signal()

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setMinimumDate(EMPTY_DATE)
        self.edit.setSpecialValueText("not stated")
        self.edit.setDate(EMPTY_DATE)
        self.edit.installEventFilter(self)
        self.edit.dateChanged.connect(lambda _: self.changed.emit())
        self.clear_button = QToolButton()
        self.clear_button.setText("✕")
        self.clear_button.setAccessibleName(f"Clear {name.lower()}")
        self.clear_button.setToolTip(f"Clear {name.lower()} (not stated)")
        self.clear_button.clicked.connect(lambda: self.set_value(None))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.clear_button)
        self.setFocusProxy(self.edit)

    def eventFilter(self, watched, event):
        if watched is self.edit and self.edit.date() == EMPTY_DATE:
            starts = event.type() == QEvent.MouseButtonPress or (
                event.type() == QEvent.KeyPress
                and event.key() not in (Qt.Key_Tab, Qt.Key_Backtab, Qt.Key_Escape,
                                        Qt.Key_Return, Qt.Key_Enter))
            if starts:
                self.edit.setDate(QDate.currentDate())
        return super().eventFilter(watched, event)

    def value(self) -> dt.date | None:
        date = self.edit.date()
        return None if date == EMPTY_DATE else date.toPython()

    def set_value(self, value) -> None:
        if value in (None, ""):
            self.edit.setDate(EMPTY_DATE)
            return
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        self.edit.setDate(QDate(value.year, value.month, value.day))


class EvidenceForm(QWidget):
    """New evidence (kind and target chosen here) or the fields of existing evidence.

    ``view`` is the page (its message bar).  ``saved(evidence)`` after a save.
    """

    saved = Signal(object)

    def __init__(self, lab, view, parent=None):
        super().__init__(parent)
        self.lab = lab
        self.view = view
        self.evidence = None            # the Evidence edited, or None for new evidence
        self.stone = None
        self.blocked_stone: str | None = None
        self.blocked_parcel: str | None = None
        self.widgets: dict[str, QWidget] = {}
        self._initial: dict = {}

        self.heading = QLabel("New evidence")
        self.heading.setObjectName("Caption")
        self.heading.setWordWrap(True)
        self.kind = QComboBox()
        for key, words in KINDS.items():
            self.kind.addItem(words, key)
        self.kind.currentIndexChanged.connect(lambda _: self._kind_changed())
        self.target = QComboBox()
        self.target.currentIndexChanged.connect(lambda _: self.update_buttons())
        self.why = QLabel()
        self.why.setObjectName("Hint")
        self.why.setWordWrap(True)
        self.why.setAccessibleName("Why the evidence is read only")
        self.why.hide()
        self.fields_box = QWidget()
        self.fields = QFormLayout(self.fields_box)
        self.fields.setContentsMargins(0, 0, 0, 0)
        self.fields.setLabelAlignment(Qt.AlignRight)
        self.fields.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        self.save_button = QPushButton("Add evidence")
        self.save_button.setAccessibleName("Save evidence")
        self.save_button.clicked.connect(self.save)
        self.save_button.setDefault(False)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setAccessibleName("Reset the evidence form")
        self.reset_button.setToolTip("Discard what was typed into this form")
        self.reset_button.clicked.connect(self.reset)

        head = QFormLayout()
        head.setLabelAlignment(Qt.AlignRight)
        head.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form_row(head, "Kind", self.kind, name="Evidence kind")
        form_row(head, "Covers", self.target, name="Evidence covers")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.why)
        layout.addLayout(head)
        layout.addWidget(self.fields_box)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self._build_fields(self.kind.currentData())

    # ------------------------------------------------------------------ setting up
    def set_stone(self, stone, blocked_stone: str | None,
                  blocked_parcel: str | None) -> None:
        """The stone the page shows; why its own or its parcel's evidence may not change
        (the Lab's sentences, from ``StoneDetail.actions``)."""
        self.stone = stone
        self.blocked_stone, self.blocked_parcel = blocked_stone, blocked_parcel
        current = self.target.currentData()
        self.target.blockSignals(True)
        self.target.clear()
        self.target.addItem(f"This stone ({stone.number})", stone.number)
        self.target.addItem(f"The parcel {stone.submission} (all its stones)",
                            stone.submission)
        index = self.target.findData(current)
        self.target.setCurrentIndex(max(index, 0))
        self.target.blockSignals(False)

    def new(self, kind: str | None = None) -> None:
        """An empty form for new evidence."""
        self.evidence = None
        self.heading.setText("New evidence: choose its kind and what it covers, fill in "
                             "what the document says, then add it.")
        self.kind.setEnabled(True)
        self.target.setEnabled(True)
        self.kind.blockSignals(True)
        if kind is not None:
            self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
        self.kind.blockSignals(False)
        self._build_fields(self.kind.currentData())
        self.save_button.setText("Add evidence")
        self.update_buttons()

    def edit(self, evidence) -> None:
        """The fields of ``evidence``, editable unless it is locked or frozen.  Shown
        again (after the page re-read the lab), it keeps what was typed and not saved."""
        same = self.evidence is not None and self.evidence.id == evidence.id
        typed = self.changes() if same else {}
        self.evidence = evidence
        where = "this stone" if evidence.level == "stone" else \
            f"the parcel {evidence.target}"
        self.heading.setText(f"{kind_label(evidence.kind)} on {where}, recorded by "
                             f"{evidence.created_by} on {local_time(evidence.created_at)}")
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(max(self.kind.findData(evidence.kind), 0))
        self.kind.blockSignals(False)
        self.kind.setEnabled(False)
        self.target.blockSignals(True)
        self.target.setCurrentIndex(0 if evidence.level == "stone" else 1)
        self.target.blockSignals(False)
        self.target.setEnabled(False)
        self._build_fields(evidence.kind, evidence.fields)
        for name, value in typed.items():
            if name in self.widgets:
                self._set_raw(name, value)
        self.save_button.setText("Save evidence")
        self.update_buttons()

    def reset(self) -> None:
        if self.evidence is None:
            self.new()
        else:
            self.edit(self.evidence)
        self.view.message.clear_message()

    def _kind_changed(self) -> None:
        if self.evidence is None:
            typed = {k: v for k, v in self.values().items() if v not in (None, "", False)}
            self._build_fields(self.kind.currentData(), keep=typed)
            self.update_buttons()

    def _build_fields(self, kind: str, values: dict | None = None,
                      keep: dict | None = None) -> None:
        while self.fields.rowCount():
            self.fields.removeRow(0)
        self.widgets = {}
        names = [n for n in KIND_FIELDS[kind] if n != "notes"] + ["notes"]
        for name in names:
            label = FIELD_LABELS[name]
            widget = self._widget(name, label)
            self.widgets[name] = widget
            text = label + (" *" if name in REQUIRED.get(kind, ()) else "")
            form_row(self.fields, text, widget)
        for name, value in (values or {}).items():
            if name in self.widgets:
                self._set(name, value)
        for name, value in (keep or {}).items():
            if name in self.widgets:
                self._set_raw(name, value)
        self._initial = self.values()

    def _widget(self, name: str, label: str) -> QWidget:
        if name in DATE_FIELDS:
            widget = OptionalDateEdit(label)
            widget.changed.connect(self.update_buttons)
        elif name == "sow_statement":
            widget = QCheckBox("present on the document")
            widget.toggled.connect(lambda _: self.update_buttons())
        elif name == "origin_type":
            widget = QComboBox()
            widget.addItem("not stated", None)
            widget.addItem("Single origin (one country named)", "single")
            widget.addItem("Mixed origin", "mixed")
            widget.currentIndexChanged.connect(lambda _: self.update_buttons())
        elif name == "notes":
            widget = QPlainTextEdit()
            widget.setTabChangesFocus(True)
            widget.setFixedHeight(64)
            widget.textChanged.connect(self.update_buttons)
        else:
            widget = QLineEdit()
            widget.setPlaceholderText(PLACEHOLDERS.get(name, ""))
            widget.textChanged.connect(lambda _: self.update_buttons())
            if name in ("issuing_country", *COUNTRY_LIST_FIELDS):
                widget.textChanged.connect(lambda text, w=widget: _country_tip(w, text))
        return widget

    # ------------------------------------------------------------------ values
    def _set(self, name: str, value) -> None:
        """Show a stored value (in the facade's terms) in its widget."""
        if name in COUNTRY_LIST_FIELDS:
            value = ", ".join(value or ())
        self._set_raw(name, value)

    def _set_raw(self, name: str, value) -> None:
        widget = self.widgets[name]
        if isinstance(widget, OptionalDateEdit):
            widget.set_value(value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(widget.findData(value), 0))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText("" if value is None else str(value))
        else:
            widget.setText("" if value is None else str(value))

    def values(self) -> dict:
        """What the form holds now: text, a date or None, a bool, a choice."""
        out = {}
        for name, widget in self.widgets.items():
            if isinstance(widget, OptionalDateEdit):
                out[name] = widget.value()
            elif isinstance(widget, QCheckBox):
                out[name] = widget.isChecked()
            elif isinstance(widget, QComboBox):
                out[name] = widget.currentData()
            elif isinstance(widget, QPlainTextEdit):
                out[name] = widget.toPlainText().strip()
            else:
                out[name] = widget.text().strip()
        return out

    def changes(self) -> dict:
        now = self.values()
        return {k: v for k, v in now.items() if v != self._initial.get(k)}

    def blocked(self) -> str | None:
        """Why this evidence may not be saved now, or None."""
        if self.stone is None:
            return "Open a stone first."
        if self.evidence is not None:
            if self.evidence.level == "stone":
                return self.blocked_stone
            return self.blocked_parcel
        return self.blocked_stone if self.target.currentIndex() == 0 else \
            self.blocked_parcel

    def update_buttons(self) -> None:
        why = self.blocked()
        editable = why is None
        self.why.setText("Read only. " + (why or ""))
        self.why.setVisible(not editable)
        for name, widget in self.widgets.items():
            widget.setEnabled(editable)
            if isinstance(widget, QLineEdit):   # no hints in a read-only form
                widget.setPlaceholderText(PLACEHOLDERS.get(name, "") if editable else "")
        self.reset_button.setEnabled(editable)
        if self.evidence is None:
            self.save_button.setEnabled(editable)
            self.save_button.setToolTip("Add this evidence (Ctrl+S)" if editable else why)
        else:
            dirty = bool(self.changes())
            self.save_button.setEnabled(editable and dirty)
            self.save_button.setToolTip(why if not editable else
                                        "Save the changed fields (Ctrl+S)" if dirty else
                                        "Nothing to save: no field changed")

    # ------------------------------------------------------------------ saving
    def save(self):
        """Add or update the evidence through ``Lab``; the saved Evidence, or None."""
        why = self.blocked()
        if why is not None:
            self.view.message.error(why)
            return None
        self._mark_invalid(())
        if self.evidence is None:
            kind = self.kind.currentData()
            fields = {k: _wire(k, v) for k, v in self.values().items()
                      if v not in (None, "", False) or (k == "sow_statement"
                                                         and kind == "sow_invoice")}
            call = (self.lab.add_evidence, self.target.currentData(), kind)
        else:
            fields = {k: _wire(k, v) for k, v in self.changes().items()}
            if not fields:
                self.view.message.info("Nothing to save: no field changed.")
                return None
            call = (self.lab.update_evidence, self.evidence.id)
        try:
            saved = call[0](*call[1:], **fields)
        except ValidationError as exc:
            self._mark_invalid([p.get("column") for p in exc.problems])
            self.view.message.error(_with_labels(str(exc), exc))
            return None
        except LabError as exc:
            self.view.message.error(str(exc))
            return None
        self._initial = self.values()   # saved: nothing is pending any more
        what = kind_label(saved.kind) + (f" {saved.reference}" if saved.reference else "")
        where = "this stone" if saved.level == "stone" else f"parcel {saved.target}"
        verb = "added" if self.evidence is None else "saved"
        self.view.message.info(f"{what} {verb} ({where}).")
        self.saved.emit(saved)
        return saved

    def _mark_invalid(self, names) -> None:
        first = None
        for name, widget in self.widgets.items():
            bad = name in names
            target = widget.edit if isinstance(widget, OptionalDateEdit) else widget
            restyle(target, invalid=bad)
            if bad and first is None:
                first = target
        if first is not None:
            first.setFocus()


def _wire(name: str, value):
    """A form value as the facade takes it."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "" and name in DATE_FIELDS:
        return None
    return value


def _with_labels(message: str, exc: ValidationError) -> str:
    """'issued_on: ...' -> 'Issued on (issued_on): ...' for the first problem's field."""
    field = exc.field
    if field and field in FIELD_LABELS and message.startswith(f"{field}:"):
        return f"{FIELD_LABELS[field]} ({field}):" + message[len(field) + 1:]
    return message


def _country_tip(widget: QLineEdit, text: str) -> None:
    names = []
    for code in text.replace(";", ",").split(","):
        code = code.strip().upper()
        if code:
            name = country_name(code)
            names.append(f"{code}: {name}" if name != code else f"{code}: unknown code")
    widget.setToolTip("; ".join(names))
