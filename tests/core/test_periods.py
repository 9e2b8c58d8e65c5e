"""Calendar periods: levels, weeks, meteorological seasons in both hemispheres, labels."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lucy_app.core.errors import InvalidInput
from lucy_app.core.periods import (
    LEVELS,
    Period,
    add_months,
    period_of,
    periods_between,
    season_of,
    season_period,
    season_year_of,
    shift,
)

D = date


def test_levels_are_the_digest_ladder():
    assert LEVELS == ("day", "week", "month", "season", "year")


def test_period_of_each_level():
    d = D(2026, 3, 3)  # a Tuesday
    assert period_of("day", d) == Period("day", d, d)
    assert period_of("week", d) == Period("week", D(2026, 3, 2), D(2026, 3, 8))
    assert period_of("month", d) == Period("month", D(2026, 3, 1), D(2026, 3, 31))
    assert period_of("season", d) == Period("season", D(2026, 3, 1), D(2026, 5, 31))
    assert period_of("year", d) == Period("year", D(2026, 1, 1), D(2026, 12, 31))


def test_weeks_start_on_monday_by_default_and_on_sunday_when_asked():
    sunday = D(2026, 3, 8)
    assert period_of("week", sunday).start == D(2026, 3, 2)
    assert period_of("week", sunday, week_start=6) == Period("week", sunday, D(2026, 3, 14))
    assert period_of("week", D(2026, 3, 7), week_start=6).start == D(2026, 3, 1)


def test_labels():
    assert period_of("day", D(2026, 3, 3)).label == "Tue 3 Mar 2026"
    assert period_of("week", D(2026, 3, 3)).label == "Week of 2 Mar 2026"
    assert period_of("month", D(2026, 3, 3)).label == "March 2026"
    assert period_of("season", D(2026, 3, 3)).label == "Spring 2026"
    assert period_of("season", D(2026, 1, 3)).label == "Winter 2025–26"
    assert period_of("season", D(2026, 1, 3), hemisphere="south").label == "Summer 2025–26"
    assert period_of("season", D(2026, 3, 3), hemisphere="south").label == "Autumn 2026"
    assert period_of("year", D(2026, 3, 3)).label == "2026"


@pytest.mark.parametrize(
    ("name", "north", "south"),
    [
        ("spring", (D(2025, 3, 1), D(2025, 5, 31)), (D(2025, 9, 1), D(2025, 11, 30))),
        ("summer", (D(2025, 6, 1), D(2025, 8, 31)), (D(2025, 12, 1), D(2026, 2, 28))),
        ("autumn", (D(2025, 9, 1), D(2025, 11, 30)), (D(2025, 3, 1), D(2025, 5, 31))),
        ("fall", (D(2025, 9, 1), D(2025, 11, 30)), (D(2025, 3, 1), D(2025, 5, 31))),
        ("winter", (D(2025, 12, 1), D(2026, 2, 28)), (D(2025, 6, 1), D(2025, 8, 31))),
    ],
)
def test_meteorological_seasons_in_both_hemispheres(name, north, south):
    n, s = season_period(name, 2025), season_period(name, 2025, "south")
    assert (n.start, n.end) == north
    assert (s.start, s.end) == south


def test_winter_2023_ends_on_leap_day():
    assert season_period("winter", 2023) == Period("season", D(2023, 12, 1), D(2024, 2, 29))


def test_season_of_january_is_the_winter_that_started_in_december():
    name, p = season_of(D(2024, 1, 15))
    assert name == "winter" and p == season_period("winter", 2023)
    name, p = season_of(D(2024, 1, 15), "south")
    assert name == "summer" and p == season_period("summer", 2023, "south")


def test_season_year_runs_march_to_february():
    assert season_year_of(D(2026, 2, 28)) == 2025
    assert season_year_of(D(2026, 3, 1)) == 2026


def test_add_months_clamps_the_day():
    assert add_months(D(2024, 3, 31), -1) == D(2024, 2, 29)
    assert add_months(D(2023, 3, 31), -1) == D(2023, 2, 28)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)


def test_shift_moves_by_whole_periods():
    assert shift(period_of("month", D(2024, 3, 31)), -1) == Period("month", D(2024, 2, 1), D(2024, 2, 29))
    assert shift(period_of("season", D(2024, 1, 1)), 1) == season_period("spring", 2024)
    assert shift(period_of("week", D(2026, 3, 8), week_start=6), 1).start == D(2026, 3, 15)
    assert shift(period_of("year", D(2024, 6, 1)), -2).label == "2022"


def test_periods_between_covers_the_span_in_order():
    labels = [p.label for p in periods_between("season", D(2023, 11, 1), D(2024, 6, 1))]
    assert labels == ["Autumn 2023", "Winter 2023–24", "Spring 2024", "Summer 2024"]
    assert list(periods_between("day", D(2024, 1, 2), D(2024, 1, 1))) == []


def test_hemisphere_only_names_the_season():
    assert period_of("season", D(2026, 4, 1)) == period_of("season", D(2026, 4, 1), hemisphere="south")


@pytest.mark.parametrize(
    "call",
    [
        lambda: period_of("fortnight", D(2024, 1, 1)),
        lambda: period_of("week", D(2024, 1, 1), week_start=7),
        lambda: period_of("week", D(2024, 1, 1), week_start=True),
        lambda: period_of("season", D(2024, 1, 1), hemisphere="east"),
        lambda: season_period("monsoon", 2024),
    ],
)
def test_bad_arguments_are_invalid_input(call):
    with pytest.raises(InvalidInput):
        call()


days = st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31))


@given(days, st.sampled_from(LEVELS), st.sampled_from(["north", "south"]), st.integers(0, 6))
def test_every_day_is_in_its_period_and_periods_tile(d, level, hemisphere, week_start):
    p = period_of(level, d, hemisphere=hemisphere, week_start=week_start)
    assert p.contains(d) and p.level == level
    nxt = shift(p, 1)
    assert nxt.start == p.end + timedelta(days=1)
    assert shift(nxt, -1) == p
    assert period_of(level, p.start, hemisphere=hemisphere, week_start=week_start) == p
    assert period_of(level, p.end, hemisphere=hemisphere, week_start=week_start) == p


@given(days, st.sampled_from(["north", "south"]))
def test_seasons_are_three_whole_months(d, hemisphere):
    name, p = season_of(d, hemisphere)
    assert p.start.day == 1 and (p.end + timedelta(days=1)).day == 1
    assert add_months(p.start, 3) == p.end + timedelta(days=1)
    assert season_period(name, p.start.year, hemisphere) == p
