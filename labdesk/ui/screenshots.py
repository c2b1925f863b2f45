"""``labdesk screenshots OUTDIR``: the demo lab opened offscreen and every screen rendered
to a PNG (the README's pictures, and a quick look at the whole GUI after a change).

Only the main window's stable entry points are used (``show_page``, ``open_stone``,
``open_report``, ``open_verify``) and tab widgets are walked generically, so the pages can
change without this module changing."""
from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from labdesk.reports.claims import altered

def _slug(text: str) -> str:
    text = re.sub(r"&(?=\w)", "", text)          # mnemonics: "&Facts" -> "Facts"
    text = re.sub(r"\(\d+\)", "", text)          # counters: "Evidence (3)" -> "Evidence"
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "tab"


class Camera:
    """Saves widgets as PNGs into ``outdir``; remembers what it wrote and what failed."""

    def __init__(self, app, outdir: Path):
        self.app = app
        self.outdir = Path(outdir)
        self.outdir.mkdir(parents=True, exist_ok=True)
        self.written: list[Path] = []
        self.failed: list[tuple[str, str]] = []

    def settle(self, ms: int = 120) -> None:
        """Let queued work finish: posted events, worker tasks, deferred layouts."""
        from PySide6.QtCore import QThreadPool
        pool = QThreadPool.globalInstance()
        start = time.monotonic()
        while True:
            self.app.processEvents()
            waited = time.monotonic() - start
            if waited >= ms / 1000 and pool.activeThreadCount() == 0:
                break
            if waited >= ms / 1000 + 30:      # a task that never ends: shoot anyway
                break
            pool.waitForDone(20)
            time.sleep(0.01)
        self.app.processEvents()

    def shoot(self, widget, name: str) -> Path | None:
        self.settle()
        path = self.outdir / f"{name}.png"
        if widget.grab().save(str(path)):
            self.written.append(path)
            return path
        self.failed.append((name, "the picture could not be saved"))
        return None

    def attempt(self, name: str, fn) -> None:
        """Run one shot; a page that breaks is reported, the others still rendered."""
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - a broken page must not stop the rest
            self.failed.append((name, f"{type(exc).__name__}: {exc}"))


def _main_tabs(widget):
    """The largest visible tab widget inside ``widget`` (a page's own tabs), or None."""
    from PySide6.QtWidgets import QTabWidget
    tabs = [t for t in widget.findChildren(QTabWidget) if t.isVisible() and t.count()]
    if not tabs:
        return None
    return max(tabs, key=lambda t: t.width() * t.height())


def _shoot_tabs(camera: Camera, window, page, name: str) -> None:
    """``name.png`` as the page opens, then ``name-<tab>.png`` for each other tab."""
    camera.settle()
    tabs = _main_tabs(page)
    if tabs is None:
        camera.shoot(window, name)
        return
    first = tabs.currentIndex()
    camera.shoot(window, name)
    for index in range(tabs.count()):
        if index == first or not tabs.isTabEnabled(index):
            continue
        tabs.setCurrentIndex(index)
        camera.shoot(window, f"{name}-{_slug(tabs.tabText(index))}")
    tabs.setCurrentIndex(first)


def _dialogs(camera: Camera, lab, scratch: Path) -> None:
    import platformdirs
    from labdesk.ui.login import LoginDialog
    from labdesk.ui.setup import FirstRunDialog, SetupWizard

    def first_run():
        dialog = FirstRunDialog(Path(platformdirs.user_data_dir("LabDesk", "LabDesk")))
        _show_dialog(camera, dialog, "first-run", 520)

    def wizard():
        dialog = SetupWizard(scratch / "new-lab")
        page = dialog.lab_page
        page.name.setText("Antwerp Origin Laboratory")
        page.address.setPlainText("Hoveniersstraat 30\n2018 Antwerpen\nBelgium")
        page.accreditation.setText("ISO/IEC 17025, BELAC 123-TEST")
        page.verify_url.setText("https://verify.antwerp-origin.example/")
        dialog.adjustSize()
        dialog.resize(max(640, dialog.width()), dialog.height())
        dialog.show()
        camera.shoot(dialog, "setup-wizard")
        dialog.next()
        admin = dialog.admin_page
        admin.username.setText("amina")
        admin.full_name.setText("Amina Diallo")
        admin.password.setText("correct horse")
        admin.confirm.setText("correct horse")
        camera.shoot(dialog, "setup-wizard-admin")
        dialog.close()
        dialog.deleteLater()

    def join_server():
        dialog = SetupWizard(scratch / "new-desk", join=True)
        dialog.join_page.address.setText(
            "postgresql://amina@db.antwerp-origin.example:5432/labdesk?sslmode=verify-full")
        dialog.adjustSize()
        dialog.resize(max(640, dialog.width()), dialog.height())
        dialog.show()
        dialog.join_page.address.setCursorPosition(0)
        dialog.join_page.address.deselect()
        camera.shoot(dialog, "join-lab-server")
        dialog.close()
        dialog.deleteLater()

    def login():
        dialog = LoginDialog(lab)
        dialog.username.setText("sue")
        dialog.password.setText("password")
        _show_dialog(camera, dialog, "login", 440)

    camera.attempt("first-run", first_run)
    camera.attempt("setup-wizard", wizard)
    camera.attempt("join-lab-server", join_server)
    camera.attempt("login", login)


def _show_dialog(camera: Camera, dialog, name: str, width: int) -> None:
    dialog.adjustSize()
    dialog.resize(max(width, dialog.width()), dialog.height())
    dialog.show()
    camera.shoot(dialog, name)
    dialog.close()
    dialog.deleteLater()


def _window(lab, username: str, size: tuple[int, int]):
    from labdesk.demo import DEMO_USERS
    from labdesk.ui.main_window import MainWindow
    lab.login(username, DEMO_USERS[username][2])
    window = MainWindow(lab)
    window.resize(*size)
    window.show()
    return window


def _close(camera: Camera, window) -> None:
    window.close()
    window.deleteLater()
    camera.settle(50)


def _main_pages(camera: Camera, lab, size: tuple[int, int]) -> None:
    window = _window(lab, "sue", size)
    try:
        for key in ("dashboard", "intake", "stones", "review"):
            camera.attempt(key, lambda k=key: _page(camera, window, k))

        reported = lab.stones(state="reported", limit=1).items
        if reported:
            camera.attempt("stone", lambda: (window.open_stone(reported[0].number),
                                             _shoot_tabs(camera, window, window.stone_view,
                                                         "stone")))
        else:
            camera.failed.append(("stone", "the demo lab has no reported stone"))

        issued = lab.reports(status="issued", limit=1).items
        if issued:
            camera.attempt("reports", lambda: (window.open_report(issued[0].number),
                                               _shoot_tabs(camera, window,
                                                           window.views["reports"],
                                                           "reports")))
            camera.attempt("verify-valid", lambda: (window.open_verify(issued[0].qr_text),
                                                    camera.shoot(window, "verify-valid")))
            camera.attempt("verify-forged", lambda: (
                window.open_verify(altered(issued[0].qr_text)),
                camera.shoot(window, "verify-forged")))
        else:
            camera.failed.append(("reports", "the demo lab has no issued report"))

        camera.attempt("audit", lambda: _audit(camera, window))
        camera.attempt("find-results", lambda: _find_results(camera, lab, window))
        camera.attempt("keyboard-shortcuts", lambda: _keyboard_shortcuts(camera, window))
    finally:
        _close(camera, window)
        lab.logout()

    admin = _window(lab, "ada", size)
    try:
        camera.attempt("settings", lambda: _shoot_tabs(camera, admin,
                                                       admin.show_page("settings"),
                                                       "settings"))
    finally:
        _close(camera, admin)
        lab.logout()


def shoot_status_bar(lab, path, size: tuple[int, int] = (1280, 800)) -> Path:
    """The status bar of the main window of ``lab`` (someone logged in) as a PNG at
    ``path``: who works, on which database, in which home.  For a desk of a lab on a
    server (the demo lab is SQLite): ``docs/screenshots/desk-status-bar.png``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication
    from labdesk.ui.main_window import MainWindow
    app = QApplication.instance() or QApplication(sys.argv[:1])
    window = MainWindow(lab)
    window.resize(*size)
    window.show()
    window.show_page("stones")
    camera = Camera(app, Path(path).parent)
    try:
        camera.settle()
        if not window.statusBar().grab().save(str(path)):
            raise OSError(f"{path}: the picture could not be saved")
    finally:
        _close(camera, window)
    return Path(path)


def _find_results(camera: Camera, lab, window) -> None:
    """The search box's list: a submission's number names each of its stones."""
    submission = lab.stones(limit=1).items[0].submission
    window.search.setText(submission)
    window.search.returnPressed.emit()
    dialog = getattr(window, "find_results", None)
    if dialog is None:
        camera.failed.append(("find-results", f"{submission} opened no list"))
        return
    camera.shoot(dialog, "find-results")
    dialog.close()


def _keyboard_shortcuts(camera: Camera, window) -> None:
    show = getattr(window, "show_shortcuts", None)
    if show is None:
        return
    dialog = show()
    camera.shoot(dialog, "keyboard-shortcuts")
    dialog.close()


def _page(camera: Camera, window, key: str) -> None:
    window.show_page(key)
    camera.shoot(window, key)


def _audit(camera: Camera, window) -> None:
    view = window.show_page("audit")
    check = getattr(view, "check_integrity", None)
    if check is not None:           # show the chain checked, as an auditor would
        check()
        deadline = time.monotonic() + 60
        while getattr(view, "task", None) is not None and time.monotonic() < deadline:
            camera.settle(50)
    table = getattr(view, "table", None)
    if table is not None and table.model() is not None and table.model().rowCount() > 4:
        table.selectRow(4)
    camera.shoot(window, "audit")


def take_screenshots(outdir, size: tuple[int, int] = (1280, 800),
                     demo_home=None) -> tuple[list[Path], list[tuple[str, str]]]:
    """Render every screen of a demo lab into ``outdir``; returns (written, failed).

    ``demo_home``: a demo lab to copy (faster than building one); the copy is used and
    thrown away, so the original is never changed."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from labdesk.lab import Lab
    from labdesk.ui.worker import wait_all

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="labdesk-") as tmp:
        scratch = Path(tmp)
        # the window remembers its size and page in QSettings: keep the user's untouched
        QSettings.setDefaultFormat(QSettings.IniFormat)
        QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(scratch / "qs"))
        home = scratch / "LabDesk-demo"
        if demo_home is not None and (Path(demo_home) / "labdesk.db").is_file():
            shutil.copytree(demo_home, home)
            lab = Lab.open(home)
        else:
            from labdesk.demo import build_demo
            lab = build_demo(home)
        camera = Camera(app, Path(outdir))
        try:
            _dialogs(camera, lab, scratch)
            _main_pages(camera, lab, size)
        finally:
            wait_all(30_000)
            camera.settle(50)
            lab.close()
    if size == MANUAL_SIZE and _in_checkout(Path(outdir)):
        refresh_manual(camera.written)
    return camera.written, camera.failed


# ---------------------------------------------------------------- the user manual
#: The size of the manual's pictures.
MANUAL_SIZE = (1280, 800)


def _manual_folder() -> Path:
    from labdesk.ui.manual import manual_dir
    return manual_dir()


def _in_checkout(outdir: Path) -> bool:
    """Whether ``outdir`` is inside the source checkout that holds the manual (its
    ``docs/screenshots``, say): then the manual's pictures are refreshed too.  An
    installed LabDesk, or pictures written elsewhere, leave the manual alone."""
    root = _manual_folder().resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        return False
    return outdir.resolve().is_relative_to(root)


def manual_pictures(folder: Path | None = None) -> set[str]:
    """The names of the pictures the manual shows (``screenshots/NAME.png``)."""
    folder = folder or _manual_folder()
    names = set()
    for part in folder.glob("*.md"):
        names.update(re.findall(r"\]\(screenshots/([\w.-]+\.png)\)",
                                part.read_text(encoding="utf-8")))
    return names


def refresh_manual(written: list[Path], folder: Path | None = None) -> list[Path]:
    """Copy each picture just made that the manual shows into its ``screenshots``
    folder, where the manual reads it; returns the pictures copied."""
    folder = folder or _manual_folder()
    wanted = manual_pictures(folder)
    target = folder / "screenshots"
    target.mkdir(exist_ok=True)
    copied = []
    for path in written:
        if path.name in wanted:
            shutil.copyfile(path, target / path.name)
            copied.append(target / path.name)
    return copied
