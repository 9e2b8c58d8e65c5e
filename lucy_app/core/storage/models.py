"""SQL for the model files chosen for a journal (``model_files``, migration m004).

One row per role ("chat", "embedding"): the file's path, sha256, size, name, embedding
dimension and when it was chosen (or last verified unchanged). :mod:`lucy_app.core.model_files`
decides what goes in; every function takes a connection inside ``Database.write``/``read``.
"""

from __future__ import annotations

from typing import Any

import apsw

from lucy_app.core.storage.rows import one

_COLUMNS = "role, path, sha256, size, name, dim, selected_at"


def get(conn: apsw.Connection, role: str) -> dict | None:
    return one(conn, f"SELECT {_COLUMNS} FROM model_files WHERE role = ?", (role,))


def record(conn: apsw.Connection, row: dict[str, Any]) -> None:
    """Remember the file chosen for ``row['role']``, replacing what was there."""
    conn.execute(
        """
        INSERT INTO model_files(role, path, sha256, size, name, dim, selected_at)
        VALUES (:role, :path, :sha256, :size, :name, :dim, :selected_at)
        ON CONFLICT(role) DO UPDATE SET path = excluded.path, sha256 = excluded.sha256,
            size = excluded.size, name = excluded.name, dim = excluded.dim,
            selected_at = excluded.selected_at
        """,
        row,
    )


def mark_verified(conn: apsw.Connection, role: str, at: str) -> None:
    """The recorded file was hashed again and is unchanged as of ``at``."""
    conn.execute("UPDATE model_files SET selected_at = ? WHERE role = ?", (at, role))
