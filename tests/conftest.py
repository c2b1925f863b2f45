"""Test-wide setup: Qt runs offscreen (set before any QApplication exists), and the
shared fixtures of ``tests/support`` (see its ``__init__``) are registered."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

pytest_plugins = ["support.labs"]
