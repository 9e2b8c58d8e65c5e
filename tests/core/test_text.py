"""Sentences, words and trimming: whole sentences, exact offsets."""

from __future__ import annotations

import pytest

from lucy_app.core import text


def split(s: str) -> list[str]:
    spans = text.sentences(s)
    assert all(s[sp.start:sp.end] == sp.text for sp in spans)  # offsets are exact
    return [sp.text for sp in spans]


@pytest.mark.parametrize("source, expected", [
    # initials and titles never end a sentence
    ("So home and dined well at Sir W. Pen's house. After dinner to the Duke.",
     ["So home and dined well at Sir W. Pen's house.", "After dinner to the Duke."]),
    ("Letters from the Duke of Albemarle, G. Monk, about the fleet. So to bed.",
     ["Letters from the Duke of Albemarle, G. Monk, about the fleet.", "So to bed."]),
    ("Up; and there comes to me Mr. Coventry, and we talked. Then to the office.",
     ["Up; and there comes to me Mr. Coventry, and we talked.", "Then to the office."]),
    ("J. R. R. Tolkien wrote it. I read it.", ["J. R. R. Tolkien wrote it.", "I read it."]),
    ("Met Dr. Clerke at St. Paul's and Capt. Cocke. Home.", ["Met Dr. Clerke at St. Paul's and Capt. Cocke.", "Home."]),
    ("I saw Jno. Smith today.", ["I saw Jno. Smith today."]),
    # words that always go on, and numbers
    ("See p. 34 and No. 5 of vol. 2, i.e. the end. Then lunch.",
     ["See p. 34 and No. 5 of vol. 2, i.e. the end.", "Then lunch."]),
    ("We bought 3 lbs. of butter for 2s. 6d. and went home.", ["We bought 3 lbs. of butter for 2s. 6d. and went home."]),
    # abbreviations that may end a sentence do when a sentence starts after them
    ("Apples, pears, etc. Then we left.", ["Apples, pears, etc.", "Then we left."]),
    ("We met at 3 p.m. The sun was out.", ["We met at 3 p.m.", "The sun was out."]),
    ("We met at 3 p.m. Tuesday by the gate.", ["We met at 3 p.m. Tuesday by the gate."]),
    ("He lives in the U.S. He is happy.", ["He lives in the U.S.", "He is happy."]),
    ("Saw the fleet, &c. So to bed.", ["Saw the fleet, &c.", "So to bed."]),
    # quotations
    ('He said, "Go home." Then we left.', ['He said, "Go home."', "Then we left."]),
    ('"I am tired. Let us go," he said. We went.', ['"I am tired. Let us go," he said.', "We went."]),
    ("She said: “I am tired. Let us go home now.” Then we went.",
     ["She said: “I am tired. Let us go home now.”", "Then we went."]),
    ('"Go home!" he said. We went.', ['"Go home!" he said.', "We went."]),
    ("Wait... What was that? Nothing!", ["Wait...", "What was that?", "Nothing!"]),
    ("I think so too, said I. Then we parted.", ["I think so too, said I.", "Then we parted."]),
    # a writer who starts sentences in lower case
    ("i went home. then i slept. it rained.", ["i went home.", "then i slept.", "it rained."]),
    # lines: lists, turns and verse stand alone; wrapped prose does not
    ("- milk\n- eggs\n- bread", ["- milk", "- eggs", "- bread"]),
    ("Caroline: Hey Mel\nMelanie: Hi there\nCaroline: Good", ["Caroline: Hey Mel", "Melanie: Hi there", "Caroline: Good"]),
    ("Roses are red\nViolets are blue", ["Roses are red", "Violets are blue"]),
    ("I have been reading about the war all the morning and\nthe news is bad. Then lunch.",
     ["I have been reading about the war all the morning and\nthe news is bad.", "Then lunch."]),
    ("A first paragraph without a stop\n\nA second one.", ["A first paragraph without a stop", "A second one."]),
])
def test_sentences(source, expected):
    assert split(source) == expected


def test_offsets_hold_with_leading_space_and_blank_pieces():
    source = "  First one.   Second one!  \n\n ... \n Third?"
    assert split(source) == ["First one.", "Second one!", "Third?"]


def test_an_unclosed_quotation_does_not_swallow_the_rest():
    source = 'He wrote "the ' + "Fields were wet and we walked along the lane. " * 12 + "Then home."
    assert len(split(source)) > 5


def test_shorten_keeps_short_sentences_and_cuts_long_ones_at_a_clause():
    short = "We walked to the harbour and back."
    assert text.shorten(short, 10) == short
    long = ("After the court rose I transcribed my notes quickly, walked out to the valley of rocks which "
            "Southey described as the ribs of the old earth poking through, and sat there until the sun "
            "went down over the sea and the sheep came down from the hill to the road below the cliffs.")
    cut = text.shorten(long, 32)
    assert cut == ("After the court rose I transcribed my notes quickly, walked out to the valley of rocks which "
                   "Southey described as the ribs of the old earth poking through…")


@pytest.mark.parametrize("sentence", [
    "Up; and there comes to me Mr. Coventry and he and I did talk a great while of the business of the Navy and the want of money",
    "So home and to the office where I found letters from the Duke and from Sir W. Pen about the money for the yard at Chatham",
])
def test_shorten_never_ends_on_a_title_an_initial_or_a_little_word(sentence):
    for limit in range(6, 22):
        cut = text.shorten(sentence, limit)
        assert cut.endswith("…") and sentence.startswith(cut[:-1])
        last = text.words(cut)[-1]
        assert last not in {"Mr", "W", "Sir", "the", "and", "of", "to", "I", "he"}, cut
        assert text.word_count(cut) <= limit


def test_plain_keeps_a_dash_inside_a_line_and_drops_list_marks():
    """A dash between words is punctuation, not a list bullet (before: "health - I'd" lost it)."""
    assert text.plain("I'm keen on mental health - I'd love to help.\n- milk\n  * eggs\n# Diary") == (
        "I'm keen on mental health - I'd love to help.\nmilk\n  eggs\nDiary")
