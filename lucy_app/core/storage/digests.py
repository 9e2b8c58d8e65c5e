"""SQL for digests: one row per (level, period), rewritten in place."""

from __future__ import annotations

from typing import Any

import apsw

from lucy_app.core.storage.rows import dicts, one

_META = ("id, level, period_start, period_end, entry_ids, child_ids, writer, model, prompt_version, "
         "input_hash, source_seq, partial, n_entries, dropped_citations, created_at")
_ALL = _META + ", text, citations"


def upsert(conn: apsw.Connection, row: dict[str, Any]) -> int:
    """Write the digest of (level, period_start), replacing the old one; returns its id.

    Its passages are removed in the same transaction: the indexer cuts them again.
    """
    conn.execute(
        """
        INSERT INTO digests(level, period_start, period_end, text, entry_ids, child_ids, citations,
                            writer, model, prompt_version, input_hash, source_seq, partial,
                            n_entries, dropped_citations, created_at)
        VALUES (:level, :period_start, :period_end, :text, :entry_ids, :child_ids, :citations,
                :writer, :model, :prompt_version, :input_hash, :source_seq, :partial,
                :n_entries, :dropped_citations, :created_at)
        ON CONFLICT(level, period_start) DO UPDATE SET
            period_end = excluded.period_end, text = excluded.text, entry_ids = excluded.entry_ids,
            child_ids = excluded.child_ids, citations = excluded.citations, writer = excluded.writer,
            model = excluded.model, prompt_version = excluded.prompt_version,
            input_hash = excluded.input_hash, source_seq = excluded.source_seq,
            partial = excluded.partial, n_entries = excluded.n_entries,
            dropped_citations = excluded.dropped_citations, created_at = excluded.created_at
        """,
        row,
    )
    digest_id = one(conn, "SELECT id FROM digests WHERE level = ? AND period_start = ?",
                    (row["level"], row["period_start"]))["id"]
    conn.execute("DELETE FROM passages WHERE digest_id = ?", (digest_id,))
    return digest_id


def get(conn: apsw.Connection, level: str, period_start: str) -> dict | None:
    return one(conn, f"SELECT {_ALL} FROM digests WHERE level = ? AND period_start = ?", (level, period_start))


def get_by_id(conn: apsw.Connection, digest_id: int) -> dict | None:
    return one(conn, f"SELECT {_ALL} FROM digests WHERE id = ?", (digest_id,))


def all_meta(conn: apsw.Connection) -> list[dict]:
    """Every digest without its text (what the planner compares)."""
    return dicts(conn, f"SELECT {_META} FROM digests")


def in_range(conn: apsw.Connection, level: str | None, start: str, end: str, *,
             overlapping: bool = False) -> list[dict]:
    """Digests of ``level`` (any level if None) inside [start, end] (or overlapping it)."""
    cond = "period_end >= :start AND period_start <= :end" if overlapping else \
        "period_start >= :start AND period_end <= :end"
    level_cond = "level = :level AND " if level else ""
    return dicts(conn, f"SELECT {_ALL} FROM digests WHERE {level_cond}{cond} ORDER BY period_start",
                 {"level": level, "start": start, "end": end})


def containing(conn: apsw.Connection, day: str) -> list[dict]:
    return dicts(conn, f"SELECT {_ALL} FROM digests WHERE period_start <= ? AND period_end >= ? ORDER BY period_start",
                 (day, day))


def delete(conn: apsw.Connection, digest_ids: list[int]) -> None:
    for digest_id in digest_ids:
        conn.execute("DELETE FROM digests WHERE id = ?", (digest_id,))


def live_entry_versions(conn: apsw.Connection) -> list[tuple[int, str, int]]:
    """(id, day, seq) of every live entry: what day digests are computed from."""
    return [tuple(r) for r in conn.execute(
        "SELECT id, day, seq FROM entries WHERE deleted_at IS NULL ORDER BY day, id")]


def newest_change(conn: apsw.Connection, start: str, end: str) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM changes WHERE day BETWEEN ? AND ?",
                        (start, end)).fetchall()[0][0]


def set_prompt_version(conn: apsw.Connection, digest_id: int, version: str) -> None:
    conn.execute("UPDATE digests SET prompt_version = ? WHERE id = ?", (version, digest_id))


def latest_start_before(conn: apsw.Connection, level: str, day: str) -> str | None:
    row = conn.execute("SELECT max(period_start) FROM digests WHERE level = ? AND period_start < ?",
                       (level, day)).fetchall()
    return row[0][0]


def by_ids(conn: apsw.Connection, digest_ids: list[int]) -> list[dict]:
    if not digest_ids:
        return []
    import json

    return dicts(conn, f"SELECT {_ALL} FROM digests WHERE id IN (SELECT value FROM json_each(?)) "
                       "ORDER BY period_start", (json.dumps(digest_ids),))


def entry_days(conn: apsw.Connection, entry_ids: list[int]) -> dict[int, str]:
    """The day (ISO) of each of ``entry_ids`` that exists."""
    if not entry_ids:
        return {}
    import json

    return {r[0]: r[1] for r in conn.execute(
        "SELECT id, day FROM entries WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(entry_ids),))}
