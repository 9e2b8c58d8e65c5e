from __future__ import annotations

from datetime import date

from lucy_app.core import entries, text
from lucy_app.core.digests import extractive, scheduler


def test_a_day_digest_keeps_names_and_numbers_and_fits_its_budget(db):
    e = entries.add(db, (
        "Woke up late. It was fine. Coffee.\n\n"
        "Maya called: the boiler at her flat broke again and the plumber wants 340 pounds.\n\n"
        "We ate. It was okay. Then I slept early because tomorrow is Dad's knee operation at St Mary's."
    ), day="2024-03-05")
    for i in range(10):  # an ordinary diary around it, so common words are common
        entries.add(db, f"Woke up late and it was fine. We ate and it was okay. Coffee number {i}.", day=f"2024-02-{10 + i}")
    bullets = extractive.write_day([e], scheduler.make_idf(db))
    joined = " ".join(b.text for b in bullets)
    assert "340" in joined and "Maya" in joined
    assert all(b.entry_ids == (e.id,) for b in bullets)
    assert text.word_count(joined) <= extractive.day_budget([e])


def test_it_is_deterministic(db, fill):
    made = fill(db, 30)
    idf = scheduler.make_idf(db)
    day = [m for m in made if m.day == date(2026, 11, 20)]
    assert extractive.write_day(day, idf) == extractive.write_day(day, scheduler.make_idf(db))


def test_transcripts_keep_their_speakers():
    class E:
        id, day = 1, date(2024, 1, 1)
        body = "Caroline: Hey Mel! I went to a support group yesterday.\nMelanie: Wow! I painted a lake sunrise.\nCaroline: It was powerful."
    cands = extractive.entry_candidates([E()])
    assert [c.text for c in cands] == ["Caroline: Mel!", "Caroline: I went to a support group yesterday.",
                                       "Melanie: I painted a lake sunrise.", "Caroline: It was powerful."]


def test_a_colon_in_an_ordinary_entry_is_not_a_speaker():
    class E:
        id, day = 1, date(2024, 1, 1)
        body = "Choir practice: we sang in Welsh. Then soup."
    assert [c.text for c in extractive.entry_candidates([E()])] == ["Choir practice: we sang in Welsh.", "Then soup."]
