"""What to call a model file in front of people: "SmolLM2 135M Instruct", not the
checkpoint name inside it ("Smollm2 135M 8k Lc100K Mix1 Ep2").

The GGUF's ``general.name`` is used when it reads like a name; a name full of training
jargon (``8k``, ``mix1``, ``ep2``, ``lc100k``) gives way to the file's own name without its
quantisation tag (``SmolLM2-135M-Instruct.Q4_1.gguf`` → "SmolLM2 135M Instruct"). A
trailing "GGUF" is dropped either way.
"""

from __future__ import annotations

import re
from pathlib import Path

_JARGON = re.compile(r"(?i)\b(?:ep\d+|mix\d+|lc\d+k?|\d+k|step\d+|ckpt|checkpoint|sft|dpo|v\d+-\d+)\b")
_QUANT = re.compile(r"(?i)[._-](?:q\d(?:_[a-z0-9]+)*|iq\d\w*|f16|f32|bf16|fp16|gguf)$")
_GGUF = re.compile(r"(?i)[\s_-]*\bgguf\b")


def display_name(name: str | None, path: Path | str) -> str:
    """A model's name for people, from its header's ``general.name`` and its file name."""
    from_file = Path(path).name
    if from_file.lower().endswith(".gguf"):
        from_file = from_file[:-5]
    while (trimmed := _QUANT.sub("", from_file)) != from_file:
        from_file = trimmed
    from_file = " ".join(from_file.replace("_", " ").replace("-", " ").split())
    given = " ".join(_GGUF.sub("", name or "").split())
    if not given or _JARGON.search(given):
        return from_file or given or Path(path).name
    return given


_CASING = {"smollm2": "SmolLM2", "smollm": "SmolLM", "minilm": "MiniLM", "qwen2.5": "Qwen2.5", "llama": "Llama"}


def tidy(stored: str | None) -> str | None:
    """A name stored before names were tidied ("Smollm2 135M 8k Lc100K Mix1 Ep2" → "SmolLM2 135M")."""
    if not stored:
        return stored
    words = [w for w in _GGUF.sub("", _JARGON.sub("", stored)).split()]
    return " ".join(_CASING.get(w.lower(), w) for w in words) or stored
