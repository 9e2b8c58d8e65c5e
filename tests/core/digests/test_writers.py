"""The LLM digest writer with the real default model, and its fallbacks."""

from __future__ import annotations

import threading
from datetime import date

import pytest

from lucy_app.core import errors
from lucy_app.core.digests import scheduler
from lucy_app.core.digests.writers import LlmWriter
from lucy_app.core.entries import list_entries
from lucy_app.core.periods import Period
from lucy_app.core.settings import Settings
from lucy_app.core.storage import digests as store

DAY = date(2026, 11, 24)  # the last day of the generated diary


def test_the_model_writes_a_day_digest_whose_every_bullet_cites_that_day(db, fill, models):
    fill(db, 3)
    day_entries = list_entries(db, start=DAY, end=DAY)
    written = LlmWriter(models).day(Period("day", DAY, DAY), day_entries, scheduler.make_idf(db))
    assert written.bullets, written.fell_back
    assert all(b.entry_ids and set(b.entry_ids) <= {e.id for e in day_entries} for b in written.bullets)
    if written.writer == "llm":
        assert written.model and written.prompt_version.startswith("llm")


def test_the_scheduler_rewrites_extractive_digests_with_the_model(db, fill, models):
    fill(db, 2)
    stats = scheduler.run(db, settings=Settings(), today=date(2026, 11, 25), llm=LlmWriter(models),
                          levels={"day"}, max_llm=2)
    assert stats.written["day"] >= 2
    with db.read() as conn:
        rows = store.in_range(conn, "day", "2026-01-01", "2026-12-31")
    assert len(rows) == 2
    # each day was either written by the model or kept extractive with the reason noted
    assert all(r["writer"] == "llm" or r["prompt_version"].endswith("+llm-tried") for r in rows)


class BrokenModel:
    """Stands in for a model that fails; what it would say does not matter here."""

    def __init__(self, *, hang: bool = False):
        self.hang = hang

    def info(self):
        return {"chat": {"name": "broken"}}

    def count_tokens(self, text, model="chat"):
        return len(text.split())

    def truncate_to_tokens(self, text, n, model="chat"):
        return " ".join(text.split()[:n])

    def chat_stream(self, messages, **kw):
        if not self.hang:
            raise errors.ModelError("Could not load the chat model broken.gguf: bad magic")

        def pieces():
            while not kw["cancel"].is_set():
                yield "still thinking "
                threading.Event().wait(0.01)
        return pieces()


@pytest.mark.parametrize("hang", [False, True])
def test_a_failing_or_slow_model_falls_back_to_the_extractive_writer(db, fill, hang):
    fill(db, 1)
    day_entries = list_entries(db, start=DAY, end=DAY)
    writer = LlmWriter(BrokenModel(hang=hang), timeout_s=0.2)
    written = writer.day(Period("day", DAY, DAY), day_entries, scheduler.make_idf(db))
    assert written.writer == "extractive" and written.bullets
    assert ("longer than" in written.fell_back) if hang else ("bad magic" in written.fell_back)


class RecordingModel(BrokenModel):
    """Keeps the prompts it is given and writes nothing useful (what it writes does not matter:
    the test is about what the model is shown)."""

    def __init__(self):
        super().__init__()
        self.prompts: list[str] = []

    def chat_stream(self, messages, **kw):
        self.prompts.append(messages[-1]["content"])
        return iter(["- Nothing to say."])


def test_a_year_digest_is_written_from_every_season_not_only_the_first(db, fill):
    import re

    made = fill(db, 330)  # 2026 up to 24 November
    days = {e.id: e.day for e in made}
    today = date(2026, 11, 25)
    scheduler.run(db, settings=Settings(), today=today)  # the extractive tree
    model = RecordingModel()
    scheduler.run(db, settings=Settings(), today=today, llm=LlmWriter(model), levels={"year"}, max_llm=1)
    assert len(model.prompts) == 1
    shown = {days[int(i)] for i in re.findall(r"\[#(\d+)\]", model.prompts[0]) if int(i) in days}
    months = {d.month for d in shown if d.year == 2026}
    assert min(months) <= 3 and max(months) >= 9, sorted(months)  # winter/spring through autumn
    assert "New this month" not in model.prompts[0]  # a month's news is not the year's
