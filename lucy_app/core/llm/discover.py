"""GGUF models already on this computer, from the apps people use to run models.

Lucy never downloads a model, but many people have some already: Ollama, LM Studio,
GPT4All, Jan and the Hugging Face cache keep GGUF files in known places. :func:`find`
looks there (read in place: nothing is copied), reads each file's GGUF header (never the
weights) and says what it is — a chat or an embedding model, its name, its size, roughly
how much memory it needs — and whether Lucy recommends it on this computer.

Where it looks (``home`` is the user's home folder):

- Ollama: ``~/.ollama/models`` (or ``$OLLAMA_MODELS``): each manifest under ``manifests/``
  names its model layer, a GGUF blob under ``blobs/``; the model is called ``name:tag``.
- LM Studio: ``~/.lmstudio/models``, ``~/.cache/lm-studio/models``.
- GPT4All: ``~/.local/share/nomic.ai/GPT4All``; macOS ``~/Library/Application
  Support/nomic.ai/GPT4All``; Windows ``%LOCALAPPDATA%/nomic.ai/GPT4All``.
- Jan: ``~/jan/models``, ``~/.local/share/Jan/data/models``; macOS ``~/Library/Application
  Support/Jan/data/models``; Windows ``%APPDATA%/Jan/data/models``.
- Hugging Face: ``$HF_HUB_CACHE``, ``$HF_HOME/hub`` or ``~/.cache/huggingface/hub``
  (``models--*/snapshots/*/…gguf``, links into ``blobs/``).

A model split into parts is listed once, by its first part (llama.cpp loads the rest).
Unreadable, partial or damaged files are left out.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lucy_app.core.errors import ModelError
from lucy_app.core.llm import embedding_prompts
from lucy_app.core.llm.gguf_check import CHAT, EMBEDDING, ModelInfo, inspect_model

#: Files looked at, at most (a folder of thousands of files must not stall the settings).
MAX_FILES = 400
_SPLIT = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    path: Path
    source: str          # "Ollama", "LM Studio", "GPT4All", "Jan", "Hugging Face"
    name: str            # what to call it
    kind: str            # "chat" or "embedding"
    size: int            # bytes on disk
    memory_gb: float     # roughly what it needs loaded (weights, a context, overhead)
    recommended: bool
    why: str             # the recommendation, in a few words


def memory_needed(info: ModelInfo) -> float:
    """Gigabytes a model needs loaded: its weights, about a tenth more for a 4k context and
    working memory, and a little for llama.cpp itself."""
    return round(info.size * 1.12 / 1e9 + 0.2, 1)


def total_memory_gb() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (AttributeError, ValueError, OSError):
        return None


def _judge(info: ModelInfo, memory_gb: float, ram_gb: float | None) -> tuple[bool, str]:
    if ram_gb is not None and memory_gb > ram_gb * 0.6:
        return False, f"needs about {memory_gb:g} GB: more than this computer can spare"
    if info.kind == EMBEDDING:
        known = embedding_prompts.for_model(info.architecture, info.name) is not embedding_prompts.NONE
        return (known, "a search model Lucy knows" if known else "a search model Lucy has no settings for")
    label = f"{info.name} {info.path.name}".lower()
    if not info.has_chat_template:
        return False, "no chat template: not made for conversation"
    if "instruct" not in label and "chat" not in label and "-it" not in label:
        return False, "a base model, not tuned to follow instructions"
    if info.size < 0.5e9:
        return False, "small: digests and answers will be plain"
    return True, f"good for digests and answers (about {memory_gb:g} GB of memory)"


def _places(home: Path, env: dict[str, str]) -> list[tuple[str, Path]]:
    appdata = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
    local = Path(env["LOCALAPPDATA"]) if env.get("LOCALAPPDATA") else home / "AppData" / "Local"
    support = home / "Library" / "Application Support"
    hf = (Path(env["HF_HUB_CACHE"]) if env.get("HF_HUB_CACHE")
          else Path(env["HF_HOME"]) / "hub" if env.get("HF_HOME") else home / ".cache" / "huggingface" / "hub")
    return [
        ("LM Studio", home / ".lmstudio" / "models"),
        ("LM Studio", home / ".cache" / "lm-studio" / "models"),
        ("GPT4All", home / ".local" / "share" / "nomic.ai" / "GPT4All"),
        ("GPT4All", support / "nomic.ai" / "GPT4All"),
        ("GPT4All", local / "nomic.ai" / "GPT4All"),
        ("Jan", home / "jan" / "models"),
        ("Jan", home / ".local" / "share" / "Jan" / "data" / "models"),
        ("Jan", support / "Jan" / "data" / "models"),
        ("Jan", appdata / "Jan" / "data" / "models"),
        ("Hugging Face", hf),
    ]


def _ggufs(folder: Path) -> Iterator[Path]:
    """GGUF files under ``folder`` (following the Hugging Face cache's links), first parts only."""
    for root, _dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(files):
            if not name.lower().endswith(".gguf"):
                continue
            split = _SPLIT.search(name)
            if split and split.group(1) != "00001":
                continue
            yield Path(root) / name


def _ollama(models: Path) -> Iterator[tuple[str, Path]]:
    """(``name:tag``, blob) of each Ollama manifest's model layer."""
    manifests = models / "manifests"
    if not manifests.is_dir():
        return
    for root, _dirs, files in os.walk(manifests):
        for tag in files:
            manifest = Path(root) / tag
            try:
                layers = json.loads(manifest.read_text(encoding="utf-8")).get("layers", [])
            except (OSError, ValueError, AttributeError):
                continue
            for layer in layers if isinstance(layers, list) else []:
                if isinstance(layer, dict) and layer.get("mediaType") == "application/vnd.ollama.image.model":
                    digest = str(layer.get("digest", "")).replace(":", "-")
                    blob = models / "blobs" / digest
                    if digest and blob.is_file():
                        yield f"{manifest.parent.name}:{tag}", blob


def find(home: Path | None = None, env: dict[str, str] | None = None) -> list[Found]:
    """The GGUF models on this computer, chat models first, recommended ones first."""
    home = Path(home) if home is not None else Path.home()
    env = dict(os.environ) if env is None else env
    ram = total_memory_gb()
    candidates: list[tuple[str, Path, str | None]] = []
    ollama = Path(env["OLLAMA_MODELS"]) if env.get("OLLAMA_MODELS") else home / ".ollama" / "models"
    candidates += [("Ollama", blob, name) for name, blob in _ollama(ollama)]
    for source, folder in _places(home, env):
        if folder.is_dir():
            candidates += [(source, p, None) for p in _ggufs(folder)]
    out: list[Found] = []
    seen: set[str] = set()
    for source, path, name in candidates[:MAX_FILES]:
        try:
            real = str(path.resolve())
            if real in seen:
                continue
            seen.add(real)
            info = inspect_model(path)
        except (ModelError, OSError, ValueError):
            continue
        memory = memory_needed(info)
        good, why = _judge(info, memory, ram)
        out.append(Found(path, source, name or info.label, info.kind,
                         info.size, memory, good, why))
    return sorted(out, key=lambda f: (f.kind != CHAT, not f.recommended, f.size))
