"""What day and time it is, for Lucy: the one place that asks the system.

Everything that decides by "today" — a new entry's day and time, the briefing, which
digests are still "so far", what "last spring" means, the calendar's current year — asks
here. Tests freeze the clock (:func:`freeze`) so that the suite behaves the same on any
date, and run the date-sensitive tests over hard dates (the 1st and last of a month, a
Monday, 29 February, 31 December, 1 January).

A frozen clock still ticks: it starts at the given moment and advances with real time, so
"saved at" stamps keep their order. ``$LUCY_TODAY`` (an ISO date or date and time) freezes
it for a whole process: the test suite sets it for the ``lucy`` processes it starts, and
screenshots for the README use it.

Timestamps compared with the file system (a model file's mtime) and backup file names use
the real time, not this clock.
"""

from __future__ import annotations

import os
import time
from datetime import date, datetime, timedelta

_start: datetime | None = None   # the frozen moment (aware), or None: the system's time
_started: float = 0.0            # time.monotonic() when it was frozen


def now() -> datetime:
    """The current local time, with its UTC offset."""
    if _start is not None:
        return _start + timedelta(seconds=time.monotonic() - _started)
    return datetime.now().astimezone()


def today() -> date:
    """Today's date, local time."""
    return now().date()


def freeze(at: datetime | date | None) -> None:
    """Make ``at`` the current moment (a date: 10:00 that day); None: the system's time again."""
    global _start, _started
    if at is None:
        _start = None
        return
    if not isinstance(at, datetime):
        at = datetime(at.year, at.month, at.day, 10, 0)
    _start = at.astimezone() if at.tzinfo is None else at
    _started = time.monotonic()


def _from_environment() -> None:
    raw = os.environ.get("LUCY_TODAY", "").strip()
    if raw:
        try:
            freeze(datetime.fromisoformat(raw) if "T" in raw or " " in raw else date.fromisoformat(raw))
        except ValueError:
            pass  # not a date: the system's time


_from_environment()
