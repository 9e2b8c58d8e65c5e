"""The window as a whole: start page, shortcuts, links, labels, errors, geometry."""

from __future__ import annotations

from lucy_app.core import entries, errors
from lucy_app.ui.qt import (
    QAbstractItemView,
    QAbstractSpinBox,
    QAction,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    Qt,
    QTextBrowser,
    QWidget,
)


def test_start_page_shows_the_briefing_with_links(hard_day, qtbot, open_window):
    window = open_window(days=40, digests=True)
    page = window.today_page
    assert page.data is not None and page.data.brief.parts
    html = page.view.toHtml()
    assert "digest:" in html and "entry:" in html
    assert "Yesterday" in page.view.toPlainText()
    part = page.data.brief.parts[0]
    window.follow_link("digest", part.digest_id, {})
    qtbot.waitUntil(lambda: window.digests_page.resolved is not None)
    assert window.digests_page.resolved.digest.id == part.digest_id
    text, ids = part.bullets[0]
    window.follow_link("entry", ids[0], {"q": text})
    qtbot.waitUntil(lambda: window.write_page.handle is not None and window.write_page.handle.id == ids[0])
    assert window.write_page.highlighted is not None


def test_a_new_journal_shows_first_steps_and_writes_nothing_into_it(qtbot, open_window, journal_path):
    window = open_window()
    text = window.today_page.view.toPlainText()
    assert "Welcome to Lucy" in text and "Write your first entry" in text and str(journal_path) in text
    assert entries.count(window.journal.db) == 0  # onboarding is a screen, not an entry
    with qtbot.waitSignal(window.write_page.loaded, timeout=5000):
        window.follow_link("new", 0, {})
    assert window.current_page == "write"


def test_the_menus_offer_what_a_desktop_app_does(qtbot, open_window, tmp_path, monkeypatch):
    window = open_window(days=3)
    menus = {m.title().replace("&", ""): [a.text() for a in m.actions() if a.text()]
             for m in (a.menu() for a in window.menuBar().actions()) if m is not None}
    assert list(menus) == ["File", "Edit", "View", "Help"]
    for wanted in ("New Entry", "New Journal…", "Open Journal…", "Import", "Export", "Back Up…",
                   "Restore from a Backup…", "Settings…", "Quit"):
        assert wanted in menus["File"], wanted
    assert {"Undo", "Redo", "Cut", "Copy", "Paste", "Find…"} <= set(menus["Edit"])
    assert {"Today", "Write", "Calendar", "Digests", "Search", "Ask"} <= set(menus["View"])
    assert menus["Help"] == ["Keyboard Shortcuts", "About Lucy"]
    assert window.actions_["close"].shortcut().toString() == "Ctrl+Q"
    assert window.actions_["close"].menuRole() == QAction.MenuRole.QuitRole  # macOS: the app menu

    from lucy_app.ui import file_dialogs

    copy = tmp_path / "copy.db"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: str(copy))
    window.actions_["backup"].trigger()
    qtbot.waitUntil(copy.exists, timeout=10_000)
    exported = tmp_path / "all.json"
    monkeypatch.setattr(file_dialogs, "save_file", lambda *a, **k: str(exported))
    window.actions_["export_json"].trigger()
    qtbot.waitUntil(exported.exists, timeout=10_000)
    assert '"entries"' in exported.read_text(encoding="utf-8")

    launched = []
    monkeypatch.setattr("subprocess.Popen", lambda cmd, **kw: launched.append(cmd))
    other = tmp_path / "other.db"
    monkeypatch.setattr(file_dialogs, "open_file", lambda *a, **k: str(other))
    window.actions_["open_journal"].trigger()
    assert launched and launched[-1][-3:] == ["--db", str(other), "app"]


def test_the_status_bar_counts_every_entry(qtbot, open_window):
    window = open_window()
    page = window.write_page
    for n, words in enumerate(("First entry of the day.", "A second one, later."), start=1):
        window.new_entry()
        qtbot.waitUntil(lambda: page.handle is not None and page.handle.id is None)
        with qtbot.waitSignal(window.entry_saved, timeout=5000):
            qtbot.keyClicks(page.editor, words)
        qtbot.waitUntil(lambda n=n: window.journal_label.text().startswith(f"{n} entr"), timeout=5000)
    assert window.journal_label.text().startswith("2 entries")


def test_shortcuts_reach_every_page(qtbot, open_window):
    window = open_window()
    ctrl = Qt.KeyboardModifier.ControlModifier
    qtbot.keyClick(window, Qt.Key.Key_J, ctrl)
    assert window.current_page == "ask" and window.ask_page.box.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_K, ctrl)
    assert window.current_page == "search" and window.search_page.box.hasFocus()
    qtbot.keyClick(window, Qt.Key.Key_T, ctrl)
    assert window.current_page == "today"
    qtbot.keyClick(window, Qt.Key.Key_3, ctrl)
    assert window.current_page == "calendar"
    qtbot.keyClick(window, Qt.Key.Key_4, ctrl)
    assert window.current_page == "digests"


def test_every_input_has_a_name_for_screen_readers(qtbot, open_window):
    window = open_window()
    window.open_settings()
    kinds = (QLineEdit, QPlainTextEdit, QTextBrowser, QAbstractItemView, QComboBox, QSpinBox)
    unnamed = []
    for root in (window, window.settings_dialog):
        for w in root.findChildren(QWidget):
            if not isinstance(w, kinds) or w.window() is not root:
                continue  # popups (completers, combo lists) are Qt's own
            if isinstance(w, QLineEdit) and isinstance(w.parent(), (QComboBox, QAbstractSpinBox)):
                continue  # the editor inside a combo/spin box: the box is named
            if w.focusPolicy() != Qt.FocusPolicy.NoFocus and not w.accessibleName():
                unnamed.append((type(w).__name__, type(w.parent()).__name__, w.objectName()))
    assert unnamed == [], unnamed
    window.settings_dialog.reject()


def test_a_known_error_is_shown_calmly_and_a_bug_says_where_the_log_is(qtbot, open_window):
    window = open_window()
    window.show_problem(errors.DiskFull("The disk is full; nothing was saved", hint="free some space"), "saving")
    assert window.notice.text == "The disk is full; nothing was saved (free some space)"
    window.show_problem(ValueError("boom"), "saving the entry")
    assert "Something went wrong while saving the entry" in window.notice.text
    assert "lucy.log" in window.notice.text


def test_window_geometry_is_remembered(qtbot, open_window, reopen):
    window = open_window()
    window.resize(720, 520)
    window.close()
    from lucy_app.ui.main_window import MainWindow

    again = MainWindow(reopen(), background=False, models=None)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (720, 520)
    again.shutdown()
