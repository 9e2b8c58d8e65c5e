"""SQL for checking and describing the journal file."""

from __future__ import annotations

import apsw

from lucy_app.core.storage.rows import column, scalar


def versions(conn: apsw.Connection) -> dict[str, str]:
    return {
        "sqlite": scalar(conn, "SELECT sqlite_version()"),
        "sqlite_vec": scalar(conn, "SELECT vec_version()"),
        "apsw": apsw.apswversion(),
    }


def integrity_problems(conn: apsw.Connection, *, quick: bool = False) -> list[str]:
    """What ``PRAGMA integrity_check`` reports, or [] when the file is sound."""
    found = column(conn, "PRAGMA quick_check" if quick else "PRAGMA integrity_check")
    return [] if found == ["ok"] else found


def journal_mode(conn: apsw.Connection) -> str:
    return scalar(conn, "PRAGMA journal_mode")


def synchronous(conn: apsw.Connection) -> int:
    return scalar(conn, "PRAGMA synchronous")


def vacuum_into(conn: apsw.Connection, target_uri: str) -> None:
    """A compact copy of the database at ``target_uri`` (a file: URI; ``key=`` sets its
    encryption: empty for a plain copy, a passphrase for an encrypted one)."""
    conn.execute("VACUUM INTO ?", (target_uri,))


def checkpoint(conn: apsw.Connection) -> None:
    """Move everything from the WAL into the main file and empty the WAL."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
