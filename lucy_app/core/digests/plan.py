"""Which digests are missing, stale or fresh — computed from the database alone.

Nothing is queued: the plan is derived each time from the live entries (their ids and
change-log sequence numbers) and the stored digests' input hashes.

- A day's expected input is the (id, seq) of its live entries: any add, edit, move, trash
  or restore changes it, so the day digest is stale.
- A higher period is stale when any child period is stale or missing, or when the stored
  children differ from what it was written from: staleness climbs every level at once.
- A digest written while its period was still running is *partial*; once the period is
  over it is stale and gets rewritten.
- Digests whose period no longer has entries (or whose boundaries changed with the
  hemisphere or week-start setting) are orphans and are removed.

Jobs run bottom-up and most recent first: sorting by (period start descending, level
ascending) puts every child before its parent and yesterday before 2019.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from lucy_app.core.digests.extractive import PROMPT_VERSION as EXTRACTIVE_VERSION
from lucy_app.core.digests.model import CHILD_LEVEL
from lucy_app.core.periods import LEVELS, Period, period_of, shift

LEVEL_RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass
class Status:
    period: Period
    state: str                      # "missing" | "stale" | "fresh"
    partial: bool                   # the period is not over yet
    stored: dict | None             # the stored digest's metadata, if any
    children: list[Period] = field(default_factory=list)
    entry_versions: list[tuple[int, int]] = field(default_factory=list)  # days only

    @property
    def level(self) -> str:
        return self.period.level

    @property
    def key(self) -> tuple[str, date]:
        return (self.period.level, self.period.start)


@dataclass
class Plan:
    statuses: dict[tuple[str, date], Status]
    orphans: list[int]              # stored digest ids to remove

    def jobs(self, *, levels: set[str] | None = None, since: date | None = None) -> list[Status]:
        todo = [s for s in self.statuses.values() if s.state != "fresh"
                and (levels is None or s.level in levels)
                and (since is None or s.period.end >= since)]
        return sorted(todo, key=job_order)

    def counts(self) -> dict[str, dict[str, int]]:
        out = {level: {"missing": 0, "stale": 0, "fresh": 0, "partial": 0} for level in LEVELS}
        for s in self.statuses.values():
            out[s.level][s.state] += 1
            out[s.level]["partial"] += int(s.partial)
        return out


def job_order(s: Status) -> tuple:
    return (-s.period.start.toordinal(), LEVEL_RANK[s.level])


def rewrite_order(s: Status) -> tuple:
    """Which digest the model rewrites next: the one whose period ends latest, and of those
    the highest level — this year, this season, this month, this week, then the days,
    newest first (what the briefing shows gets better first; a slow model spends its time
    where it is read)."""
    return (-s.period.end.toordinal(), -LEVEL_RANK[s.level])


def day_hash(versions: list[tuple[int, int]]) -> str:
    return _hash(["day", sorted(versions)])


def parent_hash(level: str, children: list[dict], previous: list[tuple[int, int]] | None = None) -> str:
    """Identity of what a parent is written from: its children's periods and *their* inputs
    (the entries under them). A child rewritten by the model from the same entries leaves
    its parent fresh — otherwise every model rewrite of a day would send its week, month,
    season and year back to be written again. ``previous``: the (id, seq) of the entries of
    the period before (a week or month says what is new since it: an edit there counts)."""
    parts = [level, sorted((c["period_start"], c["input_hash"]) for c in children)]
    if previous is not None:
        parts.append(sorted(previous))
    return _hash(parts)


#: The levels whose digests look at the period before (what is new since).
LOOKS_BACK = ("week", "month")


def _hash(value) -> str:
    return hashlib.sha256(json.dumps(value, default=str).encode()).hexdigest()[:32]


def survey(entry_versions: list[tuple[int, str, int]], stored: list[dict], today: date, *,
           hemisphere: str = "north", week_start: int = 0) -> Plan:
    """The plan from the live entries' (id, day, seq) and the stored digests' metadata."""
    by_key = {(d["level"], date.fromisoformat(d["period_start"])): d for d in stored}
    statuses: dict[tuple[str, date], Status] = {}

    days: dict[date, list[tuple[int, int]]] = defaultdict(list)
    for entry_id, day, seq in entry_versions:
        days[date.fromisoformat(day)].append((entry_id, seq))
    for day, versions in days.items():
        period = Period("day", day, day)
        st = _status(period, by_key, today)
        st.entry_versions = versions
        if st.stored and st.state == "fresh" and st.stored["input_hash"] != day_hash(versions):
            st.state = "stale"
        statuses[st.key] = st

    for level in ("week", "month", "season", "year"):
        child_level = CHILD_LEVEL[level]
        groups: dict[Period, list[Status]] = defaultdict(list)
        for st in [s for s in statuses.values() if s.level == child_level]:
            groups[period_of(level, st.period.start, hemisphere=hemisphere, week_start=week_start)].append(st)
        for period, children in groups.items():
            st = _status(period, by_key, today)
            st.children = sorted((c.period for c in children), key=lambda p: p.start)
            if st.stored and st.state == "fresh":
                if any(c.state != "fresh" for c in children):
                    st.state = "stale"
                else:
                    previous = None
                    if level in LOOKS_BACK:
                        before = shift(period, -1)
                        previous = [v for k in range((before.end - before.start).days + 1)
                                    for v in days.get(before.start + timedelta(days=k), ())]
                    expected = parent_hash(level, [c.stored for c in children], previous)
                    if expected != st.stored["input_hash"]:
                        st.state = "stale"
            statuses[st.key] = st

    wanted = {(k, s.period.end) for k, s in statuses.items()}
    orphans = [d["id"] for d in stored
               if ((d["level"], date.fromisoformat(d["period_start"])), date.fromisoformat(d["period_end"]))
               not in wanted]
    return Plan(statuses, orphans)


def _status(period: Period, by_key: dict, today: date) -> Status:
    stored = by_key.get((period.level, period.start))
    partial = period.end >= today
    if stored is None or date.fromisoformat(stored["period_end"]) != period.end:
        return Status(period, "missing", partial, None)
    if stored["partial"] and not partial:
        return Status(period, "stale", partial, stored)  # written mid-period; the period is over
    if stored["writer"] == "extractive" and stored["prompt_version"].split("+")[0] != EXTRACTIVE_VERSION:
        return Status(period, "stale", partial, stored)  # a better extractive writer is here
    return Status(period, "fresh", partial, stored)
