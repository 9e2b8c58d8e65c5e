"""Lucy's simple interchange format: JSON Lines, one entry per line.

Each line is an object with ``date`` (ISO date, or datetime whose local date is the day),
``body``, and optionally ``title``, ``tags`` (a list, or a comma-separated string),
``mood`` (1–5 or a name), ``starred``, ``created_at``/``updated_at`` and ``id`` (kept as
the entry's uid, so importing the same file again adds nothing). ``lucy export jsonl``
writes the same format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO

from lucy_app.core import errors
from lucy_app.core.entries import Draft, Entry, parse_day
from lucy_app.core.io import atomic, sources
from lucy_app.core.storage.open_journals import refuse_open_journal

KNOWN_KEYS = {"date", "body", "title", "tags", "mood", "starred", "id", "created_at", "updated_at"}


def read(path: Path) -> list[Draft]:
    """Parse a whole JSONL file; any bad line raises ImportFailed naming the line."""
    raw = sources.read_bytes(path, limit=sources.MAX_TOTAL_BYTES)
    drafts = []
    seen: dict[str, int] = {}
    for number, line in enumerate(raw.split(b"\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise errors.ImportFailed(f"{where}: not valid UTF-8 (byte {exc.start + 1})") from None
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise errors.ImportFailed(f"{where}: not valid JSON ({exc.msg}, column {exc.colno})") from None
        draft = draft_from_object(obj, where)
        if draft.uid is not None:
            if draft.uid in seen:
                raise errors.ImportFailed(f"{where}: id {draft.uid!r} already used on line {seen[draft.uid]}")
            seen[draft.uid] = number
        drafts.append(draft)
    return drafts


def draft_from_object(obj: object, where: str) -> Draft:
    if not isinstance(obj, dict):
        raise errors.ImportFailed(f"{where}: expected a JSON object, got {type(obj).__name__}")
    if "date" not in obj:
        raise errors.ImportFailed(f"{where}: missing \"date\"")
    try:
        stamp = _datetime_or_none(obj["date"])
        created = _datetime_or_none(obj.get("created_at")) or stamp
        updated = _datetime_or_none(obj.get("updated_at"))
        uid = obj.get("id")
        if uid is not None and not isinstance(uid, (str, int)) or isinstance(uid, bool):
            raise errors.InvalidInput(f"invalid id {uid!r}")
        tags = obj.get("tags")
        if tags is not None and not isinstance(tags, (list, str)):
            raise errors.InvalidInput("\"tags\" must be a list of strings")
        for key in ("title", "body"):
            if obj.get(key) is not None and not isinstance(obj[key], str):
                raise errors.InvalidInput(f"\"{key}\" must be a string")
        extra = {k: v for k, v in obj.items() if k not in KNOWN_KEYS}
        return Draft.make(
            obj.get("body") or "",
            day=parse_day(obj["date"]) if not isinstance(obj["date"], (int, float)) else _bad_date(obj["date"]),
            title=obj.get("title"),
            tags=tags,
            mood=obj.get("mood"),
            starred=bool(obj.get("starred", False)),
            created_at=created,
            updated_at=updated,
            uid=str(uid) if uid is not None else None,
            source="jsonl",
            metadata=extra,
        )
    except errors.LucyError as exc:
        raise errors.ImportFailed(f"{where}: {exc.user_text()}") from None


def _bad_date(value: object) -> None:
    raise errors.InvalidInput(f"Invalid date {value!r}", hint="use YYYY-MM-DD")


def _datetime_or_none(value: object) -> datetime | None:
    if not isinstance(value, str) or len(value.strip()) <= 10:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise errors.InvalidInput(f"Invalid date {value!r}", hint="use ISO 8601, e.g. 2024-03-05T08:30:00+01:00") from None
    return stamp if stamp.tzinfo else stamp.astimezone()


def as_object(entry: Entry) -> dict:
    obj = {
        "id": entry.uid,
        "date": entry.day.isoformat(),
        "title": entry.title,
        "body": entry.body,
        "tags": list(entry.tags),
        "mood": entry.mood,
        "starred": entry.starred,
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
    }
    for key, value in entry.metadata.items():
        obj.setdefault(key, value)
    return {k: v for k, v in obj.items() if v is not None}


def write_file(entries_: Iterable[Entry], path: Path) -> int:
    """Write the entries to the file ``path`` atomically (never onto the open journal)."""
    path = Path(path)
    refuse_open_journal(path, "a file to export to")
    with errors.writing(path), atomic.replacing(path) as f:
        return write(entries_, f)


def write(entries_: Iterable[Entry], out: IO[str]) -> int:
    n = 0
    for entry in entries_:
        out.write(json.dumps(as_object(entry), ensure_ascii=False) + "\n")
        n += 1
    return n
