"""Cutting text into passages: whole lines and sentences, token-bounded, with offsets."""

from __future__ import annotations

from lucy_app.core import passages
from lucy_app.core.passages import cut, estimate_tokens

CHAT = "\n".join(
    f"{'Ana' if i % 2 else 'Ben'}: line {i} about the garden, the tomatoes and the weather this week."
    for i in range(40)
)

DIARY = (
    "Woke up early and walked Biscuit along the river before work.\n\n"
    + " ".join(f"Sentence {i} of a long paragraph about the office move and the new desk." for i in range(30))
    + "\n\nIn the evening Sam made risotto and we watched the rain."
)


def test_every_passage_is_its_slice_of_the_source():
    for source in (CHAT, DIARY, "  leading blanks\n\n\ntrailing   \n"):
        for p in cut(source):
            assert source[p.start:p.end] == p.text
            assert p.text == p.text.strip()


def test_chat_turns_are_never_split_and_every_line_is_covered():
    found = cut(CHAT)
    assert len(found) > 1
    starts = {0} | {i + 1 for i, ch in enumerate(CHAT) if ch == "\n"}
    ends = {i for i, ch in enumerate(CHAT) if ch == "\n"} | {len(CHAT)}
    for p in found:
        assert p.start in starts and p.end in ends
        assert estimate_tokens(p.text) <= passages.TARGET_TOKENS
    for line_start in starts:
        assert any(p.start <= line_start < p.end for p in found)


def test_consecutive_passages_overlap_but_always_move_forward():
    found = cut(CHAT)
    assert [p.ord for p in found] == list(range(len(found)))
    for a, b in zip(found, found[1:]):
        assert a.start < b.start and a.end < b.end
        assert b.start < a.end  # the overlap
        assert estimate_tokens(CHAT[b.start:a.end]) <= passages.OVERLAP_TOKENS


def test_a_paragraph_too_long_is_cut_at_sentences():
    found = cut(DIARY)
    assert all(estimate_tokens(p.text) <= passages.MAX_TOKENS for p in found)
    assert all(p.text.endswith((".", "desk.", "rain.")) for p in found)


def test_a_line_without_sentences_is_cut_between_words():
    source = "word " * 1000
    found = cut(source)
    assert len(found) > 3
    assert all(estimate_tokens(p.text) <= passages.MAX_TOKENS for p in found)
    assert all(source[p.start:p.end] == p.text for p in found)


def test_no_words_no_passages():
    assert cut("") == []
    assert cut("\n\n  \n— … —\n") == []


def test_the_hash_follows_the_text_only():
    a, b = cut("Same text."), cut("\n\nSame text.")
    assert a[0].hash == b[0].hash and a[0].start != b[0].start


def test_the_token_estimate_is_close_to_the_embedding_models_count(embed_models):
    lines = [ln for ln in (CHAT + "\n" + DIARY).split("\n") if ln.strip()]
    lines.append("Antidisestablishmentarianism, photosynthesis & the hippopotamus's 3,000 km trip!")
    estimated = sum(estimate_tokens(t) for t in lines)
    real = sum(embed_models.count_tokens(t, "embed") for t in lines)
    assert abs(estimated - real) / real < 0.15
