"""Fixtures shared by the whole suite: a temp journal, the CLI, the default models."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

#: The day the suite runs on, whatever the real date: a Wednesday in mid-June.
DEFAULT_TODAY = date(2026, 6, 17)
#: Days that have broken date logic before: run the date-sensitive tests on each.
HARD_DAYS = (
    date(2026, 12, 2),   # the first days of a month whose week began in the month before
    date(2026, 12, 1),   # the first of a month and of a (northern) season
    date(2026, 11, 30),  # the last day of a month and of a season
    date(2026, 12, 31),  # New Year's Eve
    date(2027, 1, 1),    # New Year's Day, inside a winter that began last year
    date(2028, 2, 29),   # a leap day
    date(2026, 6, 15),   # a Monday: the first day of a week
)


class NetworkBlocked(OSError):
    """Lucy never uses the network: a test that opens an internet socket is a bug."""


@pytest.fixture(autouse=True, scope="session")
def _no_internet_sockets():
    """Internet (AF_INET/AF_INET6) sockets raise in every test; AF_UNIX stays usable.

    Blocks creating them, connecting, sending and name look-ups, for code that imported
    ``socket`` before the suite started too (the class itself is patched).
    """
    import socket

    inet = (socket.AF_INET, socket.AF_INET6)
    real_init = socket.socket.__init__

    def guarded_init(self, family=-1, type=-1, proto=-1, fileno=None):
        real_init(self, family, type, proto, fileno)
        if self.family in inet:
            self.close()
            raise NetworkBlocked(f"tests block internet sockets (family {self.family!r})")

    def refuse(*args, **kwargs):
        raise NetworkBlocked("tests block the network")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "__init__", guarded_init)
        for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex",
                     "gethostbyaddr", "create_server"):
            mp.setattr(socket, name, refuse)
        yield


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user data folder and the real LUCY_DB."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))  # (models other apps left in the real home are not looked at)
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("LUCY_DB", raising=False)
    # The app's default chat model, for every test and the `lucy` processes it starts, is the
    # small one; the end-to-end tests ask for the shipped one (`shipped_chat_model`).
    from lucy_app.core.llm import defaults

    monkeypatch.setenv(defaults.CHAT_MODEL_ENV, str(defaults.small_chat_model_path()))


def _freeze(day: date, monkeypatch) -> None:
    from lucy_app.core import clock

    clock.freeze(day)
    monkeypatch.setenv("LUCY_TODAY", day.isoformat())  # for the `lucy` processes a test starts


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch) -> date:
    """Every test runs on DEFAULT_TODAY (the clock ticks on from 10:00), never on the real date."""
    from lucy_app.core import clock

    _freeze(DEFAULT_TODAY, monkeypatch)
    yield DEFAULT_TODAY
    clock.freeze(None)


@pytest.fixture(params=HARD_DAYS, ids=[d.isoformat() for d in HARD_DAYS])
def hard_day(request, frozen_today, monkeypatch) -> date:
    """Run the test once on each of HARD_DAYS (the clock frozen there)."""
    _freeze(request.param, monkeypatch)
    return request.param


@pytest.fixture
def journal_path(tmp_path) -> Path:
    return tmp_path / "journal.db"


@pytest.fixture
def journal(journal_path):
    from lucy_app.core.journal import Journal

    j = Journal.open(journal_path)
    yield j
    j.close()


@pytest.fixture
def db(journal):
    return journal.db


@pytest.fixture
def run_cli(journal_path):
    """Run `lucy --db <temp journal> ARGS…`; returns the click Result."""
    from click.testing import CliRunner

    from lucy_app.cli import cli

    def run(*args: str, input: str | None = None, db: Path | None = None, **kw):
        runner = CliRunner()
        return runner.invoke(cli, ["--db", str(db or journal_path), *args], input=input,
                             catch_exceptions=False, **kw)

    return run


@pytest.fixture
def fill():
    """Fill a journal with the generated diary: fill(db, n_days, end=…) -> list of entries."""

    from lucy_app.core import entries
    from lucy_app.core.bench import sample_diary

    def fill_(db, n_days: int, end: date = sample_diary.DEFAULT_END):
        with db.write():
            return [entries.add(db, s.body, day=s.day, title=s.title, tags=s.tags, mood=s.mood)
                    for s in sample_diary.generate(n_days, end=end)]

    return fill_


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"default model missing: {path} (run `make models`)", pytrace=False)
    return path


@pytest.fixture(scope="session")
def chat_model_path() -> Path:
    """The small chat model (SmolLM2-135M): for tests where what it writes does not decide."""
    from lucy_app.core.llm.defaults import small_chat_model_path

    return _need(small_chat_model_path())


@pytest.fixture
def shipped_chat_model(monkeypatch) -> Path:
    """The chat model Lucy ships (Qwen2.5-Coder-1.5B) as the app's default, for end-to-end tests."""
    from lucy_app.core.llm import defaults

    monkeypatch.delenv(defaults.CHAT_MODEL_ENV, raising=False)
    return _need(defaults.default_chat_model_path())


@pytest.fixture(scope="session")
def embedding_model_path() -> Path:
    from lucy_app.core.llm.defaults import default_embedding_model_path

    return _need(default_embedding_model_path())


@pytest.fixture(scope="session")
def model_service(chat_model_path: Path, embedding_model_path: Path):
    """The real models the tests run (SmolLM2-135M chat, MiniLM embeddings), loaded once."""
    from lucy_app.core.llm.service import ModelService

    service = ModelService(chat_model_path, embedding_model_path)
    yield service
    service.free()


@pytest.fixture(scope="session")
def models(model_service):
    return model_service
