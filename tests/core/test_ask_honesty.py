"""Answers a new user can trust: the failures found by trying Lucy, each one mended.

The model's words matter to some of these (the real default models answer), not to others
(a scripted reply stands for a model that loops or cites the wrong day: what is checked is
what Lucy does with such words).
"""

from __future__ import annotations

from datetime import date

import pytest

from lucy_app.core import ask, entries, honesty, index
from lucy_app.core.bench.honesty import judge
from lucy_app.core.digests import scheduler
from lucy_app.core.settings import Settings

TODAY = date(2026, 11, 25)
SPRING = (date(2026, 3, 1), date(2026, 5, 31))

DIARY = [
    ("2026-02-26", "Finished planning the city tree census; the counting starts in March."),
    ("2026-03-04", "Planted tomatoes and basil with Maya in the allotment. Cold hands, happy afternoon."),
    ("2026-03-18", "Ran my first 10k along the canal. Legs like jelly afterwards."),
    ("2026-04-09", "Flew to Lisbon for Ana's wedding. Trams, tiles and custard tarts."),
    ("2026-04-30", "Woke up with a fever and stayed in bed all day; Maya brought soup."),
    ("2026-05-21", "Buried the Parmazan in the garden to keep it cool, like Pepys did in 1666."),
    ("2026-06-16", "A photo of the dog asleep on the sofa."),
    ("2026-09-14", "My birthday. Maya baked a lemon cake and we ate it on the balcony."),
]


@pytest.fixture
def diary(db, models):
    for day, body in DIARY:
        entries.add(db, body, day=day)
    scheduler.run(db, settings=Settings(), today=TODAY)
    index.run(db, models=models)
    return db


def _evidence(db) -> dict[int, honesty.Evidence]:
    return {e.id: honesty.Evidence(e.id, e.day, e.body) for e in entries.list_entries(db)}


def test_last_spring_is_answered_from_spring_and_never_cites_june_or_february(diary, models):
    a = ask.answer(diary, "What happened last spring?", today=TODAY, settings=Settings(), models=models)
    assert not a.abstained and a.citations and a.period
    ev = _evidence(diary)
    assert all(SPRING[0] <= d <= SPRING[1] for _, d in a.citations)   # not the census plan of February
    assert all(SPRING[0] <= ev[i].day <= SPRING[1] for _, ids in a.quoted_sentences for i in ids)
    assert all(not judge(s, ids, ev, today=TODAY).unsupported for s, ids in a.sentences)


def test_being_sick_is_found_through_a_fever(diary, models):
    a = ask.answer(diary, "When was I sick?", today=TODAY, settings=Settings(), models=models)
    assert not a.abstained
    assert any("fever" in s for s, _ in a.quoted_sentences)


def test_a_spelling_variant_is_not_a_reason_to_refuse(diary, models):
    a = ask.answer(diary, "Where did I bury my parmesan cheese?", today=TODAY, settings=Settings(), models=models)
    assert not a.abstained
    assert any("Parmazan" in s for s, _ in a.quoted_sentences)


def test_what_was_never_written_about_is_refused_in_plain_words(diary, models):
    a = ask.answer(diary, "When did I play the bagpipes?", today=TODAY, settings=Settings(), models=models)
    assert a.abstained and a.text == "Nothing recorded about “play the bagpipes”."
    empty = ask.answer(diary, "What happened in 2019?", today=TODAY, settings=Settings(), models=models)
    assert empty.abstained and empty.text.startswith("No entries between 1 Jan 2019 and 31 Dec 2019.")
    assert a.citations == [] and empty.citations == []


class Scripted:
    """A model that says what the test says (what it says is the point of the test)."""

    def __init__(self, models, reply: str):
        self._models, self.reply = models, reply

    def __getattr__(self, name):
        return getattr(self._models, name)

    def chat_stream(self, messages, **kw):
        return iter(piece + " " for piece in self.reply.split(" "))


def test_a_looping_answer_falls_back_to_the_quoted_one(diary, models):
    loop = "14 Sep 2026: " * 9
    a = ask.answer(diary, "What did I do for my birthday?", today=TODAY, settings=Settings(),
                   models=Scripted(models, loop))
    assert a.mode == "extractive" and "14 Sep 2026: 14 Sep" not in a.text
    assert any("lemon cake" in s for s, _ in a.sentences)


def test_a_sentence_that_is_in_no_entry_is_never_shown(diary, models):
    made_up = ("I am in the house of my Lord Northampton, and I see two houses marked with a red cross [#1]. "
               "Maya baked a lemon cake [#7].")
    a = ask.answer(diary, "What did I do for my birthday?", today=TODAY, settings=Settings(),
                   models=Scripted(models, made_up))
    assert "Northampton" not in a.text
    assert a.mode == "llm" and [s for s, _ in a.sentences] == ["Maya baked a lemon cake."]


def test_a_citation_one_entry_back_is_moved_to_the_entry_that_says_it(diary, models):
    ids = {e.day.isoformat(): e.id for e in entries.list_entries(diary)}
    wrong = f"I ran my first 10k along the canal [#{ids['2026-03-04']}]."  # one entry back
    a = ask.answer(diary, "What happened last spring?", today=TODAY, settings=Settings(),
                   models=Scripted(models, wrong))
    assert a.mode == "llm" and a.sentences == [("Last spring, I ran my first 10k along the canal.", (ids["2026-03-18"],))]


def test_every_sentence_the_default_model_shows_is_in_the_entry_it_cites(diary, models):
    ev = _evidence(diary)
    for q in ("What did I do for my birthday?", "Who did I plant tomatoes with?", "What happened last spring?"):
        a = ask.answer(diary, q, today=TODAY, settings=Settings(), models=models)
        for s, ids in a.sentences:
            verdict = judge(s, ids, ev, today=TODAY)
            assert not (verdict.unsupported or verdict.wrong_citation or verdict.invented_name or verdict.degenerate), (q, s)



def test_when_the_model_finds_nothing_about_it_lucy_says_so_instead_of_quoting(diary, models):
    a = ask.answer(diary, "What did I do for my birthday?", today=TODAY, settings=Settings(),
                   models=Scripted(models, "The notes do not mention what you did for your birthday."))
    assert a.abstained and a.citations == [] and a.text.startswith("Nothing recorded about")
    assert a.quoted_sentences  # what was shown first, while the model read
