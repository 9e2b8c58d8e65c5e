"""Window sizes: the smallest window shows every control whole, 900×600 needs no sideways
scrolling, and a wide window uses its width without making lines too long to read."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from PySide6.QtWidgets import QAbstractButton, QAbstractScrollArea, QPlainTextEdit, QPushButton

from lucy_app.ui import style
from lucy_app.ui.qt import QSize, QStyle, QTextBrowser, QWidget

PAGES = ("today", "write", "calendar", "digests", "search", "ask")


def _settle(qtbot, ms: int = 150) -> None:
    qtbot.wait(ms)


def _show(qtbot, window, key: str, yesterday: date) -> None:
    """Show a page the way it looks in use: with an entry, a digest, results, an answer."""
    if key == "write":
        window.show_page("write")
        window.write_page.show_day(yesterday)
        qtbot.waitUntil(lambda: window.write_page.handle is not None and window.write_page.handle.id is not None,
                        timeout=10_000)
        # a long message beside the buttons (an error says this much) must not push them out
        window.write_page.state_label.setText("Not saved: the journal file cannot be written; "
                                              "check the folder's permissions and try again")
    elif key == "calendar":
        window.show_page("calendar")
        window.calendar_page.go_to(yesterday)
        qtbot.waitUntil(lambda: window.calendar_page.data is not None
                        and window.calendar_page._previewed is not None, timeout=10_000)
    elif key == "digests":
        window.open_digest(level="month", day=yesterday.replace(day=1))
        qtbot.waitUntil(lambda: window.digests_page.resolved is not None, timeout=10_000)
    elif key == "search":
        window.show_search()
        window.search_page.box.setText("the garden")
        window.search_page.search_now()
        qtbot.waitUntil(lambda: bool(window.search_page.hits), timeout=10_000)
    elif key == "ask":
        window.show_ask()
        window.ask_page.ask("What did I do last week?")
        qtbot.waitUntil(lambda: window.ask_page.answer is not None, timeout=30_000)
    else:
        window.show_page(key)
    _settle(qtbot)


def _problems(window, key: str) -> list[str]:
    """What does not fit on the page as it is shown now."""
    page = window.pages[key]
    found = []
    margin = 2 * window.style().pixelMetric(QStyle.PixelMetric.PM_ButtonMargin)
    for b in page.findChildren(QAbstractButton) + window.findChildren(QPushButton):
        text = b.text().replace("&", "")
        if b.isVisible() and text:
            need = b.fontMetrics().horizontalAdvance(text) + (margin if isinstance(b, QPushButton) else 4)
            if need > b.width():
                found.append(f"button {text!r} is {b.width()} px wide, its text needs {need}")
    for area in page.findChildren(QAbstractScrollArea):
        if area.isVisible() and area.horizontalScrollBar().isVisible():
            found.append(f"{type(area).__name__} {area.accessibleName()!r} scrolls sideways")
    for w in page.findChildren(QWidget):
        parent = w.parentWidget()
        if not w.isVisible() or w.isWindow() or parent is None:
            continue
        if isinstance(parent.parentWidget(), QAbstractScrollArea) and parent is parent.parentWidget().viewport():
            continue  # what scrolls inside a view
        if not parent.rect().contains(w.geometry()):
            found.append(f"{type(w).__name__} {w.accessibleName()!r} {w.geometry()} sticks out of "
                         f"{type(parent).__name__} {parent.rect()}")
    return found


def _all_months_visible(heatmap) -> list[int]:
    """Months whose first or last day is not on screen."""
    visible = heatmap.visibleRegion()
    hidden = []
    for month in range(1, 13):
        last = calendar.monthrange(heatmap.year, month)[1]
        for d in (date(heatmap.year, month, 1), date(heatmap.year, month, last)):
            r = heatmap._cell(d).toRect()
            if r.isEmpty() or not visible.contains(r):
                hidden.append(month)
                break
    return hidden


@pytest.fixture
def full_window(open_window, yesterday):
    return open_window(days=400, digests=True)


def test_at_the_minimum_size_every_page_shows_its_controls_whole(qtbot, full_window, yesterday):
    window = full_window
    window.resize(300, 200)                             # as small as it goes
    _settle(qtbot)
    smallest = window.size()
    assert smallest.width() <= 800 and smallest.height() <= 600   # small enough to sit beside others
    for key in PAGES:
        _show(qtbot, window, key, yesterday)
        assert _problems(window, key) == [], key
        if key == "calendar":
            assert _all_months_visible(window.calendar_page.heatmap) == []
        assert window.size() == smallest, f"the {key} page made the window grow"
    from lucy_app.ui.main_window import MIN_SIZE

    assert window.minimumSize() == smallest == QSize(*MIN_SIZE)   # a set minimum, not what a page needs now


def test_at_900x600_nothing_scrolls_sideways_and_the_digest_has_room(qtbot, full_window, yesterday):
    window = full_window
    window.resize(900, 600)
    _settle(qtbot)
    assert window.size() == QSize(900, 600)
    for key in PAGES:
        _show(qtbot, window, key, yesterday)
        assert _problems(window, key) == [], key
        if key == "calendar":
            assert _all_months_visible(window.calendar_page.heatmap) == []
    # the digest's text gets most of the room, not the tree beside it
    page = window.digests_page
    assert page.view.width() >= 0.6 * page.split.width()


def _widest_line(widget) -> float:
    """The widest laid-out line of text in a view, in pixels."""
    doc = widget.document()
    widest, block = 0.0, doc.begin()
    while block.isValid():
        layout = block.layout()
        for i in range(layout.lineCount()):
            widest = max(widest, layout.lineAt(i).naturalTextWidth())
        block = block.next()
    return widest


def test_at_1440x900_the_heatmap_uses_the_width_and_lines_stay_readable(qtbot, full_window, yesterday):
    window = full_window
    window.resize(1440, 900)
    _settle(qtbot)
    _show(qtbot, window, "calendar", yesterday)
    heatmap = window.calendar_page.heatmap
    grid_right = heatmap._cell(date(heatmap.year, 12, 31)).right()
    room = heatmap.parentWidget().contentsRect().width() - 48  # the page's side margins
    assert grid_right >= 0.9 * room
    assert heatmap._cell(date(heatmap.year, 3, 2)).width() >= 16   # bigger squares, not only more space
    assert _all_months_visible(heatmap) == []
    readable = style.reading_width() * 1.15
    assert _widest_line(window.calendar_page.preview) <= readable
    _show(qtbot, window, "write", yesterday)
    window.write_page.editor.setPlainText("A long day. " * 200)
    _settle(qtbot)
    assert _widest_line(window.write_page.editor) <= readable
    for key, view in (("today", window.today_page.view), ("digests", window.digests_page.view),
                      ("ask", window.ask_page.view)):
        _show(qtbot, window, key, yesterday)
        assert isinstance(view, QTextBrowser)
        assert 0 < _widest_line(view) <= view.max_width + 1, key
    assert isinstance(window.write_page.editor, QPlainTextEdit)
