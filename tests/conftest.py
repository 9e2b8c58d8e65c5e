"""Fixtures shared by the whole suite: a temp journal, the CLI, the default models."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory, monkeypatch):
    """Keep every test away from the real user data folder and the real LUCY_DB."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("LUCY_DB", raising=False)


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
