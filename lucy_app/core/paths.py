"""Where Lucy keeps things on disk.

The journal is one file, by default ``journal.db`` in the platform's user data folder
(``~/.local/share/Lucy`` on Linux, ``~/Library/Application Support/Lucy`` on macOS,
``%LOCALAPPDATA%\\Lucy`` on Windows). ``LUCY_DB`` or ``--db PATH`` choose another file.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "Lucy"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_journal_path() -> Path:
    env = os.environ.get("LUCY_DB")
    return Path(env).expanduser() if env else data_dir() / "journal.db"


def backups_dir(journal: Path) -> Path:
    """Automatic backups live next to the journal, in ``<name>-backups/``."""
    return journal.with_name(journal.stem + "-backups")
