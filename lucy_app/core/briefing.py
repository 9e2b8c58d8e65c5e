"""The morning briefing: a short catch-up built only from stored digests.

Yesterday, last week, the month and the season so far, and "on this day" in earlier years —
each part taken from the digest of that period, so the briefing costs a handful of indexed
reads and no model call, and is as short after ten years as after one week. Every part
carries the digest and entry ids it came from, for drill-down.

The word budget (setting ``briefing_words``, default 250) covers everything in the text,
headings included; each part gets a share and leaves what it does not use to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from lucy_app.core import text
from lucy_app.core.digests.model import Bullet, Digest
from lucy_app.core.periods import Period, period_of
from lucy_app.core.settings import Settings
from lucy_app.core.storage import digests as store
from lucy_app.core.storage.db import Database

#: Each part's share of the word budget, in order.
SHARES = {"yesterday": 0.26, "week": 0.22, "month": 0.2, "season": 0.14, "on_this_day": 0.18}
ON_THIS_DAY_YEARS = 3


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    level: str
    period_start: date
    period_end: date
    text: str
    entry_ids: tuple[int, ...]
    digest_id: int
    stale: bool = False
    partial: bool = False
    bullets: tuple[tuple[str, tuple[int, ...]], ...] = ()

    def as_json(self) -> dict:
        return {"title": self.title, "level": self.level, "period_start": self.period_start.isoformat(),
                "period_end": self.period_end.isoformat(), "entry_ids": list(self.entry_ids),
                "digest_id": self.digest_id, "stale": self.stale, "partial": self.partial}


@dataclass(frozen=True)
class Briefing:
    day: date
    parts: list[Part] = field(default_factory=list)

    @property
    def text(self) -> str:
        if not self.parts:
            return "Nothing to catch up on yet: your digests appear here once you have written."
        return "\n\n".join(f"{p.title}\n{p.text}" for p in self.parts)

    @property
    def words(self) -> int:
        return text.word_count(self.text)

    def as_json(self) -> dict:
        return {"date": self.day.isoformat(), "text": self.text, "words": self.words,
                "parts": [p.as_json() for p in self.parts]}


def build(db: Database, day: date, settings: Settings, *, stale_keys: set[tuple[str, date]] | None = None) -> Briefing:
    """The briefing for the morning of ``day`` (the digests must already be written)."""
    hemi, ws = settings.hemisphere, settings.week_start
    yesterday = day - timedelta(days=1)
    candidates: list[tuple[str, str, Period]] = []
    with db.read() as conn:
        last_day = _latest_day_before(conn, day)
        if last_day is not None:
            title = "Yesterday" if last_day == yesterday else f"Last entry, {_short(last_day)}"
            candidates.append(("yesterday", title, Period("day", last_day, last_day)))
        this_week = period_of("week", day, hemisphere=hemi, week_start=ws)
        last_week = period_of("week", this_week.start - timedelta(days=1), hemisphere=hemi, week_start=ws)
        candidates.append(("week", f"Last week ({_span(last_week)})", last_week))
        month = period_of("month", day)
        if day.day <= 7:
            prev = period_of("month", month.start - timedelta(days=1))
            candidates.append(("month", f"Last month ({prev.label})", prev))
        else:
            candidates.append(("month", f"{month.label} so far", month))
        season = period_of("season", day, hemisphere=hemi)
        candidates.append(("season", f"{season.label} so far", season))
        digests: dict[str, Digest] = {}
        for key, _, period in candidates:
            row = store.get(conn, period.level, period.start.isoformat())
            if row is not None:
                digests[key] = Digest.from_row(row, hemisphere=hemi)
                if period.end >= day:  # "so far": only what was written up to the briefing's day
                    digests[key] = _so_far(conn, digests[key], day, hemi)
        earlier = []
        for years_back in range(1, 60):
            try:
                then = day.replace(year=day.year - years_back)
            except ValueError:
                continue  # 29 February
            row = store.get(conn, "day", then.isoformat())
            if row:
                earlier.append((years_back, then, row))
            if len(earlier) >= ON_THIS_DAY_YEARS:
                break

    budget = settings.briefing_words
    left = budget
    parts: list[Part] = []
    seen_bullets: set[str] = set()
    for key, title, _period in candidates:
        if key not in digests:
            continue
        allowance = left - _later_reserve(key, budget, bool(earlier))
        part = _part(key, title, digests[key], allowance, seen_bullets, stale_keys)
        if part:
            parts.append(part)
            left -= text.word_count(f"{part.title}\n{part.text}")
    if earlier:
        allowance = left
        lines, ids, bullets = [], [], []
        title = "On this day"
        used = text.word_count(title)
        for years_back, then, row in earlier:
            d = Digest.from_row(row)
            if not d.bullets:
                continue
            b = d.bullets[0]
            when = "a year ago" if years_back == 1 else f"{years_back} years ago"
            line = f"- {when} ({then.year}): {b.text}"
            n = text.word_count(line)
            if used + n > allowance:
                line = f"- {when} ({then.year}): " + text.trim_words(b.text, max(0, allowance - used - 5))
                n = text.word_count(line)
                if used + n > allowance or text.word_count(b.text) == 0:
                    break
            lines.append(line)
            ids.extend(b.entry_ids)
            bullets.append((line[2:], b.entry_ids))
            used += n
        if lines:
            first = earlier[0][2]
            parts.append(Part("on_this_day", title, "day", date.fromisoformat(first["period_start"]),
                              date.fromisoformat(first["period_end"]), "\n".join(lines),
                              tuple(dict.fromkeys(ids)), first["id"], bullets=tuple(bullets)))
    return Briefing(day, parts)


def _so_far(conn, digest: Digest, day: date, hemisphere: str) -> Digest:
    """A running period's digest told only from entries dated up to ``day``.

    A briefing for a past morning must not cite what was written after it. Bullets whose
    own sentence comes from a later entry are left out and later citations dropped; if
    nothing is left, the period's week digests up to ``day`` stand in, or else its days'.
    """
    cited = sorted({i for b in digest.bullets for i in b.entry_ids})
    days = store.entry_days(conn, cited)
    last = day.isoformat()
    if all(days.get(i, "") <= last for i in cited):
        return digest
    bullets = _until(digest.bullets, days, last)
    for level in ("week", "day"):
        if bullets:
            break
        found = [Digest.from_row(r, hemisphere=hemisphere) for r in
                 store.in_range(conn, level, digest.period.start.isoformat(), last)]
        # the most recent first: every bullet of a week, the first of a day
        stand_in = [b for d in reversed(found) for b in (d.bullets if level == "week" else d.bullets[:1])]
        days = store.entry_days(conn, sorted({i for b in stand_in for i in b.entry_ids}))
        bullets = _until(tuple(stand_in), days, last)
    return replace(digest, bullets=tuple(bullets))


def _until(bullets, days: dict[int, str], last: str) -> list[Bullet]:
    """The bullets whose source (first citation) is dated up to ``last``, citing only such."""
    out = []
    for b in bullets:
        if not b.entry_ids or days.get(b.entry_ids[0], "9999") > last:
            continue
        out.append(Bullet(b.text, tuple(i for i in b.entry_ids if days.get(i, "9999") <= last)))
    return out


def _later_reserve(key: str, budget: int, has_earlier: bool) -> int:
    """Words kept for the parts after ``key`` so the first parts cannot eat the whole budget."""
    order = list(SHARES)
    later = order[order.index(key) + 1:]
    if not has_earlier and "on_this_day" in later:
        later.remove("on_this_day")
    return int(budget * sum(SHARES[k] for k in later) * 0.8)


def _part(key, title, digest: Digest, allowance: int, seen: set[str], stale_keys) -> Part | None:
    used = text.word_count(title)
    lines, ids, bullets = [], [], []
    for b in digest.bullets:
        if b.text in seen:
            continue
        n = text.word_count(b.text) + 1
        if used + n > allowance:
            if lines:
                break
            trimmed = text.trim_words(b.text, max(0, allowance - used - 1))
            if text.word_count(trimmed) < 4:
                return None
            lines.append(f"- {trimmed}")
            ids.extend(b.entry_ids)
            bullets.append((trimmed, b.entry_ids))
            seen.add(b.text)
            break
        lines.append(f"- {b.text}")
        ids.extend(b.entry_ids)
        bullets.append((b.text, b.entry_ids))
        seen.add(b.text)
        used += n
    if not lines:
        return None
    stale = bool(stale_keys and (digest.level, digest.period.start) in stale_keys)
    return Part(key, title, digest.level, digest.period.start, digest.period.end, "\n".join(lines),
                tuple(dict.fromkeys(ids)), digest.id, stale=stale, partial=digest.partial,
                bullets=tuple(bullets))


def _latest_day_before(conn, day: date) -> date | None:
    found = store.latest_start_before(conn, "day", day.isoformat())
    return date.fromisoformat(found) if found else None


def _short(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def _span(p: Period) -> str:
    return f"{p.start.day} {p.start:%b} – {p.end.day} {p.end:%b}"
