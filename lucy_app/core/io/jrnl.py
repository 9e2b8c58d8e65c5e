"""jrnl (jrnl.sh): its plain-text journal file and its JSON export (``jrnl --export json``).

Plain text: each entry starts with a date line, ``[2024-03-05 09:00] Title`` (seconds and
AM/PM are accepted, as jrnl's ``%F %r`` writes them) or ``2024-03-05 09:00 Title`` without
brackets (older jrnl); the body is every following line up to the next date line. A title
ending in `` *`` is starred. ``@tags`` anywhere in the title or body become tags.

JSON: ``{"tags": {...}, "entries": [{"title", "body", "date": "2024-03-05",
"time": "09:00", "tags": ["@work"], "starred": false}]}``.

jrnl times have no time zone: they are taken in this computer's zone. An entry with a
title and no body keeps its text as the body. jrnl has no entry ids, so the uid is a hash
of the date, time, title and body: importing the same journal again adds nothing (an
edited entry comes in as a new one).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, time
from pathlib import Path

from lucy_app.core import errors
from lucy_app.core.entries import MAX_TAG_LENGTH, Draft, clean_body, clean_title
from lucy_app.core.io import sources
from lucy_app.core.io.importer import Batch, Item

SOURCE = "jrnl"
_DATE_LINE = re.compile(
    r"^(?:\[(?P<b>\d{4}-\d{2}-\d{2})[ T](?P<bt>\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(?P<bap>[AaPp][Mm]))?\]"
    r"|(?P<d>\d{4}-\d{2}-\d{2})[ T](?P<dt>\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(?P<dap>[AaPp][Mm]))?(?=\s|$))"
    r"[ \t]?(?P<rest>.*)$"
)
_TAG = re.compile(r"(?<![\w@])@(\w(?:[\w/-]*\w)?)")
_ENCRYPTED_HINT = "an encrypted jrnl journal cannot be read: decrypt it with `jrnl --decrypt` first"


def read(path: Path) -> Batch:
    """A jrnl journal: its JSON export, or its plain-text file."""
    path = Path(path)
    text = sources.decode(sources.read_bytes(path), str(path), hint=_ENCRYPTED_HINT)
    if text.lstrip().startswith("{"):
        return read_json(text, str(path))
    return read_text(text, str(path))


def read_text(text: str, where: str) -> Batch:
    batch = Batch()
    current: tuple[int, datetime, str, list[str]] | None = None
    seen: dict[str, int] = {}

    def finish() -> None:
        if current is None:
            return
        number, stamp, title_line, lines = current
        title, starred = _star(title_line)
        body = "\n".join(lines).strip("\n")
        _add(batch, seen, f"{where}:{number}", stamp, title, body, _tags(title + "\n" + body), starred)

    for number, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        match = _DATE_LINE.match(line)
        if match:
            finish()
            current = (number, _stamp(match, f"{where}:{number}"), match.group("rest"), [])
        elif current is not None:
            current[3].append(line)
        elif line.strip():
            raise errors.ImportFailed(
                f"{where}:{number}: expected an entry's date line, like [2024-03-05 09:00] Title",
                hint="is this a jrnl journal? (`jrnl --export json` also works)",
            )
    finish()
    if not batch.items and not batch.notes:
        raise errors.ImportFailed(f"{where}: no jrnl entries found")
    return batch


def read_json(text: str, where: str) -> Batch:
    doc = sources.parse_json(text, where)
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        raise errors.ImportFailed(f"{where}: not a jrnl JSON export (no \"entries\" list)")
    batch = Batch()
    seen: dict[str, int] = {}
    for number, raw in enumerate(doc["entries"], start=1):
        at = f"{where}: entry {number}"
        if not isinstance(raw, dict):
            raise errors.ImportFailed(f"{at}: expected an object, got {type(raw).__name__}")
        for key in ("date", "time", "title", "body"):
            if raw.get(key) is not None and not isinstance(raw[key], str):
                raise errors.ImportFailed(f"{at}: \"{key}\" must be a string")
        if not raw.get("date"):
            raise errors.ImportFailed(f"{at}: missing \"date\"")
        stamp = _parse_stamp(raw["date"], raw.get("time") or "00:00", None, at)
        tags = raw.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise errors.ImportFailed(f"{at}: \"tags\" must be a list of strings")
        starred = raw.get("starred", False)
        if not isinstance(starred, bool):
            raise errors.ImportFailed(f"{at}: \"starred\" must be true or false")
        title, body = raw.get("title") or "", (raw.get("body") or "").strip("\n")
        _add(batch, seen, at, stamp, title, body, [t.lstrip("@#") for t in tags], starred)
    return batch


def _add(batch: Batch, seen: dict, where: str, stamp: datetime, title: str, body: str, tags, starred: bool):
    try:
        title = clean_title(title)
        if not body.strip():
            title, body = None, title or ""
        if not body.strip():
            batch.notes.append(f"{where}: empty, not imported")
            return
        uid = "jrnl:" + _hash(stamp, title, clean_body(body))
        if uid in seen:  # the very same entry twice: one is enough
            batch.notes.append(f"{where}: the same as the entry at {seen[uid]}, imported once")
            return
        seen[uid] = where
        draft = Draft.make(body, day=stamp.date(), title=title, tags=tags, starred=starred,
                           created_at=stamp, uid=uid, source=SOURCE)
    except errors.LucyError as exc:
        raise errors.ImportFailed(f"{where}: {exc.user_text()}") from None
    batch.items.append(Item(draft))


def _hash(stamp: datetime, title: str | None, body: str) -> str:
    key = f"{stamp.strftime('%Y-%m-%d %H:%M')}\x1f{title or ''}\x1f{body}"
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _stamp(match: re.Match, where: str) -> datetime:
    if match.group("b"):
        return _parse_stamp(match.group("b"), match.group("bt"), match.group("bap"), where)
    return _parse_stamp(match.group("d"), match.group("dt"), match.group("dap"), where)


def _parse_stamp(day_text: str, time_text: str, ampm: str | None, where: str) -> datetime:
    try:
        day = date.fromisoformat(day_text.strip())
        parts = [int(p) for p in time_text.strip().split(":")]
        if len(parts) not in (2, 3):
            raise ValueError
        hour = parts[0]
        if ampm:
            if ampm.lower() == "pm" and 12 < hour <= 23:
                pass  # "21:15 PM": a 24-hour time with a redundant PM
            elif not 1 <= hour <= 12:
                raise ValueError
            else:
                hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
        moment = time(hour, parts[1], parts[2] if len(parts) == 3 else 0)
    except ValueError:
        raise errors.ImportFailed(f"{where}: invalid date or time {day_text} {time_text}{' ' + ampm if ampm else ''}",
                                  hint="jrnl dates look like 2024-03-05 09:00") from None
    try:
        return datetime.combine(day, moment).astimezone()
    except (OverflowError, OSError, ValueError):
        raise errors.ImportFailed(f"{where}: date out of range: {day_text}") from None


def _star(title: str) -> tuple[str, bool]:
    stripped = title.rstrip()
    if stripped == "*" or stripped.endswith(" *"):
        return stripped[:-1].rstrip(), True
    return title, False


def _tags(text: str) -> list[str]:
    """Inline ``@tags`` (implausibly long ones are left as text)."""
    return [m.group(1) for m in _TAG.finditer(text) if len(m.group(1)) <= MAX_TAG_LENGTH]
