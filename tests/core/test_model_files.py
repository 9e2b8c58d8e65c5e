"""Choosing a model file checks and records it; loading it verifies it is still that file."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from lucy_app.core import errors, model_files
from lucy_app.core.llm import gguf_check
from lucy_app.core.settings import Settings


@pytest.fixture
def embed_copy(tmp_path, embedding_model_path):
    """A private copy of the default embedding model (25 MB), free to damage."""
    target = tmp_path / "models" / "my-embedder.gguf"
    target.parent.mkdir()
    shutil.copyfile(embedding_model_path, target)
    return target


def _no_hashing(monkeypatch):
    def refuse(path):
        raise AssertionError(f"{path} was hashed again")

    monkeypatch.setattr(gguf_check, "sha256_of", refuse)


def test_choosing_a_model_records_what_identifies_it(journal, embed_copy):
    info = model_files.select(journal, "embedding", embed_copy)
    assert journal.settings.embedding_model == str(embed_copy)
    row = model_files.recorded(journal, "embedding")
    assert row["path"] == str(embed_copy) and row["size"] == embed_copy.stat().st_size
    assert row["sha256"] == info.sha256 == gguf_check.sha256_of(embed_copy)
    assert row["dim"] == 384 and row["name"]
    # the default again
    info = model_files.select(journal, "embedding", "default")
    assert journal.settings.embedding_model is None
    assert model_files.recorded(journal, "embedding")["path"] == str(info.path)


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"GGUF\x03\x00\x00\x00" + b"\x00" * 8, "truncated"),
    (b"PK\x03\x04" + b"\x00" * 100, "zip"),
    (b"<html>not a model</html>" * 10, "not a gguf"),
])
def test_a_file_that_is_not_a_usable_model_is_refused_and_nothing_changes(journal, tmp_path, content, words):
    bad = tmp_path / "model.gguf"
    bad.write_bytes(content)
    with pytest.raises(errors.ModelError) as exc:
        model_files.select(journal, "chat", bad)
    assert words in str(exc.value).lower() and exc.value.hint
    assert journal.settings == Settings() and model_files.recorded(journal, "chat") is None


def test_a_model_of_the_wrong_kind_is_refused(journal, chat_model_path, embed_copy):
    with pytest.raises(errors.ModelError, match="is an embedding model; choose a chat model"):
        model_files.select(journal, "chat", embed_copy)
    with pytest.raises(errors.ModelError, match="is a chat model; choose an embedding model"):
        model_files.select(journal, "embedding", chat_model_path)
    assert journal.settings == Settings()


def test_an_unchanged_file_is_verified_without_hashing_it(journal, embed_copy, monkeypatch):
    chosen = model_files.select(journal, "embedding", embed_copy)
    _no_hashing(monkeypatch)
    assert model_files.verify(journal, "embedding").sha256 == chosen.sha256


def test_a_touched_but_identical_file_is_hashed_once_and_accepted(journal, embed_copy, monkeypatch):
    model_files.select(journal, "embedding", embed_copy)
    later = time.time() + 5
    os.utime(embed_copy, (later, later))
    calls = []
    real = gguf_check.sha256_of
    monkeypatch.setattr(gguf_check, "sha256_of", lambda p: calls.append(p) or real(p))
    model_files.verify(journal, "embedding")
    assert len(calls) == 1
    model_files.verify(journal, "embedding")  # verified as of now: not hashed again
    assert len(calls) == 1


def test_a_file_changed_since_it_was_chosen_is_reported_before_loading(journal, embed_copy):
    model_files.select(journal, "embedding", embed_copy)
    data = bytearray(embed_copy.read_bytes())
    data[-1000] ^= 0xFF  # a weight in the tensor data: the header still checks out
    embed_copy.write_bytes(bytes(data))
    later = time.time() + 5
    os.utime(embed_copy, (later, later))
    with pytest.raises(model_files.ModelFileChanged, match="changed since you chose it") as exc:
        model_files.verify(journal, "embedding")
    assert "lucy settings embedding_model" in exc.value.hint
    with pytest.raises(model_files.ModelFileChanged):
        model_files.model_service(journal)
    # a different size: no need to hash to know
    with open(embed_copy, "ab") as f:
        f.write(b"\x00" * 4096)
    with pytest.raises(model_files.ModelFileChanged, match="bytes, not"):
        model_files.verify(journal, "embedding")
    # choosing it again accepts the new file
    model_files.select(journal, "embedding", embed_copy)
    model_files.verify(journal, "embedding")


def test_a_truncated_chosen_file_is_caught_by_its_header(journal, embed_copy):
    model_files.select(journal, "embedding", embed_copy)
    with open(embed_copy, "r+b") as f:
        f.truncate(embed_copy.stat().st_size // 2)
    with pytest.raises(errors.ModelError, match="truncated"):
        model_files.verify(journal, "embedding")


def test_the_defaults_are_recorded_on_first_use(journal):
    info = model_files.verify(journal, "chat")
    assert info.sha256 and model_files.recorded(journal, "chat")["sha256"] == info.sha256


def test_lucy_settings_chooses_models_through_the_check(run_cli, embed_copy, chat_model_path):
    result = run_cli("settings", "embedding_model", str(embed_copy))
    assert result.exit_code == 0, result.output
    assert str(embed_copy) in run_cli("settings", "embedding_model").output
    result = run_cli("settings", "chat_model", str(embed_copy))
    assert result.exit_code == 1
    assert "is an embedding model; choose a chat model" in result.output
    assert run_cli("settings", "chat_model").output.strip() == "null"
    result = run_cli("settings", "chat_model", str(embed_copy.parent / "missing.gguf"))
    assert result.exit_code == 1 and "not found" in result.output
    assert run_cli("settings", "embedding_model", "none").exit_code == 0
    assert run_cli("settings", "embedding_model").output.strip() == "null"


def test_the_app_can_choose_and_verify_through_its_own_connection(journal, embed_copy):
    """The app's writer thread has its own Database: the same functions take one."""
    own = journal.db.reopen()
    try:
        model_files.select(own, "embedding", embed_copy)
        assert model_files.verify(own, "embedding").sha256 == model_files.recorded(journal, "embedding")["sha256"]
    finally:
        own.close()
    journal._settings = None
    assert journal.settings.embedding_model == str(embed_copy)
