"""Diary entries: what one is, how it is checked, and how it is written.

An entry belongs to a local day (several per day are fine), has created/updated
timestamps with their UTC offset, an optional title, a Markdown body, tags and an
optional mood (1–5). Deleting moves it to the trash, which can be restored or emptied.
Every write is logged in the change log so indexing and digests know what to redo.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lucy_app.core import clock, errors
from lucy_app.core.storage import entries as store
from lucy_app.core.storage.db import Database
from lucy_app.core.text import word_count

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
MOODS = {1: "awful", 2: "bad", 3: "okay", 4: "good", 5: "great"}
MAX_TAG_LENGTH = 64


@dataclass(frozen=True)
class Entry:
    id: int
    uid: str
    day: date
    created_at: datetime
    updated_at: datetime
    title: str | None
    body: str
    tags: tuple[str, ...] = ()
    mood: int | None = None
    starred: bool = False
    source: str = "lucy"
    metadata: dict[str, Any] = field(default_factory=dict)
    deleted_at: datetime | None = None
    seq: int = 0

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    @property
    def words(self) -> int:
        return word_count(self.body)

    @property
    def display_title(self) -> str:
        """The title, or the start of the first line of the body."""
        if self.title:
            return self.title
        first = next((t for t in (_IMAGE.sub("", ln).strip("# ").strip() for ln in self.body.splitlines()) if t), "")
        return first[:60] + ("…" if len(first) > 60 else "") or "(untitled)"

    @classmethod
    def from_row(cls, row: dict) -> Entry:
        return cls(
            id=row["id"],
            uid=row["uid"],
            day=date.fromisoformat(row["day"]),
            created_at=datetime.fromisoformat(row["created_at"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
            title=row["title"],
            body=row["body"],
            tags=tuple(json.loads(row["tags"])),
            mood=row["mood"],
            starred=bool(row["starred"]),
            source=row["source"],
            metadata=json.loads(row["metadata"]),
            deleted_at=datetime.fromisoformat(row["deleted_at"]) if row["deleted_at"] else None,
            seq=row["seq"],
        )


# --- checking what the user gives -----------------------------------------------------


def now() -> datetime:
    """The current local time, with its UTC offset."""
    return clock.now().replace(microsecond=0)


def parse_day(text: str | date | datetime) -> date:
    """A day from ``YYYY-MM-DD`` (or a full ISO datetime, whose local date is taken)."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    raw = str(text).strip()
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        raise errors.InvalidInput(
            f"Invalid date {raw!r}", hint="use YYYY-MM-DD, e.g. 2024-03-05"
        ) from None


def normalize_tags(tags: Iterable[str] | str | None) -> tuple[str, ...]:
    """Tags as Lucy keeps them: lower case, no leading '#', spaces as '-', unique, sorted."""
    if tags is None:
        return ()
    if isinstance(tags, str):
        tags = re.split(r"[,\s]+", tags)
    out = set()
    for tag in tags:
        if not isinstance(tag, str):
            raise errors.InvalidInput(f"Invalid tag {tag!r}: tags are text")
        t = re.sub(r"\s+", "-", tag.strip().lstrip("#").strip()).lower()
        if not t:
            continue
        if len(t) > MAX_TAG_LENGTH:
            raise errors.InvalidInput(f"Tag too long ({len(t)} characters; at most {MAX_TAG_LENGTH})")
        out.add(t)
    return tuple(sorted(out))


def parse_mood(value: int | str | None) -> int | None:
    """A mood from 1–5 or its name (awful, bad, okay, good, great)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        v = value.strip().lower()
        for number, name in MOODS.items():
            if v == name:
                return number
        if not v.isdigit():
            raise errors.InvalidInput(
                f"Invalid mood {value!r}", hint="use 1–5 or one of: " + ", ".join(MOODS.values())
            )
        value = int(v)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise errors.InvalidInput(f"Invalid mood {value!r}", hint="use a number from 1 to 5")
    return value


def valid_text(text: str) -> str:
    """``text`` with lone surrogates (undecodable bytes) replaced by U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_body(body: str | None) -> str:
    """The body as stored: newlines normalised, NUL bytes and trailing blanks removed.

    Refuses an empty body. Idempotent, so an exported entry re-imports unchanged.
    """
    if body is None or not isinstance(body, str):
        raise errors.InvalidInput("The entry has no text")
    text = valid_text(body).replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    if not text.strip():
        raise errors.InvalidInput("Nothing to save: the entry is empty")
    return text.rstrip()


def clean_title(title: str | None) -> str | None:
    if title is None:
        return None
    t = " ".join(valid_text(str(title)).replace("\x00", "").split())
    return t or None




def content_hash(day: date, title: str | None, body: str) -> str:
    h = hashlib.sha256()
    h.update(f"{day.isoformat()}\x1f{title or ''}\x1f{body}".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _row(day: date, created: datetime, updated: datetime, title, body, tags, mood, starred,
         metadata, uid: str, source: str) -> dict[str, Any]:
    return {
        "uid": uid,
        "day": day.isoformat(),
        "created_at": created.isoformat(),
        "updated_at": updated.isoformat(),
        "title": title,
        "body": body,
        "tags": json.dumps(list(tags)),
        "mood": mood,
        "starred": int(bool(starred)),
        "source": source,
        "metadata": json.dumps(metadata or {}, ensure_ascii=False, sort_keys=True),
    }


# --- writing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    """A checked entry that is not stored yet (what importers produce)."""

    day: date
    body: str
    title: str | None = None
    tags: tuple[str, ...] = ()
    mood: int | None = None
    starred: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    uid: str | None = None
    source: str = "lucy"
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, body: str, *, day: date | str | None = None, title: str | None = None,
             tags: Iterable[str] | str | None = None, mood: int | str | None = None,
             **kw: Any) -> Draft:
        return cls(
            day=parse_day(day) if day is not None else now().date(),
            body=clean_body(body),
            title=clean_title(title),
            tags=normalize_tags(tags),
            mood=parse_mood(mood),
            **kw,
        )

    def as_row(self, *, at: datetime) -> dict[str, Any]:
        created = self.created_at or at
        return _row(
            self.day, created, self.updated_at or created, self.title, self.body, self.tags,
            self.mood, self.starred, self.metadata, self.uid or uuid.uuid4().hex, self.source,
        )

    def same_content(self, entry: Entry) -> bool:
        return (
            self.day == entry.day and self.body == entry.body and self.title == entry.title
            and self.tags == entry.tags and self.mood == entry.mood
            and self.starred == entry.starred and self.metadata == entry.metadata
        )


def add(db: Database, body: str, *, day: date | str | None = None, title: str | None = None,
        tags: Iterable[str] | str | None = None, mood: int | str | None = None,
        starred: bool = False) -> Entry:
    """Write a new entry; returns it as stored."""
    draft = Draft.make(body, day=day, title=title, tags=tags, mood=mood, starred=starred)
    return add_draft(db, draft)


def add_draft(db: Database, draft: Draft) -> Entry:
    with db.write() as conn:
        entry_id, _ = store.insert(conn, draft.as_row(at=now()))
        return Entry.from_row(store.get(conn, entry_id))


_UNSET: Any = object()


def update(db: Database, entry_id: int, *, body: str = _UNSET, day: date | str = _UNSET,
           title: str | None = _UNSET, tags: Iterable[str] | str = _UNSET,
           mood: int | str | None = _UNSET, starred: bool = _UNSET,
           metadata: dict | None = _UNSET) -> Entry:
    """Change some fields of an entry. Returns the entry as stored (unchanged if identical)."""
    with db.write() as conn:
        old = _get_live(conn, entry_id)
        new_day = parse_day(day) if day is not _UNSET else old.day
        fields = {
            "body": clean_body(body) if body is not _UNSET else old.body,
            "title": clean_title(title) if title is not _UNSET else old.title,
            "tags": normalize_tags(tags) if tags is not _UNSET else old.tags,
            "mood": parse_mood(mood) if mood is not _UNSET else old.mood,
            "starred": bool(starred) if starred is not _UNSET else old.starred,
            "metadata": metadata if metadata is not _UNSET and metadata is not None else old.metadata,
        }
        if new_day == old.day and all(getattr(old, k) == v for k, v in fields.items()):
            return old
        row = _row(new_day, old.created_at, now(), fields["title"], fields["body"], fields["tags"],
                   fields["mood"], fields["starred"], fields["metadata"], old.uid, old.source)
        store.update(conn, entry_id, old.day.isoformat(), row)
        return Entry.from_row(store.get(conn, entry_id))


def replace_from_draft(db: Database, entry_id: int, draft: Draft) -> Entry:
    """Overwrite an entry with an imported version of it (same uid)."""
    with db.write() as conn:
        old = _get_any(conn, entry_id)
        row = draft.as_row(at=now())
        row["uid"] = old.uid
        store.update(conn, entry_id, old.day.isoformat(), row)
        if old.in_trash:
            store.set_trashed(conn, entry_id, draft.day.isoformat(), now().isoformat(), False)
        return Entry.from_row(store.get(conn, entry_id))


def trash(db: Database, entry_id: int) -> Entry:
    with db.write() as conn:
        entry = _get_live(conn, entry_id)
        store.set_trashed(conn, entry_id, entry.day.isoformat(), now().isoformat(), True)
        return Entry.from_row(store.get(conn, entry_id))


def restore(db: Database, entry_id: int) -> Entry:
    with db.write() as conn:
        entry = _get_any(conn, entry_id)
        if not entry.in_trash:
            raise errors.InvalidInput(f"Entry {entry_id} is not in the trash")
        store.set_trashed(conn, entry_id, entry.day.isoformat(), now().isoformat(), False)
        return Entry.from_row(store.get(conn, entry_id))


def empty_trash(db: Database, entry_ids: list[int] | None = None) -> int:
    """Delete trashed entries for good; returns how many."""
    with db.write() as conn:
        return store.purge_trashed(conn, now().isoformat(), entry_ids)


# --- reading ----------------------------------------------------------------------------


def get(db: Database, entry_id: int, *, include_trash: bool = True) -> Entry:
    with db.read() as conn:
        return _get_any(conn, entry_id) if include_trash else _get_live(conn, entry_id)


def get_many(db: Database, entry_ids: list[int]) -> dict[int, Entry]:
    with db.read() as conn:
        return {r["id"]: Entry.from_row(r) for r in store.get_many(conn, entry_ids)}


def list_entries(db: Database, *, start: date | None = None, end: date | None = None,
                 tag: str | None = None, trashed: bool = False, limit: int | None = None,
                 offset: int = 0, newest_first: bool = False) -> list[Entry]:
    if start and end and start > end:
        raise errors.InvalidInput(f"The range starts ({start}) after it ends ({end})")
    with db.read() as conn:
        rows = store.list_range(
            conn,
            start=start.isoformat() if start else None,
            end=end.isoformat() if end else None,
            tag=normalize_tags([tag])[0] if tag else None,
            trashed=trashed, limit=limit, offset=offset, newest_first=newest_first,
        )
    return [Entry.from_row(r) for r in rows]


def on_this_day(db: Database, d: date, *, years: int = 29) -> list[Entry]:
    """Live entries written on ``d``'s month and day in each of the ``years`` years before it,
    in one query: newest year first, each day in writing order. A 29 February looks back
    only at earlier leap years."""
    days = []
    for back in range(1, years + 1):
        try:
            days.append(d.replace(year=d.year - back).isoformat())
        except ValueError:  # no 29 February that year (or before year 1)
            continue
    with db.read() as conn:
        return [Entry.from_row(r) for r in store.on_days(conn, days)]


def count(db: Database, *, trashed: bool = False) -> int:
    with db.read() as conn:
        return store.count(conn, trashed=trashed)


def day_counts(db: Database, start: date | None = None, end: date | None = None) -> dict[date, int]:
    with db.read() as conn:
        raw = store.day_counts(conn, start.isoformat() if start else None,
                               end.isoformat() if end else None)
    return {date.fromisoformat(d): n for d, n in raw.items()}


def span(db: Database) -> tuple[date, date] | None:
    with db.read() as conn:
        first, last = store.span(conn)
    return (date.fromisoformat(first), date.fromisoformat(last)) if first else None


def all_tags(db: Database) -> list[tuple[str, int]]:
    with db.read() as conn:
        return store.all_tags(conn)


def _get_any(conn, entry_id: int) -> Entry:
    row = store.get(conn, entry_id)
    if row is None:
        raise errors.NotFound(f"No entry with id {entry_id}", hint="`lucy list` shows the ids")
    return Entry.from_row(row)


def _get_live(conn, entry_id: int) -> Entry:
    entry = _get_any(conn, entry_id)
    if entry.in_trash:
        raise errors.NotFound(
            f"Entry {entry_id} is in the trash", hint=f"restore it with `lucy trash restore {entry_id}`"
        )
    return entry
