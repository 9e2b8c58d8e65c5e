"""The journal file: configured connections, refusal of bad files, error mapping."""

from __future__ import annotations

import hashlib
import sqlite3
import threading

import apsw
import pytest

from lucy_app.core import entries, errors
from lucy_app.core.storage import maintenance
from lucy_app.core.storage.db import Database


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_connection_is_configured(db):
    conn = db.conn
    assert conn.execute("select vec_version()").fetchall()[0][0].startswith("v0.1.")
    assert maintenance.journal_mode(conn) == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchall()[0][0] == 1
    assert maintenance.synchronous(conn) == 2  # FULL: a saved entry survives power loss
    other = db.reopen()
    assert other.conn.execute("select vec_version()").fetchall()
    other.close()


def test_the_default_journal_lives_in_the_user_data_folder(tmp_path, monkeypatch):
    from lucy_app.core import paths
    from lucy_app.core.journal import Journal

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    with Journal.open() as j:
        assert j.path == tmp_path / "xdg" / "Lucy" / "journal.db"
    monkeypatch.setenv("LUCY_DB", str(tmp_path / "elsewhere.db"))
    assert paths.default_journal_path() == tmp_path / "elsewhere.db"


@pytest.mark.parametrize("content", [b"hello, this is a text file\n" * 10, b"\x00" * 4096, b"SQLite"])
def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path, content):
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    with pytest.raises((errors.NotAJournal, errors.JournalCorrupt)):
        Database(path)
    assert path.read_bytes() == content
    assert not (tmp_path / "notes.db-wal").exists()


def test_a_truncated_journal_is_refused_and_left_alone(tmp_path):
    path = tmp_path / "j.db"
    with Database(path) as db:
        for i in range(200):
            entries.add(db, f"entry {i} " + "words " * 200, day="2024-01-01")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = digest(path)
    with pytest.raises(errors.JournalCorrupt, match="truncated"):
        Database(path)
    assert digest(path) == before


def test_a_journal_killed_while_checkpointing_opens_with_every_entry(tmp_path):
    """Page 1 already copied from the -wal (promising the larger size), later pages not yet.

    That journal is whole: SQLite finishes the checkpoint from the -wal when it opens it.
    """
    live, copy = tmp_path / "live", tmp_path / "copy"
    live.mkdir(), copy.mkdir()
    db = Database(live / "j.db")
    entries.add(db, "the first entry", day="2024-01-01")
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.execute("PRAGMA wal_autocheckpoint=0")
    for i in range(150):
        entries.add(db, f"entry {i} " + "words " * 200, day="2024-01-02")
    main, wal = (live / "j.db").read_bytes(), (live / "j.db-wal").read_bytes()
    db.close()
    page_size = int.from_bytes(main[16:18], "big")
    page_1 = None
    for at in range(32, len(wal) - 24, 24 + page_size):
        if int.from_bytes(wal[at : at + 4], "big") == 1:
            page_1 = wal[at + 24 : at + 24 + page_size]
    assert page_1 is not None
    (copy / "j.db").write_bytes(page_1 + main[page_size:])
    (copy / "j.db-wal").write_bytes(wal)
    assert int.from_bytes(page_1[28:32], "big") * page_size > len(main)
    with Database(copy / "j.db") as reopened:
        assert entries.count(reopened) == 151


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as c:
        c.execute("create table accounts(id integer primary key, name text)")
    c.close()
    before = digest(path)
    with pytest.raises(errors.NotAJournal, match="not a Lucy journal"):
        Database(path)
    assert digest(path) == before


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(errors.NotAJournal, match="folder"):
        Database(tmp_path)


def test_a_read_only_journal_can_be_read_but_not_written(journal_path):
    with Database(journal_path) as db:
        entries.add(db, "hello", day="2024-01-01")
    with Database(journal_path, readonly=True) as ro:
        assert entries.count(ro) == 1
        with pytest.raises(errors.JournalReadOnly):
            entries.add(ro, "more", day="2024-01-02")


def test_a_writer_waiting_too_long_gets_a_busy_error_not_a_crash(journal_path, monkeypatch):
    from lucy_app.core.storage import db as db_mod

    monkeypatch.setattr(db_mod, "BUSY_TIMEOUT_MS", 50)
    first = Database(journal_path)
    second = Database(journal_path)
    with first.write():
        with pytest.raises(errors.JournalBusy):
            entries.add(second, "blocked", day="2024-01-01")
    assert entries.count(second) == 0
    first.close()
    second.close()


def test_writers_in_two_threads_never_fail_with_busy(journal_path):
    """BEGIN IMMEDIATE + busy timeout: concurrent writers wait instead of failing."""
    Database(journal_path).close()
    failures = []

    def writer(tag):
        db = Database(journal_path)
        try:
            for i in range(60):
                entries.add(db, f"{tag} {i}", day="2024-01-01")
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(t,)) for t in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with Database(journal_path) as db:
        assert entries.count(db) == 120


def test_unknown_sql_errors_are_bugs_not_user_errors(db):
    with pytest.raises(errors.BugError):
        with db.read() as conn:
            conn.execute("SELECT * FROM no_such_table")


def test_a_failed_write_changes_nothing(db):
    entries.add(db, "kept", day="2024-01-01")
    with pytest.raises(RuntimeError):
        with db.write():
            entries.add(db, "lost", day="2024-01-02")
            raise RuntimeError("boom")
    assert [e.body for e in entries.list_entries(db)] == ["kept"]
    assert isinstance(db.conn, apsw.Connection) and not db.conn.in_transaction
