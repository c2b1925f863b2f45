"""While a long write runs, the window waits with it: the progress dialog is window-modal,
so a click on the sidebar does nothing until the work is done (issue 13, item 3)."""
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QProgressDialog

from labdesk.ui.worker import run_task


def _sidebar_click(qtbot, win, key):
    """A click as the window system delivers it (to the window, where Qt applies
    modality), not straight to the widget as QTest's widget overload does."""
    for row in range(win.nav.count()):
        item = win.nav.item(row)
        if item.data(Qt.UserRole) == key:
            rect = win.nav.visualItemRect(item)
            at = win.nav.viewport().mapTo(win, rect.center())
            QTest.mouseClick(win.windowHandle(), Qt.LeftButton, Qt.NoModifier, at)
            qtbot.wait(50)
            return
    raise AssertionError(key)


def test_a_click_on_the_sidebar_does_nothing_while_a_long_write_runs(window, lab, qtbot):
    win = window("tom")
    win.show_page("stones")
    stones = [{"weight": "0.500", "shape": "round", "colour": "G", "clarity": "VS1"}
              for _ in range(30_000)]
    done = []
    task = run_task(win, lambda progress: lab.receive("Modal Test Gems", stones,
                                                      progress=progress),
                    done.append, lambda message: done.append(message),
                    title="Receiving 30,000 stones…")
    qtbot.waitUntil(lambda: any(isinstance(w, QProgressDialog) and w.isVisible()
                                for w in QApplication.topLevelWidgets()) or bool(done),
                    timeout=20_000)
    assert not done, "the write ended before its dialog showed: make it longer"
    dialog = next(w for w in QApplication.topLevelWidgets()
                  if isinstance(w, QProgressDialog) and w.isVisible())
    assert dialog.windowModality() == Qt.WindowModal
    _sidebar_click(qtbot, win, "review")
    assert win.current_key() == "stones"          # the click did nothing
    qtbot.waitUntil(lambda: bool(done), timeout=60_000)
    assert task is not None and done[0].stones[-1].number
    _sidebar_click(qtbot, win, "review")
    assert win.current_key() == "review"          # and works again once it is done
