"""A plain-numpy reference for EmbeddingGemma-300M: SentencePiece BPE and the encoder.

Used by ``test_fetch_candidates.py`` to check the GGUF that ``packaging/fetch_models.py``
converts: llama.cpp's embeddings must match this float32 reference computed straight from
the original sentence-transformers folder (``model.safetensors``, the two Dense layers,
``tokenizer.model``), without torch, transformers or sentencepiece.

The tokenizer is SentencePiece's BPE as Gemma uses it (no normaliser but spaces → U+2581,
no space prefix, byte fallback; ``<bos>`` … ``<eos>`` around). The forward pass follows
Hugging Face's ``Gemma3TextModel`` with bidirectional attention: embeddings scaled by
√hidden, RMSNorm with (1 + w), q/k norms, rotary positions (θ 10 000 on sliding-window
layers, 1 000 000 on the global ones; on the sliding-window layers a token sees the
tokens at most 256 = 512 / 2 positions away on either side, as Hugging Face's config
turns ``sliding_window`` 512 into for bidirectional attention, and llama.cpp's symmetric
window does),
GELU(tanh)-gated MLP, pre- and post-norms; then mean pooling, Dense 768→3072→768 and L2
normalisation, as sentence-transformers does.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path

import numpy as np


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    out = shift = 0
    while True:
        c = buf[i]
        i += 1
        out |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return out, i


def _fields(buf: bytes):
    """(field, wire type, value) of a protobuf message."""
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        else:
            raise ValueError(f"unexpected protobuf wire type {wire}")
        yield field, wire, value


def read_pieces(path: Path) -> list[tuple[str, float, int]]:
    """(piece, score, type) of a SentencePiece model file (a tiny protobuf reader)."""
    pieces = []
    for field, wire, body in _fields(Path(path).read_bytes()):
        if field != 1 or wire != 2:
            continue
        piece, score, kind = "", 0.0, 1
        for f, w, v in _fields(body):
            if f == 1 and w == 2:
                piece = v.decode("utf-8")
            elif f == 2 and w == 5:
                score = struct.unpack("<f", v)[0]
            elif f == 3 and w == 0:
                kind = v
        pieces.append((piece, score, kind))
    return pieces


class SentencePieceBPE:
    """BPE by piece scores (highest-scoring pair first, leftmost on ties), byte fallback."""

    def __init__(self, model_path: Path):
        self.pieces = read_pieces(model_path)
        self.vocab = {p: i for i, (p, _, kind) in enumerate(self.pieces) if kind in (1, 4, 6)}
        self.scores = [s for _, s, _ in self.pieces]
        self.byte_ids = {int(p[3:5], 16): i for i, (p, _, kind) in enumerate(self.pieces) if kind == 6}
        self.bos = next(i for i, (p, _, _) in enumerate(self.pieces) if p == "<bos>")
        self.eos = next(i for i, (p, _, _) in enumerate(self.pieces) if p == "<eos>")

    def encode(self, text: str) -> list[int]:
        symbols = list(text.replace(" ", "\u2581"))
        while True:
            best, at = None, -1
            for i in range(len(symbols) - 1):
                pid = self.vocab.get(symbols[i] + symbols[i + 1])
                if pid is not None and (best is None or self.scores[pid] > best):
                    best, at = self.scores[pid], i
            if at < 0:
                break
            symbols[at:at + 2] = [symbols[at] + symbols[at + 1]]
        ids = [self.bos]
        for s in symbols:
            if s in self.vocab:
                ids.append(self.vocab[s])
            else:
                ids.extend(self.byte_ids[b] for b in s.encode("utf-8"))
        return ids + [self.eos]


def _rms(x: np.ndarray, w: np.ndarray, eps: float) -> np.ndarray:
    return x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps) * (1.0 + w)


def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))


def _rope(x: np.ndarray, theta: float) -> np.ndarray:
    """Rotary positions on (n, heads, dim), halves rotated (Hugging Face / NEOX style)."""
    n, _, d = x.shape
    inv = theta ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    ang = np.arange(n, dtype=np.float64)[:, None] * inv[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    a, b = x[..., : d // 2], x[..., d // 2:]
    return np.concatenate([a * cos - b * sin, b * cos + a * sin], axis=-1)


def _mm(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    # einsum without BLAS: a multi-threaded BLAS on a busy 2-core machine runs far slower
    return np.einsum("ni,oi->no", x, w)


class GemmaReference:
    def __init__(self, model_dir: Path):
        from safetensors.numpy import load_file

        model_dir = Path(model_dir)
        self.config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.w = {k.removeprefix("model."): v.astype(np.float32)
                  for k, v in load_file(str(model_dir / "model.safetensors")).items()}
        self.dense = [load_file(str(model_dir / d / "model.safetensors"))["linear.weight"].astype(np.float32)
                      for d in ("2_Dense", "3_Dense")]
        self.tokenizer = SentencePieceBPE(model_dir / "tokenizer.model")

    def forward(self, ids: list[int]) -> np.ndarray:
        cfg, w = self.config, self.w
        eps = cfg["rms_norm_eps"]
        n_head, n_kv, hd = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
        x = w["embed_tokens.weight"][ids] * np.float32(math.sqrt(cfg["hidden_size"]))
        n = len(ids)
        scale = cfg["query_pre_attn_scalar"] ** -0.5
        pos = np.arange(n)
        far = np.abs(pos[:, None] - pos[None, :]) > cfg["sliding_window"] // 2
        for i, kind in enumerate(cfg["layer_types"]):
            p = f"layers.{i}."
            theta = cfg["rope_local_base_freq"] if kind == "sliding_attention" else cfg["rope_theta"]
            h = _rms(x, w[p + "input_layernorm.weight"], eps)
            q = _mm(h, w[p + "self_attn.q_proj.weight"]).reshape(n, n_head, hd)
            k = _mm(h, w[p + "self_attn.k_proj.weight"]).reshape(n, n_kv, hd)
            v = _mm(h, w[p + "self_attn.v_proj.weight"]).reshape(n, n_kv, hd)
            q = _rope(_rms(q, w[p + "self_attn.q_norm.weight"], eps), theta)
            k = _rope(_rms(k, w[p + "self_attn.k_norm.weight"], eps), theta)
            k = np.repeat(k, n_head // n_kv, axis=1)
            v = np.repeat(v, n_head // n_kv, axis=1)
            scores = np.einsum("qhd,khd->hqk", q, k) * scale
            if kind == "sliding_attention":
                scores = np.where(far[None], -np.inf, scores)
            scores -= scores.max(axis=-1, keepdims=True)
            probs = np.exp(scores)
            probs /= probs.sum(axis=-1, keepdims=True)
            ctx = np.einsum("hqk,khd->qhd", probs, v).reshape(n, n_head * hd)
            attn = _mm(ctx, w[p + "self_attn.o_proj.weight"])
            x = x + _rms(attn, w[p + "post_attention_layernorm.weight"], eps)
            h = _rms(x, w[p + "pre_feedforward_layernorm.weight"], eps)
            ff = _mm(_gelu_tanh(_mm(h, w[p + "mlp.gate_proj.weight"])) * _mm(h, w[p + "mlp.up_proj.weight"]),
                     w[p + "mlp.down_proj.weight"])
            x = x + _rms(ff, w[p + "post_feedforward_layernorm.weight"], eps)
        return _rms(x, w["norm.weight"], eps)

    def embed(self, text: str) -> np.ndarray:
        pooled = self.forward(self.tokenizer.encode(text)).mean(axis=0)
        out = _mm(_mm(pooled[None, :], self.dense[0]), self.dense[1])[0]
        return out / np.linalg.norm(out)
