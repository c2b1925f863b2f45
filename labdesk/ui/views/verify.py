"""Verify: is this report genuine?  A field that has focus on entry takes a barcode
scanner's input (which ends with Enter) or pasted text; a photo, scan or report PDF can be
opened or dropped on the page, and its QR code is read.  The verdict is shown large, with
the signed claim's facts beside it, in words."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from labdesk.ui import dialogs, shortcuts
from labdesk.ui.views.base import View
from labdesk.ui.widgets import form_row, labelled, restyle
from labdesk.ui.wording import CLAIM_FACTS, as_sentence, claim_facts, escape
from labdesk.ui.worker import run_task

VERDICTS = {  # status -> (headline, kind for the style sheet)
    "valid": ("✔ Valid", "valid"),
    "revoked": ("✖ Revoked", "bad"),
    "superseded": ("⚠ Superseded", "warn"),
    "forged": ("✖ Forged", "bad"),
    "malformed": ("✖ Malformed", "bad"),
    "unknown_key": ("✖ Unknown key", "bad"),
}
GOOD_OR_WITHDRAWN = ("valid", "revoked", "superseded")
#: The claim's facts, named as on the page (one vocabulary: ``labdesk.ui.wording``).
FACTS = CLAIM_FACTS
FILE_FILTER = "Images and PDF (*.png *.jpg *.jpeg *.gif *.bmp *.tif *.tiff *.webp *.pdf)"


class VerifyView(View):
    title = "Verify"
    hint = ("Scan a report's QR code, paste its text or link, or open or drop a photo, "
            "scan or PDF of the report. The signature is checked on this computer; "
            "nothing is sent anywhere.")

    def __init__(self, lab, window):
        super().__init__(lab, window)
        self.result = None   # the last Verification
        self.task = None     # a running QR read
        self.codes: list[str] = []
        self._file: Path | None = None
        self.setAcceptDrops(True)

        self.input = QLineEdit()
        self.input.setPlaceholderText("Scan or paste the report's QR code text or link, "
                                      "then Enter")
        self.input.setAccessibleName("Report QR code text")
        self.input.setClearButtonEnabled(True)
        self.input.setAcceptDrops(False)  # files and text dropped go to the page
        self.input.setMinimumHeight(34)
        self.input.setObjectName("ScanInput")
        self.input.returnPressed.connect(self._verify_input)
        self.verify_button = QPushButton("Verify")
        self.verify_button.setAccessibleName("Verify the text")
        self.verify_button.setToolTip("Check the scanned or pasted text (Enter)")
        self.verify_button.clicked.connect(self._verify_input)
        self.open_button = QPushButton("Open image or PDF…")
        self.open_button.setAccessibleName("Open an image or PDF of a report")
        self.open_button.setToolTip("Read the QR code in a photo, scan or report PDF "
                                    f"({shortcuts.keys('open_file')}); you can also "
                                    "drop the file on this page")
        self.open_button.clicked.connect(self.open_file)
        shortcuts.bind(self, "open_file", self.open_file)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.verify_button)
        row.addWidget(self.open_button)
        self.outer.addLayout(row)

        self.codes_box = QComboBox()
        self.codes_box.currentIndexChanged.connect(self._code_picked)
        self.codes_label = labelled("QR codes found:", self.codes_box,
                                    name="QR codes found in the file")
        codes_row = QHBoxLayout()
        codes_row.addWidget(self.codes_label)
        codes_row.addWidget(self.codes_box, 1)
        self.codes_row = QWidget()
        self.codes_row.setLayout(codes_row)
        codes_row.setContentsMargins(0, 0, 0, 0)
        self.codes_row.hide()
        self.outer.addWidget(self.codes_row)

        # the verdict, large, with what it means
        self.verdict = QLabel("Scan a report to check it")
        self.verdict.setObjectName("Verdict")
        self.verdict.setAccessibleName("Verdict")
        self.verdict.setAlignment(Qt.AlignCenter)
        self.verdict.setMinimumHeight(90)
        self.summary = QLabel()
        self.summary.setAccessibleName("What the verdict means")
        self.summary.setWordWrap(True)
        self.summary.setObjectName("VerdictSummary")
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.problems = QLabel()
        self.problems.setAccessibleName("Problems found")
        self.problems.setWordWrap(True)
        self.problems.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.source = QLabel()
        self.source.setObjectName("Hint")
        self.source.setWordWrap(True)
        self.open_report = QPushButton("Open report")
        self.open_report.setAccessibleName("Open the report in the lab's records")
        self.open_report.clicked.connect(lambda: self._open_report(self.result.report))
        self.open_successor = QPushButton("Open the new report")
        self.open_successor.setAccessibleName("Open the report that replaced it")
        self.open_successor.clicked.connect(
            lambda: self._open_report(self.result.successor))
        links = QHBoxLayout()
        links.addWidget(self.open_report)
        links.addWidget(self.open_successor)
        links.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.verdict)
        left_layout.addWidget(self.summary)
        left_layout.addWidget(self.problems)
        left_layout.addLayout(links)
        left_layout.addWidget(self.source)
        left_layout.addStretch(1)

        self.facts_box = QGroupBox("What the signed claim says")
        form = QFormLayout(self.facts_box)
        form.setLabelAlignment(Qt.AlignRight)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(8)
        self.facts: dict[str, QLabel] = {}
        for name in FACTS:
            value = QLabel("—")
            value.setTextInteractionFlags(Qt.TextSelectableByMouse)
            value.setWordWrap(True)
            value.setObjectName("ClaimFact")
            form_row(form, f"{name}:", value)
            self.facts[name] = value
        note = QLabel("A genuine, current report says exactly this. Compare it with the "
                      "paper and the stone.")
        note.setObjectName("Hint")
        note.setWordWrap(True)
        form.addRow(note)

        body = QHBoxLayout()
        body.addWidget(left, 3)
        line = QFrame()
        line.setFrameShape(QFrame.VLine)
        line.setFrameShadow(QFrame.Sunken)
        body.addWidget(line)
        body.addWidget(self.facts_box, 2)
        self.outer.addLayout(body, 1)
        self._show(None)

    # ------------------------------------------------------------------ entry
    def refresh(self) -> None:
        self.input.setFocus()
        self.input.selectAll()

    def showEvent(self, event):
        super().showEvent(event)
        self.input.setFocus()

    def _verify_input(self) -> None:
        text = self.input.text().strip()
        if not text:
            self.message.error("Scan a report's QR code or paste its text first.")
            return
        self.codes_row.hide()
        self.verify_text(text, source="Checked the scanned or pasted text.")

    def verify_text(self, text: str, source: str | None = None) -> None:
        """Check ``text`` (a token, a link with the token after '#', or QR text) and show
        the verdict.  Scanner input: the field is selected, so the next scan replaces it."""
        text = str(text or "").strip()
        if self.input.text().strip() != text:
            self.input.setText(text)
        self.message.clear_message()
        result = self.act(self.lab.verify, text)
        self.source.setText(source or "")
        self._show(result)
        self.input.setFocus()
        self.input.selectAll()

    # ------------------------------------------------------------------ files
    def open_file(self) -> None:
        if self.task is not None:
            return
        path = dialogs.ask_open_file(self, "Open a photo, scan or PDF of a report",
                                     FILE_FILTER)
        if path:
            self.verify_file(path)

    def verify_file(self, path) -> None:
        """Read the QR codes in an image or PDF (off the GUI thread), then verify."""
        if self.task is not None:
            self.message.error("Still reading the previous file; a moment please.")
            return
        path = Path(path)
        self.message.info(f"Reading the QR code in {path.name}…")
        self.open_button.setEnabled(False)
        lab = self.lab
        self.task = run_task(self, lambda progress: lab.read_qr_codes(path),
                             lambda codes: self._codes_read(path, codes),
                             self._read_failed, title=f"Reading {path.name}")

    def _codes_read(self, path: Path, codes: list) -> None:
        self.task = None
        self.open_button.setEnabled(True)
        self.codes = list(codes)
        if not self.codes:
            self.codes_row.hide()
            self._show(None)
            self.message.error(f"No QR code was found in {path.name}. Try a sharper or "
                               f"larger picture of the report's QR code.")
            return
        # a report's own code first, then anything else the picture holds
        self.codes.sort(key=lambda c: 0 if ("LD1." in c) else 1)
        self.codes_box.blockSignals(True)
        self.codes_box.clear()
        for index, code in enumerate(self.codes, start=1):
            shown = code if len(code) <= 70 else code[:67] + "…"
            self.codes_box.addItem(f"{index}: {shown}", code)
        self.codes_box.setCurrentIndex(0)
        self.codes_box.blockSignals(False)
        self.codes_row.setVisible(len(self.codes) > 1)
        self._file = path
        self.verify_text(self.codes[0], source=self._file_source(path, 0))

    def _file_source(self, path: Path, index: int) -> str:
        many = f" (code {index + 1} of {len(self.codes)})" if len(self.codes) > 1 else ""
        return f"Read from the QR code in {path.name}{many}."

    def _code_picked(self, index: int) -> None:
        if 0 <= index < len(self.codes):
            self.verify_text(self.codes[index], source=self._file_source(self._file, index))

    def _read_failed(self, text: str) -> None:
        self.task = None
        self.open_button.setEnabled(True)
        self.message.error(text)

    # ------------------------------------------------------------------ drops
    def dragEnterEvent(self, event):
        mime = event.mimeData()
        if any(url.isLocalFile() for url in mime.urls()) or mime.hasText():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        self.dragEnterEvent(event)

    def dropEvent(self, event):
        mime = event.mimeData()
        files = [url.toLocalFile() for url in mime.urls() if url.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.verify_file(files[0])
        elif mime.hasText() and mime.text().strip():
            event.acceptProposedAction()
            self.codes_row.hide()
            self.verify_text(mime.text().strip(), source="Checked the dropped text.")
        else:
            event.ignore()

    # ------------------------------------------------------------------ showing
    def _show(self, result) -> None:
        self.result = result
        if result is None:
            headline, kind = "Scan a report to check it", ""
            self.summary.setText("")
            self.problems.setText("")
        else:
            headline, kind = VERDICTS.get(result.status, (result.status, "bad"))
            self.summary.setText(result.summary if result.status in GOOD_OR_WITHDRAWN
                                 else "Not genuine: do not trust this report.")
            notes = [as_sentence(p) for p in result.problems]
            if not result.revocations_checked:
                notes.append("The revocation list could not be checked.")
            self.problems.setText("".join(f"• {escape(p)}<br>" for p in notes))
        self.verdict.setText(headline)
        restyle(self.verdict, kind=kind)
        self.problems.setVisible(bool(self.problems.text()))
        facts = claim_facts(result.claim if result else {})
        for name, label in self.facts.items():
            label.setText(facts.get(name) or "—")
        self.facts_box.setEnabled(bool(result and result.claim))
        known = result is not None and result.report and \
            result.status in GOOD_OR_WITHDRAWN and not self._unknown_here(result)
        self.open_report.setVisible(bool(known))
        self.open_successor.setVisible(bool(result and result.successor))

    @staticmethod
    def _unknown_here(result) -> bool:
        return any("has no record of report" in p for p in result.problems)

    @property
    def verdict_kind(self) -> str:
        return self.verdict.property("kind") or ""

    def _open_report(self, number: str | None) -> None:
        if number:
            self.window_.open_report(number)

