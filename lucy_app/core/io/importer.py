"""What every importer shares: compare drafts with the journal, then write them at once.

A format module (``jsonl``, ``dayone``…) only turns a file into :class:`Draft` objects,
naming the file and line or entry in any error. :func:`plan` compares them with the
journal by uid (the source's own id, or a hash of the content when the source has none),
so a second import adds nothing. :func:`apply` writes the whole plan in one transaction:
a failure changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lucy_app.core import entries
from lucy_app.core.entries import Draft, Entry
from lucy_app.core.storage import entries as store
from lucy_app.core.storage.db import Database

Progress = Callable[[int, int], None]


@dataclass
class ImportPlan:
    add: list[Draft] = field(default_factory=list)
    update: list[tuple[int, Draft]] = field(default_factory=list)
    skip: list[Draft] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.add) + len(self.update) + len(self.skip)

    def summary(self) -> dict[str, int]:
        return {"added": len(self.add), "updated": len(self.update), "skipped": len(self.skip)}


def content_uid(draft: Draft) -> str:
    return "sha256:" + entries.content_hash(draft.day, draft.title, draft.body)


def plan(db: Database, drafts: list[Draft]) -> ImportPlan:
    result = ImportPlan()
    with db.read() as conn:
        existing = store.uids(conn)
    for draft in drafts:
        if draft.uid is None:
            draft = _with_uid(draft, content_uid(draft))
        row = existing.get(draft.uid)
        if row is None:
            result.add.append(draft)
            continue
        old = Entry.from_row(row)
        if draft.same_content(old) and not old.in_trash:
            result.skip.append(draft)
        else:
            result.update.append((old.id, draft))
    return result


def apply(db: Database, todo: ImportPlan, progress: Progress | None = None) -> dict[str, int]:
    total = len(todo.add) + len(todo.update)
    done = 0
    with db.write():  # one transaction: all or nothing
        for draft in todo.add:
            entries.add_draft(db, draft)
            done += 1
            if progress and done % 50 == 0:
                progress(done, total)
        for entry_id, draft in todo.update:
            entries.replace_from_draft(db, entry_id, draft)
            done += 1
            if progress and done % 50 == 0:
                progress(done, total)
    if progress:
        progress(total, total)
    return todo.summary()


def _with_uid(draft: Draft, uid: str) -> Draft:
    from dataclasses import replace

    return replace(draft, uid=uid)
