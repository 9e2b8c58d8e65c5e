"""Finding the models people already have: fake home folders laid out as Ollama, LM Studio,
GPT4All, Jan and the Hugging Face cache lay them out, holding small real GGUF files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import gguf
import numpy as np

from lucy_app.core.llm import discover


def tiny_gguf(path: Path, *, arch: str = "llama", name: str = "Tiny Chat 1B Instruct", chat: bool = True,
              pad_bytes: int = 0) -> Path:
    """A small, complete GGUF (header and one tensor; ``pad_bytes`` makes it look bigger)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    w = gguf.GGUFWriter(path, arch)
    w.add_name(name)
    w.add_context_length(64)
    w.add_embedding_length(32)
    w.add_block_count(1)
    if chat:
        w.add_chat_template("{% for m in messages %}{{ m['content'] }}{% endfor %}")
    if arch == "bert":
        w.add_pooling_type(gguf.PoolingType.MEAN)
    w.add_tensor("token_embd.weight", np.zeros((4 + pad_bytes // 128, 32), dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def test_models_of_every_known_app_are_found_in_place_and_described(tmp_path: Path) -> None:
    home = tmp_path / "home"
    # Ollama: a manifest names its model layer, a blob without an extension
    blob = tiny_gguf(home / ".ollama/models/blobs/sha256-abc123", name="Qwen2.5 3B Instruct")
    manifest = home / ".ollama/models/manifests/registry.ollama.ai/library/qwen2.5/3b"
    manifest.parent.mkdir(parents=True)
    manifest.write_text(json.dumps({"layers": [
        {"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:abc123"},
        {"mediaType": "application/vnd.ollama.image.license", "digest": "sha256:def"}]}))
    tiny_gguf(home / ".lmstudio/models/lmstudio-community/Llama-3.2-3B-Instruct-GGUF/Llama-3.2-3B-Instruct-Q4_K_M.gguf",
              name="Llama 3.2 3B Instruct")
    tiny_gguf(home / ".local/share/nomic.ai/GPT4All/nomic-embed-text-v1.5.f16.gguf", arch="nomic-bert",
              name="nomic-embed-text-v1.5", chat=False)
    tiny_gguf(home / "jan/models/base-model/base-7b.gguf", name="Some Base 7B", chat=False)
    snapshot = home / ".cache/huggingface/hub/models--org--phi/snapshots/0123abcd"
    tiny_gguf(snapshot / "phi-4-mini-instruct-Q4_K_M-00001-of-00002.gguf", name="Phi 4 Mini Instruct")
    tiny_gguf(snapshot / "phi-4-mini-instruct-Q4_K_M-00002-of-00002.gguf", name="Phi 4 Mini Instruct")
    (home / ".lmstudio/models/broken.gguf").write_bytes(b"GGUF\x03\x00\x00\x00 cut short")

    found = discover.find(home, env={})
    by_source = {f.source: f for f in found}
    assert set(by_source) == {"Ollama", "LM Studio", "GPT4All", "Jan", "Hugging Face"}
    assert by_source["Ollama"].name == "qwen2.5:3b" and by_source["Ollama"].path == blob  # read in place
    assert by_source["GPT4All"].kind == "embedding" and by_source["GPT4All"].recommended  # Lucy knows nomic
    assert by_source["Jan"].kind == "chat" and not by_source["Jan"].recommended
    assert "not made for conversation" in by_source["Jan"].why
    phi = [f for f in found if f.source == "Hugging Face"]
    assert len(phi) == 1 and phi[0].path.name.endswith("00001-of-00002.gguf")  # a split model once
    assert all(f.path.name != "broken.gguf" for f in found)  # damaged files are left out
    assert all(f.memory_gb > 0 for f in found)
    assert [f.kind for f in found] == sorted((f.kind for f in found), key=lambda k: k != "chat")


def test_a_model_too_big_for_this_computer_is_not_recommended(tmp_path: Path, monkeypatch) -> None:
    tiny_gguf(tmp_path / ".lmstudio/models/a/big-70B-Instruct-Q4_K_M.gguf", name="Big 70B Instruct")
    monkeypatch.setattr(discover, "total_memory_gb", lambda: 0.0001)
    (found,) = discover.find(tmp_path, env={})
    assert not found.recommended and "more than this computer can spare" in found.why


def test_environment_folders_are_honoured_and_nothing_is_written(tmp_path: Path) -> None:
    models = tmp_path / "elsewhere" / "ollama"
    tiny_gguf(models / "blobs" / "sha256-1", name="x")
    (models / "manifests/registry.ollama.ai/library/x").mkdir(parents=True)
    (models / "manifests/registry.ollama.ai/library/x/latest").write_text(
        json.dumps({"layers": [{"mediaType": "application/vnd.ollama.image.model", "digest": "sha256:1"}]}))
    hub = tmp_path / "hfhub"
    tiny_gguf(hub / "models--a--b/snapshots/1/model.gguf", name="B Instruct")
    before = sorted(os.walk(tmp_path))
    found = discover.find(tmp_path / "home", env={"OLLAMA_MODELS": str(models), "HF_HUB_CACHE": str(hub)})
    assert {f.source for f in found} == {"Ollama", "Hugging Face"}
    assert sorted(os.walk(tmp_path)) == before
