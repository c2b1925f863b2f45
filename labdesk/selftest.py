"""``LabDesk --self-test``: does this installation work?

Run by the bundled application (``packaging/entry.py``) and by ``packaging/build.sh`` on
the bundle it has just built, and usable from any install (``python -m labdesk.selftest``).
Four steps, each printed as it passes or fails:

1. lab: the shipped resources are found (rulesets, the verify page, the icon) and the
   native libraries load; a temporary demo lab is created, closed and opened again.
2. report: a supervisor issues the report of an approved stone (Argon2 login, Ed25519
   signature, reportlab PDF with its QR code).
3. verify: the report's QR text is genuine, the QR code read back from the PDF (pdfium
   and zxing-cpp) is genuine too, and a forged copy is refused.
4. window: the main window is rendered offscreen (Qt's offscreen platform, set before the
   QApplication exists) and its picture saved.

Nothing outside a temporary folder is touched: the lab, the window's QSettings and the
picture all live there.  Returns 0 when every step passed, 1 otherwise.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

from labdesk.reports.claims import altered

STEPS = ("lab", "report", "verify", "window")


class StepFailed(Exception):
    """A check of a step did not hold; the message says which."""


def _say(text: str) -> None:
    # A windowed Windows build has no console: sys.stdout is None and print() is a no-op.
    print(text, flush=True)


def run_self_test() -> int:
    """Run the four steps in a temporary folder; 0 when all passed, 1 otherwise."""
    import labdesk
    frozen = "bundle" if getattr(sys, "frozen", False) else "python"
    _say(f"LabDesk {labdesk.__version__} self-test ({frozen}, Python "
         f"{sys.version.split()[0]}, {sys.platform})")
    state: dict = {}
    with tempfile.TemporaryDirectory(prefix="labdesk-selftest-",
                                     ignore_cleanup_errors=True) as tmp:
        state["tmp"] = Path(tmp)
        try:
            for number, (name, step) in enumerate(
                    zip(STEPS, (_lab, _report, _verify, _window)), start=1):
                started = time.monotonic()
                try:
                    detail = step(state)
                except Exception as exc:  # noqa: BLE001 - report any failure, then stop
                    _say(f"[{number}/{len(STEPS)}] {name}: FAILED: "
                         f"{type(exc).__name__}: {exc}")
                    if not isinstance(exc, StepFailed):
                        traceback.print_exc()
                    _say("self-test FAILED")
                    return 1
                _say(f"[{number}/{len(STEPS)}] {name}: ok ({time.monotonic() - started:.1f} s)"
                     f" - {detail}")
        finally:
            lab = state.get("lab")
            if lab is not None:
                lab.close()
    _say("self-test passed")
    return 0


def _check(condition, message: str) -> None:
    if not condition:
        raise StepFailed(message)


def _lab(state: dict) -> str:
    from importlib import resources

    from labdesk.core.rulesets import default_rulesets_dir, load_rulesets
    from labdesk.demo import build_demo
    from labdesk.lab import Lab

    shipped = resources.files("labdesk.resources")
    for name in ("rulesets/eu.toml", "rulesets/us.toml", "rulesets/uk.toml",
                 "verify/index.html", "icons/labdesk.svg", "icons/labdesk-256.png"):
        folder, file = name.split("/")
        _check((shipped / folder / file).is_file(),
               f"the shipped resource labdesk.resources/{name} is missing")
    rulesets_dir = default_rulesets_dir()
    rulesets = load_rulesets(rulesets_dir)
    _check({"EU", "US", "UK"} <= set(rulesets),
           f"rulesets found: {sorted(rulesets)}; EU, US and UK expected")

    # The native parts a bundle forgets most easily: each must import and work.
    import argon2
    import pycountry
    import pypdfium2
    import zxingcpp
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from reportlab.lib import rl_accel
    _check(argon2.PasswordHasher().verify(argon2.PasswordHasher().hash("x"), "x"),
           "argon2 cannot hash")
    _check(pycountry.countries.get(alpha_2="BW") is not None, "pycountry has no data")
    Ed25519PrivateKey.generate()
    # reportlab falls back to slow Python silently when _rl_accel (imported by name in an
    # exec, so bundlers miss it) is absent
    _check(getattr(rl_accel.fp_str, "__module__", None) == "_rl_accel",
           "reportlab's C accelerators (_rl_accel, package rl_accel) are not loaded")
    _check(hasattr(zxingcpp, "read_barcodes") and pypdfium2.PdfDocument is not None,
           "zxing-cpp or pypdfium2 is incomplete")

    home = state["tmp"] / "lab"
    build_demo(home).close()
    lab = state["lab"] = Lab.open(home)
    stones = sum(lab.counts()["stones"].values())
    _check(stones > 0, "the demo lab has no stones")
    return (f"rulesets {', '.join(sorted(rulesets))} from {rulesets_dir}; demo lab of "
            f"{stones} stones created and opened in {home}")


def _report(state: dict) -> str:
    from labdesk.demo import DEMO_USERS

    lab = state["lab"]
    lab.login("sue", DEMO_USERS["sue"][2])
    approved = lab.stones(state="approved", limit=1).items
    _check(approved, "the demo lab has no approved stone")
    stone = approved[0].number
    assessment = lab.assess(stone, jurisdiction="EU")
    report = state["report"] = lab.issue_report(stone)
    pdf = Path(report.pdf_path)
    _check(pdf.is_file() and pdf.read_bytes()[:5] == b"%PDF-",
           f"report {report.number}: no PDF at {pdf}")
    return (f"{report.number} issued for {stone} (EU assessment: {assessment.outcome}); "
            f"PDF {pdf.stat().st_size // 1024} KiB")


def _verify(state: dict) -> str:
    from labdesk.reports.scan import decode_file

    lab, report = state["lab"], state["report"]
    result = lab.verify(report.qr_text)
    _check(result.valid and result.report == report.number,
           f"the report's own QR text does not verify: {result.status} {result.problems}")
    scanned = [t for t in decode_file(report.pdf_path) if "LD1." in t]
    _check(scanned, "no LabDesk QR code found in the report PDF (pdfium, zxing-cpp)")
    result = lab.verify(scanned[0])
    _check(result.valid, f"the QR code read from the PDF does not verify: {result.status}")
    forged = lab.verify(altered(report.qr_text))
    _check(not forged.valid, "a forged claim was accepted as genuine")
    return (f"{report.number} genuine (QR text and PDF scan); a forged copy is "
            f"{forged.status}")


def _window(state: dict) -> str:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"     # before any QApplication exists
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from labdesk.ui.main_window import MainWindow
    from labdesk.ui.worker import wait_all

    app = QApplication.instance() or QApplication(sys.argv[:1])
    platform = app.platformName()
    # the window keeps its size and page in QSettings: keep the user's untouched
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(state["tmp"] / "qs"))
    from importlib import resources
    icon_file = resources.files("labdesk.resources") / "icons" / "labdesk.svg"
    icon = QIcon(str(icon_file))
    _check(not icon.isNull() and not icon.pixmap(64, 64).isNull(),
           "the SVG icon cannot be drawn (Qt's svg image format or icon engine plugin "
           "missing)")
    window = MainWindow(state["lab"])
    try:
        window.setWindowIcon(icon)
        window.resize(1280, 800)
        window.show()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            app.processEvents()
            if wait_all(50):
                break
        app.processEvents()
        image = window.grab().toImage()
        _check(not image.isNull() and image.width() >= 1100 and image.height() >= 700,
               f"the window rendered as {image.width()}x{image.height()}")
        colours = {image.pixel(x, y) for x in range(0, image.width(), 37)
                   for y in range(0, image.height(), 23)}
        _check(len(colours) > 4, "the window rendered blank")
        picture = state["tmp"] / "main-window.png"
        _check(image.save(str(picture)), "the window's picture could not be saved as PNG")
        pages = len(window.views)
    finally:
        window.close()
        window.deleteLater()
        wait_all(30_000)
        app.processEvents()
    return (f"main window {image.width()}x{image.height()} with {pages} pages rendered on "
            f"the {platform} platform")


if __name__ == "__main__":
    sys.exit(run_self_test())
