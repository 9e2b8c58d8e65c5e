from __future__ import annotations

import functools
import hashlib
import os
import random
import struct
from pathlib import Path

import gguf
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lucy_app.core.errors import ModelError
from lucy_app.core.llm.gguf_check import (
    CHAT,
    EMBEDDING,
    ModelInfo,
    check_model,
    inspect_model,
    sha256_of,
)

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@functools.cache
def _header(path: Path) -> bytes:
    """The bytes before the tensor data of a real GGUF file."""
    size = int(gguf.GGUFReader(path).data_offset)
    with open(path, "rb") as f:
        return f.read(size)


def _write_sparse(path: Path, head: bytes, size: int) -> Path:
    """``head`` followed by zeros up to ``size`` bytes, without writing the zeros."""
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(size)
    return path


def _assert_model_error(path: Path, *words: str) -> ModelError:
    with pytest.raises(ModelError) as exc:
        inspect_model(path)
    err = exc.value
    text = str(err).lower()
    assert "\n" not in str(err)
    assert err.hint, "every model error carries a hint"
    for word in words:
        assert word in text, f"{word!r} not in {str(err)!r}"
    return err


# --- the real default models -----------------------------------------------------------


def test_chat_model_header(chat_model_path: Path) -> None:
    info = inspect_model(chat_model_path)
    assert isinstance(info, ModelInfo)
    assert info.kind == CHAT
    assert info.architecture == "llama"
    assert info.has_chat_template
    assert info.embedding_length == 576
    assert info.context_length == 8192
    assert info.size == chat_model_path.stat().st_size
    assert info.sha256 is None  # not computed unless asked


def test_embedding_model_header(embedding_model_path: Path) -> None:
    info = inspect_model(embedding_model_path)
    assert info.kind == EMBEDDING
    assert info.architecture == "bert"
    assert info.name == "all-MiniLM-L6-v2"
    assert info.embedding_length == 384
    assert info.context_length == 512
    assert info.pooling_type == 1  # mean
    assert not info.has_chat_template


def test_sha256_is_separate_and_correct(embedding_model_path: Path) -> None:
    expected = hashlib.sha256(embedding_model_path.read_bytes()).hexdigest()
    assert sha256_of(embedding_model_path) == expected
    assert inspect_model(embedding_model_path, with_sha256=True).sha256 == expected
    assert inspect_model(embedding_model_path).with_sha256().sha256 == expected


def test_check_model_accepts_the_right_kind(chat_model_path: Path, embedding_model_path: Path) -> None:
    assert check_model(chat_model_path, "chat").kind == CHAT
    assert check_model(embedding_model_path, "embedding").kind == EMBEDDING
    assert check_model(embedding_model_path, "embed").kind == EMBEDDING


def test_chat_model_where_embedding_wanted(chat_model_path: Path) -> None:
    with pytest.raises(ModelError) as exc:
        check_model(chat_model_path, "embedding")
    assert "is a chat model; choose an embedding model such as" in str(exc.value)


def test_embedding_model_where_chat_wanted(embedding_model_path: Path) -> None:
    with pytest.raises(ModelError) as exc:
        check_model(embedding_model_path, "chat")
    assert "is an embedding model; choose a chat model such as" in str(exc.value)


# --- files that are not usable -----------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    _assert_model_error(tmp_path / "nope.gguf", "not found")


def test_directory(tmp_path: Path) -> None:
    _assert_model_error(tmp_path, "folder")


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.gguf"
    p.write_bytes(b"")
    _assert_model_error(p, "empty")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"hello, this is a text file\n", ("not a gguf",)),
        (b"GG", ("not a gguf",)),
        (b"PK\x03\x04" + bytes(100), ("zip",)),
        (struct.pack("<Q", 100) + b'{"__metadata__": {}}', ("safetensors",)),
        (b"tjgg" + bytes(100), ("ggml",)),
    ],
)
def test_not_gguf(tmp_path: Path, content: bytes, words: tuple[str, ...]) -> None:
    p = tmp_path / "x.gguf"
    p.write_bytes(content)
    _assert_model_error(p, *words)


@pytest.mark.parametrize(
    ("version", "words"),
    [(1, ("version 1", "too old")), (4, ("version 4",)), (0x03000000, ("big-endian",))],
)
def test_unsupported_version(tmp_path: Path, version: int, words: tuple[str, ...]) -> None:
    p = tmp_path / "v.gguf"
    p.write_bytes(b"GGUF" + struct.pack("<IQQ", version, 0, 0))
    _assert_model_error(p, *words)


def test_truncated_tensor_data(tmp_path: Path, embedding_model_path: Path) -> None:
    size = embedding_model_path.stat().st_size
    head = _header(embedding_model_path)
    p = _write_sparse(tmp_path / "cut.gguf", head, size - 1)
    err = _assert_model_error(p, "truncated", "tensor data")
    assert f"{size:,}" in str(err)  # how much it needs
    # cut in the middle of the data too
    _assert_model_error(_write_sparse(tmp_path / "half.gguf", head, size // 2), "truncated")
    # the same header with all its data is fine
    assert inspect_model(_write_sparse(tmp_path / "whole.gguf", head, size)).kind == EMBEDDING


@pytest.mark.parametrize("cut", [5000, 5003, 200_000, 1_000_001])  # inside the vocabulary's strings
def test_truncated_inside_header(tmp_path: Path, chat_model_path: Path, cut: int) -> None:
    with open(chat_model_path, "rb") as f:
        head = f.read(cut)
    p = tmp_path / "head.gguf"
    p.write_bytes(head)
    _assert_model_error(p, "truncated")


def test_real_header_then_garbage(tmp_path: Path, embedding_model_path: Path) -> None:
    raw = embedding_model_path.read_bytes()
    rng = random.Random(7)
    # magic, version, counts and the first key/value are real; the rest is noise
    for keep in (24, 60, 200, 2000):
        garbage = bytes(rng.getrandbits(8) for _ in range(20_000))
        p = tmp_path / f"garbage{keep}.gguf"
        p.write_bytes(raw[:keep] + garbage)
        err = _assert_model_error(p)
        assert any(w in str(err) for w in ("damaged", "truncated")), str(err)


def test_tensor_data_outside_the_file_is_reported(tmp_path: Path) -> None:
    p = tmp_path / "tiny.gguf"
    w = gguf.GGUFWriter(p, "llama")
    w.add_context_length(64)
    w.add_tensor("token_embd.weight", np.zeros((4, 32), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    assert inspect_model(p).kind == CHAT
    with open(p, "r+b") as f:
        f.truncate(p.stat().st_size - 4)
    _assert_model_error(p, "truncated")


# --- fuzzing: any bytes give a ModelInfo or a ModelError, nothing else -----------------


@FUZZ
@given(data=st.binary(max_size=2048))
def test_random_bytes(tmp_path: Path, data: bytes) -> None:
    p = tmp_path / "random.gguf"
    p.write_bytes(data)
    with pytest.raises(ModelError):
        inspect_model(p)


@FUZZ
@given(version=st.sampled_from([2, 3]), data=st.binary(max_size=2048))
def test_random_bytes_after_a_valid_preamble(tmp_path: Path, version: int, data: bytes) -> None:
    p = tmp_path / "preamble.gguf"
    p.write_bytes(b"GGUF" + struct.pack("<I", version) + data)
    try:
        inspect_model(p)
    except ModelError as e:
        assert "\n" not in str(e)


@FUZZ
@given(flips=st.lists(st.tuples(st.integers(0, 4095), st.integers(1, 255)), min_size=1, max_size=8))
def test_mutated_real_header(tmp_path: Path, embedding_model_path: Path,
                             flips: list[tuple[int, int]]) -> None:
    head = bytearray(_header(embedding_model_path))
    for pos, xor in flips:
        head[pos] ^= xor
    p = _write_sparse(tmp_path / "mutant.gguf", bytes(head), embedding_model_path.stat().st_size)
    try:
        info = inspect_model(p)
    except ModelError as e:
        assert e.hint
    else:
        assert info.kind in (CHAT, EMBEDDING)


def test_unreadable_file(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    p = tmp_path / "locked.gguf"
    p.write_bytes(b"GGUF")
    p.chmod(0)
    _assert_model_error(p, "cannot read")
