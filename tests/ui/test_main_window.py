"""The window as a whole: start page, shortcuts, links, labels, errors, geometry."""

from __future__ import annotations

from lucy_app.core import errors
from lucy_app.ui.qt import (
    QAbstractItemView,
    QAbstractSpinBox,
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


def test_first_run_writes_a_welcome_entry(qtbot, open_window):
    window = open_window(first_run=True)
    qtbot.waitUntil(lambda: bool(window.today_page.data and window.today_page.data.written_today))
    welcome = window.today_page.data.written_today[0]
    assert welcome.title == "Welcome to Lucy"
    assert "nothing is ever sent anywhere" in welcome.body


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
