"""How the CLI prints things: entries, search hits, facts, progress."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from datetime import date

import click

from lucy_app.core.entries import MOODS, Entry


def long_date(day: date) -> str:
    return day.strftime("%a %d %b %Y")


def entry_lines(found: list[Entry]) -> None:
    width = max(len(str(e.id)) for e in found)
    for e in found:
        tags = "  " + " ".join(f"#{t}" for t in e.tags) if e.tags else ""
        click.echo(f"{e.id:>{width}}  {e.day.isoformat()}  {e.display_title}{click.style(tags, fg='cyan')}")


def entry(e: Entry) -> None:
    click.secho(e.title or long_date(e.day), bold=True)
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
    click.echo(e.body)


def highlighted(text: str, spans) -> str:
    out, pos = [], 0
    for start, end in spans:
        out.append(text[pos:start])
        out.append(click.style(text[start:end], bold=True, fg="yellow"))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def hits(found) -> None:
    for h in found:
        title = f"  {h.title}" if h.title else ""
        click.echo(click.style(f"#{h.entry_id}  {h.day.isoformat()}", fg="cyan") + click.style(title, bold=True))
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


@contextlib.contextmanager
def progress(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise."""
    if not sys.stderr.isatty() or total < 50:
        yield lambda done, total: None
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
