"""Huge, deeply nested and malformed entries are stored, found, exported and digested.

The time limits here are hang guards (ten times what this takes on a slow laptop), not
benchmarks: something quadratic on a 10 MB entry takes hours, not seconds.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date

import pytest

from lucy_app.core import entries, entry_text, search, text
from lucy_app.core.bench import sample_diary
from lucy_app.core.digests import read as digest_read
from lucy_app.core.digests import scheduler
from lucy_app.core.io import json_export, jsonl, markdown
from lucy_app.core.settings import Settings
from lucy_app.core.storage import maintenance

MB = 1_000_000
DAY = date(2024, 3, 5)


@contextmanager
def within(seconds: float, what: str):
    t0 = time.perf_counter()
    yield
    took = time.perf_counter() - t0
    print(f"{what}: {took:.2f} s")
    assert took < seconds, f"{what} took {took:.1f} s: something grows faster than the input"


def megabytes(n: int, sentences: bool = True) -> str:
    rng = random.Random(5)
    samples = [s.body for s in sample_diary.generate(300, end=DAY)]
    parts, size = [], 0
    while size < n * MB:
        s = rng.choice(samples)
        if not sentences:  # one endless line: no sentence or paragraph ends anywhere
            s = s.replace(". ", ", ").replace("\n", " ")
        parts.append(s)
        size += len(s) + 2
    return ("\n\n" if sentences else " ").join(parts) + " Zanzibarquokka."


@pytest.mark.parametrize("size, sentences", [(10, True), (2, False)], ids=["10MB-prose", "2MB-one-line"])
def test_a_ten_megabyte_entry_is_stored_found_exported_and_digested(journal, tmp_path, size, sentences):
    """(bench: the same with 10 MB on one line takes about as long as the prose.)"""
    db = journal.db
    body = megabytes(size, sentences)
    entries.add(db, "A small entry the same day.", day=DAY)
    with within(30, "store"):
        big = entries.add(db, body, day=DAY, title="Everything")
    assert entries.get(db, big.id).body == body.rstrip()
    with within(10, "search"):
        hits = search.keyword_search(db, "Zanzibarquokka")
        assert [h.entry_id for h in hits] == [big.id] and len(hits[0].snippet) < 1000
        assert search.keyword_search(db, "walk", limit=5)
    with within(60, "extractive digests"):
        stats = scheduler.run(db, settings=Settings(), today=date(2024, 3, 20))
    assert stats.written["day"] == 1
    day_digest = digest_read.get(db, "day", DAY, Settings())
    assert 0 < text.word_count(day_digest.digest.text) <= 400
    with within(30, "exports"):
        assert json_export.write(db, tmp_path / "all.json")["entries"] == 2
        markdown.export(db, tmp_path / "md")
        with open(tmp_path / "all.jsonl", "w", encoding="utf-8") as f:
            jsonl.write(entries.list_entries(db), f)
    exported = json.loads((tmp_path / "all.json").read_text())["entries"]
    assert max(len(e["body"]) for e in exported) == len(body.rstrip())
    with within(30, "editor text"):
        assert entry_text.parse(entry_text.render_entry(entries.get(db, big.id))).body == big.body
    with db.read() as conn:
        assert maintenance.integrity_problems(conn, quick=True) == []


NESTED = {
    "quotes": ">" * 10_000 + " deep inside",
    "quote-lines": "\n".join(">" * i + " level" for i in range(1, 2_000)),
    "lists": "- " * 10_000 + "item",
    "list-levels": "\n".join("  " * i + "- item" for i in range(2_000)),
    "emphasis": "*" * 50_000 + "bold?" + "*" * 50_000,
    "links": "[" * 20_000 + "x" + "](y)" * 20_000,
    "images": "![a](" * 10_000 + "b" + ")" * 10_000,
    "headings": ("#" * 6 + " title\n") * 20_000,
    "code": "```\n" * 10_000,
}


@pytest.mark.parametrize("name", sorted(NESTED))
def test_deeply_nested_markdown_is_handled(journal, tmp_path, name):
    db = journal.db
    source = NESTED[name] + "\n\nThe walk to the Zanzibarquokka bridge was lovely."
    with within(30, name):
        entry = entries.add(db, source, day=DAY)
        assert search.keyword_search(db, "Zanzibarquokka")[0].entry_id == entry.id
        text.sentences(text.plain(source))
        scheduler.run(db, settings=Settings(), today=date(2024, 3, 20))
        markdown.export(db, tmp_path / "md")
        back = markdown.read(tmp_path / "md")
    assert back.items[0].draft.body == entry.body
    assert entry.display_title


def test_nul_bytes_control_characters_and_invalid_utf8_are_stored_safely(journal_path, tmp_path):
    """Through the CLI's standard input: bytes that are not UTF-8, NULs, lone surrogates."""
    raw = b"caf\xe9 \xff\xfe ok \x00 nul\x00 \xed\xa0\x80 surrogate, \x1b[31m red Zanzibarquokka\n"
    lucy = [sys.executable, "-m", "lucy_app", "--db", str(journal_path)]
    done = subprocess.run([*lucy, "add", "--date", "2024-03-05"], input=raw, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    found = subprocess.run([*lucy, "search", "Zanzibarquokka"], capture_output=True, timeout=60)
    assert found.returncode == 0 and b"Zanzibarquokka" in found.stdout
    from lucy_app.core.journal import Journal

    with Journal.open(journal_path) as j:
        body = entries.list_entries(j.db)[0].body
        assert "\x00" not in body and "\ufffd" in body and body.encode("utf-8")
        assert json_export.write(j.db, tmp_path / "x.json")["entries"] == 1
        json.loads((tmp_path / "x.json").read_text(encoding="utf-8"))
