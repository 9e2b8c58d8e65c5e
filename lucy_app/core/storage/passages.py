"""SQL for passages, their full-text index, their vectors and the chosen model files.

``passages`` and ``passages_fts`` come from migration m003 (``model_files``, m004, is
``storage/models.py``'s). The vectors live in a sqlite-vec
``vec0`` table, ``passage_vectors``, created here for the embedding model's dimension (and
recreated when it changes) together with the trigger that removes a passage's vector when
the passage goes. Its metadata columns (day, day_end, digest, model) let a KNN query filter
by date, kind and embedding model inside sqlite-vec.

Every function takes a connection inside a transaction opened by ``Database.write`` or
``read``; none opens its own.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterable, Sequence
from typing import Any

import apsw

from lucy_app.core.storage.rows import column, dicts, one, scalar

VECTOR_TABLE = "passage_vectors"
_FAR_PAST, _FAR_FUTURE = "0000-00-00", "9999-99-99"


def pack(vector: Sequence[float]) -> bytes:
    """A vector as sqlite-vec's float32 blob."""
    return struct.pack(f"{len(vector)}f", *vector)


def unpack(blob: bytes) -> list[float]:
    return list(struct.unpack(f"{len(blob) // 4}f", blob))


# --- the vector table ------------------------------------------------------------------


def vector_dim(conn: apsw.Connection) -> int | None:
    """The dimension of ``passage_vectors``, or None when there is no such table."""
    sql = scalar(conn, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (VECTOR_TABLE,))
    if not sql:
        return None
    m = re.search(r"float\[(\d+)\]", sql)
    return int(m.group(1)) if m else None


def create_vector_table(conn: apsw.Connection, dim: int) -> None:
    """(Re)create ``passage_vectors`` for ``dim``-dimensional vectors.

    Any old table goes, and every passage is marked unembedded, in the caller's transaction.
    """
    if not isinstance(dim, int) or not 1 <= dim <= 8192:
        raise ValueError(f"invalid embedding dimension {dim!r}")
    conn.execute("DROP TRIGGER IF EXISTS passages_vectors_delete")
    conn.execute(f"DROP TABLE IF EXISTS {VECTOR_TABLE}")
    conn.execute(
        f"""
        CREATE VIRTUAL TABLE {VECTOR_TABLE} USING vec0(
            passage_id INTEGER PRIMARY KEY,
            embedding  float[{dim}] distance_metric=cosine,
            day        TEXT,
            day_end    TEXT,
            digest     INTEGER,
            model      TEXT
        )
        """
    )
    conn.execute(
        f"""
        CREATE TRIGGER passages_vectors_delete AFTER DELETE ON passages BEGIN
            DELETE FROM {VECTOR_TABLE} WHERE passage_id = old.id;
        END
        """
    )
    conn.execute("UPDATE passages SET vector_model = NULL WHERE vector_model IS NOT NULL")


def vector_count(conn: apsw.Connection) -> int:
    if vector_dim(conn) is None:
        return 0
    return scalar(conn, f"SELECT count(*) FROM {VECTOR_TABLE}")


def vectors_of(conn: apsw.Connection, passage_ids: Iterable[int]) -> dict[int, list[float]]:
    if vector_dim(conn) is None:
        return {}
    rows = conn.execute(
        f"SELECT passage_id, embedding FROM {VECTOR_TABLE} "
        "WHERE passage_id IN (SELECT value FROM json_each(?))", (json.dumps(list(passage_ids)),))
    return {pid: unpack(blob) for pid, blob in rows}


def store_vectors(conn: apsw.Connection, model: str, rows: Iterable[tuple[int, str, Sequence[float]]]) -> int:
    """Save (passage id, text hash, vector) triples embedded by ``model``.

    A passage that was removed or changed since it was read is skipped (it is redone by
    the next pass). Returns how many were stored.
    """
    stored = 0
    for passage_id, digest, vector in rows:
        p = one(conn, "SELECT day, day_end, digest_id FROM passages WHERE id = ? AND hash = ?",
                (passage_id, digest))
        if p is None:
            continue
        conn.execute(f"DELETE FROM {VECTOR_TABLE} WHERE passage_id = ?", (passage_id,))
        conn.execute(
            f"INSERT INTO {VECTOR_TABLE}(passage_id, embedding, day, day_end, digest, model) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (passage_id, pack(vector), p["day"], p["day_end"], int(p["digest_id"] is not None), model),
        )
        conn.execute("UPDATE passages SET vector_model = ? WHERE id = ?", (model, passage_id))
        stored += 1
    return stored


# --- what needs work -------------------------------------------------------------------

_STALE_ENTRIES = """
    FROM entries e LEFT JOIN entry_index ei ON ei.entry_id = e.id
    WHERE (e.deleted_at IS NULL AND (ei.seq IS NULL OR ei.seq != e.seq))
       OR (e.deleted_at IS NOT NULL AND (ei.entry_id IS NOT NULL
           OR EXISTS (SELECT 1 FROM passages p WHERE p.entry_id = e.id)))
"""


def entries_to_index(conn: apsw.Connection, limit: int) -> list[dict]:
    """Entries whose passages are missing or stale (live) or must go (trashed), by id."""
    return dicts(conn, f"SELECT e.id, e.day, e.title, e.body, e.seq, e.deleted_at {_STALE_ENTRIES} "
                       "ORDER BY e.id LIMIT ?", (limit,))


def count_entries_to_index(conn: apsw.Connection) -> int:
    return scalar(conn, f"SELECT count(*) {_STALE_ENTRIES}")


_UNCUT_DIGESTS = "FROM digests d WHERE NOT EXISTS (SELECT 1 FROM passages p WHERE p.digest_id = d.id)"


def digests_to_index(conn: apsw.Connection, limit: int, *, after: int = 0) -> list[dict]:
    """Digests without passages (new, or rewritten: ``storage.digests.upsert`` drops them),
    by id, from ids above ``after``."""
    return dicts(conn, f"SELECT d.id, d.period_start, d.period_end, d.text {_UNCUT_DIGESTS} "
                       "AND d.id > ? ORDER BY d.id LIMIT ?", (after, limit))


def count_digests_to_index(conn: apsw.Connection) -> int:
    return scalar(conn, f"SELECT count(*) {_UNCUT_DIGESTS}")


def passages_to_embed(conn: apsw.Connection, model: str, limit: int) -> list[dict]:
    """Passages not embedded by ``model`` (newest days first: what people search most)."""
    return dicts(conn, "SELECT id, hash, text FROM passages "
                       "WHERE vector_model IS NULL OR vector_model != ? "
                       "ORDER BY day DESC, id LIMIT ?", (model, limit))


def count_to_embed(conn: apsw.Connection, model: str) -> int:
    return scalar(conn, "SELECT count(*) FROM passages WHERE vector_model IS NULL OR vector_model != ?",
                  (model,))


# --- writing passages ------------------------------------------------------------------


def replace_passages(conn: apsw.Connection, *, entry_id: int | None = None, digest_id: int | None = None,
                     day: str, day_end: str, passages: Iterable[Any]) -> tuple[int, int]:
    """Make the passages of one entry or digest exactly ``passages``.

    ``passages`` have ``ord, start, end, text, hash``. An old passage with the same text
    is kept (moved to its new place), so its vector is not computed again. Returns
    (passages now, passages kept).
    """
    if (entry_id is None) == (digest_id is None):
        raise ValueError("one of entry_id and digest_id")
    owner, owner_id = ("entry_id", entry_id) if entry_id is not None else ("digest_id", digest_id)
    old: dict[str, list[int]] = {}
    for pid, h in conn.execute(f"SELECT id, hash FROM passages WHERE {owner} = ? ORDER BY id", (owner_id,)):
        old.setdefault(h, []).append(pid)
    has_vectors = vector_dim(conn) is not None
    kept, new_ids = 0, []
    for p in passages:
        reuse = old.get(p.hash)
        if reuse:
            pid = reuse.pop(0)
            conn.execute("UPDATE passages SET ord = ?, start = ?, end = ?, day = ?, day_end = ? WHERE id = ?",
                         (p.ord, p.start, p.end, day, day_end, pid))
            if has_vectors:
                conn.execute(f"UPDATE {VECTOR_TABLE} SET day = ?, day_end = ? WHERE passage_id = ? "
                             "AND (day != ? OR day_end != ?)", (day, day_end, pid, day, day_end))
            kept += 1
        else:
            conn.execute(
                f"INSERT INTO passages({owner}, day, day_end, ord, start, end, text, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (owner_id, day, day_end, p.ord, p.start, p.end, p.text, p.hash))
            new_ids.append(conn.last_insert_rowid())
    for ids in old.values():
        for pid in ids:
            conn.execute("DELETE FROM passages WHERE id = ?", (pid,))
    return kept + len(new_ids), kept


def set_entry_indexed(conn: apsw.Connection, entry_id: int, seq: int) -> None:
    conn.execute("INSERT INTO entry_index(entry_id, seq) VALUES (?, ?) "
                 "ON CONFLICT(entry_id) DO UPDATE SET seq = excluded.seq", (entry_id, seq))


def drop_entry(conn: apsw.Connection, entry_id: int) -> int:
    """Remove a (trashed) entry's passages, vectors and index mark; returns passages removed."""
    n = scalar(conn, "SELECT count(*) FROM passages WHERE entry_id = ?", (entry_id,))
    conn.execute("DELETE FROM passages WHERE entry_id = ?", (entry_id,))
    conn.execute("DELETE FROM entry_index WHERE entry_id = ?", (entry_id,))
    return n


def forget_cuts(conn: apsw.Connection) -> None:
    """Mark every entry and digest as needing new passages (old ones stay until replaced,
    so unchanged passages keep their vectors)."""
    conn.execute("DELETE FROM entry_index")
    conn.execute("DELETE FROM passages WHERE digest_id IS NOT NULL")


# --- reading -------------------------------------------------------------------------

# A passage counts when its entry is live and was cut from the entry's current version
# (so its offsets are right), or when it belongs to a digest.
_CURRENT = """
    LEFT JOIN entries e ON e.id = p.entry_id
    LEFT JOIN entry_index ei ON ei.entry_id = p.entry_id
    WHERE (p.digest_id IS NOT NULL OR (e.deleted_at IS NULL AND ei.seq = e.seq))
      AND (:digests OR p.entry_id IS NOT NULL)
      AND p.day <= coalesce(:end, '9999-99-99') AND p.day_end >= coalesce(:start, '0000-00-00')
"""

_PASSAGE_COLUMNS = "p.id, p.entry_id, p.digest_id, p.day, p.day_end, p.ord, p.start, p.end, p.text"


def fts_passages(conn: apsw.Connection, match: str, *, start: str | None = None, end: str | None = None,
                 digests: bool = False, limit: int = 100) -> list[dict]:
    """Passages matching an FTS5 query, best BM25 first (``score``: bm25, lower is better)."""
    return dicts(
        conn,
        f"""
        SELECT {_PASSAGE_COLUMNS}, bm25(passages_fts) AS score
        FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid
        {_CURRENT} AND passages_fts MATCH :match
        ORDER BY score LIMIT :limit
        """,
        {"match": match, "start": start, "end": end, "digests": int(digests), "limit": limit},
    )


def knn_passages(conn: apsw.Connection, vector: Sequence[float], model: str, *, k: int,
                 start: str | None = None, end: str | None = None, digests: bool = False) -> list[dict]:
    """The ``k`` passages nearest to ``vector`` among those embedded by ``model`` in the
    date range (``distance``: cosine distance, lower is nearer)."""
    if vector_dim(conn) != len(vector):
        return []
    digest_filter = "" if digests else "AND v.digest = 0"
    return dicts(
        conn,
        f"""
        WITH near AS (
            SELECT v.passage_id, v.distance FROM {VECTOR_TABLE} v
            WHERE v.embedding MATCH :vector AND k = :k AND v.model = :model
              AND v.day <= :end AND v.day_end >= :start {digest_filter}
        )
        SELECT {_PASSAGE_COLUMNS}, near.distance AS distance
        FROM near JOIN passages p ON p.id = near.passage_id
        {_CURRENT}
        ORDER BY near.distance
        """,
        {"vector": pack(vector), "k": min(max(1, k), 4096), "model": model,
         "start": start or _FAR_PAST, "end": end or _FAR_FUTURE, "digests": int(digests)},
    )


def distances(conn: apsw.Connection, vector: Sequence[float], passage_ids: Iterable[int],
              model: str) -> dict[int, float]:
    """Cosine distance from ``vector`` to each given passage embedded by ``model``."""
    ids = [int(i) for i in passage_ids]
    if not ids or vector_dim(conn) != len(vector):
        return {}
    # A list of placeholders, and the model compared here: sqlite-vec then looks the rowids
    # up one by one (4.5 ms for 300 ids among 7,000 vectors; 19 ms with json_each, 10 ms
    # with the model in the WHERE clause).
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT passage_id, vec_distance_cosine(embedding, ?), model FROM {VECTOR_TABLE} "
        f"WHERE passage_id IN ({marks})", (pack(vector), *ids))
    return {pid: d for pid, d, m in rows if m == model}


def embedded_passages_of(conn: apsw.Connection, model: str, *, entry_ids: Iterable[int] = (),
                         digest_ids: Iterable[int] = ()) -> list[tuple[int, int | None, int | None]]:
    """(passage id, entry id, digest id) of the passages of the given entries and digests
    that ``model`` embedded."""
    entries, digests = [int(i) for i in entry_ids], [int(i) for i in digest_ids]
    if not entries and not digests:
        return []
    # "+vector_model": look the owners up by their own indexes, not every embedded passage
    return [tuple(r) for r in conn.execute(
        """
        SELECT id, entry_id, digest_id FROM passages
        WHERE entry_id IS NOT NULL AND entry_id IN (SELECT value FROM json_each(:entries))
          AND +vector_model = :model
        UNION ALL
        SELECT id, entry_id, digest_id FROM passages
        WHERE digest_id IS NOT NULL AND digest_id IN (SELECT value FROM json_each(:digests))
          AND +vector_model = :model
        """,
        {"model": model, "entries": json.dumps(entries), "digests": json.dumps(digests)})]


def passages_of(conn: apsw.Connection, *, entry_id: int | None = None,
                digest_id: int | None = None) -> list[dict]:
    """Every stored passage of one entry or digest (current or not), in order."""
    owner, owner_id = ("entry_id", entry_id) if entry_id is not None else ("digest_id", digest_id)
    return dicts(conn, f"SELECT id, entry_id, digest_id, day, day_end, ord, start, end, text, hash, "
                       f"vector_model FROM passages WHERE {owner} = ? ORDER BY ord", (owner_id,))


def passage_count(conn: apsw.Connection) -> int:
    return scalar(conn, "SELECT count(*) FROM passages")


def fts_passage_ids(conn: apsw.Connection, match: str) -> list[int]:
    return column(conn, "SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rowid", (match,))


def passages_fts_integrity(conn: apsw.Connection) -> None:
    """Raises if the passages' full-text index disagrees with the passages."""
    conn.execute("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")



def entry_bm25(conn: apsw.Connection, match: str, *, start: str | None = None, end: str | None = None,
               limit: int = 200) -> list[tuple[int, str, float]]:
    """(entry id, day, bm25) of live entries matching an FTS5 query, best first (lower is
    better); title and tags weigh as in keyword search."""
    return conn.execute(
        """
        SELECT e.id, e.day, bm25(entries_fts, 4.0, 1.0, 3.0) AS score
        FROM entries_fts JOIN entries e ON e.id = entries_fts.rowid
        WHERE entries_fts MATCH :match
          AND e.day >= coalesce(:start, '0000-00-00') AND e.day <= coalesce(:end, '9999-99-99')
        ORDER BY score LIMIT :limit
        """,
        {"match": match, "start": start, "end": end, "limit": limit},
    ).fetchall()


def entry_heads(conn: apsw.Connection, entry_ids: Iterable[int]) -> dict[int, dict]:
    """Day, title, tags and body of the given entries."""
    rows = dicts(conn, "SELECT id, day, title, tags, body FROM entries "
                       "WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(list(entry_ids)),))
    return {r["id"]: r for r in rows}


def digest_heads(conn: apsw.Connection, digest_ids: Iterable[int]) -> dict[int, dict]:
    """Level, period and cited entries of the given digests."""
    rows = dicts(conn, "SELECT id, level, period_start, period_end, entry_ids FROM digests "
                       "WHERE id IN (SELECT value FROM json_each(?))", (json.dumps(list(digest_ids)),))
    return {r["id"]: r for r in rows}


def entry_days(conn: apsw.Connection, start: str, end: str, *, inner: tuple[str, str] | None = None,
               limit: int = 1000) -> list[tuple[int, str]]:
    """(id, day) of live entries from ``start`` to ``end`` (inclusive): those inside ``inner``
    (a range within) first, then the nearer the sooner."""
    lo, hi = inner or (start, end)
    return conn.execute(
        """
        SELECT id, day FROM entries WHERE deleted_at IS NULL AND day BETWEEN :start AND :end
        ORDER BY CASE WHEN day < :lo THEN julianday(:lo) - julianday(day)
                      WHEN day > :hi THEN julianday(day) - julianday(:hi) ELSE 0 END, day, id
        LIMIT :limit
        """,
        {"start": start, "end": end, "lo": lo, "hi": hi, "limit": limit}).fetchall()
