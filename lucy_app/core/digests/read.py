"""Reading digests for people: one period's digest with its citations resolved, and status."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lucy_app.core import clock, errors
from lucy_app.core import entries as entries_mod
from lucy_app.core.digests import scheduler
from lucy_app.core.digests.model import Digest
from lucy_app.core.entries import Entry
from lucy_app.core.periods import LEVELS, period_of
from lucy_app.core.settings import Settings
from lucy_app.core.storage import digests as store
from lucy_app.core.storage.db import Database


@dataclass(frozen=True)
class Resolved:
    digest: Digest
    sources: dict[int, Entry]   # every cited entry, by id
    children: list[Digest]      # the digests it was written from


def stale_keys(db: Database, today: date, settings: Settings) -> set[tuple[str, date]]:
    plan = scheduler.survey(db, today, settings)
    return {k for k, s in plan.statuses.items() if s.state == "stale"}


def get(db: Database, level: str, day: date, settings: Settings, *, today: date | None = None) -> Resolved:
    """The digest of the ``level`` period containing ``day``, with its sources."""
    if level not in LEVELS:
        raise errors.InvalidInput(f"Unknown level {level!r}", hint="one of: " + ", ".join(LEVELS))
    period = period_of(level, day, hemisphere=settings.hemisphere, week_start=settings.week_start)
    with db.read() as conn:
        row = store.get(conn, level, period.start.isoformat())
        children = [Digest.from_row(r, hemisphere=settings.hemisphere)
                    for r in store.by_ids(conn, _ids(row))] if row else []
    if row is None:
        raise errors.NotFound(
            f"No {level} digest for {period.label}",
            hint="nothing was written then, or run `lucy digest run` to write missing digests",
        )
    stale = (level, period.start) in stale_keys(db, today or clock.today(), settings)
    digest = Digest.from_row(row, stale=stale, hemisphere=settings.hemisphere)
    cited = sorted({i for b in digest.bullets for i in b.entry_ids})
    return Resolved(digest, entries_mod.get_many(db, cited), children)


def _ids(row: dict | None) -> list[int]:
    import json

    return json.loads(row["child_ids"]) if row else []


def status(db: Database, today: date, settings: Settings) -> dict[str, dict[str, int]]:
    return scheduler.survey(db, today, settings).counts()


def by_id(db: Database, digest_id: int, *, hemisphere: str = "north") -> Digest:
    with db.read() as conn:
        row = store.get_by_id(conn, digest_id)
    if row is None:
        raise errors.NotFound(f"No digest with id {digest_id}")
    return Digest.from_row(row, hemisphere=hemisphere)


def in_range(db: Database, level: str | None, start: date, end: date, *, overlapping: bool = True,
             hemisphere: str = "north") -> list[Digest]:
    with db.read() as conn:
        rows = store.in_range(conn, level, start.isoformat(), end.isoformat(), overlapping=overlapping)
    return [Digest.from_row(r, hemisphere=hemisphere) for r in rows]
