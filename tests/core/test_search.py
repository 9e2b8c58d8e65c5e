"""Hybrid search: words, meaning and dates together; passages with their offsets."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from lucy_app.core import entries, errors, index, search
from lucy_app.core.llm.service import ModelService


@pytest.fixture
def diary(db, embed_models):
    texts = {
        "puppy": "We adopted a puppy from the animal shelter today. She chewed my shoelaces all evening.",
        "taxes": "Spent the afternoon on the quarterly tax forms and the receipts from the office.",
        "march": "Went to the climbing wall with Tom, then noodles at the little place near the station.",
        "april": "Went to the climbing wall with Tom again; my fingers are sore. Noodles after.",
        "chat": "\n".join(
            [f"Maya: filler line {i} about nothing much at all, just chatting." for i in range(12)]
            + ["Me: The plumber finally fixed the leaking kitchen tap this morning."]
            + [f"Maya: more filler {i} with no meaning whatsoever." for i in range(12)]),
    }
    days = {"puppy": date(2023, 1, 10), "taxes": date(2023, 2, 3), "march": date(2023, 3, 14),
            "april": date(2023, 4, 20), "chat": date(2023, 5, 2)}
    ids = {k: entries.add(db, t, day=days[k]).id for k, t in texts.items()}
    index.run(db, models=embed_models)
    return ids


def test_a_paraphrase_ranks_above_unrelated_text(db, embed_models, diary):
    hits = search.hybrid_search(db, "getting a new dog", models=embed_models)
    assert hits[0].entry_id == diary["puppy"]
    assert "vector" in hits[0].sources
    ranks = [h.entry_id for h in hits]
    assert diary["taxes"] not in ranks or ranks.index(diary["taxes"]) > 0


def test_hits_carry_their_best_passages_with_offsets(db, embed_models, diary):
    hit = search.hybrid_search(db, "who fixed the kitchen tap?", models=embed_models)[0]
    assert hit.entry_id == diary["chat"]
    body = entries.get(db, hit.entry_id).body
    assert hit.passages and len(hit.passages) <= 3
    assert all(body[p.start:p.end] == p.text for p in hit.passages)
    spans = sorted((p.start, p.end) for p in hit.passages)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))  # overlapping windows come joined
    assert "plumber" in hit.passages[0].text and hit.passage == (hit.passages[0].start, hit.passages[0].end)
    assert any(hit.snippet[s:e].lower().startswith(("kitchen", "tap", "fixed")) for s, e in hit.highlights)
    assert hit.passages[0].score >= hit.passages[-1].score


def test_a_date_range_restricts_and_a_named_time_favours(db, embed_models, diary):
    hits = search.hybrid_search(db, "climbing wall with Tom", models=embed_models,
                                start=date(2023, 4, 1), end=date(2023, 4, 30))
    assert [h.entry_id for h in hits] == [diary["april"]]
    assert all(p.day.month == 4 for p in search.search_passages(
        db, "climbing noodles", models=embed_models, start=date(2023, 4, 1), end=date(2023, 4, 30)))
    # no range given: the time the question names is preferred, not required
    for month, key in (("March 2023", "march"), ("April 2023", "april")):
        hits = search.hybrid_search(db, f"Where did I go climbing in {month}?", models=embed_models)
        assert hits[0].entry_id == diary[key] and "date" in hits[0].sources
        assert len(hits) > 1


def test_an_entry_about_the_question_throughout_outranks_a_passing_mention(db, embed_models, monkeypatch):
    passing = "\n\n".join([
        "Long day at the office: the quarterly report was due and the printer jammed twice.",
        "Lunch was a sad sandwich at my desk while the budget meeting ran over.",
        "Then the train home was cancelled, so I waited forty minutes on the platform.",
        "Walking back from the station I saw the garden gate had blown open again.",
        "Answered emails until late and fell asleep on the sofa."])
    gardening = "\n\n".join([
        "Spent the whole morning in the garden, turning the compost and digging a new bed by the fence.",
        "The tomato seedlings need thinning and the beans have started climbing the trellis.",
        "Watered everything twice because of the heat; the soil was bone dry under the mulch.",
        "Planted lettuce and radishes in the new bed and pulled weeds until my back ached.",
        "The roses by the shed are finally blooming."])
    office = entries.add(db, passing, day=date(2024, 6, 3)).id
    garden = entries.add(db, gardening, day=date(2024, 6, 9)).id
    index.run(db, models=embed_models)
    question = "what happened in the garden"
    assert [h.entry_id for h in search.hybrid_search(db, question, models=embed_models)] == [garden, office]
    # the office day's one line about the gate matches best on its own: the gardening day
    # wins by being about the garden in every passage
    monkeypatch.setattr(search, "W_OVERALL", 0.0)
    assert search.hybrid_search(db, question, models=embed_models)[0].entry_id == office


def test_overlapping_passages_come_back_joined_and_within_the_budget(db, embed_models, diary):
    found = search.search_passages(db, "Maya filler chatting meaning", models=embed_models, limit=20)
    spans = [(p.entry_id, p.start, p.end) for p in found]
    for i, (e, s, t) in enumerate(spans):
        assert not any(e == e2 and s < t2 and s2 < t for e2, s2, t2 in spans[i + 1:])
    body = entries.get(db, diary["chat"]).body
    assert all(body[p.start:p.end] == p.text for p in found if p.entry_id == diary["chat"])
    few = search.search_passages(db, "Maya filler chatting meaning", models=embed_models, max_words=60)
    from lucy_app.core.text import word_count

    assert len(few) == 1 or sum(word_count(p.text) for p in few) <= 60


def test_without_a_model_it_falls_back_to_keywords_and_says_so_once(db, diary, caplog):
    for models in (None, ModelService(None, None)):
        hits = search.hybrid_search(db, "quarterly tax forms", models=models)
        assert hits[0].entry_id == diary["taxes"] and hits[0].sources == ("keyword",)
    broken = ModelService(None, None)
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="lucy_app.core.search"):
        search.hybrid_search(db, "tax", models=broken)
        search.hybrid_search(db, "receipts", models=broken)
    assert len([r for r in caplog.records if "without vectors" in r.message]) == 1
    assert "No embedding model" in search.model_problem(broken)


def test_queries_without_words_are_refused_and_nonsense_finds_nothing(db, embed_models, diary):
    with pytest.raises(errors.InvalidInput):
        search.hybrid_search(db, "?!")
    assert search.hybrid_search(db, "zyzzyva qwertz", models=embed_models) == []
    assert search.search_passages(db, "zyzzyva qwertz", models=embed_models) == []


def test_bm25_entries_is_keyword_searchs_any_words_ranking(db, diary):
    assert search.bm25_entries(db, "tax forms unicorn")[0] == diary["taxes"]
    assert search.keyword_search(db, "tax forms unicorn")[0].entry_id == diary["taxes"]


def test_a_named_season_follows_the_hemisphere_setting(db):
    from lucy_app.core.settings import Settings

    january = entries.add(db, "A long day at the beach with Maya, then ice cream.", day=date(2024, 1, 14)).id
    july = entries.add(db, "A long day at the beach with Maya, then fish and chips.", day=date(2024, 7, 14)).id
    index.run(db)
    question, today = "the beach last summer", date(2024, 10, 1)
    assert search.hybrid_search(db, question, today=today)[0].entry_id == july
    south = Settings(hemisphere="south")
    assert search.hybrid_search(db, question, today=today, settings=south)[0].entry_id == january
    assert search.search_passages(db, question, today=today, settings=south)[0].entry_id == january
