"""``labdesk screenshots OUTDIR``: every screen of the demo lab rendered to a PNG."""
import hashlib

import pytest
from click.testing import CliRunner
from PySide6.QtGui import QImage

from labdesk.cli import main
from labdesk.reports.claims import altered
from labdesk.ui.screenshots import _slug
from ui_helpers import login

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

DIALOGS = ("first-run", "setup-wizard", "setup-wizard-admin", "login")
PAGES = ("intake", "stones", "stone", "review", "reports", "verify-valid",
         "verify-forged", "audit", "settings", "settings-users", "settings-keys",
         "settings-backups")


@pytest.mark.slow
def test_screenshots_command_renders_every_screen(qtbot, tmp_path, demo_template):
    out = tmp_path / "shots"
    result = CliRunner().invoke(main, ["screenshots", str(out), "--demo-home",
                                       str(demo_template)])
    assert result.exit_code == 0, result.output
    files = {p.stem: p for p in out.glob("*.png")}
    missing = [name for name in DIALOGS + PAGES if name not in files]
    assert not missing, (missing, sorted(files))
    assert any(name.startswith("stone-") for name in files)  # the stone's other tabs
    for name, path in files.items():
        assert path.stat().st_size > 8_000, name     # a real picture, not a blank one
        assert f"wrote {path}" in result.output
    for name in PAGES:
        image = QImage(str(files[name]))
        assert (image.width(), image.height()) == (1280, 800), name
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in files.values()}
    assert len(digests) == len(files)               # every screen is a different picture
    # the demo lab it copied is untouched
    assert not (demo_template / "backups").exists() or \
        not any((demo_template / "backups").iterdir())


def test_screenshots_command_refuses_a_bad_size(tmp_path):
    result = CliRunner().invoke(main, ["screenshots", str(tmp_path / "x"), "--size",
                                       "big"])
    assert result.exit_code == 2
    assert "WIDTHxHEIGHT" in result.output
    assert not (tmp_path / "x").exists()


def test_a_forged_token_is_called_forged(lab):
    login(lab, "tom")
    report = lab.reports(status="issued", limit=1).items[0]
    assert lab.verify(report.qr_text).valid
    forged = altered(report.qr_text)
    assert forged != report.qr_text and forged.startswith("https://")
    verdict = lab.verify(forged)
    assert not verdict.valid and verdict.status == "forged"


def test_tab_names_become_file_names():
    assert _slug("&Evidence && documents") == "evidence-documents"
    assert _slug("History (14)") == "history"
    assert _slug("Lab profile") == "lab-profile"
