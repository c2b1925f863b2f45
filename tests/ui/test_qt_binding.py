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
