"""`lucy bench coverage`: topics found from the entries alone, cut bullets counted."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

from lucy_app.core.bench import coverage, sample_diary


def test_a_topic_is_what_recurs_in_the_period_more_than_usual():
    start = date(2025, 1, 1)
    days = {start + timedelta(days=i): {"walk", "coffe", f"odd{i}"} for i in range(120)}
    for i in range(40, 52):  # twelve days of a flood in February
        days[start + timedelta(days=i)] |= {"flood", "river", "sandbag"}
    days[start + timedelta(days=45)] |= {"wedd"}  # once
    all_days: dict[str, int] = {}
    for ws in days.values():
        for w in ws:
            all_days[w] = all_days.get(w, 0) + 1
    feb = [d for d in days if d.month == 2]
    top = coverage.topics(days, feb, all_days, len(days), 3)
    assert len(top) == 1 and set(top[0]) == {"flood", "river", "sandbag"}  # one topic, not walks or a wedding
    assert coverage.topics(days, [d for d in days if d.month == 4], all_days, len(days), 3) == []


def test_words_of_a_text_ignore_stop_words_and_contractions_and_keep_hidden_names():
    assert coverage.words_of("I’m sure E⸺ and I walked to the Harbour; it's 12 o'clock") == {
        "sur", "e—", "walk", "harbour"}


def test_cut_inside_a_sentence():
    source = ["So home and dined well at Sir W. Pen's house. After dinner.\nCaroline: Hey Mel\nMelanie: ok"]
    assert coverage.cut_inside("So home and dined well at Sir W.", source)
    assert coverage.cut_inside("Pen's house.", source)
    assert coverage.cut_inside("Up; and there comes to me Mr…", source)
    assert coverage.cut_inside("So home and dined well at", source)
    assert not coverage.cut_inside("So home and dined well…", source)
    assert not coverage.cut_inside("Caroline: Hey Mel", source)
    assert not coverage.cut_inside("After dinner.", source)


def test_the_bench_runs_on_a_jsonl_diary(tmp_path):
    rng = random.Random(1)
    path = tmp_path / "diary.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for s in sample_diary.generate(120, end=date(2025, 4, 30)):
            body = s.body
            if date(2025, 3, 3) <= s.day <= date(2025, 3, 12):
                body = rng.choice(["The river flooded the lower town again and we filled sandbags.",
                                   "The flood reached the bakery; sandbags everywhere by the river."]) + " " + body
            f.write(json.dumps({"date": s.day.isoformat(), "body": body, "title": s.title}) + "\n")
    result = coverage.run(path)
    assert result["entries"] == 120 and result["bullets"] > 0
    assert result["bullets_cut_inside_sentence"] == 0
    march = next(t for t in result["topics"]["month"] if t["period"] == "March 2025")
    assert any(w in march["topics"][0] for w in ("flood", "sandbag", "river"))
    assert march["mentioned"] and march["topics"][0][0] in march["mentioned"]
    assert set(result["coverage"]) <= {"month", "season", "year"} and "2025" in result["year_digests"]
    # months open with what is new against the month before (here: the flood in March)
    assert result["what_changed"]["month"] >= 1 and set(result["what_changed"]) == {"week", "month"}
