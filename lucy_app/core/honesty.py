"""The gate on everything a model writes: a sentence is shown only when the entry it cites says it.

Digest bullets and answer sentences pass through :class:`Gate` whatever model wrote them.
A sentence is kept when its citation points at an entry (or entries) that contains its
support:

- every **name** in it (a capitalised word that is not the first of the sentence, "I", a
  month or a weekday) appears in the cited text — "under Mum's goal" where the entry says
  "my goal" is an invented name;
- every **number** appears there (number words count as digits: "two" is 2);
- every **date** it names is the entry's own day or a day the entry speaks of ("yesterday",
  "last year" and explicit dates, read relative to the entry's day);
- most of its **content words** (:data:`SUPPORT_MIN`) are in the cited text, compared as
  lemmas (ran → run, kids → kid).

When the cited entry fails and another of the sources passes, the citation is re-pointed
there (a model that cites one entry back). A sentence no source supports is rejected, and
so is degenerate output: a date with nothing else ("Sun 8 Nov 2026:"), repeated phrases
("14 Sep 2026: 14 Sep 2026: …"), the instructions copied back, or a sentence cut off by
the token limit. With a range (an answer about "last spring"), a citation outside it is
re-pointed inside or the sentence is rejected: it is never shown. (An entry is inside the
range when it was written in it, or speaks of a day in it: "last month I…" written later.)

What happens to a rejected sentence is the caller's choice: a digest bullet is replaced by
the extractive bullet for the same period, an answer falls back to the quoted answer.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from lucy_app.core import fts_query, temporal, text

#: Share of a sentence's content words (lemmas) the cited text must contain.
SUPPORT_MIN = 0.6

#: Words a model adds around a claim that are not themselves claims.
FRAME_WORDS = frozenset(
    """diary journal entry entries note notes wrote write writes written mention mentions mentioned
    also really lot lots thing things something anything day days today time times said says say
    told tell shared share shares talked talk talks discussed discuss about just quite very
    well much many some""".split()
)

_MONTHS = {m.lower() for m in ("January February March April May June July August September October "
                               "November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec").split()}
_WEEKDAYS = {d.lower() for d in ("Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
                                 "Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun").split()}
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                      "eighty": "80", "ninety": "90", "hundred": "100", "thousand": "1000",
                      "once": "1", "twice": "2", "first": "1", "second": "2", "third": "3"})
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

#: Past tenses and plurals that a suffix rule gets wrong (ran and run must meet).
_IRREGULAR = dict(pair.split(":") for pair in """
ran:run ate:eat bought:buy brought:bring came:come did:do drank:drink drove:drive felt:feel
found:find flew:fly forgot:forget gave:give got:get gotten:get went:go gone:go grew:grow had:have
heard:hear held:hold kept:keep knew:know known:know laid:lay led:lead left:leave lent:lend lost:lose
made:make meant:mean met:meet paid:pay put:put read:read rode:ride rang:ring rose:rise said:say
sat:sit saw:see seen:see sold:sell sent:send shot:shoot shut:shut sang:sing sank:sink slept:sleep
spoke:speak spent:spend stood:stand stole:steal swam:swim swum:swim took:take taken:take taught:teach
tore:tear told:tell thought:think threw:throw understood:understand woke:wake wore:wear won:win
wrote:write written:write began:begin begun:begin broke:break broken:break built:build burnt:burn
caught:catch chose:choose chosen:choose dealt:deal dug:dig drew:draw drawn:draw dreamt:dream
fed:feed fell:fall fallen:fall fought:fight froze:freeze hid:hide hung:hang hurt:hurt learnt:learn
lit:light overslept:oversleep sought:seek shook:shake shone:shine sprang:spring struck:strike
swept:sweep swung:swing wept:weep wound:wind children:child kids:kid men:man women:woman
people:person feet:foot teeth:tooth mice:mouse geese:goose wives:wife lives:life knives:knife
leaves:leaf halves:half parties:party cities:city stories:story families:family babies:baby
""".split())


def lemma(word: str) -> str:
    """A word reduced so that its forms meet: ran/run/running, kids/kid, baked/bake."""
    w = word.lower().replace("’", "'")
    w = re.sub(r"'s$", "", w)
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if w.endswith(("ies", "ied")) and len(w) > 4:
        return w[:-3] + "y"  # stories → story, buried → bury
    stemmed = text.stem(w)
    if len(stemmed) >= 4 and stemmed[-1] == stemmed[-2] and stemmed[-1] not in "lsz":
        stemmed = stemmed[:-1]  # running → runn → run
    return stemmed


def _content(word: str) -> bool:
    w = word.lower()
    return (len(w) > 2 and w not in fts_query.STOPWORDS and w not in FRAME_WORDS and not w.isdigit()
            and w not in _MONTHS and w not in _WEEKDAYS)


def content_lemmas(sentence: str) -> set[str]:
    return {lemma(w) for w in text.words(sentence) if _content(w) and w.lower() not in _NUMBER_WORDS}


def numbers(sentence: str) -> set[str]:
    found = {n.replace(",", "") for n in _NUMBER.findall(sentence)}
    found |= {_NUMBER_WORDS[w.lower()] for w in text.words(sentence) if w.lower() in _NUMBER_WORDS}
    return found


def names(sentence: str) -> list[str]:
    """Capitalised words that are names (not the sentence's first word, not "I", months or
    weekdays, not a stop word written with a capital)."""
    out = []
    for i, m in enumerate(text.WORD.finditer(sentence)):
        w = m.group()
        if not w[:1].isupper() or w == "I" or w.startswith("I'"):
            continue
        low = re.sub(r"['’]s$", "", w.lower())
        if low in _MONTHS or low in _WEEKDAYS or low in fts_query.STOPWORDS or low in FRAME_WORDS:
            continue
        before = sentence[: m.start()].rstrip()
        if i == 0 or before.endswith((".", "!", "?", ":", "\"", "“", "(", "-", "–", "—")):
            continue  # a sentence's (or a quote's) first word
        out.append(low)
    return out


# --- what an entry can support ----------------------------------------------------------------


@dataclass
class Evidence:
    """An entry as the gate reads it: its day and text, digested for matching."""

    entry_id: int
    day: date
    text: str

    @cached_property
    def lemmas(self) -> set[str]:
        return {lemma(w) for w in text.words(self.text)}

    @cached_property
    def words(self) -> set[str]:
        return {re.sub(r"['’]s$", "", w.lower()) for w in text.words(self.text)}

    @cached_property
    def numbers(self) -> set[str]:
        return numbers(self.text)

    @cached_property
    def spans(self) -> list[tuple[date, date]]:
        """The entry's day and every day its sentences name, read relative to that day."""
        out = [(self.day, self.day)]
        for s in text.sentences(self.text):
            try:
                r = temporal.parse_range(s.text, self.day)
            except Exception:  # noqa: BLE001 - a sentence the parser cannot read names no day
                r = None
            if r is not None:
                out.append((r.start, r.end))
        return out


def evidence_of(entry) -> Evidence:
    """An entry as the gate reads it: its title and its body as plain text."""
    return Evidence(entry.id, entry.day, f"{entry.title + '. ' if entry.title else ''}{text.plain(entry.body)}")


def about_range(ev: Evidence, start: date, end: date, *, strict: bool = False) -> bool:
    """Is the entry of the range: written in it, or (unless ``strict``: a question about
    the period itself) speaking of a day in it ("last month I went to…", written later)?"""
    if start <= ev.day <= end:
        return True
    return not strict and any(s <= end and start <= e for s, e in ev.spans[1:])


def joined(evidence: Sequence[Evidence]) -> Evidence:
    """Several cited entries read as one (a sentence may combine two days)."""
    if len(evidence) == 1:
        return evidence[0]
    merged = Evidence(evidence[0].entry_id, evidence[0].day, "\n".join(e.text for e in evidence))
    merged.__dict__["spans"] = [s for e in evidence for s in e.spans]
    return merged


# --- checking one sentence -------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    text: str
    entry_ids: tuple[int, ...]
    ok: bool
    reason: str | None = None       # why it was rejected
    repointed: bool = False         # the citation was moved to the entry that supports it
    coverage: float = 0.0           # share of content words found in the cited text


@dataclass
class Support:
    ok: bool
    coverage: float
    problem: str | None = None


def _date_phrases(sentence: str, day: date) -> list[tuple[str, date, date]]:
    """Explicit dates in a sentence ("14 Sep", "October 2026", "last year"), with their ranges."""
    found = []
    rest = sentence
    for _ in range(4):  # a sentence names a few dates at most
        try:
            r = temporal.parse_range(rest, day)
        except Exception:  # noqa: BLE001
            r = None
        if r is None or not r.phrase:
            break
        found.append((r.phrase, r.start, r.end))
        rest = rest.replace(r.phrase, " ", 1)
    return found


def support(sentence: str, ev: Evidence, *, min_share: float = SUPPORT_MIN, today: date | None = None) -> Support:
    """Does ``ev`` say ``sentence``? Names, numbers and dates must all be there, and at least
    ``min_share`` of its content words. A relative date in the sentence ("last spring",
    "yesterday") may be meant from the entry's day or from ``today`` (when the sentence was
    written): either reading will do."""
    missing = [n for n in names(sentence) if n not in ev.words]
    if missing:
        return Support(False, 0.0, f"names not in the entry: {', '.join(sorted(set(missing)))}")
    rest = sentence
    readings = {phrase: [(s, e)] for phrase, s, e in _date_phrases(sentence, ev.day)}
    if today is not None:
        for phrase, s, e in _date_phrases(sentence, today):
            readings.setdefault(phrase, []).append((s, e))
    for phrase, ranges in readings.items():
        if not any(s <= end and start <= e and _as_precise(s, e, start, end)
                   for start, end in ranges for s, e in ev.spans):
            return Support(False, 0.0, f"a date the entry does not speak of: {phrase}")
        rest = rest.replace(phrase, " ")
    odd = numbers(rest) - ev.numbers
    if odd:
        return Support(False, 0.0, f"numbers not in the entry: {', '.join(sorted(odd))}")
    words = content_lemmas(rest)
    if not words:
        return Support(False, 0.0, "nothing but a date")  # (degenerate() says so first)
    coverage = len(words & ev.lemmas) / len(words)
    if coverage < min_share:
        return Support(False, coverage, f"only {coverage:.0%} of its words are in the entry")
    return Support(True, coverage)


def _as_precise(s: date, e: date, start: date, end: date) -> bool:
    """Does the entry's span (s, e) name a time about as precisely as the sentence's (start,
    end)? "The past two months" does not make "on 25 October" true; "yesterday" does."""
    return (e - s).days + 1 <= max(7, 3 * ((end - start).days + 1))


_REPEAT_MIN = 3  # words in a phrase that must not come twice in one sentence


def without_dates(sentence: str, day: date) -> str:
    out = sentence
    for phrase, _s, _e in _date_phrases(sentence, day):
        out = out.replace(phrase, " ")
    return out


def degenerate(sentence: str, instructions: str = "", *, cut_off: bool = False,
               day: date | None = None) -> str | None:
    """Why ``sentence`` is not a sentence worth checking, or None. ``cut_off``: the output
    ended here without finishing its sentence (the token limit)."""
    ws = [w.lower() for w in text.words(sentence)]
    if len(ws) < 3:
        return "too short to say anything"
    if not content_lemmas(without_dates(sentence, day or date(2000, 1, 1))):
        return "nothing but a date"
    grams = [tuple(ws[i:i + _REPEAT_MIN]) for i in range(len(ws) - _REPEAT_MIN + 1)]
    if len(grams) != len(set(grams)):
        return "repeats itself"
    if instructions:
        own = [tuple(ws[i:i + 4]) for i in range(len(ws) - 3)]
        told = _four_grams(instructions)
        if own and sum(g in told for g in own) / len(own) >= 0.5:
            return "copies the instructions"
    if cut_off:
        return "cut off"
    return None


@functools.lru_cache(maxsize=8)
def _four_grams(instructions: str) -> frozenset[tuple[str, ...]]:
    """The prompt's word 4-grams (once per prompt, not once per sentence checked)."""
    ws = [w.lower() for w in text.words(instructions)]
    return frozenset(tuple(ws[i:i + 4]) for i in range(len(ws) - 3))


def ends_cleanly(output: str) -> bool:
    """Did the model finish its last sentence (or was it stopped by the token limit)?"""
    return bool(re.search(r"[.!?…)\]\"'”’]\s*$", output.strip())) or not output.strip()


class Gate:
    """Checks sentences against the entries a writer was given (``evidence``).

    ``within``: the question's range (start, end): nothing outside it is ever cited.
    ``instructions``: the prompt's own words (not the sources), to catch them copied back.
    """

    def __init__(self, evidence: Iterable[Evidence], *, within: tuple[date, date] | None = None,
                 instructions: str = "", today: date | None = None, strict: bool = False):
        self.evidence = {e.entry_id: e for e in evidence}
        self.within = within
        self.strict = strict
        self.instructions = instructions
        self.today = today

    def _in_range(self, eid: int) -> bool:
        return self.within is None or about_range(self.evidence[eid], *self.within, strict=self.strict)

    def check(self, sentence: str, cited: Sequence[int], *, cut_off: bool = False) -> Verdict:
        sentence = " ".join(sentence.split())
        why = degenerate(sentence, self.instructions, cut_off=cut_off)
        if why:
            return Verdict(sentence, tuple(cited), False, f"degenerate: {why}")
        cited = tuple(dict.fromkeys(i for i in cited if i in self.evidence and self._in_range(i)))
        if cited:
            got = support(sentence, joined([self.evidence[i] for i in cited]), today=self.today)
            if got.ok:
                return Verdict(sentence, cited, True, coverage=got.coverage)
            problem = got.problem
        else:
            problem = "no citation to an entry it was given" + (" in the range" if self.within else "")
        best: tuple[float, int] | None = None
        for eid, ev in self.evidence.items():
            if eid in cited or not self._in_range(eid):
                continue
            got = support(sentence, ev, today=self.today)
            if got.ok and (best is None or got.coverage > best[0]):
                best = (got.coverage, eid)
        if best is not None:
            return Verdict(sentence, (best[1],), True, repointed=True, coverage=best[0])
        return Verdict(sentence, cited, False, f"unsupported: {problem}")

    def check_all(self, sentences: Sequence[tuple[str, Sequence[int]]], *, output: str = "") -> list[Verdict]:
        """Each sentence checked; the last one is rejected when ``output`` (the model's whole
        text) stopped in the middle of it."""
        cut = bool(output) and not ends_cleanly(output)
        tail = [w.lower() for w in text.words(output)[-3:]]
        return [self.check(s, ids, cut_off=cut and i == len(sentences) - 1
                           and [w.lower() for w in text.words(s)[-3:]] == tail)  # the output stops inside it
                for i, (s, ids) in enumerate(sentences)]
