"""One stone: its grading facts, its origin evidence and their documents, the origin
assessment under every jurisdiction, its findings, and its history.

Grading facts and evidence are editable until the stone's finding is proposed (frozen
while a supervisor reviews it) and again after a rejection; once approved the stone is
locked and only a supervisor's reopening (a signature, with a reason) unlocks it.
``Lab`` decides what the logged-in user may do with the stone (``StoneDetail.actions``):
the page greys out what may not be done and shows the Lab's sentence why, in each disabled
button's tooltip.
"""
from __future__ import annotations

from PySide6.QtCore import QDate, Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDateEdit,
                               QDialog, QDialogButtonBox,
                               QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton,
                               QScrollArea, QSplitter, QTableWidget, QTableWidgetItem,
                               QTabWidget, QTextBrowser, QVBoxLayout, QWidget)

from labdesk.core import grading, voids
from labdesk.core.countries import country_name
from labdesk.core.evidence import kind_label
from labdesk.core.permissions import Permission
from labdesk.core.stones import STONE_FIELDS, check_consistency
from labdesk.errors import LabError, ValidationError
from labdesk.ui import shortcuts, signing
from labdesk.ui.signing import Signature
from labdesk.ui.wording import (ORIGIN_CHOICES, STONE_FIELD_LABELS, People, custody_words,
                                describe_event, escape, local_date, local_time,
                                outcome_words, sentence, plural, value_words)
from labdesk.ui.views.base import View
from labdesk.ui.widgets import brush, form_row, hbox, labelled, restyle
from labdesk.ui.views.exporting import CompliancePackButton
from labdesk.ui.views.documents import DocumentsPanel
from labdesk.ui.views.evidence_form import EvidenceForm

FACT_SCALES = {
    "shape": grading.SHAPES, "clarity": grading.CLARITIES, "cut": grading.FINISH_GRADES,
    "polish": grading.FINISH_GRADES, "symmetry": grading.FINISH_GRADES,
    "fluorescence": grading.FLUORESCENCE, "identification": grading.IDENTIFICATIONS,
    "growth_method": grading.GROWTH_METHODS,
}
FACT_PLACEHOLDERS = {
    "client_ref": "the client's own stock number", "weight": "carats, e.g. 1.234",
    "colour": "D to Z, a range such as O-P, or a fancy colour in words",
    "measurements": "round: min - max x depth; others: L x W x D",
    "inscription": "as laser-inscribed on the girdle",
}
LEFT_FACTS = ("client_ref", "weight", "shape", "colour", "clarity", "measurements",
              "inscription", "earlier_lab", "earlier_report")
RIGHT_FACTS = ("cut", "polish", "symmetry", "fluorescence", "identification",
               "growth_method", "mounted", "declared_origin")
FACT_TIPS = {"mounted": "Mounted stones are assessed under the jewellery provisions of "
                        "each jurisdiction, not as loose stones",
             "earlier_lab": "The lab that graded the stone before, as the client's list "
                            "says; printed on the report as the earlier report",
             "earlier_report": "The earlier grading report's number, as the client's "
                               "list says; the search box finds the stone by it",
             "declared_origin": "The origin the client declares: their word, shown beside "
                                "the evidence and never counted as evidence by the rules"}


def declared_words(stone) -> str:
    """What the client's list declares about the stone, beside its evidence: the origin
    and the earlier grading report, the client's word and never evidence ('' when it
    declares nothing)."""
    parts = []
    if stone.declared_origin:
        parts.append(f"origin {declared_origin_words(stone.declared_origin)}")
    if stone.earlier_lab or stone.earlier_report:
        parts.append("earlier report " + " ".join(
            p for p in (stone.earlier_lab, stone.earlier_report) if p))
    if not parts:
        return ""
    return ("Declared by the client (not evidence; the rules do not count it): "
            + "; ".join(parts) + ".")


def declared_origin_words(text: str) -> str:
    """'BW' -> 'Botswana (BW)', 'BW, NA' alike; any other text as the client wrote it."""
    from labdesk.core.countries import country_name, parse_countries
    from labdesk.errors import ValidationError
    try:
        codes = parse_countries(text.replace("/", ","))
    except ValidationError:
        return text
    return ", ".join(f"{country_name(c)} ({c})" for c in codes) or text


def no_growth_method(identification) -> str | None:
    """Why a stone identified as ``identification`` takes no growth method, or None.  The
    rule is core's (``stones.check_consistency``, which ``Lab`` applies on saving): asked
    here for each growth method, never copied."""
    refused = None
    for method in grading.GROWTH_METHODS:
        try:
            check_consistency({"identification": identification, "growth_method": method})
        except ValidationError as exc:
            refused = str(exc).removeprefix(f"{exc.field}: ").replace(f" ({method})", "")
        else:
            return None
    return sentence(refused) if refused else None


class ReturnDialog(QDialog):
    """Who collects the stone, the identity document seen, a note, and any other stones
    handed over on the same receipt."""

    def __init__(self, parent: QWidget | None, number: str):
        super().__init__(parent)
        self.setWindowTitle(f"Return {number} to the client")
        layout = QVBoxLayout(self)
        text = QLabel(f"{number} goes back to its client against your signature, and "
                      f"takes no further work. A receipt is written for the collector to "
                      f"sign.")
        text.setWordWrap(True)
        layout.addWidget(text)
        form = QFormLayout()
        self.collected_by = QLineEdit()
        self.collected_by.setPlaceholderText("the person collecting, as they name "
                                             "themselves")
        self.id_document = QLineEdit()
        self.id_document.setPlaceholderText("e.g. passport P1234567 (Belgium)")
        self.others = QLineEdit()
        self.others.setPlaceholderText("other stone numbers on the same receipt, if any")
        self.note = QLineEdit()
        form_row(form, "Collected by", self.collected_by)
        form_row(form, "Identity document seen", self.id_document)
        form_row(form, "Also returned", self.others)
        form_row(form, "Note", self.note)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Continue to sign")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())


def ask_return_details(parent, number: str) -> dict | None:
    """``collected_by``, ``id_document``, ``note`` and ``others`` (stone numbers) for a
    return, or None when cancelled.  Tests replace this function."""
    dialog = ReturnDialog(parent, number)
    try:
        if dialog.exec() != QDialog.Accepted:
            return None
        return {"collected_by": dialog.collected_by.text().strip(),
                "id_document": dialog.id_document.text().strip() or None,
                "note": dialog.note.text().strip(),
                "others": dialog.others.text().replace(",", " ").split()}
    finally:
        dialog.deleteLater()


def _box(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    return box, layout


def _value_label(accessible: str = "") -> QLabel:
    """A value shown, selectable; named here unless a form row names it."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    if accessible:
        label.setAccessibleName(accessible)
    return label


class StoneView(View):
    title = "Stone"
    hint = ("Grading facts, origin evidence and documents, the origin assessment, the "
            f"finding and the history of one stone. Save: {shortcuts.keys('save')}. Add "
            f"evidence: {shortcuts.keys('add_evidence')}. Attach: "
            f"{shortcuts.keys('attach')}. Propose a finding: {shortcuts.keys('propose')}.")

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.number: str | None = None
        self.detail = None
        self.people = People()
        self.blocked_facts: str | None = None
        self.jurisdictions = tuple(lab.jurisdictions())
        self.country_hint = "ISO 3166 code"

        self.header = QLabel("No stone is open.")
        self.header.setObjectName("StoneHeader")
        self.header.setAccessibleName("Stone")
        self.header.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.header.setWordWrap(True)
        self.banner = QLabel()
        self.banner.setObjectName("Locked")
        self.banner.setAccessibleName("Locked")
        self.banner.setWordWrap(True)
        self.banner.setProperty("banner", True)
        self.banner.hide()
        self.pack_button = CompliancePackButton(self)   # the submission's pack
        heading = hbox(self.header, self.pack_button)
        heading.setStretch(0, 1)
        self.outer.addLayout(heading)
        self.outer.addWidget(self.banner)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Stone sections")
        self.tabs.addTab(self._facts_tab(), "&Facts")
        self.tabs.addTab(self._evidence_tab(), "&Evidence && documents")
        self.tabs.addTab(self._assessment_tab(), "&Assessment")
        self.tabs.addTab(self._finding_tab(), "F&inding")
        self.tabs.addTab(self._history_tab(), "&History")
        self.tabs.addTab(self._custody_tab(), "C&ustody")
        self.tabs.setEnabled(False)
        self.tabs.currentChanged.connect(lambda _: self._history_rows())
        self.outer.addWidget(self.tabs, 1)

        shortcuts.bind(self, "save", self.save_current)
        shortcuts.bind(self, "add_evidence", self.add_evidence)
        shortcuts.bind(self, "propose", self._propose_key)

    # ================================================================== building
    def _facts_tab(self) -> QWidget:
        self.facts: dict[str, QWidget] = {}
        for name in STONE_FIELDS:
            if name == "mounted":
                widget = QComboBox()
                widget.addItem("Loose stone", False)
                widget.addItem("Mounted in jewellery", True)
                widget.currentIndexChanged.connect(lambda _: self._facts_edited())
            elif name in FACT_SCALES:
                widget = QComboBox()
                widget.addItem("—", None)
                for value in FACT_SCALES[name]:
                    widget.addItem(grading.label(value), value)
                widget.currentIndexChanged.connect(lambda _: self._facts_edited())
            elif name == "notes":
                widget = QPlainTextEdit()
                widget.setTabChangesFocus(True)
                widget.setFixedHeight(90)
                widget.textChanged.connect(self._facts_edited)
            else:
                widget = QLineEdit()
                widget.setPlaceholderText(FACT_PLACEHOLDERS.get(name, ""))
                widget.textChanged.connect(lambda _: self._facts_edited())
            self.facts[name] = widget
        self.facts["identification"].currentIndexChanged.connect(
            lambda _: self._identification_changed())
        left, right = QFormLayout(), QFormLayout()
        for form, names in ((left, LEFT_FACTS), (right, RIGHT_FACTS)):
            form.setLabelAlignment(Qt.AlignRight)
            form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
            form.setHorizontalSpacing(8)
            for name in names:
                form_row(form, STONE_FIELD_LABELS[name], self.facts[name],
                         FACT_TIPS.get(name, ""))
        self.facts_state = QLabel()
        self.facts_state.setObjectName("Hint")
        self.facts_state.setWordWrap(True)  # a long "Read only: …" must not widen the tab
        self.facts_state.setAccessibleName("Facts status")
        self.save_button = QPushButton("Save facts")
        self.save_button.setAccessibleName("Save grading facts")
        self.save_button.clicked.connect(self.save_facts)
        self.revert_button = QPushButton("Revert")
        self.revert_button.setAccessibleName("Revert grading facts")
        self.revert_button.setToolTip("Show the saved facts again, discarding what was "
                                      "typed")
        self.revert_button.clicked.connect(self._revert_facts)

        page = QWidget()
        grid = QGridLayout(page)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(30)
        grid.addLayout(left, 0, 0)
        grid.addLayout(right, 0, 1, Qt.AlignTop)
        notes = QFormLayout()
        notes.setLabelAlignment(Qt.AlignRight)
        notes.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form_row(notes, STONE_FIELD_LABELS["notes"], self.facts["notes"])
        grid.addLayout(notes, 1, 0, 1, 2)
        buttons = QHBoxLayout()
        buttons.addWidget(self.facts_state, 1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.save_button)
        grid.addLayout(buttons, 2, 0, 1, 2)
        grid.setRowStretch(3, 1)
        page.setMaximumWidth(1250)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _evidence_tab(self) -> QWidget:
        self.evidence_table = QTableWidget(0, 5)
        self.evidence_table.setAccessibleName("Evidence")
        self.evidence_table.setHorizontalHeaderLabels(
            ["Kind", "Reference", "Covers", "Docs", "Lock"])
        self.evidence_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.evidence_table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.evidence_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.evidence_table.verticalHeader().hide()
        self.evidence_table.setMinimumHeight(110)
        header = self.evidence_table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, 5):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        self.evidence_table.itemSelectionChanged.connect(self._evidence_picked)
        self.add_button = QPushButton("Add evidence…")
        self.add_button.setAccessibleName("Add evidence")
        self.add_button.clicked.connect(self.add_evidence)
        self.evidence_count = QLabel()
        self.evidence_count.setAccessibleName("Evidence count")
        self.declared = QLabel()
        self.declared.setAccessibleName("Declared by the client")
        self.declared.setObjectName("Hint")
        self.declared.setWordWrap(True)
        self.declared.hide()

        self.form = EvidenceForm(self.lab, self)
        self.form.saved.connect(lambda ev: self.reload(select_evidence=ev.id))
        form_scroll = QScrollArea()
        form_scroll.setWidgetResizable(True)
        form_scroll.setFrameShape(QFrame.NoFrame)
        form_scroll.setWidget(self.form)

        self.documents = DocumentsPanel(self.lab, self)
        self.documents.attached.connect(self._after_attach)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.evidence_count, 1)
        row.addWidget(self.add_button)
        top_layout.addLayout(row)
        top_layout.addWidget(self.declared)
        top_layout.addWidget(self.evidence_table, 1)
        left = QSplitter(Qt.Vertical)
        left.setChildrenCollapsible(False)
        left.addWidget(top)
        left.addWidget(form_scroll)
        left.setStretchFactor(0, 2)
        left.setStretchFactor(1, 5)
        split = QSplitter(Qt.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(self.documents)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([560, 560])
        return split

    def _assessment_tab(self) -> QWidget:
        self.assess_on = QDateEdit()
        self.assess_on.setCalendarPopup(True)
        self.assess_on.setDisplayFormat("yyyy-MM-dd")
        self.assess_on.setDate(QDate.currentDate())
        self.assess_on.dateChanged.connect(lambda _: self._fill_assessment())
        today = QPushButton("Today")
        today.setAccessibleName("Assess as of today")
        today.setToolTip("Assess under the rules in force today")
        today.clicked.connect(lambda: self.assess_on.setDate(QDate.currentDate()))
        explain = QLabel("May this stone enter each market on that date, under the rules "
                         "then in force and the evidence recorded now?")
        explain.setObjectName("Hint")
        explain.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(labelled("Assess as on", self.assess_on))
        bar.addWidget(self.assess_on)
        bar.addWidget(today)
        bar.addWidget(explain, 1)

        self.outcomes: dict[str, QLabel] = {}
        self.scopes: dict[str, QLabel] = {}
        self.reasons: dict[str, QTextBrowser] = {}
        columns = QHBoxLayout()
        for code in self.jurisdictions:
            box = QFrame()
            box.setFrameShape(QFrame.StyledPanel)
            layout = QVBoxLayout(box)
            heading = QLabel(f"<b>{code}</b>")
            heading.setObjectName("JurisdictionHeading")
            outcome = QLabel()
            outcome.setObjectName("Outcome")
            outcome.setAccessibleName(f"{code} outcome")
            outcome.setAlignment(Qt.AlignCenter)
            scope = _value_label(f"{code} scope and ruleset")
            reasons = QTextBrowser()
            reasons.setAccessibleName(f"{code} reasons")
            reasons.setOpenLinks(False)
            layout.addWidget(heading)
            layout.addWidget(outcome)
            layout.addWidget(scope)
            layout.addWidget(reasons, 1)
            columns.addWidget(box, 1)
            self.outcomes[code], self.scopes[code], self.reasons[code] = \
                outcome, scope, reasons
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(columns, 1)
        return page

    def _finding_tab(self) -> QWidget:
        # ---- the current finding
        current, current_layout = _box("Current finding")
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignRight)
        self.finding_fields: dict[str, QLabel] = {}
        for key, label in (("origin", "Origin"), ("mining_country", "Mining country"),
                           ("statement", "Statement"), ("status", "Status"),
                           ("proposed", "Proposed by"), ("decided", "Decided by"),
                           ("comment", "Decision comment"),
                           ("assessments", "Assessed at proposal"),
                           ("reports", "Reports")):
            self.finding_fields[key] = _value_label()
            form_row(form, label, self.finding_fields[key])
        current_layout.addLayout(form)
        self.issue_button = QPushButton("Issue report")
        self.issue_button.setAccessibleName("Issue the stone's report")
        self.issue_button.clicked.connect(self.issue)
        self.issue_why = QLabel()
        self.issue_why.setObjectName("Hint")
        self.issue_why.setWordWrap(True)
        self.issue_why.setAccessibleName("Why no report can be issued")
        irow = QHBoxLayout()
        irow.addWidget(self.issue_why, 1)
        irow.addWidget(self.issue_button, 0, Qt.AlignTop)
        current_layout.addLayout(irow)

        # ---- earlier findings
        earlier, earlier_layout = _box("Earlier findings")
        self.earlier = _value_label("Earlier findings")
        earlier_layout.addWidget(self.earlier)

        # ---- propose
        propose, propose_layout = _box("Propose a finding")
        self.origin = QComboBox()
        self.origin.addItem("Choose the origin…", None)
        for value, words in ORIGIN_CHOICES:
            self.origin.addItem(words, value)
        self.mining_country = QLineEdit()
        self.mining_country.setMaxLength(2)
        self.mining_country.setFixedWidth(70)
        self.mining_country.setPlaceholderText("e.g. BW")
        self.mining_country_name = QLabel()
        self.mining_country_name.setObjectName("Hint")
        self.mining_country.textChanged.connect(self._country_typed)
        self.statement = QPlainTextEdit()
        self.statement.setTabChangesFocus(True)
        self.statement.setPlaceholderText("Why the evidence supports this origin (required "
                                          "when a jurisdiction finds it insufficient)")
        self.statement.setFixedHeight(90)
        self.propose_button = QPushButton("Propose finding")
        self.propose_button.setAccessibleName("Propose finding")
        self.propose_button.clicked.connect(self.propose)
        country_row = QHBoxLayout()
        country_row.addWidget(self.mining_country)
        country_row.addWidget(self.mining_country_name, 1)
        pform = QFormLayout()
        pform.setLabelAlignment(Qt.AlignRight)
        pform.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form_row(pform, "Origin", self.origin)
        form_row(pform, "Mining country", country_row, buddy=self.mining_country)
        form_row(pform, "Statement", self.statement)
        self.propose_why = QLabel()
        self.propose_why.setObjectName("Hint")
        self.propose_why.setWordWrap(True)
        self.propose_why.setAccessibleName("Why no finding can be proposed")
        propose_layout.addWidget(self.propose_why)
        propose_layout.addLayout(pform)
        prow = QHBoxLayout()
        prow.addStretch(1)
        prow.addWidget(self.propose_button)
        propose_layout.addLayout(prow)

        # ---- reopen
        reopen, reopen_layout = _box("Correct a locked stone")
        text = QLabel("A supervisor reopens an approved or reported stone with a reason; "
                      "its issued report is superseded, and the corrected finding is "
                      "reviewed again. Reopening is a signature.")
        text.setWordWrap(True)
        text.setObjectName("Hint")
        self.reopen_button = QPushButton("Reopen…")
        self.reopen_button.setAccessibleName("Reopen the stone")
        self.reopen_button.clicked.connect(self.reopen)
        rrow = QHBoxLayout()
        rrow.addWidget(text, 1)
        rrow.addWidget(self.reopen_button, 0, Qt.AlignTop)
        reopen_layout.addLayout(rrow)

        left = QVBoxLayout()
        left.addWidget(current)
        left.addWidget(earlier)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(propose)
        right.addWidget(reopen)
        right.addStretch(1)
        page = QWidget()
        grid = QHBoxLayout(page)
        grid.addLayout(left, 3)
        grid.addLayout(right, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        scroll.setWidget(page)
        return scroll

    def _history_tab(self) -> QWidget:
        self.history_table = QTableWidget(0, 5)
        self.history_table.setAccessibleName("History")
        self.history_table.setHorizontalHeaderLabels(
            ["When (local time)", "Who", "What", "What changed", "Reason / signature"])
        self.history_table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.history_table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.history_table.setWordWrap(True)
        self.history_table.verticalHeader().hide()
        header = self.history_table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        header.setSectionResizeMode(4, QHeaderView.Interactive)
        self.history_table.setColumnWidth(4, 280)
        header.sectionResized.connect(lambda *_: self._history_rows())
        self.history_count = QLabel()
        self.history_count.setObjectName("Hint")
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.history_count)
        layout.addWidget(self.history_table, 1)
        return page

    def _custody_tab(self) -> QWidget:
        """Who had the stone: received from the client, returned to them (a signature)."""
        held, held_layout = _box("Custody")
        self.custody_text = QLabel()
        self.custody_text.setAccessibleName("Custody history")
        self.custody_text.setWordWrap(True)
        self.custody_text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        held_layout.addWidget(self.custody_text)
        back, back_layout = _box("Return to the client")
        self.return_why = QLabel()
        self.return_why.setObjectName("Hint")
        self.return_why.setWordWrap(True)
        self.return_why.setAccessibleName("Why the stone cannot be returned")
        text = QLabel("A reported stone goes back with its report, a received stone "
                      "ungraded. Name who collects it and the identity document you saw; "
                      "the return is a signature, and the receipt is for the collector to "
                      "sign. A returned stone takes no further work.")
        text.setWordWrap(True)
        text.setObjectName("Hint")
        self.return_button = QPushButton("Return to client…")
        self.return_button.setAccessibleName("Return the stone to the client")
        self.return_button.clicked.connect(self.return_stone)
        self.receipt_button = QPushButton("Open receipt")
        self.receipt_button.setAccessibleName("Open the return receipt")
        self.receipt_button.clicked.connect(self.open_receipt)
        row = QHBoxLayout()
        row.addWidget(text, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.return_button)
        buttons.addWidget(self.receipt_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        back_layout.addWidget(self.return_why)
        back_layout.addLayout(row)
        mistake, mistake_layout = _box("Received by mistake")
        hint = QLabel("A parcel received twice, or the wrong client's: a supervisor voids "
                      "its whole submission with a reason, signed with the password. Its "
                      "stones are kept and shown as voided; nothing is proposed or "
                      "issued from them.")
        hint.setWordWrap(True)
        hint.setObjectName("Hint")
        self.void_button = QPushButton("Void submission…")
        self.void_button.setAccessibleName("Void the stone's submission")
        self.void_button.clicked.connect(self.void_submission)
        void_row = QHBoxLayout()
        void_row.addWidget(hint, 1)
        void_row.addWidget(self.void_button, 0, Qt.AlignTop)
        mistake_layout.addLayout(void_row)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(held)
        layout.addWidget(back)
        layout.addWidget(mistake)
        layout.addStretch(1)
        return page

    # ================================================================== reading
    def show_stone(self, number: str) -> None:
        """Open stone ``number`` (called by the main window)."""
        number = " ".join(str(number).split()).upper()
        if number != self.number:
            self.message.clear_message()
            self.assess_on.blockSignals(True)
            self.assess_on.setDate(QDate.currentDate())
            self.assess_on.blockSignals(False)
            self._clear_propose()
            self.form.evidence = None
            self.form.new()
        self.number = number
        self.reload()
        # keep the keyboard focus in this page: otherwise, once the window is activated,
        # the navigation list takes it and jumps to its first page
        QTimer.singleShot(0, self._focus_page)

    def focusNextPrevChild(self, next_: bool) -> bool:  # noqa: N802 (Qt's name)
        """When a tab is switched, Qt hides the page holding the keyboard focus and moves
        the focus on along the window's chain, where the navigation list may take it (and
        jump to its first page).  Keep it in this page: on the tab bar."""
        focused = QApplication.focusWidget()
        if focused is not None and self.isVisible() and self.isAncestorOf(focused) \
                and not focused.isVisible():
            self.tabs.tabBar().setFocus(Qt.OtherFocusReason)
            return True
        return super().focusNextPrevChild(next_)

    def _focus_page(self) -> None:
        window = self.window_ if isinstance(self.window_, QWidget) else None
        if self.isHidden() or window is None:
            return
        focused = window.focusWidget()
        if focused is None or not self.isAncestorOf(focused):
            self.tabs.setFocus(Qt.OtherFocusReason)

    def refresh(self) -> None:
        if self.number:
            self.reload()

    def reload(self, select_evidence: int | None = None, keep_facts: bool = True) -> None:
        """Re-read the stone from the lab and show it in every tab.  Facts typed but not
        saved yet stay in the form (unless ``keep_facts`` is false)."""
        if not self.number:
            return
        pending = self.fact_changes() if keep_facts and self.detail is not None and \
            self.detail.stone.number == self.number else {}
        try:
            detail = self.lab.stone_detail(self.number)
        except LabError as exc:
            self.detail = None
            self.tabs.setEnabled(False)
            self.header.setText(escape(self.number))
            self.banner.hide()
            self.message.error(str(exc))
            return
        self.detail = detail
        self.people = People(self.lab.users())
        stone = detail.stone
        self.tabs.setEnabled(True)
        self.blocked_facts = self.allowed("edit_facts").why
        self._fill_header(stone)
        self._fill_facts()
        if pending and self.blocked_facts is None:
            for name, value in pending.items():
                self._set_fact(name, value)
            self._facts_edited()
        if select_evidence is None and self.form.evidence is not None:
            select_evidence = self.form.evidence.id
        self._fill_evidence(select_evidence)
        self._fill_assessment()
        self._fill_finding()
        self._fill_history()
        self._fill_custody()

    def allowed(self, action: str) -> Permission:
        """Whether the logged-in user may do ``action`` (one of
        ``core.permissions.STONE_ACTIONS``) with the stone shown, as ``Lab`` decided."""
        if self.detail is None:
            return signing.NO_STONE
        return self.detail.actions[action]

    def refused(self, action: str) -> bool:
        """True, with the Lab's sentence in the message bar, when ``action`` is not
        allowed."""
        why = self.allowed(action).why
        if why is not None:
            self.message.error(why)
        return why is not None

    def _fill_header(self, stone) -> None:
        state = grading.label(stone.state)
        parts = [f"<b>{escape(stone.number)}</b>", escape(stone.client),
                 f"{escape(stone.weight)} ct", f"<b>{escape(state)}</b>",
                 f"submission {escape(stone.submission)}"]
        if stone.client_ref:
            parts.append(f"client ref {escape(stone.client_ref)}")
        parts.append(f"received {local_date(stone.received_at)}")
        self.header.setText(" · ".join(parts))
        self.pack_button.show_submission(stone.submission)
        if getattr(stone, "voided", False):
            self.banner.setText(f"Voided — submission {stone.submission} was voided on "
                                f"{local_date(stone.voided_at)} (received by mistake): "
                                f"the stone is kept, and nothing is proposed or issued "
                                f"from it.")
            self.banner.setToolTip(self.allowed("propose").why or "")
            self.banner.show()
        elif stone.state == "returned":
            self.banner.setText("Returned to the client — the stone has left the lab and "
                                "takes no further work; see Custody for who collected it.")
            self.banner.setToolTip(self.blocked_facts or "")
            self.banner.show()
        elif stone.locked:
            self.banner.setText(f"Locked — {state.lower()}; a supervisor may reopen it "
                                f"with a reason to correct it.")
            self.banner.setToolTip(self.blocked_facts or "")
            self.banner.show()
        elif stone.state == "proposed":
            self.banner.setText("Frozen — a finding awaits a supervisor's review: grading "
                                "facts and evidence cannot change until it is approved or "
                                "rejected.")
            self.banner.setToolTip(self.blocked_facts or "")
            self.banner.show()
        else:
            self.banner.hide()

    # ------------------------------------------------------------------ facts
    def _fill_facts(self) -> None:
        if self.detail is None:
            return
        stone = self.detail.stone
        for name in self.facts:
            self._set_fact(name, self._stored_fact(stone, name))
        self._mark_invalid(self.facts, ())
        self._facts_edited()

    def _revert_facts(self) -> None:
        self._fill_facts()
        self.message.clear_message()

    def _set_fact(self, name: str, value) -> None:
        widget = self.facts[name]
        widget.blockSignals(True)
        if isinstance(widget, QComboBox):
            index = widget.findData(value)
            if index < 0 and value is not None:  # a value outside the scale
                widget.addItem(grading.label(value), value)
                index = widget.count() - 1
            widget.setCurrentIndex(max(index, 0))
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value or "")
        else:
            widget.setText(value or "")
        widget.blockSignals(False)

    @staticmethod
    def _stored_fact(stone, name: str):
        return stone.weight if name == "weight" else getattr(stone, name)

    def fact_changes(self) -> dict:
        """The facts the form shows differently from the stored stone."""
        if self.detail is None:
            return {}
        stone = self.detail.stone
        out = {}
        for name, widget in self.facts.items():
            stored = self._stored_fact(stone, name)
            if isinstance(widget, QComboBox):
                value = widget.currentData()
                if value != stored:
                    out[name] = value
                continue
            value = widget.toPlainText() if isinstance(widget, QPlainTextEdit) \
                else widget.text()
            if value.strip() != (stored or ""):
                out[name] = value.strip()
        return out

    def _identification_changed(self) -> None:
        if no_growth_method(self.facts["identification"].currentData()):
            self.facts["growth_method"].setCurrentIndex(0)
        self._facts_edited()

    def _facts_edited(self) -> None:
        editable = self.detail is not None and self.blocked_facts is None
        for name, widget in self.facts.items():
            widget.setEnabled(editable)
            widget.setToolTip("" if editable else self.blocked_facts or "")
            if isinstance(widget, QLineEdit):
                widget.setPlaceholderText(FACT_PLACEHOLDERS.get(name, "") if editable
                                          else "")
        why_no_growth = no_growth_method(self.facts["identification"].currentData())
        if editable and why_no_growth:
            growth = self.facts["growth_method"]
            growth.setEnabled(growth.currentData() is not None)  # a stored one may go
            growth.setToolTip(why_no_growth)
        changes = self.fact_changes()
        self.save_button.setEnabled(editable and bool(changes))
        self.revert_button.setEnabled(editable and bool(changes))
        if not editable:
            self.save_button.setToolTip(self.blocked_facts or "Open a stone first")
            self.facts_state.setText("Read only: " + (self.blocked_facts or ""))
        elif changes:
            self.save_button.setToolTip(f"Save the changed facts ({shortcuts.keys('save')})")
            names = ", ".join(STONE_FIELD_LABELS[n].lower() for n in changes)
            self.facts_state.setText(f"Unsaved changes: {names}.")
        else:
            self.save_button.setToolTip("Nothing to save: no fact changed")
            self.facts_state.setText("Saved.")

    def save_facts(self) -> bool:
        if self.detail is None or self.refused("edit_facts"):
            return False
        changes = self.fact_changes()
        if not changes:
            self.message.info("Nothing to save: no fact changed.")
            return False
        before = self.detail.stone
        try:
            after = self.lab.update_stone(self.number, **changes)
        except ValidationError as exc:
            names = [p.get("column") for p in exc.problems]
            self._mark_invalid(self.facts, names)
            text, field = str(exc), exc.field
            if field in STONE_FIELD_LABELS and text.startswith(f"{field}:"):
                text = f"{STONE_FIELD_LABELS[field]} ({field}):" + text[len(field) + 1:]
            self.message.error(text)
            return False
        except LabError as exc:
            self.message.error(str(exc))
            return False
        said = []
        for name in changes:
            old, new = self._stored_fact(before, name), self._stored_fact(after, name)
            if old != new:
                said.append(f"{STONE_FIELD_LABELS[name].lower()} "
                            f"{value_words(name, old)} → {value_words(name, new)}")
        self.reload(keep_facts=False)
        self.message.info(f"Saved {self.number}: " + ("; ".join(said) or "no change")
                          + ".")
        return True

    def _mark_invalid(self, widgets: dict, names) -> None:
        first = None
        for name, widget in widgets.items():
            bad = name in names
            restyle(widget, invalid=bad)
            if bad and first is None:
                first = widget
        if first is not None:
            first.setFocus()

    # ------------------------------------------------------------------ evidence
    def _fill_evidence(self, select: int | None = None) -> None:
        detail = self.detail
        stone = detail.stone
        blocked_stone = self.allowed("add_evidence").why
        self.form.set_stone(stone, blocked_stone, self.allowed("edit_parcel_evidence").why)
        table = self.evidence_table
        table.blockSignals(True)
        table.setRowCount(0)
        table.setRowCount(len(detail.evidence))
        row_to_select = None
        for row, ev in enumerate(detail.evidence):
            covers = "this stone" if ev.level == "stone" else f"parcel {ev.target}"
            reference = ev.fields.get("reference") or ""
            items = [QTableWidgetItem(kind_label(ev.kind)), QTableWidgetItem(reference),
                     QTableWidgetItem(covers),
                     QTableWidgetItem(str(len(ev.attachments))),
                     QTableWidgetItem("Locked" if ev.locked else "")]
            items[0].setData(Qt.UserRole, ev.id)
            items[0].setToolTip(f"{kind_label(ev.kind)}, recorded by {ev.created_by} on "
                                f"{local_time(ev.created_at)}")
            items[3].setTextAlignment(Qt.AlignCenter)
            items[3].setToolTip(f"{plural(len(ev.attachments), 'document')} attached")
            if ev.locked:
                items[4].setForeground(brush("locked"))
                items[4].setToolTip("Locked with its stone (or a stone of its parcel); a "
                                    "supervisor may reopen the stone")
            for column, item in enumerate(items):
                table.setItem(row, column, item)
            if ev.id == select:
                row_to_select = row
        table.blockSignals(False)
        own = sum(1 for e in detail.evidence if e.level == "stone")
        self.declared.setText(declared_words(stone))
        self.declared.setVisible(bool(self.declared.text()))
        self.evidence_count.setText(
            f"{plural(len(detail.evidence), 'piece of evidence', 'pieces of evidence')}: "
            f"{own} on this stone, {len(detail.evidence) - own} on its parcel "
            f"{stone.submission}")
        can_add = self.allowed("add_evidence").allowed or \
            self.allowed("edit_parcel_evidence").allowed
        self.add_button.setEnabled(can_add)
        self.add_button.setToolTip("New evidence for this stone or its parcel "
                                   f"({shortcuts.keys('add_evidence')})"
                                   if can_add else blocked_stone)
        if row_to_select is not None:
            table.selectRow(row_to_select)
            self._evidence_picked()
            return
        if self.form.evidence is not None:   # what it showed is gone: start afresh
            self.form.new()
        else:                                # keep what is being typed
            self.form.update_buttons()
        self.documents.set_evidence(None, None)

    def selected_evidence(self):
        rows = self.evidence_table.selectionModel().selectedRows()
        if not rows or self.detail is None:
            return None
        evidence_id = self.evidence_table.item(rows[0].row(), 0).data(Qt.UserRole)
        return next((e for e in self.detail.evidence if e.id == evidence_id), None)

    def _evidence_blocked(self, ev) -> str | None:
        return self.allowed("add_evidence" if ev.level == "stone"
                            else "edit_parcel_evidence").why

    def _evidence_picked(self) -> None:
        ev = self.selected_evidence()
        if ev is None:
            return
        self.form.edit(ev)
        self.documents.set_evidence(ev, self._evidence_blocked(ev))

    def add_evidence(self, kind: str | None = None) -> None:
        """An empty evidence form (Ctrl+E)."""
        if self.detail is None:
            return
        self.tabs.setCurrentIndex(1)
        self.evidence_table.clearSelection()
        self.form.new(kind if isinstance(kind, str) else None)
        self.documents.set_evidence(None, None)
        self.form.kind.setFocus()

    def _after_attach(self) -> None:
        ev = self.selected_evidence()
        self.reload(select_evidence=ev.id if ev else None)

    # ------------------------------------------------------------------ assessment
    def _fill_assessment(self) -> None:
        if self.detail is None:
            return
        on = self.assess_on.date().toPython()
        for code in self.jurisdictions:
            outcome, scope, reasons = self.outcomes[code], self.scopes[code], \
                self.reasons[code]
            try:
                a = self.lab.assess(self.number, code, on=on)
            except LabError as exc:
                outcome.setText("Not assessed")
                restyle(outcome, outcome="")
                scope.setText("")
                reasons.setPlainText(str(exc))
                continue
            outcome.setText(outcome_words(a.outcome))
            restyle(outcome, outcome=a.outcome)
            scope.setText(f"{'In scope' if a.in_scope else 'Not in scope'} on "
                          f"{a.on.isoformat()} · ruleset {escape(a.ruleset)}")
            parts = ["<p><b>Reasons</b></p><ul style='margin-left:-18px'>"]
            parts += [f"<li>{escape(r)}</li>" for r in a.reasons]
            parts.append("</ul>")
            if a.missing:
                parts.append("<p><b>Evidence that would satisfy</b></p>"
                             "<ul style='margin-left:-18px'>")
                parts += [f"<li>{escape(m)}</li>" for m in a.missing]
                parts.append("</ul>")
            reasons.setHtml("".join(parts))

    # ------------------------------------------------------------------ finding
    def _fill_finding(self) -> None:
        detail = self.detail
        f = detail.finding
        fields = self.finding_fields
        if f is None:
            for label in fields.values():
                label.setText("—")
            fields["origin"].setText("No finding proposed yet.")
        else:
            fields["origin"].setText(f"<b>{escape(grading.label(f.origin))}</b>")
            fields["mining_country"].setText(
                f"{country_name(f.mining_country)} ({f.mining_country})"
                if f.mining_country else "not stated")
            fields["statement"].setText(escape(f.statement) or "(no statement)")
            fields["status"].setText(grading.label(f.status))
            fields["proposed"].setText(f"{escape(f.proposed_by_name)} ({f.proposed_by}), "
                                       f"{local_time(f.proposed_at)}")
            fields["decided"].setText(
                f"{escape(f.decided_by_name)} ({f.decided_by}), {local_time(f.decided_at)}"
                if f.decided_by else "not decided yet")
            fields["comment"].setText(escape(f.decision_comment) or "—")
            fields["assessments"].setText("; ".join(
                f"{code}: {outcome_words(v.get('outcome'))} "
                f"({v.get('ruleset')}, {v.get('on')})"
                for code, v in sorted((f.assessments or {}).items())) or "—")
        fields["reports"].setText("<br>".join(
            f"{escape(r.number)} — {grading.label(r.status)}, issued "
            f"{local_time(r.issued_at)} by {escape(r.issued_by)}"
            + (f"; superseded by {escape(r.superseded_by)}" if r.superseded_by else "")
            + (f" ({escape(r.withdrawn_reason)})" if r.withdrawn_reason else "")
            for r in detail.reports) or "none issued")

        lines = []
        for old in list(detail.findings[:-1])[::-1]:
            text = (f"<b>{local_time(old.proposed_at)}</b> · "
                    f"{escape(grading.label(old.origin))}")
            if old.mining_country:
                text += f" ({escape(country_name(old.mining_country))})"
            text += (f" · <b>{escape(grading.label(old.status))}</b> · proposed by "
                     f"{escape(old.proposed_by_name)}")
            if old.decided_by:
                text += (f"; decided by {escape(old.decided_by_name)}, "
                         f"{local_time(old.decided_at)}")
                if old.decision_comment:
                    text += f": “{escape(old.decision_comment)}”"
            lines.append(text)
        self.earlier.setText("<br>".join(lines) or "No earlier findings.")
        countries = {c for e in detail.evidence for c in (e.fields.get("origin_countries")
                                                          or ())}
        self.country_hint = "ISO 3166 code"
        if len(countries) == 1:
            code = next(iter(countries))
            self.country_hint = f"the evidence names {country_name(code)} ({code})"
        self._country_typed(self.mining_country.text())
        self._update_finding_buttons()

    def _update_finding_buttons(self) -> None:
        propose = self.allowed("propose")
        for widget in (self.origin, self.mining_country, self.statement):
            widget.setEnabled(propose.allowed)
        self.propose_button.setEnabled(propose.allowed)
        self.propose_why.setText(propose.why or "")
        self.propose_why.setVisible(not propose.allowed)
        self.propose_button.setToolTip(signing.tooltip(
            propose, "Propose this finding for a supervisor's review "
                        f"({shortcuts.keys('propose')})"))
        for button, action, what in (
                (self.reopen_button, "reopen", "Reopen this stone for correction: give a "
                                               "reason and sign with your password"),
                (self.issue_button, "issue", "Sign the finding's claim and write the PDF "
                                             "report")):
            allowed = self.allowed(action)
            button.setEnabled(allowed.allowed)
            button.setToolTip(signing.tooltip(allowed, what))
        issue = self.allowed("issue")
        self.issue_why.setText(issue.why or "")
        self.issue_why.setVisible(not issue.allowed)

    def _country_typed(self, text: str) -> None:
        code = text.strip().upper()
        if len(code) < 2:
            self.mining_country_name.setText(self.country_hint)
        else:
            name = country_name(code)
            self.mining_country_name.setText(name if name != code else
                                             "not an ISO country code")

    def _clear_propose(self) -> None:
        self.origin.setCurrentIndex(0)
        self.mining_country.clear()
        self.statement.clear()
        self._mark_invalid(self._propose_widgets(), ())

    def _propose_widgets(self) -> dict:
        return {"origin": self.origin, "mining_country": self.mining_country,
                "statement": self.statement}

    def _propose_key(self) -> None:
        if self.detail is None:
            return
        if self.tabs.currentIndex() != 3:
            self.tabs.setCurrentIndex(3)
            self.origin.setFocus()
            return
        self.propose()

    def propose(self):
        """Propose the finding typed in the form; the Finding, or None."""
        if self.refused("propose"):
            return None
        origin = self.origin.currentData()
        try:
            finding = self.lab.propose_finding(
                self.number, origin if origin is not None else "",
                mining_country=self.mining_country.text().strip() or None,
                statement=self.statement.toPlainText().strip())
        except ValidationError as exc:
            self._mark_invalid(self._propose_widgets(),
                               [p.get("column") for p in exc.problems])
            self.message.error(str(exc))
            return None
        except LabError as exc:
            self.message.error(str(exc))
            return None
        self._clear_propose()
        self.reload()
        origin = grading.label(finding.origin)
        self.message.info(f"{self.number}: finding proposed ({origin}). It awaits review "
                          f"by a supervisor other than you; the facts and evidence are "
                          f"frozen until then.")
        return finding

    def reopen(self) -> bool:
        number = self.number
        signed = signing.sign(self, self.allowed("reopen"), Signature(
            meaning="Reopening for correction", subject=f"stone {number}",
            verb="reopened", reason_title=f"Reopen {number}",
            reason_prompt=f"Why must {number} be corrected? Its issued report will be "
                          f"superseded; the reason is recorded and printed with the "
                          f"corrected report.", reason_for="reopening"),
            lambda reason, password: self.lab.reopen(number, reason, password=password))
        if signed is None:
            return False
        self.reload()
        self.message.info(f"{number} reopened by {signed.signer}: {signed.reason}. Its "
                          f"facts and evidence can be corrected; its finding is proposed "
                          f"again.")
        return True

    def issue(self):
        """Issue the report of the approved stone shown; the Report, or None."""
        if self.refused("issue"):
            return None
        report = self.act(self.lab.issue_report, self.number)
        if report is None:
            return None
        self.reload()
        self.message.info(f"{self.number}: report {report.number} issued. Print it or save "
                          f"a copy on the Reports page.")
        return report

    # ------------------------------------------------------------------ history
    def _fill_history(self) -> None:
        events = list(self.detail.history)[::-1]
        table = self.history_table
        table.setRowCount(len(events))
        for row, event in enumerate(events):
            words = describe_event(event, self.people)
            changes = list(words.changes)
            if words.record != f"Stone {self.number}":  # evidence, a document, a report…
                changes.insert(0, words.record + (":" if changes else ""))
            values = (words.when, words.who, words.action, "\n".join(changes),
                      "\n".join(p for p in (words.signature, words.reason) if p))
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value if column != 0 else f"Stored as {event.at}")
                if column == 0:
                    item.setData(Qt.UserRole, event.id)
                table.setItem(row, column, item)
        self._history_rows()
        self.history_count.setText(f"{plural(len(events), 'event')}, newest first: the "
                                   f"stone, its evidence and documents, its parcel's "
                                   f"evidence, its findings and reports.")

    def _history_rows(self) -> None:
        if self.history_table.isVisible():
            self.history_table.resizeRowsToContents()

    # ------------------------------------------------------------------ custody
    def _fill_custody(self) -> None:
        try:
            self.custody = self.lab.custody(self.number)
        except LabError as exc:
            self.custody = []
            self.custody_text.setText(escape(str(exc)))
        else:
            self.custody_text.setText("<br>".join(escape(custody_words(e))
                                                  for e in self.custody))
        allowed = self.allowed("return")
        self.return_button.setEnabled(allowed.allowed)
        self.return_button.setToolTip(signing.tooltip(
            allowed, "Hand the stone back to its client: name who collects it, then sign "
                     "with your password"))
        self.return_why.setText(allowed.why or "")
        self.return_why.setVisible(not allowed.allowed)
        self.receipt_button.setVisible(self.receipt() is not None)
        voiding = self.void_allowed()
        self.void_button.setEnabled(voiding.allowed)
        self.void_button.setToolTip(signing.tooltip(
            voiding, f"Void submission {self.detail.stone.submission}, received by "
                     f"mistake: give a reason, then sign with your password"))

    def void_allowed(self):
        """Whether the logged-in user may void the shown stone's submission (a
        supervisor, once; the Lab also refuses while a stone of it is under review or
        reported, with its sentence)."""
        if self.detail is None:
            return signing.NO_STONE
        stone = self.detail.stone
        return signing.guard(self.lab, voids.check_can_void, stone.submission,
                             stone.voided_at, None)

    def void_submission(self) -> bool:
        """Void the shown stone's submission (reason, then the signature)."""
        if self.detail is None:
            return False
        submission = self.detail.stone.submission
        signed = signing.sign(self, self.void_allowed(), Signature(
            meaning="Voiding a submission received by mistake",
            subject=f"submission {submission}", verb="voided",
            reason_title=f"Void {submission}",
            reason_prompt=f"Why was {submission} received by mistake (for instance: the "
                          f"same packing list twice)? Its stones are kept and shown as "
                          f"voided; the reason is recorded.", reason_for="void"),
            lambda reason, password: self.lab.void_submission(submission, reason,
                                                              password=password))
        if signed is None:
            return False
        self.reload()
        self.message.info(f"{submission} voided by {signed.signer}: {signed.reason}. Its "
                          f"stones are kept and shown as voided.")
        return True

    def receipt(self) -> str | None:
        """The number of the receipt the stone went back on, if it did."""
        for event in getattr(self, "custody", []):
            if event.kind == "returned":
                return event.receipt
        return None

    def return_stone(self):
        """Hand the stone shown (and any others named) back to the client: details, then
        the signature; the Return, or None."""
        number = self.number
        allowed = self.allowed("return")
        if not allowed.allowed:
            self.message.error(allowed.why or "Not allowed.")
            return None
        details = ask_return_details(self, number)
        if details is None:
            return None
        others = [n.upper() for n in details["others"] if n.upper() != number]
        stones = [number, *others]
        subject = f"stone {number}" if not others else \
            f"stones {', '.join(stones)}"
        signed = signing.sign(self, allowed, Signature(
            meaning="Return to the client", subject=subject, verb="returned"),
            lambda _reason, password: self.lab.return_stones(
                stones, details["collected_by"], note=details["note"],
                id_document=details["id_document"], password=password))
        if signed is None:
            return None
        done = signed.result
        self.reload()
        self.message.info(f"{plural(len(done.stones), 'stone')} returned to "
                          f"{done.collected_by} on receipt {done.receipt}, signed by "
                          f"{signed.signer}. Print the receipt for the collector to sign: "
                          f"Open receipt on the Custody tab.")
        return done

    def open_receipt(self) -> None:
        receipt = self.receipt()
        if receipt is None:
            return
        try:
            path = self.lab.return_receipt_pdf(receipt)
        except LabError as exc:
            self.message.error(str(exc))
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # ------------------------------------------------------------------ keys
    def save_current(self) -> None:
        """Ctrl+S: save what the current tab edits."""
        if self.detail is None:
            return
        index = self.tabs.currentIndex()
        if index == 0:
            self.save_facts()
        elif index == 1:
            self.form.save()

