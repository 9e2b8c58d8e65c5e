"""What every importer shares: compare drafts with the journal, then write them at once.

A format module (``jsonl``, ``dayone``…) only turns a file into :class:`Draft` objects —
or :class:`Item` objects when entries bring files (attachments) or a trash state —
naming the file and line or entry in any error. :func:`plan` compares them with the
journal by uid (the source's own id, or a hash of the content when the source has none),
so a second import adds nothing. :func:`apply` writes the whole plan — entries, their
attachments and (for Lucy's own JSON export) digests — in one transaction: a failure
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from lucy_app.core import entries, errors
from lucy_app.core.attachments import sha256_hex
from lucy_app.core.entries import Draft, Entry
from lucy_app.core.storage import attachments as attachment_store
from lucy_app.core.storage import entries as store
from lucy_app.core.storage.db import Database

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Attachment:
    """A file an imported entry refers to as ``![…](attachment:<sha256>)``."""

    data: bytes
    mime: str
    name: str | None = None
    created_at: str | None = None  # ISO 8601; the import time when None

    @cached_property
    def sha256(self) -> str:
        """Hashed once, on first use (a frozen dataclass still has a ``__dict__`` to cache in)."""
        return sha256_hex(self.data)


@dataclass(frozen=True)
class Item:
    """One imported entry with what a :class:`Draft` cannot carry."""

    draft: Draft
    attachments: tuple[Attachment, ...] = ()
    #: ISO 8601 trash time (Lucy's own JSON export keeps trashed entries).
    trashed_at: str | None = None


@dataclass
class Batch:
    """What a format module read: entries, and notes on what it left out."""

    items: list[Item] = field(default_factory=list)
    #: One line each, e.g. "Journal.json: entry 12 (uuid …): empty, not imported".
    notes: list[str] = field(default_factory=list)
    #: Digest rows (Lucy's JSON export), entries named by uid; written by :func:`apply`.
    digests: list[dict] = field(default_factory=list)
    #: Files that belong to no entry (Lucy's JSON export).
    loose_attachments: list[Attachment] = field(default_factory=list)


@dataclass
class ImportPlan:
    add: list[Draft] = field(default_factory=list)
    update: list[tuple[int, Draft]] = field(default_factory=list)
    skip: list[Draft] = field(default_factory=list)
    #: uid → the files to store with that entry (only for added or updated entries).
    attachments: dict[str, tuple[Attachment, ...]] = field(default_factory=dict)
    #: uid → trash time, for entries that must end up in the trash.
    trashed: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    digests: list[dict] = field(default_factory=list)
    digests_skipped: int = 0
    loose_attachments: list[Attachment] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.add) + len(self.update) + len(self.skip)

    def summary(self) -> dict[str, int]:
        result = {"added": len(self.add), "updated": len(self.update), "skipped": len(self.skip)}
        n_files = sum(len(a) for a in self.attachments.values()) + len(self.loose_attachments)
        if n_files:
            result["attachments"] = n_files
        if self.digests or self.digests_skipped:
            result["digests"] = len(self.digests)
        return result


def content_uid(draft: Draft) -> str:
    return "sha256:" + entries.content_hash(draft.day, draft.title, draft.body)


def plan(db: Database, drafts: Batch | Iterable[Draft | Item]) -> ImportPlan:
    batch = drafts if isinstance(drafts, Batch) else Batch(
        items=[d if isinstance(d, Item) else Item(d) for d in drafts]
    )
    result = ImportPlan(notes=list(batch.notes))
    with db.read() as conn:
        existing = store.uids(conn)
        have_files = attachment_store.shas_by_entry(conn)
        have_loose = attachment_store.loose_shas(conn)
        from lucy_app.core.storage import exchange

        have_digests = exchange.digest_keys(conn)
    seen: set[str] = set()
    for item in batch.items:
        draft = item.draft
        generated = draft.uid is None
        if generated:
            draft = replace(draft, uid=content_uid(draft))
        if draft.uid in seen:
            if generated:  # the same text twice in one source: keep one
                result.skip.append(draft)
                continue
            raise errors.ImportFailed(f"Two entries share the id {draft.uid!r}")
        seen.add(draft.uid)
        if item.attachments:
            result.attachments[draft.uid] = item.attachments
        if item.trashed_at:
            result.trashed[draft.uid] = item.trashed_at
        row = existing.get(draft.uid)
        if row is None:
            result.add.append(draft)
            continue
        old = Entry.from_row(row)
        files_there = {a.sha256 for a in item.attachments} <= have_files.get(old.id, set())
        trash_same = old.in_trash == bool(item.trashed_at)
        if draft.same_content(old) and trash_same and files_there:
            result.skip.append(draft)
            result.attachments.pop(draft.uid, None)
            result.trashed.pop(draft.uid, None)
        else:
            result.update.append((old.id, draft))
    for digest in batch.digests:
        if (digest["level"], digest["period_start"]) in have_digests:
            result.digests_skipped += 1
        else:
            result.digests.append(digest)
    result.loose_attachments = [a for a in batch.loose_attachments if a.sha256 not in have_loose]
    return result


def apply(db: Database, todo: ImportPlan, progress: Progress | None = None) -> dict[str, int]:
    total = len(todo.add) + len(todo.update)
    done = 0
    at = entries.now().isoformat()
    with db.write() as conn:  # one transaction: all or nothing
        written: list[tuple[Entry, Draft]] = []
        for draft in todo.add:
            written.append((entries.add_draft(db, draft), draft))
            done += 1
            if progress and done % 50 == 0:
                progress(done, total)
        for entry_id, draft in todo.update:
            written.append((entries.replace_from_draft(db, entry_id, draft), draft))
            done += 1
            if progress and done % 50 == 0:
                progress(done, total)
        for entry, draft in written:
            for file in todo.attachments.get(draft.uid, ()):
                attachment_store.insert(conn, entry.id, file.sha256, file.name, file.mime, file.data,
                                        file.created_at or at)
            trashed_at = todo.trashed.get(draft.uid)
            if trashed_at and not entry.in_trash:
                store.set_trashed(conn, entry.id, entry.day.isoformat(), trashed_at, True)
        for file in todo.loose_attachments:
            attachment_store.insert(conn, None, file.sha256, file.name, file.mime, file.data,
                                    file.created_at or at)
        if todo.digests:
            from lucy_app.core.io import json_export

            file_uids = {d.uid for d in todo.add} | {d.uid for _, d in todo.update} | {d.uid for d in todo.skip}
            json_export.write_digests(conn, todo.digests, file_uids)
    if progress:
        progress(total, total)
    return todo.summary()
