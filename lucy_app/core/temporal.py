"""Time expressions in questions, turned into inclusive date ranges.

``parse_range("What did I do last spring?", today)`` → ``DateRange(2026-03-01, 2026-05-31)``.
It returns None when the question names no time. Pure: no clock, no I/O; ``today`` is given.

How it works (a small table-driven grammar, no NLP model):

1. *Atoms*: regular expressions find the words that can name a time (a month, a season, a
   holiday, a date, a year, "last week", "3 days ago", …). Words that are also ordinary
   English ("May", "March", "June", "August", "April", "spring", "fall", "Sat", "5/3") are
   *weak* unless a temporal cue stands before them ("in", "during", "since", "last",
   "early", …) or a year or day number goes with them. So "What did June say?", "What did
   I may have said", "the march on Washington", "to spring into action" name no time, and
   "in June", "June 2024", "June 5" do. A possessive ("in June's flat") stays weak unless
   last/this/next goes before it. "summer", "winter" and "autumn" are seasons unless
   capitalized like a name ("Did Summer call?", "Winter Park"). Weak words still join a
   range whose other end is strong ("March–May 2024").
2. *Composition*, in order: a year joins what it follows ("March 2024", "the fall of 2022",
   "Christmas last year"); "last/this/next" apply to a recurring thing ("last spring");
   prefixes narrow ("early 2024", "mid-January", "the first week of March", "the day after
   Christmas"); then ranges ("between A and B", "from A to B", "A–B", "since A", "after A").
3. *Choice*: of the strong expressions, the longest wins (then the first).

Conventions (``/work/shared/bench/README.md``, section temporal/, is the reference):

- Seasons are meteorological (:mod:`lucy_app.core.periods`); ``hemisphere`` picks the
  months. A bare season, month, holiday, quarter or date without a year ("in March",
  "on 14 February", "in Q1", "in the spring") is the most recent one that has started by
  today. With a year it is that one; a season's year is the year it starts.
- "last X" / "this past X" (X a season, month name, holiday, quarter, weekday): the most
  recent X that has fully ended before today. "this X": the X of the current year — for a
  season, of the current season-year (1 March – end of February), so "this winter" in
  January is the winter that began last December and "this spring" in January is the spring
  of the season-year that began last March. "next X": the first X that starts after today.
- "last/this/next week|month|quarter|season|year": the calendar period before / containing /
  after today. Weeks start on ``week_start`` (0 = Monday, ISO, the default … 6 = Sunday).
  "this past week" = "last week".
- "N days ago" is that day; "N weeks ago" and "the week before last" (N = 2) are the week
  containing today − 7·N days; "N months/quarters/seasons/years ago" are the calendar period
  containing today moved by N. With "today" ("a year ago today") it is the single day.
- "the past/last N days|weeks|months|years" (and "the past week", "the last month"): the span
  of that length ending today (N days = today − N + 1 … today; N months = the day after
  today − N months … today). "the next N days": today … today + N − 1.
- "last weekend": the most recent Saturday–Sunday that ended before today. "this weekend":
  the current one on a Saturday or Sunday, else the coming one; "next weekend" is a week
  after that; "the weekend" alone is the current or most recent one.
- A bare weekday ("on Monday") is the most recent one on or before today; "last Monday" the
  most recent before today; "this Monday" the one in the current week; "next Monday" the
  first after today.
- early/mid/late (and "the beginning/middle/end of"): a month → days 1–10, 11–20, 21–end;
  a year → Jan–Apr, May–Aug, Sep–Dec; a season or quarter → its first, second, third month.
- "first/second/third/fourth week of X": days 1–7, 8–14, … of X; "last week of X": its last
  seven days. "the first/second half of" a year → Jan–Jun / Jul–Dec, of a month → 1–15 /
  16–end. Q1…Q4 and "the first … fourth quarter" are calendar quarters; H1/H2 halves.
- Ranges "between A and B", "from A to B", "A–B", "A to/through/until B": from A's start to
  B's end. A year written on one end serves both ("March–May 2024", "between January and
  February 2025"); yearless ends are placed so that A is the most recent that has started
  and B is the first that ends on or after A. "since A": A's start … today. "after A": the day
  after A … today. "before/until A" have no start and are not taken (None unless something
  else names a time). Ranges are never clipped to today.
- Explicit dates: ISO first (2024-03-05, 2024/03/05, 2024-03 for a month). Textual dates
  ("5 March 2024", "March 5th", "the 5th of March", "Mar. 5, 2024") are unambiguous. Numeric
  dates with slashes or dashes follow ``date_order``: "dmy" (the default: day first, as in the
  rest of Lucy's conventions — ISO weeks, "3 Mar 2026" labels — and most of the world) or
  "mdy"; when only the other reading is a real date (25/12/2024 under "mdy") that one is
  used. Dotted dates (5.3.2024) are always day first. Two-digit years are 20xx unless that
  is more than 20 years after today. A numeric date without a year needs a cue ("on 5/3").
- A bare four-digit year 1900–2099 is a year unless it counts something ("2000 steps",
  "$2019", "2019 5555"). Any other four-digit year (a diary may be centuries old) is a year
  after a cue ("in 1666", "the spring of 1650", "since 1903") or with a month or season
  ("September 1666"). After a month or season, '24 is 2024. Decades: "the 1990s", "the
  '90s" ("the 90s" alone is not taken: it is as often a temperature or an age).
- Day numbers: "on the 3rd" is the most recent 3rd on or before today; "the 3rd of last
  month" is that day; "1–15 March", "March 3 to 9" and "between the 1st and the 15th of
  March" are spans of one month. "the year/month/week" after "of" is the current one ("the
  end of the year").
- Holidays: Christmas Eve/Day, Boxing Day, New Year's Eve/Day, Valentine's Day, St Patrick's
  Day, Halloween, Bonfire Night, Easter (Western; Good Friday, Easter Monday), and US
  Thanksgiving (fourth Thursday of November).
- today/tonight/this morning, yesterday/last night, the day before yesterday, tomorrow, the
  day after tomorrow, "this time last year", "earlier this week|month|year" (start … today),
  "later this …" (today … end), "so far this …". "the past N hours": there is no clock
  here, so every day those hours may touch (the last 24 hours = yesterday and today).
- Around an event X: "the day (night, morning) before/after X" and "N days before/after X"
  are one day; "N weeks/months/years before/after X" is the week/month/year containing that
  day (as "N weeks ago" is); "the week before X" the seven days just before it and "the week
  after X" the seven just after; "the Sunday before X" the last Sunday before it; "the
  weekend before/after X" the nearest whole Saturday–Sunday; "the week of X" the week
  containing X; "X before last" (a season, holiday, weekday…) the one before "last X";
  "two summers ago" the second most recent summer that has ended.
- ISO week numbers: "week 12" (of 2024) is ISO week 12 — with another week start, the week
  containing its Monday. A weekday joins a week next to it ("Tuesday last week").
- "year to date", "YTD": 1 January … today.
- Vague words ("recently", "lately", "the other day", "a while ago") name no time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from lucy_app.core.errors import InvalidInput
from lucy_app.core.periods import (
    MONTH_ABBR,
    add_months,
    check_hemisphere,
    check_week_start,
    format_day,
    month_end,
    period_of,
    season_of,
    season_period,
    season_year_of,
    week_start_of,
)

DATE_ORDERS = ("dmy", "mdy")


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days that a question is about.

    ``label`` is a human phrase for it ("Spring 2026", "1 Mar – 31 May 2026"); ``phrase`` is
    the span of the question that named it ("last spring"). Only the dates take part in
    equality.
    """

    start: date
    end: date
    label: str = field(default="", compare=False)
    phrase: str = field(default="", compare=False)

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def parse_range(
    text: str,
    today: date,
    *,
    hemisphere: str = "north",
    week_start: int = 0,
    date_order: str = "dmy",
) -> DateRange | None:
    """The date range named in ``text`` as of ``today``, or None if it names no time.

    Never raises on any text; raises InvalidInput for a bad ``hemisphere``, ``week_start``
    or ``date_order``. See the module docstring for the conventions.
    """
    check_hemisphere(hemisphere)
    check_week_start(week_start)
    if isinstance(today, datetime):
        today = today.date()
    if date_order not in DATE_ORDERS:
        raise InvalidInput(f"unknown date order {date_order!r}", hint="use dmy or mdy")
    ctx = _Ctx(today, hemisphere, week_start, date_order)
    norm = _normalize(text)
    best = _best(norm, text, ctx)
    if best is None:
        return None
    cand, fixed = best
    s = _extend_left(norm, cand.s, (fixed.end - fixed.start).days + 1)
    return DateRange(fixed.start, fixed.end, _label(fixed.start, fixed.end, ctx), text[s : cand.e].strip())


# --- internal model -------------------------------------------------------------------

Bounds = tuple[date, date]


@dataclass(frozen=True)
class _Ctx:
    today: date
    hemisphere: str
    week_start: int
    date_order: str


@dataclass(frozen=True)
class _Fixed:
    """A range that no longer depends on today."""

    start: date
    end: date
    level: str = "span"  # day, week, weekend, month, quarter, half, season, year, span


@dataclass(frozen=True)
class _Yearly:
    """Something that recurs once a year (a month, season, holiday, date, quarter).

    ``occ(year)`` gives its bounds in that year (for seasons: season-year), or None when it
    does not exist that year (29 February)."""

    occ: Callable[[int], Bounds | None]
    level: str
    seasonal: bool = False


@dataclass(frozen=True)
class _Weekly:
    """A weekday (0 = Monday)."""

    weekday: int


_Spec = _Fixed | _Yearly | _Weekly


@dataclass
class _Cand:
    """A candidate expression: its span in the normalized text and what it means."""

    s: int
    e: int
    spec: _Spec
    strong: bool
    prio: int = 0


# --- vocabulary -----------------------------------------------------------------------

_CHAR_MAP = {
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u2018": "'", "\u2019": "'", "\u02bc": "'", "\u00a0": " ", "\u2009": " ", "\u202f": " ",
}

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}
#: Month words that are never anything else.
_PLAIN_MONTHS = {"january", "february", "july", "september", "october", "november", "december"}
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))

_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2,
    "wed": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
_WEEKDAY_RE = "|".join(sorted(_WEEKDAYS, key=len, reverse=True))

_SEASON_WORDS = {"spring": "spring", "summer": "summer", "autumn": "autumn", "fall": "autumn", "winter": "winter"}
_AMBIGUOUS_SEASONS = {"spring", "fall"}

_SMALL_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_DIGIT_WORDS = "one|two|three|four|five|six|seven|eight|nine"
_NUM_RE = (
    r"(?:\d{1,4}"
    rf"|(?:{'|'.join(_TENS)})(?:[- ](?:{_DIGIT_WORDS}))?"
    rf"|{'|'.join(sorted(_SMALL_NUMBERS, key=len, reverse=True))}"
    r"|a\s+couple(?:\s+of)?|couple(?:\s+of)?|a\s+few|few|an?)"
)
_UNIT_RE = r"(?:day|week|fortnight|month|quarter|season|year)s?"
_ROLLING_UNIT_RE = r"(?:hour|day|week|fortnight|month|quarter|season|year)s?"

_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_ORDINAL_RE = "first|1st|second|2nd|third|3rd|fourth|4th"

#: Words after a number that say it counts something (so "2000 steps" is not a year).
_COUNT_NOUNS = (
    r"(?:dollars?|euros?|pounds?|bucks|usd|eur|gbp|yen|cents?|francs?|rupees?|steps|calories|"
    r"kcal|cal|words|characters|chars|people|persons|guests|times|pages|photos|pictures|pics|"
    r"points|pts|feet|ft|meters?|metres?|m|km|kms|kilometers?|kilometres?|miles?|mi|kg|kgs|"
    r"g|grams?|lbs?|hours?|hrs?|h|minutes?|mins?|seconds?|secs?|followers|likes|views|"
    r"subscribers|messages|emails|e-mails|texts|items|things|books|songs|members|students|"
    r"units|copies|rows|lines|bytes|kb|mb|gb|tb|tokens|reps|sets|laps|km/h|mph|k|x|"
    r"euro|dollar|ml|l|liters?|litres?|ounces?|oz|percent|pct|sq|square|acres?|votes|bpm)"
)
_COUNT_AFTER = re.compile(rf"\s*(?:%|{_COUNT_NOUNS}\b)|\s+\d{{3,}}", re.ASCII)
_COUNT_BEFORE = re.compile(
    r"(?:[$€£¥#]\s*|\b(?:than|over|under|about|almost|nearly|only|just|exactly|spent|spend|"
    r"paid|pay|cost|costs|costing|number|no|room|page|pin|code|score|flight|bus|route|"
    r"model|version|v|id|ticket|order|top|bottom|first|last|these|those)\s+)$",
    re.ASCII,
)

_CUE_WORDS = (
    "in|during|since|from|between|through|throughout|thru|until|till|til|over|of|before|"
    "after|early|mid|late|last|this|next|past|coming|previous|around|every|across"
)
_CUE_MONTH = re.compile(rf"(?:\b(?:{_CUE_WORDS})\s+|\bmid\s*-\s*)$", re.ASCII)
_CUE_THE = re.compile(rf"(?:\b(?:{_CUE_WORDS})\s+(?:the\s+)?|\bmid\s*-\s*)$", re.ASCII)
_CUE_YEAR = re.compile(
    r"(?:\b(?:in|during|since|from|between|through|throughout|thru|until|till|til|of|before|"
    r"after|early|mid|late|year|around|for)\s+|\bmid\s*-\s*)$",
    re.ASCII,
)
_CUE_OF = re.compile(r"\bof\s+$", re.ASCII)
_CUE_HOLIDAY = re.compile(rf"\b(?:{_CUE_WORDS}|on|at|for)\s+(?:the\s+)?$", re.ASCII)
_CUE_DAY = re.compile(
    r"\b(?:on|since|from|between|until|till|til|before|after|last|this|next|past|coming|"
    r"previous|every)\s+(?:the\s+)?$",
    re.ASCII,
)
_MODIFIER_CUE = re.compile(r"\b(?:last|this|next|past|previous|coming)\s+$", re.ASCII)
_MAY_AS_VERB = re.compile(
    r"\s+(?:be|have|not|also|well|help|mean|seem|sound|look|take|need|cause|make|just|still|"
    r"even|actually|only|really|come|go|get|change|explain|affect|matter|happen|lead|work|"
    r"give|require|i|you|we|he|she|they|it)\b",
    re.ASCII,
)


def _normalize(text: str) -> str:
    """Lower case, one ASCII dash and apostrophe; same length as ``text`` so spans map back."""
    out = []
    for ch in text:
        low = ch.lower()
        if len(low) != 1:
            low = ch
        out.append(_CHAR_MAP.get(low, low))
    return "".join(out)


_WINDOW = 80  # how far back a cue or prefix is looked for


def _before(rx: re.Pattern, norm: str, pos: int) -> re.Match | None:
    """``rx`` (anchored with $) matched against the text just before ``pos``."""
    return rx.search(norm, max(0, pos - _WINDOW), pos)


def _number(word: str) -> int:
    """"3", "three", "twenty-one", "a", "a couple of", "a few" → 3, 3, 21, 1, 2, 3."""
    word = re.sub(r"\s+", " ", word.strip())
    if word.isdigit():
        return int(word)
    if word in ("a", "an"):
        return 1
    if "couple" in word:
        return 2
    if "few" in word:
        return 3
    if word in _SMALL_NUMBERS:
        return _SMALL_NUMBERS[word]
    tens, _, unit = word.replace("-", " ").partition(" ")
    return _TENS[tens] + (_SMALL_NUMBERS[unit] if unit else 0)


# --- calendar helpers -----------------------------------------------------------------


def _day(d: date) -> _Fixed:
    return _Fixed(d, d, "day")


def _month(year: int, month: int) -> Bounds:
    return date(year, month, 1), month_end(year, month)


def _quarter(year: int, q: int) -> Bounds:
    first = date(year, 3 * q - 2, 1)
    return first, month_end(year, 3 * q)


def _half(year: int, h: int) -> Bounds:
    return (date(year, 1, 1), date(year, 6, 30)) if h == 1 else (date(year, 7, 1), date(year, 12, 31))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _easter(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's name
    m = (a + 11 * h + 19 * l) // 433
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _thanksgiving(year: int) -> date:
    """US Thanksgiving: the fourth Thursday of November."""
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def _unit_containing(unit: str, d: date, ctx: _Ctx) -> _Fixed:
    """The calendar period of kind ``unit`` that contains ``d``."""
    if unit == "day":
        return _day(d)
    if unit in ("week", "fortnight"):
        p = period_of("week", d, week_start=ctx.week_start)
        return _Fixed(p.start, p.end, "week")
    if unit == "month":
        return _Fixed(*_month(d.year, d.month), "month")
    if unit == "quarter":
        return _Fixed(*_quarter(d.year, (d.month - 1) // 3 + 1), "quarter")
    if unit == "season":
        p = season_of(d, ctx.hemisphere)[1]
        return _Fixed(p.start, p.end, "season")
    return _Fixed(date(d.year, 1, 1), date(d.year, 12, 31), "year")


def _move(unit: str, d: date, n: int) -> date:
    """``d`` moved by ``n`` units (a fortnight is two weeks, a season three months)."""
    if unit == "day":
        return d + timedelta(days=n)
    if unit == "week":
        return d + timedelta(days=7 * n)
    if unit == "fortnight":
        return d + timedelta(days=14 * n)
    months = {"month": 1, "quarter": 3, "season": 3, "year": 12}[unit]
    return add_months(d, months * n)


def _last_weekend(today: date) -> Bounds:
    sunday = today - timedelta(days=((today.weekday() + 1) % 7) or 7)
    return sunday - timedelta(days=1), sunday


def _this_weekend(today: date) -> Bounds:
    if today.weekday() >= 5:
        saturday = today - timedelta(days=today.weekday() - 5)
    else:
        saturday = today + timedelta(days=5 - today.weekday())
    return saturday, saturday + timedelta(days=1)


# --- resolving recurring things -------------------------------------------------------

_SEARCH_YEARS = 12  # far enough to find a 29 February


def _latest(spec: _Yearly, ok: Callable[[Bounds], bool], year: int) -> _Fixed | None:
    """The latest occurrence (searching back from ``year`` + 1) that satisfies ``ok``."""
    for y in range(year + 1, year - _SEARCH_YEARS, -1):
        b = spec.occ(y)
        if b is not None and ok(b):
            return _Fixed(b[0], b[1], spec.level)
    return None


def _earliest(spec: _Yearly, ok: Callable[[Bounds], bool], year: int) -> _Fixed | None:
    """The earliest occurrence (searching on from ``year`` − 1) that satisfies ``ok``."""
    for y in range(year - 1, year + _SEARCH_YEARS):
        b = spec.occ(y)
        if b is not None and ok(b):
            return _Fixed(b[0], b[1], spec.level)
    return None


def _weekday(spec: _Weekly, mod: str, ctx: _Ctx) -> _Fixed:
    t = ctx.today
    if mod == "last":
        return _day(t - timedelta(days=(t.weekday() - spec.weekday - 1) % 7 + 1))
    if mod == "next":
        return _day(t + timedelta(days=(spec.weekday - t.weekday() - 1) % 7 + 1))
    if mod == "this":
        return _day(week_start_of(t, ctx.week_start) + timedelta(days=(spec.weekday - ctx.week_start) % 7))
    return _day(t - timedelta(days=(t.weekday() - spec.weekday) % 7))


def _apply_modifier(spec: _Spec, mod: str, ctx: _Ctx) -> _Fixed | None:
    """"last/this/next" + a recurring thing (see the module docstring)."""
    t = ctx.today
    if isinstance(spec, _Weekly):
        return _weekday(spec, mod, ctx)
    if not isinstance(spec, _Yearly):
        return None
    if mod == "last":
        return _latest(spec, lambda b: b[1] < t, t.year)
    if mod == "next":
        return _earliest(spec, lambda b: b[0] > t, t.year)
    b = spec.occ(season_year_of(t) if spec.seasonal else t.year)
    return _Fixed(b[0], b[1], spec.level) if b else None


def _bare(spec: _Spec, ctx: _Ctx) -> _Fixed | None:
    """A recurring thing with no modifier: the most recent that has started by today."""
    if isinstance(spec, _Fixed):
        return spec
    if isinstance(spec, _Weekly):
        return _weekday(spec, "bare", ctx)
    return _latest(spec, lambda b: b[0] <= ctx.today, ctx.today.year)


def _map(spec: _Spec, fn: Callable[[date, date, str], Bounds | None], level: str) -> _Spec | None:
    """Apply a narrowing/moving ``fn`` to a fixed range, or to every occurrence of a yearly one."""
    if isinstance(spec, _Fixed):
        b = fn(spec.start, spec.end, spec.level)
        return _Fixed(b[0], b[1], level) if b else None
    if isinstance(spec, _Yearly):
        inner, inner_level = spec.occ, spec.level

        def occ(y: int) -> Bounds | None:
            b = inner(y)
            return fn(b[0], b[1], inner_level) if b else None

        probe = next((b for y in range(2000, 2012) if (b := inner(y)) is not None), None)
        if probe is None or fn(probe[0], probe[1], inner_level) is None:
            return None  # fn does not apply to this kind of thing ("early Christmas")
        return _Yearly(occ, level, spec.seasonal)
    return None


# --- atoms: the words that can name a time --------------------------------------------

_Builder = Callable[[re.Match, _Ctx], _Spec | None]
#: Whether an atom match names a time: (normalized text, original text, match) → bool.
_Strength = Callable[[str, str, re.Match], bool]


@dataclass(frozen=True)
class _Atom:
    pattern: re.Pattern
    build: _Builder
    strong: _Strength


def _always(_norm: str, _orig: str, _m: re.Match) -> bool:
    return True


def _cued(cue: re.Pattern) -> _Strength:
    def strong(norm: str, orig: str, m: re.Match) -> bool:
        return _before(cue, norm, m.start()) is not None

    return strong


def _possessive(norm: str, m: re.Match) -> bool:
    return norm.startswith("'s", m.end()) or norm.startswith("s'", m.end())


def _month_strength(norm: str, orig: str, m: re.Match) -> bool:
    """January, February, July, September … December are always months. "May", "March",
    "June", "April", "August" and abbreviations need a cue ("in June", "last May"); a
    possessive ("in June's flat") needs last/this/next ("last June's trip"); "this may"
    followed by a verb ("this may be") is the verb."""
    word = m.group("mon")
    if word in _PLAIN_MONTHS:
        return True
    cue = _before(_CUE_MONTH, norm, m.start())
    if cue is None:
        return False
    if _possessive(norm, m):
        return _MODIFIER_CUE.search(cue.group(0)) is not None
    if word == "may" and re.search(r"\b(?:this|past)\s+$", cue.group(0)):
        return _MAY_AS_VERB.match(norm, m.end()) is None
    return True


def _season_strength(norm: str, orig: str, m: re.Match) -> bool:
    """"summer", "winter", "autumn" are seasons unless written as a name mid-sentence
    ("Did Summer call?"); "spring" and "fall" need a cue ("in the fall", "this spring")."""
    cue = _before(_CUE_THE, norm, m.start())
    if m.group("season") in _AMBIGUOUS_SEASONS:
        if cue is None:
            return False
        return not _possessive(norm, m) or _MODIFIER_CUE.search(cue.group(0)) is not None
    return cue is not None or not _looks_like_a_name(orig, m)


def _looks_like_a_name(orig: str, m: re.Match) -> bool:
    """Seasons are not capitalized in English: a capital mid-sentence ("Did Summer call?") or
    before another capitalized word ("Winter Park") makes a name."""
    if not orig[m.start()].isupper():
        return False
    if re.match(r"\s+[A-Z]", orig[m.end() :]):
        return True
    head = orig[: m.start()].rstrip()
    return bool(head) and head[-1] not in ".!?:;\"'(\u201c"


def _year_strength(norm: str, orig: str, m: re.Match) -> bool:
    if _COUNT_AFTER.match(norm, m.end()):
        return False
    if _before(_CUE_YEAR, norm, m.start()):
        return True
    year = int(m.group("y") if "y" in m.re.groupindex else m.group("y1"))
    if not 1900 <= year <= 2099:
        return False  # "1666" alone may be a number; "in 1666", "of 1666", "September 1666" are years
    return _before(_COUNT_BEFORE, norm, m.start()) is None


def _day_strength(norm: str, orig: str, m: re.Match) -> bool:
    return _COUNT_AFTER.match(norm, m.end()) is None


def _numeric_strength(norm: str, orig: str, m: re.Match) -> bool:
    if m.group("y"):
        return True
    return _before(_CUE_DAY, norm, m.start()) is not None


def _weekday_strength(norm: str, orig: str, m: re.Match) -> bool:
    """Full weekday names are always days; "sat", "sun", "wed" … need a cue ("on Sat")."""
    return m.group("wd").endswith("day") or _before(_CUE_DAY, norm, m.start()) is not None


def _b_month(m: re.Match, ctx: _Ctx) -> _Spec:
    month = _MONTHS[m.group("mon")]
    return _Yearly(lambda y: _month(y, month), "month")


def _b_season(m: re.Match, ctx: _Ctx) -> _Spec:
    return _b_season_named(m.group("season"), ctx)


def _b_season_named(word: str, ctx: _Ctx) -> _Yearly:
    name = _SEASON_WORDS[word]

    def occ(y: int) -> Bounds:
        p = season_period(name, y, ctx.hemisphere)
        return p.start, p.end

    return _Yearly(occ, "season", seasonal=True)


#: A date that does not exist ("30 February"): it holds its words so that no part of them
#: ("February") is read instead, and never resolves.
_NEVER = _Yearly(lambda y: None, "day")


def _yearly_date(month: int, day: int) -> _Yearly:
    if _safe_date(2000, month, day) is None:  # 2000 is a leap year
        return _NEVER

    def occ(y: int) -> Bounds | None:
        d = _safe_date(y, month, day)
        return (d, d) if d else None

    return _Yearly(occ, "day")


def _b_textual_date(m: re.Match, ctx: _Ctx) -> _Spec:
    return _yearly_date(_MONTHS[m.group("mon")], int(m.group("d")))


def _b_day_span(m: re.Match, ctx: _Ctx) -> _Spec:
    """"1-15 March", "between the 1st and the 15th of March", "March 3 to 9"."""
    month, d1, d2 = _MONTHS[m.group("mon")], int(m.group("d1")), int(m.group("d"))
    if d2 <= d1 or _safe_date(2000, month, d2) is None:
        return _NEVER

    def occ(y: int) -> Bounds | None:
        first, last = _safe_date(y, month, d1), _safe_date(y, month, d2)
        return (first, last) if first and last else None

    return _Yearly(occ, "span")


def _b_iso_week(m: re.Match, ctx: _Ctx) -> _Spec:
    """"week 12": ISO week 12 (with another week start, the week containing its Monday)."""
    w = int(m.group("w"))

    def occ(y: int) -> Bounds | None:
        try:
            monday = date.fromisocalendar(y, w, 1)
        except ValueError:  # no week 53 that year
            return None
        p = period_of("week", monday, week_start=ctx.week_start)
        return p.start, p.end

    return _Yearly(occ, "week")


def _b_iso_date(m: re.Match, ctx: _Ctx) -> _Spec:
    d = _safe_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
    return _day(d) if d else _NEVER


def _b_iso_month(m: re.Match, ctx: _Ctx) -> _Spec:
    return _Fixed(*_month(int(m.group("y")), int(m.group("m"))), "month")


def _full_year(text: str, ctx: _Ctx) -> int:
    """A two-digit year is 20xx unless that is more than 20 years after today."""
    y = int(text)
    if len(text) > 2:
        return y
    return 2000 + y if 2000 + y <= ctx.today.year + 20 else 1900 + y


def _b_numeric_date(m: re.Match, ctx: _Ctx) -> _Spec | None:
    a, b, sep, ytext = int(m.group("a")), int(m.group("b")), m.group("sep"), m.group("y")
    if sep == "-" and not ytext:
        return None  # "won 5-3" is a score
    readings = [(a, b), (b, a)] if sep == "." or ctx.date_order == "dmy" else [(b, a), (a, b)]
    for day, month in readings:
        if not 1 <= month <= 12:
            continue
        if ytext:
            d = _safe_date(_full_year(ytext, ctx), month, day)
            if d:
                return _day(d)
        elif (spec := _yearly_date(month, day)) is not _NEVER:
            return spec
    return _NEVER


def _b_year(m: re.Match, ctx: _Ctx) -> _Spec:
    y = int(m.group("y"))
    return _Fixed(date(y, 1, 1), date(y, 12, 31), "year")


def _b_year_span(m: re.Match, ctx: _Ctx) -> _Spec | None:
    y1, y2t = int(m.group("y1")), m.group("y2")
    y2 = int(y2t) if len(y2t) == 4 else y1 // 100 * 100 + int(y2t)
    if y2 <= y1:
        return None
    return _Fixed(date(y1, 1, 1), date(y2, 12, 31), "span")


def _b_decade(m: re.Match, ctx: _Ctx) -> _Spec:
    y = int(m.group("d")) if m.group("d") else 1900 + int(m.group("d2"))
    return _Fixed(date(y, 1, 1), date(y + 9, 12, 31), "decade")


def _b_quarter(m: re.Match, ctx: _Ctx) -> _Spec:
    groups = m.groupdict()
    q = int(groups["q"]) if groups.get("q") else _ORDINALS.get(groups["ord"], 4)
    return _Yearly(lambda y: _quarter(y, q), "quarter")


def _b_half(m: re.Match, ctx: _Ctx) -> _Spec:
    h = int(m.group("h"))
    return _Yearly(lambda y: _half(y, h), "half")


def _b_weekday(m: re.Match, ctx: _Ctx) -> _Spec:
    return _Weekly(_WEEKDAYS[m.group("wd")])


def _holiday(fn: Callable[[int], date]) -> _Builder:
    def build(m: re.Match, ctx: _Ctx) -> _Spec:
        def occ(y: int) -> Bounds:
            d = fn(y)
            return d, d

        return _Yearly(occ, "day")

    return build


_HOLIDAYS: list[tuple[str, Callable[[int], date], bool]] = [
    # (pattern, date in a year, needs a cue)
    (r"christmas\s+eve", lambda y: date(y, 12, 24), False),
    (r"(?:christmas|xmas|x-mas)(?:\s+day)?", lambda y: date(y, 12, 25), False),
    (r"boxing\s+day", lambda y: date(y, 12, 26), False),
    (r"new\s+years?'?\s+eve|new\s+year'?s\s+eve", lambda y: date(y, 12, 31), False),
    (r"new\s+years?'?\s+day|new\s+year'?s\s+day", lambda y: date(y, 1, 1), False),
    (r"new\s+year(?:'s|s'|s)(?!\s*(?:resolution|eve|day|party|plan|goal))", lambda y: date(y, 1, 1), False),
    (r"new\s+year(?!\s*'?s?'?\s*(?:resolution|eve|day|party|plan|goal))", lambda y: date(y, 1, 1), True),
    (r"valentine'?s\s+day|valentines\s+day", lambda y: date(y, 2, 14), False),
    (r"valentine'?s|valentines", lambda y: date(y, 2, 14), True),
    (r"(?:st\.?|saint)\s+patrick'?s\s+day", lambda y: date(y, 3, 17), False),
    (r"halloween", lambda y: date(y, 10, 31), False),
    (r"bonfire\s+night|guy\s+fawkes(?:\s+night|\s+day)?", lambda y: date(y, 11, 5), False),
    (r"good\s+friday", lambda y: _easter(y) - timedelta(days=2), False),
    (r"easter\s+monday", lambda y: _easter(y) + timedelta(days=1), False),
    (r"easter(?:\s+sunday|\s+day)?", _easter, False),
    (r"thanksgiving(?:\s+day)?", _thanksgiving, False),
]


def _r_fixed_day(offset: int) -> _Builder:
    return lambda m, ctx: _day(ctx.today + timedelta(days=offset))


def _unit(m: re.Match) -> str:
    return m.group("u").rstrip("s")


def _r_ago(m: re.Match, ctx: _Ctx) -> _Fixed:
    """"N units ago": the calendar unit containing today moved back N; with "today" ("a year
    ago today", "this day 2 years ago"), the single day."""
    n, unit = _number(m.group("n")), _unit(m)
    if m.group("exact") or m.group("exact_pre"):
        return _day(_move(unit, ctx.today, -n))
    if unit == "fortnight":
        return _unit_containing("week", ctx.today - timedelta(days=14 * n), ctx)
    return _unit_containing(unit, _move(unit, ctx.today, -n), ctx)


def _r_rolling(m: re.Match, ctx: _Ctx) -> _Fixed | None:
    """"the past N units" ends today; "the next N units" starts today."""
    n = _number(m.group("n")) if m.group("n") else 1
    unit, t = _unit(m), ctx.today
    if n < 1:
        return None
    if unit == "hour":  # no clock here: every day those hours may touch
        days = timedelta(days=-(-n // 24))
        return _Fixed(t, t + days) if m.group("dir") in ("next", "coming") else _Fixed(t - days, t)
    if m.group("dir") in ("next", "coming", "following"):
        return _Fixed(t, _move(unit, t, n) - timedelta(days=1))
    return _Fixed(_move(unit, t, -n) + timedelta(days=1), t)


_MOD_WORDS = {
    "last": "last", "previous": "last", "the previous": "last", "this past": "last", "the past": "last",
    "past": "last", "this": "this", "current": "this", "the current": "this", "next": "next",
    "the next": "next", "coming": "next", "the coming": "next", "this coming": "next",
}


def _mod(word: str) -> str:
    return _MOD_WORDS[re.sub(r"\s+", " ", word)]


def _r_calendar(m: re.Match, ctx: _Ctx) -> _Fixed:
    """"last/this/next week|month|quarter|season|year" (and "weekend")."""
    unit, step = m.group("u"), {"last": -1, "this": 0, "next": 1}[_mod(m.group("mod"))]
    if unit == "weekend":
        return _weekend(step, ctx)
    if unit == "decade":
        y = ctx.today.year // 10 * 10 + 10 * step
        return _Fixed(date(y, 1, 1), date(y + 9, 12, 31), "decade")
    return _unit_containing(unit, _move(unit, ctx.today, step), ctx)


def _weekend(step: int, ctx: _Ctx) -> _Fixed:
    if step < 0:
        s, e = _last_weekend(ctx.today)
        return _Fixed(s + timedelta(days=7 * (step + 1)), e + timedelta(days=7 * (step + 1)), "weekend")
    s, e = _this_weekend(ctx.today)
    return _Fixed(s + timedelta(days=7 * step), e + timedelta(days=7 * step), "weekend")


def _r_the_weekend(m: re.Match, ctx: _Ctx) -> _Fixed:
    return _weekend(0 if ctx.today.weekday() >= 5 else -1, ctx)


def _r_the_unit(m: re.Match, ctx: _Ctx) -> _Fixed:
    """"the year/month/week" after "of" ("the end of the year") is the current one."""
    return _unit_containing(m.group("u"), ctx.today, ctx)


def _r_day_of_month(m: re.Match, ctx: _Ctx) -> _Fixed | None:
    """"on the 3rd": the most recent 3rd of a month, on or before today."""
    day, first = int(m.group("d")), ctx.today.replace(day=1)
    for back in range(13):
        month_start = add_months(first, -back)
        d = _safe_date(month_start.year, month_start.month, day)
        if d is not None and d <= ctx.today:
            return _day(d)
    return None


def _nth_last(spec: _Spec, n: int, ctx: _Ctx) -> _Fixed | None:
    """The n-th most recent occurrence that has fully ended before today (n = 1: "last")."""
    found, limit = None, ctx.today
    for _ in range(n):
        if isinstance(spec, _Weekly):
            found = _weekday(spec, "last", ctx) if found is None else _day(found.start - timedelta(days=7))
        elif isinstance(spec, _Yearly):
            found = _latest(spec, lambda b, bound=limit: b[1] < bound, limit.year)
        if found is None:
            return None
        limit = found.start
    return found


def _r_seasons_ago(m: re.Match, ctx: _Ctx) -> _Fixed | None:
    """"two summers ago": the second most recent summer that has ended ("a summer ago" is
    last summer); also "two Christmases ago"."""
    what = m.group("what")
    if what.startswith(("christmas", "xmas")):
        spec: _Spec = _Yearly(lambda y: (date(y, 12, 25), date(y, 12, 25)), "day")
    else:
        spec = _b_season_named(what.rstrip("s"), ctx)
    return _nth_last(spec, _number(m.group("n")), ctx)


def _r_before_last(m: re.Match, ctx: _Ctx) -> _Fixed:
    """"the week before last" = 2 weeks ago; "the month after next" = in 2 months."""
    unit, step = m.group("u"), (-2 if m.group("dir") == "before last" else 2)
    if unit == "weekend":
        return _weekend(step, ctx)
    return _unit_containing(unit, _move(unit, ctx.today, step), ctx)


def _r_so_far(m: re.Match, ctx: _Ctx, unit: str | None = None) -> _Fixed:
    """"earlier this month", "so far this year", "year to date": start … today; "later this
    year": today … end."""
    p = _unit_containing(unit or m.group("u"), ctx.today, ctx)
    if m.groupdict().get("when") == "later":
        return _Fixed(ctx.today, p.end)
    return _Fixed(p.start, ctx.today)


def _r_this_time_last(m: re.Match, ctx: _Ctx) -> _Fixed:
    return _day(_move(m.group("u"), ctx.today, -1))


def _atom(pattern: str, build: _Builder, strong: _Strength = _always) -> _Atom:
    return _Atom(re.compile(pattern, re.ASCII), build, strong)


_NUM_START = r"(?<![\w$€£¥#@/.])(?<!\d[.,/:-])"
_NUM_END = r"(?![\w%/])(?![.,:-]\d)"
_DAY_NUM = r"(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DAY_TO = r"(?:-|\s(?:to|and|until|till|through|thru)\s)"

#: The grammar's atoms, in priority order (a longer match always wins; on equal length the
#: earlier atom does).
_ATOMS: list[_Atom] = [
    # relative days and periods
    _atom(r"\b(?:the\s+)?day\s+before\s+yesterday\b", _r_fixed_day(-2)),
    _atom(r"\b(?:the\s+)?day\s+after\s+tomorrow\b", _r_fixed_day(2)),
    _atom(r"\byesterday\b|\blast\s+night\b", _r_fixed_day(-1)),
    _atom(r"\btomorrow\b", _r_fixed_day(1)),
    _atom(r"\btoday\b|\btonight\b|\bthis\s+(?:morning|afternoon|evening)\b|\bearlier\s+today\b", _r_fixed_day(0)),
    _atom(
        rf"\b(?:(?P<exact_pre>(?:this|that)\s+(?:day|date|time)\s+|exactly\s+))?(?P<n>{_NUM_RE})\s+(?P<u>{_UNIT_RE})\s+ago"
        r"(?P<exact>\s+today|\s+to\s+the\s+day)?\b",
        _r_ago,
    ),
    _atom(
        rf"\b(?:(?:the|these)\s+)?(?P<dir>past|last|previous|next|coming)\s+(?P<n>{_NUM_RE})\s+(?P<u>{_ROLLING_UNIT_RE})\b",
        _r_rolling,
    ),
    _atom(
        r"\b(?:the|these)\s+(?P<dir>past|last|previous)\s+(?P<n>)(?P<u>week|fortnight|month|year)\b(?!\s+of\b)",
        _r_rolling,
    ),
    _atom(r"\bthe\s+(?P<u>week|month|year|weekend|quarter)\s+(?P<dir>before\s+last|after\s+next)\b", _r_before_last),
    _atom(
        r"\b(?P<mod>this\s+past|this\s+coming|the\s+coming|the\s+previous|the\s+current|the\s+next|last|previous|"
        r"this|current|next|coming|the\s+past)\s+(?P<u>week|month|quarter|season|year|weekend|decade)\b(?!\s+of\b)",
        _r_calendar,
    ),
    _atom(r"\b(?:the|my)\s+weekend\b(?!\s+of\b)", _r_the_weekend),
    _atom(r"\b(?P<u>year|month|week)[\s-]+to[\s-]+date\b", _r_so_far),
    _atom(r"\b(?P<u>y|m)td\b", lambda m, ctx: _r_so_far(m, ctx, unit={"y": "year", "m": "month"}[m.group("u")])),
    _atom(rf"\b(?P<n>{_NUM_RE})\s+(?P<what>(?:spring|summer|autumn|fall|winter)s?|christmas(?:es)?|xmas(?:es)?)\s+ago\b",
          _r_seasons_ago),
    _atom(rf"\bweek\s+(?P<w>5[0-3]|[1-4]\d|0?[1-9])\b(?!{_COUNT_AFTER.pattern})", _b_iso_week),
    _atom(r"\bthe\s+(?P<u>year|month|week)\b(?!\s+(?:before|after)\b)", _r_the_unit, _cued(_CUE_OF)),
    _atom(r"\b(?P<when>earlier|later)\s+this\s+(?P<u>week|month|quarter|season|year)\b", _r_so_far),
    _atom(r"\bso\s+far\s+this\s+(?P<u>week|month|quarter|season|year)\b", _r_so_far),
    _atom(r"\bthis\s+(?P<u>week|month|quarter|season|year)\s+so\s+far\b", _r_so_far),
    _atom(r"\bthis\s+(?:time|day|date)\s+last\s+(?P<u>week|month|year)\b", _r_this_time_last),
    # explicit dates
    _atom(rf"{_NUM_START}(?P<y>\d{{4}})(?P<sep>[-/.])(?P<m>\d{{1,2}})(?P=sep)(?P<d>\d{{1,2}}){_NUM_END}", _b_iso_date),
    _atom(rf"{_NUM_START}(?P<y>[12]\d\d\d)-(?P<m>0[1-9]|1[0-2]){_NUM_END}", _b_iso_month),
    _atom(
        rf"{_NUM_START}(?P<a>\d{{1,2}})(?P<sep>[/.-])(?P<b>\d{{1,2}})(?:(?P=sep)(?P<y>\d{{4}}|\d\d))?{_NUM_END}",
        _b_numeric_date,
        _numeric_strength,
    ),
    _atom(rf"{_NUM_START}{_DAY_NUM}(?:\s+of)?\s+(?P<mon>{_MONTH_RE})\b", _b_textual_date, _day_strength),
    _atom(
        rf"\b(?P<mon>{_MONTH_RE})\b\.?\s+(?:the\s+)?{_DAY_NUM}(?![\w:])(?![.,]\d)",
        _b_textual_date,
        _day_strength,
    ),
    _atom(
        rf"{_NUM_START}(?P<d1>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s*{_DAY_TO}\s*(?:the\s+)?{_DAY_NUM}"
        rf"(?:\s+of)?\s+(?P<mon>{_MONTH_RE})\b",
        _b_day_span,
        _day_strength,
    ),
    _atom(
        rf"\b(?P<mon>{_MONTH_RE})\b\.?\s+(?:the\s+)?(?P<d1>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?\s*{_DAY_TO}\s*"
        rf"(?:the\s+)?{_DAY_NUM}(?![\w:])(?![.,]\d)",
        _b_day_span,
        _day_strength,
    ),
    _atom(r"\bthe\s+(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\b(?!\s+(?:of|day|week|quarter|half|century)\b)",
          _r_day_of_month, _cued(_CUE_DAY)),
    # holidays
    *(
        _atom(rf"\b(?:{pattern})(?![\w])", _holiday(fn), _cued(_CUE_HOLIDAY) if cued else _always)
        for pattern, fn, cued in _HOLIDAYS
    ),
    # quarters and halves
    _atom(r"\bq(?P<q>[1-4])\b", _b_quarter),
    _atom(rf"\b(?P<ord>{_ORDINAL_RE}|last|final)\s+quarter\b(?=\s+of\b)", _b_quarter),
    _atom(rf"\b(?P<ord>{_ORDINAL_RE})\s+quarter\b", _b_quarter, _cued(_CUE_THE)),
    _atom(r"\bh(?P<h>[12])\b", _b_half, _cued(_CUE_THE)),
    # months, seasons, weekdays
    _atom(rf"\b(?P<mon>{_MONTH_RE})\b", _b_month, _month_strength),
    _atom(r"\b(?P<season>spring|summer|autumn|fall|winter)(?:time)?\b", _b_season, _season_strength),
    _atom(rf"\b(?P<wd>{_WEEKDAY_RE})\b", _b_weekday, _weekday_strength),
    # years and decades
    _atom(r"(?:\bthe\s+)?(?:\b(?P<d>[12]\d\d0)'?s|(?<!\w)'(?P<d2>\d0)s)\b", _b_decade),
    _atom(rf"{_NUM_START}(?P<y1>[12]\d\d\d)\s*[-/]\s*(?P<y2>[12]\d\d\d|\d\d){_NUM_END}", _b_year_span, _year_strength),
    _atom(rf"{_NUM_START}(?P<y>[12]\d\d\d){_NUM_END}", _b_year, _year_strength),
]


def _atoms(norm: str, orig: str, ctx: _Ctx) -> list[_Cand]:
    """Every atom match, then the longest non-overlapping ones (ties: earlier atom)."""
    found: list[_Cand] = []
    for prio, atom in enumerate(_ATOMS):
        for m in atom.pattern.finditer(norm):
            try:
                spec = atom.build(m, ctx)
            except (ValueError, OverflowError):
                spec = None
            if spec is not None:
                found.append(_Cand(m.start(), m.end(), spec, atom.strong(norm, orig, m), prio))
    return _non_overlapping(found)


def _non_overlapping(cands: list[_Cand]) -> list[_Cand]:
    chosen: list[_Cand] = []
    for c in sorted(cands, key=lambda c: (-(c.e - c.s), c.prio, c.s)):
        if all(c.e <= o.s or o.e <= c.s for o in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.s)


# --- composition ----------------------------------------------------------------------


def _merge(cands: list[_Cand], s: int, e: int, spec: _Spec) -> list[_Cand]:
    """Replace every candidate inside [s, e) by one new (strong) candidate."""
    kept = [c for c in cands if c.e <= s or c.s >= e]
    return sorted(kept + [_Cand(s, e, spec, True)], key=lambda c: c.s)


_YEAR_SEP = re.compile(r"\s*,\s*|\s+of\s+|\s+in\s+|\s+", re.ASCII)
_SEASON_SPAN = re.compile(
    rf"(?:\s*,\s*|\s+of\s+|\s+)(?P<y1>[12]\d\d\d)\s*[-/]\s*(?P<y2>[12]\d\d\d|\d\d){_NUM_END}", re.ASCII
)


_SHORT_YEAR = re.compile(r"(?:\s*,\s*|\s+of\s+|\s+)'(?P<yy>\d\d)(?![\w'])", re.ASCII)


def _is_year(c: _Cand) -> bool:
    return isinstance(c.spec, _Fixed) and c.spec.level == "year"


def _attach_years(norm: str, cands: list[_Cand], ctx: _Ctx) -> list[_Cand]:
    """A year joins the recurring thing next to it: "March 2024", "the fall of 2022",
    "Christmas last year", "winter 2025-26", "summer '19", "last year's Christmas", "last
    year in March", "2024 Q1"; a weekday joins a week ("Tuesday last week")."""
    i = 0
    while i < len(cands):
        c = cands[i]
        joined = None
        if isinstance(c.spec, _Yearly):
            joined = _join_year(norm, cands, i, ctx)
        elif isinstance(c.spec, _Weekly):
            joined = _join_week(norm, cands, i)
        if joined is not None:
            cands = joined
            continue
        i += 1
    return cands


def _join_week(norm: str, cands: list[_Cand], i: int) -> list[_Cand] | None:
    """A weekday joins a week next to it: "Tuesday last week", "last week on Tuesday",
    "Monday of the week before last"."""
    c = cands[i]
    assert isinstance(c.spec, _Weekly)
    if not c.strong:  # "the sun last week"
        return None
    nxt = cands[i + 1] if i + 1 < len(cands) else None
    prev = cands[i - 1] if i > 0 else None
    if nxt is not None and _is_week(nxt) and re.fullmatch(r"\s*,\s*|\s+(?:of\s+)?", norm[c.e : nxt.s]):
        week, s, e = nxt.spec, c.s, nxt.e
    elif prev is not None and _is_week(prev) and re.fullmatch(r"\s*,\s*|\s+(?:on\s+)?", norm[prev.e : c.s]):
        week, s, e = prev.spec, prev.s, c.e
    else:
        return None
    day = week.start + timedelta(days=(c.spec.weekday - week.start.weekday()) % 7)
    return _merge(cands, s, e, _day(day))


def _is_week(c: _Cand) -> bool:
    return isinstance(c.spec, _Fixed) and c.spec.level == "week"


def _join_year(norm: str, cands: list[_Cand], i: int, ctx: _Ctx) -> list[_Cand] | None:
    c = cands[i]
    spec = c.spec
    assert isinstance(spec, _Yearly)
    span = _SEASON_SPAN.match(norm, c.e) if spec.seasonal else None
    if span:
        y1, y2t = int(span.group("y1")), span.group("y2")
        y2 = int(y2t) if len(y2t) == 4 else y1 // 100 * 100 + int(y2t)
        if y2 == y1 + 1:
            return _fix(cands, c.s, span.end(), spec, y1)
    short = _SHORT_YEAR.match(norm, c.e)
    if short:
        return _fix(cands, c.s, short.end(), spec, _full_year(short.group("yy"), ctx))
    nxt = cands[i + 1] if i + 1 < len(cands) else None
    if nxt is not None and _is_year(nxt):
        sep = _YEAR_SEP.fullmatch(norm, c.e, nxt.s)
        # an ambiguous word takes only a written year: "May 2024", not "the march last year"
        written = norm[nxt.s : nxt.e].isdigit() and "in" not in sep.group(0) if sep else False
        if sep and (c.strong or written) and not _COUNT_AFTER.match(norm, nxt.e):
            return _fix(cands, c.s, nxt.e, spec, nxt.spec.start.year)
    prev = cands[i - 1] if i > 0 else None
    if prev is not None and _is_year(prev):
        between = norm[prev.e : c.s]
        if re.fullmatch(r"'s\s+|\s+in\s+(?:the\s+)?", between) or (
            spec.level in ("quarter", "half") and re.fullmatch(r"\s+", between)
        ):
            return _fix(cands, prev.s, c.e, spec, prev.spec.start.year)
    return None


def _fix(cands: list[_Cand], s: int, e: int, spec: _Yearly, year: int) -> list[_Cand]:
    b = spec.occ(year)
    if b is None:  # "30 February 2023": no such day, so no time named
        return [c for c in cands if c.e <= s or c.s >= e]
    return _merge(cands, s, e, _Fixed(b[0], b[1], spec.level))


def _drop_of_phrases(norm: str, cands: list[_Cand]) -> list[_Cand]:
    """A recurring word followed by "of" something that is not a year is not a time:
    "the fall of Rome", "the summer of love", "the first quarter of the game"."""
    return [c for c in cands if not (isinstance(c.spec, _Yearly) and re.match(r"\s+of\b", norm[c.e :]))]


_MODIFIER = re.compile(
    r"\b(?P<mod>this\s+past|this\s+coming|the\s+coming|the\s+previous|the\s+past|the\s+next|the\s+current|"
    r"last|previous|past|this|current|next|coming)\s+$",
    re.ASCII,
)


_BEFORE_LAST = re.compile(r"\s+before\s+last\b", re.ASCII)
_THE = re.compile(r"\bthe\s+$", re.ASCII)


def _apply_modifiers(norm: str, cands: list[_Cand], ctx: _Ctx) -> list[_Cand]:
    """"last spring", "this Christmas", "next Friday", "the summer before last"; then lone
    weekdays become days."""
    out = cands
    for c in list(cands):
        if not c.strong or isinstance(c.spec, _Fixed):
            continue
        later = _BEFORE_LAST.match(norm, c.e)
        if later is not None:
            fixed = _nth_last(c.spec, 2, ctx)
            if fixed is not None:
                the = _before(_THE, norm, c.s)
                out = _merge(out, the.start() if the else c.s, later.end(), fixed)
            continue
        m = _before(_MODIFIER, norm, c.s)
        fixed = _apply_modifier(c.spec, _mod(m.group("mod")), ctx) if m else None
        if m and fixed is not None:
            out = _merge(out, m.start(), c.e, fixed)
    return [replace(c, spec=_bare(c.spec, ctx)) if isinstance(c.spec, _Weekly) else c for c in out]


def _part(idx: int) -> Callable[[date, date, str], Bounds | None]:
    """early (0) / mid (1) / late (2) of a month, year, season or quarter."""

    def fn(s: date, e: date, level: str) -> Bounds | None:
        if level == "month":
            first = s.replace(day=1 + 10 * idx)
            return first, (e if idx == 2 else first + timedelta(days=9))
        if level == "year":
            return date(s.year, 1 + 4 * idx, 1), month_end(s.year, 4 + 4 * idx)
        if level in ("season", "quarter"):
            first = add_months(s, idx)
            return first, month_end(first.year, first.month)
        return None

    return fn


def _nth_week(n: int) -> Callable[[date, date, str], Bounds | None]:
    """Days 7(n−1)+1 … 7n of a month, quarter, season or year; n = 0: its last seven days."""

    def fn(s: date, e: date, level: str) -> Bounds | None:
        if level not in ("month", "quarter", "season", "half", "year"):
            return None
        if n == 0:
            return e - timedelta(days=6), e
        first = s + timedelta(days=7 * (n - 1))
        return (first, min(first + timedelta(days=6), e)) if first <= e else None

    return fn


def _nth_day(n: int) -> Callable[[date, date, str], Bounds | None]:
    """"the 3rd of last month": day n of a month."""

    def fn(s: date, e: date, level: str) -> Bounds | None:
        d = s + timedelta(days=n - 1)
        return (d, d) if level == "month" and d <= e else None

    return fn


def _edge_day(last: bool) -> Callable[[date, date, str], Bounds | None]:
    return lambda s, e, level: ((e, e) if last else (s, s)) if e > s else None


def _half_of(h: int) -> Callable[[date, date, str], Bounds | None]:
    def fn(s: date, e: date, level: str) -> Bounds | None:
        if level == "year":
            return _half(s.year, h)
        if level == "month":
            return (s, s.replace(day=15)) if h == 1 else (s.replace(day=16), e)
        return None

    return fn


def _week_of(ctx: _Ctx) -> Callable[[date, date, str], Bounds | None]:
    def fn(s: date, e: date, level: str) -> Bounds | None:
        if level != "day":
            return None
        p = period_of("week", s, week_start=ctx.week_start)
        return p.start, p.end

    return fn


def _adjacent(unit: str, direction: str) -> Callable[[date, date, str], Bounds | None]:
    """"the day (night, morning …) before X": one day; "the week before X": the seven days
    just before X ("after": just after)."""
    days = 7 if unit == "week" else 1

    def fn(s: date, e: date, level: str) -> Bounds | None:
        if direction == "before":
            return s - timedelta(days=days), s - timedelta(days=1)
        return e + timedelta(days=1), e + timedelta(days=days)

    return fn


def _weekday_near(weekday: int | None, direction: str) -> Callable[[date, date, str], Bounds | None]:
    """"the Sunday before X": the last Sunday before X starts ("after": the first after it
    ends); ``weekday`` None: "the weekend before/after X", a whole Saturday–Sunday."""

    def fn(s: date, e: date, level: str) -> Bounds | None:
        if direction == "before":
            d = s - timedelta(days=1)
            d -= timedelta(days=(d.weekday() - (6 if weekday is None else weekday)) % 7)
            return (d, d) if weekday is not None else (d - timedelta(days=1), d)
        d = e + timedelta(days=1)
        d += timedelta(days=((5 if weekday is None else weekday) - d.weekday()) % 7)
        return (d, d) if weekday is not None else (d, d + timedelta(days=1))

    return fn


def _shifted(unit: str, n: int, direction: str, ctx: _Ctx) -> Callable[[date, date, str], Bounds | None]:
    """"3 days before X": that day; "2 weeks after X": the week containing X + 14 days (as
    "N weeks ago" is the week containing today − 7·N)."""

    def fn(s: date, e: date, level: str) -> Bounds | None:
        d = _move(unit, s, -n) if direction == "before" else _move(unit, e, n)
        f = _unit_containing("week" if unit == "fortnight" else unit, d, ctx)
        return f.start, f.end

    return fn


_PREFIXES: list[tuple[re.Pattern, Callable[[re.Match, _Ctx], tuple[Callable, str]]]] = [
    (
        re.compile(r"\b(?P<p>early|mid|late)(?:\s*-\s*|\s+)(?:in\s+)?(?:the\s+)?$", re.ASCII),
        lambda m, ctx: (_part({"early": 0, "mid": 1, "late": 2}[m.group("p")]), "span"),
    ),
    (
        re.compile(r"\b(?:the\s+)?(?:very\s+)?(?P<p>beginning|start|middle|end)\s+of\s+(?:the\s+)?$", re.ASCII),
        lambda m, ctx: (_part({"beginning": 0, "start": 0, "middle": 1, "end": 2}[m.group("p")]), "span"),
    ),
    (
        re.compile(rf"\b(?:the\s+)?(?P<o>{_ORDINAL_RE}|last|final)\s+week\s+(?:of|in)\s+(?:the\s+)?$", re.ASCII),
        lambda m, ctx: (_nth_week(_ORDINALS.get(m.group("o"), 0)), "span"),
    ),
    (
        re.compile(r"\b(?:the\s+)?(?P<o>first|last|final)\s+day\s+of\s+(?:the\s+)?$", re.ASCII),
        lambda m, ctx: (_edge_day(m.group("o") != "first"), "day"),
    ),
    (
        re.compile(r"\b(?:the\s+)?(?P<o>first|1st|second|2nd|latter)\s+half\s+of\s+(?:the\s+)?$", re.ASCII),
        lambda m, ctx: (_half_of(1 if m.group("o") in ("first", "1st") else 2), "half"),
    ),
    (
        re.compile(r"\b(?:the\s+)?(?P<d>[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)\s+(?:day\s+)?of\s+(?:the\s+)?$", re.ASCII),
        lambda m, ctx: (_nth_day(int(m.group("d"))), "day"),
    ),
    (
        re.compile(r"\b(?:the\s+)?week\s+of\s+$", re.ASCII),
        lambda m, ctx: (_week_of(ctx), "week"),
    ),
    (
        re.compile(r"\b(?:the|that)\s+(?P<u>day|night|evening|morning|week)\s+(?P<dir>before|after)\s+(?:the\s+)?$", re.ASCII),
        lambda m, ctx: (_adjacent(m.group("u"), m.group("dir")), "span" if m.group("u") == "week" else "day"),
    ),
    (
        re.compile(
            rf"\b(?:the\s+)?(?:(?P<wd>{'|'.join(n for n in _WEEKDAYS if n.endswith('day'))})|weekend)\s+"
            r"(?P<dir>before|after)\s+(?:the\s+)?$",
            re.ASCII,
        ),
        lambda m, ctx: (
            _weekday_near(_WEEKDAYS[m.group("wd")] if m.group("wd") else None, m.group("dir")),
            "day" if m.group("wd") else "weekend",
        ),
    ),
    (
        re.compile(
            rf"\b(?P<n>{_NUM_RE})\s+(?P<u>day|week|fortnight|month|year)s?\s+(?P<dir>before|after)\s+(?:the\s+)?$",
            re.ASCII,
        ),
        lambda m, ctx: (_shifted(m.group("u"), _number(m.group("n")), m.group("dir"), ctx), "span"),
    ),
]


def _apply_prefixes(norm: str, cands: list[_Cand], ctx: _Ctx) -> list[_Cand]:
    """early/mid/late, "the first week of", "the last day of", "the first half of", "the
    week of", "the day before/after", "3 days after"; the longest prefix wins."""
    out = cands
    for c in list(cands):
        if not c.strong:
            continue
        matches = [(m, make) for rx, make in _PREFIXES if (m := _before(rx, norm, c.s))]
        if not matches:
            continue
        m, make = min(matches, key=lambda pair: pair[0].start())
        fn, level = make(m, ctx)
        spec = _map(c.spec, fn, level)
        if spec is not None:
            out = _merge(out, m.start(), c.e, spec)
    return out


# --- ranges ---------------------------------------------------------------------------

_OPENER = re.compile(r"\b(?P<op>between|from)\s+(?:the\s+)?$", re.ASCII)
_CONNECTOR = re.compile(r"\s*-\s*|\s+(?P<w>to|till|til|until|through|thru|and)\s+", re.ASCII)


def _span(a: _Spec, b: _Spec, ctx: _Ctx) -> _Fixed | None:
    """From ``a``'s start to ``b``'s end, placing yearless ends as the docstring says."""
    if isinstance(a, _Yearly) and isinstance(b, _Fixed):
        fa = _latest(a, lambda x: x[0] <= b.start, b.start.year)
    else:
        fa = _bare(a, ctx)
    if fa is None:
        return None
    if isinstance(b, _Yearly):
        fb = _earliest(b, lambda x: x[1] >= fa.end, fa.end.year)
    else:
        fb = _bare(b, ctx)
    if fb is None or fb.end < fa.start:
        return None
    return _Fixed(fa.start, fb.end)


def _same_kind(a: _Spec, b: _Spec) -> bool:
    """Two months (seasons, quarters) joined by a dash or "through/until" are a range even
    when both words are ambiguous on their own ("Jan-Mar", "March through May"); "to" is not
    enough ("I introduced May to June")."""
    return isinstance(a, _Yearly) and isinstance(b, _Yearly) and a.level == b.level and a.level in (
        "month", "season", "quarter", "half")


def _join_ranges(norm: str, cands: list[_Cand], ctx: _Ctx) -> list[_Cand]:
    """"between A and B", "from A to B", "A-B", "A to/through/until B"."""
    i = 0
    while i + 1 < len(cands):
        a, b = cands[i], cands[i + 1]
        conn = _CONNECTOR.fullmatch(norm, a.e, b.s)
        opener = _before(_OPENER, norm, a.s)
        word = conn.group("w") if conn else None
        ok = conn is not None and (a.strong or b.strong or _same_kind(a.spec, b.spec) and word not in ("and", "to"))
        if ok and word == "and":
            ok = opener is not None and opener.group("op") == "between"
        if ok and opener is not None and opener.group("op") == "between" and word not in ("and", None):
            ok = False
        span = _span(a.spec, b.spec, ctx) if ok else None
        if span is not None:
            s = opener.start() if opener is not None else a.s
            cands = _merge(cands, s, b.e, span)
            continue
        i += 1
    return cands


_SINCE = re.compile(r"\b(?:ever\s+)?since\s+(?:the\s+)?$", re.ASCII)
_AFTER = re.compile(r"\bafter\s+(?:the\s+)?$", re.ASCII)
_BEFORE = re.compile(r"\b(?:before|until|till|til|prior\s+to)\s+(?:the\s+)?$", re.ASCII)


def _open_ranges(norm: str, cands: list[_Cand], ctx: _Ctx) -> list[_Cand]:
    """"since A" → A's start … today; "after A" → the day after A … today; "before A" and
    "until A" name no start, so A is dropped."""
    out = cands
    for c in list(cands):
        if not c.strong:
            continue
        if (m := _before(_SINCE, norm, c.s)) is not None:
            f = _bare(c.spec, ctx)
            if f is not None and f.start <= ctx.today:
                out = _merge(out, m.start(), c.e, _Fixed(f.start, ctx.today))
        elif (m := _before(_AFTER, norm, c.s)) is not None:
            f = _bare(c.spec, ctx)
            if f is not None and f.end < ctx.today:
                out = _merge(out, m.start(), c.e, _Fixed(f.end + timedelta(days=1), ctx.today))
            else:
                out = [o for o in out if o is not c]
        elif _before(_BEFORE, norm, c.s) is not None:
            out = [o for o in out if o is not c]
    return out


# --- choosing the answer --------------------------------------------------------------


#: Ranges outside these are not diary dates (and would overflow the calendar math).
_EARLIEST, _LATEST = date(1000, 1, 1), date(9998, 12, 31)


def _best(norm: str, text: str, ctx: _Ctx) -> tuple[_Cand, _Fixed] | None:
    try:
        cands = _atoms(norm, text, ctx)
        cands = _attach_years(norm, cands, ctx)
        cands = _drop_of_phrases(norm, cands)
        cands = _apply_modifiers(norm, cands, ctx)
        cands = _apply_prefixes(norm, cands, ctx)
        cands = _join_ranges(norm, cands, ctx)
        cands = _open_ranges(norm, cands, ctx)
        resolved = [(c, f) for c in cands if c.strong and (f := _bare(c.spec, ctx)) is not None]
    except (ValueError, OverflowError):  # dates beyond 1…9999: not a time we can name
        return None
    resolved = [(c, f) for c, f in resolved if _EARLIEST <= f.start <= f.end <= _LATEST]
    if not resolved:
        return None
    return max(resolved, key=lambda cf: (cf[0].e - cf[0].s, -cf[0].s))


_LEAD = re.compile(
    r"(?:\b(?P<prep>in|on|during|over|throughout|around|at|for|from|between)\s+)?(?P<the>\bthe\s+)?$", re.ASCII
)


def _extend_left(norm: str, s: int, days: int) -> int:
    """Take in a preposition and "the" before the expression ("in the fall of 2022"), but
    not a verb's particle: "on" only before a day or weekend ("going on two weeks ago"),
    "at" only before "the" ("volunteer at yesterday"), "over" not before one day ("come
    over tomorrow")."""
    m = _before(_LEAD, norm, s)
    if m is None:
        return s
    prep, the = m.group("prep"), bool(m.group("the")) or norm.startswith("the ", s)
    particle = (prep == "on" and days > 2) or (prep == "at" and not the) or (prep == "over" and days == 1)
    if particle:
        return m.start("the") if m.group("the") else s
    return m.start()


# --- labels ---------------------------------------------------------------------------


def _label(start: date, end: date, ctx: _Ctx) -> str:
    """The period's own label if the range is exactly one period, else a span of dates."""
    for level in ("day", "week", "month", "season", "year"):
        p = period_of(level, start, hemisphere=ctx.hemisphere, week_start=ctx.week_start)
        if p.start == start and p.end == end:
            return p.label
    q = _quarter(start.year, (start.month - 1) // 3 + 1)
    if q == (start, end):
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    return _span_label(start, end)


def _span_label(start: date, end: date) -> str:
    whole_months = start.day == 1 and end == month_end(end.year, end.month)
    if whole_months and start.month == 1 and end.month == 12:
        return f"{start.year}–{end.year}"
    if whole_months:
        if start.year == end.year:
            return f"{MONTH_ABBR[start.month - 1]} – {MONTH_ABBR[end.month - 1]} {end.year}"
        return f"{MONTH_ABBR[start.month - 1]} {start.year} – {MONTH_ABBR[end.month - 1]} {end.year}"
    if start.year == end.year and start.month == end.month:
        return f"{start.day}–{end.day} {MONTH_ABBR[end.month - 1]} {end.year}"
    if start.year == end.year:
        return f"{start.day} {MONTH_ABBR[start.month - 1]} – {format_day(end)}"
    return f"{format_day(start)} – {format_day(end)}"
