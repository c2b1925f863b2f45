"""The user manual (issue 17, part 6): one part per role, read as a new technician would.

Every name the manual writes in bold is something on screen under that name: a page of the
sidebar, a tab, a button, a group, a field's label, a list's choice, a column, a menu entry,
or a dialog's button or field.  The retailers' part names the verify page's words.  F1 and
Help › User manual open the part for the page shown, from the installed files."""
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt, QUrl
from PySide6.QtGui import QAction, QTextDocument
from PySide6.QtWidgets import (QAbstractButton, QComboBox, QTableView, QTreeView,
                               QGroupBox, QLabel, QLineEdit, QListWidget, QTabWidget,
                               QWidget, QWizard)

from labdesk.ui import manual, shortcuts
from labdesk.ui.manual import FOR_PAGE, FOR_SETTINGS_TAB, FOR_STONE_TAB, ManualDialog
from labdesk.ui.screenshots import manual_pictures, refresh_manual

ROOT = Path(__file__).resolve().parents[2]
FOLDER = manual.manual_dir()
ROLE_PARTS = ("technician.md", "supervisor.md", "admin.md")
BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)


def _clean(text: str) -> str:
    """A widget's text as a person reads it: no mnemonic, no rich-text tags, no trailing
    colon or required-field star, no counter."""
    text = re.sub(r"<[^>]+>", "", text or "")
    text = re.sub(r"&(.)", r"\1", text)
    text = re.sub(r"\s*\(\d[\d,]*\)$", "", text.strip())
    return text.rstrip(" *:").strip()


def _names_in(widget: QWidget) -> set[str]:
    """Every name ``widget`` and its children show."""
    names: set[str] = set()
    widgets = [widget] + widget.findChildren(QWidget)
    for w in widgets:
        if isinstance(w, QAbstractButton):
            names.add(w.text())
        elif isinstance(w, QLabel):
            names.add(w.text())
        elif isinstance(w, QGroupBox):
            names.add(w.title())
        elif isinstance(w, QTabWidget):
            names.update(w.tabText(i) for i in range(w.count()))
        elif isinstance(w, QComboBox):
            names.update(w.itemText(i) for i in range(w.count()))
        elif isinstance(w, QListWidget):
            names.update(w.item(i).text() for i in range(w.count()))
        elif isinstance(w, QLineEdit):
            names.add(w.placeholderText().split(":")[0])
        elif isinstance(w, QWizard):
            names.update(w.page(i).title() for i in w.pageIds())
        if isinstance(w, (QTableView, QTreeView)) and w.model() is not None:
            model = w.model()
            names.update(str(model.headerData(c, Qt.Horizontal) or "")
                         for c in range(model.columnCount(QModelIndex())))
    for action in widget.findChildren(QAction):
        names.add(action.text())
        if action.menu() is not None:
            names.update(a.text() for a in action.menu().actions())
    return {_clean(n) for n in names if n}


def _bold(part: str) -> set[str]:
    text = (FOLDER / part).read_text(encoding="utf-8")
    return {" ".join(m.split()) for m in BOLD.findall(text)}


@pytest.fixture
def screen_names(window, lab, qtbot):
    """Every name on screen for a technician, a supervisor and an admin: each page,
    the Stone page of a received and of a reported stone, their tabs, and the dialogs
    the manual walks through (login, signature, reason, return, first run, setup)."""
    from labdesk.ui.dialogs import PasswordDialog, ReasonDialog
    from labdesk.ui.login import LoginDialog
    from labdesk.ui.setup import FirstRunDialog, SetupWizard
    from labdesk.ui.views.stone import ReturnDialog

    names: set[str] = set()
    for user in ("tom", "sue", "ada"):
        win = window(user)
        for key in list(win.views):
            if key == "stone":
                continue
            view = win.show_page(key)
            for tabs in view.findChildren(QTabWidget):
                for index in range(tabs.count()):
                    tabs.setCurrentIndex(index)
                    names |= _names_in(win)
        for state in ("received", "reported"):
            win.open_stone(lab.stones(state=state, limit=1).items[0].number)
            names |= _names_in(win)
        names |= _names_in(win.menuBar())
        win.close()
        lab.logout()
    dialogs = [LoginDialog(lab), PasswordDialog(None, "Sue", "Approval", "D0000001"),
               ReasonDialog(None, "Reject", "Why?"), ReturnDialog(None, "D0000001"),
               FirstRunDialog(Path(lab.home)), SetupWizard(Path(lab.home) / "new"),
               SetupWizard(Path(lab.home) / "desk", join=True)]
    for dialog in dialogs:
        names |= _names_in(dialog)
        dialog.deleteLater()
    return names


def test_every_part_is_installed_and_links_only_to_the_manual():
    for name, _title in manual.PARTS:
        assert (FOLDER / name).is_file(), name
    for part in FOLDER.glob("*.md"):
        text = part.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)]+)\)", text):
            assert not re.match(r"\w+://", target), f"{part.name} links out: {target}"
            file = target.split("#")[0]
            assert not file or (FOLDER / file).is_file(), f"{part.name}: {target}"
    # each role has its part, task by task
    headings = {p: re.findall(r"^## (.+)$", (FOLDER / p).read_text(), re.M)
                for p in ROLE_PARTS + ("retailer.md",)}
    assert {"Receive stones one by one", "Receive stones from a packing list",
            "Record evidence and attach scans", "Propose a finding",
            "Print intake labels"} <= set(headings["technician.md"])
    assert {"Review a finding: approve or reject", "Issue reports", "Revoke a report",
            "Return stones to the client", "Exports and the compliance pack"} \
        <= set(headings["supervisor.md"])
    assert {"The lab's profile", "Users", "Signing keys", "Backups",
            "Several desks: join a lab server"} <= set(headings["admin.md"])
    assert {"Check a report online, with a phone",
            "Check a report offline, with the lab's public key"} \
        <= set(headings["retailer.md"])


def test_every_picture_the_manual_shows_is_there_and_made_by_the_screenshots_command():
    pictures = manual_pictures()
    assert "dashboard.png" in pictures and len(pictures) >= 15
    for name in pictures:
        path = FOLDER / "screenshots" / name
        assert path.is_file() and path.stat().st_size > 8_000, name


def test_the_screenshots_command_refreshes_the_manual_where_it_reads(tmp_path):
    folder = tmp_path / "manual"
    folder.mkdir()
    (folder / "technician.md").write_text("![x](screenshots/intake.png)\n"
                                          "![y](screenshots/stones.png)\n")
    shots = tmp_path / "shots"
    shots.mkdir()
    for name in ("intake.png", "stones.png", "audit.png"):
        (shots / name).write_bytes(name.encode())
    copied = refresh_manual([shots / "intake.png", shots / "audit.png"], folder)
    assert [p.name for p in copied] == ["intake.png"]
    assert (folder / "screenshots" / "intake.png").read_bytes() == b"intake.png"
    assert not (folder / "screenshots" / "audit.png").exists()


def test_docs_manual_is_the_shipped_manual():
    assert (ROOT / "docs" / "manual").resolve() == FOLDER.resolve()
    assert "docs/manual" in (ROOT / "README.md").read_text()


def test_every_name_the_manual_puts_in_bold_is_on_screen(screen_names):
    """The manual read once as a new technician (then supervisor, admin) would: each
    step's button, tab, page, field or menu entry exists under that name."""
    missing = {}
    for part in ("index.md",) + ROLE_PARTS:
        absent = sorted(n for n in _bold(part) if n not in screen_names)
        if absent:
            missing[part] = absent
    assert not missing, f"named in the manual, not on screen: {missing}"


def test_the_retailers_part_names_what_the_verify_page_shows():
    page = (ROOT / "resources" / "verify" / "index.html").read_text(encoding="utf-8")
    for name in _bold("retailer.md"):
        assert name in page, f"retailer.md names {name!r}; the verify page does not"


def test_the_shortcuts_named_in_the_manual_are_the_tables():
    table = {k for s in shortcuts.SHORTCUTS for k in s.keys}
    for part in FOLDER.glob("*.md"):
        for keys in re.findall(r"`((?:Ctrl|Shift|F\d)[^`]*)`", part.read_text()):
            for key in re.split(r" to ", keys):
                assert key in table, f"{part.name}: {key}"
    assert shortcuts.BY_NAME["help_manual"].keys == ("F1",)


def test_f1_opens_the_part_for_each_page(window, lab, qtbot):
    win = window("ada")
    qtbot.waitUntil(win.isVisible)
    entries = {a.text().replace("&", ""): a for a in win.menuBar().actions()}
    help_menu = entries["Help"].menu()
    titles = [a.text().replace("&", "") for a in help_menu.actions()]
    assert titles[:2] == ["User manual", "Keyboard shortcuts"]
    for key, (part, heading) in FOR_PAGE.items():
        if key == "stone":
            win.open_stone(lab.stones(state="reported", limit=1).items[0].number)
        else:
            win.show_page(key)
        win.manual_action.trigger()
        dialog = win.manual_dialog
        assert dialog.isVisible() and dialog.part == part, key
        assert heading in dialog.headings(), (key, heading)
        cursor_block = dialog.browser.textCursor().block()
        assert cursor_block.text() == heading, key
    # the Stone and Settings pages: the part for the tab shown
    stone = win.open_stone(lab.stones(state="reported", limit=1).items[0].number) or \
        win.stone_view
    for index in range(stone.tabs.count()):
        stone.tabs.setCurrentIndex(index)
        dialog = win.show_manual()
        words = manual.tab_words(stone.tabs.tabText(index))
        assert dialog.browser.textCursor().block().text() == FOR_STONE_TAB[words]
    settings = win.show_page("settings")
    for index in range(settings.tabs.count()):
        settings.tabs.setCurrentIndex(index)
        dialog = win.show_manual()
        assert dialog.browser.textCursor().block().text() == \
            FOR_SETTINGS_TAB[settings.tabs.tabText(index)]
    # the keys: F1 the manual, Ctrl+/ the list of shortcuts
    assert [k.toString() for k in win.manual_action.shortcuts()] == ["F1"]
    assert [k.toString() for k in win.shortcuts_action.shortcuts()] == ["Ctrl+/"]
    win.manual_dialog.close()


def test_the_viewer_renders_the_markdown_with_its_pictures(qtbot):
    dialog = ManualDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.open_part("technician.md")
    text = dialog.browser.toPlainText()
    assert "Receive stones one by one" in text and "**" not in text
    # the screenshots load from the installed folder, drawn as wide as the text at most
    document = dialog.browser.document()
    images = []
    block = document.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            if fmt.isImageFormat():
                images.append(fmt.toImageFormat())
            it += 1
        block = block.next()
    assert images and all(i.width() <= 860 for i in images)
    assert any(i.width() == 860 for i in images)      # the wide ones made to fit
    assert document.resource(QTextDocument.ImageResource, QUrl(images[0].name())) \
        is not None or dialog.browser.loadResource(
            QTextDocument.ImageResource, QUrl(images[0].name())) is not None
    # a link to another part opens it at its section; a web link is not followed
    dialog.follow(QUrl("supervisor.md#issue-reports"))
    assert dialog.part == "supervisor.md"
    assert dialog.browser.textCursor().block().text() == "Issue reports"
    dialog.follow(QUrl("https://example.com/"))
    assert dialog.part == "supervisor.md" and "no web pages" in dialog.note.text()
    assert dialog.browser.loadResource(QTextDocument.ImageResource,
                                       QUrl("https://example.com/x.png")) is None
    assert dialog.browser.loadResource(QTextDocument.MarkdownResource,
                                       QUrl("../../pyproject.toml")) is None
    # a part missing from the installation is said, not a crash
    assert not dialog.open_part("nope.md")
    assert "not installed" in dialog.note.text()
    dialog.close()


@pytest.mark.slow
def test_the_wheel_ships_the_manual(tmp_path):
    """A wheel built from the checkout holds every part and every picture the manual
    shows, under labdesk/resources/manual (where ``manual_dir`` finds it installed)."""
    import shutil
    import subprocess
    import sys
    import zipfile
    source = tmp_path / "src"
    source.mkdir()
    for name in ("README.md", "pyproject.toml"):
        shutil.copy(ROOT / name, source / name)
    for name in ("labdesk", "resources"):
        shutil.copytree(ROOT / name, source / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(tmp_path / "dist"), str(source)],
                          capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    wheel = next((tmp_path / "dist").glob("labdesk-*.whl"))
    shipped = set(zipfile.ZipFile(wheel).namelist())
    for name, _title in manual.PARTS:
        assert f"labdesk/resources/manual/{name}" in shipped, name
    for picture in manual_pictures():
        assert f"labdesk/resources/manual/screenshots/{picture}" in shipped, picture
