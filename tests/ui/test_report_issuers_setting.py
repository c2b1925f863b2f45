"""Who issues reports is a lab setting an admin chooses on the Settings page (issue 16,
item 17); the Lab enforces it."""
from PySide6.QtCore import Qt


def test_an_admin_lets_technicians_issue_reports(window, lab, qtbot):
    assert lab.settings()["report_issuers"] == "supervisors"     # the default
    win = window("ada")
    view = win.show_page("settings")
    assert view.report_issuers.currentData() == "supervisors"
    assert view.report_issuers.currentText() == "Supervisors and admins"
    view.report_issuers.setCurrentIndex(view.report_issuers.findData("everyone"))
    qtbot.mouseClick(view.save_profile, Qt.LeftButton)
    assert lab.settings()["report_issuers"] == "everyone"
    assert "who issues reports" in view.message.text()
    assert lab.audit_events(action="settings.set").items[0].actor == "ada"
