"""Digests: a tree year → season → month → week → day, and the chosen digest with its sources.

A digest's citations are links: each opens the cited entry scrolled to the sentence the
bullet came from. Out-of-date ("stale") and still-running ("partial") digests are marked.
"Rewrite now" rewrites one digest at once (with the model when it is available).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta

from lucy_app.core import clock, errors
from lucy_app.core.digests import read, scheduler
from lucy_app.core.digests.model import Digest
from lucy_app.core.llm import names
from lucy_app.core.periods import period_of
from lucy_app.ui import style
from lucy_app.ui.html_view import HtmlView, href
from lucy_app.ui.qt import (
    QFont,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    Qt,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
    Signal,
)

ROLE = Qt.ItemDataRole.UserRole


@dataclass
class Node:
    level: str
    start: date
    end: date
    digest_id: int | None = None
    state: str | None = None          # "fresh" | "stale" | None (not written)
    partial: bool = False
    children: dict[tuple, Node] = field(default_factory=dict)
    #: What holds this copy of the period in the tree: a week spanning two months is shown
    #: under each month it has days in (the month's start), a winter under each of its years.
    within: date | int | None = None

    @property
    def key(self) -> tuple[str, date]:
        """The period (the same for every copy of it in the tree)."""
        return (self.level, self.start)

    @property
    def tree_key(self) -> tuple:
        """This node's place among its siblings."""
        return (self.level, self.start, self.within)


def label(level: str, start: date, end: date, hemisphere: str = "north") -> str:
    if level == "year":
        return str(start.year)
    if level == "season":
        return period_of("season", start, hemisphere=hemisphere).label
    if level == "month":
        return f"{start:%B %Y}"
    if level == "week":
        return (f"Week of {start.day}–{end.day} {end:%b}" if start.month == end.month
                else f"Week of {start.day} {start:%b} – {end.day} {end:%b}")
    return f"{start:%a} {start.day} {start:%b}"


def chain_of(day: date, level: str, hemisphere: str, week_start: int) -> list[tuple]:
    """The tree keys from the year down to ``level`` on the way to ``day``.

    Every period is reached through the day's own year, season, month and week: the week of
    30 Nov – 6 Dec is under November for 30 Nov and under December for 1 Dec.
    """
    out: list[tuple] = []
    for lvl in ("year", "season", "month", "week", "day"):
        p = period_of(lvl, day, hemisphere=hemisphere, week_start=week_start)
        within = day.year if lvl == "season" else (period_of("month", day).start if lvl == "week" else None)
        out.append((lvl, p.start, within, p.end))
        if lvl == level:
            break
    return out


def build_tree(digests: list[Digest], stale: set[tuple[str, date]], hemisphere: str, week_start: int) -> list[Node]:
    """Years (newest first) holding seasons, months, weeks and days.

    A period that spans two parents (a week across a month's end, a winter across New Year)
    is shown under each parent it has days with digests in, so that every day can be
    reached under its own year, season, month and week.
    """
    roots: dict[tuple, Node] = {}

    def place(day: date, level: str) -> Node:
        children, node = roots, None
        for lvl, start, within, end in chain_of(day, level, hemisphere, week_start):
            key = (lvl, start, within)
            node = children.get(key)
            if node is None:
                node = children[key] = Node(lvl, start, end, within=within)
            children = node.children
        return node

    def mark(node: Node, d: Digest) -> None:
        node.digest_id = d.id
        node.partial = d.partial
        node.state = "stale" if (d.level, d.period.start) in stale else "fresh"

    by_level: dict[str, list[Digest]] = {}
    for d in digests:
        by_level.setdefault(d.level, []).append(d)
    days = {d.period.start for d in by_level.get("day", [])}
    months = {d.period.start for d in by_level.get("month", [])} | {x.replace(day=1) for x in days}
    for d in by_level.get("day", []):
        mark(place(d.period.start, "day"), d)
    for d in by_level.get("month", []):
        mark(place(d.period.start, "month"), d)
    for d in by_level.get("week", []):
        p = d.period
        spanned = [p.start + timedelta(days=i) for i in range((p.end - p.start).days + 1)]
        # under every month where the week has a day digest (else: its first day's month)
        firsts = {period_of("month", x).start: x for x in reversed(spanned) if x in days}
        for x in (firsts.values() or [p.start]):
            mark(place(x, "week"), d)
    for d in by_level.get("season", []):
        p = d.period
        spanned_months = {period_of("month", p.start + timedelta(days=i)).start
                          for i in range((p.end - p.start).days + 1)}
        firsts = {m.year: m for m in sorted(spanned_months, reverse=True) if m in months}
        for x in (firsts.values() or [p.start]):
            mark(place(x, "season"), d)
    for d in by_level.get("year", []):
        mark(place(d.period.start, "year"), d)
    return sorted(roots.values(), key=lambda n: n.start, reverse=True)


def load_tree(db, today: date, settings) -> list[Node]:
    digests = read.in_range(db, None, date(1, 1, 1), date(9999, 12, 31))
    return build_tree(digests, read.stale_keys(db, today, settings), settings.hemisphere, settings.week_start)


def render(resolved: read.Resolved | None, hemisphere: str, note: str = "") -> str:
    e = style.esc
    if resolved is None:
        return ('<p class="muted">Choose a period on the left. Each digest summarises the level below it, '
                "and every line links to the entries it came from.</p>")
    d = resolved.digest
    out = [f"<h1>{e(label(d.level, d.period.start, d.period.end, hemisphere))}</h1>"]
    who = f"written by {names.tidy(d.model)}" if d.writer == "llm" and d.model else "quick summary (no model)"
    marks = [f"{d.level} digest", who, f"{d.n_entries} entr{'y' if d.n_entries == 1 else 'ies'}"]
    if d.partial:
        marks.append("so far — the period is not over")
    if d.stale:
        marks.append("out of date — an entry changed since; it is being rewritten")
    out.append(f'<p class="badge">{e(" · ".join(marks))}</p><ul>')
    for b in d.bullets:
        cites = "; ".join(
            f'<a href="{href("entry", i, q=b.text)}">{e(_when(resolved, i))}</a>' for i in b.entry_ids)
        out.append(f"<li>{e(b.text)}" + (f' <span class="cite">[{cites}]</span>' if cites else "") + "</li>")
    out.append("</ul>")
    if resolved.children:
        kids = ", ".join(f'<a href="{href("digest", c.id)}">{e(label(c.level, c.period.start, c.period.end, hemisphere))}</a>'
                         for c in resolved.children)
        out.append(f'<p class="note">Written from: {kids}</p>')
    if note:
        out.append(f'<p class="note">{e(note)}</p>')
    return "".join(out)


def _when(resolved: read.Resolved, entry_id: int) -> str:
    entry = resolved.sources.get(entry_id)
    return f"{entry.day.day}\u00a0{entry.day:%b}\u00a0{entry.day.year}" if entry else f"#{entry_id}"


TREE_MIN, TREE_WIDTH, TEXT_MIN = 160, 240, 320   # px: the tree's least and first width, the text's least


class DigestsPage(QWidget):
    problem = Signal(object, str)
    rewritten = Signal()

    def __init__(self, tasks, settings, models, parent=None):
        super().__init__(parent)
        self.tasks = tasks
        self._settings = settings
        self._models = models     # a callable: the current ModelService or None
        self.roots: list[Node] = []
        self.resolved: read.Resolved | None = None
        self._want: tuple[str, date] | None = None
        self._rewrite_cancel = threading.Event()
        self._note = ""
        outer = QHBoxLayout(self)
        outer.setContentsMargins(12, 12, 12, 8)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Digests by period")
        self.tree.setUniformRowHeights(True)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(8, 0, 0, 0)
        self.view = HtmlView(lambda: render(self.resolved, self._settings().hemisphere, self._note))
        self.view.setAccessibleName("Digest")
        bar = QHBoxLayout()
        self.status = QLabel("")
        self.rewrite_button = QPushButton("Rewrite now")
        self.rewrite_button.setAccessibleName("Rewrite this digest now")
        self.rewrite_button.setEnabled(False)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.rewrite_button)
        rv.addWidget(self.view, 1)
        rv.addLayout(bar)
        split.addWidget(self.tree)
        split.addWidget(right)
        # the digest's text gets the room: the tree keeps its width, the text takes the rest,
        # and neither can be squeezed away
        self.tree.setMinimumWidth(TREE_MIN)
        right.setMinimumWidth(TEXT_MIN)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(0, 0)
        split.setStretchFactor(1, 1)
        split.setSizes([TREE_WIDTH, 10 * TREE_WIDTH])
        self.split = split
        outer.addWidget(split)
        self.view.set_body(render(None, "north"))
        self.tree.itemExpanded.connect(self._expand)
        self.tree.currentItemChanged.connect(lambda cur, _prev: self._picked(cur))
        self.tree.itemActivated.connect(lambda item, _col: self._picked(item))
        self.rewrite_button.clicked.connect(self.rewrite_now)

    # -- the tree --------------------------------------------------------------------------

    def refresh(self) -> None:
        settings = self._settings()

        def done(roots: list[Node]) -> None:
            self.roots = roots
            self._rebuild()

        self.tasks.read(lambda db: load_tree(db, clock.today(), settings), done,
                        lambda exc: self.problem.emit(exc, "loading the digests"))

    def _rebuild(self) -> None:
        """Bring the tree up to date in place: what is expanded, selected and scrolled to stays."""
        bar = self.tree.verticalScrollBar()
        scrolled = bar.value()
        self.tree.blockSignals(True)
        try:
            self._sync(self.tree.invisibleRootItem(), self.roots)
        finally:
            self.tree.blockSignals(False)
        bar.setValue(scrolled)
        if self.tree.currentItem() is None and self._want:
            self._select_key(self._want, show=False)

    def _sync(self, parent: QTreeWidgetItem, nodes) -> None:
        nodes = sorted(nodes, key=lambda n: n.start, reverse=True)
        wanted = {n.tree_key for n in nodes}
        for i in reversed(range(parent.childCount())):
            if parent.child(i).data(0, ROLE).tree_key not in wanted:
                parent.takeChild(i)
        for index, node in enumerate(nodes):
            item = parent.child(index) if index < parent.childCount() else None
            if item is None or item.data(0, ROLE).tree_key != node.tree_key:
                item = self._item(node)
                parent.insertChild(index, item)
            else:
                self._update(item, node)
            if item.childCount():  # its children are shown (or were): keep them current too
                self._sync(item, node.children.values())

    def _item(self, node: Node) -> QTreeWidgetItem:
        item = QTreeWidgetItem()
        self._update(item, node)
        return item

    def _update(self, item: QTreeWidgetItem, node: Node) -> None:
        hemi = self._settings().hemisphere
        text = label(node.level, node.start, node.end, hemi)
        if node.state is None:
            text += "  (not written yet)"
        elif node.state == "stale":
            text += "  · out of date"
        elif node.partial:
            text += "  · so far"
        if item.text(0) != text:
            item.setText(0, text)
        item.setData(0, ROLE, node)
        item.setToolTip(0, f"{node.level} {node.start:%d %b %Y} – {node.end:%d %b %Y}")
        f = QFont(item.font(0))
        if f.italic() != (node.state is None):
            f.setItalic(node.state is None)
            item.setFont(0, f)
        item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator if node.children
                                     else QTreeWidgetItem.ChildIndicatorPolicy.DontShowIndicatorWhenChildless)

    def _expand(self, item: QTreeWidgetItem) -> None:
        node: Node = item.data(0, ROLE)
        if item.childCount() == 0 and node.children:
            self._sync(item, node.children.values())

    def _select_key(self, key: tuple[str, date], *, show: bool = True) -> bool:
        """Find (expanding as needed) and select the item for the period ``key``."""
        level, start = key
        settings = self._settings()
        end = period_of(level, start, hemisphere=settings.hemisphere, week_start=settings.week_start).end
        # the period is reached through one of its days: its first, else the first in another month
        days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        tried: set[tuple] = set()
        for day in days:
            chain = [c[:3] for c in chain_of(day, level, settings.hemisphere, settings.week_start)]
            if tuple(chain) in tried:
                continue
            tried.add(tuple(chain))
            item = self._walk(chain)
            if item is not None:
                if not show:
                    self.tree.blockSignals(True)
                self.tree.setCurrentItem(item)
                self.tree.scrollToItem(item)
                if not show:
                    self.tree.blockSignals(False)
                return True
        return False

    def _walk(self, chain: list[tuple]) -> QTreeWidgetItem | None:
        parent = self.tree.invisibleRootItem()
        item = None
        for depth, k in enumerate(chain):
            item = next((parent.child(i) for i in range(parent.childCount())
                         if parent.child(i).data(0, ROLE).tree_key == k), None)
            if item is None:
                return None
            if depth < len(chain) - 1:
                self._expand(item)
                item.setExpanded(True)
            parent = item
        return item

    # -- showing a digest ---------------------------------------------------------------------

    def open_digest(self, level: str | None = None, day: date | None = None, digest_id: int | None = None) -> None:
        """Show a digest (by level and a day inside its period, or by id) and select it in the tree."""
        settings = self._settings()

        def fetch(db):
            lvl, d = level, day
            if digest_id is not None:
                found = read.by_id(db, digest_id)
                lvl, d = found.level, found.period.start
            return read.get(db, lvl, d, settings, today=clock.today())

        def done(resolved: read.Resolved) -> None:
            self._show(resolved)
            self._want = (resolved.digest.level, resolved.digest.period.start)
            self._select_key(self._want, show=False)

        self.tasks.read(fetch, done, lambda exc: self.problem.emit(exc, "opening the digest"))

    def _picked(self, item: QTreeWidgetItem | None) -> None:
        if item is None:
            return
        node: Node = item.data(0, ROLE)
        if node.digest_id is None:
            self.resolved = None
            self.rewrite_button.setEnabled(False)
            self.view.set_body(f'<p class="muted">No digest for {style.esc(label(node.level, node.start, node.end, self._settings().hemisphere))} yet: '
                               "Lucy writes it in the background once its entries are in.</p>")
            return
        self.open_digest(node.level, node.start)

    def _show(self, resolved: read.Resolved, note: str = "") -> None:
        self.resolved = resolved
        self._note = note
        self.rewrite_button.setEnabled(True)
        self.view.set_body(render(resolved, self._settings().hemisphere, note))
        self.view.verticalScrollBar().setValue(0)

    # -- rewrite now ----------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop a rewrite in progress (the window is closing)."""
        self._rewrite_cancel.set()

    def rewrite_now(self) -> None:
        if self.resolved is None:
            return
        d = self.resolved.digest
        settings = self._settings()
        models = self._models()
        use_llm = settings.digest_writer == "llm" and models is not None and models.available("chat")
        today = clock.today()
        cancel = self._rewrite_cancel
        self.rewrite_button.setEnabled(False)
        self.status.setText("Rewriting with the model…" if use_llm else "Rewriting…")

        def job(db):
            from lucy_app.core.digests.writers import ExtractiveWriter, LlmWriter

            status = scheduler.survey(db, today, settings).statuses.get((d.level, d.period.start))
            if status is None:
                raise errors.NotFound("This period has no entries any more", hint="the digest will be removed")
            writer = LlmWriter(models, cancel=cancel) if use_llm else ExtractiveWriter()
            written = scheduler.write_one(db, status, writer, scheduler.make_idf(db), today)
            return written, read.get(db, d.level, d.period.start, settings, today=today)

        def done(result) -> None:
            written, resolved = result
            self.status.setText("")
            if written is None:
                note = "An entry changed while rewriting; Lucy will write it again shortly."
            elif written.fell_back:
                note = f"The model could not rewrite it ({written.fell_back}); a quick summary was written."
            else:
                note = "Rewritten just now."
            self._show(resolved, note)
            self.rewritten.emit()

        def failed(exc) -> None:
            self.status.setText("")
            self.rewrite_button.setEnabled(True)
            self.problem.emit(exc, "rewriting the digest")

        self.tasks.work(job, done, failed, what="rewriting the digest")
