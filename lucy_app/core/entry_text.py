"""An entry as editable text: a few header lines, a ``---`` line, then the Markdown body.

Used when ``lucy add``/``lucy edit`` open $EDITOR::

    Date: 2026-11-25
    Title: A walk by the river
    Tags: walks, family
    Mood: good
    ---
    We walked to the old bridge…
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lucy_app.core import clock, errors
from lucy_app.core.entries import MOODS, Entry, clean_body, clean_title, normalize_tags, parse_day, parse_mood

SEPARATOR = "---"
_FIELDS = ("date", "title", "tags", "mood")


@dataclass(frozen=True)
class EditedEntry:
    day: date
    title: str | None
    tags: tuple[str, ...]
    mood: int | None
    body: str


def render(*, day: date, title: str | None = None, tags: tuple[str, ...] = (),
           mood: int | None = None, body: str = "") -> str:
    return (
        f"Date: {day.isoformat()}\n"
        f"Title: {title or ''}\n"
        f"Tags: {', '.join(tags)}\n"
        f"Mood: {MOODS.get(mood, '') if mood else ''}\n"
        f"{SEPARATOR}\n{body}"
    )


def render_entry(entry: Entry) -> str:
    return render(day=entry.day, title=entry.title, tags=entry.tags, mood=entry.mood, body=entry.body)


def parse(text: str) -> EditedEntry:
    """Read the header and body back; a header is optional (then the whole text is the body)."""
    lines = text.replace("\r\n", "\n").split("\n")
    header: dict[str, str] = {}
    body_start = 0
    if SEPARATOR in (ln.strip() for ln in lines[:8]):
        for i, line in enumerate(lines):
            if line.strip() == SEPARATOR:
                body_start = i + 1
                break
            if not line.strip():
                continue
            key, sep, value = line.partition(":")
            if not sep or key.strip().lower() not in _FIELDS:
                raise errors.InvalidInput(
                    f"Line {i + 1} of the header is not understood: {line!r}",
                    hint="the header lines are Date:, Title:, Tags: and Mood:, then ---",
                )
            header[key.strip().lower()] = value.strip()
    body = "\n".join(lines[body_start:])
    return EditedEntry(
        day=parse_day(header["date"]) if header.get("date") else clock.today(),
        title=clean_title(header.get("title")),
        tags=normalize_tags(header.get("tags")),
        mood=parse_mood(header.get("mood")),
        body=clean_body(body),
    )
