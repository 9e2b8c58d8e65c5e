"""`lucy import markdown` / `lucy export markdown`: a folder of notes in, a folder out."""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lucy_app.core import entries, errors
from lucy_app.core.io import importer, markdown
from lucy_app.core.journal import Journal
from lucy_app.core.storage import attachments as attachment_store
from lucy_app.core.storage import exchange


def vault(tmp_path, kit):
    """An Obsidian-style vault: daily notes, a note with front matter, images, settings."""
    root = tmp_path / "vault"
    (root / "Daily").mkdir(parents=True)
    (root / "Trips").mkdir()
    (root / "assets").mkdir()
    (root / ".obsidian").mkdir()
    (root / ".obsidian" / "workspace.json").write_text("{}")
    (root / ".obsidian" / "2024-01-01.md").write_text("hidden folder: ignored")
    (root / "assets" / "kite.png").write_bytes(kit.PNG)
    (root / "assets" / "river photo.jpg").write_bytes(kit.JPEG)
    (root / "README.txt").write_text("not Markdown: ignored")
    (root / "Daily" / "2024-03-05 Tuesday.md").write_text(
        "Flew a kite with Maya #outdoors #family/maya.\n\n![[kite.png]]\n\n"
        "Issue #12 is not a tag, nor `#code`, nor [a link](page.md#section).\n"
    )
    (root / "Daily" / "2024-03-06.md").write_text(
        "---\ntags:\n  - Work\n  - big project\nmood: good\n---\n# Long day\n\nMeetings, then "
        "![the river](../assets/river%20photo.jpg) on the way home.\n"
    )
    (root / "Trips" / "kyoto.md").write_text(
        "---\ntitle: 'Kyoto, day one'\ndate: 2024-03-07T21:30:00+09:00\ntags: [travel, \"japan\"]\n"
        "weather: rainy\nstarred: true\ncssclasses:\n  - wide\n---\n\nFushimi Inari in the rain.\n"
    )
    return root


def do_import(db, path):
    return importer.apply(db, importer.plan(db, markdown.read(path)))


def test_an_obsidian_vault_comes_in(db, tmp_path, kit):
    root = vault(tmp_path, kit)
    assert do_import(db, root) == {"added": 3, "updated": 0, "skipped": 0, "attachments": 2}
    kite, long_day, kyoto = entries.list_entries(db)
    assert kite.day.isoformat() == "2024-03-05" and kite.title is None
    assert kite.tags == ("family/maya", "outdoors")
    assert f"![kite.png](attachment:{kit.sha256(kit.PNG)})" in kite.body
    assert kite.metadata == {"file": "Daily/2024-03-05 Tuesday.md"}
    assert long_day.title == "Long day" and not long_day.body.startswith("#")
    assert long_day.tags == ("big-project", "work") and long_day.mood == 4
    assert f"![the river](attachment:{kit.sha256(kit.JPEG)})" in long_day.body
    assert kyoto.title == "Kyoto, day one" and kyoto.day.isoformat() == "2024-03-07" and kyoto.starred
    assert kyoto.created_at.utcoffset().total_seconds() == 9 * 3600
    assert kyoto.tags == ("japan", "travel")
    assert kyoto.metadata["front_matter"] == {"weather": "rainy", "cssclasses": ["wide"]}
    with db.read() as conn:
        stored = attachment_store.for_entry(conn, long_day.id)
    assert [(r["mime"], r["name"]) for r in stored] == [("image/jpeg", "river photo.jpg")]
    assert do_import(db, root) == {"added": 0, "updated": 0, "skipped": 3}


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("05-03-2024.md", "Which day?", r"05-03-2024.md: the date in the name is ambiguous"),
        ("ideas.md", "No date at all", r"ideas.md: no date"),
        ("2024-02-30.md", "Bad day", r"2024-02-30.md: the name has an invalid date"),
        ("2024-03-05.md", "---\ntitle: never closed\n\nbody", r"2024-03-05.md:1: the front matter \(---\) is never closed"),
        ("2024-03-05.md", "---\ndate: 5 March\n---\nbody", r"2024-03-05.md:2: invalid date '5 March'"),
        ("2024-03-05.md", "---\ntitle: ok\nthis is not yaml\n---\nbody", r"2024-03-05.md:3: cannot read this front-matter"),
        ("2024-03-05.md", "---\nmood: ecstatic\n---\nbody", r"2024-03-05.md: Invalid mood 'ecstatic'"),
        ("2024-03-05.md", b"caf\xe9 latte", r"2024-03-05.md: not valid UTF-8 \(line 1"),
    ],
)
def test_a_bad_file_is_named_and_nothing_is_imported(db, tmp_path, kit, name, content, message):
    root = vault(tmp_path, kit)
    do_import(db, root)
    before = kit.fingerprint(db)
    bad = root / "Daily" / name
    bad.write_bytes(content if isinstance(content, bytes) else content.encode())
    (root / "Daily" / "2024-03-09.md").write_text("A good new file that must not come in alone.")
    with pytest.raises(errors.ImportFailed, match=message):
        do_import(db, root)
    assert kit.fingerprint(db) == before


def test_an_ambiguous_name_is_fine_with_a_front_matter_date(tmp_path):
    (tmp_path / "05-03-2024.md").write_text("---\ndate: 2024-03-05\n---\nClear now.")
    assert markdown.read(tmp_path).items[0].draft.day.isoformat() == "2024-03-05"


def test_the_front_matter_parser():
    fm = markdown.parse_front_matter([
        "title: \"Quoted: with \\\"escapes\\\"\"", "tags: [a, 'b c', \"d\"]", "list:", "- x", "  - 'y'",
        "nested:", "  key: value", "flag: yes", "n: 12", "empty:", "# a comment", "url: https://x.org/a#b",
        "note: text # trailing comment",
    ], "f.md")
    assert fm.values == {"title": 'Quoted: with "escapes"', "tags": ["a", "b c", "d"], "list": ["x", "y"],
                         "nested": {"key": "value"}, "flag": True, "n": 12, "empty": None,
                         "url": "https://x.org/a#b", "note": "text"}


def test_inline_tags():
    assert markdown.inline_tags("#a and #b-c, not#d, not # e, #123 no, `#f` no\n```\n#g\n```\n#h/i.") == \
        ["a", "b-c", "h/i"]


# --- export ------------------------------------------------------------------------------


def sample_journal(db, kit):
    kite = entries.add(db, f"Flew a kite.\n\n![kite](attachment:{kit.sha256(kit.PNG)})", day="2024-03-05",
                       title="Kite day!", tags=["outdoors", "big trip"], mood=5, starred=True)
    entries.add(db, "Second entry, same day, same title.", day="2024-03-05", title="Kite day!")
    untitled = entries.add(db, "No title here.\nMore.", day="2024-03-06")
    gone = entries.add(db, "trashed", day="2024-03-07")
    entries.trash(db, gone.id)
    with db.write() as conn:
        attachment_store.insert(conn, kite.id, kit.sha256(kit.PNG), "kite.png", "image/png", kit.PNG,
                                "2024-03-05T10:00:00+00:00")
        exchange.insert_digest(conn, {
            "level": "day", "period_start": "2024-03-05", "period_end": "2024-03-05",
            "text": f"- Flew a kite [#{kite.id}]", "entry_ids": json.dumps([kite.id]), "child_ids": "[]",
            "citations": json.dumps([{"entries": [kite.id]}]), "writer": "extractive", "model": None,
            "prompt_version": "1", "input_hash": "h", "source_seq": 1, "partial": 0, "n_entries": 1,
            "dropped_citations": 0, "created_at": "2024-03-06T08:00:00+00:00",
        })
    return kite, untitled


def test_export_writes_entries_attachments_and_digests(db, tmp_path, kit):
    kite, _ = sample_journal(db, kit)
    out = tmp_path / "export"
    assert markdown.export(db, out) == {"entries": 3, "attachments": 1, "digests": 1}
    names = sorted(p.name for p in out.glob("*.md"))
    assert names == ["2024-03-05-kite-day-2.md", "2024-03-05-kite-day.md", "2024-03-06-no-title-here.md"]
    text = (out / "2024-03-05-kite-day.md").read_text()
    sha = kit.sha256(kit.PNG)
    assert text.startswith('---\ndate: 2024-03-05\ntitle: "Kite day!"\ntags: ["big-trip", "outdoors"]\n'
                           f'mood: 5\nstarred: true\nid: "{kite.uid}"\n')
    assert f"![kite](attachments/{sha[:16]}.png)" in text
    assert (out / "attachments" / f"{sha[:16]}.png").read_bytes() == kit.PNG
    digest = (out / "digests" / "day" / "2024-03-05.md").read_text()
    assert "Flew a kite" in digest and "(../../2024-03-05-kite-day.md)" in digest
    assert "trashed" not in "".join(p.read_text() for p in out.glob("*.md"))


def test_export_refuses_a_folder_that_is_not_a_previous_export(db, tmp_path, kit):
    sample_journal(db, kit)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    with pytest.raises(errors.InvalidInput, match="not empty and is not a previous Lucy export"):
        markdown.export(db, out)
    assert [p.name for p in out.iterdir()] == ["thesis.docx"]


def test_exporting_again_replaces_the_previous_export_and_keeps_other_files(db, tmp_path, kit):
    _, untitled = sample_journal(db, kit)
    out = tmp_path / "export"
    markdown.export(db, out)
    (out / "my-notes.txt").write_text("mine")
    entries.trash(db, untitled.id)
    assert markdown.export(db, out)["entries"] == 2
    assert not (out / "2024-03-06-no-title-here.md").exists()
    assert (out / "my-notes.txt").read_text() == "mine"


def test_a_markdown_export_imports_into_a_new_journal(db, tmp_path, kit):
    sample_journal(db, kit)
    out = tmp_path / "export"
    markdown.export(db, out)
    with Journal.open(tmp_path / "copy.db") as copy:
        summary = do_import(copy.db, out)
        assert summary == {"added": 3, "updated": 0, "skipped": 0, "attachments": 1}

        def fields(e):
            return (e.uid, e.day, e.title, e.body, e.tags, e.mood, e.starred, e.created_at)

        assert sorted(map(fields, entries.list_entries(copy.db))) == sorted(map(fields, entries.list_entries(db)))
        assert do_import(copy.db, out)["added"] == 0


FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
md_text = st.lists(
    st.sampled_from(["---", "...", "# Title", "tags: [a, b", "tags:", "  - x", "- y", "date: 2024-03-05",
                     "date: 2024-13-45", "mood: 9", "id: 7", "title: 'x", "![[a.png]]", "![](../../etc/passwd)",
                     "#tag", "key: \"unterminated", "  nested: 1", "starred: yes", ""])
    | st.text(alphabet=string.printable, max_size=30),
    max_size=10,
).map("\n".join)


@FUZZ
@given(text=md_text | st.text(max_size=200), name=st.sampled_from(["2024-03-05.md", "notes.md", "01-02-2024.md"]))
def test_fuzz_any_file_gives_entries_or_import_failed(db, tmp_path, text, name):
    folder = tmp_path / "fuzz"
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        do_import(db, folder)
    except errors.ImportFailed:
        pass
