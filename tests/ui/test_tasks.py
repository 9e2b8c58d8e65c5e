"""Background jobs: results and errors come back to the GUI thread; a bug is logged once."""

from __future__ import annotations

import logging

from lucy_app.core import errors
from lucy_app.ui.errors import describe
from lucy_app.ui.tasks import Tasks


def test_a_bug_in_a_background_job_is_logged_once_with_its_traceback(qtbot, db, caplog):
    tasks = Tasks(db)
    shown = []

    def broken(_db):
        raise RuntimeError("the index exploded")

    def known(_db):
        raise errors.InvalidInput("That date does not exist")

    try:
        with caplog.at_level(logging.ERROR):
            tasks.read(broken, on_error=lambda exc: shown.append(describe(exc, "searching")), what="searching")
            tasks.write(known, on_error=lambda exc: shown.append(describe(exc, "saving")))
            qtbot.waitUntil(lambda: len(shown) == 2, timeout=5000)
    finally:
        tasks.shutdown()
    bug = next(p for p in shown if not p.known)
    assert "Something went wrong while searching" in bug.text
    assert [p.text for p in shown if p.known] == ["That date does not exist"]
    records = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(records) == 1  # logged where it happened, not again when shown
    assert records[0].exc_info and "the index exploded" in str(records[0].exc_info[1])
    assert "searching" in records[0].getMessage()


def test_hundreds_of_jobs_use_one_connection_per_pool_thread(qtbot, db):
    """A window left open runs thousands of reads: each must not open (and keep) a connection
    of its own — that grew the app by ~25 MB a minute."""
    tasks = Tasks(db, readers=3, workers=2)
    done = []
    try:
        for _ in range(300):
            tasks.read(lambda d: d.conn is not None, done.append)
        for _ in range(50):
            tasks.work(lambda d: d.conn is not None, done.append)
        qtbot.waitUntil(lambda: len(done) == 350, timeout=30_000)
        assert all(done)
        assert len(tasks._dbs) <= 5
    finally:
        tasks.shutdown()
