"""Benchmark: date expressions in questions (``../shared/bench/temporal/dev.jsonl`` format).

Each line is a JSON object ``{"ref": "YYYY-MM-DD", "text": "…", "start": "YYYY-MM-DD" | null,
"end": "YYYY-MM-DD" | null}``: ``ref`` is today, ``start``/``end`` the inclusive range the
question is about, both null when it names no time. A row is right when
:func:`lucy_app.core.temporal.parse_range` returns exactly that range (or None for a null row).
Blank lines are skipped.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from lucy_app.core.errors import InvalidInput
from lucy_app.core.temporal import parse_range

_KEYS = ("ref", "text", "start", "end")


def run(path: Path, *, hemisphere: str = "north", week_start: int = 0, date_order: str = "dmy") -> dict:
    """Score ``parse_range`` on the file at ``path``.

    Returns ``{"n", "correct", "accuracy", "failures": [{"text", "ref", "expected", "got"}]}``
    where ``expected``/``got`` are ``{"start": iso, "end": iso}`` or None. Raises InvalidInput
    (naming the line) for a missing or unreadable file, a line that is not a JSON object,
    missing keys or bad dates.
    """
    rows = _read(Path(path))
    failures = []
    for row in rows:
        got = parse_range(
            row["text"], row["ref"], hemisphere=hemisphere, week_start=week_start, date_order=date_order
        )
        got_json = {"start": got.start.isoformat(), "end": got.end.isoformat()} if got else None
        if got_json != row["expected"]:
            failures.append(
                {"text": row["text"], "ref": row["ref"].isoformat(), "expected": row["expected"], "got": got_json}
            )
    n = len(rows)
    correct = n - len(failures)
    return {"n": n, "correct": correct, "accuracy": correct / n, "failures": failures}


def _read(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {_reason(exc)}", hint="give a JSON Lines file") from None
    rows = [_row(path, number, line) for number, line in enumerate(lines, 1) if line.strip()]
    if not rows:
        raise InvalidInput(f"{path}: no rows", hint="give a JSON Lines file with one question per line")
    return rows


def _reason(exc: Exception) -> str:
    if isinstance(exc, FileNotFoundError):
        return "no such file"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror.lower()
    return type(exc).__name__


def _row(path: Path, number: int, line: str) -> dict[str, Any]:
    where = f"{path}, line {number}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(obj, dict):
        raise InvalidInput(f"{where}: not a JSON object")
    missing = [k for k in _KEYS if k not in obj]
    if missing:
        raise InvalidInput(f"{where}: missing {', '.join(missing)}", hint=f"each line needs {', '.join(_KEYS)}")
    if not isinstance(obj["text"], str):
        raise InvalidInput(f"{where}: text is not a string")
    ref = _date(where, "ref", obj["ref"])
    if ref is None:
        raise InvalidInput(f"{where}: ref is null", hint="ref is today's date, YYYY-MM-DD")
    start, end = _date(where, "start", obj["start"]), _date(where, "end", obj["end"])
    if (start is None) != (end is None):
        raise InvalidInput(f"{where}: start and end must both be dates or both null")
    if start is not None and end is not None and end < start:
        raise InvalidInput(f"{where}: end {end} is before start {start}")
    expected = {"start": start.isoformat(), "end": end.isoformat()} if start and end else None
    return {"text": obj["text"], "ref": ref, "expected": expected}


def _date(where: str, key: str, value: Any) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"{where}: {key} is not a date string", hint="use YYYY-MM-DD")
    try:
        if len(value) != 10:
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{where}: {key} {value!r} is not a date", hint="use YYYY-MM-DD") from None
