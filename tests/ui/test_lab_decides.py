"""Lab decides, views show: whether an action is allowed, and the sentence why not, come
from ``Lab`` (``StoneDetail.actions``); the pages only grey out and say it.  Real widgets,
offscreen; each page is also drawn to a PNG beside the test's lab."""
from PySide6.QtCore import Qt
from ui_helpers import login, password

from labdesk.core.stones import check_consistency
from labdesk.errors import ValidationError
from labdesk.ui import dialogs


def _stone_page(window, username, number):
    win = window(username)
    win.open_stone(number)
    view = win.stone_view
    assert view.number == number
    return win, view


def _first(lab, state):
    if lab.user is None:   # the lab's records are read by a logged-in user
        login(lab, "tom")
    return lab.stones(state=state, limit=1).items[0].number


def _grab(widget, lab, name):
    path = lab.home / name
    assert widget.grab().save(str(path))
    return path


def test_a_technician_sees_reopen_disabled_with_the_labs_sentence(window, lab):
    number = _first(lab, "approved")
    win, view = _stone_page(window, "tom", number)
    view.tabs.setCurrentIndex(3)
    reopen = lab.stone_detail(number).actions["reopen"]
    assert not reopen.allowed
    assert not view.reopen_button.isEnabled()
    assert view.reopen_button.toolTip() == reopen.why
    assert "only a supervisor may" in reopen.why.lower()
    # the facts say the Lab's sentence too, and so does the locked banner's tooltip
    edit = lab.stone_detail(number).actions["edit_facts"]
    assert view.save_button.toolTip() == edit.why
    assert view.banner.toolTip() == edit.why
    assert view.facts_state.text() == "Read only: " + edit.why
    _grab(win, lab, "stone-approved-technician.png")


def test_a_supervisor_may_reopen_what_a_technician_may_not(window, lab):
    number = _first(lab, "approved")
    win, view = _stone_page(window, "sue", number)
    assert lab.stone_detail(number).actions["reopen"].allowed
    assert view.reopen_button.isEnabled()
    assert "sign with your password" in view.reopen_button.toolTip()


def test_a_supervisors_own_proposal_shows_approve_disabled_with_four_eyes(window, lab,
                                                                          qtbot):
    login(lab, "sue")
    number = lab.receive("Four Eyes Trading", [{
        "weight": "0.512", "shape": "oval", "colour": "F", "clarity": "VS2",
        "identification": "natural"}]).stones[0].number
    lab.propose_finding(number, "undetermined", statement="No origin documents came "
                                                          "with the stone.")
    win = window("sue")
    view = win.show_page("review")
    view.reload(select=number)
    assert view.finding.stone == number
    actions = lab.stone_detail(number).actions
    for button, action in ((view.approve_button, "approve"),
                           (view.reject_button, "reject")):
        assert not actions[action].allowed
        assert not button.isEnabled()
        assert button.toolTip() == actions[action].why
        assert "you proposed this finding" in button.toolTip().lower()
    assert view.decision_note.text() == actions["approve"].why
    _grab(win, lab, "review-own-proposal.png")
    # another supervisor may: the same page, the Lab's answer for them
    win.close()
    win = window("sam")
    view = win.show_page("review")
    view.reload(select=number)
    assert view.approve_button.isEnabled() and view.reject_button.isEnabled()
    assert not view.decision_note.isVisible()


def test_parcel_evidence_is_frozen_by_a_sibling_without_loading_the_parcel(
        window, lab, monkeypatch):
    login(lab, "tom")
    sub = lab.receive("Parcel Freeze Gems", [
        {"weight": "0.301", "identification": "natural"},
        {"weight": "0.302", "identification": "natural"}])
    first, second = (s.number for s in sub.stones)
    lab.propose_finding(first, "undetermined", statement="Nothing came with it.")
    loaded = []
    real = type(lab).submission
    monkeypatch.setattr(type(lab), "submission",
                        lambda self, n: loaded.append(n) or real(self, n))
    win, view = _stone_page(window, "tom", second)
    assert loaded == []                     # the page never loads the parcel's stones
    actions = lab.stone_detail(second).actions
    assert actions["add_evidence"].allowed and not actions["edit_parcel_evidence"].allowed
    assert first in actions["edit_parcel_evidence"].why
    view.add_evidence("kp_certificate")
    form = view.form
    form.target.setCurrentIndex(0)          # this stone: may be added
    assert form.save_button.isEnabled() and not form.why.isVisible()
    form.target.setCurrentIndex(1)          # its parcel: frozen, the Lab says why
    assert not form.save_button.isEnabled()
    assert form.save_button.toolTip() == actions["edit_parcel_evidence"].why
    assert form.why.text() == "Read only. " + actions["edit_parcel_evidence"].why
    assert view.add_button.isEnabled()


def test_issue_from_the_stone_page_follows_the_lab(window, lab, qtbot):
    received = _first(lab, "received")
    win, view = _stone_page(window, "sue", received)
    issue = lab.stone_detail(received).actions["issue"]
    assert not view.issue_button.isEnabled()
    assert view.issue_button.toolTip() == issue.why
    number = _first(lab, "approved")
    win.open_stone(number)
    assert lab.stone_detail(number).actions["issue"].allowed
    assert view.issue_button.isEnabled()
    view.tabs.setCurrentIndex(3)
    qtbot.mouseClick(view.issue_button, Qt.LeftButton)
    assert view.message.kind == "info", view.message.text()
    assert lab.stone(number).state == "reported"
    report = lab.reports(stone_no=number).items[0]
    assert report.number in view.message.text()
    assert not view.issue_button.isEnabled()    # reported: the Lab says why not again
    assert view.issue_button.toolTip() == lab.stone_detail(number).actions["issue"].why


def test_growth_method_follows_cores_consistency_rule(window, lab):
    win, view = _stone_page(window, "tom", _first(lab, "received"))
    ident, growth = view.facts["identification"], view.facts["growth_method"]
    ident.setCurrentIndex(ident.findData("laboratory_grown"))
    growth.setCurrentIndex(growth.findData("HPHT"))
    ident.setCurrentIndex(ident.findData("simulant"))
    assert growth.currentData() is None and not growth.isEnabled()
    try:
        check_consistency({"identification": "simulant", "growth_method": "HPHT"})
    except ValidationError as exc:
        said = str(exc)
    assert growth.toolTip().lower().rstrip(".") in said   # core's words, not the page's


def test_the_pages_show_the_labs_jurisdictions(window, lab):
    codes = list(lab.jurisdictions())
    win, view = _stone_page(window, "tom", _first(lab, "received"))
    assert list(view.outcomes) == codes
    review = win.show_page("review")
    assert [review.assessment_tabs.tabText(i).split(":")[0]
            for i in range(review.assessment_tabs.count())] == codes


def test_a_signature_cancelled_or_refused_changes_nothing(window, lab, qtbot, monkeypatch):
    number = _first(lab, "approved")
    win, view = _stone_page(window, "sue", number)
    asked = []
    monkeypatch.setattr(dialogs, "ask_reason", lambda *a: asked.append("reason") or "ok")
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: asked.append("password"))
    qtbot.mouseClick(view.reopen_button, Qt.LeftButton)   # 'ok': too short a reason
    assert asked == ["reason"] and view.message.kind == "error"
    assert "reason" in view.message.text()
    monkeypatch.setattr(dialogs, "ask_reason", lambda *a: "Clarity regraded")
    qtbot.mouseClick(view.reopen_button, Qt.LeftButton)   # the signature cancelled
    assert view.message.kind == "info"
    assert view.message.text() == f"Not reopened: the signature for stone {number} was " \
                                  f"cancelled."
    assert lab.stone(number).state == "approved"
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: password("sue"))
    qtbot.mouseClick(view.reopen_button, Qt.LeftButton)
    assert lab.stone(number).state == "received"
    assert "Clarity regraded" in view.message.text()
