"""The documents of one piece of evidence: a list with each file's SHA-256 and an
integrity mark, a thumbnail for images, an in-app preview (PDF pages or the image), and
attaching by a file dialog or by dropping files on the panel.

Every file is read through ``Lab.document_path``, which checks the stored bytes against
their SHA-256 first: a document altered on disk is marked ✖ and never shown.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel,
                               QPushButton, QScrollArea, QSplitter, QStackedWidget,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from labdesk.core.evidence import kind_label
from labdesk.errors import LabError
from labdesk.ui import dialogs, shortcuts
from labdesk.ui.widgets import PdfView, brush
from labdesk.ui.wording import MEDIA_WORDS, local_time

COLUMNS = ("File", "Size", "Type", "SHA-256", "Integrity")
THUMB = 40
FILE_FILTER = ("Documents (*.pdf *.png *.jpg *.jpeg *.tif *.tiff *.gif *.webp);;"
               "All files (*)")


def size_text(size: int) -> str:
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.1f} kB"
    return f"{size / 1_000_000:.1f} MB"


class DocumentsPanel(QWidget):
    """``view`` is the page it sits in (its message bar shows what happened).
    ``attached`` is emitted after files were attached, so the page re-reads the stone."""

    attached = Signal()

    def __init__(self, lab, view, parent=None):
        super().__init__(parent)
        self.lab = lab
        self.view = view
        self.evidence = None          # the Evidence whose documents are listed
        self.blocked: str | None = "Select a piece of evidence first."
        self.integrity: dict[str, str | None] = {}   # sha256 -> None (intact) or problem
        self.paths: dict[str, Path] = {}             # sha256 -> verified path
        self.thumbnails: dict[str, QPixmap] = {}
        self.shown: str | None = None                # the sha256 previewed
        self._image: QPixmap | None = None
        self.setAcceptDrops(True)
        self.setAccessibleName("Documents")

        self.caption = QLabel("Documents")
        self.caption.setObjectName("Caption")
        self.caption.setWordWrap(True)
        self.attach_button = QPushButton("Attach…")
        self.attach_button.setAccessibleName("Attach a document")
        self.attach_button.clicked.connect(self.attach_dialog)
        shortcuts.bind(self, "attach", self.attach_dialog)  # while the panel is shown

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Documents of the evidence")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setIconSize(QSize(THUMB, THUMB))
        self.table.setMinimumHeight(90)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(THUMB + 6)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        for column in range(1, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeToContents)
        self.table.currentCellChanged.connect(lambda *_: self._preview_current())

        self.drop_hint = QLabel("Drop PDF or image files here to attach them.")
        self.drop_hint.setObjectName("Hint")
        self.drop_hint.setWordWrap(True)

        self.placeholder = QLabel("Select a document to preview it.")
        self.placeholder.setObjectName("Hint")
        self.placeholder.setAlignment(Qt.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.pdf = PdfView()
        self.image = QLabel()
        self.image.setAccessibleName("Image preview")
        self.image.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        self.image_area = QScrollArea()
        self.image_area.setWidgetResizable(True)
        self.image_area.setWidget(self.image)
        self.preview = QStackedWidget()
        self.preview.setAccessibleName("Document preview")
        for widget in (self.placeholder, self.pdf, self.image_area):
            self.preview.addWidget(widget)

        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.caption, 1)
        row.addWidget(self.attach_button)
        top_layout.addLayout(row)
        top_layout.addWidget(self.table, 1)
        top_layout.addWidget(self.drop_hint)
        split = QSplitter(Qt.Vertical)
        split.setChildrenCollapsible(False)
        split.addWidget(top)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([200, 600])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)
        self.set_evidence(None, None)

    # ------------------------------------------------------------------ showing
    def set_evidence(self, evidence, blocked: str | None) -> None:
        """List ``evidence``'s documents; ``blocked`` says why nothing may be attached
        (None when attaching is allowed)."""
        previous = self.shown if self.evidence is not None and evidence is not None \
            and self.evidence.id == evidence.id else None
        self.evidence = evidence
        self.blocked = "Select a piece of evidence first." if evidence is None else blocked
        if evidence is None:
            self.caption.setText("Documents")
        else:
            reference = evidence.fields.get("reference")
            self.caption.setText(f"Documents of the {kind_label(evidence.kind)}"
                                 + (f" {reference}" if reference else ""))
        self.attach_button.setEnabled(self.blocked is None)
        self.attach_button.setToolTip(f"Attach a PDF or an image ({shortcuts.keys('attach')}); or drop files "
                                      "on this panel" if self.blocked is None
                                      else self.blocked)
        self.drop_hint.setText("Drop PDF or image files here to attach them."
                               if self.blocked is None else
                               "Attaching is closed. " + self.blocked)
        self._fill(previous)

    def _fill(self, select: str | None) -> None:
        attachments = self.evidence.attachments if self.evidence is not None else ()
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        self.table.setRowCount(len(attachments))
        select_row = 0
        for row, att in enumerate(attachments):
            problem = self._verify(att)
            name = QTableWidgetItem(att.filename)
            name.setData(Qt.UserRole, att.sha256)
            name.setToolTip(f"{att.filename}, attached by {att.created_by} on "
                            f"{local_time(att.created_at)}")
            thumb = self.thumbnails.get(att.sha256)
            if thumb is not None:
                name.setIcon(QIcon(thumb))
            size = QTableWidgetItem(size_text(att.size))
            size.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
            size.setToolTip(f"{att.size:,} bytes")
            kind = QTableWidgetItem(MEDIA_WORDS.get(att.media_type, att.media_type))
            kind.setToolTip(att.media_type)
            sha = QTableWidgetItem(att.sha256[:12] + "…")
            sha.setToolTip(f"SHA-256 {att.sha256}")
            sha.setFont(_mono(sha))
            mark = QTableWidgetItem("✔ intact" if problem is None else "✖ altered")
            mark.setForeground(brush("good" if problem is None else "bad"))
            mark.setToolTip("The stored file still matches its SHA-256." if problem is None
                            else problem)
            for column, item in enumerate((name, size, kind, sha, mark)):
                self.table.setItem(row, column, item)
            if att.sha256 == select:
                select_row = row
        self.table.blockSignals(False)
        if attachments:
            self.table.setCurrentCell(select_row, 0)
            self._preview_current(force=select is None)
        else:
            self._show_nothing("No document attached yet." if self.evidence is not None
                               else "Select a piece of evidence to see its documents.")

    def _verify(self, attachment) -> str | None:
        """Check a document against its SHA-256 (through Lab); make its thumbnail."""
        sha = attachment.sha256
        try:
            path = self.lab.document_path(sha)
        except LabError as exc:
            self.integrity[sha] = str(exc)
            self.paths.pop(sha, None)
            self.thumbnails.pop(sha, None)
            return str(exc)
        self.integrity[sha] = None
        self.paths[sha] = path
        if attachment.media_type.startswith("image/") and sha not in self.thumbnails:
            pixmap = QPixmap(str(path))
            if not pixmap.isNull():
                self.thumbnails[sha] = pixmap.scaled(THUMB, THUMB, Qt.KeepAspectRatio,
                                                     Qt.SmoothTransformation)
        return None

    def current_attachment(self):
        row = self.table.currentRow()
        if self.evidence is None or row < 0:
            return None
        sha = self.table.item(row, 0).data(Qt.UserRole)
        return next((a for a in self.evidence.attachments if a.sha256 == sha), None)

    def _preview_current(self, force: bool = True) -> None:
        att = self.current_attachment()
        if att is None:
            self._show_nothing("Select a document to preview it.")
            return
        if att.sha256 == self.shown and not force:
            return
        problem = self.integrity.get(att.sha256)
        if problem is not None:
            self._show_nothing(f"{att.filename} is not shown: {problem}")
            return
        path = self.paths[att.sha256]
        try:
            if att.media_type == "application/pdf":
                width = max(300, min(720, self.preview.width() - 40))
                self.pdf.load(path, width=width)
                self.image.clear()
                self._image = None
                self.preview.setCurrentWidget(self.pdf)
            elif att.media_type.startswith("image/"):
                pixmap = QPixmap(str(path))
                if pixmap.isNull():
                    self._show_nothing(f"{att.filename} ({att.media_type}) cannot be shown "
                                       f"here.")
                    return
                self.pdf.clear()
                self._image = pixmap
                self._scale_image()
                self.preview.setCurrentWidget(self.image_area)
            else:
                self._show_nothing(f"A {att.media_type} document cannot be shown here.")
                return
        except Exception as exc:  # a damaged file: say so, never crash the page
            self._show_nothing(f"{att.filename} cannot be shown: {exc}")
            return
        self.shown = att.sha256

    def _scale_image(self) -> None:
        if self._image is None:
            return
        width = max(200, self.image_area.width() - 24)
        pixmap = self._image
        if pixmap.width() > width:
            pixmap = pixmap.scaledToWidth(width, Qt.SmoothTransformation)
        self.image.setPixmap(pixmap)

    def _show_nothing(self, text: str) -> None:
        self.placeholder.setText(text)
        self.pdf.clear()
        self.image.clear()
        self._image = None
        self.shown = None
        self.preview.setCurrentWidget(self.placeholder)

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._scale_image()

    # ------------------------------------------------------------------ attaching
    def attach_dialog(self) -> None:
        if self.blocked is not None:
            self.view.message.error(self.blocked)
            return
        path = dialogs.ask_open_file(self, "Attach a document", FILE_FILTER)
        if path:
            self.attach_files([path])

    def attach_files(self, paths) -> list:
        """Attach each file to the evidence; one message says what was attached and what
        was refused (and why)."""
        if self.evidence is None or self.blocked is not None:
            self.view.message.error(self.blocked or "Select a piece of evidence first.")
            return []
        done, problems = [], []
        for path in paths:
            try:
                done.append(self.lab.attach(self.evidence.id, path))
            except LabError as exc:
                problems.append(str(exc))
        if done:
            last = done[-1].sha256
            self.shown = None
            self.attached.emit()
            self._select(last)
        names = ", ".join(a.filename for a in done)
        if problems:
            prefix = f"Attached {names}. Not attached: " if done else ""
            self.view.message.error(prefix + "; ".join(problems))
        elif done:
            self.view.message.info(f"Attached {names} (SHA-256 "
                                   f"{done[-1].sha256[:12]}…).")
        return done

    def _select(self, sha256: str) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == sha256:
                self.table.setCurrentCell(row, 0)
                self._preview_current(force=False)
                return

    @staticmethod
    def _local_files(mime) -> list[str]:
        if mime is None or not mime.hasUrls():
            return []
        urls = mime.urls()
        if not urls or not all(u.isLocalFile() for u in urls):
            return []
        return [u.toLocalFile() for u in urls]

    def dragEnterEvent(self, event):
        if not self._local_files(event.mimeData()):
            event.ignore()
            return
        if self.blocked is not None:
            self.view.message.error(self.blocked)
            event.ignore()
            return
        event.acceptProposedAction()

    def dragMoveEvent(self, event):
        if self.blocked is None and self._local_files(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):
        files = self._local_files(event.mimeData())
        if not files:
            event.ignore()
            return
        if self.blocked is not None:
            self.view.message.error(self.blocked)
            event.ignore()
            return
        event.acceptProposedAction()
        self.attach_files(files)


def _mono(item: QTableWidgetItem):
    font = item.font()
    font.setFamily("DejaVu Sans Mono")
    font.setStyleHint(font.StyleHint.Monospace)
    return font
