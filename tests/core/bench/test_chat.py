"""`lucy bench chat`: its "cold" prompts must really be cold."""

from __future__ import annotations

import json
import os

from lucy_app.core.bench import chat


class _Words:
    """Counts words for tokens: enough for how long a prompt is (the figures need the model)."""

    def count_tokens(self, text: str) -> int:
        return len(text.split())


def test_each_run_reads_a_prompt_that_shares_only_the_instructions_with_the_others():
    first, second = (chat._prompt(_Words(), 300, "What did I do?", run=r) for r in (0, 1))
    assert first[0] == second[0]  # the same instructions (what a real conversation shares)
    shared = os.path.commonprefix([first[1]["content"], second[1]["content"]])
    assert len(shared) < 40, shared  # else the model reuses what it read and the "cold" time is warm
    assert len(first[1]["content"].split()) >= 300


def test_bench_chat_reports_its_figures(run_cli, chat_model_path):
    result = run_cli("bench", "chat", "--runs", "1", "--chat-model", str(chat_model_path), "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["prompt_tokens"] >= chat.PROMPT_TOKENS
    for key in ("prompt_tokens_per_s", "first_token_s_p50", "first_token_s_same_instructions_p50",
                "generation_tokens_per_s", "stop_s_p50", "stop_s_max"):
        assert figures[key] is not None and figures[key] >= 0, key
