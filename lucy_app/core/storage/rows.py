"""Small helpers to turn apsw cursors into plain Python values."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import apsw


def dicts(conn: apsw.Connection, sql: str, params: Iterable[Any] | dict = ()) -> list[dict]:
    cur = conn.execute(sql, params)
    try:
        names = [d[0] for d in cur.get_description()]
    except apsw.ExecutionCompleteError:
        return []
    return [dict(zip(names, row)) for row in cur]


def one(conn: apsw.Connection, sql: str, params: Iterable[Any] | dict = ()) -> dict | None:
    found = dicts(conn, sql, params)
    return found[0] if found else None


def scalar(conn: apsw.Connection, sql: str, params: Iterable[Any] | dict = ()) -> Any:
    for row in conn.execute(sql, params):
        return row[0]
    return None


def column(conn: apsw.Connection, sql: str, params: Iterable[Any] | dict = ()) -> list[Any]:
    return [row[0] for row in conn.execute(sql, params)]
