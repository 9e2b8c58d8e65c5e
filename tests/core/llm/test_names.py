"""Models are named for people, from the file's header and its name, tidied."""

from __future__ import annotations

from lucy_app.core.llm.gguf_check import check_model
from lucy_app.core.llm.names import display_name, tidy


def test_the_bundled_chat_model_is_called_what_people_call_it(chat_model_path):
    assert check_model(chat_model_path, "chat").label == "SmolLM2 135M Instruct"


def test_checkpoint_jargon_and_gguf_are_left_out():
    assert display_name("Smollm2 135M 8k Lc100K Mix1 Ep2", "SmolLM2-135M-Instruct.Q4_1.gguf") == "SmolLM2 135M Instruct"
    assert display_name("Qwen2.5 Coder 1.5B Instruct GGUF", "qwen.Q4_K_M.gguf") == "Qwen2.5 Coder 1.5B Instruct"
    assert display_name("all-MiniLM-L6-v2", "x.gguf") == "all-MiniLM-L6-v2"
    assert display_name(None, "/m/Mistral-7B-Instruct-v0.3.Q4_K_M.gguf") == "Mistral 7B Instruct v0.3"
    assert tidy("Smollm2 135M 8k Lc100K Mix1 Ep2") == "SmolLM2 135M"
