"""SQL for entries, their change log and their full-text index.

Every function takes a connection inside a transaction opened by
:meth:`lucy_app.core.storage.db.Database.write` or ``read``; none opens its own.
"""

from __future__ import annotations

from typing import Any

import apsw

from lucy_app.core.storage.rows import dicts, one, scalar

_COLUMNS = (
    "id, uid, day, created_at, updated_at, title, body, tags, mood, starred, source, "
    "metadata, deleted_at, seq"
)


def log_change(conn: apsw.Connection, entry_id: int, day: str, op: str, at: str) -> int:
    """Append to the change log; returns the new sequence number."""
    conn.execute(
        "INSERT INTO changes(entry_id, day, op, at) VALUES (?, ?, ?, ?)", (entry_id, day, op, at)
    )
    return conn.last_insert_rowid()


def insert(conn: apsw.Connection, row: dict[str, Any]) -> tuple[int, int]:
    """Insert a new entry (``row`` has every column but id and seq); returns (id, seq)."""
    conn.execute(
        """
        INSERT INTO entries(uid, day, created_at, updated_at, title, body, tags, mood, starred,
                            source, metadata, deleted_at, seq)
        VALUES (:uid, :day, :created_at, :updated_at, :title, :body, :tags, :mood, :starred,
                :source, :metadata, NULL, 0)
        """,
        row,
    )
    entry_id = conn.last_insert_rowid()
    seq = log_change(conn, entry_id, row["day"], "add", row["updated_at"])
    conn.execute("UPDATE entries SET seq = ? WHERE id = ?", (seq, entry_id))
    return entry_id, seq


def update(conn: apsw.Connection, entry_id: int, old_day: str, row: dict[str, Any]) -> int:
    """Rewrite an entry's editable fields; logs the change for its old and new day."""
    seq = log_change(conn, entry_id, row["day"], "edit", row["updated_at"])
    if old_day != row["day"]:
        seq = log_change(conn, entry_id, old_day, "edit", row["updated_at"])
    conn.execute(
        """
        UPDATE entries SET day = :day, updated_at = :updated_at, title = :title, body = :body,
               tags = :tags, mood = :mood, starred = :starred, metadata = :metadata,
               created_at = :created_at, seq = :seq
        WHERE id = :id
        """,
        {**row, "id": entry_id, "seq": seq},
    )
    return seq


def set_trashed(conn: apsw.Connection, entry_id: int, day: str, at: str, trashed: bool) -> int:
    seq = log_change(conn, entry_id, day, "trash" if trashed else "restore", at)
    conn.execute(
        "UPDATE entries SET deleted_at = ?, seq = ? WHERE id = ?",
        (at if trashed else None, seq, entry_id),
    )
    return seq


def purge_trashed(conn: apsw.Connection, at: str, entry_ids: list[int] | None = None) -> int:
    """Delete trashed entries for good (all of them, or the given ones); returns the count."""
    rows = dicts(conn, "SELECT id, day FROM entries WHERE deleted_at IS NOT NULL")
    if entry_ids is not None:
        wanted = set(entry_ids)
        rows = [r for r in rows if r["id"] in wanted]
    for r in rows:
        log_change(conn, r["id"], r["day"], "purge", at)
        conn.execute("DELETE FROM entries WHERE id = ?", (r["id"],))
    return len(rows)


def get(conn: apsw.Connection, entry_id: int) -> dict | None:
    return one(conn, f"SELECT {_COLUMNS} FROM entries WHERE id = ?", (entry_id,))


def get_many(conn: apsw.Connection, entry_ids: list[int]) -> list[dict]:
    if not entry_ids:
        return []
    return dicts(
        conn,
        f"SELECT {_COLUMNS} FROM entries WHERE id IN (SELECT value FROM json_each(?))",
        (_json_list(entry_ids),),
    )


def uids(conn: apsw.Connection) -> dict[str, dict]:
    """Every entry's uid with what an import needs to compare against."""
    return {
        r["uid"]: r
        for r in dicts(conn, f"SELECT {_COLUMNS} FROM entries")
    }


def list_range(
    conn: apsw.Connection,
    *,
    start: str | None = None,
    end: str | None = None,
    tag: str | None = None,
    trashed: bool = False,
    limit: int | None = None,
    offset: int = 0,
    newest_first: bool = False,
) -> list[dict]:
    where = ["deleted_at IS NOT NULL" if trashed else "deleted_at IS NULL"]
    params: dict[str, Any] = {}
    if start:
        where.append("day >= :start")
        params["start"] = start
    if end:
        where.append("day <= :end")
        params["end"] = end
    if tag:
        where.append("EXISTS (SELECT 1 FROM json_each(entries.tags) WHERE value = :tag)")
        params["tag"] = tag
    order = "DESC" if newest_first else "ASC"
    sql = (
        f"SELECT {_COLUMNS} FROM entries WHERE {' AND '.join(where)} "
        f"ORDER BY day {order}, created_at {order}, id {order}"
    )
    if limit is not None:
        sql += " LIMIT :limit OFFSET :offset"
        params.update(limit=limit, offset=offset)
    return dicts(conn, sql, params)


def on_days(conn: apsw.Connection, days: list[str]) -> list[dict]:
    """Live entries on any of the given days: newest day first, each day in writing order."""
    if not days:
        return []
    return dicts(
        conn,
        f"SELECT {_COLUMNS} FROM entries WHERE deleted_at IS NULL "
        "AND day IN (SELECT value FROM json_each(?)) "
        "ORDER BY day DESC, created_at ASC, id ASC",
        (_json_list(days),),
    )


def count(conn: apsw.Connection, *, trashed: bool = False) -> int:
    cond = "deleted_at IS NOT NULL" if trashed else "deleted_at IS NULL"
    return scalar(conn, f"SELECT count(*) FROM entries WHERE {cond}")


def day_counts(conn: apsw.Connection, start: str | None = None, end: str | None = None) -> dict[str, int]:
    """Live entries per day (for the calendar heatmap and coverage notes)."""
    rows = conn.execute(
        "SELECT day, count(*) FROM entries WHERE deleted_at IS NULL "
        "AND day >= coalesce(?, '0000-00-00') AND day <= coalesce(?, '9999-99-99') GROUP BY day",
        (start, end),
    )
    return {day: n for day, n in rows}


def span(conn: apsw.Connection) -> tuple[str | None, str | None]:
    row = conn.execute(
        "SELECT min(day), max(day) FROM entries WHERE deleted_at IS NULL"
    ).fetchall()[0]
    return row[0], row[1]


def all_tags(conn: apsw.Connection) -> list[tuple[str, int]]:
    return [
        (t, n)
        for t, n in conn.execute(
            "SELECT value, count(*) FROM entries, json_each(entries.tags) "
            "WHERE deleted_at IS NULL GROUP BY value ORDER BY count(*) DESC, value"
        )
    ]


# Snippet markers: private-use characters that cannot appear in ordinary text.
MARK_OPEN = "\ue000"
MARK_CLOSE = "\ue001"
#: FTS5's snippet() slows down with the number of matches in a document (a 1 MB entry with
#: 100,000 hits took a minute); bigger entries get their opening lines as the snippet.
SNIPPET_MAX_BODY = 100_000


def fts_search(
    conn: apsw.Connection,
    match: str,
    *,
    start: str | None = None,
    end: str | None = None,
    limit: int = 20,
    snippet_tokens: int = 16,
) -> list[dict]:
    """Entries matching an FTS5 query, best BM25 first (title and tags weigh more)."""
    return dicts(
        conn,
        f"""
        SELECT e.id, e.day, e.title, e.tags,
               CASE WHEN length(e.body) <= {SNIPPET_MAX_BODY}
                    THEN snippet(entries_fts, 1, '{MARK_OPEN}', '{MARK_CLOSE}', '…', :ntok)
                    ELSE substr(e.body, 1, 200) || '…' END AS snippet,
               bm25(entries_fts, 4.0, 1.0, 3.0) AS score
        FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
        WHERE entries_fts MATCH :match
          AND e.day >= coalesce(:start, '0000-00-00') AND e.day <= coalesce(:end, '9999-99-99')
        ORDER BY score
        LIMIT :limit
        """,
        {"match": match, "start": start, "end": end, "limit": limit, "ntok": snippet_tokens},
    )


def changes_since(conn: apsw.Connection, seq: int) -> list[dict]:
    return dicts(conn, "SELECT seq, entry_id, day, op, at FROM changes WHERE seq > ? ORDER BY seq", (seq,))


def last_seq(conn: apsw.Connection) -> int:
    return scalar(conn, "SELECT coalesce(max(seq), 0) FROM changes")


def fts_integrity(conn: apsw.Connection) -> None:
    """Raises if the full-text index disagrees with its content."""
    conn.execute("INSERT INTO entries_fts(entries_fts) VALUES ('integrity-check')")


def _json_list(values: list) -> str:
    import json

    return json.dumps(list(values))


def term_document_count(conn: apsw.Connection, term: str) -> int:
    """How many live entries contain ``term`` (stemmed as the index stems it)."""
    quoted = '"' + term.replace('"', '""') + '"'
    return scalar(conn, "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?", (quoted,))
