from __future__ import annotations

from datetime import date

from lucy_app.core.bench import sample_diary


def test_the_generated_diary_is_deterministic_and_realistic():
    a = list(sample_diary.generate(400))
    b = list(sample_diary.generate(400))
    assert a == b
    assert len(a) == 400 and a[-1].day == sample_diary.DEFAULT_END
    assert len({e.day for e in a}) == 400
    words = sorted(len(e.body.split()) for e in a)
    assert 200 <= words[len(words) // 2] <= 400
    assert len({e.body for e in a}) == 400  # no two days alike
    assert any(e.title == "Christmas" for e in a)
    springs = [e for e in a if e.day.month in (3, 4, 5)]
    assert any("allotment" in e.tags or "cycling" in e.tags for e in springs)


def test_a_longer_diary_covers_ten_years_of_life():
    diary = list(sample_diary.generate(3650))
    assert diary[0].day == date(2016, 11, 27)
    assert any("Lisbon" in e.body for e in diary if e.day.year == 2019)
    assert {e.day.year for e in diary} == set(range(2016, 2027))
