"""The search box (issue 16, item 5): one thing found opens at once; more than one is
listed (kind, number, client, reference) to pick from, never the first taken silently."""
from PySide6.QtCore import Qt

from labdesk.ui.dialogs import HIT_COLUMNS


def _search(win, qtbot, text):
    win.search.clear()
    qtbot.keyClicks(win.search, text)
    qtbot.keyClick(win.search, Qt.Key_Return)


def _rows(dialog):
    table = dialog.table
    return [tuple(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def test_a_stock_number_two_clients_use_is_listed_and_the_one_picked_opens(
        window, lab, qtbot):
    win = window("tom")
    first = lab.receive("Ruby Lane Diamonds", [{"weight": "0.51", "client_ref": "STK-4417"}])
    second = lab.receive("Kasai Polished SARL", [{"weight": "1.02",
                                                  "client_ref": "STK-4417"}])
    before = win.stack.currentWidget()
    _search(win, qtbot, "STK-4417")

    dialog = win.find_results
    assert dialog is not None and dialog.isVisible()
    assert win.stack.currentWidget() is before          # nothing opened by itself
    assert [dialog.table.horizontalHeaderItem(c).text()
            for c in range(dialog.table.columnCount())] == list(HIT_COLUMNS)
    assert sorted(_rows(dialog)) == sorted([
        ("Stone", first.stones[0].number, "Ruby Lane Diamonds", "STK-4417"),
        ("Stone", second.stones[0].number, "Kasai Polished SARL", "STK-4417")])
    assert "2 matches" in dialog.caption.text()

    row = next(r for r, values in enumerate(_rows(dialog)) if "Kasai" in values[2])
    dialog.table.selectRow(row)
    qtbot.keyClick(dialog.table, Qt.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert win.stack.currentWidget() is win.stone_view
    assert win.stone_view.number == second.stones[0].number
    assert win.find_results is None


def test_a_kp_certificate_of_a_parcel_lists_every_stone_it_covers(window, lab, qtbot):
    win = window("tom")
    sub = lab.receive("Orapa Rough Traders", [
        {"weight": "0.40", "client_ref": "ORT-1"}, {"weight": "0.55", "client_ref": "ORT-2"},
        {"weight": "0.61", "client_ref": "ORT-3"}])
    lab.add_evidence(sub.number, "kp_certificate", reference="BW-KP-880123",
                     issuing_country="BW", origin_countries=["BW"])
    _search(win, qtbot, "BW-KP-880123")

    dialog = win.find_results
    assert dialog is not None and dialog.isVisible()
    rows = _rows(dialog)
    assert [r[1] for r in rows] == [s.number for s in sub.stones]
    assert [r[3] for r in rows] == ["ORT-1", "ORT-2", "ORT-3"]
    assert all(r[2] == "Orapa Rough Traders" for r in rows)
    assert all("Kimberley Process certificate" in r[0] and sub.number in r[0]
               for r in rows)
    # a double-click opens the stone of that row
    table = dialog.table
    rect = table.visualRect(table.model().index(2, 1))
    qtbot.mouseClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert win.stone_view.number == sub.stones[2].number


def test_cancelling_the_list_opens_nothing(window, lab, qtbot):
    win = window("tom")
    sub = lab.receive("Twin Parcel BV", [{"weight": "0.30", "client_ref": "TP-1"},
                                         {"weight": "0.32", "client_ref": "TP-2"}])
    page = win.stack.currentWidget()
    _search(win, qtbot, sub.number)          # a submission: each of its stones
    dialog = win.find_results
    assert [r[1] for r in _rows(dialog)] == [s.number for s in sub.stones]
    qtbot.keyClick(dialog.table, Qt.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert win.stack.currentWidget() is page


def test_a_single_hit_opens_at_once(window, lab, qtbot):
    win = window("tom")
    sub = lab.receive("Only Once Gems", [{"weight": "0.70", "client_ref": "OO-UNIQUE-1"}])
    _search(win, qtbot, "OO-UNIQUE-1")
    assert win.find_results is None
    assert win.stack.currentWidget() is win.stone_view
    assert win.stone_view.number == sub.stones[0].number
    # a parcel of one stone: its certificate names one stone, opened at once
    lab.add_evidence(sub.number, "kp_certificate", reference="NA-KP-1",
                     issuing_country="NA", origin_countries=["NA"])
    win.show_page("stones")
    _search(win, qtbot, "NA-KP-1")
    assert win.find_results is None
    assert win.stone_view.number == sub.stones[0].number
