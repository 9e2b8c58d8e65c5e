"""`lucy backup` / `lucy restore` and the automatic rolling backups."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import apsw
import pytest

from lucy_app.core import backup, entries, errors, paths
from lucy_app.core.journal import Journal
from lucy_app.core.storage import maintenance
from lucy_app.core.storage.db import Database


def integrity(path) -> list[str]:
    with Database(path, readonly=True) as db, db.read() as conn:
        return maintenance.integrity_problems(conn)


def test_a_backup_taken_while_another_thread_writes_is_consistent(journal, tmp_path):
    db = journal.db
    for i in range(50):
        entries.add(db, f"before {i}", day="2024-03-05")
    stop = threading.Event()
    written = []

    def writer():
        with Database(journal.path) as own:
            while not stop.is_set():
                written.append(entries.add(own, "written during the backup " * 50, day="2024-03-06").id)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        before = entries.count(db)
        copy = backup.backup(db, tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
    after = entries.count(db)
    assert integrity(copy) == []
    with Journal.open(copy) as restored:
        n = entries.count(restored.db)
    assert before <= n <= after
    assert after > before  # the writer really ran during the backup


def test_a_backup_taken_while_another_process_writes_restores_cleanly(journal, tmp_path):
    entries.add(journal.db, "first", day="2024-03-05")
    script = (
        "import sys, time\n"
        "from lucy_app.core import entries\n"
        "from lucy_app.core.storage.db import Database\n"
        "db = Database(sys.argv[1])\n"
        "deadline = time.time() + 3\n"
        "print('ready', flush=True)\n"
        "while time.time() < deadline:\n"
        "    entries.add(db, 'from another process ' * 40, day='2024-03-06')\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(journal.path)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        before = entries.count(journal.db)
        copy = backup.backup(journal.db, tmp_path)  # a folder: a timestamped name inside
    finally:
        proc.wait(timeout=30)
    after = entries.count(journal.db)
    target = tmp_path / "restored" / "journal.db"
    done = backup.restore(copy, target)
    assert done.replaced is None and before <= done.entries <= after
    assert integrity(target) == []


def test_restore_checks_the_file_and_keeps_the_replaced_journal(journal_path, tmp_path):
    with Journal.open(journal_path) as j:
        entries.add(j.db, "old entry", day="2024-03-05")
        saved = backup.backup(j.db, tmp_path / "saved.db")
        entries.add(j.db, "written after the backup", day="2024-03-06")
    done = backup.restore(saved, journal_path)
    assert done.entries == 1 and done.journal == journal_path
    assert done.replaced.name.startswith("journal.replaced-") and done.replaced.suffix == ".db"
    assert not os.path.exists(str(journal_path) + "-wal")
    with Journal.open(journal_path) as j:
        assert [e.body for e in entries.list_entries(j.db)] == ["old entry"]
    with Journal.open(done.replaced) as old:
        assert entries.count(old.db) == 2
    assert saved.exists()  # the backup itself is untouched


def test_restore_refuses_while_the_journal_is_open_elsewhere(journal, tmp_path):
    entries.add(journal.db, "x", day="2024-03-05")
    saved = backup.backup(journal.db, tmp_path / "saved.db")
    with pytest.raises(errors.JournalBusy, match="open in another program"):
        backup.restore(saved, journal.path)
    assert entries.count(journal.db) == 1


def test_restore_refuses_files_that_are_not_healthy_lucy_journals(journal_path, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(errors.NotAJournal):
        backup.restore(text, journal_path)
    other = tmp_path / "other.db"
    conn = apsw.Connection(str(other))
    conn.execute("CREATE TABLE t(x); INSERT INTO t VALUES (1)")
    conn.close()
    with pytest.raises(errors.NotAJournal):
        backup.restore(other, journal_path)
    assert not journal_path.exists()


def test_restore_refuses_a_backup_that_fails_the_integrity_check(journal, tmp_path):
    for i in range(300):
        entries.add(journal.db, f"entry {i} " + "words " * 30, day="2024-03-05")
    saved = backup.backup(journal.db, tmp_path / "saved.db")
    with Database(saved) as d, d.read() as conn:
        page_size = conn.execute("PRAGMA page_size").fetchall()[0][0]
        root = conn.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'entries_day'").fetchall()[0][0]
    with open(saved, "r+b") as f:  # scribble over an index page
        f.seek((root - 1) * page_size + 8)
        f.write(b"\xff" * 64)
    with pytest.raises(errors.JournalCorrupt, match="integrity check|damaged"):
        backup.restore(saved, tmp_path / "new.db")
    assert not (tmp_path / "new.db").exists()


def test_a_damaged_journal_can_be_replaced(tmp_path):
    good = tmp_path / "good.db"
    with Journal.open(good) as j:
        entries.add(j.db, "safe", day="2024-03-05")
        saved = backup.backup(j.db, tmp_path / "saved.db")
    damaged = tmp_path / "journal.db"
    damaged.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84 + b"garbage" * 100)
    done = backup.restore(saved, damaged)
    assert done.replaced.exists() and done.entries == 1


def test_rolling_backups_keep_the_newest_and_skip_unchanged_copies(journal):
    assert backup.latest_backup(journal.path) is None
    made = []
    for i in range(5):
        entries.add(journal.db, f"entry {i}", day="2024-03-05")
        made.append(backup.rolling_backup(journal, keep=3))
    kept = backup.backups(journal.path)
    assert kept == made[-3:] and all(p.parent == paths.backups_dir(journal.path) for p in kept)
    assert backup.latest_backup(journal.path) == made[-1]
    assert backup.rolling_backup(journal, keep=3) == made[-1]  # nothing changed: no new copy
    journal.update_settings(hemisphere="south")
    newer = backup.rolling_backup(journal, keep=3)
    assert newer != made[-1] and backup.backups(journal.path)[-1] == newer
    with Journal.open(newer) as copy:
        assert entries.count(copy.db) == 5 and copy.settings.hemisphere == "south"


def test_rolling_backups_follow_the_setting(journal):
    entries.add(journal.db, "x", day="2024-03-05")
    journal.update_settings(backups_keep=0)
    assert backup.rolling_backup(journal) is None and backup.backups(journal.path) == []
    journal.update_settings(backups_keep=1)
    first = backup.rolling_backup(journal)
    entries.add(journal.db, "y", day="2024-03-06")
    second = backup.rolling_backup(journal)
    assert backup.backups(journal.path) == [second] and first != second


def test_backup_refuses_to_overwrite(journal, tmp_path):
    target = tmp_path / "exists.db"
    target.write_text("keep me")
    with pytest.raises(errors.InvalidInput, match="already exists"):
        backup.backup(journal.db, target)
    assert target.read_text() == "keep me"
