"""Issue 16 on the Intake page: a packing list with one bad cell is loaded into the grid
to correct that cell and receive from there (item 16); the same list twice asks before
it receives the stones again (item 4); the earlier report columns are read (item 9)."""
from pathlib import Path

from PySide6.QtCore import Qt

from labdesk.core.stones import STONE_FIELDS
from labdesk.ui import dialogs
from labdesk.ui.views import intake as intake_view

COLUMN = {field: index for index, field in enumerate(STONE_FIELDS)}
CLIENT = "Ramat Gan Stones Ltd"
LIST = ("Stock #,Weight/Carat,Shape,Color,Clarity,Lab,Cert #,Origin/Country,Nature\n"
        "RG-1,1.02,RB,F,VS1,GIA,2141438167,Botswana,natural\n"
        "RG-2,0.7123,OV,G,SI1,IGI,LG600123,Canada,natural\n"
        "RG-3,0.55,PS,H,VVS2,HRD,220000123,Namibia,natural\n")


def _open(window, qtbot):
    win = window("tom")
    view = win.show_page("intake")
    with qtbot.waitActive(win):
        win.activateWindow()
    return view


def _idle(qtbot, view):
    qtbot.waitUntil(lambda: not view.busy, timeout=10_000)


def _import(qtbot, view, path: Path, monkeypatch):
    monkeypatch.setattr(dialogs, "ask_open_file", lambda *a, **k: str(path))
    qtbot.mouseClick(view.import_button, Qt.LeftButton)
    _idle(qtbot, view)


def test_one_bad_cell_is_corrected_in_the_grid_and_received(window, lab, qtbot, tmp_path,
                                                            monkeypatch):
    path = tmp_path / "ramat gan.csv"
    path.write_text(LIST)
    view = _open(window, qtbot)
    before = lab.stones().total
    view.client.setText(CLIENT)
    _import(qtbot, view, path, monkeypatch)
    preview = view.preview
    assert "1 problem" in view.message.text() and "Nothing was saved" in view.message.text()
    assert "Correct it in the grid" in view.message.text()
    assert preview.fix.isVisible() and preview.fix.text() == "Correct it in the &grid"
    assert "loads its 3 rows" in preview.summary.text()
    preview.grab().save(str(tmp_path / "preview.png"))
    qtbot.mouseClick(preview.fix, Qt.LeftButton)
    grid = view.grid
    assert view.stack.currentIndex() == 0
    assert [grid.text(r, COLUMN["client_ref"]) for r in range(3)] == ["RG-1", "RG-2",
                                                                      "RG-3"]
    assert grid.text(0, COLUMN["earlier_report"]) == "2141438167"
    assert grid.text(2, COLUMN["declared_origin"]) == "Namibia"
    assert [(r, STONE_FIELDS[c]) for r, c, _ in grid.problems()] == [(1, "weight")]
    assert (grid.currentRow(), grid.currentColumn()) == (1, COLUMN["weight"])
    assert "Loaded 3 rows of ramat gan.csv into the grid: 1 cell in red" in \
        view.message.text()
    assert lab.stones().total == before           # still nothing saved
    view.grab().save(str(tmp_path / "grid.png"))
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key_F2)
    editor = grid.indexWidget(grid.currentIndex())
    editor.selectAll()
    qtbot.keyClicks(editor, "0.712")
    qtbot.keyClick(editor, Qt.Key_Tab)
    assert grid.problems() == []
    qtbot.keyClick(grid, Qt.Key_S, Qt.ControlModifier)
    _idle(qtbot, view)
    assert view.message.kind == "info", view.message.text()
    sub = lab.submission(view.last_submission)
    assert [s.weight for s in sub.stones] == ["1.020", "0.712", "0.550"]
    assert sub.stones[0].earlier_report == "2141438167"
    assert sub.stones[1].declared_origin == "Canada"


def test_the_same_list_twice_asks_and_receives_only_when_told(window, lab, qtbot,
                                                              tmp_path, monkeypatch):
    path = tmp_path / "twice.csv"
    path.write_text(LIST.replace("0.7123", "0.712"))
    asked = []
    answer = {"value": False}

    def ask(parent, message):
        asked.append(message)
        return answer["value"]
    monkeypatch.setattr(intake_view, "ask_receive_duplicates", ask)
    view = _open(window, qtbot)
    view.client.setText(CLIENT)
    _import(qtbot, view, path, monkeypatch)
    qtbot.mouseClick(view.preview.receive, Qt.LeftButton)
    _idle(qtbot, view)
    first = view.last_submission
    assert not asked
    before = lab.stones().total
    view.client.setText(CLIENT)
    _import(qtbot, view, path, monkeypatch)
    qtbot.mouseClick(view.preview.receive, Qt.LeftButton)
    _idle(qtbot, view)
    assert len(asked) == 1 and f"sent 3 of its 3 stock numbers before: {first}" in asked[0]
    assert view.message.kind == "error" and "Nothing was saved" in view.message.text()
    assert lab.stones().total == before
    answer["value"] = True
    qtbot.mouseClick(view.preview.receive, Qt.LeftButton)
    _idle(qtbot, view)
    assert len(asked) == 2 and view.message.kind == "info", view.message.text()
    assert lab.stones().total == before + 3
