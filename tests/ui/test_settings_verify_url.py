"""The Settings page keeps saying that the reports' QR codes open nothing on a phone
until the lab has a verify page URL (issue 16, item 7); the sentence is core's, the one
``labdesk init`` and ``labdesk status`` say."""
from PySide6.QtCore import Qt

from labdesk.core.settings import NO_VERIFY_URL
from ui_helpers import login


def test_the_profile_warns_until_a_verify_url_is_set(window, lab, qtbot, tmp_path):
    login(lab, "ada")
    lab.update_settings(verify_url="")
    win = window("ada", size=(1100, 700))
    view = win.show_page("settings")
    assert view.profile_warning.isVisible()
    text = view.profile_warning.text()
    assert text.startswith("No verify page URL is set") and NO_VERIFY_URL[1:] in text
    assert "phone" in text and "Verify page URL" in text
    view.grab().save(str(tmp_path / "settings-no-verify-url.png"))

    qtbot.keyClicks(view.verify_url, "https://verify.example.org/")
    qtbot.mouseClick(view.save_profile, Qt.LeftButton)
    assert lab.settings()["verify_url"] == "https://verify.example.org/"
    assert not view.profile_warning.isVisible()


def test_no_warning_for_a_lab_with_a_verify_url(window, lab):
    win = window("ada")
    view = win.show_page("settings")
    assert lab.settings()["verify_url"]
    assert not view.profile_warning.isVisible()
