"""Ask: a streamed answer with citation links and sources; Stop cancels."""

from __future__ import annotations

import html
import re
import threading
import time
from datetime import timedelta

import pytest

from lucy_app.core import clock, entries, errors, search
from lucy_app.ui import ask_panel


class SlowAsk:
    """Gives a quoted answer, then streams words until cancelled (their text does not matter)."""

    def __init__(self):
        self.started = threading.Event()

    def respond(self, db, question, *, today, settings, models, on_token, on_step, cancel, on_quoted=None):
        from lucy_app.core import ask

        self.started.set()
        on_quoted(ask.Answer(question, None, "I planted tomatoes. [2 Apr 2026 · #1]", abstained=False,
                             mode="extractive", sentences=[("I planted tomatoes.", (1,))]))
        for _ in range(2000):
            if cancel.is_set():
                raise errors.Cancelled("The answer was stopped")
            on_token("and then ")
            time.sleep(0.005)
        raise AssertionError("never cancelled")


def test_the_quoted_answer_shows_at_once_and_stands_when_stopped(qtbot, open_window, monkeypatch):
    fake = SlowAsk()
    monkeypatch.setattr(ask_panel, "ask_module", lambda: fake)
    window = open_window()
    panel = window.ask_page
    window.show_ask()
    with qtbot.waitSignal(panel.asking) as started:
        panel.ask("What happened last spring?")
    assert started.args == [True] and window.background._asking == 1
    qtbot.waitUntil(lambda: "and then" in panel.view.toPlainText())
    shown = panel.view.toPlainText()
    assert "I planted tomatoes." in shown and "The model is writing" in shown  # quoted first, model under it
    assert panel.stop_button.isEnabled()
    with qtbot.waitSignal(panel.asking, timeout=5000) as stopped:
        panel.stop_button.click()
    assert stopped.args == [False] and window.background._asking == 0
    assert panel.status.text().startswith("Stopped — the answer quoted")
    assert "I planted tomatoes." in panel.view.toPlainText() and "and then" not in panel.view.toPlainText()
    assert panel.answer is panel.quoted and not panel.stop_button.isEnabled()


def test_a_finished_answer_links_its_citations_to_the_passages(qtbot, open_window, monkeypatch, yesterday):
    from lucy_app.core import ask

    window = open_window(days=5)
    entry = entries.list_entries(window.journal.db, start=yesterday, end=yesterday)[0]
    start = entry.body.index(".") + 2
    end = entry.body.index(".", start) + 1

    class CitedAsk:
        def respond(self, db, question, *, today, settings, models, on_token, on_step, cancel, on_quoted=None):
            on_token(f"You wrote about it [#{entry.id}]")
            src = ask.Source(entry.id, entry.day, entry.body[start:end], start, end)
            text = f"You wrote about it. [{ask.nice_date(entry.day)} · #{entry.id}]"
            return ask.Answer(question, None, text, abstained=False, mode="llm",
                              sentences=[("You wrote about it.", (entry.id,))],
                              citations=[(entry.id, entry.day)], sources=[src],
                              titles={entry.id: entry.display_title})

    monkeypatch.setattr(ask_panel, "ask_module", lambda: CitedAsk())
    panel = window.ask_page
    with qtbot.waitSignal(panel.answered, timeout=5000):
        panel.ask("What did I write yesterday?")
    assert panel.streamed.startswith("You wrote about it")
    text = panel.view.toPlainText()
    assert "Sources" in text and entry.display_title in text
    link = html.unescape(re.search(r'href="(entry:[^"]+)"', panel.view.toHtml()).group(1))
    assert link.startswith(f"entry:{entry.id}?")
    with qtbot.waitSignal(window.write_page.loaded, timeout=5000):
        panel.view.anchorClicked.emit(ask_panel_url(link))
    assert window.write_page.handle.id == entry.id
    assert window.write_page.highlighted == (start, end)


def ask_panel_url(link: str):
    from lucy_app.ui.qt import QUrl

    return QUrl(link)


needs_hybrid = pytest.mark.skipif(not hasattr(search, "search_passages"),
                                  reason="core/ask.py needs search.search_passages (hybrid search), not there yet")


@needs_hybrid
def test_ask_with_the_default_model_streams_a_cited_answer(qtbot, open_window, models):
    from lucy_app.core import index

    window = open_window(days=30, digests=True, models=models)
    index.run(window.journal.db, models=models)
    panel = window.ask_page
    with qtbot.waitSignal(panel.answered, timeout=120_000) as done:
        panel.ask("What did I do last week?")
    answer = done.args[0]
    assert answer.range is not None
    assert answer.range.end <= clock.today() and answer.range.start >= clock.today() - timedelta(days=14)
    if answer.mode == "llm":
        assert panel.streamed  # tokens arrived while it was written
    assert answer.citations
    assert "entry:" in panel.view.toHtml()


@needs_hybrid
def test_stop_cancels_a_real_answer(qtbot, open_window, models):
    window = open_window(days=10, digests=True, models=models)
    panel = window.ask_page
    events: list[bool] = []
    panel.asking.connect(events.append)
    panel.ask("What did I do last week?")
    qtbot.waitUntil(lambda: panel.quoted is not None, timeout=120_000)  # the quoted answer, at once
    assert panel.running and panel.answer is None  # …while the model still writes
    panel.stop()
    qtbot.waitUntil(lambda: events == [True, False], timeout=120_000)
    assert not panel.running
    assert panel.status.text().startswith("Stopped") and panel.answer is panel.quoted
