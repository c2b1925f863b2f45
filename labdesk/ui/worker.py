"""Running facade calls off the GUI thread (Anki's pattern): the call runs on the global
QThreadPool; its result, error or progress come back as queued signals to the GUI thread.

``Lab`` serialises its own calls, so a worker and the GUI never use the database at once.
"""
from __future__ import annotations

import traceback
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from labdesk.errors import LabError


class _Signals(QObject):
    progress = Signal(int, int)
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """``fn(progress)`` on a pool thread; ``progress(done, total)`` may be called often."""

    def __init__(self, fn: Callable):
        super().__init__()
        self.fn = fn
        self.signals = _Signals()
        self.cancelled = False

    @Slot()
    def run(self):
        def progress(done, total, *_):
            if self.cancelled:
                raise _Cancelled()
            self.signals.progress.emit(int(done), int(total))
        try:
            result = self.fn(progress)
        except _Cancelled:
            self.signals.failed.emit("cancelled")
        except LabError as exc:
            self.signals.failed.emit(str(exc))
        except Exception as exc:  # a bug: show it, never crash the window
            traceback.print_exc()
            self.signals.failed.emit(f"unexpected error: {exc}")
        else:
            self.signals.done.emit(result)


class _Cancelled(Exception):
    pass


_running: set[Task] = set()


def run_task(parent: QWidget, fn: Callable, on_done: Callable, on_failed: Callable,
             title: str | None = None, cancellable: bool = False) -> Task:
    """Start ``fn(progress)`` in the background; with ``title`` a progress dialog shows
    (with a Cancel button when ``cancellable``).  Returns the task (tests wait on it)."""
    task = Task(fn)
    dialog = None
    if title:
        dialog = QProgressDialog(title, "Cancel" if cancellable else "", 0, 0, parent)
        dialog.setWindowTitle(title)
        dialog.setWindowModality(Qt.WindowModal)   # the window waits for the work
        dialog.setMinimumDuration(300)
        dialog.setAutoClose(False)
        if not cancellable:
            dialog.setCancelButton(None)
        dialog.canceled.connect(lambda: setattr(task, "cancelled", True))
        task.signals.progress.connect(lambda d, t: (dialog.setMaximum(max(t, 1)),
                                                    dialog.setValue(min(d, t))))

    state = {"finished": False}

    def show_if_still_running():
        # A busy dialog from 300 ms on, whether or not the work reports progress: the
        # window is modal from then until the work ends.
        if dialog is not None and not state["finished"]:
            dialog.show()

    if dialog is not None:
        QTimer.singleShot(dialog.minimumDuration(), show_if_still_running)

    def finish():
        state["finished"] = True
        _running.discard(task)
        if dialog is not None:
            dialog.reset()
            dialog.deleteLater()
    task.signals.done.connect(lambda result: (finish(), on_done(result)))
    task.signals.failed.connect(lambda message: (finish(), on_failed(message)))
    _running.add(task)
    task.setAutoDelete(False)
    QThreadPool.globalInstance().start(task)
    return task


def wait_all(timeout_ms: int = 30_000) -> bool:
    """Wait for every running task (used on exit and by tests)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
