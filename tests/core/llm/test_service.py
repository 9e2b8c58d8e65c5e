from __future__ import annotations

import math
import threading
from pathlib import Path

import gguf
import numpy as np
import pytest

from lucy_app.core.errors import ModelError, ModelUnavailable
from lucy_app.core.llm.gguf_check import sha256_of
from lucy_app.core.llm.service import ModelService

HELLO = [{"role": "user", "content": "Say hello to my diary in one short sentence."}]
STORY = [{"role": "user", "content": "Tell me a long story about a lighthouse keeper."}]


def _dot(a: list[float], b: list[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def _broken_chat_model(path: Path) -> Path:
    """A GGUF whose header looks like a llama chat model but that llama.cpp cannot load."""
    w = gguf.GGUFWriter(path, "llama")
    w.add_context_length(64)
    w.add_embedding_length(32)
    w.add_block_count(1)
    w.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


# --- embeddings -----------------------------------------------------------------------


def test_paraphrase_ranks_above_unrelated(model_service: ModelService) -> None:
    hike, walk, tax = model_service.embed(
        ["we hiked up the mountain trail", "a long walk in the hills", "filing my tax return"]
    )
    assert _dot(hike, walk) > _dot(hike, tax) + 0.2
    assert _dot(walk, hike) > _dot(walk, tax)


def test_embeddings_are_unit_vectors_of_the_model_dimension(model_service: ModelService) -> None:
    vectors = model_service.embed(["", "a", "Ein Tag am Meer. " * 200])  # empty, tiny, too long
    assert model_service.embedding_dim == 384
    for v in vectors:
        assert len(v) == 384
        assert math.isclose(math.fsum(x * x for x in v), 1.0, rel_tol=1e-5)
    assert model_service.embed([]) == []
    assert model_service.embed_one("a") == pytest.approx(vectors[1], abs=1e-6)


def test_concurrent_embed_calls_get_their_own_results(model_service: ModelService) -> None:
    texts = {
        "a": [f"morning run number {i} along the river" for i in range(12)],
        "b": [f"quarterly budget spreadsheet, version {i}" for i in range(12)],
    }
    expected = {k: model_service.embed(v) for k, v in texts.items()}
    results: dict[str, list[list[float]]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work(key: str) -> None:
        try:
            start.wait()
            results[key] = model_service.embed(texts[key])
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for key in texts:
        assert len(results[key]) == len(expected[key])
        for got, want in zip(results[key], expected[key], strict=True):
            assert _dot(got, want) > 0.9999


def test_chat_and_embed_run_side_by_side(model_service: ModelService) -> None:
    vectors: list[list[float]] = []
    t = threading.Thread(target=lambda: vectors.extend(model_service.embed(["tea"] * 6)))
    t.start()
    answer = model_service.chat(HELLO, max_tokens=12)
    t.join()
    assert answer.strip()
    assert len(vectors) == 6


# --- generation -----------------------------------------------------------------------


def test_chat_streams_several_pieces(model_service: ModelService) -> None:
    pieces = list(model_service.chat_stream(HELLO, max_tokens=24))
    assert len(pieces) > 1
    assert all(isinstance(p, str) and p for p in pieces)
    assert "".join(pieces).strip()


def test_cancel_stops_the_stream_early(model_service: ModelService) -> None:
    cancel = threading.Event()
    pieces = []
    for piece in model_service.chat_stream(STORY, max_tokens=200, cancel=cancel):
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.set()
    assert len(pieces) == 3
    # already cancelled: nothing at all
    assert list(model_service.chat_stream(STORY, max_tokens=50, cancel=cancel)) == []
    # the model is free again afterwards
    assert model_service.chat(HELLO, max_tokens=8)


def test_stop_interrupts_the_evaluation_of_a_long_prompt(model_service: ModelService) -> None:
    """Stop must not wait for a long prompt to be read (seconds on a laptop): llama.cpp's
    abort callback ends the computation itself; the model works normally afterwards."""
    long_prompt = [{"role": "user", "content": "Summarise my diary: " + "I walked by the canal and fed the ducks. " * 330}]
    prompt_tokens = model_service.count_tokens(long_prompt[0]["content"])
    cancel = threading.Event()
    pieces: list[str] = []
    threading.Timer(0.2, cancel.set).start()
    pieces.extend(model_service.chat_stream(long_prompt, max_tokens=50, cancel=cancel))
    llm = model_service._slots["chat"].llm
    assert pieces == [] and llm.n_tokens < prompt_tokens  # stopped part-way through the prompt
    assert model_service.chat(HELLO, max_tokens=8)


def test_abandoned_stream_releases_the_model(model_service: ModelService) -> None:
    stream = model_service.chat_stream(STORY, max_tokens=100)
    next(stream)
    stream.close()
    assert model_service.chat(HELLO, max_tokens=8)


def test_grammar_constrains_the_answer(model_service: ModelService) -> None:
    answer = model_service.chat(
        [{"role": "user", "content": "Is the sky blue? Answer yes or no."}],
        max_tokens=8,
        grammar='root ::= "yes" | "no"',
    )
    assert answer in ("yes", "no")


def test_raw_completion_streams(model_service: ModelService) -> None:
    pieces = list(model_service.complete_stream("Dear diary, today I", max_tokens=16, stop=["\n\n"]))
    assert len(pieces) > 1


# --- tokens ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["chat", "embed"])
def test_count_and_truncate_tokens(model_service: ModelService, model: str) -> None:
    text = "We walked to the old harbour and watched the boats come in. " * 30
    total = model_service.count_tokens(text, model=model)
    assert total > 100
    assert model_service.count_tokens("", model=model) == 0
    cut = model_service.truncate_to_tokens(text, 40, model=model)
    assert text.startswith(cut)
    assert 30 <= model_service.count_tokens(cut, model=model) <= 40
    assert not cut.endswith(" ")
    assert model_service.truncate_to_tokens("short text", 40, model=model) == "short text"
    assert model_service.truncate_to_tokens(text, 0, model=model) == ""


# --- status ---------------------------------------------------------------------------


def test_context_sizes_are_explicit(model_service: ModelService) -> None:
    assert model_service.chat_context_size == 4096  # not the model's 8192
    assert model_service.embedding_context_size == 512


def test_info_describes_the_loaded_models(model_service: ModelService, chat_model_path: Path) -> None:
    model_service.embed(["x"])
    model_service.chat(HELLO, max_tokens=4)
    info = model_service.info()
    assert info["chat"]["loaded"] and info["embed"]["loaded"]
    assert info["chat"]["path"] == str(chat_model_path)
    assert info["embed"]["name"] == "all-MiniLM-L6-v2"
    assert info["chat"]["threads"] >= 1
    assert info["chat"]["n_ctx"] == 4096
    assert model_service.sha256("chat") == sha256_of(chat_model_path)
    assert model_service.info()["chat"]["sha256"] == sha256_of(chat_model_path)


def test_free_and_reload(chat_model_path: Path, embedding_model_path: Path) -> None:
    service = ModelService(chat_model_path, embedding_model_path, threads=1)
    first = service.embed_one("a quiet evening")
    service.free("embed")
    assert not service.info()["embed"]["loaded"]
    assert _dot(service.embed_one("a quiet evening"), first) > 0.9999
    assert service.info()["embed"]["threads"] == 1
    service.free()


# --- no model, broken model ---------------------------------------------------------------


def test_no_models_configured() -> None:
    service = ModelService(None, None)
    with pytest.raises(ModelUnavailable):
        service.embed(["x"])
    with pytest.raises(ModelUnavailable):
        service.chat_stream(HELLO, max_tokens=4)  # raised at the call, not when iterating
    with pytest.raises(ModelUnavailable):
        service.count_tokens("x")
    with pytest.raises(ModelUnavailable):
        _ = service.embedding_dim
    with pytest.raises(ModelUnavailable):
        _ = service.chat_context_size
    assert not service.available("chat")
    assert service.info()["chat"]["configured"] is False
    service.free()


def test_load_failure_is_a_model_error_and_the_other_model_still_works(
    tmp_path: Path, embedding_model_path: Path
) -> None:
    broken = _broken_chat_model(tmp_path / "broken.gguf")
    service = ModelService(broken, embedding_model_path, threads=1)
    for _ in range(2):  # the failure is remembered, not retried on every call
        with pytest.raises(ModelError) as exc:
            service.chat_stream(HELLO, max_tokens=4)
        assert type(exc.value) is ModelError
        assert "broken.gguf" in str(exc.value) and exc.value.hint
    assert not service.available("chat")
    assert service.info()["chat"]["error"]
    assert len(service.embed_one("still here")) == 384
    service.free()


def test_wrong_kind_and_damaged_files_are_model_errors(
    tmp_path: Path, chat_model_path: Path, embedding_model_path: Path
) -> None:
    swapped = ModelService(embedding_model_path, chat_model_path)
    with pytest.raises(ModelError, match="is an embedding model"):
        swapped.chat(HELLO, max_tokens=4)
    with pytest.raises(ModelError, match="is a chat model"):
        swapped.embed(["x"])
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a model at all")
    with pytest.raises(ModelError, match="not a GGUF"):
        ModelService(None, junk).embed(["x"])
