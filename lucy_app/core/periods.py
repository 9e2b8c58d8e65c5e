"""Calendar periods: the day → week → month → season → year ladder, as pure date math.

Shared by the digest scheduler and by :mod:`lucy_app.core.temporal`. No Qt, no SQL, no
clock: every function takes the date it is about.

Conventions
-----------
- A :class:`Period` is inclusive: ``start`` and ``end`` are both days of the period.
- Weeks start on ``week_start`` (0 = Monday … 6 = Sunday); the default is the ISO week,
  Monday to Sunday.
- Seasons are meteorological, three whole calendar months each.
  Northern hemisphere: spring Mar–May, summer Jun–Aug, autumn Sep–Nov, winter Dec–Feb.
  Southern hemisphere, six months on: summer Dec–Feb, autumn Mar–May, winter Jun–Aug,
  spring Sep–Nov. "fall" is accepted for "autumn".
- A season's *season-year* is the calendar year it starts in: northern winter 2023 is
  1 Dec 2023 – 29 Feb 2024. A season-year therefore runs 1 March – end of February in
  both hemispheres (its last season is the one that starts in December).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from lucy_app.core.errors import InvalidInput

LEVELS = ("day", "week", "month", "season", "year")
HEMISPHERES = ("north", "south")
SEASONS = ("spring", "summer", "autumn", "winter")

#: First month of each season, per hemisphere.
SEASON_START_MONTH = {
    "north": {"spring": 3, "summer": 6, "autumn": 9, "winter": 12},
    "south": {"autumn": 3, "winter": 6, "spring": 9, "summer": 12},
}
_SEASON_ALIASES = {"fall": "autumn"}

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
MONTH_ABBR = tuple(name[:3] for name in _MONTH_NAMES)
_WEEKDAY_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# --- validation -----------------------------------------------------------------------


def check_level(level: str) -> str:
    """Return ``level`` if it is one of :data:`LEVELS`, else raise InvalidInput."""
    if level not in LEVELS:
        raise InvalidInput(f"unknown period level {level!r}", hint=f"use one of {', '.join(LEVELS)}")
    return level


def check_hemisphere(hemisphere: str) -> str:
    """Return ``hemisphere`` if it is "north" or "south", else raise InvalidInput."""
    if hemisphere not in HEMISPHERES:
        raise InvalidInput(f"unknown hemisphere {hemisphere!r}", hint="use north or south")
    return hemisphere


def check_week_start(week_start: int) -> int:
    """Return ``week_start`` if it is an int 0 (Monday) … 6 (Sunday), else raise InvalidInput."""
    if isinstance(week_start, bool) or not isinstance(week_start, int) or not 0 <= week_start <= 6:
        raise InvalidInput(f"bad week start {week_start!r}", hint="use 0 (Monday) … 6 (Sunday)")
    return week_start


def season_name(name: str) -> str:
    """Canonical season name: lower case, "fall" → "autumn"; InvalidInput if not a season."""
    key = _SEASON_ALIASES.get(name.strip().lower(), name.strip().lower())
    if key not in SEASONS:
        raise InvalidInput(f"unknown season {name!r}", hint="use spring, summer, autumn or winter")
    return key


# --- small date helpers ---------------------------------------------------------------


def month_end(year: int, month: int) -> date:
    """The last day of the month."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, n: int) -> date:
    """``d`` moved by ``n`` calendar months, the day clamped to the month's length
    (31 March − 1 month = 29 February in a leap year)."""
    index = d.year * 12 + (d.month - 1) + n
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(d.day, last))


def week_start_of(d: date, week_start: int = 0) -> date:
    """The first day of the week containing ``d`` (weeks start on ``week_start``)."""
    return d - timedelta(days=(d.weekday() - week_start) % 7)


def season_year_of(d: date) -> int:
    """The season-year that ``d`` falls in (a season-year runs 1 March – end of February)."""
    return d.year if d.month >= 3 else d.year - 1


# --- periods --------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """An inclusive calendar period at one of :data:`LEVELS`.

    ``hemisphere`` only names seasons (the same months are spring in the north and autumn
    in the south); it takes no part in equality or hashing.
    """

    level: str
    start: date
    end: date
    hemisphere: str = field(default="north", compare=False)

    def contains(self, d: date) -> bool:
        """Whether day ``d`` is inside the period."""
        return self.start <= d <= self.end

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    @property
    def label(self) -> str:
        """A human label: "Tue 3 Mar 2026", "Week of 2 Mar 2026", "March 2026",
        "Spring 2026", "Winter 2025–26", "2026"."""
        s = self.start
        if self.level == "day":
            return f"{_WEEKDAY_ABBR[s.weekday()]} {s.day} {MONTH_ABBR[s.month - 1]} {s.year}"
        if self.level == "week":
            return f"Week of {format_day(s)}"
        if self.level == "month":
            return f"{_MONTH_NAMES[s.month - 1]} {s.year}"
        if self.level == "season":
            name = season_of(s, self.hemisphere)[0].capitalize()
            if self.end.year != s.year:
                return f"{name} {s.year}–{self.end.year % 100:02d}"
            return f"{name} {s.year}"
        return str(s.year)


def format_day(d: date) -> str:
    """"3 Mar 2026"."""
    return f"{d.day} {MONTH_ABBR[d.month - 1]} {d.year}"


def period_of(level: str, d: date, *, hemisphere: str = "north", week_start: int = 0) -> Period:
    """The period at ``level`` that contains day ``d``."""
    check_level(level)
    check_hemisphere(hemisphere)
    check_week_start(week_start)
    if level == "day":
        return Period("day", d, d, hemisphere)
    if level == "week":
        start = week_start_of(d, week_start)
        return Period("week", start, start + timedelta(days=6), hemisphere)
    if level == "month":
        return Period("month", d.replace(day=1), month_end(d.year, d.month), hemisphere)
    if level == "season":
        return season_of(d, hemisphere)[1]
    return Period("year", date(d.year, 1, 1), date(d.year, 12, 31), hemisphere)


def season_period(name: str, season_year: int, hemisphere: str = "north") -> Period:
    """The season ``name`` ("fall" = "autumn") that starts in ``season_year``.

    ``season_period("winter", 2023)`` is 1 Dec 2023 – 29 Feb 2024.
    """
    check_hemisphere(hemisphere)
    month = SEASON_START_MONTH[hemisphere][season_name(name)]
    start = date(season_year, month, 1)
    last = add_months(start, 2)
    return Period("season", start, month_end(last.year, last.month), hemisphere)


def season_of(d: date, hemisphere: str = "north") -> tuple[str, Period]:
    """The name of the season containing ``d`` and that season as a Period."""
    check_hemisphere(hemisphere)
    months_in = (d.month - 3) % 3  # 0 if d is in the first month of its season
    first = add_months(d.replace(day=1), -months_in)
    name = next(n for n, m in SEASON_START_MONTH[hemisphere].items() if m == first.month)
    return name, season_period(name, first.year, hemisphere)


def shift(period: Period, n: int) -> Period:
    """The period ``n`` steps after ``period`` at the same level (``n`` < 0: before).

    Weeks keep their start weekday; seasons move by three months.
    """
    check_level(period.level)
    s = period.start
    if period.level == "day":
        d = s + timedelta(days=n)
        return Period("day", d, d, period.hemisphere)
    if period.level == "week":
        start = s + timedelta(days=7 * n)
        return Period("week", start, start + timedelta(days=6), period.hemisphere)
    if period.level == "month":
        return period_of("month", add_months(s, n), hemisphere=period.hemisphere)
    if period.level == "season":
        return season_of(add_months(s, 3 * n), period.hemisphere)[1]
    return period_of("year", date(s.year + n, 1, 1), hemisphere=period.hemisphere)


def periods_between(
    level: str, first: date, last: date, *, hemisphere: str = "north", week_start: int = 0
) -> Iterator[Period]:
    """Every period at ``level`` that overlaps the days ``first`` … ``last``, in order."""
    if last < first:
        return
    period = period_of(level, first, hemisphere=hemisphere, week_start=week_start)
    while period.start <= last:
        yield period
        period = shift(period, 1)
