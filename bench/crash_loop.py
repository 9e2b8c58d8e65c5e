"""Crash safety: SIGKILL writers, digests and indexing at random moments; nothing may be lost.

One child process writes entries (adds, edits, a few trashes), printing each change with
the entry id and a hash of its content only after the commit returned. Another runs
``lucy digest run --extractive`` and ``lucy index`` in a loop. Both are killed with SIGKILL
at a random moment; then the journal is reopened and checked:

- ``PRAGMA integrity_check`` is ok, the full-text indexes pass their integrity checks;
- every acknowledged entry is there with the acknowledged content (or a later edit that
  committed but was not acknowledged yet), acknowledged trashes are trashed;
- no half-applied change: each live entry's FTS row matches it, trashed ones have none,
  each entry's ``seq`` is its newest change-log row; one digest per (level, period);
  passages belong to live entries or digests.

After the last kill, digests and indexing are run to the end and must leave nothing
missing, stale or pending.

    .venv/bin/python bench/crash_loop.py --kills 200            # prints a report, JSON last
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TODAY = date(2024, 6, 30)
WORDS = ("walked river bridge Maya harbour bread garden rain lemon cake tennis Lisbon budget "
         "concert train letter kitchen paint swim market soup bicycle museum lantern").split()


def content_hash(title: str | None, body: str) -> str:
    return hashlib.sha256(f"{title or ''}\x1f{body}".encode("utf-8", "surrogatepass")).hexdigest()[:16]


# --- the children ------------------------------------------------------------------------


def writer(db_path: Path, seed: int, pace: float = 0.0) -> None:
    """Write forever; print ``<op> <id> <hash>`` after each commit (``try-…`` before)."""
    from lucy_app.core import entries
    from lucy_app.core.storage.db import Database

    rng = random.Random(seed)
    db = Database(db_path)
    mine: list[int] = []
    out = sys.stdout

    def say(*parts) -> None:
        out.write(" ".join(str(p) for p in parts) + "\n")
        out.flush()

    say("ready", 0, "-")
    while True:
        if pace:
            time.sleep(pace)
        roll = rng.random()
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 120)))
        body = f"{words.capitalize()}. Note {rng.randrange(10**9)}.\n\n" + "More text. " * rng.randrange(0, 30)
        if roll < 0.75 or not mine:
            day = TODAY - timedelta(days=rng.randrange(0, 90))
            e = entries.add(db, body, day=day, title=rng.choice([None, "A day", "Notes"]))
            mine.append(e.id)
            say("add", e.id, content_hash(e.title, e.body))
        elif roll < 0.95:
            target = rng.choice(mine)
            cleaned = entries.clean_body(body)
            old = entries.get(db, target)
            say("try-edit", target, content_hash(old.title, cleaned))
            e = entries.update(db, target, body=body)
            say("edit", e.id, content_hash(e.title, e.body))
        else:
            target = mine.pop(rng.randrange(len(mine)))
            say("try-trash", target, "-")
            entries.trash(db, target)
            say("trash", target, "-")


def background_script(db_path: Path) -> list[str]:
    """Digests, then indexing, in a loop: through the CLI, or the core indexer if `lucy index`
    does not exist yet."""
    from lucy_app.cli import cli

    lucy = str(Path(sys.executable).with_name("lucy"))
    steps = [f"{lucy} --db {db_path} digest run --extractive --today {TODAY.isoformat()} > /dev/null"]
    steps.append(index_command(db_path, "index" in cli.commands) + " > /dev/null")
    return ["bash", "-c", "while true; do " + "; ".join(steps) + "; done"]


def index_command(db_path: Path, have_cli: bool) -> str:
    if have_cli:
        return f"{Path(sys.executable).with_name('lucy')} --db {db_path} index"
    code = ("import sys; from lucy_app.core import index; from lucy_app.core.journal import Journal; "
            "from lucy_app.core.llm.setup import model_service; j = Journal.open(sys.argv[1]); "
            "index.run(j.db, models=model_service(j.settings))")
    return f"{sys.executable} -c '{code}' {db_path}"


def have_indexer() -> bool:
    try:
        import lucy_app.core.index  # noqa: F401
    except ImportError:
        return False
    return True


# --- the parent ------------------------------------------------------------------------------


@dataclass
class Acks:
    """What the writer acknowledged: entry id -> (acked hash, later tried hashes)."""

    content: dict[int, str] = field(default_factory=dict)
    tried: dict[int, list[str]] = field(default_factory=dict)
    trashed: set[int] = field(default_factory=set)
    trying_trash: set[int] = field(default_factory=set)
    commits: int = 0

    def feed(self, line: str) -> None:
        parts = line.split()
        if len(parts) != 3 or not parts[1].isdigit():
            return  # a line cut by the kill
        op, ident, value = parts[0], int(parts[1]), parts[2]
        if op in ("add", "edit"):
            self.content[ident] = value
            self.tried[ident] = []
            self.commits += 1
        elif op == "try-edit":
            self.tried.setdefault(ident, []).append(value)
        elif op == "try-trash":
            self.trying_trash.add(ident)
        elif op == "trash":
            self.trashed.add(ident)
            self.commits += 1


def _reader(stream, acks: Acks, ready: threading.Event) -> None:
    for line in stream:
        if line.startswith("ready"):
            ready.set()
        acks.feed(line)


def _spawn(argv: list[str], **kw) -> subprocess.Popen:
    return subprocess.Popen(argv, start_new_session=True, cwd=ROOT, **kw)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole group: bash and the lucy it runs
    except ProcessLookupError:
        pass
    proc.wait()


def check(db_path: Path, acks: Acks) -> list[str]:
    """Everything that is wrong with the journal after a crash ([] when nothing)."""
    import apsw

    from lucy_app.core.storage.db import Database

    problems: list[str] = []
    db = Database(db_path)  # recovers the WAL like any later open would
    try:
        conn = db.conn
        one = lambda sql, *a: conn.execute(sql, a).fetchall()  # noqa: E731
        if one("PRAGMA integrity_check") != [("ok",)]:
            problems.append(f"integrity_check: {one('PRAGMA integrity_check')[:3]}")
        for table in ("entries_fts", "passages_fts"):
            if one("SELECT count(*) FROM sqlite_schema WHERE name = ?", table)[0][0]:
                try:
                    conn.execute(f"INSERT INTO {table}({table}) VALUES ('integrity-check')")
                except apsw.Error as exc:
                    problems.append(f"{table} integrity-check: {exc}")
        rows = {r[0]: r for r in one("SELECT id, title, body, deleted_at, seq FROM entries")}
        for ident, want in acks.content.items():
            row = rows.get(ident)
            if row is None:
                problems.append(f"acknowledged entry {ident} is missing")
                continue
            have = content_hash(row[1], row[2])
            if have != want and have not in acks.tried.get(ident, []):
                problems.append(f"entry {ident}: content {have} is neither the acknowledged {want} "
                                f"nor a later edit")
        for ident in acks.trashed:
            if ident in rows and rows[ident][3] is None:
                problems.append(f"acknowledged trash of entry {ident} was lost")
        fts = {r[0]: r for r in one("SELECT rowid, title, body FROM entries_fts")}
        for ident, (_, title, body, deleted, _seq) in rows.items():
            if deleted is None:
                got = fts.get(ident)
                if got is None or got[1] != (title or "") or got[2] != body:
                    problems.append(f"entry {ident}: its full-text row does not match it")
            elif ident in fts:
                problems.append(f"trashed entry {ident} is still in the full-text index")
        stray = set(fts) - set(rows)
        if stray:
            problems.append(f"full-text rows without an entry: {sorted(stray)[:5]}")
        newest = dict(one("SELECT entry_id, max(seq) FROM changes GROUP BY entry_id"))
        bad_seq = [i for i, r in rows.items() if newest.get(i) != r[4]]
        if bad_seq:
            problems.append(f"entries whose seq is not their newest change: {bad_seq[:5]}")
        dupes = one("SELECT level, period_start, count(*) FROM digests GROUP BY 1, 2 HAVING count(*) > 1")
        if dupes:
            problems.append(f"more than one digest for a period: {dupes[:3]}")
        if one("SELECT count(*) FROM sqlite_schema WHERE name = 'passages'")[0][0]:
            orphans = one("SELECT count(*) FROM passages p LEFT JOIN entries e ON e.id = p.entry_id "
                          "LEFT JOIN digests d ON d.id = p.digest_id WHERE e.id IS NULL AND d.id IS NULL")
            if orphans[0][0]:
                problems.append(f"{orphans[0][0]} passages belong to nothing")
            ahead = one("SELECT count(*) FROM entry_index ei JOIN entries e ON e.id = ei.entry_id "
                        "WHERE ei.seq > e.seq")
            if ahead[0][0]:
                problems.append(f"{ahead[0][0]} entries indexed from a version newer than theirs")
    finally:
        db.close()
    return problems


def finish(db_path: Path) -> list[str]:
    """Run digests and indexing to the end; report anything left undone."""
    from lucy_app.cli import cli

    lucy = [str(Path(sys.executable).with_name("lucy")), "--db", str(db_path)]
    problems = []
    subprocess.run([*lucy, "digest", "run", "--extractive", "--today", TODAY.isoformat()], check=True,
                   capture_output=True, cwd=ROOT)
    status = json.loads(subprocess.run([*lucy, "digest", "status", "--json", "--today", TODAY.isoformat()],
                                       check=True, capture_output=True, text=True, cwd=ROOT).stdout)
    for level, counts in status.items():
        if counts.get("missing") or counts.get("stale"):
            problems.append(f"digests of {level} left undone after a full run: {counts}")
    if have_indexer():
        subprocess.run(["bash", "-c", index_command(db_path, "index" in cli.commands)], check=True,
                       capture_output=True, cwd=ROOT)
        from lucy_app.core import index
        from lucy_app.core.storage.db import Database

        with Database(db_path) as db:
            left = index.pending(db)
        if left.get("entries") or left.get("digests"):
            problems.append(f"indexing left work after a full run: {left}")
    return problems


def run(kills: int, *, seed: int = 1, folder: Path | None = None, min_s: float = 0.3, max_s: float = 2.0,
        pace: float = 0.0, log=print) -> dict:
    """``kills`` rounds of start, wait ``min_s``–``max_s`` seconds, SIGKILL, check; then finish.

    ``pace``: seconds the writer waits between commits (0: as fast as it can).
    """
    rng = random.Random(seed)
    tmp = tempfile.TemporaryDirectory() if folder is None else None
    folder = Path(tmp.name) if tmp else folder
    db_path = folder / "journal.db"
    from lucy_app.core.journal import Journal

    Journal.open(db_path).close()
    acks = Acks()
    problems: list[str] = []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    t0 = time.monotonic()
    try:
        for n in range(1, kills + 1):
            ready = threading.Event()
            w = _spawn([sys.executable, __file__, "--writer", str(db_path), "--seed", str(seed * 1000 + n),
                        "--pace", str(pace)],
                       stdout=subprocess.PIPE, text=True, env=env)
            reader = threading.Thread(target=_reader, args=(w.stdout, acks, ready), daemon=True)
            reader.start()
            bg = _spawn(background_script(db_path), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            ready.wait(30)
            time.sleep(rng.uniform(min_s, max_s))
            victims = rng.choice([(w, bg), (w,), (bg,), (bg, w)])
            for p in victims:
                _kill(p)
            for p in (w, bg):
                _kill(p)
            reader.join(10)
            found = check(db_path, acks)
            problems += [f"kill {n}: {p}" for p in found]
            if log:
                log(f"kill {n}/{kills}: {acks.commits} acknowledged commits so far, {len(found)} problems")
        t_finish = time.monotonic()
        problems += finish(db_path)
        t_finish = time.monotonic() - t_finish
    finally:
        if tmp:
            tmp.cleanup()
    lost = sum(1 for p in problems if "missing" in p or "lost" in p or "neither" in p)
    return {"kills": kills, "acknowledged_commits": acks.commits, "entries_acknowledged": len(acks.content),
            "lost": lost, "problems": problems, "seconds": round(time.monotonic() - t0, 1),
            "finish_seconds": round(t_finish, 1),
            "indexing": "lucy index" if _has_cli_index() else ("core index.run" if have_indexer() else "none")}


def _has_cli_index() -> bool:
    from lucy_app.cli import cli

    return "index" in cli.commands


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pace", type=float, default=0.0, help="seconds between the writer's commits")
    parser.add_argument("--min", dest="min_s", type=float, default=0.3, help="shortest run before a kill (s)")
    parser.add_argument("--max", dest="max_s", type=float, default=2.0, help="longest run before a kill (s)")
    parser.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.writer:
        writer(args.writer, args.seed, args.pace)
        return 0
    report = run(args.kills, seed=args.seed, pace=args.pace, min_s=args.min_s, max_s=args.max_s)
    print(json.dumps(report))
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
