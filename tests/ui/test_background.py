"""The background scheduler: catches up digests (and the index), shows progress, pauses."""

from __future__ import annotations

import time

from lucy_app.core import clock
from lucy_app.ui.background import TYPING_PAUSE_S, Progress


def test_catches_up_at_start_and_shows_progress(qtbot, open_window):
    window = open_window(days=25, background=True)
    seen: list[Progress | None] = []
    window.background.progress.connect(seen.append)
    qtbot.waitUntil(lambda: window.background.cycles >= 1, timeout=60_000)
    assert any(p is not None and p.phase == "digests" and p.total for p in seen)
    # the start page picks the new digests up by itself
    qtbot.waitUntil(lambda: bool(window.today_page.data and window.today_page.data.brief.parts), timeout=10_000)
    qtbot.waitUntil(lambda: window.bg_label.text() == "Up to date")


def test_pauses_while_typing_or_asking_or_when_asked_to(qtbot, open_window):
    window = open_window()
    bg = window.background
    assert bg.pause_reason() is None
    window.new_entry()
    qtbot.waitUntil(lambda: window.write_page.handle is not None)
    qtbot.keyClicks(window.write_page.editor, "typing")
    assert bg.pause_reason() == "typing" and bg._should_pause()
    bg._last_typing = time.monotonic() - TYPING_PAUSE_S - 0.1
    assert bg.pause_reason() is None
    window.ask_page.asking.emit(True)
    assert bg.pause_reason() == "asking"
    window.ask_page.asking.emit(False)
    window.pause_button.setVisible(True)
    window.pause_button.click()
    assert bg.pause_reason() == "paused" and window.pause_button.text() == "Resume"
    window.pause_button.click()
    assert bg.pause_reason() is None
    # the window's own reads go first too
    window.tasks.read(lambda db: time.sleep(0.3))
    assert bg._should_pause()
    qtbot.waitUntil(lambda: not bg._should_pause())


def test_a_saved_entry_wakes_the_scheduler_and_its_digest_follows(qtbot, open_window):

    from lucy_app.core.digests import read

    window = open_window(days=3, digests=True, background=True)
    qtbot.waitUntil(lambda: window.background.cycles >= 1, timeout=30_000)
    window.new_entry()
    qtbot.waitUntil(lambda: window.write_page.handle is not None)
    with qtbot.waitSignal(window.entry_saved, timeout=5000):
        qtbot.keyClicks(window.write_page.editor, "Planted garlic in the rain.")
    window.background._last_typing = 0.0   # as if the typing pause were over
    db = window.journal.db
    qtbot.waitUntil(lambda: _has_day_digest(read, db, window.settings), timeout=30_000)


def _has_day_digest(read, db, settings) -> bool:

    try:
        return "garlic" in read.get(db, "day", clock.today(), settings).digest.text.lower()
    except Exception:  # noqa: BLE001 - not written yet
        return False
