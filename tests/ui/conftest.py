"""Fixtures for driving the real main window on a temp journal (offscreen Qt)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest


@pytest.fixture
def yesterday(frozen_today) -> date:
    from lucy_app.core import clock

    return clock.today() - timedelta(days=1)


@pytest.fixture
def open_window(qtbot, journal_path, fill, yesterday):
    """open_window(days=0, digests=False, background=False, models=None) -> MainWindow.

    The journal is filled with ``days`` generated entries ending yesterday (and their
    extractive digests with ``digests``) before the window opens; the window is shown and
    the start page is ready when it returns. Windows are closed (and the journal too) at
    the end of the test.
    """
    from lucy_app.core import clock
    from lucy_app.core.digests import scheduler
    from lucy_app.core.journal import Journal
    from lucy_app.ui.main_window import MainWindow

    opened = []

    def open_(*, days: int = 0, digests: bool = False, background: bool = False, models=None,
              settings: dict | None = None):
        journal = Journal.open(journal_path)
        if settings:
            journal.update_settings(**settings)
        if days:
            fill(journal.db, days, end=yesterday)
        if digests:
            scheduler.run(journal.db, settings=journal.settings, today=clock.today())
        window = MainWindow(journal, background=background, models=models)
        opened.append((window, journal))
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.ready, timeout=10_000):
            window.show()
        return window

    yield open_
    for window, journal in opened:
        window.shutdown()
        journal.close()


@pytest.fixture
def reopen(journal_path):
    """A fresh connection to the test journal (what a restart would see)."""
    from lucy_app.core.journal import Journal

    opened = []

    def reopen_():
        j = Journal.open(journal_path)
        opened.append(j)
        return j

    yield reopen_
    for j in opened:
        j.close()


# The offscreen platform cannot pass a window's size limits on, and says so as a warning
# whenever a layout changes them; that is the test platform talking, not the app.
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/ui/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))
