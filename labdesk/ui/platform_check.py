"""Before Qt opens a window on Linux: can its X11 (xcb) platform plugin load?

Qt ends the process (qFatal, exit status 134) when no platform plugin loads, with a
message about plugins that does not say what to install.  So LabDesk looks first, before
any ``QApplication`` exists, and says in one sentence which Debian packages to install.
No Qt here: this module must work when Qt's own libraries cannot load.
"""
from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# The shared libraries that Qt's xcb plugin (libqxcb.so, libQt6XcbQpa), QtGui and QtDBus
# load, outside PySide6's wheel and glibc, with the Debian 12 package holding each
# (found with objdump -p and dpkg -S).  Their own dependencies come with the packages.
LIBRARIES: dict[str, str] = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libdbus-1.so.3": "libdbus-1-3",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}


def _loads(soname: str) -> bool:
    """Whether the dynamic loader finds ``soname`` and everything it needs."""
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def uses_xcb(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether Qt will try its xcb plugin (and abort if it cannot load it): on Linux,
    when ``QT_QPA_PLATFORM`` asks for xcb, or is unset outside a Wayland session."""
    if not platform.startswith("linux"):
        return False
    wanted = environ.get("QT_QPA_PLATFORM", "").strip()
    if wanted:
        return wanted.split(";")[0].split(":")[0] == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def missing_packages(load: Callable[[str], bool] = _loads) -> list[str]:
    """The Debian packages whose libraries do not load, each once, in table order."""
    missing: list[str] = []
    for soname, package in LIBRARIES.items():
        if package not in missing and not load(soname):
            missing.append(package)
    return missing


def packages_sentence(packages: list[str]) -> str:
    """The one sentence naming the missing packages and the command that installs them."""
    names = ", ".join(packages)
    return (f"LabDesk cannot open its window: Qt's X11 platform needs the Debian "
            f"package{'s' if len(packages) > 1 else ''} {names}, missing here; install "
            f"with 'sudo apt-get install {' '.join(packages)}' (the README's 'On a fresh "
            f"machine' lists every package the window needs), or use the command-line "
            f"tools ('labdesk --help').")


NO_DISPLAY = ("LabDesk cannot open its window: there is no display (neither DISPLAY nor "
              "WAYLAND_DISPLAY is set); start it from a desktop session, or use the "
              "command-line tools ('labdesk --help').")


def problem(environ: Mapping[str, str] | None = None,
            load: Callable[[str], bool] = _loads,
            platform: str = sys.platform) -> str | None:
    """The sentence to print instead of starting Qt, or None when the window can start."""
    environ = os.environ if environ is None else environ
    if not uses_xcb(environ, platform):
        return None
    if not environ.get("DISPLAY"):
        return NO_DISPLAY
    packages = missing_packages(load)
    return packages_sentence(packages) if packages else None


def import_problem(exc: ImportError, load: Callable[[str], bool] = _loads,
                   platform: str = sys.platform) -> str:
    """What to say when PySide6's own modules do not import: on Linux, the Debian
    packages whose libraries are missing when that is the cause, else Python's message."""
    if platform.startswith("linux"):
        packages = missing_packages(load)
        if packages:
            return (f"Qt needs the Debian package{'s' if len(packages) > 1 else ''} "
                    f"{', '.join(packages)}, missing here: install with "
                    f"'sudo apt-get install {' '.join(packages)}'")
    return str(exc)
