"""Issue 16, item 4: a supervisor voids a submission received by mistake from the stone
page (a reason, then the signature); a technician may not; its stones show as voided and
take no finding."""
from labdesk.ui import dialogs
from ui_helpers import login, password

CUSTODY = 5   # the Custody tab holds "Received by mistake"


def _received(lab):
    login(lab, "tom")
    sub = lab.receive("Twice Received BV", [{"client_ref": "TW-1", "weight": "0.910",
                                             "identification": "natural"}])
    return sub.number, sub.stones[0].number


def test_a_supervisor_voids_the_submission_from_the_stone_page(window, lab, monkeypatch):
    submission, stone = _received(lab)
    win = window("sue")
    win.open_stone(stone)
    view = win.stone_view
    view.tabs.setCurrentIndex(CUSTODY)
    assert view.void_button.isEnabled()
    asked = []
    monkeypatch.setattr(dialogs, "ask_reason", lambda parent, title, prompt:
                        asked.append(title) or "the same packing list twice")
    monkeypatch.setattr(dialogs, "ask_password", lambda parent, signer, meaning, subject:
                        asked.append(subject) or password("sue"))
    assert view.void_submission()
    assert asked == [f"Void {submission}", f"submission {submission}"]
    assert f"{submission} voided by" in view.message.text()
    assert lab.stone(stone).voided
    assert view.banner.text().startswith("Voided")
    assert not view.void_button.isEnabled()          # once
    assert "voided already" in view.void_button.toolTip()
    event = lab.audit_events(action="submission.void").items[0]
    assert event.data["reason"] == "the same packing list twice"
    assert event.data["signature"]["signer"] == "sue"


def test_a_technician_may_not_void_and_a_cancelled_signature_voids_nothing(
        window, lab, monkeypatch):
    submission, stone = _received(lab)
    win = window("tom")
    win.open_stone(stone)
    view = win.stone_view
    assert not view.void_button.isEnabled()
    assert "supervisor" in view.void_button.toolTip()
    win = window("sue")
    win.open_stone(stone)
    view = win.stone_view
    monkeypatch.setattr(dialogs, "ask_reason", lambda *a: "received twice")
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: None)
    assert not view.void_submission()
    assert "Not voided" in view.message.text()
    assert not lab.stone(stone).voided
