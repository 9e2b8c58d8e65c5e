"""The start page: today's date, what was written today, and the morning briefing.

Each part's heading opens its digest; each bullet's citation opens the entry it came from,
scrolled to the sentence. The briefing is built on a reader thread from stored digests (no
model). When the background scheduler rewrites digests while the page is open, the page
does not move under the reader: a quiet "Updated — show" appears, and the new briefing is
shown when asked for (or the next time the page is opened). A journal with no entries yet
shows the first steps instead (nothing is written into the journal for it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lucy_app.core import briefing, clock, entries
from lucy_app.core.digests import read
from lucy_app.core.entries import Entry
from lucy_app.ui import style
from lucy_app.ui.html_view import HtmlView, href
from lucy_app.ui.qt import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget, Signal


@dataclass
class TodayData:
    day: date
    brief: briefing.Briefing
    written_today: list[Entry]
    days: dict[int, date]          # cited entry → its day
    total_entries: int


def load(db, day: date, settings) -> TodayData:
    stale = read.stale_keys(db, day, settings)
    brief = briefing.build(db, day, settings, stale_keys=stale)
    cited = sorted({i for p in brief.parts for _, ids in p.bullets for i in ids})
    found = entries.get_many(db, cited)
    return TodayData(day, brief, entries.list_entries(db, start=day, end=day), {i: e.day for i, e in found.items()},
                     entries.count(db))


def greeting(now: datetime) -> str:
    if now.hour < 5:
        return "Still up"
    if now.hour < 12:
        return "Good morning"
    if now.hour < 18:
        return "Good afternoon"
    return "Good evening"


def _short(d: date) -> str:
    """"2 Dec 2026", never broken across lines (a date is a link)."""
    return f"{d.day}\u00a0{d:%b}\u00a0{d.year}"


def first_steps(journal_path: str | None) -> str:
    """The empty journal's page: what Lucy is, and the first things to do."""
    e = style.esc
    where = (f'<p class="note">Everything is kept in one file on this computer: {e(journal_path)} — '
             "nothing is ever sent anywhere.</p>") if journal_path else ""
    return (
        "<h1>Welcome to Lucy</h1>"
        '<p class="muted">A private diary that remembers for you.</p>'
        "<ul>"
        '<li><a href="new:0">Write your first entry</a> — Ctrl+N. A line or a page; it is saved as you type.</li>'
        '<li><a href="import:0">Import an existing diary</a> — Day One, jrnl, Markdown files or a Lucy export '
        "(File ▸ Import).</li>"
        "<li>Come back tomorrow: this page then shows a short briefing — yesterday, last week, the month "
        "and season so far — every line linked to the entry it came from.</li>"
        "<li>Ask your diary questions like “what did I do last spring?” (Ctrl+J); it answers from your "
        "entries, or says that nothing is recorded.</li>"
        "</ul>" + where
    )


def render(data: TodayData | None, now: datetime | None = None, journal_path: str | None = None) -> str:
    if data is None:
        return '<p class="muted">Opening your diary…</p>'
    if not data.total_entries:
        return first_steps(journal_path)
    now = now or clock.now()
    e = style.esc
    out = [f"<h1>{e(f'{data.day:%A} {data.day.day} {data.day:%B %Y}')}</h1>"]
    if data.written_today:
        words = sum(x.words for x in data.written_today)
        links = ", ".join(f'<a href="{href("entry", x.id)}">{e(x.display_title)}</a>' for x in data.written_today)
        out.append(f'<p class="muted">{e(greeting(now))}. Today so far: {links} '
                   f'({words} word{"s" if words != 1 else ""}).</p>')
    else:
        out.append(f'<p class="muted">{e(greeting(now))}. Nothing written today yet — '
                   f'<a href="new:0">write today’s entry</a> (Ctrl+N).</p>')
    if not data.brief.parts:
        if data.total_entries:
            out.append('<p class="muted">Your briefing appears here once the digests are written '
                       '(Lucy writes them in the background).</p>')
        else:
            out.append('<p class="muted">Once you have written for a few days, this page gives you a short '
                       'catch-up: yesterday, last week, the month and season so far, and this day in '
                       'earlier years — every line linked to the entry it came from.</p>')
        return "".join(out)
    for part in data.brief.parts:
        marks = []
        if part.stale:
            marks.append("out of date — being rewritten")
        if part.partial and "so far" not in part.title:
            marks.append("so far")
        badge = f' <span class="badge">· {e(", ".join(marks))}</span>' if marks else ""
        out.append(f'<h2><a href="{href("digest", part.digest_id)}">{e(part.title)}</a>{badge}</h2><ul>')
        for text_, ids in part.bullets:
            cites = "; ".join(
                f'<a href="{href("entry", i, q=text_)}">{e(_short(data.days[i]) if i in data.days else "#" + str(i))}</a>'
                for i in ids)
            out.append(f'<li>{e(text_)} <span class="cite">[{cites}]</span></li>' if cites else f"<li>{e(text_)}</li>")
        out.append("</ul>")
    out.append(f'<p class="note">{data.brief.words} words, from your digests. '
               "Open a heading for the whole digest; a date opens the entry.</p>")
    return "".join(out)


class TodayPage(QWidget):
    ready = Signal()                # the briefing is shown
    problem = Signal(object, str)

    def __init__(self, tasks, settings, parent=None, journal_path: str | None = None):
        super().__init__(parent)
        self.tasks = tasks
        self._settings = settings   # a callable returning the current Settings
        self.journal_path = journal_path
        self.data: TodayData | None = None
        self.waiting: TodayData | None = None  # a newer briefing, shown when asked for
        self._loading = False
        self._again = False
        self._again_quiet = True
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 10)
        self.view = HtmlView(lambda: render(self.data, journal_path=self.journal_path))
        self.view.setAccessibleName("Today's briefing")
        bar = QHBoxLayout()
        bar.setContentsMargins(24, 0, 24, 0)
        note = QLabel("Built from your digests on this computer — no model, nothing sent anywhere.")
        note.setWordWrap(True)
        self.note = note
        self.restyle()
        self.write_button = QPushButton("Write today’s entry")
        self.write_button.setAccessibleName("Write today's entry")
        self.write_button.setToolTip("Ctrl+N")
        self.updated_button = QPushButton("Updated — show")
        self.updated_button.setFlat(True)
        self.updated_button.setAccessibleName("Show the updated briefing")
        self.updated_button.setToolTip("The digests were rewritten in the background")
        self.updated_button.hide()
        self.updated_button.clicked.connect(self.show_waiting)
        bar.addWidget(note, 1)
        bar.addWidget(self.updated_button)
        bar.addWidget(self.write_button)
        outer.addWidget(self.view, 1)
        outer.addLayout(bar)
        self.view.set_body(render(None))

    def restyle(self) -> None:
        """The palette changed: re-derive the colours."""
        pal = self.note.palette()
        pal.setColor(pal.ColorRole.WindowText, style.muted())
        self.note.setPalette(pal)

    def refresh(self, day: date | None = None, *, quiet: bool = False) -> None:
        """Rebuild the briefing (on a reader thread); coalesces calls made while one runs.

        ``quiet`` (the background rewrote digests): if a briefing is on screen and would
        change, it is not redrawn under the reader; "Updated — show" appears instead (a page
        still waiting for its first briefing just shows it)."""
        if self._loading:
            self._again = True
            self._again_quiet = self._again_quiet and quiet
            return
        self._loading = True
        day = day or clock.today()
        settings = self._settings()

        def done(data: TodayData) -> None:
            self._loading = False
            reading = self.data is not None and self.data.brief.parts and self.isVisible()
            if quiet and reading and self._html(data) != self._html(self.data):
                self.waiting = data
                self.updated_button.show()
            else:
                self._show(data)
            self.ready.emit()
            if self._again:
                again_quiet, self._again, self._again_quiet = self._again_quiet, False, True
                self.refresh(quiet=again_quiet)

        def failed(exc) -> None:
            self._loading = False
            self.problem.emit(exc, "building the briefing")

        self.tasks.read(lambda db: load(db, day, settings), done, failed, what="building the briefing")

    def _html(self, data: TodayData) -> str:
        return render(data, now=datetime(2000, 1, 1, 9), journal_path=self.journal_path)

    def _show(self, data: TodayData) -> None:
        self.data = data
        self.waiting = None
        self.updated_button.hide()
        self.view.set_body(render(data, journal_path=self.journal_path))
        self.write_button.setText("Continue today’s entry" if data.written_today else "Write today’s entry")

    def show_waiting(self) -> None:
        """Show the briefing that arrived while the page was being read."""
        if self.waiting is not None:
            self._show(self.waiting)
