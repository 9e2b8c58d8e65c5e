"""The `lucy` command: each command parses its arguments, calls the core, and prints.

Known errors (``LucyError``) print one line and exit non-zero; anything else is a bug and
is logged with its traceback (``LUCY_DEBUG=1`` shows it in the terminal).
"""

from __future__ import annotations

import contextlib
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
from lucy_app.core import clock, entries, entry_text, errors, paths, search
from lucy_app.core import settings as settings_mod
from lucy_app.core.io import formats as import_formats
from lucy_app.core.journal import Journal
from lucy_app.core.periods import LEVELS

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

            return clock.today() + timedelta(days=words[str(value).lower()])
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
            if isinstance(exc, errors.JournalCorrupt) and isinstance(ctx.obj, State):
                from lucy_app.core import backup as backup_mod  # name the newest backup

                exc.hint = backup_mod.restore_hint(ctx.obj.journal_path())
            click.echo(f"Error: {exc.user_text()}", err=True)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except BrokenPipeError:  # `lucy list | head`: the reader has gone, which is fine
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the flush at exit
            ctx.exit(0)
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

    def journal_path(self) -> Path:
        return (self.db_path or paths.default_journal_path()).expanduser()

    def journal(self, *, readonly: bool = False) -> Journal:
        if self._journal is None:
            try:
                self._journal = Journal.open(self.db_path, readonly=readonly)
            except errors.JournalEncrypted:
                self._journal = Journal.open(self.db_path, readonly=readonly, passphrase=_passphrase())
        return self._journal

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()


pass_state = click.make_pass_decorator(State)


def _passphrase(*, confirm: bool = False) -> str:
    """The journal's passphrase: from LUCY_PASSPHRASE (for cron), else asked for, never shown."""
    env = os.environ.get("LUCY_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        raise errors.JournalEncrypted("The journal is encrypted", hint="set LUCY_PASSPHRASE or run in a terminal")
    return click.prompt("Passphrase", hide_input=True, confirmation_prompt=confirm, err=True)


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
        edited = _edit(entry_text.render(day=day or clock.today(), title=title, tags=entries.normalize_tags(tags),
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
@click.option("--keyword", is_flag=True, help="Keyword search only (entries with every word).")
@pass_state
def search_(state: State, query: str, start, end, limit, keyword: bool) -> None:
    """Find entries (dates and highlighted snippets): words, meaning and dates together."""
    journal = state.journal()
    if keyword:
        hits = search.keyword_search(journal.db, query, start=start, end=end, limit=limit)
    else:
        models = _embedding_models(journal)
        hits = search.hybrid_search(journal.db, query, models=models, start=start, end=end, limit=limit,
                                    settings=journal.settings)
        problem = search.model_problem(models) if models is not None else None
        if problem:
            click.echo(f"(keyword search only: {problem})", err=True)
    render.hits(hits) if hits else click.echo("Nothing found.")


def _embedding_models(journal):
    """The journal's model service for embeddings, or None (said once) when it cannot be used."""
    return _journal_models(journal, ("embedding",), "keyword search only")


def _journal_models(journal, roles: tuple[str, ...], without: str):
    """The journal's model service for ``roles``, or None when a chosen file is unusable
    (said once, as "(WITHOUT: why)")."""
    from lucy_app.core import model_files

    try:
        return model_files.model_service(journal, roles=roles)
    except errors.ModelError as exc:
        click.echo(f"({without}: {exc.user_text()})", err=True)
        return None


@cli.command("index")
@click.option("--rebuild", is_flag=True, help="Cut every entry and digest into passages again.")
@pass_state
def index_(state: State, rebuild: bool) -> None:
    """Bring the search index up to date (passages and their vectors); safe to interrupt."""
    from lucy_app.core import index

    journal = state.journal()
    models = _embedding_models(journal)
    with render.progress_labelled("Indexing") as advance:
        stats = index.run(journal.db, models=models, progress=advance, rebuild=rebuild)
    render.index_stats(stats)


@cli.command()
@click.argument("question")
@click.option("--today", type=DATE, help="Answer as if today were this day.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
@click.option("--no-model", is_flag=True, help="Answer without the chat model (extractive).")
@pass_state
def ask(state: State, question: str, today: date | None, as_json: bool, no_model: bool) -> None:
    """Ask your journal, e.g. "What happened last spring?" (cited; "nothing recorded" if so)."""
    from lucy_app.core import ask as ask_mod
    from lucy_app.core import model_files

    journal = state.journal()
    today = today or clock.today()
    models = None if no_model else _journal_models(journal, model_files.ROLES, "answering without the model")
    with render.progress_labelled("Catching up") as advance:
        ask_mod.catch_up(journal.db, journal.settings, today=today, models=models, progress=advance)
    with render.streaming(enabled=not as_json) as on_token:
        result = ask_mod.respond(journal.db, question, today=today, settings=journal.settings,
                                models=models, on_token=on_token)
    click.echo(json.dumps(result.as_json(), ensure_ascii=False)) if as_json else render.answer(result)


# --- import / export --------------------------------------------------------------------


@cli.group("import")
def import_() -> None:
    """Bring entries in from a file."""


def _import_command(fmt) -> None:
    """`lucy import NAME PATH [--dry-run]` for one format of core.io.formats."""

    @import_.command(fmt.name, help=fmt.help)
    @click.argument("path", type=click.Path(path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
    @pass_state
    def command(state: State, path: Path, dry_run: bool) -> None:
        _run_import(state, fmt.read(path), dry_run)


for _fmt in import_formats.FORMATS:
    _import_command(_fmt)


def _run_import(state: State, drafts, dry_run: bool) -> None:
    from lucy_app.core.io import importer

    db = state.journal().db
    todo = importer.plan(db, drafts)
    for note in todo.notes[:20]:
        click.echo(f"note: {note}", err=True)
    if len(todo.notes) > 20:
        click.echo(f"note: … and {len(todo.notes) - 20} more", err=True)
    if dry_run:
        render.import_summary(todo.summary(), dry_run=True)
        return
    with render.progress("Importing", len(todo.add) + len(todo.update)) as advance:
        summary = importer.apply(db, todo, progress=advance)
    render.import_summary(summary, dry_run=False)
    extra = [f"{summary[k]} {k}" for k in ("attachments", "digests") if summary.get(k)]
    if extra:
        click.echo(f"With {' and '.join(extra)}.")


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
    n = jsonl.write_file(found, output)
    click.echo(f"Exported {n} entries to {output}.", err=True)


@export.command("markdown")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@pass_state
def export_markdown(state: State, folder: Path) -> None:
    """One Markdown file per entry (front matter), attachments/ and digests/ beside them."""
    from lucy_app.core.io import markdown

    _exported(markdown.export(state.journal().db, folder), folder)


@export.command("json")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@pass_state
def export_json(state: State, file: Path) -> None:
    """Everything, losslessly (entries, trash, attachments, digests): `lucy import json` reads it."""
    from lucy_app.core.io import json_export

    _exported(json_export.write(state.journal().db, file), file)


def _exported(n: dict, where: Path) -> None:
    click.echo(f"Exported {n['entries']} entries, {n['attachments']} attachments and "
               f"{n['digests']} digests to {where}.")


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


@cli.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
@pass_state
def backup_(state: State, file: Path) -> None:
    """Copy the journal to FILE (a new file, or a folder), consistently, even while it is in use."""
    from lucy_app.core import backup as backup_mod

    target = backup_mod.backup(state.journal().db, file)
    click.echo(f"Backed up to {target}.")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask.")
@pass_state
def restore(state: State, file: Path, yes: bool) -> None:
    """Replace the journal with the backup FILE (checked first; the old one is kept aside)."""
    from lucy_app.core import backup as backup_mod

    target = state.journal_path()
    passphrase = None
    try:
        facts = backup_mod.check_backup(file)
    except errors.JournalEncrypted:
        passphrase = _passphrase()
        facts = backup_mod.check_backup(file, passphrase)
    if not yes:
        click.confirm(f"Replace {target} with {file} ({facts['entries']} entries, last "
                      f"{facts['last_day'] or 'none'})? The current journal is kept beside it.", abort=True)
    state.close()
    done = backup_mod.restore(file, target, passphrase)
    if done.replaced:
        click.echo(f"The journal you had is kept as {done.replaced}.")
    click.echo(f"Restored {done.entries} entries into {done.journal}.")


@cli.command()
@pass_state
def encrypt(state: State) -> None:
    """Encrypt the journal with a passphrase (it cannot be recovered without it)."""
    from lucy_app.core import encryption

    path = state.journal().path
    state.close()
    n = encryption.encrypt(path, _passphrase(confirm=True))
    click.echo(f"Encrypted {path} ({n} entries). Lucy will ask for the passphrase when it opens it.")


@cli.command()
@pass_state
def decrypt(state: State) -> None:
    """Store the journal unencrypted again."""
    from lucy_app.core import encryption

    path = state.journal_path()
    n = encryption.decrypt(path, _passphrase())
    click.echo(f"Decrypted {path} ({n} entries).")


@cli.command("settings")
@click.argument("name", required=False)
@click.argument("value", required=False)
@pass_state
def settings_(state: State, name: str | None, value: str | None) -> None:
    """Show the journal's settings, or set NAME to VALUE."""
    journal = state.journal()
    if name in ("chat_model", "embedding_model") and value is not None:
        from lucy_app.core import model_files

        info = model_files.select(journal, name, value)
        click.echo(f"Chose {info.name} ({info.path}, {info.size:,} bytes, sha256 {info.sha256[:12]}…).", err=True)
    elif name is not None and value is not None:
        journal.update_settings(**{name: settings_mod.coerce(name, value)})
    current = journal.settings.__dict__
    if name is not None and value is None:
        if name not in current:
            settings_mod.coerce(name, "")  # raises the "unknown setting" error
        click.echo(json.dumps(current[name]))
        return
    render.facts({k: json.dumps(v) for k, v in current.items()})


def _window_size(_ctx, _param, value: str | None) -> tuple[int, int] | None:
    import re

    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d{2,5})\s*[x×]\s*(\d{2,5})\s*", value.lower())
    if not m:
        raise click.BadParameter(f"{value!r} is not WIDTHxHEIGHT (e.g. 1280x800)")
    return int(m[1]), int(m[2])


@cli.command()
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path),
              help="Render the window (offscreen) to this PNG once the page is filled in, and exit.")
@click.option("--size", callback=_window_size, metavar="WxH",
              help="With --screenshot: the window's size (default 1280x800; never below its minimum).")
@click.option("--theme", type=click.Choice(["system", "light", "dark"]),
              help="Use this theme for this run (Settings chooses the lasting one).")
@click.option("--page", type=click.Choice(["today", "write", "calendar", "digests", "search", "ask"]),
              default="today", show_default=True,
              help="With --screenshot: the page to show (Search and Ask with an example query).")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Journal file (the same as `lucy --db`).")
@pass_state
def app(state: State, screenshot: Path | None, size: tuple[int, int] | None, theme: str | None, page: str,
        db_path: Path | None) -> None:
    """Open the desktop app."""
    from lucy_app.ui.app import run

    if screenshot is None and (size is not None or page != "today"):
        raise click.UsageError("--size and --page go with --screenshot")
    state.close()
    sys.exit(run(db_path=db_path or state.db_path, screenshot=screenshot, size=size, theme=theme, page=page))


@cli.command("self-test")
def self_test() -> None:
    """Check this installation end to end on a temporary journal, offline; prints "ok"."""
    from lucy_app import selftest

    sys.exit(selftest.main())


def app_main() -> None:
    """The `lucy-app` GUI entry point."""
    from lucy_app.ui.app import run

    sys.exit(run(db_path=None))


# --- digests and the briefing -----------------------------------------------------------


@cli.group()
def digest() -> None:
    """Day → week → month → season → year digests."""


@digest.command("run")
@click.option("--level", "levels", multiple=True, type=click.Choice(LEVELS), help="Only these levels.")
@click.option("--since", type=DATE, help="Only periods ending on or after this day.")
@click.option("--llm/--extractive", "use_llm", default=None,
              help="Also rewrite digests with the chat model (default: the journal's setting).")
@click.option("--max-llm", type=click.IntRange(min=0), help="Rewrite at most this many with the model.")
@click.option("--today", type=DATE, help="Pretend today is this day.")
@pass_state
def digest_run(state: State, levels, since, use_llm, max_llm, today) -> None:
    """Write missing and stale digests (bottom-up, newest first); safe to interrupt."""
    from lucy_app.core.digests import scheduler

    journal = state.journal()
    settings = journal.settings
    llm = _llm_writer(journal) if (settings.digest_writer == "llm" if use_llm is None else use_llm) else None
    with render.progress_labelled("Writing digests") as advance:
        stats = scheduler.run(journal.db, settings=settings, today=today, llm=llm, levels=set(levels) or None,
                              since=since, progress=advance, max_llm=max_llm)
    render.digest_stats(stats)


def _llm_writer(journal):
    """The model writer, with the journal's chosen chat model (verified before llama.cpp loads it)."""
    from lucy_app.core import model_files
    from lucy_app.core.digests.writers import LlmWriter

    return LlmWriter(model_files.model_service(journal, roles=("chat",)))


@digest.command("status")
@click.option("--today", type=DATE, help="Pretend today is this day.")
@click.option("--json", "as_json", is_flag=True)
@pass_state
def digest_status(state: State, today, as_json: bool) -> None:
    """Missing, stale and fresh digests per level."""
    from lucy_app.core.digests import read

    journal = state.journal()
    counts = read.status(journal.db, today or clock.today(), journal.settings)
    click.echo(json.dumps(counts)) if as_json else render.digest_status(counts)


@digest.command("show")
@click.argument("level", type=click.Choice(LEVELS))
@click.argument("period", type=DATE)
@pass_state
def digest_show(state: State, level: str, period: date) -> None:
    """Print the digest of the LEVEL period containing PERIOD, citations resolved."""
    from lucy_app.core.digests import read

    journal = state.journal()
    render.digest(read.get(journal.db, level, period, journal.settings))


@cli.command()
@click.option("--date", "day", type=DATE, help="The morning to brief (default today).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
@click.option("--no-update", is_flag=True, help="Do not write missing digests first.")
@pass_state
def brief(state: State, day: date | None, as_json: bool, no_update: bool) -> None:
    """A short catch-up from your digests (no model, instant)."""
    from lucy_app.core import briefing
    from lucy_app.core.digests import read, scheduler

    journal = state.journal()
    day = day or clock.today()
    if not no_update:
        scheduler.run(journal.db, settings=journal.settings, today=day)
    result = briefing.build(journal.db, day, journal.settings,
                            stale_keys=read.stale_keys(journal.db, day, journal.settings))
    click.echo(json.dumps(result.as_json(), ensure_ascii=False)) if as_json else render.briefing(result)


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


@bench.command("import")
@click.option("--entries", "n", type=click.IntRange(min=10), default=3650, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_import(n: int, as_json: bool) -> None:
    """Import the generated diary written as a Day One export zip; entries per second."""
    from lucy_app.core.bench import imports as bench_mod

    render.bench_result(bench_mod.run(n_entries=n), as_json)


@bench.command("digests")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The LoCoMo-as-diary folder (../shared/bench/locomo).")
@click.option("--llm-days", type=click.IntRange(min=0), default=0, show_default=True,
              help="Also write this many day digests with the chat model.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
@pass_state
def bench_digests(state: State, data_dir: Path, llm_days: int, as_json: bool) -> None:
    """ROUGE of day digests against LoCoMo's reference summaries, next to lead-3."""
    from lucy_app.core.bench import digests as bench_mod

    models = _default_models() if llm_days else None
    render.bench_result(bench_mod.run(data_dir, models=models, llm_days=llm_days), as_json)


def _default_models():
    """The default models (those Lucy ships), for benchmarks: a journal's choice does not apply."""
    from lucy_app.core.llm.setup import model_service
    from lucy_app.core.settings import Settings

    return model_service(Settings())


@bench.command("recall")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The LoCoMo-as-diary folder (../shared/bench/locomo).")
@click.option("--merged", is_flag=True, help="All conversations in one journal (the hard mode).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_recall(data_dir: Path, merged: bool, as_json: bool) -> None:
    """Recall@k and passage recall of hybrid search against entry BM25, on LoCoMo."""
    from lucy_app.core.bench import recall as bench_mod

    with render.progress_labelled("Recall") as advance:
        result = bench_mod.run(data_dir, merged=merged, models=_default_models(), progress=advance)
    render.recall_table(result)
    render.bench_result(result, as_json)


@bench.command("search")
@click.option("--entries", "n", type=click.IntRange(min=10), default=3650, show_default=True)
@click.option("--queries", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_search(n: int, queries: int, as_json: bool) -> None:
    """Index a generated diary (passages, vectors); time hybrid and keyword queries."""
    from lucy_app.core.bench import search as bench_mod

    with render.progress_labelled("Indexing") as advance:
        result = bench_mod.run(n_entries=n, n_queries=queries, models=_default_models(),
                               progress=advance)
    render.bench_result(result, as_json)


@bench.command("ask")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The LoCoMo-as-diary folder (../shared/bench/locomo).")
@click.option("--no-vectors", is_flag=True, help="Keyword search only (no embedding model).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_ask(data_dir: Path, no_vectors: bool, as_json: bool) -> None:
    """Evidence handed to the model vs the search's, and abstention on unanswerable questions."""
    from lucy_app.core.bench import ask as bench_mod

    models = None if no_vectors else _default_models()
    render.bench_result(bench_mod.run(data_dir, models=models), as_json)


@bench.command("honesty")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="The LoCoMo-as-diary folder (../shared/bench/locomo).")
@click.option("--merged", is_flag=True, help="All conversations in one journal (the hard mode).")
@click.option("--chat-model", type=click.Path(dir_okay=False, path_type=Path),
              help="Another chat model file (default: the one Lucy ships).")
@click.option("--embedding-model", type=click.Path(dir_okay=False, path_type=Path),
              help="Another embedding model file (default: the one Lucy ships).")
@click.option("--no-model", is_flag=True, help="No chat model: digests stay extractive, answers quoted.")
@click.option("--no-digests", is_flag=True, help="Answers only (the model does not rewrite digests).")
@click.option("--sample", type=click.IntRange(min=1), help="Only N questions per category (a quick look).")
@click.option("--samples", "samples_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write what was shown (digests, answers, what the gate refused) to this JSONL file.")
@click.option("--keep", type=click.Path(file_okay=False, path_type=Path),
              help="Keep the indexed journals in this folder and use them again next time.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_honesty(data_dir: Path, merged: bool, chat_model: Path | None, embedding_model: Path | None,
                  no_model: bool, no_digests: bool, sample: int | None, samples_file: Path | None,
                  keep: Path | None, as_json: bool) -> None:
    """Is every shown sentence supported and rightly cited? Answer F1 and honest abstention, on LoCoMo."""
    from lucy_app.core.bench import honesty as bench_mod
    from lucy_app.core.llm import setup
    from lucy_app.core.llm.service import ModelService
    from lucy_app.core.settings import Settings

    settings = Settings(chat_model=str(chat_model) if chat_model else None,
                        embedding_model=str(embedding_model) if embedding_model else None)
    models = ModelService(None if no_model else setup.chat_model_path(settings), setup.embedding_model_path(settings))
    with render.progress_labelled("Honesty") as advance:
        result = bench_mod.run(data_dir, models=models, merged=merged, digests=not no_digests, sample=sample,
                               progress=advance, samples_file=samples_file, keep=keep)
    render.bench_result(result, as_json)


@bench.command("chat")
@click.option("--chat-model", type=click.Path(dir_okay=False, path_type=Path),
              help="Another chat model file (default: the one Lucy ships).")
@click.option("--runs", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_chat(chat_model: Path | None, runs: int, as_json: bool) -> None:
    """Prompt and generation tokens/s, time to first token, and how fast Stop stops the model."""
    from lucy_app.core.bench import chat as bench_mod
    from lucy_app.core.llm import setup
    from lucy_app.core.llm.service import ModelService
    from lucy_app.core.settings import Settings

    settings = Settings(chat_model=str(chat_model) if chat_model else None)
    with ModelService(setup.chat_model_path(settings), None) as models:
        render.bench_result(bench_mod.run(models, runs=runs), as_json)


@bench.command("answer")
@click.argument("question", default="What happened last spring?")
@click.option("--today", type=DATE, help="Answer as if today were this day.")
@click.option("--runs", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
@pass_state
def bench_answer(state: State, question: str, today, runs: int, as_json: bool) -> None:
    """Retrieval time, time to first token and answer time for QUESTION on the --db journal."""
    from lucy_app.core import model_files
    from lucy_app.core.bench import ask as bench_mod

    journal = state.journal()
    result = bench_mod.latency(journal, question, today=today or clock.today(),
                               models=model_files.model_service(journal), runs=runs)
    render.bench_result(result, as_json)


@bench.command("temporal")
@click.option("--data", "data_file", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="A JSONL file of {ref, text, start, end} (../shared/bench/temporal/dev.jsonl).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_temporal(data_file: Path, as_json: bool) -> None:
    """How many questions' time expressions become exactly the expected date range."""
    from lucy_app.core.bench import temporal as bench_mod

    result = bench_mod.run(data_file)
    if not as_json:
        for f in result["failures"]:
            click.echo(f"wrong: {f['text']!r} expected {f['expected']} got {f['got']}")
    render.bench_result(result, as_json)


@bench.command("coverage")
@click.option("--data", "data_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A JSONL diary (../shared/bench/real/barbellion.jsonl); default: the generated 10 years.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_coverage(data_file: Path | None, as_json: bool) -> None:
    """Share of each month's, season's and year's top recurring topics its digest mentions."""
    from lucy_app.core.bench import coverage as bench_mod

    render.bench_result(bench_mod.run(data_file), as_json)


@bench.command("briefing")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on the last line.")
def bench_briefing(as_json: bool) -> None:
    """Briefing words and build time for generated diaries of 1 week, 1 year and 10 years."""
    from lucy_app.core.bench import briefing as bench_mod

    render.bench_result(bench_mod.run(), as_json)
