"""SIGKILL in the middle of writes, digests and indexing loses nothing and half-applies nothing.

A few kills here (bounded); ``bench/crash_loop.py --kills 200`` is the long run. The
checks (integrity, every acknowledged entry intact, FTS and change log agreeing with the
entries, one digest per period, resumable digests and indexing) live in the bench script.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _crash_loop():
    spec = importlib.util.spec_from_file_location("lucy_crash_loop", ROOT / "bench" / "crash_loop.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["lucy_crash_loop"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_killing_writers_digests_and_indexing_at_random_moments_loses_nothing(tmp_path):
    crash = _crash_loop()
    report = crash.run(4, seed=8, folder=tmp_path, min_s=0.6, max_s=1.8, pace=0.05, log=print)
    print(report)
    assert report["problems"] == []
    assert report["lost"] == 0
    assert report["acknowledged_commits"] >= 20  # the writer really wrote between the kills


def test_the_checks_catch_a_lost_entry_and_a_half_applied_change(tmp_path):
    """The crash checks have teeth: a missing acknowledged entry and an FTS row out of step."""
    from lucy_app.core import entries
    from lucy_app.core.journal import Journal

    crash = _crash_loop()
    path = tmp_path / "journal.db"
    acks = crash.Acks()
    with Journal.open(path) as j:
        for i in range(3):
            e = entries.add(j.db, f"entry number {i}", day="2024-03-05")
            acks.feed(f"add {e.id} {crash.content_hash(e.title, e.body)}")
    assert crash.check(path, acks) == []
    acks.feed("add 999 0123456789abcdef")
    with Journal.open(path) as j, j.db.write() as conn:
        conn.execute("UPDATE entries_fts SET body = 'something else' WHERE rowid = 2")
    problems = crash.check(path, acks)
    assert any("999 is missing" in p for p in problems)
    assert any("entry 2: its full-text row" in p for p in problems)
