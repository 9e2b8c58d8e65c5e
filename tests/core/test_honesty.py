"""The gate on model output: the failures a new user met, each refused or mended."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from lucy_app.core.honesty import Evidence, Gate, degenerate, ends_cleanly, lemma, names, support

OCT17 = Evidence(17, date(2026, 10, 17), "Cleared my inbox and planned the week. Mum called about Sunday lunch.")
OCT18 = Evidence(18, date(2026, 10, 18),
                 "Half marathon this morning! Finished in 1:58, under my goal of two hours. Legs like jelly.")
SEP14 = Evidence(30, date(2026, 9, 14), "My birthday. Maya baked a lemon cake and we ate it on the balcony.")


def test_an_invented_name_is_refused_even_with_the_right_entry_cited():
    v = Gate([OCT17, OCT18]).check("Half marathon in 1:58, under Mum's goal of two hours.", [18])
    assert not v.ok and "mum" in v.reason


def test_a_citation_one_entry_back_is_repointed_to_the_entry_that_says_it():
    v = Gate([OCT17, OCT18]).check("I ran the half marathon in 1:58, under my goal of two hours.", [17])
    assert v.ok and v.repointed and v.entry_ids == (18,)


def test_a_bullet_that_is_only_a_date_is_degenerate():
    assert Gate([OCT17]).check("Sun 8 Nov 2026:", [17]).reason == "degenerate: nothing but a date"
    assert degenerate("Sat 17 Oct 2026") == "nothing but a date"


def test_a_repeated_date_loop_is_degenerate():
    loop = "14 Sep 2026: " * 9 + "My birthday."
    v = Gate([SEP14]).check(loop, [30])
    assert not v.ok and v.reason.startswith("degenerate")


def test_a_sentence_in_no_entry_is_refused():
    v = Gate([OCT17, OCT18, SEP14]).check(
        "I am in the house of my Lord Northampton, and I see two houses marked with a red cross.", [17])
    assert not v.ok and v.reason.startswith("unsupported")


def test_a_citation_outside_the_question_range_is_never_kept():
    june = Evidence(5, date(2026, 6, 16), "A photo of the dog asleep on the sofa.")
    april = Evidence(4, date(2026, 4, 2), "Planted tomatoes with Maya in the allotment.")
    gate = Gate([june, april], within=(date(2026, 3, 1), date(2026, 5, 31)))
    v = gate.check("A photo of the dog asleep on the sofa.", [5])
    assert not v.ok
    assert gate.check("Planted tomatoes with Maya.", [5]).entry_ids == (4,)  # re-pointed inside


def test_copied_instructions_and_a_cut_off_sentence_are_degenerate():
    told = "Answer in two or three short sentences and end each sentence with the number of the note."
    assert degenerate("Answer in two or three short sentences and end each sentence.", told) == \
        "copies the instructions"
    output = "Maya baked a lemon cake [#30]. We ate it on the bal"
    assert not ends_cleanly(output)
    verdicts = Gate([SEP14]).check_all([("Maya baked a lemon cake.", [30]), ("We ate it on the bal", [30])],
                                       output=output)
    assert [v.ok for v in verdicts] == [True, False] and verdicts[1].reason == "degenerate: cut off"


def test_dates_a_model_names_must_be_the_entrys_day_or_days_it_speaks_of():
    entry = Evidence(1, date(2023, 5, 8), "I went to a LGBTQ support group yesterday and it was so powerful.")
    assert support("Went to a LGBTQ support group on 7 May 2023.", entry).ok          # "yesterday"
    assert not support("Went to a LGBTQ support group on 3 May 2023.", entry).ok
    sunrise = Evidence(2, date(2023, 5, 8), "I painted that lake sunrise last year.")
    assert support("Painted the lake sunrise in 2022.", sunrise).ok


def test_a_vague_time_in_the_entry_does_not_make_an_exact_date_true():
    # Barbellion, 8 Nov 1915: Qwen answered "They were married on October 25th." citing it
    entry = Evidence(415, date(1915, 11, 8), "A welcome relief from all the tension of the past two "
                     "months. To outward view, I have been merely a youth getting married, catching flu.")
    got = support("They were married on October 25th.", entry)
    assert not got.ok and "date" in got.problem
    assert support("I got married in the past two months.", entry).ok
    assert support("I was getting married in autumn 1915.", entry).ok


def test_paraphrase_in_other_forms_of_the_same_words_is_supported():
    entry = Evidence(1, date(2024, 3, 5), "Running along the canal with the kids, then we bought bread.")
    assert support("I ran along the canal with the kid and bought bread.", entry).ok
    assert lemma("ran") == lemma("running") == "run" and lemma("children") == "child"


def test_names_are_capitalised_words_inside_a_sentence_not_its_first_word():
    assert names("Yesterday Maya and I went to Porto in May.") == ["maya", "porto"]
    assert names("He said: “Lovely day.”") == []


@given(st.text(max_size=200))
def test_the_gate_never_fails_on_any_text(s):
    v = Gate([OCT17, OCT18]).check(s, [17, 99])
    assert isinstance(v.ok, bool) and (v.ok or v.reason)


def test_a_whole_last_sentence_is_kept_when_only_a_fragment_after_it_was_cut():
    output = "- Maya baked a lemon cake [#30].\n- We ate"
    verdicts = Gate([SEP14]).check_all([("Maya baked a lemon cake.", [30])], output=output)
    assert verdicts[0].ok
