"""One shortcut, one meaning (issue 16, item 21): every key sequence of the main window and
its pages comes from ``labdesk.ui.shortcuts.SHORTCUTS`` and names one action; the Help
menu lists them all from that table."""
import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QWidget

from labdesk.ui import shortcuts
from labdesk.ui.dialogs import ShortcutsDialog


def _text(sequence: QKeySequence) -> str:
    return sequence.toString(QKeySequence.PortableText)


def _bindings(win):
    """(object, tag, [key texts]) for every QShortcut and QAction with keys in the
    window: its pages, their tabs and panels, the menus."""
    found = []
    for shortcut in win.findChildren(QShortcut):
        keys = [_text(k) for k in shortcut.keys()] if hasattr(shortcut, "keys") \
            else [_text(shortcut.key())]
        keys = [k for k in keys if k]
        if keys:
            found.append((shortcut, shortcut.property(shortcuts.TAG), keys))
    for action in win.findChildren(QAction):
        keys = [_text(k) for k in action.shortcuts() if not k.isEmpty()]
        if keys:
            found.append((action, action.property(shortcuts.TAG), keys))
    return found


def _activate(win, qtbot):
    win.windowHandle().requestActivate()
    qtbot.waitUntil(win.isActiveWindow)


def test_the_table_gives_each_key_sequence_one_action():
    owner = {}
    for entry in shortcuts.SHORTCUTS:
        for keys in entry.keys:
            text = _text(QKeySequence(keys))
            assert text, f"{entry.name}: {keys!r} is not a key sequence"
            assert text not in owner, f"{keys} means both {owner[text]} and {entry.name}"
            owner[text] = entry.name
    assert len({s.name for s in shortcuts.SHORTCUTS}) == len(shortcuts.SHORTCUTS)


def test_every_shortcut_in_the_window_is_one_of_the_table_and_means_one_thing(
        window, lab):
    win = window("ada")                              # an admin: every page is built
    win.open_stone(lab.stones(state="reported", limit=1).items[0].number)
    bindings = _bindings(win)
    meanings: dict[str, set] = {}
    for obj, tag, keys in bindings:
        assert tag in shortcuts.BY_NAME, \
            f"{type(obj).__name__} of {obj.parent().__class__.__name__} bound to " \
            f"{keys} outside the shortcuts table"
        for key in keys:
            meanings.setdefault(key, set()).add(tag)
    doubled = {k: v for k, v in meanings.items() if len(v) > 1}
    assert not doubled, f"key sequences with two meanings: {doubled}"
    table = {_text(QKeySequence(k)): s.name for s in shortcuts.SHORTCUTS for k in s.keys
             if not s.by_widget}
    assert {k: next(iter(v)) for k, v in meanings.items()} == table
    # Ctrl+I, the old offender, is import only
    assert meanings["Ctrl+I"] == {"import"}
    assert "Ctrl+R" in meanings and "Ctrl+K" in meanings
    # every row of the table (but the grid's own keys) is bound somewhere
    bound = {tag for _obj, tag, _keys in bindings}
    assert bound == {s.name for s in shortcuts.SHORTCUTS if not s.by_widget}


def test_help_menu_lists_every_shortcut_from_the_table(window, qtbot):
    win = window("tom")
    menus = {a.text().replace("&", ""): a.menu() for a in win.menuBar().actions()}
    entry = next(a for a in menus["Help"].actions()
                 if a.text().replace("&", "") == "Keyboard shortcuts")
    assert [_text(k) for k in entry.shortcuts()] == ["Ctrl+/"]
    entry.trigger()
    dialog = win.shortcuts_dialog
    assert isinstance(dialog, ShortcutsDialog) and dialog.isVisible()
    table = dialog.table
    rows = [tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())]
    assert rows == shortcuts.help_rows()
    listed = " ".join(r[0] for r in rows)
    for _obj, _tag, keys in _bindings(win):
        for key in keys:
            assert QKeySequence(key).toString(QKeySequence.NativeText) in listed
    assert any(r[0] == "Ctrl+I" and "packing list" in r[1] for r in rows)
    dialog.close()


def test_every_key_a_hint_or_tooltip_names_is_in_the_table(window, lab):
    """A hint that says "(Ctrl+I)" for a key that now does something else is a trap."""
    win = window("ada")
    win.open_stone(lab.stones(state="received", limit=1).items[0].number)
    known = {_text(QKeySequence(k)) for s in shortcuts.SHORTCUTS for k in s.keys}
    pattern = re.compile(r"\b(?:Ctrl|Alt|Shift|Meta)(?:\+(?:Ctrl|Alt|Shift|Meta))*"
                         r"\+(?:Enter|Return|Tab|Esc|F\d+|[A-Z0-9])\b")
    texts = []
    for widget in win.findChildren(QWidget):
        texts.append(widget.toolTip())
        if isinstance(widget, QLabel):
            texts.append(widget.text())
    mentioned = {m for text in texts for m in pattern.findall(text or "")}
    assert mentioned, "no hint names a key: the walk found nothing"
    unknown = {m for m in mentioned if _text(QKeySequence(m)) not in known}
    assert not unknown, f"hints name keys the table does not have: {unknown}"


def test_issue_check_and_import_each_answer_only_their_own_keys(window, lab, qtbot):
    win = window("sue")                              # a supervisor issues reports
    ready_before = lab.reports().total
    view = win.show_page("reports")
    _activate(win, qtbot)
    view.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.ready.rowCount() > 0)
    view.ready.selectRow(0)
    stone = view.ready.item(0, 0).text()
    qtbot.keyClick(view.ready, Qt.Key_I, Qt.ControlModifier)   # import: not here
    qtbot.wait(50)
    assert view.task is None and lab.reports().total == ready_before
    qtbot.keyClick(view.ready, Qt.Key_R, Qt.ControlModifier)   # issue
    qtbot.waitUntil(lambda: lab.reports(stone_no=stone).total >= 1, timeout=20_000)
    qtbot.waitUntil(lambda: view.task is None, timeout=20_000)

    audit = win.show_page("audit")
    qtbot.keyClick(win.nav, Qt.Key_I, Qt.ControlModifier)      # not a check any more
    qtbot.wait(50)
    assert audit.task is None and not audit.result.isVisible()
