"""SQL for taking a journal out and bringing it back: digest rows, copies, restores.

- Digest rows raw (``digests``, m002), for the lossless JSON export and the Markdown export.
- Consistent one-file copies with SQLite's online backup API (one step: one snapshot, so a
  writer in another thread or process never makes the copy inconsistent), and the checks a
  file must pass before it may replace a journal.

Functions taking a connection expect a transaction opened by ``Database.write``/``read``,
except the copy and check helpers, which open and close their own connections.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import apsw

from lucy_app.core import errors
from lucy_app.core.storage import db as db_mod
from lucy_app.core.storage import migrations
from lucy_app.core.storage.rows import column, dicts, scalar

DIGEST_COLUMNS = (
    "id", "level", "period_start", "period_end", "text", "entry_ids", "child_ids", "citations",
    "writer", "model", "prompt_version", "input_hash", "source_seq", "partial", "n_entries",
    "dropped_citations", "created_at",
)


# --- digests ------------------------------------------------------------------------------


def digest_rows(conn: apsw.Connection) -> list[dict]:
    """Every digest row as stored, day → year, then by period."""
    return dicts(
        conn,
        f"SELECT {', '.join(DIGEST_COLUMNS)} FROM digests ORDER BY "
        "CASE level WHEN 'day' THEN 0 WHEN 'week' THEN 1 WHEN 'month' THEN 2 "
        "WHEN 'season' THEN 3 ELSE 4 END, period_start",
    )


def digest_keys(conn: apsw.Connection) -> dict[tuple[str, str], int]:
    """(level, period_start) → digest id, for every stored digest."""
    return {(lv, ps): i for i, lv, ps in conn.execute("SELECT id, level, period_start FROM digests")}


def insert_digest(conn: apsw.Connection, row: dict) -> int:
    """Insert one digest row (every column but ``id``); returns its id."""
    cols = [c for c in DIGEST_COLUMNS if c != "id"]
    conn.execute(
        f"INSERT INTO digests({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})",
        {c: row[c] for c in cols},
    )
    return conn.last_insert_rowid()


def set_digest_children(conn: apsw.Connection, digest_id: int, child_ids: list[int]) -> None:
    conn.execute("UPDATE digests SET child_ids = ? WHERE id = ?", (json.dumps(child_ids), digest_id))


def set_digest_citations(conn: apsw.Connection, digest_id: int, citations_json: str) -> None:
    conn.execute("UPDATE digests SET citations = ? WHERE id = ?", (citations_json, digest_id))


def live_uids_between(conn: apsw.Connection, start: str, end: str) -> set[str]:
    return set(column(conn, "SELECT uid FROM entries WHERE deleted_at IS NULL AND day BETWEEN ? AND ?",
                      (start, end)))


def uid_to_id(conn: apsw.Connection) -> dict[str, int]:
    return {uid: i for i, uid in conn.execute("SELECT id, uid FROM entries")}


# --- what a journal holds, in one value ---------------------------------------------------


def fingerprint(conn: apsw.Connection) -> str:
    """Changes whenever entries, attachments, digests, settings or the schema change.

    Rolling backups compare it with the newest backup's to skip identical copies.
    """
    parts = [
        scalar(conn, "PRAGMA user_version"),
        scalar(conn, "SELECT value FROM meta WHERE key = 'journal_id'"),
        scalar(conn, "SELECT coalesce(max(seq), 0) FROM changes"),
        scalar(conn, "SELECT count(*) || '/' || coalesce(max(id), 0) FROM attachments"),
        scalar(conn, "SELECT count(*) || '/' || coalesce(max(created_at), '') || '/' "
                     "|| coalesce(sum(id), 0) FROM digests"),
        json.dumps(dicts(conn, "SELECT key, value FROM settings ORDER BY key")),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


# --- copies --------------------------------------------------------------------------------


def copy_database(source: apsw.Connection, dest: Path, passphrase: str | None = None) -> None:
    """Write a consistent copy of ``source``'s main database to the new file ``dest``.

    One backup step copies every page under one read snapshot: writers in other
    connections carry on (WAL) and cannot make the copy inconsistent. The copy is switched
    to the rollback journal, so it is one self-contained file. An encrypted source needs
    its ``passphrase``: the copy is keyed identically (SQLite3 Multiple Ciphers copies
    pages only between databases with the same cipher), so it stays encrypted.
    """
    target = apsw.Connection(str(dest), flags=apsw.SQLITE_OPEN_READWRITE | apsw.SQLITE_OPEN_CREATE)
    try:
        target.set_busy_timeout(db_mod.BUSY_TIMEOUT_MS)
        if passphrase is not None:
            target.pragma("key", passphrase)
        with target.backup("main", source, "main") as backup:
            while not backup.done:
                backup.step(-1)
        target.execute("PRAGMA journal_mode = DELETE").fetchall()
    finally:
        target.close()


def copy_file(source: Path, dest: Path, passphrase: str | None = None) -> None:
    """Copy the journal file ``source`` (read-only; its WAL is honoured) to the new file ``dest``.

    An encrypted ``source`` is opened with ``passphrase`` and copied encrypted.
    """
    passphrase = db_mod.key_for(source, passphrase)
    if passphrase is None:
        db_mod.check_file_header(source)  # an encrypted file without a key: JournalEncrypted
    with db_mod.translated(source):
        conn = apsw.Connection(str(source), flags=apsw.SQLITE_OPEN_READONLY)
        try:
            conn.set_busy_timeout(db_mod.BUSY_TIMEOUT_MS)
            if passphrase is not None:
                conn.pragma("key", passphrase)
                try:
                    conn.execute("SELECT count(*) FROM sqlite_schema").fetchall()
                except apsw.NotADBError:
                    raise errors.WrongPassphrase(f"Wrong passphrase for {source}",
                                                 hint="try again; it is case-sensitive") from None
            copy_database(conn, dest, passphrase)
        finally:
            conn.close()


def examine_copy(path: Path, passphrase: str | None = None) -> dict:
    """Facts about a file about to become a journal; raises a known error if it must not.

    Refuses a file that is not a Lucy journal, was written by a newer Lucy, or fails
    ``PRAGMA integrity_check``. Opens it read-write (it must be a private copy); an
    encrypted copy with ``passphrase``.
    """
    passphrase = db_mod.key_for(path, passphrase)
    if passphrase is None:
        db_mod.check_file_header(path)
    conn = db_mod.connect(path, passphrase=passphrase)
    try:
        with db_mod.translated(path):
            if scalar(conn, "PRAGMA application_id") != db_mod.APPLICATION_ID:
                raise errors.NotAJournal(f"{path} is not a Lucy journal")
            version = migrations.check_compatible(conn, path)
            if not scalar(conn, "SELECT count(*) FROM sqlite_schema WHERE name = 'entries' AND type = 'table'"):
                raise errors.NotAJournal(f"{path} is not a Lucy journal (it has no entries)")
            problems = column(conn, "PRAGMA integrity_check")
            if problems != ["ok"]:
                raise errors.JournalCorrupt(
                    f"{path} fails the integrity check: {'; '.join(map(str, problems[:3]))}",
                    hint="choose an older backup",
                )
            facts = {
                "schema": version,
                "entries": scalar(conn, "SELECT count(*) FROM entries WHERE deleted_at IS NULL"),
                "last_day": scalar(conn, "SELECT max(day) FROM entries WHERE deleted_at IS NULL"),
                "journal_id": scalar(conn, "SELECT value FROM meta WHERE key = 'journal_id'"),
            }
            conn.execute("PRAGMA journal_mode = DELETE").fetchall()
    finally:
        conn.close()
    return facts


def claim_for_replacement(path: Path, wait_ms: int = 1000, passphrase: str | None = None) -> None:
    """Make sure no other connection has the journal open, and fold its WAL into the file.

    Leaving WAL mode needs every other connection closed: if another program (the app,
    another ``lucy``) holds the journal, this raises :class:`errors.JournalBusy`. A damaged
    file passes (it cannot be checked, and it is what a restore is for); so does an
    encrypted journal whose ``passphrase`` is not given or wrong (it is moved aside whole).
    """
    passphrase = db_mod.key_for(path, passphrase)
    with db_mod.translated(path):
        conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READWRITE)
    try:
        conn.set_busy_timeout(wait_ms)
        try:
            if passphrase is not None:
                conn.pragma("key", passphrase)
            mode = conn.execute("PRAGMA journal_mode = DELETE").fetchall()[0][0]
        except (apsw.BusyError, apsw.LockedError):
            mode = "busy"
        except (apsw.CorruptError, apsw.NotADBError):
            return  # a damaged journal is what a restore replaces: it is moved aside whole
        except apsw.Error as exc:
            raise db_mod.translate(exc, path) from exc
        if mode != "delete":
            raise errors.JournalBusy(
                f"The journal {path} is open in another program (the Lucy app or another `lucy`)",
                hint="close it, then restore again; nothing was changed",
            )
    finally:
        conn.close()
