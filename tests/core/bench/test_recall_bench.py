"""`lucy bench recall` on a tiny LoCoMo-shaped fixture written here (never the real data)."""

from __future__ import annotations

import json

from lucy_app.core.bench import recall

ENTRIES = [
    ("c1", "c1-s01", "2023-05-08T13:56:00", [
        "Ana: Hi Ben! How are you?",
        "Ben: Great, I just adopted a puppy called Pixel from the shelter.",
        "Ana: Lovely! I went to a pottery class yesterday.",
    ]),
    ("c1", "c1-s02", "2023-06-01T10:00:00", [
        "Ana: Hey Ben, long time!",
        "Ben: I ran my first marathon last weekend in Berlin.",
        "Ana: Amazing, I am still making bowls at pottery.",
    ]),
    ("c2", "c2-s01", "2023-07-10T09:00:00", [
        "Cleo: Morning Dan!",
        "Dan: I finally fixed the old sailing boat with my dad.",
        "Cleo: I started learning the violin.",
    ]),
    ("c2", "c2-s02", "2023-08-02T18:30:00", [
        "Dan: We sailed the boat to the island on Sunday.",
        "Cleo: My violin teacher says I am improving.",
    ]),
]

QUESTIONS = [
    ("c1", "c1-q0", "What is the name of Ben's puppy?", 4, "single-hop", ["c1-s01"], ["D1:2"]),
    ("c1", "c1-q1", "Where did Ben run his first marathon?", 4, "single-hop", ["c1-s02"], ["D2:2"]),
    ("c1", "c1-q2", "What class has Ana been taking?", 1, "multi-hop", ["c1-s01", "c1-s02"], ["D1:3", "D2:3"]),
    ("c2", "c2-q0", "When did Dan sail to the island?", 2, "temporal", ["c2-s02"], ["D2:1"]),
    ("c2", "c2-q1", "Which instrument does Cleo play?", 3, "open-domain", ["c2-s01"], ["D1:3"]),
    ("c2", "c2-q2", "A question without evidence", 4, "single-hop", [], []),
]


def write_fixture(folder):
    with (folder / "entries.jsonl").open("w") as f, (folder / "dia_map.jsonl").open("w") as m:
        for conv, entry_id, stamp, lines in ENTRIES:
            session = int(entry_id[-2:])
            f.write(json.dumps({"conv_id": conv, "entry_id": entry_id, "date": stamp,
                                "title": f"{conv} session {session}", "body": "\n".join(lines),
                                "dia_ids": [f"D{session}:{i + 1}" for i in range(len(lines))]}) + "\n")
            for i in range(len(lines)):
                m.write(json.dumps({"conv_id": conv, "dia_id": f"D{session}:{i + 1}", "entry_id": entry_id,
                                    "line": i}) + "\n")
    with (folder / "questions.jsonl").open("w") as f:
        for conv, qid, question, cat, name, ev_entries, ev_dias in QUESTIONS:
            f.write(json.dumps({"conv_id": conv, "qid": qid, "question": question, "answer": "x",
                                "category": cat, "category_name": name, "evidence_entry_ids": ev_entries,
                                "evidence_dia_ids": ev_dias}) + "\n")
    return folder


KEYS = {"recall@1", "recall@5", "recall@10", "passage_recall@400w", "by_category"}


def test_both_methods_are_scored_in_one_run_per_conversation_and_merged(tmp_path, embed_models):
    data = write_fixture(tmp_path)
    for merged in (False, True):
        result = recall.run(data, merged=merged, models=embed_models)
        assert result["n"] == 5 and result["vectors"]
        for method in ("hybrid", "bm25"):
            r = result[method]
            assert KEYS <= set(r)
            assert set(r["by_category"]) == {"multi-hop", "temporal", "open-domain", "single-hop"}
            assert all(0 <= r[k] <= 1 for k in KEYS - {"by_category"})
            assert r["recall@10"] == 1.0  # every diary here is small
        assert result["hybrid"]["recall@1"] >= 0.8
        assert result["hybrid"]["by_category"]["single-hop"]["passage_recall@400w"] == 1.0
        assert result["index_seconds"] >= 0 and result["query_ms_p50"] > 0


def test_the_word_budget_and_line_spans():
    items = [(1, 0, 10, "one two three"), (2, 0, 10, "four " * 398), (3, 0, 5, "five")]
    assert recall.take_within(400, items) == [(1, 0, 10)]
    assert recall.take_within(3, [(1, 0, 10, "a " * 500)]) == [(1, 0, 10)]  # the first always
    assert recall.line_span("a\n  b c  \nd", 1) == (4, 7)


def test_the_command_prints_one_json_object_last(tmp_path, run_cli):
    data = write_fixture(tmp_path)
    result = run_cli("bench", "recall", "--data", str(data), "--json")
    assert result.exit_code == 0, result.output
    last = json.loads(result.output.strip().splitlines()[-1])
    assert {"n", "hybrid", "bm25", "index_seconds", "query_ms_p50"} <= set(last)
    assert "hybrid" in result.output and "single-hop" in result.output
