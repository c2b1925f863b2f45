"""The main window, navigation, search box and the lazy stones table."""
from PySide6.QtCore import Qt



def test_navigation_shows_every_page_and_admin_sees_settings(window):
    win = window("tom")
    labels = [win.nav.item(i).text() for i in range(win.nav.count())]
    assert labels == ["Dashboard", "Intake", "Stones", "Review", "Reports", "Verify", "Audit"]
    assert "Tom Becker (technician)" in win.status_user.text()
    admin = window("ada")
    labels = [admin.nav.item(i).text() for i in range(admin.nav.count())]
    assert labels[-1] == "Settings"


def test_stones_table_is_lazy_and_filters(window, lab, qtbot):
    win = window("tom")
    view = win.show_page("stones")
    total = lab.stones().total
    assert view.model.rowCount() == total
    assert len(view.model.rows) == min(total, 200)
    index = view.state.findData("approved")
    view.state.setCurrentIndex(index)
    approved = lab.stones(state="approved").total
    assert view.model.rowCount() == approved > 0
    assert all(s.state == "approved" for s in view.model.rows)
    view.search.setText("Gaborone")
    qtbot.waitUntil(lambda: view.model.rows and
                    all(s.client.startswith("Gaborone") for s in view.model.rows))


def test_global_search_opens_a_stone_by_number_and_client_ref(window, lab, qtbot):
    win = window("tom")
    stone = lab.stones(limit=1).items[0]
    qtbot.keyClicks(win.search, stone.number.lower())
    qtbot.keyClick(win.search, Qt.Key_Return)
    assert win.stack.currentWidget() is win.stone_view
    assert win.stone_view.number == stone.number
    qtbot.keyClicks(win.search, "no-such-thing")
    qtbot.keyClick(win.search, Qt.Key_Return)
    assert "Nothing found" in win.stack.currentWidget().message.text()


def test_only_a_window_of_pages_is_held(window, lab, monkeypatch):
    from labdesk.ui.views import stones
    monkeypatch.setattr(stones, "PAGE", 3)
    monkeypatch.setattr(stones.StonesModel, "KEEP_PAGES", 2)
    win = window("tom")
    view = win.show_page("stones")
    model = view.model
    total = lab.stones().total
    assert model.rowCount() == total and len(model.rows) == 3
    shown = [model.data(model.index(row, 0)) for row in range(total)]
    expected = [s.number for s in lab.stones(descending=True, limit=1000).items]
    assert shown == expected
    assert len(model.pages) == 2 and len(model.rows) <= 6
    assert model.data(model.index(0, 0)) == expected[0]  # fetched again after eviction


def test_focus_on_the_navigation_does_not_leave_an_open_stone(window, lab, qtbot):
    win = window("tom")
    stone = lab.stones(limit=1).items[0].number
    win.open_stone(stone)
    win.nav.setFocus()
    qtbot.wait(20)
    assert win.stack.currentWidget() is win.stone_view
    item = win.nav.item(2)  # Stones (after Dashboard and Intake)
    qtbot.mouseClick(win.nav.viewport(), Qt.LeftButton,
                     pos=win.nav.visualItemRect(item).center())
    assert win.stack.currentWidget() is win.views["stones"]
