"""`lucy digest …` and `lucy brief` as a user runs them."""

from __future__ import annotations

import json

import pytest

from lucy_app.core.journal import Journal


@pytest.fixture
def filled(journal_path, fill):
    with Journal.open(journal_path) as j:
        return fill(j.db, 60)


def test_digest_run_status_show(run_cli, filled):
    status = json.loads(run_cli("digest", "status", "--today", "2026-11-25", "--json").output)
    assert status["day"]["missing"] == 60 and status["year"]["missing"] == 1
    out = run_cli("digest", "run", "--extractive", "--today", "2026-11-25").output
    assert "Wrote" in out and "60 day" in out
    assert "up to date" in run_cli("digest", "run", "--extractive", "--today", "2026-11-25").output
    status = json.loads(run_cli("digest", "status", "--today", "2026-11-25", "--json").output)
    assert status["day"] == {"missing": 0, "stale": 0, "fresh": 60, "partial": 0}
    shown = run_cli("digest", "show", "week", "2026-11-18").output
    assert "Week digest" in shown and "Sources:" in shown and "lucy show" in shown
    assert "2026-11-1" in shown  # citations resolved to dates


def test_digest_show_for_an_empty_period_explains(run_cli, filled):
    r = run_cli("digest", "show", "day", "2001-01-01")
    assert r.exit_code == 1 and "No day digest" in r.output and "Traceback" not in r.output


def test_brief_json(run_cli, filled):
    r = run_cli("brief", "--date", "2026-11-25", "--json")
    obj = json.loads(r.output.strip().splitlines()[-1])
    assert obj["date"] == "2026-11-25" and obj["words"] <= 250
    assert [p["title"] for p in obj["parts"]][0] == "Yesterday"
    for p in obj["parts"]:
        assert p["entry_ids"] and p["level"] in {"day", "week", "month", "season", "year"}
    human = run_cli("brief", "--date", "2026-11-25").output
    assert "Yesterday" in human and "lucy digest show day 2026-11-24" in human
