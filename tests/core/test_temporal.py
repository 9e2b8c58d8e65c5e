"""Time expressions in questions → date ranges.

One test per convention of ``../shared/bench/README.md`` (section temporal/), each with
phrasings that are not in the dev set, plus false positives, boundaries and properties.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lucy_app.core.errors import InvalidInput
from lucy_app.core.periods import period_of, season_of, season_period
from lucy_app.core.temporal import DateRange, parse_range

D = date
WED = D(2026, 11, 25)  # a Wednesday


def rng(text, today=WED, **kw):
    """(start, end) as ISO strings, or None."""
    r = parse_range(text, today, **kw)
    return None if r is None else (r.start.isoformat(), r.end.isoformat())


def check(cases, **kw):
    for today, text, start, end in cases:
        assert rng(text, today, **kw) == (start, end), (today, text)


# --- seasons --------------------------------------------------------------------------


def test_seasons_are_meteorological_and_take_the_year_they_start_in():
    check([
        (WED, "What did I do in autumn 2021?", "2021-09-01", "2021-11-30"),
        (WED, "Remind me of winter 2019", "2019-12-01", "2020-02-29"),
        (WED, "spring of 2018", "2018-03-01", "2018-05-31"),
        (WED, "the summer of 2001", "2001-06-01", "2001-08-31"),
        (WED, "How cold was winter 2021-22?", "2021-12-01", "2022-02-28"),
        (WED, "fall 2020", "2020-09-01", "2020-11-30"),
    ])


def test_winter_2023_ends_on_29_february_2024():
    assert rng("What did I write during winter 2023?") == ("2023-12-01", "2024-02-29")


def test_southern_hemisphere_shifts_seasons_by_six_months():
    south = {"hemisphere": "south"}
    check([
        (WED, "summer 2023", "2023-12-01", "2024-02-29"),
        (WED, "last winter", "2026-06-01", "2026-08-31"),
        (WED, "this spring", "2026-09-01", "2026-11-30"),
        (WED, "autumn 2020", "2020-03-01", "2020-05-31"),
        (D(2026, 1, 10), "this summer", "2025-12-01", "2026-02-28"),
    ], **south)


def test_last_season_is_the_most_recent_fully_ended_one():
    check([
        (D(2026, 7, 10), "How was last summer?", "2025-06-01", "2025-08-31"),
        (D(2026, 9, 1), "How was last summer?", "2026-06-01", "2026-08-31"),
        (D(2026, 12, 5), "this past autumn", "2026-09-01", "2026-11-30"),
        (D(2026, 5, 31), "last spring", "2025-03-01", "2025-05-31"),
    ])


def test_last_winter_in_january_vs_in_march():
    assert rng("last winter", D(2026, 1, 20)) == ("2024-12-01", "2025-02-28")
    assert rng("last winter", D(2026, 3, 10)) == ("2025-12-01", "2026-02-28")


def test_this_season_is_the_one_of_the_current_season_year():
    check([
        (D(2026, 1, 20), "What happened this winter?", "2025-12-01", "2026-02-28"),
        (D(2024, 2, 29), "this winter", "2023-12-01", "2024-02-29"),
        (WED, "this winter", "2026-12-01", "2027-02-28"),
        (D(2026, 7, 10), "this summer", "2026-06-01", "2026-08-31"),
        (D(2026, 1, 20), "this spring", "2025-03-01", "2025-05-31"),
    ])


def test_next_season_is_the_first_that_starts_after_today():
    assert rng("next summer", D(2026, 7, 10)) == ("2027-06-01", "2027-08-31")
    assert rng("next winter", D(2026, 1, 10)) == ("2026-12-01", "2027-02-28")


def test_bare_season_is_the_most_recent_that_has_started():
    assert rng("What did I do in the summer?", D(2026, 4, 15)) == ("2025-06-01", "2025-08-31")
    assert rng("over the winter", D(2026, 1, 15)) == ("2025-12-01", "2026-02-28")


# --- weeks, weekends, days ------------------------------------------------------------


def test_weeks_run_monday_to_sunday():
    check([
        (WED, "last week", "2026-11-16", "2026-11-22"),
        (D(2026, 11, 23), "this week", "2026-11-23", "2026-11-29"),
        (D(2026, 11, 29), "this week", "2026-11-23", "2026-11-29"),
        (WED, "next week", "2026-11-30", "2026-12-06"),
    ])


def test_sunday_weeks_when_week_start_is_6():
    sunday = {"week_start": 6}
    check([
        (WED, "last week", "2026-11-15", "2026-11-21"),
        (WED, "this week", "2026-11-22", "2026-11-28"),
        (WED, "two weeks ago", "2026-11-08", "2026-11-14"),
        (WED, "the week before last", "2026-11-08", "2026-11-14"),
    ], **sunday)


def test_n_weeks_ago_is_the_week_containing_today_minus_7n():
    check([
        (WED, "What was I doing 3 weeks ago?", "2026-11-02", "2026-11-08"),
        (WED, "the week before last", "2026-11-09", "2026-11-15"),
        (WED, "a week ago", "2026-11-16", "2026-11-22"),
        (D(2026, 11, 30), "a fortnight ago", "2026-11-16", "2026-11-22"),
    ])


def test_last_weekend_is_the_most_recent_saturday_sunday_before_today():
    check([
        (D(2026, 11, 28), "last weekend", "2026-11-21", "2026-11-22"),  # Saturday
        (D(2026, 11, 29), "last weekend", "2026-11-21", "2026-11-22"),  # Sunday
        (D(2026, 11, 30), "last weekend", "2026-11-28", "2026-11-29"),  # Monday
        (D(2026, 11, 30), "the weekend before last", "2026-11-21", "2026-11-22"),
    ])


def test_this_weekend_is_the_current_or_coming_one():
    assert rng("this weekend", WED) == ("2026-11-28", "2026-11-29")
    assert rng("this weekend", D(2026, 11, 29)) == ("2026-11-28", "2026-11-29")
    assert rng("this weekend", WED, week_start=6) == ("2026-11-28", "2026-11-29")
    assert rng("over the weekend", WED) == ("2026-11-21", "2026-11-22")


def test_n_days_ago_is_that_one_day():
    check([
        (WED, "ten days ago", "2026-11-15", "2026-11-15"),
        (WED, "What did I do 1 day ago?", "2026-11-24", "2026-11-24"),
        (D(2024, 3, 1), "yesterday", "2024-02-29", "2024-02-29"),
        (D(2024, 3, 1), "the day before yesterday", "2024-02-28", "2024-02-28"),
        (WED, "What did I write today?", "2026-11-25", "2026-11-25"),
        (WED, "last night", "2026-11-24", "2026-11-24"),
    ])


def test_the_past_n_days_end_today():
    check([
        (WED, "the past 7 days", "2026-11-19", "2026-11-25"),
        (WED, "in the last two weeks", "2026-11-12", "2026-11-25"),
        (WED, "over the past 3 months", "2026-08-26", "2026-11-25"),
        (WED, "in the past year", "2025-11-26", "2026-11-25"),
        (WED, "the last few days", "2026-11-23", "2026-11-25"),
        (WED, "the next 3 days", "2026-11-25", "2026-11-27"),
    ])


def test_weekdays():
    check([
        (WED, "on Monday", "2026-11-23", "2026-11-23"),
        (WED, "on Wednesday", "2026-11-25", "2026-11-25"),
        (WED, "last Wednesday", "2026-11-18", "2026-11-18"),
        (WED, "next Monday", "2026-11-30", "2026-11-30"),
        (WED, "this Friday", "2026-11-27", "2026-11-27"),
        (WED, "on sat", "2026-11-21", "2026-11-21"),
    ])
    assert rng("this Sunday", WED) == ("2026-11-29", "2026-11-29")
    assert rng("this Sunday", WED, week_start=6) == ("2026-11-22", "2026-11-22")


# --- months and years -----------------------------------------------------------------


def test_last_month_and_year_are_the_previous_calendar_ones():
    check([
        (D(2026, 3, 31), "last month", "2026-02-01", "2026-02-28"),
        (D(2026, 1, 15), "last month", "2025-12-01", "2025-12-31"),
        (D(2026, 12, 31), "next month", "2027-01-01", "2027-01-31"),
        (WED, "this month", "2026-11-01", "2026-11-30"),
        (D(2026, 1, 1), "last year", "2025-01-01", "2025-12-31"),
        (WED, "the year before last", "2024-01-01", "2024-12-31"),
    ])


def test_n_months_ago_is_the_calendar_month_shifted():
    check([
        (D(2026, 3, 31), "6 months ago", "2025-09-01", "2025-09-30"),
        (D(2026, 1, 10), "three months ago", "2025-10-01", "2025-10-31"),
        (WED, "2 years ago", "2024-01-01", "2024-12-31"),
        (WED, "a quarter ago", "2026-07-01", "2026-09-30"),
    ])


def test_a_year_ago_today_is_one_day():
    assert rng("a year ago today", D(2024, 2, 29)) == ("2023-02-28", "2023-02-28")
    assert rng("this time last year", WED) == ("2025-11-25", "2025-11-25")
    assert rng("three weeks ago today", WED) == ("2026-11-04", "2026-11-04")


def test_bare_month_is_the_most_recent_that_has_started():
    check([
        (WED, "in November", "2026-11-01", "2026-11-30"),
        (D(2026, 10, 31), "in November", "2025-11-01", "2025-11-30"),
        (WED, "during Sept", "2026-09-01", "2026-09-30"),
        (WED, "in May", "2026-05-01", "2026-05-31"),
        (WED, "What happened in May 2021?", "2021-05-01", "2021-05-31"),
        (WED, "Feb 2020", "2020-02-01", "2020-02-29"),
        (WED, "in March of last year", "2025-03-01", "2025-03-31"),
    ])


def test_last_this_next_month_name():
    check([
        (D(2026, 4, 15), "last March", "2026-03-01", "2026-03-31"),
        (D(2026, 3, 15), "last March", "2025-03-01", "2025-03-31"),
        (D(2026, 3, 15), "next March", "2027-03-01", "2027-03-31"),
        (WED, "this May", "2026-05-01", "2026-05-31"),
    ])


def test_years_alone():
    check([
        (WED, "in 1999", "1999-01-01", "1999-12-31"),
        (WED, "What do I plan for 2031?", "2031-01-01", "2031-12-31"),
        (WED, "Summarize 2012", "2012-01-01", "2012-12-31"),
        (WED, "between 2019 and 2021", "2019-01-01", "2021-12-31"),
        (WED, "2016-2018", "2016-01-01", "2018-12-31"),
        (WED, "in the 1990s", "1990-01-01", "1999-12-31"),
    ])


def test_any_explicit_four_digit_year_is_that_year():
    """Diaries are imported from any century: 1666 is 1666, never a year near today."""
    check([
        (WED, "What happened in September 1666?", "1666-09-01", "1666-09-30"),
        (WED, "the spring of 1650", "1650-03-01", "1650-05-31"),
        (WED, "What did I do in 1666?", "1666-01-01", "1666-12-31"),
        (WED, "since 1903", "1903-01-01", "2026-11-25"),
        (WED, "What happened on 2 September 1666?", "1666-09-02", "1666-09-02"),
        (WED, "during the 1660s", "1660-01-01", "1669-12-31"),
        (WED, "between March and May 1667", "1667-03-01", "1667-05-31"),
        (WED, "winter 1666", "1666-12-01", "1667-02-28"),
        (WED, "1666-09-02", "1666-09-02", "1666-09-02"),
    ])
    assert rng("I walked 1500 steps") is None
    assert rng("Room 1205 was cold") is None


# --- holidays -------------------------------------------------------------------------


def test_bare_holiday_is_the_most_recent_that_has_started():
    check([
        (D(2026, 10, 30), "on Halloween", "2025-10-31", "2025-10-31"),
        (D(2026, 10, 31), "on Halloween", "2026-10-31", "2026-10-31"),
        (WED, "on Christmas Eve 2019", "2019-12-24", "2019-12-24"),
        (WED, "on New Year's Day", "2026-01-01", "2026-01-01"),
        (WED, "New Year's Eve", "2025-12-31", "2025-12-31"),
        (D(2026, 2, 13), "Valentine's Day", "2025-02-14", "2025-02-14"),
        (D(2026, 2, 13), "on 14 February", "2025-02-14", "2025-02-14"),
        (WED, "Easter 2024", "2024-03-31", "2024-03-31"),
        (WED, "Thanksgiving", "2025-11-27", "2025-11-27"),
        (WED, "Christmas last year", "2025-12-25", "2025-12-25"),
        (WED, "the day after Christmas", "2025-12-26", "2025-12-26"),
    ])


def test_last_holiday_has_fully_ended():
    assert rng("last Christmas", D(2026, 12, 25)) == ("2025-12-25", "2025-12-25")
    assert rng("last Christmas", D(2026, 12, 26)) == ("2026-12-25", "2026-12-25")


# --- parts of periods -----------------------------------------------------------------


def test_early_mid_late_month():
    check([
        (WED, "late February 2024", "2024-02-21", "2024-02-29"),
        (WED, "early June", "2026-06-01", "2026-06-10"),
        (WED, "in mid-October", "2026-10-11", "2026-10-20"),
        (WED, "the end of April 2025", "2025-04-21", "2025-04-30"),
        (D(2026, 3, 15), "late March", "2025-03-21", "2025-03-31"),
    ])


def test_early_mid_late_year():
    check([
        (WED, "mid 2025", "2025-05-01", "2025-08-31"),
        (WED, "in mid-2019", "2019-05-01", "2019-08-31"),
        (WED, "early last year", "2025-01-01", "2025-04-30"),
        (WED, "late 2020", "2020-09-01", "2020-12-31"),
    ])


def test_first_and_last_week_of_a_month():
    check([
        (WED, "the last week of February 2023", "2023-02-22", "2023-02-28"),
        (WED, "first week of June 2025", "2025-06-01", "2025-06-07"),
        (WED, "the second week of March", "2026-03-08", "2026-03-14"),
        (WED, "the first week of next month", "2026-12-01", "2026-12-07"),
    ])


def test_quarters():
    check([
        (WED, "Q2 2025", "2025-04-01", "2025-06-30"),
        (WED, "in Q4", "2026-10-01", "2026-12-31"),
        (D(2026, 4, 15), "in Q4", "2025-10-01", "2025-12-31"),
        (WED, "the third quarter of 2022", "2022-07-01", "2022-09-30"),
        (D(2026, 4, 15), "in the first quarter", "2026-01-01", "2026-03-31"),
        (WED, "last quarter", "2026-07-01", "2026-09-30"),
        (WED, "the last quarter of 2024", "2024-10-01", "2024-12-31"),
        (WED, "the first half of 2024", "2024-01-01", "2024-06-30"),
    ])


# --- explicit dates -------------------------------------------------------------------


def test_explicit_dates():
    check([
        (WED, "on 2021-12-31", "2021-12-31", "2021-12-31"),
        (WED, "5 March 2024", "2024-03-05", "2024-03-05"),
        (WED, "March 5th", "2026-03-05", "2026-03-05"),
        (WED, "March 5, 2024", "2024-03-05", "2024-03-05"),
        (WED, "the 5th of March 2024", "2024-03-05", "2024-03-05"),
        (WED, "on 26 November", "2025-11-26", "2025-11-26"),
        (WED, "2024-03", "2024-03-01", "2024-03-31"),
        (WED, "1-15 March 2024", "2024-03-01", "2024-03-15"),
    ])


def test_numeric_dates_are_day_first_by_default():
    check([
        (WED, "on 5/3/2024", "2024-03-05", "2024-03-05"),
        (WED, "on 05/03/24", "2024-03-05", "2024-03-05"),
        (WED, "on 5/3", "2026-03-05", "2026-03-05"),
    ])


def test_numeric_dates_month_first_when_asked():
    mdy = {"date_order": "mdy"}
    check([
        (WED, "on 5/3/2024", "2024-05-03", "2024-05-03"),
        (WED, "on 25/12/2024", "2024-12-25", "2024-12-25"),  # only one reading is a date
        (WED, "on 5.3.2024", "2024-03-05", "2024-03-05"),  # dots are always day first
        (WED, "on 2024-03-05", "2024-03-05", "2024-03-05"),  # ISO first
    ], **mdy)


def test_dates_that_do_not_exist_name_no_time():
    assert rng("on 30 February") is None
    assert rng("30 February 2023") is None
    assert rng("2023-02-30") is None
    assert rng("on 29 February", D(2026, 1, 1)) == ("2024-02-29", "2024-02-29")


# --- ranges ---------------------------------------------------------------------------


def test_ranges_are_not_clipped_to_today():
    check([
        (WED, "between March and May 2024", "2024-03-01", "2024-05-31"),
        (D(2026, 4, 15), "from March to June", "2026-03-01", "2026-06-30"),
        (WED, "from 1 March to 15 April", "2026-03-01", "2026-04-15"),
        (WED, "March–May 2024", "2024-03-01", "2024-05-31"),
        (D(2026, 4, 15), "from November to February", "2025-11-01", "2026-02-28"),
        (WED, "from 10 Dec 2023 to 5 Jan", "2023-12-10", "2024-01-05"),
        (WED, "from Monday to Wednesday", "2026-11-23", "2026-11-25"),
    ])


def test_since_runs_from_the_most_recent_start_through_today():
    check([
        (D(2026, 4, 15), "since June", "2025-06-01", "2026-04-15"),
        (WED, "since last Christmas", "2025-12-25", "2026-11-25"),
        (WED, "ever since 2020", "2020-01-01", "2026-11-25"),
        (WED, "since the summer", "2026-06-01", "2026-11-25"),
    ])


def test_after_and_before():
    assert rng("after Christmas", D(2026, 1, 10)) == ("2025-12-26", "2026-01-10")
    assert rng("What did I do before Christmas?") is None
    assert rng("until March") is None


# --- more of the grammar --------------------------------------------------------------


def test_the_one_before_last_and_n_seasons_ago():
    check([
        (WED, "the summer before last", "2025-06-01", "2025-08-31"),
        (WED, "two winters ago", "2024-12-01", "2025-02-28"),
        (WED, "a summer ago", "2026-06-01", "2026-08-31"),
        (WED, "the Christmas before last", "2024-12-25", "2024-12-25"),
        (WED, "the Tuesday before last", "2026-11-17", "2026-11-17"),
    ])


def test_day_numbers():
    check([
        (WED, "on the 3rd", "2026-11-03", "2026-11-03"),
        (D(2026, 3, 2), "on the 30th", "2026-01-30", "2026-01-30"),
        (WED, "the 3rd of last month", "2026-10-03", "2026-10-03"),
        (WED, "between the 1st and the 15th of March", "2026-03-01", "2026-03-15"),
        (WED, "March 3 to 9", "2026-03-03", "2026-03-09"),
    ])


def test_iso_week_numbers():
    assert rng("week 12 of 2024") == ("2024-03-18", "2024-03-24")
    assert rng("in week 1") == ("2025-12-29", "2026-01-04")
    assert rng("in week 1", week_start=6) == ("2025-12-28", "2026-01-03")
    assert rng("week 3 of my diet") is None


def test_a_weekday_in_a_given_week():
    check([
        (WED, "Tuesday last week", "2026-11-17", "2026-11-17"),
        (WED, "last week on Sunday", "2026-11-22", "2026-11-22"),
        (WED, "on Monday of the week before last", "2026-11-09", "2026-11-09"),
    ])
    assert rng("Sunday last week", week_start=6) == ("2026-11-15", "2026-11-15")


def test_days_around_an_event():
    check([
        (WED, "the night before Christmas", "2025-12-24", "2025-12-24"),
        (WED, "two weeks before Christmas", "2025-12-08", "2025-12-14"),
        (WED, "the week after Christmas", "2025-12-26", "2026-01-01"),
        (WED, "3 days after Halloween", "2026-11-03", "2026-11-03"),
        (WED, "the week of 5 March 2024", "2024-03-04", "2024-03-10"),
        (WED, "on the Sunday before October 25, 2022", "2022-10-23", "2022-10-23"),
        (WED, "the weekend after Christmas", "2025-12-27", "2025-12-28"),
        (WED, "the weekend before 2026-11-29", "2026-11-21", "2026-11-22"),
    ])


def test_the_current_year_after_of():
    assert rng("at the end of the year") == ("2026-09-01", "2026-12-31")
    assert rng("since the start of the year") == ("2026-01-01", "2026-11-25")
    assert rng("the first week of the year") == ("2026-01-01", "2026-01-07")


def test_short_years_after_a_month_or_season_and_years_before_them():
    check([
        (WED, "in summer '19", "2019-06-01", "2019-08-31"),
        (WED, "March '24", "2024-03-01", "2024-03-31"),
        (WED, "last year in March", "2025-03-01", "2025-03-31"),
        (WED, "Christmas 2 years ago", "2024-12-25", "2024-12-25"),
        (WED, "2024's summer", "2024-06-01", "2024-08-31"),
    ])


def test_hours_and_to_date():
    check([
        (WED, "in the last 24 hours", "2026-11-24", "2026-11-25"),
        (WED, "the past 48 hours", "2026-11-23", "2026-11-25"),
        (WED, "year to date", "2026-01-01", "2026-11-25"),
        (WED, "earlier this month", "2026-11-01", "2026-11-25"),
        (WED, "later this year", "2026-11-25", "2026-12-31"),
    ])


# --- false positives ------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Who did I meet in Lisbon?",
        "What did I may have said",
        "May I ask what I wrote about Bob?",
        "Tell me about the march on Washington",
        "I want to spring into action",
        "What did June say?",  # June, August, April … alone are people, not months
        "Did August call me?",
        "What did April tell me about her job?",
        "I stayed in June's flat",
        "Did Summer call me?",  # seasons are not capitalized in English: a name
        "What did Autumn say about the trip?",
        "Did I go to Winter Park?",
        "I introduced May to June",
        "What did I spend 2000 dollars on?",
        "I ran 2019 steps",
        "My phone number is 2019 5555",
        "I read about the fall of Rome",
        "the first quarter of the game",
        "this may be nothing",
        "I scored 5-3",
        "Add 1/2 cup of sugar",
        "I sat in the sun",
        "What were my new year's resolutions?",
        "What did I do on my trip?",
        "",
    ],
)
def test_words_that_are_not_times(text):
    assert parse_range(text, WED) is None


def test_a_real_time_next_to_a_false_one_is_still_found():
    assert rng("What did June say in August?") == ("2026-08-01", "2026-08-31")
    assert rng("Did I spring into action last spring?") == ("2026-03-01", "2026-05-31")
    assert rng("May I ask what happened in March?") == ("2026-03-01", "2026-03-31")
    assert rng("In May I went to Paris") == ("2026-05-01", "2026-05-31")
    assert rng("We went to the march last year") == ("2025-01-01", "2025-12-31")
    assert rng("I sat in the sun last week") == ("2026-11-16", "2026-11-22")


# --- the result -----------------------------------------------------------------------


def test_result_has_label_and_phrase():
    r = parse_range("What did I do in the fall of 2022?", WED)
    assert r == DateRange(D(2022, 9, 1), D(2022, 11, 30))
    assert r.label == "Autumn 2022" and r.phrase == "in the fall of 2022"
    r = parse_range("Between January and February 2025, what did I read?", WED)
    assert r.label == "Jan – Feb 2025" and r.phrase == "Between January and February 2025"
    assert parse_range("the past 3 days", WED).label == "23–25 Nov 2026"
    assert parse_range("last week", WED, week_start=6).label == "Week of 15 Nov 2026"
    assert parse_range("Q3 2023", WED).label == "Q3 2023"


def test_today_may_be_a_datetime():
    from datetime import datetime

    assert rng("yesterday", datetime(2026, 1, 1, 10, 30)) == ("2025-12-31", "2025-12-31")


def test_bad_settings_are_invalid_input():
    with pytest.raises(InvalidInput):
        parse_range("last week", WED, hemisphere="west")
    with pytest.raises(InvalidInput):
        parse_range("last week", WED, week_start=9)
    with pytest.raises(InvalidInput):
        parse_range("last week", WED, date_order="ymd")


# --- properties -----------------------------------------------------------------------

days = st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31))
week_starts = st.integers(0, 6)
hemispheres = st.sampled_from(["north", "south"])

SEASONS = ["spring", "summer", "autumn", "fall", "winter"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]
HOLIDAYS = ["Christmas", "Christmas Eve", "New Year's Eve", "New Year's Day", "Valentine's Day",
            "Halloween", "Easter", "Good Friday", "Thanksgiving", "Boxing Day"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
RECURRING = SEASONS + MONTHS + HOLIDAYS + WEEKDAYS + ["Q1", "Q2", "Q3", "Q4"]
CALENDAR = ["week", "month", "quarter", "season", "year"]
UNITS = ["day", "week", "month", "quarter", "season", "year"]
NUMBERS = st.one_of(st.integers(1, 60).map(str), st.sampled_from(["a", "two", "three", "ten", "twenty-one"]))
YEARS = st.integers(1990, 2099).map(str)


def _plural(unit, n):
    return unit if n in ("1", "a") else unit + "s"


phrases = st.one_of(
    st.tuples(st.sampled_from(["last", "this", "next", "this past"]), st.sampled_from(RECURRING + CALENDAR + ["weekend"]))
    .map(" ".join),
    st.tuples(NUMBERS, st.sampled_from(UNITS)).map(lambda t: f"{t[0]} {_plural(t[1], t[0])} ago"),
    st.tuples(st.sampled_from(["the past", "the last", "the next"]), NUMBERS.filter(lambda n: n != "a"),
              st.sampled_from(UNITS)).map(lambda t: f"{t[0]} {t[1]} {_plural(t[2], t[1])}"),
    st.tuples(st.sampled_from(["early", "mid", "late"]), st.sampled_from(MONTHS + SEASONS), YEARS)
    .map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
    st.tuples(st.sampled_from(["in", "during", "since"]), st.sampled_from(MONTHS + SEASONS + HOLIDAYS))
    .map(" ".join),
    st.tuples(st.sampled_from(MONTHS + SEASONS + HOLIDAYS + ["Q1", "Q3"]), YEARS).map(" ".join),
    st.tuples(st.sampled_from(["between", "from"]), st.sampled_from(MONTHS), st.sampled_from(MONTHS))
    .map(lambda t: f"{t[0]} {t[1]} {'and' if t[0] == 'between' else 'to'} {t[2]}"),
    st.tuples(st.sampled_from(["first", "second", "last"]), st.sampled_from(MONTHS))
    .map(lambda t: f"the {t[0]} week of {t[1]}"),
    st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)).map(lambda d: f"on {d.isoformat()}"),
    st.tuples(st.integers(1, 28), st.sampled_from(MONTHS)).map(lambda t: f"on {t[0]} {t[1]}"),
    st.sampled_from(["yesterday", "today", "the day before yesterday", "a year ago today",
                     "the week before last", "last weekend", "this weekend", "the weekend"]),
)


@settings(max_examples=300)
@given(phrases, days, week_starts, hemispheres)
def test_every_phrase_of_the_grammar_gives_a_range_in_order(phrase, today, week_start, hemisphere):
    text = f"What did I do {phrase}?"
    r = parse_range(text, today, week_start=week_start, hemisphere=hemisphere)
    assert r is not None, text
    assert r.start <= r.end
    assert r.phrase and r.phrase in text
    assert parse_range(text, today, week_start=week_start, hemisphere=hemisphere) == r


@settings(max_examples=300)
@given(st.sampled_from(RECURRING + CALENDAR + ["weekend"]), st.sampled_from(["last", "this past"]), days,
       week_starts, hemispheres)
def test_last_x_ends_before_today(x, word, today, week_start, hemisphere):
    r = parse_range(f"{word} {x}", today, week_start=week_start, hemisphere=hemisphere)
    assert r is not None and r.end < today


@given(st.sampled_from(RECURRING + CALENDAR + ["weekend"]), days, week_starts, hemispheres)
def test_next_x_starts_after_today(x, today, week_start, hemisphere):
    r = parse_range(f"next {x}", today, week_start=week_start, hemisphere=hemisphere)
    assert r is not None and r.start > today


@given(days, week_starts, hemispheres)
def test_this_x_contains_today(today, week_start, hemisphere):
    season = season_of(today, hemisphere)[0]
    current = [*CALENDAR, season, MONTHS[today.month - 1], WEEKDAYS[today.weekday()]]
    if today.weekday() >= 5:
        current.append("weekend")
    for x in current:
        r = parse_range(f"this {x}", today, week_start=week_start, hemisphere=hemisphere)
        assert r is not None and r.contains(today), x


@given(days, st.sampled_from(["spring", "summer", "autumn", "winter"]), hemispheres)
def test_last_season_is_the_most_recent_ended(today, season, hemisphere):
    r = parse_range(f"last {season}", today, hemisphere=hemisphere)
    later = season_period(season, r.start.year + 1, hemisphere)
    assert r.end < today <= later.end


@given(days, st.sampled_from(MONTHS))
def test_bare_month_is_the_most_recent_started(today, month):
    r = parse_range(f"in {month}", today)
    assert r.start <= today
    assert period_of("month", r.start.replace(year=r.start.year + 1)).start > today


@given(days, st.integers(1, 400), week_starts)
def test_counted_days(today, n, week_start):
    assert parse_range(f"{n} days ago", today).start == today - timedelta(days=n)
    r = parse_range(f"the past {n} days", today)
    assert r.end == today and r.days == n
    w = parse_range(f"{n} weeks ago", today, week_start=week_start)
    assert w.contains(today - timedelta(days=7 * n)) and w.start.weekday() == week_start


@settings(max_examples=500)
@given(st.text(), days, week_starts, hemispheres, st.sampled_from(["dmy", "mdy"]))
def test_never_raises_and_is_deterministic_on_any_text(text, today, week_start, hemisphere, order):
    kw = {"week_start": week_start, "hemisphere": hemisphere, "date_order": order}
    r = parse_range(text, today, **kw)
    assert r == parse_range(text, today, **kw)
    if r is not None:
        assert r.start <= r.end and r.phrase in text


words = st.sampled_from(
    ["in", "last", "this", "next", "the", "of", "between", "and", "from", "to", "since", "after", "before",
     "early", "mid-", "late", "week", "month", "year", "weekend", "ago", "days", "first", "quarter", "half",
     "March", "May", "June", "fall", "spring", "winter", "Christmas", "Monday", "sat", "2024", "1999",
     "9999", "0001", "3", "31", "29", "February", "Q1", "H2", "2023-24", "-", "'s", "9999-12-31", "0001-01-01",
     "day", "before", "after", "the day", "99", "1/2", "31/12/9999", "a", "few", "couple", "yesterday"]
)


@settings(max_examples=500)
@given(st.lists(words, max_size=10).map(" ".join), days, week_starts)
def test_never_raises_on_word_salad(text, today, week_start):
    r = parse_range(text, today, week_start=week_start)
    if r is not None:
        assert r.start <= r.end


@given(st.sampled_from(["9999-12-31", "0001-01-01", "31/12/9999"]), st.sampled_from(
    ["the day after {}", "the day before {}", "since {}", "after {}", "the week after {}", "{} - 9999-12-31"]))
def test_dates_at_the_ends_of_the_calendar_do_not_raise(d, template):
    parse_range(template.format(d), WED)
