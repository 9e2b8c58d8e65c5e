"""`lucy bench honesty`: is what Lucy shows true, rightly cited, and honest about gaps?

On the LoCoMo-as-diary data (read where it lies, never copied), one journal per
conversation (or all in one, ``merged``), indexed with the app's own indexer:

1. **Digests**: the day and week digests are rewritten by the chat model exactly as the
   app does (:class:`~lucy_app.core.digests.writers.LlmWriter`, the gate included), and
   every bullet *shown* is judged.
2. **Answers**: every question (categories 1–4), every adversarial one (category 5: the
   diary does not answer it) and questions about topics no conversation mentions
   (:mod:`lucy_app.core.bench.absent`) are asked as the app asks them
   (:func:`lucy_app.core.ask.answer`, the quoted answer first); every sentence shown is judged.

How a shown sentence is judged, against the entries it cites (:func:`judge`):
``degenerate`` (:func:`lucy_app.core.honesty.degenerate`), ``invented_name`` (a name that
is in none of the cited entries), ``unsupported`` (fewer than half its content words, or a
number or date, in any entry of the diary) and ``wrong_citation`` (not in the cited
entries, but in another). These are the gate's own lexical criteria at a looser bar, so
what the gate lets through passes by construction: the rates *before* the gate
(``model_*``: every sentence the model wrote) say how much it catches, and reading the
output (``--samples FILE``) is the independent check.

``qa_f1`` is LoCoMo's answer metric: token F1 of the shown answer (citations removed)
against the gold answer after normalisation (lower case, no punctuation or articles; words
stemmed); multi-hop answers are split at commas, open-domain gold answers taken up to ";".
"""

from __future__ import annotations

import json
import random
import re
import statistics
import string
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from lucy_app.core import ask, entries, honesty, index, text
from lucy_app.core.bench import absent, locomo
from lucy_app.core.bench.recall import add_entries
from lucy_app.core.digests import scheduler
from lucy_app.core.digests.writers import LlmWriter
from lucy_app.core.journal import Journal

CATEGORIES = ("multi-hop", "temporal", "open-domain", "single-hop")
TUNE = ("conv-26", "conv-41", "conv-43")  # the half settings were chosen on (as in `bench recall`)
JUDGE_SHARE = 0.5


# --- LoCoMo's answer F1 ------------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the|and)\b")


_NO_PUNCTUATION = str.maketrans("", "", string.punctuation)


def normalise(s: str) -> str:
    s = s.lower().replace(",", "")
    s = s.translate(_NO_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", s).split())


def f1(prediction: str, gold: str) -> float:
    p = [text.stem(w) for w in normalise(prediction).split()]
    g = [text.stem(w) for w in normalise(gold).split()]
    common = sum((Counter(p) & Counter(g)).values())
    if not p or not g or common == 0:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def qa_f1(prediction: str, gold: str, category: str) -> float:
    if category == "multi-hop":
        preds = [p for p in prediction.split(",") if p.strip()] or [prediction]
        golds = [g for g in gold.split(",") if g.strip()] or [gold]
        return statistics.mean(max(f1(p, g) for p in preds) for g in golds)
    if category == "open-domain":
        gold = gold.split(";")[0]
    return f1(prediction, gold)


# --- judging what is shown ---------------------------------------------------------------------


@dataclass(frozen=True)
class Judged:
    degenerate: bool = False
    invented_name: bool = False
    unsupported: bool = False
    wrong_citation: bool = False


def judge(sentence: str, cited: tuple[int, ...], evidence: dict[int, honesty.Evidence], *,
          today=None) -> Judged:
    """``today``: when an answer was given ("last spring" may be meant from then, as a reader
    of the answer takes it, or from the entry's day)."""
    if honesty.degenerate(sentence):
        return Judged(degenerate=True)
    mine = [evidence[i] for i in cited if i in evidence]
    if not mine:
        return Judged(unsupported=True)
    whole = honesty.joined(mine)
    invented = any(n not in whole.words for n in honesty.names(sentence))
    if honesty.support(sentence, whole, min_share=JUDGE_SHARE, today=today).ok:
        return Judged(invented_name=invented)
    elsewhere = any(honesty.support(sentence, ev, min_share=JUDGE_SHARE, today=today).ok
                    for i, ev in evidence.items() if i not in cited)
    return Judged(invented_name=invented, unsupported=not elsewhere, wrong_citation=elsewhere)


@dataclass
class Shown:
    """One sentence shown to the user, who wrote it, and its judgement."""

    kind: str          # "digest" or "answer"
    writer: str        # "llm" or "extractive"
    text: str
    cited: tuple[int, ...]
    judged: Judged


# --- running it --------------------------------------------------------------------------------


def _speakers(diary: list[locomo.LocomoEntry]) -> list[str]:
    found: Counter = Counter()
    for e in diary:
        for line in e.body.splitlines():
            m = re.match(r"([A-Z][\w'-]+):", line)
            if m:
                found[m.group(1)] += 1
    return [name for name, _ in found.most_common(2)]


def _answer_text(result: ask.Answer) -> str:
    if result.abstained:
        return result.text
    return " ".join(s for s, _ in result.sentences)


def run(data_dir: Path, *, models, merged: bool = False, digests: bool = True, sample: int | None = None,
        progress=None, samples_file: Path | None = None, keep: Path | None = None) -> dict:
    """``models``: a model service with the embedding and (optionally) the chat model.
    ``keep``: a folder where the indexed journals are kept and used again by the next run
    with the same embedding model (indexing is most of a run without the chat model)."""
    all_entries = locomo.entries(data_dir)
    questions = locomo.questions(data_dir)
    adversarial = locomo.adversarial_questions(data_dir)
    convs = sorted({e.conv_id for e in all_entries})
    groups = [convs] if merged else [[c] for c in convs]
    rng = random.Random(7)
    if sample:  # a fixed sample per category (for quick looks; the closing figures use all)
        by_cat = defaultdict(list)
        for q in questions:
            by_cat[q.category].append(q)
        questions = [q for cat in CATEGORIES for q in rng.sample(by_cat[cat], min(sample, len(by_cat[cat])))]
        adversarial = rng.sample(adversarial, min(sample, len(adversarial)))
    chat = models is not None and models.available("chat")

    shown: list[Shown] = []
    model_written: list[Judged] = []       # every sentence the model wrote, before the gate
    rejections: Counter = Counter()
    f1s: dict[str, list[float]] = defaultdict(list)
    abstained: dict[str, list[bool]] = defaultdict(list)
    relevance_rows: list[dict] = []
    out_of_range = 0
    quoted_s, first_token_s, answer_s = [], [], []
    digest_seconds: list[float] = []
    samples: list[dict] = []
    steps = sum(len(g) for g in groups)
    done = 0

    with tempfile.TemporaryDirectory() as tmp:
        for group in groups:
            diary = [e for e in all_entries if e.conv_id in group]
            name = f"{'merged' if merged else group[0]}.db"
            path = Path(tmp) / name
            if keep is not None:
                import shutil

                kept = Path(keep) / f"{_embedder_id(models)}-{name}"
                if kept.exists():
                    shutil.copyfile(kept, path)
            with Journal.open(path) as journal:
                db, settings = journal.db, journal.settings
                if entries.count(db) == len(diary):
                    by_title = {(e.day.isoformat(), e.title): e.id for e in entries.list_entries(db)}
                    ids = {d.entry_id: by_title[(d.stamp.date().isoformat(), d.title)] for d in diary}
                else:
                    ids, _bodies = add_entries(db, diary)
                by_key = {v: k for k, v in ids.items()}
                today = max(e.stamp.date() for e in diary) + timedelta(days=1)
                scheduler.run(db, settings=settings, today=today)
                index.run(db, models=models)
                if keep is not None:
                    Path(keep).mkdir(parents=True, exist_ok=True)
                    from lucy_app.core import backup

                    if not kept.exists():
                        backup.backup(db, kept)
                evidence = {e.id: honesty.evidence_of(e) for e in entries.list_entries(db)}
                conv_of = {i: by_key[i].rsplit("-s", 1)[0] for i in evidence}

                def local(conv: str, evidence=evidence, conv_of=conv_of) -> dict[int, honesty.Evidence]:
                    return {i: ev for i, ev in evidence.items() if conv_of[i] == conv}

                # 1. digests, rewritten by the model as the app does
                if chat and digests:
                    writer = LlmWriter(models)
                    idf = scheduler.make_idf(db)
                    plan = scheduler.survey(db, today, settings)
                    todo = [s for s in sorted(plan.statuses.values(), key=lambda s: (s.level != "day", s.period.start))
                            if s.level in ("day", "week")]
                    if sample:  # a quick look: a few of each level, spread over the diary
                        todo = [s for level in ("day", "week") for s in
                                (lambda xs: xs[:: max(1, len(xs) // max(1, sample // 2))][: max(1, sample // 2)])(
                                    [t for t in todo if t.level == level])]
                    for status in todo:
                        t0 = time.perf_counter()
                        written = scheduler.write_one(db, status, writer, idf, today)
                        digest_seconds.append(time.perf_counter() - t0)
                        if written is None:
                            continue
                        for v in written.verdicts:
                            if not v.ok:
                                rejections[v.reason.split(":")[0] + ": " + v.reason.split(":")[1].strip()[:40]
                                           if ":" in (v.reason or "") else v.reason] += 1
                            model_written.append(judge(v.text, v.entry_ids, evidence))
                        for b, origin in zip(written.bullets, written.origins or ("extractive",) * len(written.bullets)):
                            shown.append(Shown("digest", origin, b.text, b.entry_ids, judge(b.text, b.entry_ids, evidence)))
                        if len(samples) < 400 and written.writer == "llm":
                            samples.append({"kind": f"{status.level} digest", "period": status.period.label,
                                            "bullets": [[b.text, list(b.entry_ids), o] for b, o in
                                                        zip(written.bullets, written.origins)],
                                            "rejected": [[v.text, v.reason] for v in written.verdicts if not v.ok]})
                    scheduler.run(db, settings=settings, today=today)  # the levels above, from the new days

                # 2. answers
                asked = [(q.question, q.category, q.answer, q.conv_id) for q in questions if q.conv_id in group]
                asked += [(q.question, "adversarial", "", q.conv_id) for q in adversarial if q.conv_id in group]
                for conv in group:
                    conv_diary = [e for e in diary if e.conv_id == conv]
                    made = absent.questions(" ".join(e.body for e in conv_diary), _speakers(conv_diary))
                    if sample:
                        made = made[: max(4, sample // 2)]
                    asked += [(q, "absent", "", conv) for q in made]
                for question, category, gold, conv in asked:
                    stamps: dict[str, float] = {}
                    t0 = time.perf_counter()
                    result = ask.answer(db, question, today=today, settings=settings, models=models if chat else _EmbedOnly(models),
                                        on_quoted=lambda _a, stamps=stamps: stamps.setdefault("quoted", time.perf_counter()),
                                        on_token=lambda _p, stamps=stamps: stamps.setdefault("token", time.perf_counter()))
                    total = time.perf_counter() - t0
                    if not result.abstained:  # (a refusal takes milliseconds: it would hide the answers' time)
                        answer_s.append(total)
                    if "quoted" in stamps:
                        quoted_s.append(stamps["quoted"] - t0)
                    if "token" in stamps and result.range is None:  # (a prefilled answer's first piece is ours)
                        first_token_s.append(stamps["token"] - t0)
                    abstained[category].append(result.abstained)
                    if result.relevance is not None:
                        relevance_rows.append({"category": category, "half": "tune" if conv in TUNE else "check",
                                               "words": result.relevance.words, "meaning": result.relevance.meaning,
                                               "unwritten": result.relevance.unwritten,
                                               "named": result.relevance.named,
                                               "meaning_unwritten": result.relevance.meaning_unwritten,
                                               "relevant": result.relevance.relevant, "question": question})
                    scope = local(conv) if merged else evidence
                    for v in result.verdicts:
                        model_written.append(judge(v.text, v.entry_ids, scope, today=today))
                        if not v.ok:
                            rejections[(v.reason or "").split(":")[0]] += 1
                    for sentence, cited in ([] if result.abstained else result.sentences):
                        shown.append(Shown("answer", result.mode, sentence, cited, judge(sentence, cited, scope, today=today)))
                        if result.range is not None:
                            out_of_range += sum(1 for i in cited if not honesty.about_range(
                                evidence[i], result.range.start, result.range.end, strict=result.period))
                    if category in CATEGORIES:
                        f1s[category].append(qa_f1(_answer_text(result), gold, category))
                    if len(samples) < 800 and (category != "absent" or result.abstained is False):
                        samples.append({"kind": "answer", "category": category, "question": question,
                                        "gold": gold, "shown": result.text, "mode": result.mode,
                                        "rejected": [[v.text, v.reason] for v in result.verdicts if not v.ok]})
                done += len(group)
                if progress:
                    progress(done, steps, ", ".join(group))

    if samples_file is not None:
        rows = samples + [{"kind": "relevance", **r} for r in relevance_rows]
        Path(samples_file).write_text("\n".join(json.dumps(s, ensure_ascii=False) for s in rows) + "\n",
                                      encoding="utf-8")
    n = len(shown) or 1
    answerable = [a for c in CATEGORIES for a in abstained[c]]

    def rate(flag: str, rows) -> float:
        rows = list(rows)
        return round(sum(getattr(r, flag) for r in rows) / max(1, len(rows)), 4)

    return {
        "mode": "merged" if merged else "per conversation",
        "sentences": len(shown),
        "unsupported_rate": rate("unsupported", (s.judged for s in shown)),
        "wrong_citation_rate": rate("wrong_citation", (s.judged for s in shown)),
        "invented_name_rate": rate("invented_name", (s.judged for s in shown)),
        "degenerate": sum(s.judged.degenerate for s in shown),
        "model_kept_rate": round(sum(s.writer == "llm" for s in shown) / n, 4),
        "model_kept_rate_answers": round(sum(s.writer == "llm" for s in shown if s.kind == "answer")
                                         / max(1, sum(s.kind == "answer" for s in shown)), 4),
        "model_kept_rate_digests": round(sum(s.writer == "llm" for s in shown if s.kind == "digest")
                                         / max(1, sum(s.kind == "digest" for s in shown)), 4),
        "out_of_range_citations": out_of_range,
        "qa_f1": round(statistics.mean(x for c in CATEGORIES for x in f1s[c]), 4) if any(f1s.values()) else None,
        "qa_f1_by_category": {c: round(statistics.mean(f1s[c]), 4) for c in CATEGORIES if f1s[c]},
        "false_abstention_rate": round(sum(answerable) / max(1, len(answerable)), 4),
        "absent_topic_abstention_rate": round(statistics.mean(abstained["absent"]), 4) if abstained["absent"] else None,
        "absent_topic_questions": len(abstained["absent"]),
        "adversarial_abstention_rate": round(statistics.mean(abstained["adversarial"]), 4)
        if abstained["adversarial"] else None,
        "answer_seconds_p50": round(statistics.median(answer_s), 3) if answer_s else None,
        "quoted_seconds_p50": round(statistics.median(quoted_s), 3) if quoted_s else None,
        "first_token_seconds_p50": round(statistics.median(first_token_s), 3) if first_token_s else None,
        "digest_seconds_p50": round(statistics.median(digest_seconds), 2) if digest_seconds else None,
        "model_sentences": len(model_written),
        "model_unsupported_rate": rate("unsupported", model_written),
        "model_wrong_citation_rate": rate("wrong_citation", model_written),
        "model_invented_name_rate": rate("invented_name", model_written),
        "model_degenerate": sum(j.degenerate for j in model_written),
        "gate_rejections": dict(rejections.most_common(12)),
        "questions": {c: len(v) for c, v in abstained.items()},
        "relevance": _relevance_summary(relevance_rows),
        "chat_model": (models.info().get("chat") or {}).get("label") if chat else None,
    }


def _relevance_summary(rows: list[dict]) -> dict:
    """How the relevance signals separate answerable questions from absent topics, per half."""
    out = {}
    for half in ("tune", "check"):
        for kind, cats in (("answerable", CATEGORIES), ("absent", ("absent",)), ("adversarial", ("adversarial",))):
            sel = [r for r in rows if r["half"] == half and r["category"] in cats]
            if sel:
                out[f"{half}/{kind}"] = {
                    "n": len(sel),
                    "words_p10_p50_p90": _quantiles([r["words"] for r in sel]),
                    "meaning_p10_p50_p90": _quantiles([r["meaning"] for r in sel if r["meaning"] is not None]),
                }
    return out


def _quantiles(xs: list[float]) -> list[float] | None:
    if len(xs) < 2:
        return None
    qs = statistics.quantiles(xs, n=10)
    return [round(qs[0], 3), round(statistics.median(xs), 3), round(qs[-1], 3)]


def _embedder_id(models) -> str:
    info = models.info().get("embed") or {}
    return re.sub(r"[^\w.-]+", "_", str(info.get("label") or info.get("name") or "none"))


class _EmbedOnly:
    """A model service's embeddings without its chat model (a run without the model's words)."""

    def __init__(self, models):
        self._models = models

    def __getattr__(self, name):
        if name in ("chat_stream", "chat"):
            from lucy_app.core import errors

            raise errors.ModelUnavailable("no chat model in this run")
        return getattr(self._models, name)
