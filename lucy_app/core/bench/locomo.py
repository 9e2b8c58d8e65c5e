"""Reading the LoCoMo-as-diary benchmark files (../shared/bench/locomo, CC BY-NC 4.0).

The data is read where it lies and never copied into the repository or a package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lucy_app.core import errors


@dataclass(frozen=True)
class LocomoEntry:
    conv_id: str
    entry_id: str
    stamp: datetime
    title: str
    body: str


def read_jsonl(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise errors.InvalidInput(f"{path}: no such file", hint="point --data at ../shared/bench/locomo") from None
    out = []
    for n, line in enumerate(lines, start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise errors.InvalidInput(f"{path}:{n}: not valid JSON ({exc.msg})") from None
    return out


def entries(data_dir: Path) -> list[LocomoEntry]:
    return [LocomoEntry(r["conv_id"], r["entry_id"], datetime.fromisoformat(r["date"]), r["title"], r["body"])
            for r in read_jsonl(Path(data_dir) / "entries.jsonl")]


def summaries(data_dir: Path) -> dict[str, str]:
    return {r["entry_id"]: r["summary"] for r in read_jsonl(Path(data_dir) / "session_summaries.jsonl")}


@dataclass(frozen=True)
class LocomoQuestion:
    conv_id: str
    qid: str
    question: str
    category: str
    evidence_entry_ids: tuple[str, ...]
    #: (entry_id, line) of each evidence turn found in dia_map.jsonl
    evidence_lines: tuple[tuple[str, int], ...]
    answer: str = ""  # the gold answer (for LoCoMo's answer F1)


def questions(data_dir: Path) -> list[LocomoQuestion]:
    """The questions with evidence (the few whose evidence resolves to no entry are left out)."""
    data_dir = Path(data_dir)
    lines = {(r["conv_id"], r["dia_id"]): (r["entry_id"], int(r["line"]))
             for r in read_jsonl(data_dir / "dia_map.jsonl")}
    out = []
    for r in read_jsonl(data_dir / "questions.jsonl"):
        if not r.get("evidence_entry_ids"):
            continue
        evidence = tuple(lines[(r["conv_id"], d)] for d in r.get("evidence_dia_ids") or ()
                         if (r["conv_id"], d) in lines)
        out.append(LocomoQuestion(r["conv_id"], r["qid"], r["question"], r["category_name"],
                                  tuple(r["evidence_entry_ids"]), evidence, str(r.get("answer") or "")))
    return out


@dataclass(frozen=True)
class AdversarialQuestion:
    conv_id: str
    qid: str
    question: str


def adversarial_questions(data_dir: Path) -> list[AdversarialQuestion]:
    """Questions nothing in the diary answers (category 5): the right answer is to say so."""
    return [AdversarialQuestion(r["conv_id"], r["qid"], r["question"])
            for r in read_jsonl(Path(data_dir) / "questions_adversarial.jsonl")]
