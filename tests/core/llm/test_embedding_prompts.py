"""lucy_app/core/llm/embedding_prompts.py: the right prefix per model, used by index and search."""

from __future__ import annotations

import pytest

from lucy_app.core import entries, index, search
from lucy_app.core.llm import embedding_prompts
from lucy_app.core.llm.embedding_prompts import for_model
from lucy_app.core.storage import passages as store


@pytest.mark.parametrize(("arch", "name", "family", "query", "document"), [
    ("bert", "all-MiniLM-L6-v2", "plain", "", ""),
    ("gemma-embedding", "EmbeddingGemma 300m", "embeddinggemma",
     "task: search result | query: ", "title: none | text: "),
    ("gemma3", "embeddinggemma-300m", "embeddinggemma",
     "task: search result | query: ", "title: none | text: "),
    ("nomic-bert", "nomic-embed-text-v1.5", "nomic-embed", "search_query: ", "search_document: "),
    ("bert", "Nomic Embed Text v1.5", "plain", "", ""),
    ("bert", "nomic-embed-text-v1", "nomic-embed", "search_query: ", "search_document: "),
    ("bert", "multilingual-e5-small (en-pt)", "e5", "query: ", "passage: "),
    ("bert", "e5-base-v2", "e5", "query: ", "passage: "),
    ("xlm-roberta", "Multilingual E5 Large Instruct", "plain", "", ""),
    ("bert", "bge-small-en-v1.5", "bge-en-v1.5", "Represent this sentence for searching relevant passages: ", ""),
    ("bert", "gte-e50-base", "plain", "", ""),
    (None, None, "plain", "", ""),
])
def test_the_table(arch, name, family, query, document) -> None:
    prompts = for_model(arch, name)
    assert (prompts.family, prompts.query, prompts.document) == (family, query, document)


def test_the_tag_follows_the_document_prefix_only() -> None:
    a = embedding_prompts.EmbeddingPrompts("x", "q: ", "d: ")
    assert a.tag == embedding_prompts.EmbeddingPrompts("y", "other: ", "d: ").tag != ""
    assert a.tag != embedding_prompts.EmbeddingPrompts("x", "q: ", "doc: ").tag
    assert embedding_prompts.NONE.tag == embedding_prompts.EmbeddingPrompts("z", "q: ").tag == ""
    sha = "ab" * 32
    assert index.model_id(sha) == index.model_id(sha, embedding_prompts.NONE) == sha[:16]
    assert index.model_id(sha, a) == f"{sha[:16]}+{a.tag}"


def test_the_default_model_gets_no_prefix(embed_models) -> None:
    assert embedding_prompts.for_service(embed_models) is embedding_prompts.NONE
    model = index.embedding_model(embed_models)
    assert model.prompts is embedding_prompts.NONE and model.id == model.sha256[:16]


class Prefixed:
    """The real default model under another name: one the table gives prefixes to.

    Records what it was asked to embed; the vectors are the real model's (so the other
    model's similarity floor keeps them out of the results: only the texts matter here)."""

    def __init__(self, real, name: str):
        self.real, self.name = real, name
        self.asked: list[str] = []

    @property
    def embedding_dim(self):
        return self.real.embedding_dim

    def sha256(self, which):
        return self.real.sha256(which)

    def info(self):
        out = self.real.info()
        out["embed"] = {**out["embed"], "name": self.name}
        return out

    def embed(self, texts):
        self.asked.extend(texts)
        return self.real.embed(texts)


def test_index_and_search_write_the_prefixes_and_a_new_prefix_reembeds(db, embed_models) -> None:
    lake = [entries.add(db, body).id for body in ("We baked bread with Grandma on Sunday.",
                                                   "Booked the campsite by the lake for August.")][1]
    plain = index.run(db, models=embed_models)
    e5 = Prefixed(embed_models, "multilingual-e5-small")
    again = index.run(db, models=e5)
    tag = for_model("bert", "multilingual-e5-small").tag
    assert again.model == f"{plain.model}+{tag}"
    assert again.passages_embedded == plain.passages_embedded > 0 and again.entries_cut == 0
    assert e5.asked and all(t.startswith("passage: ") for t in e5.asked)
    with db.read() as conn:
        assert store.count_to_embed(conn, again.model) == 0

    e5.asked.clear()
    hits = search.hybrid_search(db, "a weekend at the lake", models=e5)
    assert e5.asked == ["query: a weekend at the lake"]
    assert hits[0].entry_id == lake

    # back to no prefix: the plain vectors are the current ones again
    back = index.run(db, models=embed_models)
    assert back.model == plain.model and back.passages_embedded == plain.passages_embedded


CANDIDATES = ("embeddinggemma-300m.Q8_0.gguf", "nomic-embed-text-v1.5.f16.gguf",
              "multilingual-e5-small-enpt.Q4_0.gguf")


@pytest.mark.slow
@pytest.mark.parametrize("filename", CANDIDATES)
def test_each_candidate_finds_a_paraphrase_and_nothing_for_nonsense(db, filename) -> None:
    """With its prompts and its similarity floor, a candidate model (made by
    ``packaging/fetch_models.py --candidates``) finds by meaning alone, and nonsense finds nothing."""
    from lucy_app.core.llm.defaults import models_dir
    from lucy_app.core.llm.service import ModelService

    path = models_dir() / filename
    if not path.is_file():
        pytest.skip(f"{filename} not made (python packaging/fetch_models.py --candidates)")
    texts = {
        "puppy": "We adopted a puppy from the animal shelter today. She chewed my shoelaces all evening.",
        "taxes": "Spent the afternoon on the quarterly tax forms and the receipts from the office.",
        "climb": "Went to the climbing wall with Tom, then noodles at the little place near the station.",
        "tap": "Maya: how was your day?\nMe: The plumber finally fixed the leaking kitchen tap this morning.",
    }
    ids = {k: entries.add(db, t).id for k, t in texts.items()}
    service = ModelService(None, path, threads=1)
    try:
        stats = index.run(db, models=service)
        assert stats.model_error is None and stats.passages_embedded >= len(texts)
        hits = search.hybrid_search(db, "getting a new dog", models=service)
        assert hits[0].entry_id == ids["puppy"] and "vector" in hits[0].sources
        assert search.hybrid_search(db, "zyzzyva qwertz", models=service) == []
        assert search.search_passages(db, "zyzzyva qwertz", models=service) == []
    finally:
        service.free()
