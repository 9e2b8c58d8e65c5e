"""What a digest is: bullets, each citing the entries it came from."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from lucy_app.core.periods import Period

#: Words a digest of each level may use (the briefing takes from these).
BUDGET_WORDS = {"day": 70, "week": 100, "month": 130, "season": 150, "year": 180}
#: Which level each level is written from (entries for days: summaries of summaries above).
CHILD_LEVEL = {"day": None, "week": "day", "month": "day", "season": "month", "year": "month"}


@dataclass(frozen=True)
class Bullet:
    text: str
    entry_ids: tuple[int, ...]

    def markdown(self) -> str:
        cites = ", ".join(f"#{i}" for i in self.entry_ids)
        return f"- {self.text} [{cites}]" if cites else f"- {self.text}"


@dataclass(frozen=True)
class Digest:
    id: int
    period: Period
    text: str
    bullets: tuple[Bullet, ...]
    entry_ids: tuple[int, ...]
    child_ids: tuple[int, ...]
    writer: str
    model: str | None
    prompt_version: str
    input_hash: str
    partial: bool
    n_entries: int
    dropped_citations: int
    created_at: datetime
    stale: bool = field(default=False, compare=False)

    @property
    def level(self) -> str:
        return self.period.level

    @classmethod
    def from_row(cls, row: dict, *, stale: bool = False, hemisphere: str = "north") -> Digest:
        period = Period(row["level"], date.fromisoformat(row["period_start"]),
                        date.fromisoformat(row["period_end"]), hemisphere)
        cites = json.loads(row.get("citations") or "[]")
        lines = [ln for ln in (row.get("text") or "").splitlines() if ln.startswith("- ")]
        bullets = tuple(
            Bullet(strip_markers(ln[2:]), tuple(cites[i]["entries"]) if i < len(cites) else ())
            for i, ln in enumerate(lines)
        )
        return cls(
            id=row["id"], period=period, text=row.get("text") or "", bullets=bullets,
            entry_ids=tuple(json.loads(row["entry_ids"])), child_ids=tuple(json.loads(row["child_ids"])),
            writer=row["writer"], model=row["model"], prompt_version=row["prompt_version"],
            input_hash=row["input_hash"], partial=bool(row["partial"]), n_entries=row["n_entries"],
            dropped_citations=row["dropped_citations"], created_at=datetime.fromisoformat(row["created_at"]),
            stale=stale,
        )


_MARKERS = re.compile(r"\s*\[(?:#\d+(?:\s*,\s*#?\d+)*)\]")


def strip_markers(text: str) -> str:
    return _MARKERS.sub("", text).strip()


def render(bullets: list[Bullet]) -> str:
    return "\n".join(b.markdown() for b in bullets)
