"""Schema versions: a new file is migrated, a newer one is refused untouched."""

from __future__ import annotations

import hashlib

import pytest

from lucy_app.core import errors
from lucy_app.core.storage import migrations
from lucy_app.core.storage.db import APPLICATION_ID, Database


def test_an_empty_file_is_migrated_to_the_current_schema(tmp_path):
    path = tmp_path / "new.db"
    path.touch()
    with Database(path) as db:
        conn = db.conn
        assert migrations.schema_version(conn) == migrations.SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchall()[0][0] == APPLICATION_ID
        tables = {r[0] for r in conn.execute("select name from sqlite_schema where type='table'")}
        assert {"entries", "changes", "entries_fts", "settings", "meta"} <= tables


def test_reopening_runs_no_migration(journal_path):
    Database(journal_path).close()
    with Database(journal_path) as db:
        assert migrations.migrate(db.conn, journal_path) == 0


def test_a_journal_from_a_newer_lucy_is_refused_and_not_modified(journal_path):
    with Database(journal_path) as db:
        db.conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = hashlib.sha256(journal_path.read_bytes()).hexdigest()
    with pytest.raises(errors.NewerSchema, match="newer Lucy"):
        Database(journal_path)
    assert hashlib.sha256(journal_path.read_bytes()).hexdigest() == before


def test_a_failing_migration_leaves_the_previous_version(journal_path, monkeypatch):
    Database(journal_path).close()

    def m_broken(conn):
        conn.execute("CREATE TABLE half_done(x)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, m_broken])
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    with pytest.raises(RuntimeError):
        Database(journal_path)
    monkeypatch.undo()
    with Database(journal_path) as db:
        assert migrations.schema_version(db.conn) == migrations.SCHEMA_VERSION
        names = {r[0] for r in db.conn.execute("select name from sqlite_schema")}
        assert "half_done" not in names


def test_migrations_are_named_in_order():
    names = [m.__name__ for m in migrations.MIGRATIONS]
    assert names == sorted(names)
    assert all(n.startswith(f"m{i:03d}_") for i, n in enumerate(names, start=1))
