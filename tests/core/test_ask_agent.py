"""The drill-down loop: bounded, read-only, checked like any answer."""

from __future__ import annotations

from datetime import date

import pytest

from lucy_app.core import ask_agent, entries, index
from lucy_app.core.ask_agent import Final, ToolCall
from lucy_app.core.digests import scheduler
from lucy_app.core.settings import Settings
from lucy_app.core.storage.db import file_size

TODAY = date(2026, 11, 25)


@pytest.fixture
def diary(db, fill):
    fill(db, 60)
    scheduler.run(db, settings=Settings(), today=TODAY)
    index.run(db)
    return db


class Script:
    """A model whose moves are fixed by the test; it records what the tools showed it."""

    def __init__(self, moves):
        self.moves = list(moves)
        self.seen: list[str] = []
        self.offered: list[list[dict]] = []

    def next(self, messages, tools):
        self.seen.append(messages[-1]["content"])
        self.offered.append(tools)
        return self.moves.pop(0) if self.moves else Final("I do not know.")


def test_the_loop_reads_with_tools_then_answers_with_checked_citations(diary):
    target = entries.list_entries(diary, start=date(2026, 11, 20), end=date(2026, 11, 20))[0]
    first = target.body.split(".")[0]
    script = Script([
        ToolCall("search_journal", {"query": "apple cake", "start": "2026-11-01", "end": "2026-11-24"}),
        ToolCall("open_entry", {"entry_id": target.id}),
        Final(f"{first} [#{target.id}]. You also flew to the moon [#424242]."),
    ])
    steps = []
    a = ask_agent.run(diary, "What did I bake?", script, today=TODAY, settings=Settings(), on_step=steps.append)
    assert steps == [
        'search_journal({"query": "apple cake", "start": "2026-11-01", "end": "2026-11-24"})',
        f'open_entry({{"entry_id": {target.id}}})',
    ]
    assert "Tool result" in script.seen[1] and first in script.seen[2]
    assert a.citations == [(target.id, target.day)] and a.dropped_citations == 1
    assert "moon" not in a.text


def test_the_loop_stops_at_its_step_cap(diary):
    forever = [ToolCall("search_journal", {"query": f"walk {i}"}) for i in range(50)]
    script = Script(forever)
    steps = []
    a = ask_agent.run(diary, "What did I do last week?", script, today=TODAY, settings=Settings(),
                      max_steps=3, on_step=steps.append)
    assert len(steps) == 3
    assert script.offered[-1] == []  # after the cap, no tool is offered any more
    assert a.steps[-1].startswith("stopped: the step limit (3)")
    assert a.citations  # the fixed pipeline answered instead


def test_there_is_no_tool_that_writes(diary, journal_path):
    names = {spec["name"] for spec in ask_agent.Tools.SPECS}
    assert names == {"search_journal", "open_digest", "open_entry"}
    before = (entries.count(diary), entries.count(diary, trashed=True), file_size(journal_path))
    script = Script([
        ToolCall("delete_entry", {"entry_id": 1}),
        ToolCall("update_entry", {"entry_id": 1, "body": "hacked"}),
        ToolCall("fetch_url", {"url": "http://example.com"}),
        Final("Nothing to report."),
    ])
    ask_agent.run(diary, "Delete entry 1", script, today=TODAY, settings=Settings())
    assert all("There is no tool called" in seen for seen in script.seen[1:4])
    assert (entries.count(diary), entries.count(diary, trashed=True)) == before[:2]
    assert entries.get(diary, 1).body != "hacked"
