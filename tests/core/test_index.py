"""The search index follows the journal: passages, their full-text index and their vectors."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from lucy_app.core import entries, errors, index, passages, search
from lucy_app.core.digests import scheduler
from lucy_app.core.llm.service import ModelService
from lucy_app.core.settings import Settings
from lucy_app.core.storage import digests as digest_store
from lucy_app.core.storage import models as model_store
from lucy_app.core.storage import passages as store

TEXTS = [
    "Walked Biscuit along the river at dawn. The heron was back on the weir.\n\n"
    "Work: the harbour redesign review went well; Lena liked the new quay drawings.",
    "Sam: Did you book the campsite by the reservoir?\nMe: Yes, for the last weekend of July.\n"
    "Sam: Then we need a new tent.\nMe: I will look at the outdoor shop tomorrow.",
    "Baked an apple cake with Grandma Rose. She says the secret is cold butter.",
    "Long day. " * 120 + "\n\nFinally finished Middlemarch on the balcony.",
]


def add_all(db, texts=TEXTS, start_day=1):
    return [entries.add(db, t, day=date(2024, 3, start_day + i)).id for i, t in enumerate(texts)]


def snapshot(db):
    """Everything the index holds, comparable across runs."""
    with db.read() as conn:
        rows = conn.execute("SELECT id, entry_id, digest_id, day, day_end, ord, start, end, text, hash, "
                            "vector_model FROM passages ORDER BY id").fetchall()
        vectors = store.vectors_of(conn, [r[0] for r in rows])
        fts = store.fts_passage_ids(conn, '"the"') if rows else []
        marks = conn.execute("SELECT entry_id, seq FROM entry_index ORDER BY entry_id").fetchall()
        n_vectors = store.vector_count(conn)
    return {"rows": rows, "vectors": {k: [round(x, 4) for x in v] for k, v in vectors.items()},
            "fts": fts, "marks": marks, "n_vectors": n_vectors}


def assert_in_sync(db, model_id=None):
    """Live entries have exactly their cut passages; trashed ones none; every passage its vector."""
    live = {e.id: e for e in entries.list_entries(db)}
    with db.read() as conn:
        store.passages_fts_integrity(conn)
        by_entry = {}
        for r in conn.execute("SELECT entry_id, start, end, text, vector_model FROM passages "
                              "WHERE entry_id IS NOT NULL ORDER BY entry_id, ord"):
            by_entry.setdefault(r[0], []).append(r[1:])
        n_passages = store.passage_count(conn)
        n_vectors = store.vector_count(conn)
    assert set(by_entry) <= set(live)
    for entry_id, entry in live.items():
        expected = [(p.start, p.end, p.text) for p in passages.cut(entry.body)]
        assert [r[:3] for r in by_entry.get(entry_id, [])] == expected
        if model_id:
            assert {r[3] for r in by_entry.get(entry_id, [])} <= {model_id}
    if model_id:
        assert n_vectors == n_passages
    assert index.pending(db, model_id) == {"entries": 0, "digests": 0, "embed": 0}


def test_the_index_stays_in_sync_through_add_edit_trash_restore_purge(db, embed_models):
    ids = add_all(db)
    stats = index.run(db, models=embed_models)
    assert stats.model_error is None and stats.passages_embedded == stats.passages_written > len(TEXTS)
    assert_in_sync(db, stats.model)
    # edit: only the changed passage is embedded again
    entries.update(db, ids[3], body=TEXTS[3] + "\n\nIn the evening we ate dumplings by the window.")
    again = index.run(db, models=embed_models)
    assert again.entries_cut == 1 and again.passages_kept >= 1
    assert again.passages_embedded == again.passages_written < 3
    assert_in_sync(db, stats.model)
    assert [h.entry_id for h in search.hybrid_search(db, "dumplings", models=embed_models)][:1] == [ids[3]]
    # trash: passages, full text and vectors go
    entries.trash(db, ids[1])
    index.run(db, models=embed_models)
    assert_in_sync(db, stats.model)
    with db.read() as conn:
        assert store.passages_of(conn, entry_id=ids[1]) == []
        assert store.fts_passage_ids(conn, '"campsite"') == []
    assert ids[1] not in [h.entry_id for h in search.hybrid_search(db, "campsite tent", models=embed_models)]
    # restore: back
    entries.restore(db, ids[1])
    index.run(db, models=embed_models)
    assert_in_sync(db, stats.model)
    assert search.hybrid_search(db, "campsite tent", models=embed_models)[0].entry_id == ids[1]
    # purge: gone for good, by cascade and trigger
    entries.trash(db, ids[2])
    entries.empty_trash(db)
    with db.read() as conn:
        assert store.passages_of(conn, entry_id=ids[2]) == []
        assert store.vector_count(conn) == store.passage_count(conn)
    index.run(db, models=embed_models)
    assert_in_sync(db, stats.model)


def test_a_trashed_entry_is_out_of_search_before_the_indexer_runs(db, embed_models):
    ids = add_all(db)
    index.run(db, models=embed_models)
    entries.trash(db, ids[2])
    assert ids[2] not in [h.entry_id for h in search.hybrid_search(db, "apple cake", models=embed_models)]
    entries.update(db, ids[0], body="Nothing about rivers any more.")
    found = search.search_passages(db, "heron weir", models=embed_models)
    assert all(p.entry_id != ids[0] for p in found)  # stale passages are not served


class Exploding:
    """The real model service, raising after ``calls`` calls of embed()."""

    def __init__(self, real, calls):
        self.real, self.calls = real, calls

    def __getattr__(self, name):
        return getattr(self.real, name)

    @property
    def embedding_dim(self):
        return self.real.embedding_dim

    def embed(self, texts):
        if self.calls <= 0:
            raise RuntimeError("power cut")
        self.calls -= 1
        return self.real.embed(texts)


def test_an_interrupted_run_resumes_and_ends_like_an_uninterrupted_one(tmp_path, embed_models):
    from lucy_app.core.storage.db import Database

    reference = Database(tmp_path / "reference.db")
    add_all(reference)
    index.run(reference, models=embed_models)
    expected = snapshot(reference)
    reference.close()

    # 1. cancelled from the progress callback, during cutting, then during embedding
    db = Database(tmp_path / "cancelled.db")
    add_all(db)
    cancel = threading.Event()
    seen = []

    def stop_soon(done, total, what):
        seen.append(what)
        if what == "vectors" or len(seen) == 1:
            cancel.set()

    old = index.CUT_BATCH, index.EMBED_BATCH
    index.CUT_BATCH, index.EMBED_BATCH = 1, 2
    try:
        first = index.run(db, models=embed_models, cancel=cancel, progress=stop_soon)
        assert first.cancelled and first.passages_embedded == 0
        cancel.clear()
        second = index.run(db, models=embed_models, cancel=cancel, progress=stop_soon)
        assert second.cancelled and 0 < second.passages_embedded < len(expected["rows"])
        cancel.clear()
        third = index.run(db, models=embed_models)
        assert not third.cancelled
        assert snapshot(db) == expected

        # 2. a crash (an exception) in the middle of embedding
        crashed = Database(tmp_path / "crashed.db")
        add_all(crashed)
        with pytest.raises(RuntimeError, match="power cut"):
            index.run(crashed, models=Exploding(embed_models, calls=2))
        assert 0 < index.pending(crashed, expected["rows"][0][10])["embed"] < len(expected["rows"])
        index.run(crashed, models=embed_models)
        assert snapshot(crashed) == expected
    finally:
        index.CUT_BATCH, index.EMBED_BATCH = old


def test_the_chosen_embedding_model_is_recorded(db, embed_models):
    add_all(db)
    stats = index.run(db, models=embed_models)
    with db.read() as conn:
        row = model_store.get(conn, "embedding")
        assert store.vector_dim(conn) == 384
    assert row["sha256"] == embed_models.sha256("embed") and row["sha256"].startswith(stats.model)
    assert row["dim"] == 384 and row["path"].endswith(".gguf") and row["size"] > 0


class Renamed(Exploding):
    """The same model under another identity (as if the user chose another file)."""

    def __init__(self, real):
        super().__init__(real, calls=10**9)

    def info(self):
        out = self.real.info()
        out["embed"] = {**out["embed"], "sha256": "f" * 64}
        return out


def test_changing_the_embedding_model_reembeds_everything(db, embed_models):
    add_all(db)
    first = index.run(db, models=embed_models)
    second = index.run(db, models=Renamed(embed_models))
    assert second.model == "f" * 16 != first.model
    assert second.passages_embedded == first.passages_embedded and second.entries_cut == 0
    assert_in_sync(db, second.model)
    # search asks for the current model's vectors only
    hit = search.hybrid_search(db, "a baked dessert with my grandmother", models=Renamed(embed_models))[0]
    assert "vector" in hit.sources


class TinyModel:
    """A fake embedding model of another dimension (its vectors' values do not matter here)."""

    def __init__(self, real):
        self.real = real

    @property
    def embedding_dim(self):
        return 8

    def info(self):
        out = self.real.info()
        out["embed"] = {**out["embed"], "sha256": "e" * 64, "embedding_length": 8}
        return out

    def embed(self, texts):
        return [[1.0] + [0.0] * 7 for _ in texts]


def test_a_new_dimension_recreates_the_vector_table(db, embed_models):
    add_all(db)
    index.run(db, models=embed_models)
    stats = index.run(db, models=TinyModel(embed_models))
    with db.read() as conn:
        assert store.vector_dim(conn) == 8
    with db.read() as conn:
        assert stats.passages_embedded == store.passage_count(conn) == store.vector_count(conn)
    assert_in_sync(db, "e" * 16)
    back = index.run(db, models=embed_models)
    with db.read() as conn:
        assert store.vector_dim(conn) == 384
    assert_in_sync(db, back.model)


def test_without_an_embedding_model_passages_are_cut_and_keyword_search_works(db):
    ids = add_all(db)
    for models in (None, ModelService(None, None)):
        stats = index.run(db, models=models)
        assert stats.passages_embedded == 0
    assert stats.model_error and "No embedding model" in stats.model_error
    assert_in_sync(db)
    with db.read() as conn:
        assert store.passage_count(conn) > len(TEXTS) and store.vector_count(conn) == 0
    hits = search.hybrid_search(db, "When did we book the campsite?", models=ModelService(None, None))
    assert hits[0].entry_id == ids[1] and hits[0].passages
    assert search.search_passages(db, "campsite")[0].entry_id == ids[1]


def test_a_model_file_that_fails_to_load_is_reported_not_raised(db, tmp_path):
    add_all(db)
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 100)
    stats = index.run(db, models=ModelService(None, broken))
    assert stats.model_error and stats.passages_written > 0
    assert search.hybrid_search(db, "apple cake", models=ModelService(None, broken))


def test_digests_get_passages_that_lead_back_to_their_entries(db, embed_models):
    ids = add_all(db)
    scheduler.run(db, settings=Settings(), today=date(2030, 1, 1), levels={"day"})
    stats = index.run(db, models=embed_models)
    assert stats.digests_cut >= 1
    with db.read() as conn:
        digests = digest_store.all_meta(conn)
        cut = {d["id"]: store.passages_of(conn, digest_id=d["id"]) for d in digests}
    assert all(cut.values())
    assert all(p["vector_model"] == stats.model for ps in cut.values() for p in ps)
    hits = search.hybrid_search(db, "apple cake Grandma Rose", models=embed_models, include_digests=True,
                                limit=20)
    digest_hits = [h for h in hits if h.digest_id is not None]
    assert digest_hits and ids[2] in digest_hits[0].entry_ids
    assert all(h.digest_id is None for h in search.hybrid_search(db, "apple cake", models=embed_models))
    # a rewritten digest loses its passages and gets new ones
    with db.write() as conn:
        row = digest_store.get_by_id(conn, digests[0]["id"])
        digest_store.upsert(conn, {**row, "text": row["text"] + f"\n- A new line about kites [#{ids[0]}]"})
    assert index.pending(db, stats.model)["digests"] == 1
    index.run(db, models=embed_models)
    assert index.pending(db, stats.model) == {"entries": 0, "digests": 0, "embed": 0}


def test_rebuild_recuts_everything_and_keeps_unchanged_vectors(db, embed_models):
    add_all(db)
    first = index.run(db, models=embed_models)
    before = snapshot(db)
    again = index.run(db, models=embed_models, rebuild=True)
    assert again.entries_cut == len(TEXTS) and again.passages_embedded == 0
    assert again.passages_kept == first.passages_written
    assert snapshot(db) == before


def test_a_bad_query_range_is_refused(db):
    with pytest.raises(errors.InvalidInput):
        search.hybrid_search(db, "x", start=date(2024, 2, 1), end=date(2024, 1, 1))


def test_indexing_waits_while_paused_and_stops_when_cancelled_meanwhile(db):
    for i in range(3):
        entries.add(db, f"Day {i}: a walk along the canal.", day=date(2024, 1, 1 + i))
    cancel = threading.Event()
    asked = []

    def busy() -> bool:  # the user is typing; they close the app on the third look
        asked.append(1)
        if len(asked) == 3:
            cancel.set()
        return True

    stats = index.run(db, cancel=cancel, pause=busy)
    assert stats.cancelled and stats.entries_cut == 0 and len(asked) >= 3
    stats = index.run(db, pause=lambda: False)
    assert stats.entries_cut == 3 and not stats.cancelled
