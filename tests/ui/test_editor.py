"""Writing: autosave, several entries a day, nothing lost on close, word count, undo."""

from __future__ import annotations

from lucy_app.core import clock, entries
from lucy_app.ui.qt import Qt


def test_write_an_entry_and_find_it_in_the_calendar_and_search(qtbot, open_window):
    window = open_window()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page == "write"
    page = window.write_page
    qtbot.waitUntil(lambda: page.handle is not None and page.handle.id is None)
    with qtbot.waitSignal(window.entry_saved, timeout=5000) as saved:
        qtbot.keyClicks(page.editor, "Walked to the old bridge with Maya after work.")
    entry = saved.args[0]
    assert entry.body == "Walked to the old bridge with Maya after work."
    assert entry.day == clock.today()
    assert page.words_label.text() == "9 words"
    qtbot.waitUntil(lambda: page.state_label.text().startswith("Saved"))

    # the calendar shows the day as written
    window.show_page("calendar")
    cal = window.calendar_page
    qtbot.waitUntil(lambda: cal.data is not None and cal.data.words.get(clock.today()) == 9)
    qtbot.waitUntil(lambda: cal.day_list.count() == 1 and "old bridge" in cal.day_list.item(0).text())

    # search finds it; ↓ and Enter open it
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    search = window.search_page
    assert window.current_page == "search" and search.box.hasFocus()
    qtbot.keyClicks(search.box, "bridge")
    qtbot.waitUntil(lambda: len(search.hits) == 1)
    assert search.hits[0].entry_id == entry.id
    window.show_page("today")
    window.show_search()
    qtbot.keyClick(search.box, Qt.Key.Key_Down)
    with qtbot.waitSignal(page.loaded):
        qtbot.keyClick(search.box, Qt.Key.Key_Return)
    assert window.current_page == "write" and page.handle.id == entry.id


def test_the_write_page_opens_on_today_and_keeps_what_is_typed(hard_day, qtbot, open_window, reopen):
    window = open_window()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    page = window.write_page
    assert window.current_page == "write"
    shown = page.date_edit.date()
    assert (shown.year(), shown.month(), shown.day()) == (hard_day.year, hard_day.month, hard_day.day)
    page.editor.setFocus()
    with qtbot.waitSignal(window.entry_saved, timeout=5000) as saved:
        qtbot.keyClicks(page.editor, "Typed the moment the page opened.")
    assert saved.args[0].day == hard_day
    qtbot.waitUntil(lambda: page.state_label.text().startswith("Saved"))

    # typed and closed at once: saved on close, nothing lost
    qtbot.keyClicks(page.editor, " And one more line.")
    window.close()
    found = entries.list_entries(reopen().db, start=hard_day, end=hard_day)
    assert [e.body for e in found] == ["Typed the moment the page opened. And one more line."]


def test_typing_before_the_day_has_loaded_is_saved(qtbot, open_window, reopen):
    window = open_window()
    page = window.write_page
    window.show_page("write")
    qtbot.keyClicks(page.editor, "Quick, before anything loads.")  # no wait for the day's entries
    window.close()
    found = entries.list_entries(reopen().db, start=clock.today(), end=clock.today())
    assert [e.body for e in found] == ["Quick, before anything loads."]


def test_several_entries_a_day_and_updates_do_not_duplicate(qtbot, open_window, reopen):
    window = open_window()
    page = window.write_page
    window.new_entry()
    qtbot.waitUntil(lambda: page.handle is not None and page.handle.id is None)
    page.title_edit.setText("Morning")
    qtbot.keyClicks(page.editor, "Coffee on the balcony.")
    page.flush()  # a first save…
    qtbot.keyClicks(page.editor, " Rain later.")
    page.flush()  # …and a second one queued before the first is back: still one entry
    with qtbot.waitSignal(window.entry_saved):
        pass
    qtbot.waitUntil(lambda: page.state_label.text().startswith("Saved"))
    first_id = page.handle.id

    window.new_entry()
    qtbot.waitUntil(lambda: page.handle.id is None)
    with qtbot.waitSignal(window.entry_saved, timeout=5000):
        qtbot.keyClicks(page.editor, "Evening: a long walk.")
    qtbot.waitUntil(lambda: page.entry_list.count() == 2 and page.entry_list.isVisibleTo(page))

    j = reopen()
    today = entries.list_entries(j.db, start=clock.today(), end=clock.today())
    assert [e.body for e in today] == ["Coffee on the balcony. Rain later.", "Evening: a long walk."]
    assert today[0].id == first_id and today[0].title == "Morning"


def test_closing_while_an_autosave_is_pending_loses_nothing(qtbot, open_window, reopen):
    window = open_window()
    page = window.write_page
    window.new_entry()
    qtbot.waitUntil(lambda: page.handle is not None)
    text = "The last words before closing must be kept, every one of them."
    qtbot.keyClicks(page.editor, text)
    assert page.has_unsaved_changes()      # the 1 s debounce has not fired yet
    window.close()
    j = reopen()
    found = entries.list_entries(j.db, start=clock.today(), end=clock.today())
    assert [e.body for e in found] == [text]


def test_tags_mood_undo_and_trash(qtbot, open_window, reopen):
    window = open_window()
    page = window.write_page
    window.new_entry()
    qtbot.waitUntil(lambda: page.handle is not None)
    qtbot.keyClicks(page.editor, "Baked bread")
    page.tags_edit.setText("Baking, #home")
    page.tags_edit.textEdited.emit(page.tags_edit.text())
    page.mood_box.setCurrentIndex(page.mood_box.findData(4))
    page.mood_box.activated.emit(page.mood_box.currentIndex())
    qtbot.keyClick(page.editor, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert page.editor.toPlainText() != "Baked bread"  # undone
    page.editor.redo()
    assert page.editor.toPlainText() == "Baked bread"
    with qtbot.waitSignal(window.entry_saved, timeout=5000) as saved:
        page.flush()
    entry = saved.args[0]
    assert entry.tags == ("baking", "home") and entry.mood == 4
    with qtbot.waitSignal(page.trashed):
        page.trash_button.click()
    assert entries.get(reopen().db, entry.id).in_trash


def test_ctrl_n_starts_at_the_title_and_the_text_does_not_jump_when_a_second_entry_appears(qtbot, open_window):
    window = open_window()
    page = window.write_page
    window.new_entry()
    qtbot.waitUntil(lambda: page.handle is not None and page.handle.id is None)
    with qtbot.waitSignal(window.entry_saved, timeout=5000):
        qtbot.keyClicks(page.editor, "The first entry of the day.")
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.handle.id is None)
    assert page.title_edit.hasFocus()
    top = page.editor.mapTo(window, page.editor.rect().topLeft()).y()
    qtbot.keyClicks(page.title_edit, "Evening")
    qtbot.keyClick(page.title_edit, Qt.Key.Key_Tab)
    with qtbot.waitSignal(window.entry_saved, timeout=5000):
        qtbot.keyClicks(page.editor, "A second one, later.")
    qtbot.waitUntil(lambda: page.entry_list.count() == 2)
    assert page.editor.mapTo(window, page.editor.rect().topLeft()).y() == top


def test_an_imported_entry_shows_no_time_of_day_it_was_not_written_at(qtbot, open_window):
    from datetime import datetime

    from lucy_app.ui.editor import _entry_label

    window = open_window()
    written = entries.add(window.journal.db, "Written that evening.", day=clock.today())
    assert _entry_label(written) == f"{written.created_at:%H:%M} · {written.display_title}"
    imported = entries.add(window.journal.db, "From an old notebook.", day="2019-04-02")
    assert imported.created_at.date() != imported.day and ":" not in _entry_label(imported)
    assert isinstance(written.created_at, datetime)
