from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lucy_app.core.llm.threads import (
    MAX_THREADS,
    THREADS_ENV,
    available_cpus,
    choose_threads,
    current_load,
    share,
)


@pytest.fixture(autouse=True)
def _no_env_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(THREADS_ENV, raising=False)


@pytest.mark.parametrize(
    ("cpus", "load", "expected"),
    [
        (2, 0.0, 2),  # idle 2-core box: both cores
        (2, 0.4, 2),  # a little background noise rounds away
        (2, 0.6, 1),  # the other core is (mostly) busy: one thread, not two
        (2, 1.0, 1),
        (2, 7.5, 1),  # overloaded: still one
        (1, 0.0, 1),
        (4, 0.0, 3),  # 4+ cores: one left for the window and the journal writer
        (4, 2.0, 2),
        (8, 1.2, 7),
        (16, 0.0, MAX_THREADS),  # capped
        (16, 10.0, 6),
        (64, 0.0, MAX_THREADS),
    ],
)
def test_rule(cpus: int, load: float, expected: int) -> None:
    assert choose_threads(cpus=cpus, load=load) == expected


def test_explicit_override_wins() -> None:
    assert choose_threads(3, cpus=2, load=2.0) == 3
    assert choose_threads(0, cpus=2, load=0.0) == 1  # never zero


def test_environment_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(THREADS_ENV, "5")
    assert choose_threads(cpus=2, load=2.0) == 5
    assert choose_threads(2, cpus=2, load=2.0) == 2  # the argument beats the environment
    monkeypatch.setenv(THREADS_ENV, "lots")
    assert choose_threads(cpus=2, load=1.0) == 1  # nonsense is ignored


def test_cap_is_adjustable() -> None:
    assert choose_threads(cpus=32, load=0.0, cap=4) == 4


@given(cpus=st.integers(1, 512), load=st.floats(0, 2000, allow_nan=False))
def test_never_more_threads_than_idle_cores(cpus: int, load: float) -> None:
    n = choose_threads(cpus=cpus, load=load)
    assert 1 <= n <= min(cpus, MAX_THREADS)
    assert n <= max(1, cpus - int(load + 0.5))


def test_share_between_running_models() -> None:
    assert share(2, 1) == 2
    assert share(2, 2) == 1
    assert share(1, 2) == 1
    assert share(8, 2) == 4
    assert share(4, 0) == 4


def test_measurements_are_sane() -> None:
    assert available_cpus() >= 1
    assert current_load() >= 0.0
    assert 1 <= choose_threads() <= MAX_THREADS
