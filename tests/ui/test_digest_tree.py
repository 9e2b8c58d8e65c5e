"""Digests: the tree, stale and partial marks, citations that drill down, rewrite now."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from lucy_app.core import entries
from lucy_app.core.digests import read
from lucy_app.ui.qt import Qt, QUrl


def _first_entry_link(view) -> str:
    found = re.search(r'href="(entry:[^"]+)"', view.toHtml())
    assert found, "no citation link in the digest"
    return html.unescape(found.group(1))


def _walk(page, item, ancestors, found) -> None:
    node = item.data(0, Qt.ItemDataRole.UserRole)
    page.tree.expandItem(item)
    if node.level == "day":
        found[node.start] = [*ancestors, node]
    for i in range(item.childCount()):
        _walk(page, item.child(i), [*ancestors, node], found)


def test_every_day_is_reached_under_its_own_year_season_month_and_week(hard_day, qtbot, open_window, yesterday):
    window = open_window(days=40, digests=True)
    window.show_page("digests")
    page = window.digests_page
    qtbot.waitUntil(lambda: page.tree.topLevelItemCount() > 0)
    found: dict = {}
    for i in range(page.tree.topLevelItemCount()):
        _walk(page, page.tree.topLevelItem(i), [], found)

    written = {d.period.start for d in read.in_range(window.journal.db, "day", yesterday - timedelta(days=60), yesterday)}
    assert written and set(found) == written
    for day, chain in found.items():
        assert [n.level for n in chain] == ["year", "season", "month", "week", "day"], day
        year, season, month, week, _ = chain
        assert year.start.year == day.year
        assert season.start <= day <= season.end
        assert (month.start.year, month.start.month) == (day.year, day.month)
        assert week.start <= day <= week.end

    window.open_digest(level="day", day=yesterday)
    qtbot.waitUntil(lambda: page.resolved is not None)
    current = page.tree.currentItem().data(0, Qt.ItemDataRole.UserRole)
    assert (current.level, current.start) == ("day", yesterday)
    window.open_digest(level="week", day=yesterday)  # its week may run on past the month's end
    qtbot.waitUntil(lambda: page.resolved.digest.level == "week")
    current = page.tree.currentItem().data(0, Qt.ItemDataRole.UserRole)
    assert (current.level, current.start) == ("week", page.resolved.digest.period.start)
    if page.resolved.digest.partial:  # this week is still running
        assert "so far" in page.view.toPlainText()


def test_a_citation_opens_the_entry_scrolled_to_the_passage(qtbot, open_window, yesterday):
    window = open_window(days=14, digests=True)
    page = window.digests_page
    window.open_digest(level="week", day=yesterday - timedelta(days=7))
    qtbot.waitUntil(lambda: page.resolved is not None)
    link = _first_entry_link(page.view)
    entry_id = int(re.match(r"entry:(\d+)", link).group(1))
    bullet = next(b for b in page.resolved.digest.bullets if entry_id in b.entry_ids)

    # keyboard: Tab to the first link, Enter follows it
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Tab)
    with qtbot.waitSignal(window.write_page.loaded, timeout=5000):
        qtbot.keyClick(page.view, Qt.Key.Key_Return)
    write = window.write_page
    assert window.current_page == "write" and write.handle.id == entry_id
    start, end = write.highlighted
    passage = write.editor.toPlainText()[start:end]
    words = set(re.findall(r"\w+", bullet.text.lower()))
    assert len(words & set(re.findall(r"\w+", passage.lower()))) >= len(words) // 2
    assert write.editor.textCursor().position() <= len(write.editor.toPlainText())

    # the same through a click on the link
    window.show_page("digests")
    with qtbot.waitSignal(write.loaded, timeout=5000):
        page.view.anchorClicked.emit(QUrl(link))
    assert write.handle.id == entry_id and write.highlighted is not None


def test_editing_an_entry_marks_its_digests_stale_until_rewritten(qtbot, open_window, yesterday):
    window = open_window(days=10, digests=True)
    day = yesterday - timedelta(days=3)
    entry = entries.list_entries(window.journal.db, start=day, end=day)[0]
    write = window.write_page
    with qtbot.waitSignal(write.loaded):
        window.open_entry(entry.id)
    with qtbot.waitSignal(window.entry_saved, timeout=5000):
        qtbot.keyClicks(write.editor, " Later the rain stopped and we walked home.")

    page = window.digests_page
    window.open_digest(level="day", day=day)
    qtbot.waitUntil(lambda: page.resolved is not None and page.resolved.digest.period.start == day)
    assert page.resolved.digest.stale
    assert "out of date" in page.view.toPlainText()
    qtbot.waitUntil(lambda: "out of date" in (page.tree.currentItem().text(0) if page.tree.currentItem() else ""))

    with qtbot.waitSignal(page.rewritten, timeout=10_000):
        page.rewrite_button.click()
    assert not page.resolved.digest.stale
    assert "Rewritten just now" in page.view.toPlainText()
