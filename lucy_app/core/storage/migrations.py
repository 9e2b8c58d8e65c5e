"""The journal's schema, as an ordered list of named migrations.

``PRAGMA user_version`` is the number of migrations applied. Each migration runs in its own
``BEGIN IMMEDIATE`` transaction together with the version bump, so a crash leaves the file at
the previous version, never half-migrated. A file whose version is newer than this program
knows is refused (an older Lucy must not write a newer journal). Never edit a migration that
has shipped: add a new one at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import apsw

from lucy_app.core import errors
from lucy_app.core.storage.db import APPLICATION_ID


def m001_entries(conn: apsw.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE settings (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL            -- JSON
        ) WITHOUT ROWID;

        CREATE TABLE entries (
            id          INTEGER PRIMARY KEY,
            uid         TEXT NOT NULL UNIQUE,   -- stable across export/import
            day         TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
            created_at  TEXT NOT NULL,          -- ISO 8601 with UTC offset
            updated_at  TEXT NOT NULL,
            title       TEXT,
            body        TEXT NOT NULL,          -- Markdown
            tags        TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
            mood        INTEGER CHECK (mood BETWEEN 1 AND 5),
            starred     INTEGER NOT NULL DEFAULT 0,
            source      TEXT NOT NULL DEFAULT 'lucy',
            metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
            deleted_at  TEXT,                   -- in the trash when set
            seq         INTEGER NOT NULL        -- the change that wrote this version
        );
        CREATE INDEX entries_day ON entries(day) WHERE deleted_at IS NULL;
        CREATE INDEX entries_seq ON entries(seq);

        -- The change log: every add, edit, trash, restore and purge, in commit order.
        -- Indexing and digests compute what to redo from it.
        CREATE TABLE changes (
            seq       INTEGER PRIMARY KEY AUTOINCREMENT,
            entry_id  INTEGER NOT NULL,
            day       TEXT NOT NULL,
            op        TEXT NOT NULL CHECK (op IN ('add', 'edit', 'trash', 'restore', 'purge')),
            at        TEXT NOT NULL
        );
        CREATE INDEX changes_day ON changes(day, seq);
        CREATE INDEX changes_entry ON changes(entry_id, seq);

        -- Full-text index over the live entries, kept in sync by triggers in the same
        -- transaction as the write.
        CREATE VIRTUAL TABLE entries_fts USING fts5(
            title, body, tags,
            tokenize = 'porter unicode61 remove_diacritics 2'
        );

        CREATE TRIGGER entries_fts_insert AFTER INSERT ON entries
        WHEN new.deleted_at IS NULL BEGIN
            INSERT INTO entries_fts(rowid, title, body, tags)
            VALUES (new.id, coalesce(new.title, ''), new.body,
                    (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags)));
        END;

        CREATE TRIGGER entries_fts_update AFTER UPDATE OF title, body, tags, deleted_at ON entries
        BEGIN
            DELETE FROM entries_fts WHERE rowid = old.id;
            INSERT INTO entries_fts(rowid, title, body, tags)
            SELECT new.id, coalesce(new.title, ''), new.body,
                   (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags))
            WHERE new.deleted_at IS NULL;
        END;

        CREATE TRIGGER entries_fts_delete AFTER DELETE ON entries BEGIN
            DELETE FROM entries_fts WHERE rowid = old.id;
        END;
        """
    )


def m002_digests(conn: apsw.Connection) -> None:
    conn.execute(
        """
        -- One digest per (level, period). Text is Markdown whose sentences carry citation
        -- markers; entry_ids/child_ids/citations are JSON written by the app (checked ids).
        CREATE TABLE digests (
            id                INTEGER PRIMARY KEY,
            level             TEXT NOT NULL CHECK (level IN ('day', 'week', 'month', 'season', 'year')),
            period_start      TEXT NOT NULL,
            period_end        TEXT NOT NULL,
            text              TEXT NOT NULL,
            entry_ids         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(entry_ids)),
            child_ids         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(child_ids)),
            citations         TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(citations)),
            writer            TEXT NOT NULL CHECK (writer IN ('extractive', 'llm')),
            model             TEXT,
            prompt_version    TEXT NOT NULL,
            input_hash        TEXT NOT NULL,
            source_seq        INTEGER NOT NULL,   -- newest change in the period it saw
            partial           INTEGER NOT NULL DEFAULT 0,  -- the period was not over
            n_entries         INTEGER NOT NULL DEFAULT 0,
            dropped_citations INTEGER NOT NULL DEFAULT 0,
            created_at        TEXT NOT NULL,
            UNIQUE (level, period_start)
        );
        CREATE INDEX digests_period ON digests(level, period_end);
        """
    )


def m003_passages(conn: apsw.Connection) -> None:
    conn.execute(
        """
        -- Passages: the retrievable pieces of entries and digests, with their character
        -- offsets in the source text. Vectors live in a vec0 table created for the
        -- embedding model's dimension (storage/passages.py).
        CREATE TABLE passages (
            id         INTEGER PRIMARY KEY,
            entry_id   INTEGER REFERENCES entries(id) ON DELETE CASCADE,
            digest_id  INTEGER REFERENCES digests(id) ON DELETE CASCADE,
            day        TEXT NOT NULL,            -- the entry's day, or the digest's first day
            day_end    TEXT NOT NULL,            -- the same day, or the digest's last day
            ord        INTEGER NOT NULL,         -- position in the source
            start      INTEGER NOT NULL,         -- character offsets in the source text
            end        INTEGER NOT NULL,
            text       TEXT NOT NULL,
            hash       TEXT NOT NULL,
            vector_model TEXT,                   -- the embedding model that embedded it
            CHECK ((entry_id IS NULL) != (digest_id IS NULL))
        );
        CREATE INDEX passages_entry ON passages(entry_id) WHERE entry_id IS NOT NULL;
        CREATE INDEX passages_digest ON passages(digest_id) WHERE digest_id IS NOT NULL;
        CREATE INDEX passages_day ON passages(day);
        CREATE INDEX passages_unembedded ON passages(vector_model);

        CREATE VIRTUAL TABLE passages_fts USING fts5(
            text, content = 'passages', content_rowid = 'id',
            tokenize = 'porter unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER passages_fts_insert AFTER INSERT ON passages BEGIN
            INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
        END;
        CREATE TRIGGER passages_fts_delete AFTER DELETE ON passages BEGIN
            INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        END;
        CREATE TRIGGER passages_fts_update AFTER UPDATE OF text ON passages BEGIN
            INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
            INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
        END;

        -- Which version (entries.seq) of each entry its passages were cut from.
        CREATE TABLE entry_index (
            entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
            seq      INTEGER NOT NULL
        );
        """
    )


def m004_attachments_and_models(conn: apsw.Connection) -> None:
    conn.execute(
        """
        -- Images and other files inside entries, stored in the journal itself. An entry's
        -- Markdown refers to one as ![caption](attachment:<sha256>).
        CREATE TABLE attachments (
            id          INTEGER PRIMARY KEY,
            entry_id    INTEGER REFERENCES entries(id) ON DELETE CASCADE,
            sha256      TEXT NOT NULL,
            name        TEXT,
            mime        TEXT NOT NULL,
            size        INTEGER NOT NULL,
            data        BLOB NOT NULL,
            created_at  TEXT NOT NULL,
            UNIQUE (entry_id, sha256)
        );
        CREATE INDEX attachments_sha ON attachments(sha256);

        -- The model files chosen for this journal, with what identifies them.
        CREATE TABLE model_files (
            role         TEXT PRIMARY KEY CHECK (role IN ('chat', 'embedding')),
            path         TEXT NOT NULL,
            sha256       TEXT NOT NULL,
            size         INTEGER NOT NULL,
            name         TEXT,
            dim          INTEGER,
            selected_at  TEXT NOT NULL
        ) WITHOUT ROWID;
        """
    )


#: The schema's history. The journal's ``user_version`` is the count applied.
MIGRATIONS: list[Callable[[apsw.Connection], None]] = [
    m001_entries,
    m002_digests,
    m003_passages,
    m004_attachments_and_models,
]

SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: apsw.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchall()[0][0]


def check_compatible(conn: apsw.Connection, path: Path) -> int:
    """The file's schema version, after refusing files this program must not touch."""
    version = schema_version(conn)
    app_id = conn.execute("PRAGMA application_id").fetchall()[0][0]
    if app_id not in (0, APPLICATION_ID):
        raise errors.NotAJournal(f"{path} is a SQLite database of another program, not a Lucy journal")
    if version == 0 and conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()[0][0]:
        raise errors.NotAJournal(f"{path} is a SQLite database but not a Lucy journal")
    if version > SCHEMA_VERSION:
        raise errors.NewerSchema(
            f"{path} was written by a newer Lucy (schema {version}; this one knows up to "
            f"{SCHEMA_VERSION})",
            hint="update Lucy to open it; the file was not changed",
        )
    return version


def migrate(conn: apsw.Connection, path: Path, *, readonly: bool = False) -> int:
    """Bring the file up to :data:`SCHEMA_VERSION`; returns the number of migrations run."""
    version = check_compatible(conn, path)
    if version == SCHEMA_VERSION:
        return 0
    if readonly:
        raise errors.JournalReadOnly(
            f"{path} needs an upgrade (schema {version} → {SCHEMA_VERSION}) but is open read-only"
        )
    ran = 0
    for number, migration in enumerate(MIGRATIONS, start=1):
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if schema_version(conn) >= number:
                conn.execute("COMMIT")
                continue
            migration(conn)
            if number == 1:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
            ran += 1
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return ran
