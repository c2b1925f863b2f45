"""The sentence LabDesk prints instead of Qt's abort when the X11 platform cannot load
(issue 16): missing libraries are simulated with a fake loader; no display is needed."""
import re
from pathlib import Path

import pytest

from labdesk.ui import app as app_module
from labdesk.ui import platform_check
from labdesk.ui.platform_check import LIBRARIES, missing_packages, problem

X11 = {"DISPLAY": ":0"}


def loader(*missing):
    """A loader for which the given sonames do not load."""
    return lambda soname: soname not in missing


def test_nothing_to_say_when_every_library_loads():
    assert problem(X11, loader(), "linux") is None


def test_the_sentence_names_the_missing_packages_once_each():
    sentence = problem(X11, loader("libxcb-icccm.so.4", "libxcb-keysyms.so.1",
                                   "libglib-2.0.so.0", "libgthread-2.0.so.0"), "linux")
    assert sentence.startswith("LabDesk cannot open its window")
    assert "sudo apt-get install libglib2.0-0 libxcb-icccm4 libxcb-keysyms1'" in sentence
    assert sentence.count("libglib2.0-0") == 2     # in the list and in the command
    assert "libxcb-cursor0" not in sentence
    assert sentence.count(". ") == 0 and sentence.endswith(".")  # one sentence


def test_one_package_is_singular():
    sentence = problem(X11, loader("libxcb-cursor.so.0"), "linux")
    assert "the Debian package libxcb-cursor0, missing here" in sentence


def test_no_display_is_said_before_any_library_is_tried():
    tried = []
    assert problem({}, lambda soname: tried.append(soname), "linux") \
        == platform_check.NO_DISPLAY
    assert tried == []


@pytest.mark.parametrize("environ", [
    {"QT_QPA_PLATFORM": "offscreen", "DISPLAY": ":0"},
    {"QT_QPA_PLATFORM": "wayland"},
    {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"},   # Qt tries Wayland first
])
def test_other_platforms_are_left_to_qt(environ):
    assert problem(environ, loader(*LIBRARIES), "linux") is None


@pytest.mark.parametrize("platform_name", ["win32", "darwin"])
def test_only_linux_is_checked(platform_name):
    assert problem(X11, loader(*LIBRARIES), platform_name) is None


def test_xcb_asked_for_is_checked_even_in_a_wayland_session():
    environ = {"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}
    assert "libxcb-xkb1" in problem(environ, loader("libxcb-xkb.so.1"), "linux")


def test_a_failed_pyside_import_names_the_packages_too():
    said = platform_check.import_problem(ImportError("libEGL.so.1: cannot open"),
                                         loader("libEGL.so.1"), "linux")
    assert said == ("Qt needs the Debian package libegl1, missing here: install with "
                    "'sudo apt-get install libegl1'")
    other = ImportError("something else")
    assert platform_check.import_problem(other, loader(), "linux") == "something else"


def test_run_prints_the_sentence_and_exits_2_without_starting_qt(monkeypatch, tmp_path,
                                                                  capsys):
    class NoQApplication:
        @staticmethod
        def instance():
            return None

        def __init__(self, *args):
            raise AssertionError("Qt must not start: it would abort the process")

    monkeypatch.setattr(app_module, "QApplication", NoQApplication)
    monkeypatch.setattr(platform_check, "problem",
                        lambda: problem(X11, loader("libxcb-icccm.so.4"), "linux"))
    assert app_module.run(tmp_path / "lab") == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "libxcb-icccm4" in err[0]


def test_the_readme_install_line_has_every_package_the_window_needs():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## On a fresh machine", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines()
             if line.startswith("sudo apt-get install")]
    assert len(lines) == 1, "one apt-get install line in the fresh-machine section"
    listed = set(re.findall(r"\s([a-z0-9][a-z0-9.+-]+)", lines[0]))
    assert set(LIBRARIES.values()) <= listed
    assert {"python3-venv", "fonts-dejavu-core"} <= listed
    assert missing_packages(loader()) == []
