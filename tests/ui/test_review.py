"""The Review page: supervisors approve or reject proposed findings, with a signature."""
import pytest
from PySide6.QtCore import Qt
from ui_helpers import login, password

from labdesk.errors import PermissionDenied
from labdesk.ui import dialogs


def queue_numbers(view):
    return [view.queue.item(i).data(Qt.UserRole) for i in range(view.queue.count())]


def pick(qtbot, view, number):
    """Click the queue's row for ``number``."""
    for row in range(view.queue.count()):
        item = view.queue.item(row)
        if item.data(Qt.UserRole) == number:
            rect = view.queue.visualItemRect(item)
            qtbot.mouseClick(view.queue.viewport(), Qt.LeftButton, pos=rect.center())
            assert view.finding.stone == number
            return
    raise AssertionError(f"{number} is not in the queue")


@pytest.fixture
def signatures(monkeypatch):
    """Replace the password dialog: answers what the test says, records what it showed."""
    asked = []
    answer = {"password": None}

    def ask_password(parent, signer, meaning, subject):
        asked.append({"signer": signer, "meaning": meaning, "subject": subject})
        return answer["password"]
    monkeypatch.setattr(dialogs, "ask_password", ask_password)
    return asked, answer


def activate(qtbot, win):
    """Keyboard shortcuts reach the active window only."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=2000)


def own_proposal(lab, username="sue"):
    """A stone received and proposed by ``username`` (a supervisor may propose too)."""
    login(lab, username)
    sub = lab.receive("Own Proposal Trading", [{
        "weight": "0.412", "shape": "oval", "colour": "F", "clarity": "VS2",
        "identification": "natural"}])
    number = sub.stones[0].number
    lab.propose_finding(number, "undetermined", statement="No origin documents came "
                                                          "with the stone.")
    return number


def test_supervisor_approves_with_a_signature(window, lab, qtbot, signatures):
    asked, answer = signatures
    answer["password"] = password("sam")
    win = window("sam")
    view = win.show_page("review")
    queue = [f.stone for f in lab.review_queue()]
    assert queue_numbers(view) == queue and len(queue) == 7
    number = queue[1]
    pick(qtbot, view, number)
    assert view.heading.text().startswith(number)
    assert view.stone_facts["Carat weight"].text().endswith(" ct")
    assert view.approve_button.isEnabled() and view.reject_button.isEnabled()
    qtbot.keyClicks(view.comment, "KP and invoice match the stone")
    qtbot.mouseClick(view.approve_button, Qt.LeftButton)
    assert asked == [{"signer": "Sam Okoro", "meaning": "Approval of the origin finding",
                      "subject": number}]
    assert number not in queue_numbers(view)
    assert len(queue_numbers(view)) == 6
    assert lab.stone(number).state == "approved"
    finding = lab.finding(number)
    assert finding.decided_by == "sam"
    assert finding.decision_comment == "KP and invoice match the stone"
    assert view.message.kind == "info" and "approved" in view.message.text()
    # the next finding is shown, ready for the next decision
    assert view.finding.stone == queue[2]


def test_ctrl_enter_approves(window, lab, qtbot, signatures):
    _asked, answer = signatures
    answer["password"] = password("sue")
    win = window("sue")
    view = win.show_page("review")
    activate(qtbot, win)
    number = view.finding.stone
    view.comment.setFocus()
    qtbot.keyClick(view.comment, Qt.Key_Return, Qt.ControlModifier)
    assert lab.stone(number).state == "approved"
    assert number not in queue_numbers(view)


def test_wrong_password_changes_nothing(window, lab, qtbot, signatures):
    asked, answer = signatures
    answer["password"] = "not-my-password"
    win = window("sam")
    view = win.show_page("review")
    number = view.finding.stone
    qtbot.mouseClick(view.approve_button, Qt.LeftButton)
    assert len(asked) == 1
    assert view.message.kind == "error"
    assert "password" in view.message.text()
    assert lab.stone(number).state == "proposed"
    assert number in queue_numbers(view)
    # cancelling the signature does nothing either
    answer["password"] = None
    qtbot.mouseClick(view.approve_button, Qt.LeftButton)
    assert lab.stone(number).state == "proposed"
    assert "cancelled" in view.message.text()


def test_reject_with_a_reason(window, lab, qtbot, signatures, monkeypatch):
    asked, answer = signatures
    answer["password"] = password("sam")
    reasons = iter(["  ", "The invoice does not name the stone's weight."])
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, title, prompt: next(reasons))
    win = window("sam")
    view = win.show_page("review")
    number = view.finding.stone
    # a blank reason is refused before anyone is asked to sign
    qtbot.mouseClick(view.reject_button, Qt.LeftButton)
    assert view.message.kind == "error" and "reason" in view.message.text()
    assert asked == [] and lab.stone(number).state == "proposed"
    qtbot.mouseClick(view.reject_button, Qt.LeftButton)
    assert asked[0]["meaning"] == "Rejection of the origin finding"
    assert lab.stone(number).state == "rejected"
    assert lab.finding(number).decision_comment == \
        "The invoice does not name the stone's weight."
    assert number not in queue_numbers(view)


def test_own_proposal_cannot_be_approved(window, lab, qtbot, signatures):
    asked, answer = signatures
    answer["password"] = password("sue")
    number = own_proposal(lab, "sue")
    win = window("sue")
    view = win.show_page("review")
    activate(qtbot, win)
    pick(qtbot, view, number)
    assert "(you)" in view.queue.currentItem().text()
    for button in (view.approve_button, view.reject_button):
        assert not button.isEnabled()
        assert "you proposed this finding" in button.toolTip().lower()
    assert not view.comment.isEnabled()
    # the keyboard shortcut says why instead of signing
    qtbot.keyClick(view.queue, Qt.Key_Return, Qt.ControlModifier)
    assert asked == []
    assert view.message.kind == "error"
    assert "you proposed this finding" in view.message.text().lower()
    # and Lab refuses the same
    with pytest.raises(PermissionDenied):
        lab.approve(number, password=password("sue"))
    assert lab.stone(number).state == "proposed"


def test_technician_sees_the_queue_read_only(window, lab, qtbot):
    win = window("tom")
    view = win.show_page("review")
    assert view.queue.count() == 7
    for button in (view.approve_button, view.reject_button):
        assert not button.isEnabled()
        assert "only a supervisor may" in button.toolTip().lower()
    # the evidence, its documents and the assessment are there to read
    assert view.evidence.topLevelItemCount() >= 1
    assert view.preview.currentWidget() is view.preview.pdf
    assert view.preview.pdf.pages >= 1
    assert view.assessment_tabs.count() == 3
    assert view.assessment_tabs.tabText(0).startswith("EU: ")
    assert "EU" in view.assessments["EU"].toPlainText()
    # an image document shows in the same pane
    image = None
    for i in range(view.evidence.topLevelItemCount()):
        top = view.evidence.topLevelItem(i)
        for j in range(top.childCount()):
            doc = top.child(j).data(0, Qt.UserRole)
            if doc is not None and doc.media_type.startswith("image/"):
                image = top.child(j)
    assert image is not None
    view.evidence.setCurrentItem(image)
    assert view.preview.currentWidget() is view.preview.image_area
    assert not view.preview.image.pixmap().isNull()
