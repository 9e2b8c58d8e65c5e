"""`lucy bench coverage`: do month, season and year digests mention what the period was about?

The diary (a JSONL file, or the generated 10-year diary) is imported into a temporary
journal and digested by the extractive writer with the journal's default settings. Each
period's **top recurring topics** are then found from the entries alone, independently of
how digests are written:

- A word is a lower-cased, crudely stemmed (:func:`text.stem`) word of three letters or
  more that is not a stop word, a contraction of one or a number; names count as words, and
  so does a name hidden behind an initial and a long dash ("E⸺").
- For a period P with ``D_P`` days written, ``d_P(w)`` is the number of those days whose
  entries use ``w``; over the whole diary, ``d(w)`` of ``D`` days.
- A word *recurs* in P when it was written about on at least ``max(2, ceil(0.1 * D_P))``
  of the period's days, at least twice its usual rate (``d_P(w) >= 2 E``,
  ``E = D_P * d(w) / D``), and significantly so: the log-likelihood ratio (Dunning's G²) of
  its day count against the diary's rate is at least 10.83 (p < 0.001). Words of the
  diary's everyday language (written on more than a fifth of all days) are never topics.
  Recurring words are ranked by G².
- Words whose day sets in P overlap (Jaccard >= 0.4) with a more salient one join its topic
  (the fire, burning and flames of one week are one topic); at most four words a topic.
- The top K topics are the period's: K = 3 for a month, 4 for a season, 5 for a year.
  Periods with fewer than 3 days written are skipped (nothing recurs in them).

A digest *mentions* a topic when its bullets contain any of the topic's words (same
stemming). The score of a level is the mean share of its periods' top topics mentioned.

It also counts the weeks and months whose digest opens with what is new against the period
before ("New this month — …", ``what_changed``), and digest bullets **cut inside a
sentence** at every level: a bullet that ends on
an initial or a title ("…at Sir W.", "…Albemarle, G.", "…Mr…"), or ends without punctuation
or ellipsis where its source sentence goes on, or starts right after an initial or title in
its source ("Pen's house …" of "Sir W. Pen's house").
"""

from __future__ import annotations

import math
import re
import statistics
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

from lucy_app.core import entries as entries_mod
from lucy_app.core import fts_query, text
from lucy_app.core.bench import sample_diary
from lucy_app.core.digests import extractive, scheduler
from lucy_app.core.digests.model import Digest
from lucy_app.core.journal import Journal
from lucy_app.core.storage import digests as digest_store

LEVELS = ("month", "season", "year")
TOPICS_PER_LEVEL = {"month": 3, "season": 4, "year": 5}
MIN_DAYS = 3
JOIN_JACCARD = 0.4
WORDS_PER_TOPIC = 4
EVERYDAY_SHARE = 0.2
G2_MIN = 10.83  # chi-square, one degree of freedom, p = 0.001
FAR_FUTURE = date(2100, 1, 1)


_HIDDEN_NAME = re.compile(r"(?<!\w)[A-Z][a-z]{0,2}(?:⸺|⸻|——)")


def words_of(body: str) -> set[str]:
    """The topic words of a text (see the module docstring)."""
    out = set()
    for w in text.words(body):
        low = w.lower().replace("’", "'")
        base = low.split("'", 1)[0]
        if len(base) < 3 or base.isdigit() or base in fts_query.STOPWORDS or low in fts_query.STOPWORDS:
            continue
        out.add(text.stem(base))
    out.update(m.group().lower()[:-1] + "—" for m in _HIDDEN_NAME.finditer(body))  # "E⸺": a name
    return out


def topics(days: dict[date, set[str]], period_days: list[date], all_days: dict[str, int], n_days: int,
           k: int) -> list[list[str]]:
    """The top ``k`` recurring topics (lists of words, most salient first) of a period."""
    d_p = len(period_days)
    if d_p < MIN_DAYS:
        return []
    used: dict[str, set[date]] = defaultdict(set)
    for d in period_days:
        for w in days[d]:
            used[w].add(d)
    least = max(2, math.ceil(0.1 * d_p))
    scored = []
    for w, ds in used.items():
        if len(ds) < least or all_days[w] > EVERYDAY_SHARE * n_days:
            continue
        expected = d_p * all_days[w] / n_days
        if len(ds) < 2 * expected:
            continue
        g2 = extractive.g2(len(ds), d_p, expected)
        if g2 >= G2_MIN:
            scored.append((-g2, w))
    scored.sort()
    found: list[tuple[set[date], list[str]]] = []
    for _, w in scored:
        ds = used[w]
        for topic_days, members in found:
            if len(ds & topic_days) / len(ds | topic_days) >= JOIN_JACCARD:
                if len(members) < WORDS_PER_TOPIC:
                    members.append(w)
                break
        else:
            if len(found) < k:
                found.append((ds, [w]))
    return [members for _, members in found]


_ABBREVIATED_END = re.compile(
    r"(?:(?<![.\w])[A-HJ-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Sir|Capt|Col|Lt|Gen|Rev|Prof|Messrs|Mt|Ld|Jno|Wm|Geo|Thos))[.…]$")
_TITLE_BEFORE = re.compile(r"(?:(?<![.\w])[A-HJ-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Capt|Col|Lt|Gen|Rev|Prof|Messrs|Mt|Ld))\.\s*$")
_TERMINAL = tuple(".!?…\"'”’)]")


def cut_inside(bullet: str, sources: list[str]) -> bool:
    """Whether a digest bullet breaks off inside a sentence of its sources (module docstring)."""
    b = bullet.strip()
    if _ABBREVIATED_END.search(b):
        return True
    words = text.words(b)
    if not words:
        return False
    flat = [re.sub(r"[ \t]+", " ", s) for s in sources]
    if not b.endswith(_TERMINAL) and len(words) >= 3:
        tail = re.compile(r"\b" + r"\W+".join(map(re.escape, words[-3:])) + r"\b")
        ends = [not s[m.end():].lstrip(" ").startswith(tuple("abcdefghijklmnopqrstuvwxyz,;:-–—"))
                and not s[m.end():m.end() + 2].strip(" ")[:1].isalnum()
                for s in flat for m in tail.finditer(s)]
        if ends and not any(ends):
            return True
    head = re.compile(r"\b" + r"\W+".join(map(re.escape, words[:3])) + r"\b")
    for s in flat:
        for m in head.finditer(s):
            if _TITLE_BEFORE.search(s[max(0, m.start() - 12):m.start()]):
                return True
    return False


def _journal_from(path: Path | None, tmp: Path, n_days: int) -> Journal:
    journal = Journal.open(tmp / "coverage.db")
    if path is None:
        with journal.db.write():
            for s in sample_diary.generate(n_days):
                entries_mod.add(journal.db, s.body, day=s.day, title=s.title, tags=s.tags, mood=s.mood)
    else:
        from lucy_app.core.io import importer, jsonl

        importer.apply(journal.db, importer.plan(journal.db, jsonl.read(path)))
    return journal


def run(path: Path | None = None, *, n_days: int = 3650, quote_level: str = "year") -> dict:
    """Coverage of month/season/year digests of the diary at ``path`` (None: the generated
    ``n_days`` diary), bullets cut inside a sentence, and the ``quote_level`` digests."""
    with tempfile.TemporaryDirectory() as tmp:
        with _journal_from(path, Path(tmp), n_days) as journal:
            t0 = time.perf_counter()
            scheduler.run(journal.db, settings=journal.settings, today=FAR_FUTURE)
            seconds = time.perf_counter() - t0
            all_entries = entries_mod.list_entries(journal.db)
            with journal.db.read() as conn:
                digests = [Digest.from_row(r, hemisphere=journal.settings.hemisphere)
                           for r in digest_store.in_range(conn, None, "0001-01-01", "9999-12-31")]
    days: dict[date, set[str]] = defaultdict(set)
    bodies: dict[int, str] = {}
    for e in all_entries:
        days[e.day] |= words_of(f"{e.title or ''}\n{e.body}")
        bodies[e.id] = text.plain(e.body)
    all_days: dict[str, int] = defaultdict(int)
    for ws in days.values():
        for w in ws:
            all_days[w] += 1
    sorted_days = sorted(days)
    result: dict = {"entries": len(all_entries), "days": len(days), "digest_seconds": round(seconds, 2)}
    per_level: dict[str, list[float]] = {lv: [] for lv in LEVELS}
    details: dict[str, list] = {lv: [] for lv in LEVELS}
    cut, bullets = 0, 0
    cut_examples: list[str] = []
    for d in digests:
        for b in d.bullets:
            bullets += 1
            if cut_inside(b.text, [bodies[i] for i in b.entry_ids if i in bodies][:1]):
                cut += 1
                if len(cut_examples) < 50:
                    cut_examples.append(f"{d.level} {d.period.start}: {b.text}")
        if d.level not in LEVELS:
            continue
        period_days = [x for x in sorted_days if d.period.start <= x <= d.period.end]
        top = topics(days, period_days, all_days, len(days), TOPICS_PER_LEVEL[d.level])
        if not top:
            continue
        said = set().union(*(words_of(b.text) for b in d.bullets)) if d.bullets else set()
        hit = [t for t in top if said & set(t)]
        per_level[d.level].append(len(hit) / len(top))
        details[d.level].append({"period": d.period.label, "topics": top,
                                 "mentioned": [t[0] for t in hit]})
    result["coverage"] = {lv: round(statistics.mean(v), 3) for lv, v in per_level.items() if v}
    result["periods"] = {lv: len(v) for lv, v in per_level.items()}
    result["bullets"] = bullets
    result["bullets_cut_inside_sentence"] = cut
    result["what_changed"] = {lv: sum(1 for d in digests if d.level == lv and d.bullets
                                      and d.bullets[0].text.startswith(label + " — "))
                              for lv, label in extractive.WHAT_CHANGED.items()}
    result["cut_examples"] = cut_examples
    result["topics"] = details
    result[f"{quote_level}_digests"] = {d.period.label: [b.text for b in d.bullets]
                                        for d in digests if d.level == quote_level}
    return result

