"""GUI test fixtures: a demo lab per test, windows that are deleted after, and a check
that no widget outlives its test (napari's habit)."""
import shutil

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from labdesk.lab import Lab
from ui_helpers import login


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory):
    from labdesk.demo import build_demo
    home = tmp_path_factory.mktemp("ui-demo") / "lab"
    build_demo(home).close()
    return home


@pytest.fixture
def lab(demo_template, tmp_path):
    home = tmp_path / "lab"
    shutil.copytree(demo_template, home)
    lab = Lab.open(home)
    yield lab
    from labdesk.ui.worker import wait_all
    wait_all()
    lab.close()


@pytest.fixture(autouse=True)
def _isolated_qsettings(tmp_path, monkeypatch):
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "qsettings"))
    yield


@pytest.fixture(autouse=True)
def _no_leaked_widgets(request):
    """Fail a test that leaves a top-level widget alive after it ends."""
    app = QApplication.instance() or QApplication([])
    before = {id(w) for w in app.topLevelWidgets()}
    yield
    QTest.qWait(5)  # an event loop turn runs the deferred deletes
    leaked = [type(w).__name__ for w in app.topLevelWidgets()
              if id(w) not in before and w.isVisible()]
    assert not leaked, f"widgets left open by the test: {leaked}"


@pytest.fixture
def window(qtbot, lab):
    """The main window for the lab, as whoever the test logged in first."""
    from labdesk.ui.main_window import MainWindow
    made = []

    def make(username="tom", size=(1280, 800)):
        login(lab, username)
        win = MainWindow(lab)
        qtbot.addWidget(win)
        win.resize(*size)
        win.show()
        qtbot.waitExposed(win)
        made.append(win)
        return win
    yield make
    for win in made:
        win.close()
        win.deleteLater()
