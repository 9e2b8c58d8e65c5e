"""Plain-text helpers shared by indexing, digests and answers: sentences, words, Markdown.

Every function keeps character offsets into the original text, so a sentence or passage
found later can be shown in place (drill-down scrolls to it).

Sentences
---------
:func:`sentences` is a rule-based segmenter in the manner of the "golden rules" of sentence
boundary disambiguation (Kiss & Strunk's Punkt, pySBD), linear in the text and exact about
offsets. A full stop, ``!``, ``?`` or an ellipsis (with any closing quotes or brackets after
it) ends a sentence when a space and a sentence-like start follow, except

- after titles and name abbreviations (Mr., Mrs., Dr., St., Sir W., Capt., Jno., Geo. …), a
  single initial ("G. Monk", "J. R. R. Tolkien") and words that always go on (e.g., i.e.,
  viz., cf., vs., No. 5, p. 34);
- after abbreviations that may or may not end a sentence (etc., &c., a.m., U.S., Jan., Esq.)
  unless the next word is one that starts sentences (The, I, We, Then, But …);
- inside a short quotation ("I am tired. Let us go," he said): a quotation closes first,
  so ``He said, "Go home." Then we left.`` is two sentences with the quote kept whole;
- before a lower-case word, unless the writer habitually starts sentences in lower case.

A blank line always ends a sentence. A single line break does too (lists, chat turns,
verse), unless it only wraps prose: the line does not end in punctuation and the next one
goes on in lower case, or the line is long and the next one is not a list item, heading or
``Speaker:`` turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


# --- sentences ------------------------------------------------------------------------

#: Titles and name abbreviations (capitalised): a name always follows, never a sentence end.
_TITLES = frozenset("""mr mrs ms messrs mme mlle mmes dr drs prof profs rev revd hon st sts ste capt cpt
    col gen lt sgt cpl maj adm cmdr comdr gov pres supt insp fr mgr msgr ld bp abp bart mt pte
    wm chas jas geo thos jno robt edw benj saml danl richd nathl jos eliz margt""".split())
#: Abbreviations that always go on (any case).
_GOES_ON = frozenset("e.g i.e eg ie viz cf vs approx ca incl esp resp ibid".split())
#: Abbreviations that go on when a number follows ("No. 5", "p. 34", "vol. 2").
_BEFORE_NUMBER = frozenset("no nos vol vols p pp fig figs ch chap art sec para ed op n nr".split())
#: Abbreviations that may end a sentence: they do when a sentence-starting word follows.
#: (Dotted ones, "a.m.", "U.S.", count too; words such as "in", "sat" or "am" are not here.)
_MAYBE_END = frozenset("""etc &c esq jr sr inc ltd corp bros jan feb apr jun jul aug sep sept oct nov dec
    mon tue tues thu thur thurs fri lb lbs oz yd yds hr hrs mins secs ft al""".split())
#: Words that start sentences: after an ambiguous abbreviation they mean a new sentence.
_STARTERS = frozenset("""The A An I I'm I've I'd I'll We He She It They You This That These Those There
    Then But And So After Before In On At My Our His Her Their Its Today Yesterday Tomorrow
    Tonight When While What Why How Later Now Also Not No Yes If As One All Some Nothing Everything
    Afterwards Still Yet Here Up Home Thence Next Finally However Meanwhile Once Soon""".split())
_STOP = re.compile(r"(?:\.\.\.+|[.!?…]+)[\"'”’»)\]]*(?=\s|$)")
_LINE_BREAKS = re.compile(r"[ \t\r\f\v]*\n\s*")
_TOKEN_BEFORE = re.compile(r"[\w&][\w.&'’]*$")
_NEXT_WORD = re.compile(r"\s*([\"'“‘(\[«]*)([\w&][\w'’]*)?")
_LIST_OR_TURN = re.compile(r"(?:[-*•+>#]+\s|\d{1,3}[.)]\s|[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}:\s)")
_QUOTES = re.compile(r"[\"“”]")
_AFTER_STOP = re.compile(r"([^\W\d_]+)[.!?]\s+([A-Za-z])")
#: A quotation longer than this (in characters) is long enough to hold sentences of its own.
_SHORT_QUOTE_CHARS = 200
#: Prose lines at least this long that end without punctuation are taken to be wrapped.
_WRAPPED_LINE_CHARS = 50


def sentences(text: str) -> list[Span]:
    """Sentences (and lines that stand alone) of ``text`` with their offsets; blank ones skipped.

    Linear in the length of ``text``; a span's ``text`` is ``text[start:end]``.
    """
    lower_style = _writes_lower_case(text)
    events = sorted([(m.start(), m.end(), False) for m in _STOP.finditer(text)]
                    + [(m.start(), m.end(), True) for m in _LINE_BREAKS.finditer(text)])
    out: list[Span] = []
    pos = 0
    quote_open_at = -1          # where the double quotation we are inside opened, or -1
    scanned = 0                 # quotes are counted up to here
    for a, b, is_break in events:
        if a < scanned:
            continue  # a stop's trailing space overlapping a line break: already handled
        for q in _QUOTES.finditer(text, scanned, b):
            ch = q.group()
            if ch == "“" or (ch == '"' and quote_open_at < 0):
                quote_open_at = q.start()
            else:
                quote_open_at = -1
        scanned = b
        if is_break:
            if text.count("\n", a, b) >= 2:
                quote_open_at = -1
                _add(out, text, pos, a)
                pos = b
            elif _line_ends(text, a, b):
                _add(out, text, pos, a)
                pos = b
            continue
        rest = text[b:b + 40].lstrip(" \t")
        if not rest or rest[0] in "\r\n":
            continue  # the line break (or the end) decides
        if quote_open_at >= 0 and a - quote_open_at < _SHORT_QUOTE_CHARS:
            continue  # inside a short quotation
        if _ends_sentence(text, a, b, lower_style):
            _add(out, text, pos, b)
            pos = b
    _add(out, text, pos, len(text))
    return out


def _ends_sentence(text: str, a: int, b: int, lower_style: bool) -> bool:
    """Whether the stop text[a:b] (followed by a space) ends a sentence."""
    nxt = _NEXT_WORD.match(text, b)
    word = nxt.group(2) if nxt else None
    if not word:
        follower = text[nxt.end():nxt.end() + 1] if nxt else ""
        return not follower or follower in "-–—*•" or follower.isupper()
    first = word[0]
    punct = text[a:b]
    if punct[0] == "." and not punct.startswith("..."):
        m = _TOKEN_BEFORE.search(text, max(0, a - 40), a)
        token = m.group().lstrip("'’") if m else ""
        low = token.lower()
        if len(token) == 1 and token.isalpha() and token != "I":
            return False  # an initial: "Sir W. Pen", "G. Monk"
        if token[:1].isupper() and low in _TITLES:
            return False
        if low in _GOES_ON:
            return False
        if low in _BEFORE_NUMBER and first.isdigit():
            return False
        if any(ch.isdigit() for ch in token) and first.isdigit():
            return False  # "2s. 6d.", "1.5. 3"
        if low in _MAYBE_END or "." in token or "&" in token:
            return word in _STARTERS
    if first.isupper() or first.isdigit():
        return True
    if first.islower():
        return lower_style
    return False


def _line_ends(text: str, a: int, b: int) -> bool:
    """Whether a single line break (text[a:b]) ends what comes before it."""
    line = text[text.rfind("\n", 0, a) + 1:a].strip()
    if not line or _LIST_OR_TURN.match(text, b):
        return True
    last = line.rstrip("\"'”’»)]*_")[-1:]
    if not last or last in ".!?…:;":
        return True
    if text[b:b + 1].islower():
        return False  # the line wraps: "…met with\nthe others"
    if _LIST_OR_TURN.match(line):
        return True  # a list item or a turn stands alone
    return len(line) < _WRAPPED_LINE_CHARS


def _writes_lower_case(text: str) -> bool:
    """Whether the writer starts sentences in lower case ("went home. slept.")."""
    lower = upper = 0
    for m in _AFTER_STOP.finditer(text, 0, 20000):
        word = m.group(1).lower()
        if len(word) < 3 or word in _TITLES or word in _MAYBE_END or word in _BEFORE_NUMBER:
            continue  # an abbreviation says nothing about the writer's habits
        if m.group(2).islower():
            lower += 1
        else:
            upper += 1
    return lower >= 2 and lower > 2 * upper


def _add(out: list[Span], text: str, start: int, end: int) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if not stripped or not WORD.search(stripped):
        return
    lead = len(piece) - len(piece.lstrip())
    out.append(Span(start + lead, start + lead + len(stripped), stripped))


# --- words and Markdown ---------------------------------------------------------------


def words(text: str) -> list[str]:
    return WORD.findall(text)


def word_count(text: str) -> int:
    return len(WORD.findall(text))


_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
#: Block marks (headings, quotes, list bullets) only where a line starts: a dash inside a
#: sentence ("mental health - I'd love to") is the writer's punctuation.
_MD_MARKS = re.compile(r"^([ \t]*)[#>*+-]+[ \t]+|[*_`~]+", re.MULTILINE)


def plain(markdown: str) -> str:
    """Markdown reduced to readable text (images become their captions)."""
    text = _MD_IMAGE.sub(lambda m: m.group(1), markdown)
    text = _MD_LINK.sub(lambda m: m.group(1), text)
    return _MD_MARKS.sub(lambda m: m.group(1), text)


def trim_words(text: str, limit: int) -> str:
    """At most ``limit`` words of ``text``, cut at a word boundary with an ellipsis."""
    found = list(WORD.finditer(text))
    if len(found) <= limit:
        return text
    cut = found[limit - 1].end()
    return text[:cut].rstrip(" ,;:-") + "…"


#: Where a long sentence may be cut: after a comma, semicolon, colon or before a dash; failing
#: those, before a conjunction or relative word that opens a clause.
_CLAUSE_MARK = re.compile(r"(?<=[,;:])\s|\s(?=[—–]|-\s)")
_CLAUSE_WORD = re.compile(
    r"(?<=\w)\s(?=(?:and|but|which|who|whom|whose|where|when|while|because|though|although|so|yet|"
    r"until|after|before|if|since|for)\s)"
)
#: Words a cut must not end on (it would read as broken off).
_WEAK_END = frozenset("""a an the and or but of to in on at by for with from into upon my his her our
    their your its this that these those as than then so if when which who whom whose where while
    very more most no not is was are were be been being has have had do did i he she it we they you
    me him us them""".split())


def shorten(sentence: str, limit: int) -> str:
    """``sentence`` if it has at most ``limit`` words; else cut at its last clause boundary
    within the limit (or, failing one, at a word that can end a phrase) with an ellipsis.

    Never ends on an initial, a title or a function word ("…dined with Sir W.", "…to me Mr…").
    """
    found = list(WORD.finditer(sentence))
    if len(found) <= limit:
        return sentence
    limit_end = found[limit - 1].end()
    least = max(4, int(limit * 0.4))
    cut = None
    for pattern in (_CLAUSE_MARK, _CLAUSE_WORD):
        for m in pattern.finditer(sentence, 0, limit_end + 1):
            before = sentence[:m.start()].rstrip(" ,;:—–-")
            words_before = [w for w in found if w.end() <= len(before)]
            if len(words_before) >= least and can_end(words_before[-1].group()):
                cut = len(before)
        if cut is not None:
            break
    if cut is None:
        k = limit - 1
        while k >= least and not can_end(found[k].group()):
            k -= 1
        cut = found[k].end()
    return sentence[:cut].rstrip(" ,;:—–-(\"'“‘") + "…"


def can_end(word: str) -> bool:
    """Whether a phrase may end on ``word`` (not a function word, an initial or a title)."""
    low = word.lower()
    if low in _WEAK_END or (len(word) == 1 and word != "I"):
        return False
    return not (word[:1].isupper() and low in _TITLES)


def stem(word: str) -> str:
    """A crude stem so that bake, baked, bakes and baking meet (for matching question words
    and highlighting; the full-text index has its own Porter stemmer)."""
    w = word.lower()
    for suffix in ("ing", "ed", "es", "s", "e"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            return w[: -len(suffix)]
    return w
