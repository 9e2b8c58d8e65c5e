"""The one owner of every ``llama_cpp.Llama`` in Lucy.

:class:`ModelService` holds a chat model and an embedding model. Each is loaded on first
use (its GGUF header checked first, see :mod:`.gguf_check`) and guarded by its own lock, so
no ``Llama`` is ever called from two threads at once; the two models may run at the same
time, and then share the CPU threads between them (:mod:`.threads`). Token counting uses a
separate vocabulary-only instance per model, so it never waits for a running generation.

A model configured as ``None`` is unavailable: its methods raise
:class:`~lucy_app.core.errors.ModelUnavailable` and the rest of Lucy works without it. A
model that fails to load raises :class:`~lucy_app.core.errors.ModelError` (and again on
later calls, until :meth:`ModelService.free`); the other model is unaffected.

llama.cpp's own log goes to the Python logger ``lucy.llm.llama_cpp`` (DEBUG), never to the
terminal; its last error line is quoted when a model fails to load.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import math
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lucy_app.core.errors import ModelError, ModelUnavailable
from lucy_app.core.llm.gguf_check import CHAT, EMBEDDING, ModelInfo, check_model
from lucy_app.core.llm.threads import choose_threads, share

if TYPE_CHECKING:  # pragma: no cover
    from llama_cpp import Llama

log = logging.getLogger(__name__)
llama_log = logging.getLogger("lucy.llm.llama_cpp")

CHAT_CTX = 4096
EMBED_CTX = 512
_KIND = {"chat": CHAT, "embed": EMBEDDING}
_LABEL = {"chat": "chat model", "embed": "embedding model"}

Message = dict[str, str]

# --- llama.cpp import and log ----------------------------------------------------------

_GGML_LOG_LEVELS = {1: logging.DEBUG, 2: logging.INFO, 3: logging.WARNING, 4: logging.ERROR}
_recent_errors: collections.deque[str] = collections.deque(maxlen=20)
_import_lock = threading.Lock()
# Llama() swaps the process's stdout/stderr file descriptors while it loads (verbose=False):
# two loads at once could leave them pointing at /dev/null. One construction at a time.
_construct_lock = threading.Lock()
_log_callback: Any = None


def _llama_cpp() -> Any:
    """Import llama_cpp once and route llama.cpp's log into Python logging."""
    global _log_callback
    with _import_lock:
        try:
            import ctypes

            import llama_cpp
            import llama_cpp.llama  # noqa: F401 - installs its own log callback first
        except ImportError as e:  # pragma: no cover - llama-cpp-python is a dependency
            raise ModelUnavailable(
                f"The model runtime (llama-cpp-python) is not installed: {e}",
                hint="reinstall Lucy; the journal works without AI meanwhile",
            ) from None
        if _log_callback is None:
            state = {"level": logging.DEBUG}

            @llama_cpp.llama_log_callback
            def _on_log(level: int, text: bytes, _user: Any) -> None:
                try:
                    if level != 5:  # 5 continues the previous line
                        state["level"] = _GGML_LOG_LEVELS.get(level, logging.DEBUG)
                    msg = text.decode("utf-8", "replace").rstrip()
                    if msg:
                        if state["level"] >= logging.ERROR:
                            _recent_errors.append(msg)
                        if llama_log.isEnabledFor(logging.DEBUG):
                            llama_log.debug("%s", msg)
                except Exception:  # never raise into C
                    pass

            llama_cpp.llama_log_set(_on_log, ctypes.c_void_p(0))
            _log_callback = _on_log  # keep a reference, or ctypes frees it
        return llama_cpp


def _load_reason(exc: Exception) -> str:
    """The most telling line llama.cpp logged while failing to load, else the exception."""
    lines = list(_recent_errors)
    for line in lines:
        marker = "error loading model: "
        if marker in line:
            return line[line.rindex(marker) + len(marker):]
    return lines[0] if lines else str(exc)


def _grammar(grammar: Any) -> Any:
    if grammar is None or not isinstance(grammar, str):
        return grammar
    from llama_cpp import LlamaGrammar

    return LlamaGrammar.from_string(grammar, verbose=False)


# --- one model ---------------------------------------------------------------------


class _AbortFlag:
    """A flag llama.cpp reads while it computes, so Stop works inside a long prompt.

    llama.cpp calls an abort callback between the steps of every computation; a Python
    callback would need the GIL a thousand times per token (and wait for it while another
    thread runs Python). The callback is libc's ``strlen`` on a two-byte buffer instead:
    "" (0, go on) or "x" (1, stop) — no Python runs inside llama.cpp.
    """

    def __init__(self, llama_cpp: Any):
        import ctypes
        import ctypes.util
        import sys

        self._ctypes = ctypes
        self.buffer = ctypes.create_string_buffer(2)
        libc = ctypes.CDLL("msvcrt" if sys.platform == "win32" else ctypes.util.find_library("c"))
        self.callback = ctypes.cast(libc.strlen, llama_cpp.ggml_abort_callback)
        self._llama_cpp = llama_cpp

    def install(self, llm: Llama) -> None:
        self._llama_cpp.llama_set_abort_callback(llm._ctx.ctx, self.callback,
                                                 self._ctypes.cast(self.buffer, self._ctypes.c_void_p))

    def raise_(self) -> None:
        self.buffer[0] = b"x"

    def lower(self) -> None:
        self.buffer[0] = b"\0"

    @contextlib.contextmanager
    def watching(self, cancel: threading.Event | None) -> Iterator[None]:
        """While inside, setting ``cancel`` raises the flag at once (a watcher thread waits)."""
        self.lower()
        if cancel is None:
            yield
            return
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                if cancel.wait(0.02):
                    self.raise_()
                    return

        watcher = threading.Thread(target=watch, name="lucy-stop-watch", daemon=True)
        watcher.start()
        try:
            yield
        finally:
            done.set()
            watcher.join()
            self.lower()


class _Slot:
    def __init__(self, which: str, path: Path | None, n_ctx: int):
        self.which = which
        self.kind = _KIND[which]
        self.path = Path(path).expanduser() if path is not None else None
        self.n_ctx_wanted = n_ctx
        self.lock = threading.Lock()  # guards llm (and loading it)
        self.llm: Llama | None = None
        self.error: ModelError | None = None
        self.info: ModelInfo | None = None
        self.n_ctx: int | None = None
        self.threads: int | None = None  # chosen at load
        self.applied_threads: int | None = None
        self.running = 0
        self.tok: Llama | None = None  # vocabulary only, for token counts
        self.tok_lock = threading.Lock()
        self.abort: _AbortFlag | None = None  # Stop, read by llama.cpp itself (chat models)


class ModelService:
    """Lucy's chat and embedding models, loaded lazily, each used by one thread at a time.

    ``chat_path`` / ``embedding_path``: GGUF files, or None for "no such model" (the
    features that need it raise ModelUnavailable). ``threads``: an explicit thread count
    for llama.cpp, else chosen per :func:`~lucy_app.core.llm.threads.choose_threads`.
    ``chat_ctx``: the chat context in tokens (capped by the model's training length).
    """

    def __init__(
        self,
        chat_path: Path | None,
        embedding_path: Path | None,
        *,
        threads: int | None = None,
        chat_ctx: int = CHAT_CTX,
        embed_ctx: int = EMBED_CTX,
    ):
        self._threads_override = threads
        self._slots = {
            "chat": _Slot("chat", chat_path, chat_ctx),
            "embed": _Slot("embed", embedding_path, embed_ctx),
        }
        self._state_lock = threading.Lock()

    # --- plumbing ------------------------------------------------------------------

    def _slot(self, which: str) -> _Slot:
        key = {"embedding": "embed", "embeddings": "embed"}.get(which, which)
        if key not in self._slots:
            raise ValueError(f"model must be 'chat' or 'embed', not {which!r}")
        slot = self._slots[key]
        if slot.path is None:
            raise ModelUnavailable(
                f"No {_LABEL[key]} is configured",
                hint="choose one in Settings; the journal works without it",
            )
        return slot

    def _header(self, slot: _Slot) -> ModelInfo:
        if slot.info is None:
            assert slot.path is not None
            slot.info = check_model(slot.path, slot.kind)
        return slot.info

    def _context_size(self, slot: _Slot) -> int:
        info = self._header(slot)
        trained = info.context_length or slot.n_ctx_wanted
        return max(8, min(slot.n_ctx_wanted, trained))

    def _ensure_loaded(self, slot: _Slot) -> Llama:
        """The slot's Llama, loading it if needed. Call with ``slot.lock`` held."""
        if slot.llm is not None:
            return slot.llm
        if slot.error is not None:
            raise slot.error
        info = self._header(slot)
        llama_cpp = _llama_cpp()
        n_ctx = self._context_size(slot)
        threads = choose_threads(self._threads_override)
        kwargs: dict[str, Any] = dict(
            model_path=str(info.path),
            n_ctx=n_ctx,
            n_threads=threads,
            n_threads_batch=threads,
            n_gpu_layers=0,
            verbose=False,
        )
        if slot.which == "embed":
            # an encoder sees the whole passage in one micro-batch
            kwargs.update(embedding=True, n_batch=n_ctx, n_ubatch=n_ctx)
        with _construct_lock:
            _recent_errors.clear()
            try:
                llm = llama_cpp.Llama(**kwargs)
            except Exception as e:  # llama-cpp-python raises bare ValueError/RuntimeError
                reason = _load_reason(e)
                slot.error = ModelError(
                    f"Could not load the {_LABEL[slot.which]} {info.path.name}: {reason}",
                    hint="the file may be damaged or need a newer Lucy; choose another model",
                )
                log.warning("loading %s failed: %s", info.path, e)
                raise slot.error from None
        slot.llm, slot.n_ctx, slot.threads, slot.applied_threads = llm, n_ctx, threads, threads
        if slot.which == "chat":
            try:
                slot.abort = _AbortFlag(llama_cpp)
                slot.abort.install(llm)
            except (OSError, AttributeError, TypeError) as e:  # no libc to be found: Stop waits for a token
                log.warning("no abort callback for the chat model: %s", e)
                slot.abort = None
        log.info("loaded %s (%s, n_ctx=%d, threads=%d)", info.path.name, slot.which, n_ctx, threads)
        return llm

    def _apply_threads(self, slot: _Slot, llm: Llama) -> None:
        """Give this model its share of the threads while the other model also runs."""
        with self._state_lock:
            running = sum(1 for s in self._slots.values() if s.running)
        n = share(slot.threads or 1, running)
        if n != slot.applied_threads:
            llm._ctx.set_n_threads(n, n)
            slot.applied_threads = n

    @contextlib.contextmanager
    def _use(self, slot: _Slot) -> Iterator[Llama]:
        with slot.lock:
            llm = self._ensure_loaded(slot)
            with self._state_lock:
                slot.running += 1
            try:
                self._apply_threads(slot, llm)
                yield llm
            finally:
                with self._state_lock:
                    slot.running -= 1

    def _tokenizer(self, slot: _Slot) -> Llama:
        """A vocabulary-only Llama for the slot's model. Call with ``slot.tok_lock`` held."""
        if slot.tok is None:
            info = self._header(slot)
            llama_cpp = _llama_cpp()
            with _construct_lock:
                _recent_errors.clear()
                try:
                    slot.tok = llama_cpp.Llama(
                        model_path=str(info.path), vocab_only=True, n_ctx=16, n_batch=16,
                        n_threads=1, n_threads_batch=1, verbose=False,
                    )
                except Exception as e:
                    reason = _load_reason(e)
                    raise ModelError(
                        f"Could not read the vocabulary of {info.path.name}: {reason}",
                        hint="the file may be damaged; choose another model",
                    ) from None
        return slot.tok

    # --- status --------------------------------------------------------------------

    def load(self, which: str) -> None:
        """Load one model now (at start-up, from a background thread); ModelError if it cannot be."""
        slot = self._slot(which)
        with slot.lock:
            self._ensure_loaded(slot)

    def available(self, which: str) -> bool:
        """Whether the model is configured, looks usable and has not failed to load."""
        try:
            slot = self._slot(which)
            self._header(slot)
        except ModelError:
            return False
        return slot.error is None

    def info(self) -> dict[str, dict[str, Any]]:
        """Per model ("chat", "embed"): path, name, loaded, sha256 when computed, threads…"""
        out: dict[str, dict[str, Any]] = {}
        for which, slot in self._slots.items():
            entry: dict[str, Any] = {
                "configured": slot.path is not None,
                "path": str(slot.path) if slot.path else None,
                "loaded": slot.llm is not None,
                "error": slot.error.user_text() if slot.error else None,
                "n_ctx": slot.n_ctx,
                "threads": slot.applied_threads,
            }
            info = slot.info
            if info is None and slot.path is not None:
                try:
                    info = self._header(slot)
                except ModelError as e:
                    entry["error"] = e.user_text()
            if info is not None:
                entry.update(name=info.name, label=info.label, architecture=info.architecture, size=info.size,
                             embedding_length=info.embedding_length,
                             context_length=info.context_length, sha256=info.sha256)
            out[which] = entry
        return out

    def sha256(self, which: str) -> str:
        """The model file's sha256 (reads the whole file the first time)."""
        slot = self._slot(which)
        info = self._header(slot)
        if info.sha256 is None:
            slot.info = info = info.with_sha256()
        assert info.sha256 is not None
        return info.sha256

    @property
    def chat_context_size(self) -> int:
        """Tokens the chat model sees at once: prompt plus answer."""
        return self._context_size(self._slot("chat"))

    @property
    def embedding_context_size(self) -> int:
        """Tokens per passage, [CLS] and [SEP] included; longer passages are truncated."""
        return self._context_size(self._slot("embed"))

    @property
    def embedding_dim(self) -> int:
        slot = self._slot("embed")
        if slot.llm is not None:
            return int(slot.llm.n_embd())
        dim = self._header(slot).embedding_length
        if not dim:
            with self._use(slot) as llm:
                return int(llm.n_embd())
        return dim

    def free(self, which: str | None = None) -> None:
        """Unload one model ("chat" / "embed") or both; the next use loads it again.

        Waits for a running call on that model to finish. Also forgets a failed load.
        """
        for key, slot in self._slots.items():
            if which is not None and key != {"embedding": "embed"}.get(which, which):
                continue
            with slot.lock:
                if slot.llm is not None:
                    slot.llm.close()
                slot.llm, slot.error, slot.info = None, None, None
                slot.n_ctx = slot.threads = slot.applied_threads = None
            with slot.tok_lock:
                if slot.tok is not None:
                    slot.tok.close()
                slot.tok = None

    close = free

    def __enter__(self) -> ModelService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.free()

    # --- tokens ------------------------------------------------------------------

    def _tokenize(self, text: str, which: str) -> list[int]:
        slot = self._slot(which)
        with slot.tok_lock:
            tok = self._tokenizer(slot)
            return tok.tokenize(text.encode("utf-8"), add_bos=False, special=False)

    def count_tokens(self, text: str, model: str = "chat") -> int:
        """Tokens ``text`` takes in ``model`` ("chat" or "embed"), special tokens excluded."""
        return len(self._tokenize(text, model)) if text else 0

    def truncate_to_tokens(self, text: str, n: int, model: str = "chat") -> str:
        """The longest prefix of ``text`` (cut at a word boundary where possible) that
        takes at most ``n`` tokens in ``model``. The text itself when it already fits."""
        if n <= 0 or not text:
            return ""
        if self.count_tokens(text, model) <= n:
            return text
        lo, hi = 0, len(text)  # count(text[:lo]) <= n < count(text[:hi])
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self.count_tokens(text[:mid], model) <= n:
                lo = mid
            else:
                hi = mid
        cut = lo
        if cut < len(text) and not text[cut].isspace():
            space = max(text.rfind(c, 0, cut) for c in " \n\t")
            if space > 0:
                cut = space
        return text[:cut].rstrip()

    # --- embeddings --------------------------------------------------------------

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One L2-normalised vector per text, in order.

        Each text is embedded in its own call (faster here than batching, see
        ``lucy bench``), taking the model's lock per text so other callers interleave.
        Texts longer than :attr:`embedding_context_size` tokens are truncated.
        """
        if isinstance(texts, str):
            texts = [texts]
        slot = self._slot("embed")
        out: list[list[float]] = []
        for text in texts:
            with self._use(slot) as llm:
                vec = llm.embed(text, normalize=False, truncate=True)
            norm = math.sqrt(math.fsum(x * x for x in vec))
            out.append([x / norm for x in vec] if norm > 0 else list(vec))
        return out

    def embed_one(self, text: str) -> list[float]:
        return self.embed([text])[0]

    # --- generation --------------------------------------------------------------

    def chat_stream(
        self,
        messages: Sequence[Message],
        *,
        max_tokens: int,
        temperature: float = 0.2,
        stop: Sequence[str] | None = None,
        cancel: threading.Event | None = None,
        grammar: Any = None,
        seed: int | None = None,
        prefill: str | None = None,
    ) -> Iterator[str]:
        """Stream the chat model's answer to ``messages`` (role/content dicts), formatted
        with the GGUF's own chat template, as text pieces.

        Stops once ``cancel`` is set — between tokens, or inside the evaluation of a long
        prompt (llama.cpp's abort callback, :class:`_AbortFlag`), within milliseconds. ``grammar``: GBNF text or a ``LlamaGrammar``. ``prefill``: the start of the
        answer, written for the model (small models then answer instead of echoing the
        prompt); it is not repeated in the stream. The model is loaded now, so a missing or
        broken model raises here rather than when iterating. Hold the chat model's lock
        while iterating: consume or close the iterator.
        """
        slot = self._slot("chat")
        with slot.lock:
            llm = self._ensure_loaded(slot)
        if prefill:
            prompt, stops = self._render_chat(llm, messages)
            return self.complete_stream(prompt + prefill, max_tokens=max_tokens, temperature=temperature,
                                        stop=list(stop or []) + stops, cancel=cancel, grammar=grammar,
                                        seed=seed)
        kwargs = dict(messages=list(messages), max_tokens=max_tokens, temperature=temperature,
                      stop=list(stop or []), grammar=_grammar(grammar), seed=seed)
        return self._stream(slot, "create_chat_completion", kwargs, cancel)

    @staticmethod
    def _render_chat(llm: Llama, messages: Sequence[Message]) -> tuple[str, list[str]]:
        """The prompt text the model's own chat template makes of ``messages``."""
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        template = llm.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelError("The chat model has no chat template", hint="choose an instruction-tuned model")
        vocab = llm._model
        eos = vocab.token_get_text(vocab.token_eos()) if vocab.token_eos() >= 0 else ""
        bos = vocab.token_get_text(vocab.token_bos()) if vocab.token_bos() >= 0 else ""
        rendered = Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)(messages=list(messages))
        stops = rendered.stop if isinstance(rendered.stop, list) else [rendered.stop] if rendered.stop else []
        return rendered.prompt, [s for s in stops if s]

    def chat(self, messages: Sequence[Message], **kw: Any) -> str:
        """:meth:`chat_stream` joined into one string."""
        return "".join(self.chat_stream(messages, **kw))

    def complete_stream(
        self,
        prompt: str,
        *,
        max_tokens: int,
        temperature: float = 0.2,
        stop: Sequence[str] | None = None,
        cancel: threading.Event | None = None,
        grammar: Any = None,
        seed: int | None = None,
    ) -> Iterator[str]:
        """Stream a raw completion of ``prompt`` (no chat template); like :meth:`chat_stream`."""
        slot = self._slot("chat")
        with slot.lock:
            self._ensure_loaded(slot)
        kwargs = dict(prompt=prompt, max_tokens=max_tokens, temperature=temperature,
                      stop=list(stop or []), grammar=_grammar(grammar), seed=seed)
        return self._stream(slot, "create_completion", kwargs, cancel)

    def _stream(
        self, slot: _Slot, method: str, kwargs: dict[str, Any], cancel: threading.Event | None
    ) -> Iterator[str]:
        if kwargs.get("seed") is None:
            kwargs.pop("seed")
        if cancel is not None and cancel.is_set():
            return
        with self._use(slot) as llm:
            watching = slot.abort.watching(cancel) if slot.abort is not None else contextlib.nullcontext()
            try:
                with watching:
                    stream = getattr(llm, method)(stream=True, **kwargs)
                    try:
                        for chunk in stream:
                            choice = chunk["choices"][0]
                            piece = choice["delta"].get("content") if "delta" in choice else choice.get("text")
                            if piece:
                                yield piece
                            if cancel is not None and cancel.is_set():
                                break
                            self._apply_threads(slot, llm)
                    finally:
                        stream.close()
            except RuntimeError as e:
                if cancel is not None and cancel.is_set() and "llama_decode" in str(e):
                    return  # stopped inside a computation (the abort flag): the tokens so far stand
                raise
            except ValueError as e:
                if "context window" in str(e):
                    raise ModelError(
                        f"The prompt is too long for the chat model: {e}",
                        hint=f"keep prompts under {slot.n_ctx} tokens",
                    ) from None
                raise
