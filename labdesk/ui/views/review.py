"""Review: the queue of proposed origin findings, for supervisors.

For the finding picked in the queue the page shows, side by side, the stone, the evidence
with its documents (a preview of the one picked), and the assessment under every
jurisdiction.  Approve and Reject are signatures: the supervisor re-enters the password.
A button that may not be used is disabled and its tooltip says why: ``Lab`` decides both
(``StoneDetail.actions``) and refuses the same.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from labdesk.core import grading
from labdesk.core.evidence import FIELD_LABELS, kind_label
from labdesk.core.permissions import Permission
from labdesk.errors import LabError
from labdesk.ui import shortcuts, signing
from labdesk.ui.signing import Signature
from labdesk.ui.views.base import View
from labdesk.ui.views.rule_changes import RuleChangesDialog, summary
from labdesk.ui.widgets import RICH_TEXT, ElidedLabel, PdfView, labelled
from labdesk.ui.wording import (ORIGIN_SHORT, escape, local_date, local_time, origin_words,
                                outcome_words, plural, value_words)

STONE_FACTS = ("Carat weight", "Identification", "Shape", "Colour", "Clarity",
               "Fluorescence", "Measurements", "Inscription", "Client", "Client reference",
               "Submission", "Received")
#: The stone's facts go three to a row where the page is wide enough, else two.
WIDE_FACTS = 900
APPROVE_MEANING = "Approval of the origin finding"
REJECT_MEANING = "Rejection of the origin finding"
NO_FINDING = Permission(False, "Pick a finding in the queue first.")


class DocumentPreview(QStackedWidget):
    """A stored document (PDF or image) shown in the page, fitted to the pane's width (and
    drawn again when the pane is resized), or a line saying what to do."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setAccessibleName("Document preview")
        self.placeholder = QLabel()
        self.placeholder.setObjectName("Hint")
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.pdf = PdfView()
        self.image_area = QScrollArea()
        self.image_area.setAccessibleName("Image preview")
        self.image_area.setWidgetResizable(True)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.image_area.setWidget(self.image)
        for widget in (self.placeholder, self.pdf, self.image_area):
            self.addWidget(widget)
        self.shown = None      # the sha256 shown
        self._document = None  # (path, media_type, sha256)
        self._drawn_width = 0
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(150)
        self._redraw.timeout.connect(self._draw)
        self.show_nothing()

    def show_nothing(self, text: str = ""):
        self.placeholder.setText(text or "Pick a document in the evidence list to see it "
                                         "here.")
        self.pdf.clear()
        self.image.clear()
        self.shown = self._document = None
        self.setCurrentWidget(self.placeholder)

    def show_document(self, path, media_type: str, sha256: str):
        if not (media_type == "application/pdf" or media_type.startswith("image/")):
            self.show_nothing(f"A {media_type} document cannot be shown here.")
            return
        self._document = (path, media_type, sha256)
        self.shown = sha256
        self._draw()

    def _width(self) -> int:
        # the pane less its frame, scroll bar, margins and the page's border
        return max(self.width() - 48, 200)

    def _draw(self):
        if self._document is None:
            return
        path, media_type, _sha = self._document
        width = self._drawn_width = self._width()
        if media_type == "application/pdf":
            self.pdf.load(path, width=width)
            self.setCurrentWidget(self.pdf)
            return
        pixmap = QPixmap(str(path))
        if pixmap.isNull():
            self.placeholder.setText(f"This image ({media_type}) cannot be shown here.")
            self.setCurrentWidget(self.placeholder)
            return
        if pixmap.width() > width:
            pixmap = pixmap.scaledToWidth(width, Qt.SmoothTransformation)
        self.image.setPixmap(pixmap)
        self.setCurrentWidget(self.image_area)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if self._document is not None and abs(self._width() - self._drawn_width) > 24:
            self._redraw.start()


class ReviewView(View):
    title = "Review"
    hint = ("Proposed origin findings, oldest first. Check the stone, the evidence and "
            f"its documents against the assessment, then approve "
            f"({shortcuts.keys('approve')}) or reject "
            "with a reason. Both are signatures: you re-enter your password.")

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.findings: list = []
        self.finding = None      # the Finding shown
        self.detail = None       # its StoneDetail
        self.jurisdictions = tuple(lab.jurisdictions())

        # ---- the queue
        self.queue = QListWidget()
        self.queue.setAccessibleName("Review queue")
        self.queue.setMinimumWidth(170)
        self.queue.setAlternatingRowColors(True)
        self.queue.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.queue.setTextElideMode(Qt.ElideRight)   # the whole text is the tooltip
        self.queue.currentItemChanged.connect(self._picked)
        self.queue_count = QLabel()
        self.queue_count.setAccessibleName("Findings awaiting review")
        queue_box = QWidget()
        queue_layout = QVBoxLayout(queue_box)
        queue_layout.setContentsMargins(0, 0, 0, 0)
        queue_layout.addWidget(self.queue_count)
        queue_layout.addWidget(self.queue, 1)

        # ---- the finding's header
        self.heading = QLabel()
        self.heading.setObjectName("FindingHeading")
        self.heading.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.proposal = QLabel()
        self.proposal.setWordWrap(True)
        self.proposal.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.open_stone = QPushButton("Open stone")
        self.open_stone.setAccessibleName("Open the stone")
        self.open_stone.setToolTip("Open the stone's page (history, all fields)")
        self.open_stone.clicked.connect(self._open_stone)

        # ---- stone facts
        self.stone_box = QGroupBox("Stone")
        self.facts_grid = QGridLayout(self.stone_box)
        self.facts_grid.setHorizontalSpacing(10)
        self.facts_grid.setVerticalSpacing(3)
        self.stone_facts: dict[str, ElidedLabel] = {}
        self.fact_captions: dict[str, QLabel] = {}
        for name in STONE_FACTS:
            value = ElidedLabel()
            caption = labelled(f"{name}:", value)
            caption.setObjectName("Hint")
            caption.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
            self.stone_facts[name] = value
            self.fact_captions[name] = caption
        self.fact_columns = 0
        self._lay_out_facts(3)

        # ---- evidence and documents
        self.evidence = QTreeWidget()
        self.evidence.setAccessibleName("Evidence and documents")
        self.evidence.setHeaderLabels(["Evidence", "Value"])
        self.evidence.setColumnWidth(0, 150)
        self.evidence.header().setStretchLastSection(True)
        self.evidence.setTextElideMode(Qt.ElideRight)    # each item's tooltip is whole
        self.evidence.currentItemChanged.connect(self._evidence_picked)
        evidence_box = QGroupBox("Evidence and documents")
        QVBoxLayout(evidence_box).addWidget(self.evidence)
        self.preview = DocumentPreview()
        preview_box = QGroupBox("Document")
        QVBoxLayout(preview_box).addWidget(self.preview)

        # ---- assessment
        self.assessment_tabs = QTabWidget()
        self.assessment_tabs.setAccessibleName("Assessment by jurisdiction")
        self.assessments: dict[str, QTextBrowser] = {}
        for code in self.jurisdictions:
            text = QTextBrowser()
            text.setAccessibleName(f"{code} assessment")
            text.setOpenLinks(False)
            text.document().setDefaultStyleSheet(RICH_TEXT)
            self.assessment_tabs.addTab(text, code)
            self.assessments[code] = text
        assessment_box = QGroupBox("Assessment today")
        QVBoxLayout(assessment_box).addWidget(self.assessment_tabs)

        # ---- decision
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("Comment with the approval (optional)")
        self.comment.setAccessibleName("Approval comment")
        self.approve_button = QPushButton("Approve…")
        self.approve_button.setAccessibleName("Approve the finding")
        self.approve_button.clicked.connect(self.approve)
        self.reject_button = QPushButton("Reject…")
        self.reject_button.setAccessibleName("Reject the finding")
        self.reject_button.clicked.connect(self.reject)
        shortcuts.bind(self, "approve", self._approve_key)  # Ctrl+Return, Ctrl+Enter

        # ---- layout: stone on top; evidence over assessment | document
        centre = QSplitter(Qt.Vertical)
        centre.setChildrenCollapsible(False)
        centre.addWidget(evidence_box)
        centre.addWidget(assessment_box)
        centre.setSizes([280, 260])
        middle = QSplitter(Qt.Horizontal)
        middle.setChildrenCollapsible(False)
        middle.addWidget(centre)
        middle.addWidget(preview_box)
        middle.setStretchFactor(0, 11)
        middle.setStretchFactor(1, 9)
        middle.setSizes([550, 450])

        self.details = QWidget()
        details = QVBoxLayout(self.details)
        details.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        header.addWidget(self.heading, 1)
        header.addWidget(self.open_stone)
        details.addLayout(header)
        details.addWidget(self.proposal)
        details.addWidget(self.stone_box)
        details.addWidget(middle, 1)
        self.decision_note = QLabel()
        self.decision_note.setObjectName("Locked")
        self.decision_note.setAccessibleName("Why the decision buttons are disabled")
        self.decision_note.setWordWrap(True)
        details.addWidget(self.decision_note)
        decision = QHBoxLayout()
        decision.addWidget(self.comment, 1)
        decision.addWidget(self.reject_button)
        decision.addWidget(self.approve_button)
        details.addLayout(decision)

        self.empty = QLabel("No finding awaits review.")
        self.empty.setObjectName("Hint")
        self.empty.setAlignment(Qt.AlignCenter)
        self.right = QStackedWidget()
        self.right.addWidget(self.details)
        self.right.addWidget(self.empty)
        self.right.installEventFilter(self)   # the facts reflow with the pane's width

        split = QSplitter(Qt.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(queue_box)
        split.addWidget(self.right)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([190, 1000])
        self.outer.addWidget(self._rules_banner())
        self.outer.addWidget(split, 1)
        self._set_buttons()

    def _lay_out_facts(self, columns: int) -> None:
        """The stone's facts, ``columns`` (caption, value) pairs to a row."""
        if columns == self.fact_columns:
            return
        grid = self.facts_grid
        for name in STONE_FACTS:
            grid.removeWidget(self.fact_captions[name])
            grid.removeWidget(self.stone_facts[name])
        for column in range(6):
            grid.setColumnStretch(column, 0)
        for index, name in enumerate(STONE_FACTS):
            row, pair = divmod(index, columns)
            grid.addWidget(self.fact_captions[name], row, pair * 2)
            grid.addWidget(self.stone_facts[name], row, pair * 2 + 1)
        for pair in range(columns):
            grid.setColumnStretch(pair * 2 + 1, 1)
        self.fact_columns = columns

    def eventFilter(self, watched, event) -> bool:
        if watched is self.right and event.type() == QEvent.Resize:
            self._lay_out_facts(3 if event.size().width() >= WIDE_FACTS else 2)
        return super().eventFilter(watched, event)

    def _rules_banner(self) -> QFrame:
        """Shown when new origin rules moved the outcome of findings already made."""
        self.rules_banner = QFrame()
        self.rules_banner.setObjectName("RulesBanner")
        self.rules_banner.setAccessibleName("Rules changes")
        self.rules_text = QLabel()
        self.rules_text.setWordWrap(True)
        self.rules_button = QPushButton("Review the changes…")
        self.rules_button.setAccessibleName("Review the stones the new rules moved")
        self.rules_button.clicked.connect(self.show_rule_changes)
        self.reassess_button = QPushButton("Re-assess now…")
        self.reassess_button.setAccessibleName("Re-assess the findings under the new rules")
        self.reassess_button.clicked.connect(lambda: self.window_.reassess())
        row = QHBoxLayout(self.rules_banner)
        row.setContentsMargins(10, 6, 10, 6)
        row.addWidget(self.rules_text, 1)
        row.addWidget(self.reassess_button)
        row.addWidget(self.rules_button)
        self.rules_banner.hide()
        return self.rules_banner

    def update_rules_banner(self) -> None:
        """What the banner says: new rules not yet applied, or the stones they moved."""
        try:
            pending = self.lab.rules_review_needed()
            changes = self.lab.rule_changes(status="open") if not pending else []
        except LabError as exc:
            self.rules_text.setText(str(exc))
            self.rules_button.hide()
            self.reassess_button.hide()
            self.rules_banner.show()
            return
        if pending:
            self.rules_text.setText(
                "New origin rules are in use (" + ", ".join(f"{c} {v}" for c, v in
                                                             pending.items())
                + "): the findings already made must be assessed again under them before "
                  "a report is issued.")
        elif changes:
            self.rules_text.setText(f"{summary(changes)}. A supervisor decides on each.")
        self.reassess_button.setVisible(bool(pending))
        self.rules_button.setVisible(bool(changes))
        self.rules_banner.setVisible(bool(pending or changes))

    def show_rule_changes(self) -> RuleChangesDialog:
        dialog = RuleChangesDialog(self.lab, self, open_stone=self.window_.open_stone)
        dialog.finished.connect(lambda _result: (self.update_rules_banner(),
                                                 self.reload()))
        dialog.open()
        return dialog

    # ------------------------------------------------------------------ reading
    def refresh(self) -> None:
        current = self.finding.stone if self.finding else None
        self.update_rules_banner()
        self.reload(select=current)

    def reload(self, select: str | None = None) -> None:
        findings = self.act(self.lab.review_queue)
        if findings is None:
            return
        self.findings = findings
        me = self.lab.user
        self.queue.blockSignals(True)
        self.queue.clear()
        row_to_select = 0
        for row, f in enumerate(findings):
            mine = me is not None and f.proposed_by == me.username
            text = (f"{f.stone} · {f.proposed_by_name}{' (you)' if mine else ''}\n"
                    f"{ORIGIN_SHORT.get(f.origin, f.origin)} · {local_date(f.proposed_at)}")
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, f.stone)
            item.setToolTip(f"{f.stone}: {origin_words(f.origin, f.mining_country)}, "
                            f"proposed by {f.proposed_by_name}{' (you)' if mine else ''} "
                            f"on {local_time(f.proposed_at)}")
            self.queue.addItem(item)
            if f.stone == select:
                row_to_select = row
        self.queue.blockSignals(False)
        count = len(findings)
        self.queue_count.setText("No finding awaits review." if not count else
                                 f"{plural(count, 'finding')} awaiting review")
        if findings:
            self.queue.setCurrentRow(row_to_select)
            self._show(findings[row_to_select])
        else:
            self._show(None)

    def _picked(self, item, _previous=None):
        if item is None:
            return
        number = item.data(Qt.UserRole)
        finding = next((f for f in self.findings if f.stone == number), None)
        self._show(finding)

    def _show(self, finding) -> None:
        self.finding, self.detail = finding, None
        if finding is None:
            self.right.setCurrentWidget(self.empty)
            self._set_buttons()
            return
        detail = self.act(self.lab.stone_detail, finding.stone)
        if detail is None:
            self.right.setCurrentWidget(self.empty)
            self._set_buttons()
            return
        self.detail = detail
        self.right.setCurrentWidget(self.details)
        stone = detail.stone
        origin = origin_words(finding.origin, finding.mining_country)
        self.heading.setText(f"{stone.number} — {origin}")
        statement = finding.statement or "(no statement)"
        self.proposal.setText(f"Proposed by <b>{finding.proposed_by_name}</b> on "
                              f"{local_time(finding.proposed_at)}: “{escape(statement)}”")
        self._fill_stone(stone)
        self._fill_evidence(detail.evidence, finding)
        self._fill_assessments(finding)
        self.comment.clear()
        self._set_buttons()

    def _fill_stone(self, stone) -> None:
        colour = stone.colour or ""
        group = grading.colour_group(stone.colour)
        if group:
            colour += f" ({group})"
        identification = grading.label(stone.identification)
        if stone.growth_method:
            identification += f", {stone.growth_method}"
        values = {
            "Carat weight": f"{stone.weight} ct", "Identification": identification,
            "Shape": grading.label(stone.shape), "Colour": colour,
            "Clarity": stone.clarity, "Fluorescence": grading.label(stone.fluorescence),
            "Measurements": stone.measurements and f"{stone.measurements} mm",
            "Inscription": stone.inscription, "Client": stone.client,
            "Client reference": stone.client_ref, "Submission": stone.submission,
            "Received": local_time(stone.received_at)}
        for name, label in self.stone_facts.items():
            label.setText(values.get(name) or "—")   # elided where narrow, whole in its tip

    def _fill_evidence(self, evidence, finding) -> None:
        self.evidence.clear()
        proposed = set(finding.evidence_ids)
        first_document = None
        for ev in evidence:
            where = "parcel" if ev.level == "submission" else "stone"
            title = kind_label(ev.kind)
            reference = ev.fields.get("reference")
            heading = f"{title} {reference or ''} (on the {where})"
            if ev.id not in proposed:
                heading += " — added after the proposal"
            top = QTreeWidgetItem([heading])
            top.setToolTip(0, f"{heading}; recorded by {ev.created_by} on "
                              f"{local_time(ev.created_at)}")
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for name, value in ev.fields.items():
                if name == "reference":
                    continue
                if value not in (None, "", []):
                    text = value_words(name, value)
                    child = QTreeWidgetItem([FIELD_LABELS.get(name, name), text])
                    child.setToolTip(1, text)
                    top.addChild(child)
            for attachment in ev.attachments:
                doc = QTreeWidgetItem(["Document", attachment.filename])
                doc.setData(0, Qt.UserRole, attachment)
                doc.setToolTip(1, f"{attachment.filename} ({attachment.media_type}, "
                                  f"{attachment.size:,} bytes); SHA-256 "
                                  f"{attachment.sha256[:16]}…")
                top.addChild(doc)
                if first_document is None:
                    first_document = doc
            self.evidence.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            top.setExpanded(True)
        if not evidence:
            self.evidence.addTopLevelItem(QTreeWidgetItem(["No evidence recorded", ""]))
        self.preview.show_nothing()
        if first_document is not None:
            self.evidence.setCurrentItem(first_document)
        self.evidence.scrollToTop()

    def _evidence_picked(self, item, _previous=None):
        attachment = item.data(0, Qt.UserRole) if item is not None else None
        if attachment is None or self.preview.shown == attachment.sha256:
            return
        try:
            path = self.lab.document_path(attachment.sha256)
            self.preview.show_document(path, attachment.media_type, attachment.sha256)
        except LabError as exc:
            self.preview.show_nothing(str(exc))
            self.message.error(f"{attachment.filename}: {exc}")
        except Exception as exc:  # an unreadable file: say so, do not crash the page
            self.preview.show_nothing(f"{attachment.filename} cannot be shown: {exc}")

    def _fill_assessments(self, finding) -> None:
        for index, code in enumerate(self.jurisdictions):
            browser = self.assessments[code]
            try:
                a = self.lab.assess(finding.stone, code)
            except LabError as exc:
                browser.setHtml(f"<p>{escape(str(exc))}</p>")
                self.assessment_tabs.setTabText(index, code)
                continue
            words = outcome_words(a.outcome)
            self.assessment_tabs.setTabText(index, f"{code}: {words}")
            recorded = (finding.assessments or {}).get(code, {})
            then = recorded.get("outcome")
            scope = "in scope" if a.in_scope else "not in scope"
            parts = [(f"<p><span class='outcome {escape(a.outcome)}'>{words}</span> &nbsp;"
                      f"<span class='muted'>{a.ruleset}, {scope}, on "
                      f"{a.on.isoformat()}</span></p>")]
            if then and then != a.outcome:
                parts.append(f"<p class='bad'><b>Changed since the proposal</b>: "
                             f"it was {outcome_words(then)} on "
                             f"{recorded.get('on', '?')}.</p>")
            elif then:
                parts.append(f"<p class='muted'>The same at the proposal "
                             f"({recorded.get('on', '?')}).</p>")
            parts.append("<ul>" + "".join(f"<li>{escape(r)}</li>" for r in a.reasons)
                         + "</ul>")
            if a.missing:
                parts.append("<p><b>Evidence that would satisfy the rules:</b></p><ul>" +
                             "".join(f"<li>{escape(m)}</li>" for m in a.missing) +
                             "</ul>")
            browser.setHtml("".join(parts))

    # ------------------------------------------------------------------ guards
    def allowed(self, action: str) -> Permission:
        """Whether the logged-in user may ``approve`` or ``reject`` the finding shown, as
        ``Lab`` decided (the stone's ``StoneDetail.actions``)."""
        if self.finding is None or self.detail is None:
            return NO_FINDING
        return self.detail.actions[action]

    def _set_buttons(self) -> None:
        for button, action, what in (
                (self.approve_button, "approve", f"Approve this finding ({shortcuts.keys('approve')})"),
                (self.reject_button, "reject", "Reject this finding")):
            allowed = self.allowed(action)
            button.setEnabled(allowed.allowed)
            button.setToolTip(signing.tooltip(allowed, f"{what}: you sign it with your "
                                                       f"password"))
        why = self.allowed("approve").why
        self.comment.setEnabled(why is None)
        self.decision_note.setText(why or "")
        self.decision_note.setVisible(bool(why) and self.finding is not None)

    # ------------------------------------------------------------------ actions
    def _open_stone(self):
        if self.finding is not None:
            self.window_.open_stone(self.finding.stone)

    def _approve_key(self):
        if self.finding is not None:
            self.approve()     # refused, it says why in the message bar

    def approve(self) -> None:
        number = self.finding.stone if self.finding else ""
        comment = self.comment.text().strip()
        signed = signing.sign(
            self, self.allowed("approve"),
            Signature(meaning=APPROVE_MEANING, subject=number, verb="approved"),
            lambda _reason, password: self.lab.approve(number, comment, password=password))
        if signed is not None:
            self._after_decision(number, f"{number}: finding approved and signed by "
                                         f"{signed.signer}. The stone is locked and "
                                         f"ready for its report.")

    def reject(self) -> None:
        number = self.finding.stone if self.finding else ""
        signed = signing.sign(
            self, self.allowed("reject"),
            Signature(meaning=REJECT_MEANING, subject=number, verb="rejected",
                      reason_title=f"Reject the finding for {number}",
                      reason_prompt="Why is this finding rejected? The technician reads "
                                    "this and proposes again.", reason_for="rejection"),
            lambda reason, password: self.lab.reject(number, reason, password=password))
        if signed is not None:
            self._after_decision(number, f"{number}: finding rejected ({signed.reason}). "
                                         f"It is back with the technician.")

    def _after_decision(self, number: str, text: str) -> None:
        row = next((i for i, f in enumerate(self.findings) if f.stone == number), 0)
        following = self.findings[row + 1].stone if row + 1 < len(self.findings) else None
        self.reload(select=following)
        self.message.info(text)

