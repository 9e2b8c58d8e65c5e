"""Look inside a GGUF model file without llama.cpp, and say clearly what is wrong with it.

:func:`inspect_model` parses the GGUF header (magic, version, key/values, tensor infos) with
bounds checks, and checks that every tensor's data lies inside the file, so a truncated
download is caught before llama.cpp sees it. It reads only the header: a few milliseconds
even for a multi-gigabyte model. Hashing the whole file is separate (:func:`sha256_of`).

Every problem is a :class:`~lucy_app.core.errors.ModelError` with a one-line message and a
hint: missing file, a folder, not GGUF, an unsupported GGUF version, a truncated file, a
damaged header, or (from :func:`check_model`) the wrong kind of model.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from lucy_app.core.errors import ModelError
from lucy_app.core.storage.open_journals import is_open_journal

GGUF_MAGIC = b"GGUF"
SUPPORTED_VERSIONS = (2, 3)
DEFAULT_ALIGNMENT = 32
MAX_DIMS = 4

CHAT = "chat"
EMBEDDING = "embedding"

#: Architectures that are encoders (embedding models), whatever their keys say.
EMBEDDING_ARCHITECTURES = frozenset(
    {
        "bert", "nomic-bert", "nomic-bert-moe", "jina-bert-v2", "jina-bert-v3",
        "modern-bert", "neo-bert", "eurobert", "t5encoder", "roberta", "xlm-roberta",
    }
)

# ggml type id -> (elements per block, bytes per block); ids are stable in ggml.h.
_GGML_TYPE_SIZES: dict[int, tuple[int, int]] = {
    0: (1, 4), 1: (1, 2), 2: (32, 18), 3: (32, 20), 6: (32, 22), 7: (32, 24), 8: (32, 34),
    9: (32, 40), 10: (256, 84), 11: (256, 110), 12: (256, 144), 13: (256, 176),
    14: (256, 210), 15: (256, 292), 16: (256, 66), 17: (256, 74), 18: (256, 98),
    19: (256, 50), 20: (32, 18), 21: (256, 110), 22: (256, 82), 23: (256, 136), 24: (1, 1),
    25: (1, 2), 26: (1, 4), 27: (1, 8), 28: (1, 8), 29: (256, 56), 30: (1, 2),
    34: (256, 54), 35: (256, 66), 39: (32, 17), 40: (64, 36), 41: (128, 18),
}

# GGUF value types: id -> struct format of a scalar (strings and arrays handled apart).
_SCALAR_FORMATS = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?",
                   10: "Q", 11: "q", 12: "d"}
_STRING, _ARRAY = 8, 9

_HINT_REDOWNLOAD = "the download or copy was probably interrupted; get the file again"
_HINT_GGUF = "Lucy runs GGUF model files (llama.cpp format), usually named *.gguf"


@dataclass(frozen=True)
class ModelInfo:
    """What the GGUF header says about a model file."""

    path: Path
    size: int
    architecture: str
    kind: str  # "chat" or "embedding"
    embedding_length: int | None
    context_length: int | None
    name: str
    has_chat_template: bool
    gguf_version: int
    tensor_count: int
    file_type: int | None = None
    pooling_type: int | None = None
    sha256: str | None = None  # only when asked for: hashing a big file takes a while

    @property
    def label(self) -> str:
        """The model's name for people ("SmolLM2 135M Instruct"; :mod:`.names`)."""
        from lucy_app.core.llm.names import display_name

        return display_name(self.name, self.path)

    def with_sha256(self) -> ModelInfo:
        """The same info with :attr:`sha256` filled in (reads the whole file once)."""
        return self if self.sha256 else replace(self, sha256=sha256_of(self.path))


# --- hashing -------------------------------------------------------------------------

_sha_cache: dict[tuple[str, int, int], str] = {}
_sha_lock = threading.Lock()


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The file's sha256 (hex). Cached per (path, size, mtime) for this process."""
    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    with _sha_lock:
        if key in _sha_cache:
            return _sha_cache[key]
    if is_open_journal(p):
        raise ModelError(f"{p} is the journal Lucy has open, not a model file", hint=_HINT_GGUF)
    h = hashlib.sha256()
    with open(p, "rb") as f:
        while chunk := f.read(4 << 20):
            h.update(chunk)
    digest = h.hexdigest()
    with _sha_lock:
        _sha_cache[key] = digest
    return digest


# --- parsing -------------------------------------------------------------------------


_U64 = struct.Struct("<Q")


class _Damaged(Exception):
    def __init__(self, reason: str, *, truncated: bool = False):
        super().__init__(reason)
        self.truncated = truncated


class _Cursor:
    """Little-endian reads from a buffer, never past its end."""

    def __init__(self, buf: mmap.mmap | bytes, size: int):
        self.buf = buf
        self.size = size
        self.pos = 0

    def need(self, n: int, what: str) -> None:
        if n < 0 or self.pos + n > self.size:
            raise _Damaged(f"the file ends inside the header ({what} at byte {self.pos})",
                           truncated=True)

    def unpack(self, fmt: str, what: str):
        n = struct.calcsize("<" + fmt)
        self.need(n, what)
        (value,) = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += n
        return value

    def string(self, what: str, *, decode: bool = True) -> str | None:
        n = self.unpack("Q", what)
        if n > self.size - self.pos:
            raise _Damaged(f"{what} at byte {self.pos - 8} claims {n} bytes, "
                           "more than the file holds", truncated=n < (1 << 40))
        raw = self.buf[self.pos:self.pos + n] if decode else None
        self.pos += n
        if raw is None:
            return None
        try:
            return bytes(raw).decode("utf-8")
        except UnicodeDecodeError:
            raise _Damaged(f"{what} at byte {self.pos - n} is not UTF-8 text") from None

    def skip_value(self, vtype: int, what: str, depth: int = 0) -> None:
        if vtype in _SCALAR_FORMATS:
            self.unpack(_SCALAR_FORMATS[vtype], what)
        elif vtype == _STRING:
            self.string(what, decode=False)
        elif vtype == _ARRAY:
            self.skip_array(what, depth)
        else:
            raise _Damaged(f"unknown value type {vtype} for {what} at byte {self.pos}")

    def skip_array(self, what: str, depth: int) -> None:
        if depth > 2:
            raise _Damaged(f"arrays nested too deeply in {what}")
        etype = self.unpack("I", what)
        count = self.unpack("Q", what)
        if etype in _SCALAR_FORMATS:
            n = struct.calcsize("<" + _SCALAR_FORMATS[etype])
            if count * n > self.size - self.pos:
                raise _Damaged(f"array {what} claims {count} items, more than the file holds",
                               truncated=count < (1 << 40))
            self.pos += count * n
        elif etype == _STRING:
            if count * 8 > self.size - self.pos:
                raise _Damaged(f"array {what} claims {count} strings, more than the file holds",
                               truncated=count < (1 << 40))
            # a vocabulary holds ~150,000 strings: a tight loop (the check runs on a background
            # thread, and a slow pure-Python loop holds the GIL the window needs)
            buf, pos, size, length = self.buf, self.pos, self.size, _U64.unpack_from
            for _ in range(count):
                if pos + 8 > size:
                    self.pos = pos
                    self.need(8, what)
                pos += 8 + length(buf, pos)[0]
                if pos > size:
                    raise _Damaged(f"a string in {what} runs past the end of the file",
                                   truncated=True)
            self.pos = pos
        elif etype == _ARRAY:
            for _ in range(count):
                self.skip_array(what, depth + 1)
        else:
            raise _Damaged(f"unknown array item type {etype} in {what}")

    def value(self, vtype: int, what: str):
        if vtype in _SCALAR_FORMATS:
            return self.unpack(_SCALAR_FORMATS[vtype], what)
        if vtype == _STRING:
            return self.string(what)
        self.skip_value(vtype, what)
        return None


def _parse(buf: mmap.mmap | bytes, size: int, path: Path) -> ModelInfo:
    cur = _Cursor(buf, size)
    magic = bytes(buf[0:4])
    if magic != GGUF_MAGIC:
        raise _not_gguf(path, magic, bytes(buf[0:16]))
    cur.pos = 4
    version = cur.unpack("I", "version")
    if version not in SUPPORTED_VERSIONS:
        swapped = struct.unpack("<I", struct.pack(">I", version))[0]
        if swapped in SUPPORTED_VERSIONS:
            raise ModelError(f"{path.name} is a big-endian GGUF file, which Lucy cannot run",
                             hint="get the ordinary (little-endian) GGUF of this model")
        if version == 1:
            raise ModelError(f"{path.name} uses GGUF version 1, which is too old to run",
                             hint="get a current GGUF of this model (version 2 or 3)")
        raise ModelError(f"{path.name} uses GGUF version {version}, which this Lucy "
                         "does not support", hint="update Lucy, or get a GGUF version 3 file")
    tensor_count = cur.unpack("Q", "tensor count")
    kv_count = cur.unpack("Q", "key/value count")
    # the smallest key/value takes 13 bytes, the smallest tensor info 8+4+8+4+8
    if kv_count * 13 > size or tensor_count * 32 > size:
        plausible = kv_count < 100_000 and tensor_count < 10_000_000
        raise _Damaged(f"the header lists {kv_count} keys and {tensor_count} tensors, "
                       f"more than {size:,} bytes can hold", truncated=plausible)

    wanted_prefixes = ("general.", "tokenizer.chat_template")
    kv: dict[str, object] = {}
    for i in range(kv_count):
        key = cur.string(f"key #{i}")
        assert key is not None
        vtype = cur.unpack("I", f"type of {key}")
        arch = kv.get("general.architecture")
        interesting = key.startswith(wanted_prefixes) or (
            isinstance(arch, str) and key.startswith(arch + ".")
        )
        if interesting:
            kv[key] = cur.value(vtype, key)
            if vtype == _ARRAY and key.startswith("tokenizer.chat_template"):
                kv[key] = True  # named templates: presence is enough
        else:
            cur.skip_value(vtype, key)

    alignment = kv.get("general.alignment", DEFAULT_ALIGNMENT)
    if not isinstance(alignment, int) or alignment <= 0 or alignment & (alignment - 1):
        raise _Damaged(f"general.alignment is {alignment!r}, not a power of two")

    tensors: list[tuple[str, int, int, int]] = []  # name, type, n_elements, offset
    for i in range(tensor_count):
        name = cur.string(f"name of tensor #{i}")
        n_dims = cur.unpack("I", f"dimensions of {name}")
        if not 1 <= n_dims <= MAX_DIMS:
            raise _Damaged(f"tensor {name!r} has {n_dims} dimensions")
        n_el = 1
        for _ in range(n_dims):
            d = cur.unpack("Q", f"shape of {name}")
            if d == 0 or d >= 1 << 40:
                raise _Damaged(f"tensor {name!r} has a dimension of {d}")
            n_el *= d
        ttype = cur.unpack("I", f"type of {name}")
        offset = cur.unpack("Q", f"offset of {name}")
        if ttype > 255:
            raise _Damaged(f"tensor {name!r} has type id {ttype}")
        if offset % alignment:
            raise _Damaged(f"tensor {name!r} starts at an unaligned offset {offset}")
        tensors.append((name or "?", ttype, n_el, offset))

    data_start = -(-cur.pos // alignment) * alignment
    data_size = size - data_start
    for name, ttype, n_el, offset in tensors:
        block, nbytes = _GGML_TYPE_SIZES.get(ttype, (1, 0))  # unknown type: check start only
        if n_el % block:
            raise _Damaged(f"tensor {name!r} has {n_el} values, not whole blocks of {block}")
        end = offset + (n_el // block) * nbytes
        if end > data_size or offset > data_size:
            raise ModelError(
                f"{path.name} is truncated: its tensor data needs {data_start + end:,} bytes "
                f"but the file has {size:,}",
                hint=_HINT_REDOWNLOAD,
            )

    arch = kv.get("general.architecture")
    if not isinstance(arch, str) or not arch:
        raise _Damaged("it has no general.architecture")
    pooling = kv.get(f"{arch}.pooling_type")
    causal = kv.get(f"{arch}.attention.causal")
    is_embedding = (
        arch in EMBEDDING_ARCHITECTURES
        or (isinstance(pooling, int) and pooling > 0)
        or causal is False
    )
    name = kv.get("general.name")
    emb = kv.get(f"{arch}.embedding_length")
    ctx = kv.get(f"{arch}.context_length")
    ftype = kv.get("general.file_type")
    return ModelInfo(
        path=path,
        size=size,
        architecture=arch,
        kind=EMBEDDING if is_embedding else CHAT,
        embedding_length=emb if isinstance(emb, int) else None,
        context_length=ctx if isinstance(ctx, int) else None,
        name=name if isinstance(name, str) and name.strip() else path.stem,
        has_chat_template=any(k.startswith("tokenizer.chat_template") and v for k, v in kv.items()),
        gguf_version=version,
        tensor_count=tensor_count,
        file_type=ftype if isinstance(ftype, int) else None,
        pooling_type=pooling if isinstance(pooling, int) else None,
    )


def _not_gguf(path: Path, magic: bytes, head: bytes) -> ModelError:
    if magic in (b"lmgg", b"fmgg", b"tjgg", b"algg", b"GGML", b"GGJT"):
        return ModelError(f"{path.name} is an old GGML model, not GGUF",
                          hint="get the GGUF version of this model")
    if len(head) >= 9 and head[8:9] == b"{":
        return ModelError(f"{path.name} is a safetensors file, not a GGUF model",
                          hint="get or convert the GGUF version of this model")
    if head[:2] == b"PK":
        return ModelError(f"{path.name} is a zip archive, not a GGUF model",
                          hint="unpack it and choose the .gguf file inside")
    return ModelError(f"{path.name} is not a GGUF model file", hint=_HINT_GGUF)


def inspect_model(path: str | os.PathLike[str], *, with_sha256: bool = False) -> ModelInfo:
    """Read a GGUF file's header and say what model it is; ModelError if it cannot be used."""
    try:
        p = Path(path).expanduser()
    except RuntimeError:  # "~someone/…" for a user this system does not know
        raise ModelError(f"Model file not found: {path}", hint="check the path in Settings") from None
    try:
        st = p.stat()
    except FileNotFoundError:
        raise ModelError(f"Model file not found: {p}",
                         hint="check the path in Settings; `make models` makes the defaults"
                         ) from None
    except OSError as e:
        raise ModelError(f"Cannot read model file {p}: {e.strerror}",
                         hint="check that the file and its folder are readable") from None
    except ValueError:  # a NUL byte, or a name the system cannot represent
        raise ModelError(f"{str(p)!r} is not a valid file name", hint=_HINT_GGUF) from None
    if p.is_dir():
        raise ModelError(f"{p} is a folder, not a model file",
                         hint="choose the .gguf file inside it")
    if not p.is_file():
        raise ModelError(f"{p} is not a regular file", hint=_HINT_GGUF)
    size = st.st_size
    if size == 0:
        raise ModelError(f"{p.name} is empty (0 bytes)", hint=_HINT_REDOWNLOAD)
    if is_open_journal(p):
        raise ModelError(f"{p} is the journal Lucy has open, not a model file", hint=_HINT_GGUF)
    try:
        with open(p, "rb") as f:
            with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
                info = _parse(buf, size, p)
    except _Damaged as e:
        if e.truncated:
            raise ModelError(f"{p.name} is truncated: {e}", hint=_HINT_REDOWNLOAD) from None
        raise ModelError(f"{p.name} is damaged: {e}", hint=_HINT_REDOWNLOAD) from None
    except OSError as e:
        raise ModelError(f"Cannot read model file {p}: {e.strerror or e}",
                         hint="check that the file is readable") from None
    return info.with_sha256() if with_sha256 else info


def normalise_kind(kind: str) -> str:
    """"chat" or "embedding" ("embed" and "embeddings" are accepted too)."""
    k = kind.lower()
    if k == CHAT:
        return CHAT
    if k in ("embed", "embedding", "embeddings"):
        return EMBEDDING
    raise ValueError(f"unknown model kind {kind!r}")


def check_model(path: str | os.PathLike[str], kind: str) -> ModelInfo:
    """:func:`inspect_model`, and a ModelError when the model is not of ``kind``."""
    want = normalise_kind(kind)
    info = inspect_model(path)
    if info.kind != want:
        if want == EMBEDDING:
            raise ModelError(
                f"{info.name} ({info.path.name}) is a chat model; choose an embedding model "
                "such as all-MiniLM-L6-v2, bge-small-en-v1.5 or nomic-embed-text",
                hint="embedding models turn passages into vectors for search",
            )
        raise ModelError(
            f"{info.name} ({info.path.name}) is an embedding model; choose a chat model "
            "such as SmolLM2 Instruct, Qwen2.5 Instruct or Llama 3.2 Instruct",
            hint="chat models write the digests and answers",
        )
    return info
