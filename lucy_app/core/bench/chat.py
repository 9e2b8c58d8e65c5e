"""`lucy bench chat`: how fast is the chat model here, and how fast does Stop stop it?

With the chat model Lucy would use (or ``--chat-model``), on this machine's threads:

- **prompt tokens/s**: a diary-sized prompt (about :data:`PROMPT_TOKENS` tokens) read cold;
- **time to first token** for that prompt, and **generation tokens/s** after it;
- **a second question with the same instructions**: llama.cpp keeps the shared start of
  the prompt (the instructions) and reads only what is new — the time to first token then;
- **Stop**: Stop pressed while the model is still reading a long prompt; the seconds until
  the stream has ended (llama.cpp's abort callback, :mod:`lucy_app.core.llm.service`).

Each figure is the median of ``runs``. Prints one JSON object on the last line.
"""

from __future__ import annotations

import statistics
import threading
import time

PROMPT_TOKENS = 700
NOTE = ("Walked along the canal with Maya before work; the herons were back on the lock gates and the "
        "water smelled of rain. Spent the afternoon on the schedule for the spring fair. ")
SYSTEM = "You answer questions about the user's diary using only the diary notes. Cite each note like [#12]."


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _prompt(models, n_tokens: int, question: str, run: int = 0) -> list[dict]:
    """Notes dated in a month of their own per run: a run shares only the instructions with the
    one before it (the model keeps the longest prefix it has already read)."""
    notes, n = [], 0
    month = f"{MONTHS[run % 12]} {2026 + run // 12}"
    while models.count_tokens(" ".join(notes)) < n_tokens:
        n += 1
        notes.append(f"[#{n}] {n} {month}: {NOTE}")
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": "Diary notes:\n" + "\n".join(notes) + f"\n\nQuestion: {question}"}]


def _timed(models, messages, max_tokens: int) -> tuple[float, float, int]:
    """(seconds to the first piece, seconds after it, tokens generated)."""
    t0 = time.perf_counter()
    first = None
    pieces = 0
    for _ in models.chat_stream(messages, max_tokens=max_tokens, temperature=0.0, seed=7):
        if first is None:
            first = time.perf_counter()
        pieces += 1
    end = time.perf_counter()
    return (first or end) - t0, end - (first or end), pieces


def run(models, *, runs: int = 3, max_tokens: int = 48) -> dict:
    models.load("chat")
    info = models.info()["chat"]
    cold, warm, gen_rates = [], [], []
    prompt_tokens = 0
    for r in range(runs):
        messages = _prompt(models, PROMPT_TOKENS, f"What did I do on the {r + 3}rd?", run=r)
        prompt_tokens = models.count_tokens(messages[1]["content"])
        ttft, rest, n = _timed(models, messages, max_tokens)
        cold.append(ttft)
        if n > 1 and rest > 0:
            gen_rates.append((n - 1) / rest)
        same_start = messages[:1] + [{"role": "user", "content": messages[1]["content"] + " And the day after?"}]
        warm.append(_timed(models, same_start, 4)[0])
    stops = []
    for r in range(runs):
        cancel = threading.Event()
        pressed: dict[str, float] = {}

        def stop(cancel=cancel, pressed=pressed) -> None:
            pressed["at"] = time.perf_counter()
            cancel.set()

        long = _prompt(models, min(3000, models.chat_context_size - 200), "Summarise it all.", run=runs + r)
        timer = threading.Timer(0.5, stop)
        timer.start()
        list(models.chat_stream(long, max_tokens=200, cancel=cancel))
        timer.join()
        stops.append(time.perf_counter() - pressed["at"])
    return {
        "chat_model": info.get("label") or info.get("name"),
        "threads": info.get("threads"),
        "prompt_tokens": prompt_tokens,
        "prompt_tokens_per_s": round(prompt_tokens / statistics.median(cold), 1),
        "first_token_s_p50": round(statistics.median(cold), 2),
        "first_token_s_same_instructions_p50": round(statistics.median(warm), 2),
        "generation_tokens_per_s": round(statistics.median(gen_rates), 1) if gen_rates else None,
        "stop_s_p50": round(statistics.median(stops), 3),
        "stop_s_max": round(max(stops), 3),
    }

