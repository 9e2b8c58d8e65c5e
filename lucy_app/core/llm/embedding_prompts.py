"""What an embedding model wants written before a search query and before a passage.

Retrieval models are trained with a prefix on each side ("search_query: " / "search_document: "
for nomic-embed-text, "query: " / "passage: " for E5, …); without it they lose much of their
recall. The prefix is chosen here, in one table, from what the GGUF header says (its
architecture and ``general.name``), so any file of a known model gets it, whatever its file name.
Models not in the table (all-MiniLM-L6-v2, Lucy's first default) get none.

The index (:mod:`lucy_app.core.index`) embeds passages as ``document + text`` and search
(:mod:`lucy_app.core.search`) embeds queries as ``query + text``. A passage's vector depends on
the document prefix, so the prefix is part of the vectors' identity (``passages.vector_model``,
see :attr:`EmbeddingPrompts.tag`): changing a row of this table re-embeds the journals that use
that model; a model without a document prefix keeps the plain file-hash identity.

Each row also says how search should weigh the model's similarities (:class:`Fusion`): models
differ in where unrelated text sits (cosine ~0.1 for MiniLM, ~0.75 for E5) and in how far their
vectors can be trusted against BM25. Like search's own weights, these were chosen on the
tuning half of LoCoMo (``lucy bench recall``) and checked on the other half.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Fusion:
    """How :mod:`lucy_app.core.search` weighs this model's similarities (None: search's own
    constants, chosen for all-MiniLM-L6-v2). Chosen on LoCoMo's tuning half (``lucy bench
    recall``), like search's constants.

    ``baseline``: the similarity of a question and unrelated text, about; only the part of a
    cosine above it counts. ``floor``: the least cosine of a passage found by its vector alone
    (``VECTOR_FLOOR``). ``w_vector``, ``w_passage_entry``, ``vector_candidates``: search's
    ``W_VECTOR``, ``W_PASSAGE_ENTRY`` and ``VECTOR_CANDIDATES`` for this model.
    """

    baseline: float = 0.0
    floor: float | None = None
    w_vector: float | None = None
    w_passage_entry: float | None = None
    vector_candidates: int | None = None


@dataclass(frozen=True)
class EmbeddingPrompts:
    family: str
    query: str = ""
    document: str = ""
    fusion: Fusion = Fusion()

    @property
    def tag(self) -> str:
        """A short hash of the document prefix ("" without one): what the vectors' model id adds."""
        if not self.document:
            return ""
        return hashlib.sha256(self.document.encode("utf-8")).hexdigest()[:8]


NONE = EmbeddingPrompts("plain")


def _name(pattern: str) -> Callable[[str, str], bool]:
    rx = re.compile(pattern, re.IGNORECASE)
    return lambda arch, name: bool(rx.search(name))


def _arch(*archs: str) -> Callable[[str, str], bool]:
    return lambda arch, name: arch in archs


# EmbeddingGemma's model card and config_sentence_transformers.json ("query"/"document");
# unrelated text sits at cosine ~0.15 (median), a question's best passage at 0.44 or more (99%)
_GEMMA = EmbeddingPrompts(
    "embeddinggemma", "task: search result | query: ", "title: none | text: ",
    Fusion(baseline=0.25, floor=0.30, w_vector=0.8, w_passage_entry=0.8, vector_candidates=200))

# nomic-embed-text v1/v1.5/v2: task prefixes for retrieval; unrelated text ~0.50, nonsense < 0.50,
# a short paraphrase ~0.6
_NOMIC = EmbeddingPrompts(
    "nomic-embed", "search_query: ", "search_document: ",
    Fusion(baseline=0.50, floor=0.55, w_vector=0.8, w_passage_entry=0.8, vector_candidates=200))
# E5 (not the -instruct ones, which want an instruction): "query: " / "passage: "; E5's cosines
# are high throughout (unrelated text ~0.74, a question's best passage ~0.85)
_E5 = EmbeddingPrompts("e5", "query: ", "passage: ", Fusion(baseline=0.742, floor=0.80))

#: (does this model match?, its prompts): the first match wins. (architecture, general.name)
TABLE: tuple[tuple[Callable[[str, str], bool], EmbeddingPrompts], ...] = (
    (_arch("gemma-embedding"), _GEMMA),
    (_name(r"embedding\s*-?gemma"), _GEMMA),
    (_arch("nomic-bert", "nomic-bert-moe"), _NOMIC),
    (_name(r"nomic-embed-text"), _NOMIC),
    (lambda arch, name: bool(re.search(r"(^|[^a-z0-9])e5([^a-z0-9]|$)", name, re.IGNORECASE))
     and "instruct" not in name.lower(), _E5),
    # BGE English v1.5: an instruction before short queries, passages as they are
    (_name(r"bge-(small|base|large)-en-v1\.5"),
     EmbeddingPrompts("bge-en-v1.5", "Represent this sentence for searching relevant passages: ")),
)


def for_model(architecture: str | None, name: str | None) -> EmbeddingPrompts:
    """The prompts for a model, from its GGUF ``general.architecture`` and ``general.name``."""
    arch, label = (architecture or "").lower(), name or ""
    for matches, prompts in TABLE:
        if matches(arch, label):
            return prompts
    return NONE


def for_service(models) -> EmbeddingPrompts:
    """The prompts for a model service's embedding model (its header's architecture and name)."""
    info = models.info()["embed"]
    return for_model(info.get("architecture"), info.get("name"))
