"""The user manual, read inside LabDesk: Help › User manual and F1 open the part for the
page shown, from the files installed with LabDesk (``labdesk.resources/manual``: Markdown
and the screenshots ``labdesk screenshots`` makes).  Nothing is fetched from the network:
the viewer follows links between the manual's own files, and says so for any other.

The manual names what is on screen in bold (**Receive stones**); tests/ui/test_manual.py
checks that every such name is a button, tab, page, menu entry or field label of the real
window, so the manual cannot drift from the screens it describes."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QKeySequence, QShortcut, QTextCursor, QTextDocument
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QPushButton, QTextBrowser,
                               QVBoxLayout, QWidget)

#: The manual's parts, in the order of its contents: (file, title).
PARTS = (("index.md", "Contents"),
         ("technician.md", "Technicians"),
         ("supervisor.md", "Supervisors"),
         ("admin.md", "Admins"),
         ("retailer.md", "Retailers"))

#: The part and the section (its heading, as written) that F1 opens on each page; the
#: Stone page's by the tab shown (its tab's text, mnemonics and counts left out).
FOR_PAGE = {
    "dashboard": ("supervisor.md", "Watch the lab: the Dashboard"),
    "intake": ("technician.md", "Receive stones one by one"),
    "stones": ("technician.md", "Find a stone"),
    "stone": ("technician.md", "Record the grading facts"),
    "review": ("supervisor.md", "Review a finding: approve or reject"),
    "reports": ("supervisor.md", "Issue reports"),
    "verify": ("technician.md", "Check a report at the desk"),
    "audit": ("admin.md", "The audit trail and the integrity check"),
    "settings": ("admin.md", "The lab's profile"),
}
FOR_STONE_TAB = {
    "Facts": "Record the grading facts",
    "Evidence & documents": "Record evidence and attach scans",
    "Assessment": "Read the assessment",
    "Finding": "Propose a finding",
    "History": "Read a stone's history",
    "Custody": "Return stones to the client",
}
FOR_SETTINGS_TAB = {
    "Lab profile": "The lab's profile",
    "Users": "Users",
    "Keys": "Signing keys",
    "Backups": "Backups",
}


def manual_dir() -> Path:
    """The installed manual's folder (a folder of the package's resources)."""
    return Path(str(resources.files("labdesk.resources") / "manual"))


def part_for(key: str, tab: str = "") -> tuple[str, str]:
    """(file, heading) of the manual for page ``key`` (and its tab shown, if any)."""
    part, heading = FOR_PAGE.get(key, ("index.md", ""))
    if key == "stone" and tab in FOR_STONE_TAB:
        heading = FOR_STONE_TAB[tab]
        if tab == "Custody":
            part = "supervisor.md"
    elif key == "settings" and tab in FOR_SETTINGS_TAB:
        heading = FOR_SETTINGS_TAB[tab]
    return part, heading


class ManualBrowser(QTextBrowser):
    """A QTextBrowser that reads only the manual's own files."""

    def __init__(self, folder: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.folder = folder.resolve()
        self.setOpenLinks(False)               # every link passes through follow()
        self.setOpenExternalLinks(False)
        self.setSearchPaths([str(self.folder)])
        self.refused = ""                      # the last link not followed, and why

    def loadResource(self, kind: int, url: QUrl):
        """Images and parts from the manual's folder; nothing from anywhere else."""
        path = self._local(url)
        if path is None or not path.is_file():
            return None
        if kind == QTextDocument.ImageResource:
            from PySide6.QtGui import QImage
            image = QImage(str(path))
            return None if image.isNull() else image
        return path.read_text(encoding="utf-8")

    def _local(self, url: QUrl) -> Path | None:
        if url.scheme() not in ("", "file"):
            return None
        name = url.toLocalFile() if url.scheme() == "file" else url.path()
        if not name:
            return None
        path = Path(name)
        if not path.is_absolute():
            base = Path(self.source().toLocalFile()).parent if self.source().isValid() \
                else self.folder
            path = base / path
        path = path.resolve()
        return path if path.is_relative_to(self.folder) else None


class ManualDialog(QDialog):
    """Help › User manual: the parts as tabs-like buttons, the text below."""

    def __init__(self, parent: QWidget | None = None, folder: Path | None = None):
        super().__init__(parent)
        self.setWindowTitle("LabDesk user manual")
        self.folder = Path(folder) if folder is not None else manual_dir()
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.part_buttons: dict[str, QPushButton] = {}
        for name, title in PARTS:
            button = QPushButton(title)
            button.setCheckable(True)
            button.setAutoDefault(False)
            button.clicked.connect(lambda _=False, n=name: self.open_part(n))
            self.part_buttons[name] = button
            bar.addWidget(button)
        bar.addStretch(1)
        self.back_button = QPushButton("Back")
        self.back_button.setAutoDefault(False)
        bar.addWidget(self.back_button)
        layout.addLayout(bar)
        self.browser = ManualBrowser(self.folder, self)
        self.browser.setAccessibleName("User manual")
        self.browser.anchorClicked.connect(self.follow)
        self.browser.backwardAvailable.connect(self.back_button.setEnabled)
        self.back_button.clicked.connect(self.browser.backward)
        self.back_button.setEnabled(False)
        layout.addWidget(self.browser, 1)
        self.note = QLabel()
        self.note.setObjectName("Hint")
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)
        close = QShortcut(QKeySequence(Qt.Key_Escape), self)
        close.activated.connect(self.close)
        self.part = ""
        self.resize(980, 760)

    # ------------------------------------------------------------------ reading
    def open_part(self, name: str, heading: str = "") -> bool:
        """Show the part ``name`` (a file of the manual), at ``heading`` when given.
        False (and a note saying so) when the file is not installed."""
        path = (self.folder / name).resolve()
        if not path.is_relative_to(self.folder.resolve()) or not path.is_file():
            self._say(f"The manual's part {name} is not installed with this LabDesk "
                      f"(looked in {self.folder}).")
            return False
        self.note.hide()
        self.browser.setSource(QUrl.fromLocalFile(str(path)),
                               QTextDocument.MarkdownResource)
        self.part = name
        for part, button in self.part_buttons.items():
            button.setChecked(part == name)
        self._fit_images()
        if heading:
            self.go_to(heading)
        else:
            self.browser.verticalScrollBar().setValue(0)
        return True

    def go_to(self, heading: str) -> bool:
        """Scroll to the heading whose text is ``heading``."""
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() and block.text().strip() == heading:
                self.browser.setTextCursor(QTextCursor(block))
                self._scroll_to(block)
                # the text flows again once the dialog takes its size: scroll once more
                QTimer.singleShot(0, lambda b=block: self._scroll_to(b))
                return True
            block = block.next()
        return False

    def _scroll_to(self, block) -> None:
        if block.document() is not self.browser.document():
            return
        document = block.document()
        document.setTextWidth(document.textWidth())    # lays out the text before the block
        top = document.documentLayout().blockBoundingRect(block).top()
        self.browser.verticalScrollBar().setValue(int(top))

    def headings(self) -> list[str]:
        document = self.browser.document()
        found, block = [], document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel():
                found.append(block.text().strip())
            block = block.next()
        return found

    def follow(self, url: QUrl) -> None:
        """A link clicked: another part of the manual (and its section), or refused."""
        if url.scheme() not in ("", "file"):
            self._say(f"LabDesk opens no web pages from the manual: {url.toString()} "
                      f"is not followed.")
            return
        target = url.path() if url.scheme() == "" else url.toLocalFile()
        name = Path(target).name if target else self.part
        fragment = url.fragment()
        if not self.open_part(name):
            return
        if fragment:
            self._go_to_anchor(fragment)

    def _go_to_anchor(self, fragment: str) -> None:
        """``#receive-stones-one-by-one``: the heading with that slug."""
        for heading in self.headings():
            if slug(heading) == fragment.lower():
                self.go_to(heading)
                return

    def _say(self, text: str) -> None:
        self.note.setText(text)
        self.note.show()

    def _fit_images(self) -> None:
        """Screenshots drawn at most as wide as the text, their proportions kept."""
        width = 860
        document = self.browser.document()
        cursor = QTextCursor(document)
        block = document.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    picture = self.browser.loadResource(QTextDocument.ImageResource,
                                                        QUrl(image.name()))
                    if picture is not None and picture.width() > width:
                        image.setWidth(width)
                        image.setHeight(picture.height() * width / picture.width())
                        cursor.setPosition(fragment.position())
                        cursor.setPosition(fragment.position() + fragment.length(),
                                           QTextCursor.KeepAnchor)
                        cursor.setCharFormat(image)
                it += 1
            block = block.next()


def slug(heading: str) -> str:
    """A heading as GitHub names its anchor: lower case, punctuation dropped, spaces to
    hyphens ("Receive stones one by one" -> "receive-stones-one-by-one")."""
    import re
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")


def tab_words(text: str) -> str:
    """A tab's text as the manual names it: mnemonics and counters left out
    ("&Evidence && documents" -> "Evidence & documents", "Ready to issue (6)" ->
    "Ready to issue")."""
    import re
    text = re.sub(r"&(.)", r"\1", text)
    return re.sub(r"\s*\(\d[\d,]*\)$", "", text).strip()
