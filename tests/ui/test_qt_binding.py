"""The Qt binding itself: PySide6 6.12.0 dropped a reference to None on every call of a
method returning nothing, and Python aborted after a few thousand clicks."""
import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_calls_do_not_eat_references_to_none(qtbot):
    QApplication.instance() or QApplication([])
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("x")
        label.update()
    assert sys.getrefcount(None) >= before - 50


def test_signal_emits_do_not_eat_references_to_true(qtbot):
    from PySide6.QtCore import QObject, Signal

    class Source(QObject):
        changed = Signal(bool)

    source = Source()
    seen = []
    source.changed.connect(seen.append)
    before = sys.getrefcount(True)
    for _ in range(2000):
        source.changed.emit(True)
    assert len(seen) == 2000
    assert sys.getrefcount(True) >= before - 50
