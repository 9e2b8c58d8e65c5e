"""Where Lucy's default models live, and which bigger models the settings screen suggests.

The two default models are produced by the set-up step (``packaging/fetch_models.py``,
``make models``) into ``resources/models``; nothing is downloaded at run time. Their file
names are defined here, and the fetch script imports them from here.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

#: Qwen2.5-Coder-1.5B writes digests and answers the honesty gate keeps (``lucy bench
#: honesty``: 91% of its sentences kept, against 39% for SmolLM2-135M, which it replaced).
QWEN_CODER_CHAT_MODEL_FILE = "Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf"
CHAT_MODEL_FILE = QWEN_CODER_CHAT_MODEL_FILE
#: MiniLM indexes a 10-year diary in minutes; EmbeddingGemma finds more but takes ~6 times as long.
EMBEDDING_MODEL_FILE = "all-MiniLM-L6-v2.Q8_0.gguf"
#: The small chat model the test suite runs where what a model writes does not decide the
#: test (made by ``make test``, not shipped).
SMALL_CHAT_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"

#: Candidate models, made by ``packaging/fetch_models.py --candidates`` next to the defaults
#: (provenance and licences in ``resources/models/NOTICE.md``); not shipped unless named above.
EMBEDDINGGEMMA_MODEL_FILE = "embeddinggemma-300m.Q8_0.gguf"
NOMIC_EMBED_MODEL_FILE = "nomic-embed-text-v1.5.f16.gguf"
E5_SMALL_MODEL_FILE = "multilingual-e5-small-enpt.Q4_0.gguf"

MODELS_DIR_ENV = "LUCY_MODELS_DIR"
CHAT_MODEL_ENV = "LUCY_CHAT_MODEL"


def models_dir() -> Path:
    """The directory holding the default models.

    ``$LUCY_MODELS_DIR`` if set; else, in a PyInstaller bundle, ``<bundle>/resources/models``;
    else the repository's ``resources/models``.
    """
    env = os.environ.get(MODELS_DIR_ENV)
    if env:
        return Path(env).expanduser()
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources" / "models"
    return Path(__file__).resolve().parents[3] / "resources" / "models"


def default_chat_model_path() -> Path:
    """The bundled chat model, or the GGUF file ``$LUCY_CHAT_MODEL`` names (a journal's own
    choice in Settings still comes first)."""
    env = os.environ.get(CHAT_MODEL_ENV)
    if env:
        return Path(env).expanduser()
    return models_dir() / CHAT_MODEL_FILE


def default_embedding_model_path() -> Path:
    return models_dir() / EMBEDDING_MODEL_FILE


def small_chat_model_path() -> Path:
    return models_dir() / SMALL_CHAT_MODEL_FILE


@dataclass(frozen=True)
class RecommendedModel:
    """A bigger model the user may download and choose in the settings screen."""

    name: str
    kind: str  # "chat" or "embedding"
    file_hint: str  # the usual GGUF file name, to search for
    ram_gb: float  # memory the model needs when loaded (weights + a 4k context), roughly
    license: str
    note: str = ""


#: Shown by the settings screen, smallest first within each kind. Lucy never downloads these.
RECOMMENDED_MODELS: tuple[RecommendedModel, ...] = (
    RecommendedModel("SmolLM2 1.7B Instruct", "chat", "SmolLM2-1.7B-Instruct-Q4_K_M.gguf",
                     2.0, "Apache-2.0", "about the size of the default; a general (not code-tuned) model"),
    RecommendedModel("Qwen2.5 3B Instruct", "chat", "qwen2.5-3b-instruct-q4_k_m.gguf",
                     3.0, "Qwen Research", "good summaries on 8 GB machines"),
    RecommendedModel("Llama 3.2 3B Instruct", "chat", "Llama-3.2-3B-Instruct-Q4_K_M.gguf",
                     3.0, "Llama 3.2 Community", "good summaries on 8 GB machines"),
    RecommendedModel("Qwen2.5 7B Instruct", "chat", "qwen2.5-7b-instruct-q4_k_m.gguf",
                     6.0, "Apache-2.0", "best quality here; wants 16 GB and patience"),
    RecommendedModel("Mistral 7B Instruct v0.3", "chat", "Mistral-7B-Instruct-v0.3.Q4_K_M.gguf",
                     6.0, "Apache-2.0", "wants 16 GB"),
    RecommendedModel("bge-small-en-v1.5", "embedding", "bge-small-en-v1.5-q8_0.gguf",
                     0.3, "MIT", "English; changing the embedding model re-indexes the journal"),
    RecommendedModel("nomic-embed-text v1.5", "embedding", "nomic-embed-text-v1.5.Q8_0.gguf",
                     0.6, "Apache-2.0", "longer passages (8k tokens); re-indexes the journal"),
    RecommendedModel("bge-m3", "embedding", "bge-m3-Q8_0.gguf",
                     1.5, "MIT", "many languages; re-indexes the journal"),
)


def recommended_models(kind: str | None = None) -> list[RecommendedModel]:
    """The recommended models, of one kind ("chat" or "embedding") or all."""
    return [m for m in RECOMMENDED_MODELS if kind is None or m.kind == kind]
