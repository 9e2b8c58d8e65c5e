"""`lucy self-test` (lucy_app/selftest.py) and the bundle launcher's argument dispatch."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _launcher():
    spec = importlib.util.spec_from_file_location("lucy_launcher", ROOT / "packaging" / "launcher.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("args", "expected"), [
    ([], ["app"]),
    (["--self-test"], ["self-test"]),
    (["--screenshot", "shot.png"], ["app", "--screenshot", "shot.png"]),
    (["--screenshot=shot.png"], ["app", "--screenshot=shot.png"]),
    (["--db", "j.db"], ["--db", "j.db", "app"]),
    (["--db=j.db", "--self-test"], ["--db=j.db", "self-test"]),
    (["--db", "j.db", "--screenshot", "s.png"], ["--db", "j.db", "app", "--screenshot", "s.png"]),
    (["add", "Hello", "--tag", "x"], ["add", "Hello", "--tag", "x"]),
    (["--db", "j.db", "list"], ["--db", "j.db", "list"]),
    (["--version"], ["--version"]),
    (["-psn_0_12345"], ["app"]),
])
def test_the_bundle_executable_maps_its_arguments_to_the_cli(args, expected):
    assert _launcher().cli_args(args) == expected


def test_self_test_runs_every_step_with_the_default_models(chat_model_path, embedding_model_path):
    from lucy_app import selftest

    seen = []
    steps = selftest.run(seen.append)
    assert [s.name for s in steps] == ["models", "journal", "index", "digest", "ask"]
    assert seen == steps
    assert "embedded" in steps[2].detail and "pieces generated" in steps[3].detail
    assert "citing entry" in steps[4].detail


def test_lucy_self_test_prints_ok_with_the_shipped_models(run_cli, shipped_chat_model, journal_path):
    result = run_cli("self-test")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "ok"
    assert not journal_path.exists()  # a temporary journal, never the user's


def test_a_missing_model_fails_with_one_line(run_cli, tmp_path, monkeypatch, shipped_chat_model):
    monkeypatch.setenv("LUCY_MODELS_DIR", str(tmp_path / "nowhere"))
    result = run_cli("self-test")
    assert result.exit_code == 1
    assert "ok" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines == [f"self-test failed: models: the bundled chat model is missing: "
                     f"{tmp_path / 'nowhere' / 'Qwen2.5-Coder-1.5B-Instruct.Q4_K_M.gguf'}"]


def test_a_model_that_writes_nothing_fails_the_digest_step(monkeypatch, chat_model_path):
    from lucy_app import selftest
    from lucy_app.core.llm.service import ModelService

    monkeypatch.setattr(ModelService, "chat_stream", lambda self, *a, **kw: iter(()))
    with pytest.raises(selftest.SelfTestFailed) as failed:
        selftest.run()
    assert failed.value.step == "digest"
    assert "generated nothing" in failed.value.reason
