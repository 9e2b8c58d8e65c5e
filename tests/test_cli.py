"""The `lucy` command as a user types it: output, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import pytest

from lucy_app import __version__


def test_version(run_cli):
    r = run_cli("--version")
    assert r.exit_code == 0 and __version__ in r.output


def test_add_list_show_search_edit_rm(run_cli):
    r = run_cli("add", "Fed the ducks at the pond with Maya.", "--date", "2024-03-05", "--title", "Ducks",
                "--tag", "Park", "--mood", "great")
    assert r.exit_code == 0, r.output
    assert "Saved entry 1 for Tue 05 Mar 2024" in r.output
    assert run_cli("add", "--date", "2024-03-06", input="From standard input: a heron.\n").exit_code == 0

    listed = run_cli("list", "--from", "2024-03-01", "--to", "2024-03-31").output.splitlines()
    assert listed[0].startswith("1  2024-03-05  Ducks") and "#park" in listed[0]
    assert listed[1].startswith("2  2024-03-06  From standard input")

    shown = run_cli("show", "1").output
    assert "Ducks" in shown and "mood: great" in shown and "Fed the ducks" in shown

    found = run_cli("search", "heron").output
    assert "#2  2024-03-06" in found and "heron" in found
    assert "Nothing found" in run_cli("search", "heron", "--to", "2024-03-05").output

    assert run_cli("edit", "2", "--body", "An egret, actually.").exit_code == 0
    assert "egret" in run_cli("show", "2").output
    assert "Nothing found" in run_cli("search", "heron").output

    assert "to the trash" in run_cli("rm", "2").output
    assert "egret" not in run_cli("list").output
    assert "egret" in run_cli("trash", "list").output
    assert run_cli("trash", "restore", "2").exit_code == 0
    assert "egret" in run_cli("list").output


def test_edit_opens_the_editor(run_cli, tmp_path, monkeypatch):
    run_cli("add", "old text", "--date", "2024-03-05")
    script = tmp_path / "fake-editor"
    script.write_text(
        "#!/bin/sh\n"
        "sed -i -e 's/^Title: .*/Title: Rewritten/' -e 's/^old text/new text/' \"$1\"\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", str(script))
    monkeypatch.setenv("VISUAL", str(script))
    r = run_cli("edit", "1")
    assert r.exit_code == 0, r.output
    shown = run_cli("show", "1").output
    assert "Rewritten" in shown and "new text" in shown


@pytest.mark.parametrize(
    "args, message",
    [
        (("show", "42"), "No entry with id 42"),
        (("add", "text", "--date", "2024-13-01"), "Invalid date"),
        (("add", "   "), "Nothing to save"),
        (("edit", "42", "--body", "x"), "No entry with id 42"),
        (("rm", "42"), "No entry with id 42"),
        (("list", "--from", "2024-05-01", "--to", "2024-04-01"), "starts"),
        (("add", "x", "--mood", "ecstatic"), "Invalid mood"),
        (("search", "?!"), "no words"),
    ],
)
def test_user_errors_are_one_line_and_non_zero(run_cli, args, message):
    r = run_cli(*args)
    assert r.exit_code != 0
    assert message in r.output
    assert "Traceback" not in r.output


def test_import_and_export_jsonl(run_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"date": "2024-01-02", "body": "Snow!", "id": "s1"}) + "\n")
    assert "Would add 1" in run_cli("import", "jsonl", str(src), "--dry-run").output
    assert "No entries" in run_cli("list").output
    assert "Added 1" in run_cli("import", "jsonl", str(src)).output
    assert "Added 0, updated 0, skipped 1" in run_cli("import", "jsonl", str(src)).output
    out = run_cli("export", "jsonl").stdout
    assert json.loads(out.splitlines()[0])["id"] == "s1"
    target = tmp_path / "out.jsonl"
    assert run_cli("export", "jsonl", "-o", str(target)).exit_code == 0
    assert json.loads(target.read_text())["body"] == "Snow!"


def test_a_bad_import_names_the_line_and_changes_nothing(run_cli, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"date": "2024-01-02", "body": "fine"}\n{"date": "2024-01-03", "body": \n')
    r = run_cli("import", "jsonl", str(src))
    assert r.exit_code == 2 and "in.jsonl:2: not valid JSON" in r.output
    assert "No entries" in run_cli("list").output


def test_doctor_on_a_new_journal(run_cli):
    out = run_cli("doctor").output
    for key in ("sqlite:", "sqlite-vec:", "apsw:", "schema:"):
        assert key in out
    assert out.strip().endswith("ok")


def test_a_file_that_is_not_a_journal_is_a_clear_error(run_cli, tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 2000)
    r = run_cli("list", db=bad)
    assert r.exit_code == 1 and "not a Lucy journal" in r.output and "Traceback" not in r.output
    assert bad.read_bytes()[:4] == b"\xff\xd8\xff\xe0"


def test_settings(run_cli):
    assert run_cli("settings", "hemisphere", "south").exit_code == 0
    assert run_cli("settings", "hemisphere").output.strip() == '"south"'
    assert run_cli("settings", "week_start", "sunday").exit_code == 0
    assert run_cli("settings", "week_start").output.strip() == "6"
    r = run_cli("settings", "hemisphere", "west")
    assert r.exit_code == 2 and "Invalid hemisphere" in r.output


def test_the_installed_console_script_runs(tmp_path):
    env = {**os.environ, "LUCY_DB": str(tmp_path / "j.db")}
    lucy = os.path.join(os.path.dirname(sys.executable), "lucy")
    r = subprocess.run([lucy, "add", "from a real process", "--date", "2024-01-01"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([lucy, "show", "99"], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.strip() == "Error: No entry with id 99 (`lucy list` shows the ids)"


def test_index_then_search_hybrid_and_keyword(run_cli):
    run_cli("add", "We adopted a puppy from the animal shelter.", "--date", "2024-03-05")
    run_cli("add", "Quarterly tax forms, receipts, a long afternoon.", "--date", "2024-03-06")
    r = run_cli("index")
    assert r.exit_code == 0, r.output
    assert "2 entries cut" in r.output and "embedded" in r.output
    assert "0 entries cut" in run_cli("index").output
    assert "2 entries cut" in run_cli("index", "--rebuild").output
    found = run_cli("search", "getting a new dog").output
    assert found.splitlines()[0].startswith("#1  2024-03-05")
    assert "Nothing found" in run_cli("search", "getting a new dog", "--keyword").output
    assert "#2  2024-03-06" in run_cli("search", "tax", "--keyword").output


def test_search_highlights_are_styled_on_a_terminal_and_plain_in_a_pipe(run_cli):
    run_cli("add", "Three days in Lisbon: trams, tiles and custard tarts.", "--date", "2026-10-02")
    piped = run_cli("search", "Lisbon", "--keyword").output
    assert "Lisbon" in piped and "[33m" not in piped and "\x1b" not in piped
    terminal = run_cli("search", "Lisbon", "--keyword", color=True).output
    assert "\x1b[33m\x1b[1mLisbon" in terminal or "\x1b[1m\x1b[33mLisbon" in terminal
    assert re.search(r"(?<!\x1b)\[\d+m", terminal) is None  # no escape code without its ESC


def test_long_commands_report_progress_when_not_on_a_terminal(run_cli):
    for n in range(3):
        run_cli("add", f"Day {n} of the walk along the coast.", "--date", f"2024-03-0{n + 1}")
    r = run_cli("index")
    assert r.exit_code == 0
    assert re.search(r"^Indexing: \d+", r.stderr, re.M), r.stderr
    asked = run_cli("ask", "What did I do in March 2024?", "--no-model", "--today", "2024-04-02")
    assert re.search(r"^Catching up: \d+", asked.stderr, re.M), asked.stderr


def test_bench_temporal_prints_one_json_object_on_its_last_line(run_cli, tmp_path):
    data = tmp_path / "dev.jsonl"
    data.write_text(
        json.dumps({"ref": "2026-11-25", "text": "What happened last spring?", "start": "2026-03-01", "end": "2026-05-31"}) + "\n"
        + json.dumps({"ref": "2026-11-25", "text": "Who did I meet in Lisbon?", "start": None, "end": None}) + "\n"
        + json.dumps({"ref": "2026-11-25", "text": "What did I do in March?", "start": "2026-03-01", "end": "2026-03-30"}) + "\n"
    )
    out = run_cli("bench", "temporal", "--data", str(data), "--json").output.strip().splitlines()
    result = json.loads(out[-1])
    assert (result["n"], result["correct"]) == (3, 2)
    assert result["failures"][0]["text"] == "What did I do in March?"


def test_ask_json_on_an_empty_journal_abstains(run_cli):
    r = run_cli("ask", "What happened last spring?", "--today", "2026-11-25", "--json", "--no-model")
    obj = json.loads(r.output.strip().splitlines()[-1])
    assert obj["abstained"] and obj["range"] == {"start": "2026-03-01", "end": "2026-05-31"}
    assert obj["answer"].startswith("No entries between 1 Mar 2026 and 31 May 2026.") and obj["citations"] == []
