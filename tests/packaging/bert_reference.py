"""A plain-numpy reference for all-MiniLM-L6-v2: WordPiece tokenizer and BERT forward pass.

Used by ``test_fetch_models.py`` to check the GGUF that ``packaging/fetch_models.py``
converts: llama.cpp's embeddings of a few sentences must match this float32 reference,
computed straight from the original ``model.safetensors`` (no torch, no transformers).

The tokenizer follows Hugging Face's ``BertTokenizer`` (BasicTokenizer + WordPiece) for an
uncased vocabulary; the forward pass is the standard post-LN BERT encoder with exact (erf)
GELU, mean pooling over all tokens and L2 normalisation, as sentence-transformers does.
"""

from __future__ import annotations

import json
import math
import unicodedata
from pathlib import Path

import numpy as np

# --- tokenizer -------------------------------------------------------------------------


def _is_whitespace(ch: str) -> bool:
    if ch in (" ", "\t", "\n", "\r"):
        return True
    return unicodedata.category(ch) == "Zs"


def _is_control(ch: str) -> bool:
    if ch in ("\t", "\n", "\r"):
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_chinese_char(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


class WordPieceTokenizer:
    """Hugging Face ``BertTokenizer`` behaviour for an uncased vocab.txt."""

    def __init__(self, vocab_path: Path):
        tokens = Path(vocab_path).read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        self.vocab = {tok: i for i, tok in enumerate(tokens)}
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        self.unk_id = self.vocab["[UNK]"]

    def _basic(self, text: str) -> list[str]:
        cleaned = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if _is_chinese_char(cp):
                cleaned.append(f" {ch} ")
            elif _is_whitespace(ch):
                cleaned.append(" ")
            else:
                cleaned.append(ch)
        words = []
        for word in "".join(cleaned).split():
            word = unicodedata.normalize("NFD", word.lower())
            word = "".join(c for c in word if unicodedata.category(c) != "Mn")
            current = ""
            for ch in word:
                if _is_punctuation(ch):
                    if current:
                        words.append(current)
                        current = ""
                    words.append(ch)
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def _wordpiece(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk_id]
        ids = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk_id]
            ids.append(found)
            start = end
        return ids

    def encode(self, text: str) -> list[int]:
        """Token ids with [CLS] ... [SEP], as the model sees them."""
        ids = [self.cls_id]
        for word in self._basic(text):
            ids.extend(self._wordpiece(word))
        ids.append(self.sep_id)
        return ids


# --- forward pass ----------------------------------------------------------------------

_erf = np.frompyfunc(math.erf, 1, 1)


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def _matmul(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    # einsum without BLAS: a multi-threaded BLAS on a busy 2-core machine runs ~25x slower
    return np.einsum("ni,io->no", x, w)


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


class BertReference:
    """float64 BERT encoder over the original safetensors weights, mean-pooled."""

    def __init__(self, model_dir: Path):
        from safetensors.numpy import load_file

        model_dir = Path(model_dir)
        self.config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        raw = load_file(str(model_dir / "model.safetensors"))
        self.w = {}
        for k, v in raw.items():
            v = v.astype(np.float64)
            if k.endswith(".weight") and v.ndim == 2 and "embeddings" not in k:
                v = np.ascontiguousarray(v.T)  # stored (out, in); keep (in, out) for x @ w
            self.w[k.removeprefix("bert.")] = v
        self.tokenizer = WordPieceTokenizer(model_dir / "vocab.txt")

    def forward(self, ids: list[int]) -> np.ndarray:
        cfg, w = self.config, self.w
        eps = cfg["layer_norm_eps"]
        n_head = cfg["num_attention_heads"]
        n = len(ids)
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:n]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
        d = x.shape[1]
        hd = d // n_head
        for i in range(cfg["num_hidden_layers"]):
            p = f"encoder.layer.{i}."

            def lin(name: str, h: np.ndarray, p: str = p) -> np.ndarray:
                return _matmul(h, w[p + name + ".weight"]) + w[p + name + ".bias"]

            q = lin("attention.self.query", x).reshape(n, n_head, hd).transpose(1, 0, 2)
            k = lin("attention.self.key", x).reshape(n, n_head, hd).transpose(1, 0, 2)
            v = lin("attention.self.value", x).reshape(n, n_head, hd).transpose(1, 0, 2)
            scores = np.einsum("hqd,hkd->hqk", q, k) / math.sqrt(hd)
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            ctx = np.einsum("hqk,hkd->hqd", probs, v).transpose(1, 0, 2).reshape(n, d)
            x = _layer_norm(
                x + lin("attention.output.dense", ctx),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                eps,
            )
            h = _gelu(lin("intermediate.dense", x))
            x = _layer_norm(
                x + lin("output.dense", h),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                eps,
            )
        return x

    def embed(self, text: str) -> np.ndarray:
        """Mean-pooled, L2-normalised sentence embedding."""
        pooled = self.forward(self.tokenizer.encode(text)).mean(axis=0)
        return pooled / np.linalg.norm(pooled)
