"""New origin rules in the window: the findings are re-assessed behind a modal progress
dialog after login, the Review page's banner says what moved, and a supervisor settles
each stone from the list with a signature."""
import shutil

import pytest
from PySide6.QtCore import Qt
from ui_helpers import login, password

from labdesk.core.rulesets import default_rulesets_dir
from labdesk.ui import dialogs
from labdesk.ui.views.rule_changes import RuleChangesDialog


def _approved_on_a_kp_certificate(lab) -> str:
    """A stone cleared in the UK by a KP certificate and an invoice, approved by sue."""
    login(lab, "tom")
    number = lab.receive("Rules Window Gems", [{
        "weight": "1.150", "shape": "round", "colour": "G", "clarity": "VS1",
        "identification": "natural"}]).stones[0].number
    lab.add_evidence(number, "kp_certificate", reference="BW-77", issuing_country="BW",
                     issued_on="2024-02-01", origin_countries=["BW"], origin_type="single",
                     weight="30.000")
    lab.add_evidence(number, "sow_invoice", reference="INV-77", sow_statement=True,
                     issued_on="2024-03-01", weight="30.000")
    lab.propose_finding(number, "non_russian", mining_country="BW",
                        statement="Botswana KP certificate matched to the rough")
    login(lab, "sue")
    lab.approve(number, "KP and invoice")
    return number


@pytest.fixture
def new_uk_rules(tmp_path, monkeypatch):
    """Call it to put UK rules in use that no longer take a KP certificate (2026.7)."""
    def switch():
        folder = tmp_path / "rules"
        shutil.copytree(default_rulesets_dir(), folder)
        path = folder / "uk.toml"
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace('proof = ["kp-certificate", ', 'proof = [')
                        .replace('version = "2026.1"', 'version = "2026.7"'),
                        encoding="utf-8")
        monkeypatch.setenv("LABDESK_RULESETS", str(folder))
    return switch


@pytest.fixture
def answers(monkeypatch):
    given = {"reason": None, "password": None}
    monkeypatch.setattr(dialogs, "ask_reason", lambda *a, **k: given["reason"])
    monkeypatch.setattr(dialogs, "ask_password", lambda *a, **k: given["password"])
    return given


def test_after_login_the_findings_are_reassessed_and_the_review_page_says_so(
        window, lab, qtbot, new_uk_rules, answers):
    number = _approved_on_a_kp_certificate(lab)
    new_uk_rules()
    win = window("sue")
    qtbot.waitUntil(lambda: win.reassessing is None and not lab.rules_review_needed(),
                    timeout=30_000)
    review = win.views["review"]
    assert win.stack.currentWidget() is review
    assert review.message.kind == "info"
    assert "Re-assessed" in review.message.text() and "under UK 2026.7" in \
        review.message.text()
    assert review.rules_banner.isVisible() and review.rules_button.isVisible()
    assert "for the worse" in review.rules_text.text()
    assert not review.reassess_button.isVisible()
    win.grab().save(str(qtbot_tmp(review) / "review-rules-banner.png"))

    dialog = review.show_rule_changes()
    qtbot.waitExposed(dialog)
    stones = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert number in stones
    row = stones.index(number)
    dialog.table.selectRow(row)
    assert dialog.table.item(row, 6).text().startswith("insufficient (worse)")
    assert dialog.buttons["keep"].isEnabled() and dialog.buttons["reopen"].isEnabled()
    assert not dialog.buttons["reject"].isEnabled()      # not a proposed finding
    answers.update(reason="The invoice ties the stone to the KP certificate",
                   password=password("sue"))
    qtbot.mouseClick(dialog.buttons["keep"], Qt.LeftButton)
    assert dialog.message.kind == "info" and "kept" in dialog.message.text()
    assert number not in [dialog.table.item(r, 0).text()
                          for r in range(dialog.table.rowCount())]
    assert lab.rule_changes(status="kept")[0].stone == number
    dialog.close()


def test_a_technician_sees_the_list_but_cannot_settle(window, lab, qtbot, new_uk_rules):
    _approved_on_a_kp_certificate(lab)
    new_uk_rules()
    win = window("tom")
    qtbot.waitUntil(lambda: win.reassessing is None and not lab.rules_review_needed(),
                    timeout=30_000)
    dialog = RuleChangesDialog(lab, win)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() >= 1
    assert not any(button.isEnabled() for button in dialog.buttons.values())
    assert "Only a supervisor" in dialog.note.text()


def qtbot_tmp(widget):
    """Where a test's screenshot goes (the lab's home, removed with the test)."""
    return widget.lab.home
