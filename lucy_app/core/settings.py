"""Per-journal settings, stored in the journal file itself.

They travel with the journal (a backup restores them too). Window geometry and other
per-machine preferences belong to the GUI (QSettings), not here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields
from typing import Any

from lucy_app.core import errors
from lucy_app.core.storage import settings as store
from lucy_app.core.storage.db import Database

HEMISPHERES = ("north", "south")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Settings:
    hemisphere: str = "north"
    #: First day of the week, 0 = Monday … 6 = Sunday.
    week_start: int = 0
    briefing_words: int = 250
    #: Model files chosen by the user; None means the bundled default.
    chat_model: str | None = None
    embedding_model: str | None = None
    #: llama.cpp threads; None chooses from the machine's idle cores.
    threads: int | None = None
    #: "llm" rewrites digests with the chat model in the background; "extractive" never does.
    digest_writer: str = "llm"
    #: Automatic rolling backups kept next to the journal (0 = none).
    backups_keep: int = 5
    #: Let the chat model drill down with read-only tools before answering (for models that
    #: can call functions; the fixed pipeline stays the fallback).
    ask_drill_down: bool = False

    def validated(self) -> Settings:
        if self.hemisphere not in HEMISPHERES:
            raise errors.InvalidInput(f"Invalid hemisphere {self.hemisphere!r}", hint="north or south")
        if not isinstance(self.week_start, int) or not 0 <= self.week_start <= 6:
            raise errors.InvalidInput(f"Invalid week start {self.week_start!r}", hint="0 (Monday) to 6 (Sunday)")
        if not isinstance(self.briefing_words, int) or not 50 <= self.briefing_words <= 2000:
            raise errors.InvalidInput("The briefing length must be 50–2000 words")
        if self.threads is not None and (not isinstance(self.threads, int) or not 1 <= self.threads <= 256):
            raise errors.InvalidInput(f"Invalid thread count {self.threads!r}")
        if self.digest_writer not in ("llm", "extractive"):
            raise errors.InvalidInput(f"Invalid digest writer {self.digest_writer!r}", hint="llm or extractive")
        if not isinstance(self.ask_drill_down, bool):
            raise errors.InvalidInput("ask_drill_down is true or false")
        if not isinstance(self.backups_keep, int) or not 0 <= self.backups_keep <= 100:
            raise errors.InvalidInput("Automatic backups kept must be 0–100")
        return self

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes).validated()


_NAMES = {f.name for f in fields(Settings)}


def load(db: Database) -> Settings:
    """The journal's settings; unknown or invalid stored values fall back to defaults."""
    with db.read() as conn:
        raw = store.get_all(conn)
    known = {k: v for k, v in raw.items() if k in _NAMES}
    try:
        return Settings(**known).validated()
    except (errors.InvalidInput, TypeError):
        good = {}
        for k, v in known.items():
            try:
                Settings(**{k: v}).validated()
                good[k] = v
            except (errors.InvalidInput, TypeError):
                pass
        return Settings(**good)


def save(db: Database, new: Settings) -> Settings:
    new = new.validated()
    defaults = Settings()
    with db.write() as conn:
        for f in fields(Settings):
            value = getattr(new, f.name)
            if value == getattr(defaults, f.name):
                store.delete(conn, f.name)
            else:
                store.put(conn, f.name, value)
    return new


def coerce(name: str, text: str) -> Any:
    """A setting's value from text typed on the command line."""
    if name not in _NAMES:
        raise errors.InvalidInput(f"Unknown setting {name!r}", hint="one of: " + ", ".join(sorted(_NAMES)))
    default = getattr(Settings(), name)
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if text.lower() in ("none", "default", "") and "None" in str(kind):
        return None
    if name == "week_start" and text.lower() in WEEKDAYS:
        return WEEKDAYS.index(text.lower())
    if isinstance(default, bool):
        if text.lower() in ("true", "yes", "on", "1"):
            return True
        if text.lower() in ("false", "no", "off", "0"):
            return False
        raise errors.InvalidInput(f"{name} is true or false, not {text!r}")
    if isinstance(default, int) or "int" in str(kind):
        try:
            return int(text)
        except ValueError:
            raise errors.InvalidInput(f"{name} takes a whole number, not {text!r}") from None
    return text
