"""Nothing moves under the cursor: background rewrites update the window in place."""

from __future__ import annotations

from datetime import timedelta

from lucy_app.core import entries
from lucy_app.core.digests import scheduler
from lucy_app.ui.qt import Qt


def _rewrite_in_the_background(window, yesterday) -> None:
    """What the scheduler does while the window is open: new entries, new digests, then
    the signal the window gets."""
    db = window.journal.db
    for n in range(3):
        entries.add(db, f"Walked to the lighthouse again, the {n + 1}th time this month; storms all week.",
                    day=yesterday - timedelta(days=n))
    scheduler.run(db, settings=window.journal.settings, today=yesterday + timedelta(days=1))
    window._background_wrote("digests")


def test_the_digest_tree_keeps_what_is_open_and_chosen_across_a_background_rewrite(qtbot, open_window, yesterday):
    window = open_window(days=60, digests=True)
    window.show_page("digests")
    page = window.digests_page
    window.open_digest(level="day", day=yesterday - timedelta(days=20))
    qtbot.waitUntil(lambda: page.tree.currentItem() is not None and page.resolved is not None)
    chosen = page.tree.currentItem()
    chosen_key = chosen.data(0, Qt.ItemDataRole.UserRole).key
    month = chosen.parent().parent()
    assert month.isExpanded()
    scrolled = page.tree.verticalScrollBar().value()
    before = page.roots

    _rewrite_in_the_background(window, yesterday)
    qtbot.waitUntil(lambda: page.roots is not before, timeout=10_000)  # the tree was reloaded …
    assert page.tree.currentItem() is chosen                           # … in place: the same item,
    assert chosen.data(0, Qt.ItemDataRole.UserRole).key == chosen_key
    assert month.isExpanded()                                           # still open,
    assert page.tree.verticalScrollBar().value() == scrolled            # not scrolled


def test_the_today_page_does_not_change_under_the_reader_and_says_it_was_updated(qtbot, open_window, yesterday):
    window = open_window(days=40, digests=True)
    page = window.today_page
    shown = page.view.toHtml()
    assert not page.updated_button.isVisible()

    _rewrite_in_the_background(window, yesterday)
    qtbot.waitUntil(lambda: page.updated_button.isVisible(), timeout=10_000)
    assert page.view.toHtml() == shown                                  # nothing moved
    page.updated_button.click()
    assert page.view.toHtml() != shown and "lighthouse" in page.view.toPlainText()
    assert not page.updated_button.isVisible()
