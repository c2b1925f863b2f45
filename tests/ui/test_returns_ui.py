"""Issue 17, returns: the Stone page's Custody tab shows who had the stone, Return asks
who collects it and the identity document seen, then the signature (the password again),
and the returned stone says so and takes no further work; a stone under review cannot be
returned, with the Lab's sentence."""
from labdesk.ui import dialogs
from labdesk.ui.views import stone as stone_view
from ui_helpers import login, password

CUSTODY = 5   # the Custody tab


def _reported(lab):
    login(lab, "tom")
    sub = lab.receive("Returns UI BV", [{"client_ref": "RU-1", "weight": "0.910",
                                         "identification": "natural"},
                                        {"client_ref": "RU-2", "weight": "0.420",
                                         "identification": "natural"}])
    first, second = (s.number for s in sub.stones)
    lab.propose_finding(first, "undetermined")
    login(lab, "sue")
    lab.approve(first, password=password("sue"))
    report = lab.issue_report(first)
    return first, second, report


def test_a_stone_is_returned_against_a_signature_and_shows_its_custody(
        window, lab, tmp_path, monkeypatch):
    first, second, report = _reported(lab)
    win = window("tom")
    win.open_stone(first)
    view = win.stone_view
    view.tabs.setCurrentIndex(CUSTODY)
    assert view.tabs.tabText(CUSTODY) == "C&ustody"
    assert "received from Returns UI BV by" in view.custody_text.text()
    assert view.return_button.isEnabled() and view.return_why.isHidden()
    assert view.receipt_button.isHidden()

    asked = []
    monkeypatch.setattr(stone_view, "ask_return_details", lambda page, number: {
        "collected_by": "Jan Peeters", "id_document": "Belgian ID 591-1234567-89",
        "note": "collected in person", "others": [second.lower()]})
    monkeypatch.setattr(dialogs, "ask_password", lambda parent, signer, meaning, subject:
                        asked.append((signer, meaning, subject)) or password("tom"))
    done = view.return_stone()
    assert done is not None and [s.stone for s in done.stones] == [first, second]
    assert asked == [(lab.user.full_name, "Return to the client",
                      f"stones {first}, {second}")]
    assert f"on receipt {done.receipt}" in view.message.text()
    assert lab.stone(first).state == "returned" and lab.stone(second).state == "returned"

    # the page now says the stone left the lab, and refuses further work
    assert view.banner.isVisible() and view.banner.text().startswith(
        "Returned to the client")
    text = view.custody_text.text()
    assert "returned to Jan Peeters (identity document seen: Belgian ID 591-1234567-89)" \
        in text and done.receipt in text and text.endswith("Note: Collected in person.")
    assert not view.return_button.isEnabled()
    assert view.return_why.text() == f"{first} was returned to the client already."
    assert not view.receipt_button.isHidden()
    assert view.receipt() == done.receipt
    for action in ("edit_facts", "add_evidence", "edit_parcel_evidence", "propose"):
        assert not view.allowed(action).allowed, action
        assert "returned to the client" in view.allowed(action).why
    assert view.save_button.isEnabled() is False
    view.resize(1100, 700)
    view.grab().save(str(tmp_path / "custody.png"))
    history = [view.history_table.item(r, 2).text()
               for r in range(view.history_table.rowCount())]
    assert "Handed back to the client" in history
    assert "Returned — no further work" in history


def test_a_cancelled_signature_returns_nothing(window, lab, monkeypatch):
    first, _, _ = _reported(lab)
    win = window("tom")
    win.open_stone(first)
    view = win.stone_view
    monkeypatch.setattr(stone_view, "ask_return_details", lambda page, number: {
        "collected_by": "Jan", "id_document": None, "note": "", "others": []})
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: None)
    assert view.return_stone() is None
    assert lab.stone(first).state == "reported"
    assert "was cancelled" in view.message.text()


def test_a_wrong_password_or_no_collector_is_one_sentence_and_nothing_changes(
        window, lab, monkeypatch):
    first, _, _ = _reported(lab)
    win = window("tom")
    win.open_stone(first)
    view = win.stone_view
    monkeypatch.setattr(stone_view, "ask_return_details", lambda page, number: {
        "collected_by": "", "id_document": None, "note": "", "others": []})
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: password("tom"))
    assert view.return_stone() is None
    assert view.message.text().startswith("collected_by: name the person")
    monkeypatch.setattr(stone_view, "ask_return_details", lambda page, number: {
        "collected_by": "Jan", "id_document": None, "note": "", "others": []})
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: "not-the-password")
    assert view.return_stone() is None
    assert "password" in view.message.text()
    assert lab.stone(first).state == "reported"


def test_a_stone_under_review_cannot_be_returned(window, lab):
    login(lab, "tom")
    sub = lab.receive("Returns UI BV", [{"weight": "0.500", "identification": "natural"}])
    number = sub.stones[0].number
    lab.propose_finding(number, "undetermined")
    win = window("tom")
    win.open_stone(number)
    view = win.stone_view
    assert not view.return_button.isEnabled()
    assert view.return_why.text().startswith(f"{number} has a finding awaiting review")
    assert view.return_button.toolTip() == view.return_why.text()
