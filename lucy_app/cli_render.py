"""How the CLI prints things: entries, search hits, facts, progress."""

from __future__ import annotations

import contextlib
import json
import re
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date

import click

from lucy_app.core.entries import MOODS, Entry
from lucy_app.core.llm import names

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: str) -> str:
    """Text from entries without control characters (an imported entry must not be able to
    drive the terminal with escape sequences)."""
    return _CONTROL.sub("", text)


def long_date(day: date) -> str:
    return day.strftime("%a %d %b %Y")


def entry_lines(found: list[Entry]) -> None:
    width = max(len(str(e.id)) for e in found)
    for e in found:
        tags = "  " + " ".join(f"#{t}" for t in e.tags) if e.tags else ""
        click.echo(f"{e.id:>{width}}  {e.day.isoformat()}  {safe(e.display_title)}{click.style(safe(tags), fg='cyan')}")


def entry(e: Entry) -> None:
    click.secho(safe(e.title or long_date(e.day)), bold=True)
    meta = [f"#{e.id}", long_date(e.day)]
    if e.tags:
        meta.append(" ".join(f"#{t}" for t in e.tags))
    if e.mood:
        meta.append(f"mood: {MOODS[e.mood]}")
    if e.starred:
        meta.append("★")
    if e.in_trash:
        meta.append(click.style("in the trash", fg="red"))
    click.echo(click.style(" · ".join(meta), dim=True))
    click.echo()
    click.echo(safe(e.body))


def highlighted(text: str, spans) -> str:
    """``text`` made safe, with the ``spans`` styled (click drops the styles off a terminal)."""
    out, pos = [], 0
    for start, end in spans:
        out.append(safe(text[pos:start]))
        out.append(click.style(safe(text[start:end]), bold=True, fg="yellow"))
        pos = end
    out.append(safe(text[pos:]))
    return "".join(out)


def hits(found) -> None:
    for h in found:
        title = f"  {h.title}" if h.title else ""
        click.echo(click.style(f"#{h.entry_id}  {h.day.isoformat()}", fg="cyan") + click.style(safe(title), bold=True))
        click.echo(f"    {highlighted(h.snippet, h.highlights)}")


def facts(items: dict[str, str]) -> None:
    width = max(len(k) for k in items)
    for k, v in items.items():
        click.echo(f"{k + ':':<{width + 1}} {v}")


def import_summary(summary: dict[str, int], *, dry_run: bool) -> None:
    verb = "Would add" if dry_run else "Added"
    click.echo(
        f"{verb} {summary['added']}, {'update' if dry_run else 'updated'} {summary['updated']}, "
        f"{'skip' if dry_run else 'skipped'} {summary['skipped']} (already there)."
        + (" Nothing was changed." if dry_run else "")
    )


class _Lines:
    """Progress as plain lines on stderr (a pipe or a log file): the first at once, then at
    most one every :data:`LINE_EVERY_S` seconds, and the last."""

    LINE_EVERY_S = 10.0

    def __init__(self, label: str):
        self.label = label
        self.last = 0.0
        self.said = ""

    def __call__(self, done: int, total: int | None, what: str = "") -> None:
        now = time.monotonic()
        finished = bool(total) and done >= total
        if self.last and now - self.last < self.LINE_EVERY_S and not finished:
            return
        line = f"{self.label}: {done:,}" + (f" of {total:,}" if total else "") + (f" ({what})" if what else "")
        if line != self.said:
            click.echo(line, err=True)
            self.last, self.said = now, line


@contextlib.contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal; progress lines otherwise."""
    if total < 50:
        yield lambda done, total: None
        return
    if not sys.stderr.isatty():
        lines = _Lines(label)
        yield lambda done, total_: lines(done, total_)
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done, total_: bar.update(task, completed=done, total=total_)


def bench_result(result: dict, as_json: bool) -> None:
    for key, value in result.items():
        if not isinstance(value, (dict, list)):
            click.echo(f"{key}: {value}")
    if as_json:
        click.echo(json.dumps(result))


@contextlib.contextmanager
def progress_labelled(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar whose total may change as work is discovered (stderr); lines off a terminal."""
    if not sys.stderr.isatty():
        yield _Lines(label)
        return
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total, what: bar.update(task, completed=done, total=total,
                                                   description=f"{label}: {what}")


def digest_stats(stats) -> None:
    if stats.total == 0 and not stats.removed:
        click.echo("All digests are up to date.")
    else:
        parts = [f"{n} {level}" for level, n in stats.written.items()]
        click.echo(f"Wrote {stats.total} digests ({', '.join(parts) or 'none'}) in {stats.seconds:.1f} s"
                   + (f"; {stats.by_llm} by the model" if stats.by_llm else "")
                   + (f"; removed {stats.removed} no longer needed" if stats.removed else "") + ".")
    for why in stats.fallbacks[:5]:
        click.echo(f"  kept the extractive digest of {why}")
    if stats.cancelled:
        click.echo("Stopped before the end; run it again to continue.")


def digest_status(counts: dict) -> None:
    click.echo(f"{'level':<8} {'missing':>8} {'stale':>6} {'fresh':>6} {'partial':>8}")
    for level, c in counts.items():
        click.echo(f"{level:<8} {c['missing']:>8} {c['stale']:>6} {c['fresh']:>6} {c['partial']:>8}")


def digest(resolved) -> None:
    d = resolved.digest
    flags = [f for f, on in (("stale: will be rewritten", d.stale), ("partial: period not over", d.partial)) if on]
    click.secho(f"{d.level.capitalize()} digest · {d.period.label}", bold=True)
    meta = f"{d.n_entries} entries · written {d.created_at:%Y-%m-%d %H:%M} by the {d.writer} writer"
    click.echo(click.style(meta + (f" ({names.tidy(d.model)})" if d.model else ""), dim=True))
    for flag in flags:
        click.secho(f"({flag})", fg="yellow")
    click.echo()
    for b in d.bullets:
        cites = ", ".join(_cite(resolved.sources.get(i), i) for i in b.entry_ids)
        click.echo(f"- {safe(b.text)}  " + click.style(f"[{cites}]", fg="cyan"))
    if resolved.sources:
        click.echo()
        click.echo("Sources:")
        for e in sorted(resolved.sources.values(), key=lambda e: (e.day, e.id)):
            click.echo(f"  #{e.id} {long_date(e.day)} · {safe(e.display_title)}   (lucy show {e.id})")


def _cite(entry, entry_id: int) -> str:
    return f"{entry.day.isoformat()} · #{entry_id}" if entry else f"#{entry_id}"


def briefing(b) -> None:
    click.secho(f"Good morning. {long_date(b.day)}", bold=True)
    if not b.parts:
        click.echo(b.text)
        return
    for p in b.parts:
        click.echo()
        flag = " (being updated)" if p.stale else ""
        click.secho(p.title + flag, bold=True, fg="cyan")
        click.echo(safe(p.text))
        ids = " ".join(f"#{i}" for i in p.entry_ids[:6]) + (" …" if len(p.entry_ids) > 6 else "")
        click.echo(click.style(f"  → lucy digest show {p.level} {p.period_start.isoformat()}   entries {ids}", dim=True))


def index_stats(stats) -> None:
    parts = [f"{stats.entries_cut} entries cut into {stats.passages_written} new passages"
             + (f" ({stats.passages_kept} unchanged kept)" if stats.passages_kept else "")]
    if stats.digests_cut:
        parts.append(f"{stats.digests_cut} digests")
    if stats.entries_removed:
        parts.append(f"{stats.entries_removed} trashed entries removed")
    if stats.passages_embedded:
        parts.append(f"{stats.passages_embedded} passages embedded ({stats.embedded_per_second:.1f}/s)")
    click.echo("Index: " + "; ".join(parts) + f" in {stats.seconds:.1f} s.")
    if stats.model_error:
        click.echo(f"No vectors ({stats.model_error}); keyword search still works.")
    if stats.cancelled:
        click.echo("Stopped before the end; run it again to continue.")


def recall_table(result: dict) -> None:
    """The recall benchmark as a table: methods × categories."""
    keys = ["recall@1", "recall@5", "recall@10", "passage_recall@400w"]
    click.echo(f"LoCoMo recall, {result['mode']}, {result['n']} questions")
    click.echo(f"{'method':<8} {'subset':<12} " + " ".join(f"{k.replace('passage_recall', 'PR'):>9}" for k in keys))
    for method in ("hybrid", "bm25"):
        r = result[method]
        rows = [("all", r)] + list(r["by_category"].items()) + [(f"{k} split", v) for k, v in r["by_split"].items()]
        for name, row in rows:
            click.echo(f"{method:<8} {name:<12} " + " ".join(
                f"{row[k]:>9.3f}" if row.get(k) is not None else f"{'-':>9}" for k in keys))


@contextlib.contextmanager
def streaming(*, enabled: bool) -> Iterator[Callable[[str], None] | None]:
    """Show a model's words as they come (a terminal only), cleared before the checked answer."""
    if not enabled or not sys.stdout.isatty():
        yield None
        return
    from rich.live import Live
    from rich.text import Text

    shown = Text(style="dim")
    with Live(shown, transient=True, refresh_per_second=12) as live:
        def on_token(piece: str) -> None:
            shown.append(piece)
            live.update(shown)
        yield on_token


def answer(result) -> None:
    click.echo(safe(result.text))
    if result.note and not result.abstained:
        click.echo(click.style(f"(extractive answer: {result.note})", dim=True))
    sources = result.cited_sources()
    if sources:
        click.echo()
        click.echo("Sources:")
        for s in sources:
            title = result.titles.get(s.entry_id, "")
            click.echo(f"  #{s.entry_id} {long_date(s.day)} · {safe(title)}   (lucy show {s.entry_id})")
