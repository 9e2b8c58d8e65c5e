"""The `lucy` command: each command parses its arguments, calls the core, and prints.

Known errors (``LucyError``) print one line and exit non-zero; anything else is a bug and
is logged with its traceback (``LUCY_DEBUG=1`` shows it in the terminal).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import traceback
from datetime import date
from pathlib import Path

import click

from lucy_app import __version__
from lucy_app import cli_render as render
from lucy_app.core import entries, entry_text, errors, paths, search
from lucy_app.core import settings as settings_mod
from lucy_app.core.journal import Journal

log = logging.getLogger("lucy")


class DateParam(click.ParamType):
    """A day: YYYY-MM-DD, or today / yesterday / tomorrow."""

    name = "date"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        words = {"today": 0, "yesterday": -1, "tomorrow": 1}
        if str(value).lower() in words:
            from datetime import timedelta

            return date.today() + timedelta(days=words[str(value).lower()])
        try:
            return entries.parse_day(value)
        except errors.InvalidInput as exc:
            self.fail(exc.user_text(), param, ctx)


DATE = DateParam()


class LucyGroup(click.Group):
    """A click group that turns known errors into one line and logs bugs."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except errors.LucyError as exc:
            click.echo(f"Error: {exc.user_text()}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence for bugs
            if os.environ.get("LUCY_DEBUG"):
                raise
            where = _log_bug(exc)
            click.echo(f"Lucy hit a bug: {type(exc).__name__}: {exc}", err=True)
            click.echo(f"The details were written to {where}; please report them.", err=True)
            ctx.exit(70)


def _log_bug(exc: BaseException) -> Path:
    folder = paths.log_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / "lucy-errors.log"
        with target.open("a", encoding="utf-8") as f:
            f.write(f"--- Lucy {__version__}, argv {sys.argv!r}\n")
            f.write("".join(traceback.format_exception(exc)))
        return target
    except OSError:
        traceback.print_exception(exc)
        return Path("(stderr)")


class State:
    """The journal path from --db, opened on first use and closed at exit."""

    def __init__(self, db: Path | None):
        self.db_path = db
        self._journal: Journal | None = None

    def journal(self, *, readonly: bool = False) -> Journal:
        if self._journal is None:
            self._journal = Journal.open(self.db_path, readonly=readonly)
        return self._journal

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()


pass_state = click.make_pass_decorator(State)


@click.group(cls=LucyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="LUCY_DB",
              help="Journal file (default: journal.db in your user data folder; env LUCY_DB).")
@click.version_option(__version__, prog_name="lucy")
@click.pass_context
def cli(ctx: click.Context, db: Path | None) -> None:
    """Lucy: a private, offline diary that remembers for you."""
    state = State(db)
    ctx.obj = state
    ctx.call_on_close(state.close)


def main() -> None:
    cli(prog_name="lucy")


# --- writing ----------------------------------------------------------------------------


@cli.command()
@click.argument("text", required=False)
@click.option("--date", "day", type=DATE, help="The day it belongs to (default today).")
@click.option("--title", "-t", help="An optional title.")
@click.option("--tag", "tags", multiple=True, help="A tag (repeatable).")
@click.option("--mood", help="1–5 or awful/bad/okay/good/great.")
@pass_state
def add(state: State, text: str | None, day: date | None, title: str | None, tags, mood) -> None:
    """Write an entry: TEXT, or standard input, or your $EDITOR."""
    if text is None and not sys.stdin.isatty():
        text = sys.stdin.read()
    if text is None:
        edited = _edit(entry_text.render(day=day or date.today(), title=title, tags=entries.normalize_tags(tags),
                                         mood=entries.parse_mood(mood)))
        entry = entries.add(state.journal().db, edited.body, day=edited.day, title=edited.title,
                            tags=edited.tags, mood=edited.mood)
    else:
        entry = entries.add(state.journal().db, text, day=day, title=title, tags=tags, mood=mood)
    click.echo(f"Saved entry {entry.id} for {render.long_date(entry.day)}.")


@cli.command()
@click.argument("entry_id", type=int)
@click.option("--date", "day", type=DATE, help="Move it to another day.")
@click.option("--title", "-t", help="A new title ('' removes it).")
@click.option("--tag", "tags", multiple=True, help="Replace the tags (repeatable).")
@click.option("--mood", help="1–5 or a name; '' removes it.")
@click.option("--body", help="A new body instead of opening $EDITOR.")
@pass_state
def edit(state: State, entry_id: int, day, title, tags, mood, body) -> None:
    """Change an entry (opens $EDITOR unless options say what to change)."""
    db = state.journal().db
    changes = {k: v for k, v in dict(day=day, title=title, mood=mood, body=body).items() if v is not None}
    if tags:
        changes["tags"] = tags
    if not changes:
        old = entries.get(db, entry_id, include_trash=False)
        edited = _edit(entry_text.render_entry(old))
        changes = dict(day=edited.day, title=edited.title, tags=edited.tags, mood=edited.mood, body=edited.body)
    entry = entries.update(db, entry_id, **changes)
    click.echo(f"Saved entry {entry.id} ({render.long_date(entry.day)}).")


def _edit(text: str) -> entry_text.EditedEntry:
    edited = click.edit(text, extension=".md", require_save=True)
    if edited is None:
        raise errors.Cancelled("Nothing saved: the editor was closed without saving")
    return entry_text.parse(edited)


@cli.command()
@click.argument("entry_id", type=int)
@pass_state
def rm(state: State, entry_id: int) -> None:
    """Move an entry to the trash (restore it with `lucy trash restore ID`)."""
    entry = entries.trash(state.journal().db, entry_id)
    click.echo(f"Moved entry {entry.id} ({render.long_date(entry.day)}) to the trash.")


@cli.group()
def trash() -> None:
    """List, restore or empty the trash."""


@trash.command("list")
@pass_state
def trash_list(state: State) -> None:
    """Entries in the trash."""
    found = entries.list_entries(state.journal().db, trashed=True)
    render.entry_lines(found) if found else click.echo("The trash is empty.")


@trash.command("restore")
@click.argument("entry_id", type=int)
@pass_state
def trash_restore(state: State, entry_id: int) -> None:
    """Bring an entry back from the trash."""
    entry = entries.restore(state.journal().db, entry_id)
    click.echo(f"Restored entry {entry.id} ({render.long_date(entry.day)}).")


@trash.command("empty")
@click.option("--yes", is_flag=True, help="Do not ask.")
@pass_state
def trash_empty(state: State, yes: bool) -> None:
    """Delete the entries in the trash for good."""
    db = state.journal().db
    n = entries.count(db, trashed=True)
    if n and not yes:
        click.confirm(f"Delete {n} entries in the trash for good?", abort=True)
    click.echo(f"Deleted {entries.empty_trash(db)} entries for good.")


# --- reading ----------------------------------------------------------------------------


@cli.command("list")
@click.option("--from", "start", type=DATE, help="First day (inclusive).")
@click.option("--to", "end", type=DATE, help="Last day (inclusive).")
@click.option("--tag", help="Only entries with this tag.")
@click.option("--limit", "-n", type=click.IntRange(min=1), help="At most this many (newest).")
@pass_state
def list_(state: State, start, end, tag, limit) -> None:
    """Entries by date (oldest first)."""
    found = entries.list_entries(state.journal().db, start=start, end=end, tag=tag, limit=limit,
                                 newest_first=limit is not None)
    if limit is not None:
        found.reverse()
    render.entry_lines(found) if found else click.echo("No entries.")


@cli.command()
@click.argument("entry_id", type=int)
@pass_state
def show(state: State, entry_id: int) -> None:
    """Print one entry."""
    render.entry(entries.get(state.journal().db, entry_id))


@cli.command("search")
@click.argument("query")
@click.option("--from", "start", type=DATE, help="First day (inclusive).")
@click.option("--to", "end", type=DATE, help="Last day (inclusive).")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=10, show_default=True)
@pass_state
def search_(state: State, query: str, start, end, limit) -> None:
    """Find entries (dates and highlighted snippets)."""
    hits = search.keyword_search(state.journal().db, query, start=start, end=end, limit=limit)
    render.hits(hits) if hits else click.echo("Nothing found.")


# --- import / export --------------------------------------------------------------------


@cli.group("import")
def import_() -> None:
    """Bring entries in from a file."""


@import_.command("jsonl")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@pass_state
def import_jsonl(state: State, file: Path, dry_run: bool) -> None:
    """One entry per line: date, body, optional title/tags/id (see README)."""
    from lucy_app.core.io import jsonl

    _run_import(state, jsonl.read(file), dry_run)


def _run_import(state: State, drafts, dry_run: bool) -> None:
    from lucy_app.core.io import importer

    db = state.journal().db
    todo = importer.plan(db, drafts)
    if dry_run:
        render.import_summary(todo.summary(), dry_run=True)
        return
    with render.progress("Importing", len(todo.add) + len(todo.update)) as advance:
        summary = importer.apply(db, todo, progress=advance)
    render.import_summary(summary, dry_run=False)


@cli.group()
def export() -> None:
    """Write your entries out."""


@export.command("jsonl")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (default: standard output).")
@pass_state
def export_jsonl(state: State, output: Path | None) -> None:
    """Every live entry, one JSON object per line (the import format)."""
    from lucy_app.core.io import jsonl

    found = entries.list_entries(state.journal().db)
    if output is None:
        jsonl.write(found, sys.stdout)
        return
    with click.open_file(str(output), "w", encoding="utf-8", atomic=True) as f:
        n = jsonl.write(found, f)
    click.echo(f"Exported {n} entries to {output}.", err=True)


# --- the journal ------------------------------------------------------------------------


@cli.command()
@pass_state
def doctor(state: State) -> None:
    """Paths, versions, schema and an integrity check of the journal."""
    from lucy_app.core import doctor as doctor_mod

    report = doctor_mod.examine(state.journal())
    render.facts(report.facts)
    for problem in report.problems:
        click.echo(f"problem: {problem}")
    click.echo("ok" if report.ok else "problems found")
    if not report.ok:
        sys.exit(1)


@cli.command("settings")
@click.argument("name", required=False)
@click.argument("value", required=False)
@pass_state
def settings_(state: State, name: str | None, value: str | None) -> None:
    """Show the journal's settings, or set NAME to VALUE."""
    journal = state.journal()
    if name is not None and value is not None:
        journal.update_settings(**{name: settings_mod.coerce(name, value)})
    current = journal.settings.__dict__
    if name is not None and value is None:
        if name not in current:
            settings_mod.coerce(name, "")  # raises the "unknown setting" error
        click.echo(json.dumps(current[name]))
        return
    render.facts({k: json.dumps(v) for k, v in current.items()})


@cli.command()
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path),
              help="Render the window offscreen to this PNG and exit.")
@pass_state
def app(state: State, screenshot: Path | None) -> None:
    """Open the desktop app."""
    from lucy_app.ui.app import run

    state.close()
    sys.exit(run(db_path=state.db_path, screenshot=screenshot))


def app_main() -> None:
    """The `lucy-app` GUI entry point."""
    from lucy_app.ui.app import run

    sys.exit(run(db_path=None))


# --- benchmarks -------------------------------------------------------------------------


@cli.group()
def bench() -> None:
    """Measure Lucy on generated or benchmark data."""


@bench.command("storage")
@click.option("--entries", "n", type=click.IntRange(min=10), default=3650, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_storage(n: int, as_json: bool) -> None:
    """Insert a generated diary; time inserts and full-text queries."""
    from lucy_app.core.bench import storage as bench_mod

    render.bench_result(bench_mod.run(n_entries=n), as_json)
