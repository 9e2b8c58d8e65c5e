"""SQL for attachments: images and other files stored in the journal (``attachments``, m004).

An entry's Markdown refers to one as ``![caption](attachment:<sha256>)``. A file belongs to
an entry (``entry_id``), or to none yet (``entry_id`` NULL). Every function takes a
connection inside a transaction opened by ``Database.write``/``read``.
"""

from __future__ import annotations

import apsw

from lucy_app.core.storage.rows import dicts, scalar

_META = "id, entry_id, sha256, name, mime, size, created_at"


def insert(conn: apsw.Connection, entry_id: int | None, sha256: str, name: str | None, mime: str,
           data: bytes, created_at: str) -> bool:
    """Store a file for an entry; False when that entry already has the same file."""
    if entry_id is None:
        if scalar(conn, "SELECT 1 FROM attachments WHERE entry_id IS NULL AND sha256 = ?", (sha256,)):
            return False
    conn.execute(
        "INSERT OR IGNORE INTO attachments(entry_id, sha256, name, mime, size, data, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (entry_id, sha256, name, mime, len(data), data, created_at),
    )
    return conn.changes() > 0


def shas_by_entry(conn: apsw.Connection) -> dict[int, set[str]]:
    """For every entry with attachments, the sha256 of each."""
    found: dict[int, set[str]] = {}
    for entry_id, sha in conn.execute("SELECT entry_id, sha256 FROM attachments WHERE entry_id IS NOT NULL"):
        found.setdefault(entry_id, set()).add(sha)
    return found


def loose_shas(conn: apsw.Connection) -> set[str]:
    """The sha256 of every file that belongs to no entry."""
    return {sha for (sha,) in conn.execute("SELECT sha256 FROM attachments WHERE entry_id IS NULL")}


def for_entry(conn: apsw.Connection, entry_id: int, *, with_data: bool = False) -> list[dict]:
    cols = _META + (", data" if with_data else "")
    return dicts(conn, f"SELECT {cols} FROM attachments WHERE entry_id = ? ORDER BY sha256", (entry_id,))


def by_live_entry(conn: apsw.Connection, *, with_data: bool = False) -> dict[int, list[dict]]:
    """Entry id → its attachments (as :func:`for_entry` gives them), for every entry not in the trash."""
    cols = _META + (", data" if with_data else "")
    found: dict[int, list[dict]] = {}
    for row in dicts(conn, f"SELECT {cols} FROM attachments WHERE entry_id IN "
                           "(SELECT id FROM entries WHERE deleted_at IS NULL) ORDER BY entry_id, sha256"):
        found.setdefault(row["entry_id"], []).append(row)
    return found


def all_rows(conn: apsw.Connection, *, with_data: bool = True) -> list[dict]:
    """Every attachment (with or without its bytes), in a stable order."""
    cols = _META + (", data" if with_data else "")
    return dicts(conn, f"SELECT {cols} FROM attachments ORDER BY entry_id IS NULL, entry_id, sha256")


def data(conn: apsw.Connection, sha256: str) -> bytes | None:
    return scalar(conn, "SELECT data FROM attachments WHERE sha256 = ? LIMIT 1", (sha256,))


def count(conn: apsw.Connection) -> int:
    return scalar(conn, "SELECT count(*) FROM attachments")
