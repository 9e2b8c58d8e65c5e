"""The temporal benchmark harness: scoring, and one-line errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lucy_app.core.bench.temporal import run
from lucy_app.core.errors import InvalidInput

DEV = Path(__file__).resolve().parents[3].parent / "shared" / "bench" / "temporal" / "dev.jsonl"


def write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def row(text="What did I do last week?", ref="2026-11-25", start="2026-11-16", end="2026-11-22", **extra):
    return json.dumps({"ref": ref, "text": text, "start": start, "end": end, **extra})


@pytest.mark.skipif(not DEV.exists(), reason=f"no dev set at {DEV}")
def test_every_dev_row_is_right():
    result = run(DEV)
    assert result["failures"] == []
    assert result["n"] == result["correct"] > 0
    assert result["accuracy"] == 1.0


def test_scores_right_and_wrong_rows(tmp_path):
    path = write(
        tmp_path,
        row(),
        row(text="Who did I meet in Lisbon?", start=None, end=None),
        row(text="What did I do last month?"),  # wrong on purpose: it is October
        row(text="What did June say?", start="2026-06-01", end="2026-06-30"),  # we say no time
        "",
    )
    result = run(path)
    assert (result["n"], result["correct"], result["accuracy"]) == (4, 2, 0.5)
    assert result["failures"] == [
        {
            "text": "What did I do last month?",
            "ref": "2026-11-25",
            "expected": {"start": "2026-11-16", "end": "2026-11-22"},
            "got": {"start": "2026-10-01", "end": "2026-10-31"},
        },
        {
            "text": "What did June say?",
            "ref": "2026-11-25",
            "expected": {"start": "2026-06-01", "end": "2026-06-30"},
            "got": None,
        },
    ]


def test_settings_are_passed_on(tmp_path):
    path = write(tmp_path, row(text="this week", start="2026-11-22", end="2026-11-28"),
                 row(text="last winter", start="2026-06-01", end="2026-08-31"))
    assert run(path)["correct"] == 0
    assert run(path, week_start=6)["correct"] == 1
    assert run(path, week_start=6, hemisphere="south")["correct"] == 2


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([row(), "{not json"], "line 2: not JSON"),
        ([row(), "[1, 2]"], "line 2: not a JSON object"),
        ([json.dumps({"ref": "2026-11-25", "text": "x", "start": None})], "line 1: missing end"),
        ([row(ref="2026-13-01")], "line 1: ref '2026-13-01' is not a date"),
        ([row(ref=None)], "line 1: ref is null"),
        ([row(start="yesterday")], "line 1: start 'yesterday' is not a date"),
        ([row(end=20261122)], "line 1: end is not a date string"),
        ([row(end=None)], "line 1: start and end must both be dates or both null"),
        ([row(start="2026-11-23", end="2026-11-22")], "line 1: end 2026-11-22 is before start 2026-11-23"),
        ([row(text=5)], "line 1: text is not a string"),
        (["", "   "], "no rows"),
    ],
)
def test_bad_files_raise_invalid_input_naming_the_line(tmp_path, lines, message):
    path = write(tmp_path, *lines)
    with pytest.raises(InvalidInput) as info:
        run(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_and_bad_encoding(tmp_path):
    with pytest.raises(InvalidInput, match="no such file"):
        run(tmp_path / "nope.jsonl")
    bad = tmp_path / "latin1.jsonl"
    bad.write_bytes(b'{"text": "caf\xe9"}\n')
    with pytest.raises(InvalidInput, match="not UTF-8"):
        run(bad)
    with pytest.raises(InvalidInput, match="is a directory"):
        run(tmp_path)
