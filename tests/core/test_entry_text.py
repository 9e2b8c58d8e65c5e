from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lucy_app.core import entry_text, errors


def test_render_then_parse_gives_the_same_entry():
    text = entry_text.render(day=date(2024, 3, 5), title="A walk", tags=("family", "walks"), mood=4,
                             body="We walked.\n\n---\n\nA rule inside the body is fine.")
    got = entry_text.parse(text)
    assert (got.day, got.title, got.tags, got.mood) == (date(2024, 3, 5), "A walk", ("family", "walks"), 4)
    assert got.body == "We walked.\n\n---\n\nA rule inside the body is fine."


def test_text_without_a_header_is_all_body():
    assert entry_text.parse("Just words.\nMore words.").body == "Just words.\nMore words."


def test_a_bad_header_line_names_it():
    with pytest.raises(errors.InvalidInput, match="Line 2"):
        entry_text.parse("Date: 2024-01-01\nWeather: sunny\n---\nbody")


@given(body=st.text(min_size=1).filter(lambda s: s.strip() and "\x00" not in s),
       title=st.one_of(st.none(), st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=40)),
       day=st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 1, 1)))
def test_round_trip_for_any_body(body, title, day):
    from lucy_app.core.entries import clean_body, clean_title

    got = entry_text.parse(entry_text.render(day=day, title=title, body=body))
    assert got.day == day and got.title == clean_title(title) and got.body == clean_body(body)
