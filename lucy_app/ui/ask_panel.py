"""Ask: a question in; the quoted answer at once; the model's answer streamed under it.

``lucy_app.core.ask.respond`` runs on a worker thread. The quoted answer (the entries' own
sentences that answer best, cited) arrives first, well under a second, and is shown at once;
the model's words then stream in under it; when the model is done and its sentences have
passed the check against the entries they cite, its answer takes the quoted one's place
(otherwise the quoted answer stays). Stop ends the model within milliseconds, even while it
is still reading a long prompt, and the quoted answer stands. While a question is being
answered the background scheduler pauses (the window connects :attr:`AskPanel.asking`).
"""

from __future__ import annotations

import threading
from datetime import date

from lucy_app.core import ask as core_ask
from lucy_app.core import clock, errors
from lucy_app.ui import style
from lucy_app.ui.html_view import HtmlView, href
from lucy_app.ui.markdown import link_citations
from lucy_app.ui.qt import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QObject,
    QPushButton,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
)

EXAMPLES = ("What did I do last spring?", "When did I last see Maya?", "What happened in March 2024?")
STREAM_REDRAW_MS = 50   # streamed tokens are shown at most this often (a redraw re-renders the whole answer)


def ask_module():
    """``lucy_app.core.ask`` (a seam: tests put a fake in its place)."""
    return core_ask


class _Tokens(QObject):
    piece = Signal(int, str)
    quoted = Signal(int, object)


def nice(d: date) -> str:
    return f"{d.day}\u00a0{d:%b}\u00a0{d.year}"


def render_answer(answer, *, writing: str | None = None, model: str | None = None) -> str:
    """An answer: text with citation links, the range it looked at, its sources.

    ``writing``: the model's words so far, shown under a quoted answer while it writes;
    ``model``: the chat model's name (said under an answer it wrote)."""
    e = style.esc
    spans = {s.entry_id: s for s in answer.cited_sources()}

    def link(i: int) -> str:
        s = spans.get(i)
        return href("entry", i, s=getattr(s, "start", None), e=getattr(s, "end", None),
                    q=None if s is None or s.start is not None else s.text)

    out = []
    if answer.range is not None:
        out.append(f'<p class="note">Looking at {e(nice(answer.range.start))} – {e(nice(answer.range.end))}</p>')
    out.append(f"<p>{link_citations(e(answer.text), link)}</p>")
    if answer.mode == "extractive" and not answer.abstained:
        why = f" ({answer.note})" if getattr(answer, "note", None) else ""
        out.append(f'<p class="note">Quoted from your entries{e(why)}.</p>')
    elif answer.mode == "llm":
        by = f"Written by {e(model)}" if model else "Written by the model"
        out.append(f'<p class="note">{by} from your entries; every sentence was checked against the '
                   "entry it links to.</p>")
    if writing is not None:
        out.append('<h2>The model is writing…</h2>'
                   f'<p class="muted">{link_citations(e(writing)) if writing else "(reading the entries)"}</p>')
    sources = answer.cited_sources() or ([] if answer.abstained else answer.sources[:5])
    if sources:
        out.append("<h2>Sources</h2><ul>")
        titles = getattr(answer, "titles", {}) or {}
        for s in sources:
            title = titles.get(s.entry_id, "")
            passage = " ".join(s.text.split())
            passage = passage[:220] + ("…" if len(passage) > 220 else "")
            out.append(f'<li><a href="{link(s.entry_id)}">{e(nice(s.day))}{" · " + e(title) if title else ""}</a>'
                       f'<br><span class="muted">“{e(passage)}”</span></li>')
        out.append("</ul>")
    return "".join(out)


class AskPanel(QWidget):
    asking = Signal(bool)
    answered = Signal(object)       # the Answer
    open_link = Signal(str, object, dict)
    problem = Signal(object, str)

    def __init__(self, tasks, settings, models, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self._settings = settings
        self._models = models
        self._seq = 0
        self._cancel: threading.Event | None = None
        self.streamed = ""
        self.answer = None
        self.quoted = None              # the quoted answer, shown while the model writes
        self._tokens = _Tokens()
        self._tokens.piece.connect(self._piece)
        self._tokens.quoted.connect(self._quoted)
        self._redraw = QTimer(self)
        self._redraw.setSingleShot(True)
        self._redraw.setInterval(STREAM_REDRAW_MS)
        self._redraw.timeout.connect(self._show_streamed)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 16, 24, 12)
        row = QHBoxLayout()
        self.box = QLineEdit()
        self.box.setPlaceholderText("Ask your diary — e.g. “" + EXAMPLES[0] + "”")
        self.box.setAccessibleName("Question")
        self.box.setFont(style.reading_font(1.1))
        self.ask_button = QPushButton("Ask")
        self.ask_button.setAccessibleName("Ask the question")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop the answer")
        self.stop_button.setEnabled(False)
        row.addWidget(self.box, 1)
        row.addWidget(self.ask_button)
        row.addWidget(self.stop_button)
        self.status = QLabel("Answers come only from your entries, with links to them. Nothing leaves this computer.")
        self.status.setAccessibleName("Answer status")
        self.status.setWordWrap(True)
        self.view = HtmlView(self._render)
        self.view.setAccessibleName("Answer")
        outer.addLayout(row)
        outer.addWidget(self.status)
        outer.addWidget(self.view, 1)
        self.box.returnPressed.connect(self.ask)
        self.ask_button.clicked.connect(self.ask)
        self.stop_button.clicked.connect(self.stop)
        self.view.link.connect(self.open_link.emit)

    def focus_box(self) -> None:
        self.box.setFocus()
        self.box.selectAll()

    @property
    def running(self) -> bool:
        return self._cancel is not None

    def ask(self, question: str | None = None) -> None:
        module = ask_module()
        question = (question if isinstance(question, str) else self.box.text()).strip()
        if not question:
            return
        if self.running:
            self.stop()
        self.box.setText(question)
        self._seq += 1
        seq = self._seq
        cancel = self._cancel = threading.Event()
        self._redraw.stop()
        self.streamed = ""
        self.answer = None
        self.quoted = None
        self.view.set_body('<p class="muted">Reading your diary…</p>')
        self.status.setText("Looking through your entries…")
        self.stop_button.setEnabled(True)
        self.asking.emit(True)
        settings = self._settings()
        models = self._models()
        tokens = self._tokens

        def job(db):
            return module.respond(db, question, today=clock.today(), settings=settings, models=models,
                                  on_token=lambda piece: tokens.piece.emit(seq, piece),
                                  on_step=lambda step: tokens.piece.emit(seq, f"\n→ {step}\n"), cancel=cancel,
                                  on_quoted=lambda quoted: tokens.quoted.emit(seq, quoted))

        def finish() -> None:
            if self._cancel is cancel:
                self._cancel = None
                self.stop_button.setEnabled(False)
            self.asking.emit(False)

        def done(answer) -> None:
            finish()
            if seq != self._seq:
                return
            self._redraw.stop()
            self.answer = answer
            self.status.setText("Nothing recorded — Lucy does not guess." if answer.abstained else
                                "Answered from your entries. Links open them.")
            self.view.set_body(render_answer(answer, model=self._model_name()))
            self.answered.emit(answer)

        def failed(exc) -> None:
            finish()
            if seq != self._seq:
                return
            self._redraw.stop()
            if isinstance(exc, errors.Cancelled):
                if self.quoted is not None:  # the quoted answer stands
                    self.answer = self.quoted
                    self.status.setText("Stopped — the answer quoted from your entries stands.")
                    self.view.set_body(render_answer(self.quoted))
                    self.answered.emit(self.quoted)
                else:
                    self.status.setText("Stopped.")
                    self.view.set_body('<p class="muted">Stopped before the answer began.</p>')
                return
            self.status.setText(exc.user_text() if isinstance(exc, errors.LucyError) else "")
            self.view.set_body("")
            if not isinstance(exc, errors.LucyError):
                self.problem.emit(exc, "answering the question")

        self.tasks.work(job, done, failed, what="answering the question")

    def stop(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
            self.status.setText("Stopping…")
            self.stop_button.setEnabled(False)

    def _model_name(self) -> str | None:
        models = self._models()
        try:
            return (models.info().get("chat") or {}).get("label") if models is not None else None
        except Exception:  # noqa: BLE001 - a name is a nicety
            return None

    def _quoted(self, seq: int, quoted) -> None:
        """The quoted answer: shown at once, while the model (if any) writes under it."""
        if seq != self._seq or self.answer is not None:
            return
        self.quoted = quoted
        self.status.setText("Quoted from your entries. The model is writing an answer… (Stop keeps this one)"
                            if self.running else "Quoted from your entries.")
        self.view.set_body(self._render())

    def _piece(self, seq: int, piece: str) -> None:
        if seq != self._seq or self.answer is not None:
            return
        if not self.streamed and self.quoted is None:
            self.status.setText("Writing the answer… (Stop to interrupt)")
        self.streamed += piece
        if not self._redraw.isActive():
            self._redraw.start()

    def _show_streamed(self) -> None:
        """Show the tokens so far (at most every STREAM_REDRAW_MS), scrolled to the end."""
        if self.answer is not None or not self.running:
            return
        self.view.set_body(self._render())
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _streamed_html(self) -> str:
        return f"<p>{link_citations(style.esc(self.streamed))}</p>"

    def _render(self) -> str:
        if self.answer is not None:
            return render_answer(self.answer, model=self._model_name())
        if self.quoted is not None:
            return render_answer(self.quoted, writing=self.streamed)
        return self._streamed_html() if self.streamed else ""
