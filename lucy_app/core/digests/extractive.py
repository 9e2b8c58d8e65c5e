"""The extractive digest writer: deterministic, fast, no model.

Every bullet is a sentence of the diary: whole, or without a trailing clause that only
comments on it ("…last Saturday – it was rewarding"), or a long one trimmed at a clause
with an ellipsis, so a digest never breaks off at "Sir W." or "Mr.". What goes in is chosen
by *salience across the period*, not by rare words:

- **Days** are written from their entries. A sentence counts when it shares what the day's
  writing keeps coming back to (its words recur in the day's other sentences and in the
  entry's title), carries specific words (weighted by inverse document frequency, capped so
  a word seen once in the diary cannot win alone), and says what happened, to whom, where,
  when and how it felt (a verb, names, "last Friday", feelings). A day's budget grows with
  the square root of what was written (a long day is told at more length, not in
  proportion), and its digest says as many different things as fit.
- **Parents** (week, month, season, year) are written from their children's bullets. A
  word weighs by how much of the period's writing is about it (each child bullet stands for
  its child's entries shared among its bullets), by how much one child dwelt on it (the
  largest share of a child's bullets that use it) and by how specific it is to the diary
  (inverse document frequency, capped, and nothing for everyday words). The week of a fire
  fills many day bullets, so it leads the month; the month gives it several bullets, so the
  season and the year see it too. A bullet's gain is its topic (its best words), not the sum
  of all its words; life events (married, died, moved, a new job …) count a little more,
  and so does what a child digest put first.
- **What changed**: a week or a month may open with one topic that recurs in it and was
  absent from the period before ("New this month — piano: Started piano lessons …"),
  citing the entries it comes from (:func:`what_changed`; the scheduler passes the entries
  of both periods).
- **Demoted**: lines mostly not in the journal's main language (few of its common words),
  bare lists of names, fragments without a verb, questions, remarks to "you", lines that
  lean on the one before ("It was …", "That's …"), exhortations ("Let's …"), lines that
  only introduce what follows ("…and said:").
- **Conversations** (entries of ``Speaker: text`` lines) are reported in the third person:
  "Caroline: Last week I went to a support group" becomes "Last week Caroline went to a
  support group" (the speaker named where they first speak of themselves, "they" after
  that), without the talk around it: greetings, interjections, the names they call each
  other, replies ("That's great, …"), intensifiers, laughter. Picks spread over the speakers.

Choosing is greedy coverage (each pick discounts the words it covered, so the next is
about something else), spread over the period (sources and sub-periods already used count
less) and within the word budget. Day digests keep the order of the day; parents put the
most salient first (the briefing reads the first bullets). A parent bullet cites its own
entries, then the other entries of the period where its topic recurs (at most
:data:`MAX_CITES`), so drill-down reaches them and the next level up can see how far it
reached. Embeddings are not used: digests are written before the index has run, and
word, name and day recurrence already carry the period's topics.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from lucy_app.core import fts_query, text
from lucy_app.core.digests.model import BUDGET_WORDS, Bullet

NAME = "extractive"
PROMPT_VERSION = "extractive-3"
MAX_SENTENCE_WORDS = 32
#: Sentences of one entry considered at most (choosing is quadratic in the candidates).
MAX_CANDIDATES_PER_ENTRY = 400
#: Citations of one parent bullet at most: its own entries first, then where its topic recurs.
MAX_CITES = 6
#: Inverse document frequency is capped here (a word in one entry of 3,000 is not 8 times
#: more telling than one in every tenth entry).
IDF_CAP = 4.0
#: For parents: a word rarer than about one entry in twenty is as specific as can be …
PARENT_IDF_CAP = 3.0
#: … and one in more than about a third of the entries is everyday language, not a topic.
EVERYDAY_IDF = 1.0
_SPEAKER = re.compile(r"^([A-Z][\w .'’-]{0,30}):\s+")


@dataclass(frozen=True)
class Candidate:
    """A sentence (or a child digest's bullet) that may go into a digest."""
    text: str
    entry_ids: tuple[int, ...]
    order: tuple  # where it came from, to keep time order
    source: int   # which entry / child digest it belongs to
    speaker: str | None = None
    speakers: frozenset = frozenset()  # everyone who speaks in the transcript (not a topic)
    rank: int = 0  # its place in the child digest (parents' bullets come most salient first)
    mass: float = 1.0  # how much of the diary it stands for: its child's entries / its bullets
    title: str = ""  # the entry's title (days)


class Idf:
    """Inverse document frequency of words over the journal, cached per run."""

    def __init__(self, n_docs: int, doc_count):
        self.n = max(n_docs, 1)
        self._count = doc_count
        self._cache: dict[str, float] = {}
        self._df: dict[str, int] = {}
        self.memo: dict = {}  # what the writer derives from these counts, kept for the run

    def __call__(self, word: str) -> float:
        w = word.lower()
        if w not in self._cache:
            self._cache[w] = math.log((self.n + 1) / (self.df(w) + 0.5))
        return self._cache[w]

    def df(self, word: str) -> int:
        """In how many of the journal's entries ``word`` is."""
        w = word.lower()
        if w not in self._df:
            self._df[w] = self._count(w)
        return self._df[w]


# --- candidates -------------------------------------------------------------------------


def entry_candidates(entries: list) -> list[Candidate]:
    """The sentences of a day's entries, speaker names kept on chat lines."""
    out = []
    for e_index, e in enumerate(entries):
        body = text.plain(e.body)
        speaker_at = _speakers(body)
        found = text.sentences(body)
        if len(found) > MAX_CANDIDATES_PER_ENTRY:  # a book-length entry: an even sample of it
            step = len(found) / MAX_CANDIDATES_PER_ENTRY
            found = [found[int(i * step)] for i in range(MAX_CANDIDATES_PER_ENTRY)]
        title = getattr(e, "title", None) or ""
        names = frozenset(part.lower() for _, name in speaker_at for part in name.split())
        for s_index, s in enumerate(found):
            speaker = _speaker_at(speaker_at, s.start)
            for form in sentence_forms(" ".join(s.text.split()).lstrip("-*• ").strip(), speaker, names):
                out.append(Candidate(form, (e.id,), (e.day, e_index, s_index), e.id,
                                     speaker=speaker, speakers=names, title=title))
    return out


def sentence_forms(sentence: str, speaker: str | None = None, names: frozenset = frozenset()) -> list[str]:
    """What a sentence may say in a digest: itself (see :func:`compress`), then itself
    without a trailing clause that only comments on it or adds an aside ("…last Saturday –
    it was rewarding", "…, which is exciting"), when what is left still says something
    whole. The writer chooses at most one form of a sentence."""
    body = _tidy(sentence, speaker, names)
    if not body:
        return []
    said = (lambda b: reported(speaker, b)) if speaker else (lambda b: b)
    return [said(body), *(said(h) for h in _heads(body, said))]


def _speaker_at(speaker_at: list[tuple[int, str]], pos: int) -> str | None:
    found = None
    for start, name in speaker_at:
        if start > pos:
            break
        found = name
    return found


_ASIDE = re.compile(r"\s*\[[^\]]*\]|\s*\([^)]*\)")
#: Interjections: never the start of what a sentence says.
_INTERJECTION = (r"(?:hey|hi|hello) there|oh+|ah+|aw+|wow+|woah|whoa|hey+|hi|hiya|hello|oof|ugh|yikes|yeah|yea|"
                 r"yep|yup|nah|ok|okay|haha\w*|hah|hehe\w*|lol|omg|hmm+|um+|uh+|gosh|yay|ooh+|btw|phew|whew|geez|jeez")
#: Words that open a remark when punctuation follows them ("Well, …", "Thanks! …", "So, …"),
#: but start a sentence of their own otherwise ("No one came", "Well done", "So many came").
_REMARK = (r"no|nope|well|so|yes|thanks(?: a lot| so much)?|thank you(?: so much)?|cool|great|awesome|sure|"
           r"right|anyway|anyways|by the way|also|plus|honestly|actually|man|dude|nice|amazing|totally|"
           r"absolutely|definitely|congrats|congratulations|oh my (?:god|gosh)|indeed|alright|all right")
_OPENER = re.compile(
    rf"^(?:(?:{_INTERJECTION})\b[\s,!.…—–-]*|(?:{_REMARK})\s*[,!.…—–-]+\s*)+", re.IGNORECASE)


def compress(sentence: str, speaker: str | None = None, names: frozenset = frozenset()) -> str:
    """A sentence without asides in brackets or leading interjections; a speaker's words
    reported in the third person ("Caroline: I went …" → "Caroline went …"), without the
    names they call each other by ("Mel, guess what" → "Guess what"; ``names``: everyone who
    speaks, lower case) and the talk around what they say (intensifiers, laughter)."""
    body = _tidy(sentence, speaker, names)
    return (reported(speaker, body) if speaker else body) if body else ""


def _tidy(sentence: str, speaker: str | None, names: frozenset) -> str:
    body = _SPEAKER.sub("", sentence, count=1) if speaker and sentence.startswith(speaker + ":") else sentence
    body = _ASIDE.sub("", body).strip()
    body = _OPENER.sub("", body).strip()
    if speaker:
        for _ in range(3):  # "And yup, Mel, …": each opener uncovers the next
            opened = _TALK_OPENER.sub("", _OPENER.sub("", _vocatives(body, names)).strip()).strip()
            if opened == body:
                break
            body = opened
        body = _SO.sub(r"\1 ", _FILLER.sub("", body)).strip()
    if not body or not text.WORD.search(body) or _ONLY_A_NAME.match(body):
        return ""
    return body[0].upper() + body[1:]


_ONLY_A_NAME = re.compile(r"^[A-Z][a-z]+[\s.!?…,]*$")  # "Mel!" once "Hey" is gone


#: Where a trailing clause may start: after a comma, semicolon or dash.
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;]|\s[—–-]|[—–])\s*")
#: A trailing clause is left out only when it comments on what came before ("it was great",
#: "which is exciting", "so much fun", "making it safer"): never one that qualifies it
#: ("but not …", "unless …", "if …", "because …") or continues a list ("…, and eggs").
_COMMENT = re.compile(
    r"(?:which|who|it|it's|it’s|that|that's|that’s|this|this's|so|such|and (?:it|that|this|so|such)|"
    r"what a|how|[a-z]+ing)\b", re.IGNORECASE)
_MAY_BREAK = re.compile(r"[,;—–]|\s-")
_TERMINAL = re.compile(r"[.!…]+[\"'”’)]*$")


def _heads(body: str, said=lambda b: b) -> list[str]:
    """``body`` without its last one or two commenting clauses (see :func:`sentence_forms`);
    ``said`` gives what the head says as a bullet (it must have a verb)."""
    if body.rstrip().endswith("?") or not _MAY_BREAK.search(body):
        return []
    end = _TERMINAL.search(body)
    stop = "."  # the exclamation, if any, was the comment's
    core = body[:end.start()] if end else body
    out = []
    breaks = [m for m in _CLAUSE_BREAK.finditer(core) if m.start() > 0]
    for m in reversed(breaks[-2:]):
        tail = core[m.end():]
        if not _COMMENT.match(tail):
            break
        head = core[:m.start()].rstrip()
        words = text.words(head)
        if len(words) < 4 or not text.can_end(words[-1]) or not _has_verb([w.lower() for w in text.words(said(head))]):
            break
        out.append(head + stop)
        core = head
    return out


#: What one says of what the other said.
_APPRAISAL = (r"great|awesome|amazing|cool|nice|wonderful|fantastic|good|sweet|fun|exciting|interesting|impressive|"
              r"incredible|tough|hard|rough|lovely|beautiful|brilliant|perfect|crazy|wild|insane|scary|sad|terrible|"
              r"awful|neat|fabulous|inspiring|cute|adorable|hilarious|funny|intense|special|touching|rewarding")
#: How a turn in a conversation opens, saying nothing yet: "So …", "And …", "Since we last
#: talked, …", "Guess what, …".
_TALK_OPENER = re.compile(
    r"^(?:(?:so|and|but|also|plus|anyway|anyways|well|oh)\s+(?=\w)|since (?:we|I) last (?:talked|chatted|spoke|caught up|"
    r"saw you|met)\s*,?\s*|guess what\s*[,!.?]*\s*|to be honest\s*,?\s*"
    r"|(?:a lot|lots|so much|much|loads)(?:['’]s| has) (?:changed|happened|been going on)"
    r"(?: since (?:we last (?:talked|chatted|spoke)|last time|then))?\s*[-—–,.!:]*\s*"
    # a reply to what the other said, before what this one says: "That's great, …", "Sorry to hear that, …"
    r"|(?:that(?:'s|’s| is| was| sounds| looks| must be)|sounds|looks|what an?|how) (?:so |really |super |pretty )?"
    rf"(?:{_APPRAISAL})(?: news| idea| time| experience)?\s*[,!—–-]+\s*(?=\w)"
    r"|(?:(?:I'm|I’m|I am|so) )?(?:sorry|glad|happy|good|nice|great) to hear(?: that| about that| it)?\s*[,!.—–-]+\s*(?=\w)"
    r"|(?:thanks|thank you) for (?:asking|sharing|listening|the support|the kind words)\s*[,!.—–-]+\s*(?=\w)"
    r"|(?:good for you|congrats|congratulations|me too|same here|I agree|I hear you|I feel you|I get it|for sure|"
    r"no worries|no problem|of course|totally|exactly)\s*[,!.—–-]+\s*(?=\w))+", re.IGNORECASE)
#: Talk that says nothing of what happened: intensifiers, laughter, emoticons.
_FILLER = re.compile(
    r"(?<!\w)(?:really|super|totally|definitely|actually|literally|basically|honestly|truly)\s+"
    r"|,?\s*\b(?:you know|ya know|I mean|like I said|as I said)\b,?(?=\s|[.!?…]|$)"
    r"|\s*\b(?:haha\w*|hehe\w*|lol)\b|\s*[:;]-?[()DPp]\B", re.IGNORECASE)
#: "so" as an intensifier after a linking verb: "it was so powerful" → "it was powerful".
_SO = re.compile(r"\b(is|was|are|were|am|be|been|feel|felt|feels|looks|look|seems|seemed|get|got|\w+['’](?:s|re|m))"
                 r"\s+so\s+(?=\w)", re.IGNORECASE)
_VOCATIVE_START = re.compile(r"^([A-Z][a-z]+)[,!]\s+(?=\w)")
_VOCATIVE_END = re.compile(r",\s+([A-Z][a-z]+)\s*([.!?…]*)$")


def _vocatives(body: str, names: frozenset) -> str:
    """Without a speaker's name (or its short form, "Mel" for Melanie) used to address them."""
    def called(word: str) -> bool:
        low = word.lower()
        return any(n == low or (len(low) >= 3 and n.startswith(low)) for n in names)
    m = _VOCATIVE_START.match(body)
    if m and called(m.group(1)):
        body = body[m.end():]
    m = _VOCATIVE_END.search(body)
    if m and called(m.group(1)):
        body = body[:m.start()] + (m.group(2) or ".")
    return body.strip()


# Reported speech: what a speaker said about themselves, told in the third person (a digest
# of a conversation says who did what). English only; other languages are left as written.
_FIRST_PERSON = re.compile(
    r"(?<![-‐])(?<![Ll]et )\b(?:I'm|I’m|I've|I’ve|I'd|I’d|I'll|I’ll|I|me|my|mine|myself|we're|we’re|we've|we’ve|"
    r"we'd|we’d|we'll|we’ll|we|us|our|ours|ourselves|We're|We’re|We've|We’ve|We'd|We’d|We'll|We’ll|"
    r"We|Our|Us|My|Me|Mine|Myself)\b(?![-‐])"
)
_THIRD_PERSON = {
    "i'm": "they're", "i've": "they've", "i'd": "they'd", "i'll": "they'll", "i": "they", "me": "them",
    "my": "their", "mine": "theirs", "myself": "themselves", "we're": "they're", "we've": "they've",
    "we'd": "they'd", "we'll": "they'll", "we": "they", "us": "them", "our": "their", "ours": "theirs",
    "ourselves": "themselves",
}
_SINGULAR = frozenset("i i'm i've i'd i'll me my mine myself".split())
#: "I" as the subject, with its verb (and an adverb between): the verb agrees with who it is now.
_SUBJECT_I = re.compile(r"\bI(?:'|’)(?P<contr>m|ve|d|ll)\b|\bI (?P<adv>(?:\w+ly|just|also|still|always|never|ever|"
                        r"even|really|finally|recently|already|often|usually|only|too|first|once|then|now|soon|"
                        r"later|almost|sometimes|kinda|sorta|mostly|rarely|seldom) )?(?P<verb>[\w'’]+)\b")
_IRREGULAR_3RD = {"am": "is", "have": "has", "do": "does", "go": "goes", "was": "was", "were": "was",
                  "don't": "doesn't", "don’t": "doesn’t", "haven't": "hasn't", "haven’t": "hasn’t",
                  "ain't": "isn't"}
#: "they" takes the plural: "I am" → "they are", "I was" → "they were".
_PLURAL_VERB = {"am": "are", "was": "were", "wasn't": "weren't", "wasn’t": "weren’t"}
_NO_S = frozenset("""can could will would shall should may might must did didn't didn’t can't can’t
    couldn't couldn’t won't won’t wouldn't wouldn’t shouldn't shouldn’t had got""".split())


def reported(speaker: str, body: str) -> str:
    """``body`` said by ``speaker``, in the third person.

    The first time the speaker says I, me or my, their name stands there ("Last week I ran a
    race" → "Last week Caroline ran a race", "It made me think" → "It made Caroline
    think", the verb agreeing); other first-person words become they/them/their ("we" stays
    plural). A sentence where the speaker never names themselves keeps "Speaker: " before it.
    """
    told = _MY_X_AND_I.sub(lambda m: f"{speaker} and their {m.group(1) or m.group(2)}", body, count=1)
    told = _subject_dropped(speaker, told)
    named = told is not body  # the speaker's name already stands as the subject
    body = told
    found = list(_FIRST_PERSON.finditer(body))
    if not found:
        return body if named else f"{speaker}: {body}"
    first = None if named else next((m for m in found if m.group().lower().replace("’", "'") in _SINGULAR), None)
    out: list[str] = []
    pos = 0
    for m in found:
        if m.start() < pos:
            continue
        out.append(body[pos:m.start()])
        if m is first:
            piece, pos = _named(speaker, body, m)
        else:
            piece, pos = _they(body, m)
        out.append(piece)
    out.append(body[pos:])
    said = "".join(out)
    said = said[0].upper() + said[1:]
    return said if first is not None or named else f"{speaker}: {said}"


_DROPPED_SUBJECT = re.compile(r"^(?P<adv>(?:[A-Za-z]+ly|always|just|also|finally|still|never|ever|even|only) )?"
                              r"(?P<verb>[A-Za-z]+n['’]t|[A-Za-z]+)\b", re.IGNORECASE)
_LEADS_A_CLAUSE = {"been": "has been", "gonna": "is gonna", "gotta": "has to", "can't": "can't", "can’t": "can’t",
                   "cannot": "cannot", "couldn't": "couldn't", "couldn’t": "couldn’t", "won't": "won't",
                   "won’t": "won’t", "wanna": "wants to"}
#: "Glad it worked" is "I'm glad it worked".
_FEELING_LEAD = frozenset("""glad happy excited proud sorry thankful grateful thrilled stoked sad bummed
    nervous worried relieved pumped psyched""".split())


#: "My wife and I went" → "Caroline and their wife went" (the speaker named once).
_MY_X_AND_I = re.compile(r"\b(?:[Mm]y ((?:\w+ ){0,2}?\w+) (?:and|&) I|[Mm]e (?:and|&) my ((?:\w+ ){0,2}?\w+))\b(?!['’])")


def _subject_dropped(speaker: str, body: str) -> str:
    """Chat drops the "I": "Got back from a road trip yesterday" → "Caroline got back …",
    "Been busy" → "Caroline has been busy", "Can't wait" → "Caroline can't wait"."""
    m = _DROPPED_SUBJECT.match(body)
    if not m or body.rstrip().endswith("?"):
        return body  # a question drops "you": "Got any advice?"
    verb = m.group("verb")
    low = verb.lower()
    adv = (m.group("adv") or "").lower()
    rest = body[m.end():]
    if low in _LEADS_A_CLAUSE:
        head = _LEADS_A_CLAUSE[low]
        if adv and " " in head:  # "Always been" → "has always been"
            aux, main = head.split(" ", 1)
            head = f"{aux} {adv}{main}"
        elif adv:
            head = adv + head
        return f"{speaker} {head}{rest}"
    if low in _FEELING_LEAD and not adv and rest[:1] == " ":
        return f"{speaker} is {low}{rest}"
    after = rest.split(None, 1)
    if after and after[0].lower().strip(",.!?") in ("me", "myself", "us"):
        return body  # "Made me think": what was dropped is "It", not "I"
    if _is_past(low) and low not in ("was", "were", "had", "did") and low not in _FUNCTION:
        return f"{speaker} {adv}{verb[0].lower() + verb[1:]}{rest}"
    return body


def _named(speaker: str, body: str, m: re.Match) -> tuple[str, int]:
    """The speaker's name where they first speak of themselves; (text, where the rest starts)."""
    low = m.group().lower().replace("’", "'")
    if low in ("my", "mine"):
        return speaker + "'s", m.end()
    if low in ("me", "myself"):
        return speaker, m.end()
    subject = _SUBJECT_I.match(body, m.start())
    if subject is None or (subject.group("verb") or "").lower() in _NOT_A_VERB:
        return speaker, m.end()
    contr = subject.group("contr")
    if contr:
        head = speaker + {"m": " is", "ve": " has", "d": " would", "ll": " will"}[contr]
        if contr == "d" and re.match(r"\s+(?:been|had|gone|done|seen|never)\b", body[subject.end():]):
            head = speaker + " had"
        return head, subject.end()
    return f"{speaker} {subject.group('adv') or ''}{_third_person_verb(subject.group('verb'))}", subject.end()


def _they(body: str, m: re.Match) -> tuple[str, int]:
    """they/them/their for a first-person word, "I am" becoming "they are"."""
    word = m.group()
    if word == "I":
        subject = _SUBJECT_I.match(body, m.start())
        if subject is not None and subject.group("verb"):
            verb = subject.group("verb")
            verb = _PLURAL_VERB.get(verb.lower(), verb)
            return f"they {subject.group('adv') or ''}{verb}", subject.end()
    return _swap(word), m.end()


def _swap(word: str) -> str:
    out = _THIRD_PERSON[word.lower().replace("’", "'")]
    if "’" in word:
        out = out.replace("'", "’")
    capital = word[0].isupper() and not word.lower().replace("’", "'").startswith(("i'", "i"))
    return out[0].upper() + out[1:] if capital else out


#: What may follow a subject "I" without being its verb ("I myself", "I too").
_NOT_A_VERB = frozenset("myself alone too and or both personally".split())
#: Past tenses that do not end in -ed (with re-, over-, under-, mis-, out-, with-, up-, for-).
_IRREGULAR_PAST = frozenset("""was were had did went came got made took gave saw said told knew thought felt found
    left met brought bought began ran sat stood ate drank wrote read heard kept lost won sent spent slept woke
    spoke became paid put let held fell lay died grew showed tried rode chose drove flew forgot froze hid hit
    hurt led lent lit meant quit rang rose sang sank set shook shot shut slid sold stole stuck swam swore
    taught tore threw understood wore wound built bent caught cost cut dealt dug dreamt fed fought fled forgave
    hung knelt laid leapt learnt sought shone spat split spread sprang strode struck strove swept swung
    thrust trod wept withdrew began bit blew bred broke burnt""".split())
_PAST_PREFIXES = ("re", "over", "under", "mis", "out", "with", "up", "for", "fore", "be")
#: -eed words that are past tenses (most, "need", "feed", "succeed", are not).
_EED_PAST = frozenset("agreed disagreed freed decreed guaranteed refereed".split())


def _is_past(low: str) -> bool:
    if low.endswith("eed"):
        return low in _EED_PAST
    if low.endswith("ed") or low in _IRREGULAR_PAST:
        return True
    return any(low.startswith(p) and low[len(p):] in _IRREGULAR_PAST for p in _PAST_PREFIXES)


def _third_person_verb(verb: str) -> str:
    low = verb.lower()
    if low in _IRREGULAR_3RD:
        return _IRREGULAR_3RD[low]
    if low in _NO_S or _is_past(low) or "'" in low or "’" in low or low in _NOT_A_VERB:
        return verb
    if low.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if len(low) > 2 and low.endswith("y") and low[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _speakers(body: str) -> list[tuple[int, str]]:
    """Where each speaker's turn starts, when the entry is a transcript (``Name: text`` lines).

    Only bodies with at least three such lines by at most a handful of names count, so a
    line like "Choir practice: we sang" in an ordinary entry is not taken for a speaker.
    """
    found = [(m.start(), m.group(1)) for m in _SPEAKER_LINE.finditer(body)]
    names = {name for _, name in found}
    if len(found) < 3 or len(names) > 6 or not all(_is_name(n) for n in names):
        return []
    return found


def _is_name(name: str) -> bool:
    return all(part[:1].isupper() for part in name.split())


_SPEAKER_LINE = re.compile(r"^([A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}):[ \t]+", re.MULTILINE)


def bullet_candidates(children: list) -> list[Candidate]:
    """The bullets of child digests, in time order (a month's "New this month — …: " is
    news for the month only: a season or a year is told what it says)."""
    return [Candidate(NEWS_LABEL.sub("", b.text, count=1), b.entry_ids, (d.period.start, i), d.id,
                      rank=0 if d.level == "day" else i, mass=max(1, d.n_entries) / len(d.bullets))
            for d in children for i, b in enumerate(d.bullets)]


NEWS_LABEL = re.compile(r"^New this (?:week|month) — [^:]{1,60}: ")


# --- what a sentence says ---------------------------------------------------------------

_FUNCTION = fts_query.STOPWORDS
_VERBS = frozenset("""am is are was were be been being have has had having do does did done
    go goes went gone going come comes came coming get gets got getting make makes made take took
    taken give gave given see saw seen say said says tell told know knew think thought feel felt
    find found leave left meet met bring brought buy bought begin began run ran sit sat stand
    stood eat ate drink drank write wrote read hear heard keep kept lose lost win won send sent
    spend spent sleep slept wake woke speak spoke become became pay paid put let hold held fall
    fell lie lay die died grow grew show showed try tried walk walks want wants need needs love
    loves like likes hope hopes wish fear fears seem seems look looks live lives work works
    can could will would shall should may might must dined supped lay rode""".split())
_PRONOUNS = frozenset("i we he she they you it".split())
_FEELINGS = frozenset("""happy glad sad unhappy angry afraid fear feared frightened scared worried anxious
    nervous excited delighted proud ashamed lonely tired exhausted ill sick better worse well pain
    love loved hate hated miserable wretched joy joyful grief grieved cried crying wept laughed
    relieved grateful thankful hopeful hopeless depressed despair calm peace peaceful content
    upset disappointed surprised shocked sorry jealous bored furious melancholy merry vexed
    troubled pleased""".split())

#: Words of talk, not of what it is about.
_CHATTER = frozenset("""gonna wanna gotta kinda sorta yeah yep yup okay lol haha hey wow cool awesome pretty
    super really totally definitely actually literally basically honestly truly stuff""".split())


@functools.lru_cache(maxsize=1 << 17)
def _content_word(word: str) -> str | None:
    """``word`` lower-cased if it can carry a topic: not a function word, a contraction of
    one ("they'd", "don't"), a number or chatter ("gonna", "awesome"); "Mel's" → "mel"."""
    low = word.lower().replace("’", "'")
    if "'" in low:
        base, tail = low.split("'", 1)
        if tail not in ("s", ""):
            return None  # a contraction ("they'd", "don't") or a foreign elision ("l'as")
        low = base
    if len(low) < 3 or low in _FUNCTION or low in _CHATTER or low.isdigit():
        return None
    return low


@dataclass(slots=True)
class _Info:
    """What the scorer needs to know about one candidate."""
    stems: dict[str, str]     # content stem → a word form of it (for the idf look-up)
    quality: float            # demotions × bonus (days); demotions × event bonus (parents)
    n_words: int
    demoted: float = 1.0
    event: bool = False


def _analyse(c: Candidate, common, memo: dict | None = None) -> _Info:
    """What ``c`` says (see :class:`_Info`); ``memo`` keeps it for the next time the same
    text is weighed (a day's bullet is weighed for its week, its month and what is new)."""
    key = (c.text, c.speaker, c.speakers)
    found = memo.get(key) if memo is not None else None
    if found is None:
        body = c.text[len(c.speaker) + 2:] if c.speaker and c.text.startswith(c.speaker + ":") else c.text
        words = text.words(body)
        stems: dict[str, str] = {}
        for w in words:
            low = _content_word(w)
            if low and low not in c.speakers:
                stems.setdefault(_stem(low), low)
        named = [w for w in words if w.lower() not in c.speakers] if c.speakers else words
        demoted, bonus = _quality(body, named, common)
        if c.speaker and c.text.startswith(c.speaker + ":"):
            demoted *= 0.8  # a remark ("Mel: Taking care of yourself is vital") rather than what they did
        event = not _EVENTS.isdisjoint(w.lower() for w in words)
        found = (stems, demoted, bonus, len(words), event)
        if memo is not None:
            if len(memo) > 50000:
                memo.clear()
            memo[key] = found
    stems, demoted, bonus, n_words, event = found
    return _Info(stems, demoted * bonus, n_words, demoted, event)


_stem = functools.lru_cache(maxsize=1 << 17)(text.stem)


def _quality(body: str, words: list[str], common) -> tuple[float, float]:
    """How well a sentence reads as a digest line: (demotions, bonus), 1 being ordinary.

    Demoted: mostly not in the journal's language, a list of names, no verb, a question, a
    line that only introduces what follows. Bonus: a life event, names (who, where), a
    feeling, a number or date.
    """
    n = len(words)
    if n < 4:
        return 0.0, 1.0
    lows = [w.lower() for w in words]
    seen = set(lows)
    q = 1.0
    # mostly not in the journal's language: few of its common words
    judged = [w for w in lows if len(w) > 2 or w in _FUNCTION]
    if len(judged) >= 4:
        share = sum(1 for w in judged if w in _FUNCTION or common(w)) / len(judged)
        if share < 0.25:
            q *= 0.1
        elif share < 0.4:
            q *= 0.5
    # a list of names: mostly capitalised words, or commas and no verb
    capitalised = [w for w in words[1:] if w[:1].isupper() and w != "I"]
    caps = len(capitalised)
    verb = _has_verb(lows)
    if caps >= 3 and caps > 0.5 * (n - 1):
        q *= 0.3
    elif body.count(",") >= 3 and body.count(",") >= n / 4 and not verb:
        q *= 0.3
    if not verb:
        q *= 0.6
    stripped = body.rstrip()
    if stripped.endswith("?"):
        q *= 0.5  # a digest reports what happened, not what was asked
    if stripped.endswith(_LEADS_ON):
        q *= 0.3  # "…and said—": what it introduces is not in it
    if lows[0].replace("’", "'").split("'")[0] in _ANAPHORA:
        q *= 0.65  # "It was a tough challenge": what "it" is was said before, not in the bullet
    if lows[0] in ("let's", "let’s", "lets"):
        q *= 0.5  # an exhortation ("Let's keep going!"), not what happened
    if not _SECOND_PERSON.isdisjoint(seen):
        q *= 0.6  # said to someone ("you'd be a great counselor"), not what happened
    bonus = 1.0
    if not _EVENTS.isdisjoint(seen):
        bonus *= 1.3
    names = sum(1 for w in capitalised if len(w) > 1)
    bonus *= 1.0 + 0.08 * min(names, 3)
    if not _FEELINGS.isdisjoint(seen):
        bonus *= 1.15
    if _DIGIT.search(body):
        bonus *= 1.05
    if not _WHEN.isdisjoint(seen):
        bonus *= 1.3  # when it happened ("last Friday"): a report, not a remark
    return q, bonus


#: Words that place what is told in time ("last week", "yesterday", "on Saturday").
#: (Relative to the day of writing: "today" and "this morning" are every entry's, but
#: "yesterday", "last Friday", "a week ago" tell that something happened.)
_WHEN = frozenset("yesterday ago last recently monday tuesday wednesday thursday friday saturday sunday".split())


_DIGIT = re.compile(r"\d")
#: A sentence that opens with one of these leans on the one before it.
_ANAPHORA = frozenset("it that this these those he she they him her them such".split())
_SECOND_PERSON = frozenset("you your yours you're you’re you've you’ve you'd you’d yourself".split())
#: Words of the events a life is told by (English).
_EVENTS = frozenset("""married marry marrying marriage wedding engaged engagement divorce divorced born
    birth pregnant baby died dead death funeral buried killed accident hospital operation surgery
    diagnosed illness moved moving new job hired fired resigned promoted appointed retired
    interview exam examination passed failed graduated degree school university started began
    finished won lost arrived returned visited met trip travelled flew sailed elected offer offered
    accepted refused signed bought sold birthday anniversary christmas war fire flood storm
    earthquake plague epidemic""".split())


def _has_verb(lows: list[str]) -> bool:
    for i, w in enumerate(lows):
        if w in _VERBS or (len(w) > 4 and w.endswith("ed")) or w.endswith("n't"):
            return True
        if w in _PRONOUNS and i + 1 < len(lows) and lows[i + 1] not in _FUNCTION:
            return True
        if "'" in w or "’" in w:
            tail = w.replace("’", "'").split("'", 1)[1]
            if tail in ("m", "re", "ve", "ll", "d", "s"):
                return True
    return False


def _common_words(idf: Idf):
    """Whether a word is one of the journal's common words (its main language): in at least
    one entry of twenty, and in three entries at least."""
    found = idf.memo.get("common")
    if found is None:
        threshold = math.log((idf.n + 1) / (max(3.0, 0.05 * idf.n) + 0.5))

        known: dict[str, bool] = {}

        def found(word: str) -> bool:
            answer = known.get(word)
            if answer is None:
                answer = known[word] = idf(word) <= threshold
            return answer
        idf.memo["common"] = found
    return found


# --- choosing ---------------------------------------------------------------------------


def _weight(idf: Idf, word: str) -> float:
    known = idf.memo.setdefault("weight", {})
    found = known.get(word)
    if found is None:
        found = known[word] = max(0.0, min(idf(word), IDF_CAP))
    return found


def choose(candidates: list[Candidate], idf: Idf, budget: int) -> list[Bullet]:
    """Day digests: sentences that say what the day's writing is about, within ``budget``."""
    if not candidates:
        return []
    common = _common_words(idf)
    infos = [_analyse(c, common, idf.memo.setdefault("analysed", {})) for c in candidates]
    # how many sentences of the day use each word (what the day keeps coming back to)
    spread: dict[str, int] = {}
    last: dict[str, tuple] = {}
    forms: dict[str, str] = {}
    for c, info in zip(candidates, infos):
        for s, form in info.stems.items():
            if last.get(s) != c.order:  # a sentence counts once, whatever its forms (they come together)
                last[s] = c.order
                spread[s] = spread.get(s, 0) + 1
                forms.setdefault(s, form)
    titles: dict[int, set[str]] = {}
    for c in candidates:
        if c.source not in titles:
            titles[c.source] = {_stem(w.lower()) for w in text.words(c.title)
                                if len(w) > 2 and w.lower() not in _FUNCTION}
    weights: dict[str, float] = {}
    for s, n in spread.items():
        weights[s] = _weight(idf, forms[s]) * (1.0 + math.log(n))
    for c, info in zip(candidates, infos):
        for s in info.stems:
            if s in titles[c.source]:
                weights[s] = max(weights[s], 1.0) * 1.5  # the title says what the day was about
    chosen = _greedy(candidates, infos, weights, budget, sub_period=lambda c: (c.source, c.speaker), topical=False)
    chosen.sort(key=lambda i: candidates[i].order)
    return [_bullet(candidates[i].text, candidates[i].entry_ids) for i in chosen]


def choose_parent(candidates: list[Candidate], idf: Idf, budget: int, sub_period,
                  told: str = "", scored: tuple | None = None) -> list[Bullet]:
    """Parent digests: the topics the period's writing dwelt on most, most salient first.

    A word's weight is ``specificity × ln(1 + mass) × (1 + peak)``: *mass* is how much of the
    period's writing its bullets stand for (each child bullet carries its child's entries
    divided by its number of bullets), *peak* the largest share of one child's bullets that
    use it (a week that was all about the fire), and *specificity* its inverse document
    frequency over the diary, capped at :data:`PARENT_IDF_CAP` and less
    :data:`EVERYDAY_IDF` (so "later", "dinner" or the dog's name, in every other entry,
    weigh nothing, and a word seen once in the diary gains nothing over one seen weekly).
    A bullet's gain is its topic, not the sum of its words: its best word, half its second
    and a quarter its third (a stock phrase repeated every spring does not win by length).
    ``told``: what the digest already says (what is new): its words count as covered;
    ``scored``: :func:`_parent_scores` of the candidates, when already known.
    """
    if not candidates:
        return []
    infos, weights, reach = scored or _parent_scores(candidates, idf)
    common = _common_words(idf)
    covered = dict.fromkeys(_analyse(Candidate(told, (), (), 0), common, idf.memo["analysed"]).stems, 1) if told else {}
    chosen = _greedy(candidates, infos, weights, budget, sub_period=sub_period, topical=True, covered=covered)
    return [_bullet(candidates[i].text, _topic_cites(i, candidates, infos, weights, reach)) for i in chosen]


def _parent_scores(candidates: list[Candidate], idf: Idf) -> tuple[list, dict, dict]:
    """What each candidate says (its quality for a parent), each word's weight (see
    :func:`choose_parent`) and the entries each word reaches."""
    common = _common_words(idf)
    memo = idf.memo.setdefault("analysed", {})
    infos = [_analyse(c, common, memo) for c in candidates]
    reach: dict[str, set[int]] = {}   # stem → distinct entries cited by bullets that use it
    mass: dict[str, float] = {}       # stem → how much of the period's writing is about it
    forms: dict[str, str] = {}
    per_child: dict[tuple, int] = {}
    n_child: dict[int, int] = {}
    for c, info in zip(candidates, infos):
        n_child[c.source] = n_child.get(c.source, 0) + 1
        for s, form in info.stems.items():
            reach.setdefault(s, set()).update(c.entry_ids)
            mass[s] = mass.get(s, 0.0) + c.mass
            forms.setdefault(s, form)
            per_child[(s, c.source)] = per_child.get((s, c.source), 0) + 1
    peak: dict[str, float] = {}
    for (s, source), k in per_child.items():
        peak[s] = max(peak.get(s, 0.0), k / n_child[source])
    weights = {s: max(0.0, min(idf(forms[s]), PARENT_IDF_CAP) - EVERYDAY_IDF) * math.log(1 + m) * (1 + peak[s])
               for s, m in mass.items()}
    for c, info in zip(candidates, infos):
        # names and feelings chose the children's sentences; here demotions and life events
        # count, and what a child digest put first (parents' bullets come most salient first)
        info.quality = info.demoted * (1.3 if info.event else 1.0) / (1.0 + 0.15 * c.rank)
    return infos, weights, reach


def _topic_gain(info, weights) -> float:
    """A parent candidate's gain before anything is chosen (see :func:`_greedy`)."""
    ws = sorted((weights.get(s, 0.0) for s in info.stems), reverse=True)
    n = min(info.n_words, MAX_SENTENCE_WORDS)
    return sum(w * f for w, f in zip(ws, _TOPIC_SHARES)) / (n + 6) ** 0.25 * info.quality


_TOPIC_SHARES = (1.0, 0.5, 0.25)


def _greedy(candidates, infos, weights, budget: int, *, sub_period, topical: bool,
            covered: dict[str, int] | None = None) -> list[int]:
    """Pick by gain until the budget is spent: words already covered count less (each time,
    0.35 for parents' topics, 0.2 for a day's words: a day's digest says as many different
    things as it can), as do sub-periods already used (0.75), and near-repeats are skipped.
    At most one form of a sentence is chosen."""
    covered = dict(covered or {})  # stem → how many chosen bullets (or what is already told) use it
    used_periods: dict = {}
    chosen: list[int] = []
    used = 0
    bags = [set(info.stems) for info in infos]
    lengths = [min(info.n_words, MAX_SENTENCE_WORDS) for info in infos]
    norms = [(n + 6) ** 0.25 if topical else (n + 3) ** 0.6 for n in lengths]
    discount = 0.35 if topical else 0.2
    periods = [sub_period(c) for c in candidates]
    alive = sorted((i for i, info in enumerate(infos) if info.quality > 0), key=lambda i: candidates[i].order)
    scale = [infos[i].quality / norms[i] for i in range(len(infos))]

    def words_gain(i: int) -> float:
        ws = [weights.get(s, 0.0) * discount ** covered[s] if s in covered else weights.get(s, 0.0) for s in bags[i]]
        if topical:
            ws.sort(reverse=True)
            return sum(w * f for w, f in zip(ws, _TOPIC_SHARES))
        return sum(ws)

    gains = {i: words_gain(i) for i in alive}  # kept until a word of theirs is covered
    having: dict[str, list[int]] = {}
    for i in alive:
        for s in bags[i]:
            having.setdefault(s, []).append(i)
    while alive:
        best, best_gain = None, 0.0
        for i in alive:
            if used and used + lengths[i] > budget:
                continue
            gain = gains[i] * scale[i] * 0.75 ** used_periods.get(periods[i], 0)
            if gain > best_gain:
                best, best_gain = i, gain
        if best is None:
            break
        chosen.append(best)
        bag = bags[best]
        for s in bag:
            covered[s] = covered.get(s, 0) + 1
        used_periods[periods[best]] = used_periods.get(periods[best], 0) + 1
        used += lengths[best]
        if used >= budget * 0.9:
            break
        at = candidates[best].order  # one form of a sentence at most
        touched = {i for s in bag for i in having.get(s, ())}  # the others share no word with it
        alive = [i for i in alive if candidates[i].order != at and (i not in touched or _overlap(bags[i], bag) <= 0.5)]
        for i in alive:
            if i in touched:
                gains[i] = words_gain(i)
    return chosen


def _topic_cites(i: int, candidates, infos, weights, reach) -> tuple[int, ...]:
    """The bullet's own entries, then those of the bullets that share its topic most."""
    own = list(candidates[i].entry_ids)
    bag = infos[i].stems
    total = sum(weights.get(s, 0.0) for s in bag)
    if total <= 0:
        return tuple(dict.fromkeys(own))[:MAX_CITES]
    # its topic: the words that recur beyond the bullet itself
    key = {s for s in bag if len(reach.get(s, ())) > len(set(own))}
    related = []
    for j, c in enumerate(candidates):
        if j == i:
            continue
        shared = sum(weights.get(s, 0.0) for s in key if s in infos[j].stems)
        if shared >= 0.3 * total:
            related.append((-shared, c.order, j))
    related.sort()
    cites = list(dict.fromkeys(own))
    for _, _, j in related:
        for eid in candidates[j].entry_ids[:1]:
            if eid not in cites:
                cites.append(eid)
        if len(cites) >= MAX_CITES:
            break
    return tuple(cites[:MAX_CITES])


_LEADS_ON = (":", "—", "–", "-")


def _bullet(sentence: str, entry_ids) -> Bullet:
    short = text.shorten(sentence, MAX_SENTENCE_WORDS)
    if short.endswith(_LEADS_ON):
        short = short.rstrip(":—–- ") + "…"  # the sentence goes on in what it introduces
    return Bullet(short, tuple(entry_ids))


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def day_budget(entries: list) -> int:
    """Longer days get longer digests, but not in proportion: five times the square root of
    the words written (100 words for 400, 140 for 800), within bounds."""
    written = sum(text.word_count(e.body) for e in entries)
    return max(BUDGET_WORDS["day"], min(2 * BUDGET_WORDS["day"], int(5 * math.sqrt(written))))


def write_day(entries: list, idf: Idf, budget: int | None = None) -> list[Bullet]:
    return choose(entry_candidates(entries), idf, budget or day_budget(entries))


def write_parent(level: str, children: list, idf: Idf, budget: int | None = None, *,
                 entries: list | None = None, previous: list | None = None) -> list[Bullet]:
    """A week/month from its days, a season/year from its months.

    With ``entries`` (the period's own) and ``previous`` (those of the period before it at
    the same level), a week or a month may open with what is new (:func:`what_changed`):
    the most salient of the day bullets about it (by the weights the parent chooses by),
    labelled and ranked first; the others make room and say something else.
    """
    budget = budget or BUDGET_WORDS[level]
    candidates = bullet_candidates(children)
    sub = _SUB_PERIOD.get(level, lambda d: d.period.start)
    period_of_child = {d.id: sub(d) for d in children}
    scored = _parent_scores(candidates, idf) if candidates else ([], {}, {})

    def pick(words: int, told: str = "") -> list[Bullet]:
        return choose_parent(candidates, idf, words, sub_period=lambda c: period_of_child[c.source], told=told,
                             scored=scored)

    news = what_changed(level, candidates, entries, previous, idf, scored) if level in WHAT_CHANGED else None
    if news is None:
        return pick(budget)
    # the rest of the period has its say: what the news says counts as told
    said = NEWS_LABEL.sub("", news.text, count=1)
    bullets = pick(budget - text.word_count(news.text), told=said)
    out = [news, *(b for b in bullets if b.text != said)]
    while len(out) > 1 and sum(text.word_count(b.text) for b in out) > budget:
        out.pop()
    return out


# --- what changed -----------------------------------------------------------------------

#: The levels whose digests say what is new against the period before.
WHAT_CHANGED = {"week": "New this week", "month": "New this month"}
#: Chi-square, one degree of freedom, p = 0.001: a topic's entries in the period against its
#: rate in the rest of the diary must be this unlikely by chance (Dunning's log-likelihood ratio).
NEW_G2 = 10.83


@dataclass(frozen=True)
class _Topic:
    stem: str
    form: str
    entry_ids: tuple[int, ...]   # the period's entries that use it, in time order
    score: float                 # its G², less for a verb


@dataclass(frozen=True)
class _News:
    """A new topic of the period and how to tell it."""
    topic: _Topic
    first: tuple[str, tuple[int, ...]]  # the first sentence about it, and its entries

    def bullet(self, level: str, sentence: str, own: tuple[int, ...]) -> Bullet:
        cites = list(dict.fromkeys((*own, *self.topic.entry_ids)))[:MAX_CITES]
        word = next((w for w in text.words(sentence)
                     if _content_word(w) and _stem(_content_word(w)) == self.topic.stem), self.topic.form)
        return Bullet(f"{WHAT_CHANGED[level]} — {word}: {sentence}", tuple(cites))


def what_changed(level: str, candidates: list[Candidate], entries: list | None, previous: list | None,
                 idf: Idf, scored: tuple | None = None) -> Bullet | None:
    """A bullet on a topic that recurs in this period and was absent from the previous one
    ("New this month — piano: Started piano lessons with Mrs Hale."), or None; ``candidates``:
    the bullets of the period's day digests (:func:`bullet_candidates`), ``scored`` their
    :func:`_parent_scores`.

    A *topic* is a word that the period's digests use on two days or more, that is not
    among common words (:data:`_NOT_TOPICS`) and not the diary's everyday language (outside
    the period it is in fewer than one entry of twenty); it recurs when written about on at
    least two days of a week, or three (and a tenth of the days written) of a month, at
    least twice its rate in the rest of the diary and significantly so (G² ≥ :data:`NEW_G2`);
    it is *new* when no entry of the previous period uses it (a period without entries
    before it has nothing to compare with: no bullet). The most significant one (a verb
    counts less than a thing or a name) is told by the most salient day bullet about it (by
    the weights the parent chooses by; failing one, the first sentence of the period's
    entries about it); it cites that sentence's entry, then the period's other entries that
    use it.
    """
    news = _news(level, candidates, entries, previous, idf)
    if news is None:
        return None
    infos, weights, _ = scored or _parent_scores(candidates, idf)
    about = [i for i, info in enumerate(infos) if news.topic.stem in info.stems and info.quality > 0]
    if about:
        lead = max(about, key=lambda i: (_topic_gain(infos[i], weights), -i))
        sentence, own = _bullet(candidates[lead].text, ()).text, candidates[lead].entry_ids[:1]
    else:
        sentence, own = news.first
    return news.bullet(level, sentence, own)


def _news(level: str, candidates: list[Candidate], entries: list | None, previous: list | None,
          idf: Idf) -> _News | None:
    if not entries or not previous:
        return None
    common = _common_words(idf)
    memo = idf.memo.setdefault("analysed", {})
    told = [(c, _analyse(c, common, memo)) for c in candidates]
    said: dict[str, set] = {}  # stem → the children whose bullets use it
    for c, info in told:
        for stem in info.stems:
            said.setdefault(stem, set()).add(c.source)
    topic = _new_topic(level, entries, previous, idf, {s for s, kids in said.items() if len(kids) >= 2})
    if topic is None:
        return None
    about = [(c, info) for c, info in told if topic.stem in info.stems]
    if not about:
        mine = set(topic.entry_ids)
        found = entry_candidates([e for e in entries if e.id in mine])
        about = [(c, info) for c, info in ((c, _analyse(c, common)) for c in found) if topic.stem in info.stems]
    if not about:
        return None
    readable = [c for c, info in about if info.demoted >= 0.5] or [c for c, _ in about]
    first = min(readable, key=lambda c: (c.order, -len(c.text)))
    return _News(topic, (_bullet(first.text, ()).text, first.entry_ids))


def _new_topic(level: str, entries: list, previous: list, idf: Idf, told: set[str]) -> _Topic | None:
    """The most significant word of ``told`` (what the digests below say on two days or
    more) that recurs in ``entries`` and is in none of ``previous``."""
    before: set[str] = set()
    for e in previous:
        before |= _entry_stems(e).keys()
    days: dict[str, set] = {}
    users: dict[str, list[int]] = {}
    forms: dict[str, str] = {}
    for e in sorted(entries, key=lambda e: (e.day, e.id)):
        for stem, form in _entry_stems(e).items():
            if stem in before:
                continue
            days.setdefault(stem, set()).add(e.day)
            users.setdefault(stem, []).append(e.id)
            forms.setdefault(stem, form)
    n_days = len({e.day for e in entries})
    least = 2 if level == "week" else max(3, math.ceil(0.1 * n_days))
    n_here, n_elsewhere = len(entries), max(1, idf.n - len(entries))
    everyday = max(3.0, 0.05 * n_elsewhere)  # in one entry of twenty: the diary's language, not a topic
    best: _Topic | None = None
    for stem, ds in days.items():
        if len(ds) < least or stem not in told or stem in _NOT_TOPICS:
            continue
        observed = len(users[stem])
        elsewhere = max(0, idf.df(forms[stem]) - observed)
        if elsewhere >= everyday:
            continue
        expected = n_here * max(elsewhere, 0.5) / n_elsewhere  # at its rate in the rest of the diary
        if observed < 2 * expected:
            continue
        surprise = g2(observed, n_here, expected)
        if surprise < NEW_G2:
            continue
        form = forms[stem]
        # a thing or a name says what is new better than a verb of it ("mortgage", not "spoke")
        score = surprise * (0.6 if form in _VERBS or _is_past(form) or form.endswith("ing") else 1.0)
        if best is None or (score, -len(stem)) > (best.score, -len(best.stem)):
            best = _Topic(stem, form, tuple(users[stem]), score)
    return best


def g2(observed: int, trials: int, expected: float) -> float:
    """Dunning's log-likelihood ratio of ``observed`` of ``trials`` against ``expected``."""
    g = observed * math.log(observed / expected)
    if trials > observed:
        g += (trials - observed) * math.log((trials - observed) / (trials - expected))
    return 2 * g


def _entry_stems(e) -> dict[str, str]:
    """An entry's topic words: stem → a word form (cached by what the entry says, so any
    journal, any version)."""
    key = (getattr(e, "title", None) or "", e.body)
    found = _STEMS_CACHE.get(key)
    if found is None:
        found = {}
        for w in text.words(f"{getattr(e, 'title', None) or ''}\n{text.plain(e.body)}"):
            low = _content_word(w)
            if low:
                found.setdefault(_stem(low), low)
        if len(_STEMS_CACHE) > 5000:
            _STEMS_CACHE.clear()
        _STEMS_CACHE[key] = found
    return found


_STEMS_CACHE: dict[tuple, dict[str, str]] = {}

#: Common English words that are never what a period is about (beyond the stop words):
#: quantities, times of day, everyday verbs and adjectives.
_NOT_TOPICS = frozenset(text.stem(w) for w in """less more much many near nearly plenty enough quite rather
    almost always never ever still yet perhaps maybe suppose supposed thing things anything something nothing
    everything someone anyone everyone nobody somebody anybody today tonight tomorrow yesterday morning
    afternoon evening night day days week weeks month months year years time times way ways lot lots fine good
    great bad better best worse worst little big large small long short old new young high low full whole real
    true sure certain right wrong able complete possible last first next second third half early late nice
    lovely make made take took get got go went come came see saw know knew think thought say said tell told
    feel felt seem seemed want wanted give gave find found keep kept let put look looked like liked raise hope
    wish try tried use used begin began call called ask asked seems must might shall upon ago back away
    along around another every either neither though although however indeed even else whether within without
    across behind beside besides toward towards among amongst common usual sort kind part place case fact
    point matter manner done man woman men women people person guy""".split())


#: Which part of a parent period a child belongs to, so that picks spread over the period.
_SUB_PERIOD = {
    "week": lambda d: d.period.start,                                   # each day
    "month": lambda d: (d.period.start.day - 1) // 7,                   # each week of the month
    "season": lambda d: d.period.start,                                 # each month
    "year": lambda d: (d.period.start.month - 1) // 3,                  # each quarter
}
