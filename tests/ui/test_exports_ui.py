"""Exports in the window (issue 17): the Stones page's Export button writes every stone
of its filter in its order, and a stone's Compliance pack button writes its submission's
pack (a PDF that verifies, and an XLSX)."""
from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt

from labdesk.ui.views import exporting
from labdesk.ui.worker import wait_all


def _rows(path) -> list[list]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def test_export_button_writes_the_filter_and_sort_shown(window, lab, qtbot, tmp_path,
                                                        monkeypatch):
    win = window("tom")
    view = win.show_page("stones")
    view.state.setCurrentIndex(view.state.findData("reported"))
    view.table.sortByColumn(3, Qt.DescendingOrder)         # Carat, heaviest first
    qtbot.waitUntil(lambda: view.model.order == "weight")
    target = tmp_path / "listed"                           # no suffix: a workbook
    monkeypatch.setattr(exporting.dialogs, "ask_save_file", lambda *a: str(target))
    view.export_button.click()
    assert view.export_task is not None
    qtbot.waitUntil(lambda: "exported to" in view.message.text(), timeout=20_000)
    wait_all()
    rows = _rows(tmp_path / "listed.xlsx")
    listed = lab.stones(state="reported", order="weight", descending=True, limit=1000)
    assert [r[0] for r in rows[1:]] == [s.number for s in listed.items]
    assert f"{listed.total} stones exported to" in view.message.text()
    view.grab().save(str(tmp_path / "stones-export.png"))


def test_export_refused_says_why_in_the_message_bar(window, lab, qtbot, tmp_path,
                                                    monkeypatch):
    win = window("tom")
    view = win.show_page("stones")
    monkeypatch.setattr(exporting.dialogs, "ask_save_file",
                        lambda *a: str(tmp_path / "missing" / "x.csv"))
    view.export_button.click()
    qtbot.waitUntil(lambda: "does not exist" in view.message.text(), timeout=10_000)
    assert not (tmp_path / "missing").exists()


def test_compliance_pack_button_on_the_stone_page(window, lab, qtbot, tmp_path,
                                                  monkeypatch):
    win = window("sue")
    number = lab.stones(state="reported", limit=1).items[0].number
    win.open_stone(number)
    view = win.stone_view
    button = view.pack_button
    submission = lab.stone(number).submission
    assert button.isEnabled() and button.submission == submission
    monkeypatch.setattr(exporting, "ask_folder", lambda *a: str(tmp_path / "pack"))
    monkeypatch.setattr(exporting.CompliancePackButton, "open_after", False)
    button.click()
    qtbot.waitUntil(lambda: "Compliance pack of" in view.message.text(), timeout=60_000)
    wait_all()
    pdf = tmp_path / "pack" / f"{submission}-pack.pdf"
    assert pdf.is_file() and (tmp_path / "pack" / f"{submission}-pack.xlsx").is_file()
    assert lab.verify_pack(pdf).valid
    stones = {s.number for s in lab.submission(submission).stones}
    assert {r[0] for r in _rows(tmp_path / "pack" / f"{submission}-pack.xlsx")[1:]} \
        == stones
    view.grab().save(str(tmp_path / "stone-pack.png"))

