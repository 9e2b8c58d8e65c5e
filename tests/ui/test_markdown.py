"""Citations as links, attachment references, and finding a bullet's sentence in an entry."""

from __future__ import annotations

from lucy_app.ui.drilldown import find_passage
from lucy_app.ui.html_view import href, parse
from lucy_app.ui.markdown import attachment_ref, attachment_shas, cited_ids, link_citations


def test_citations_become_links():
    text = "We swam in the lake. [5 Mar 2026 · #12; 6 Mar 2026 · #13] Then home [#14]."
    html = link_citations(text)
    assert html.count('href="entry:') == 3
    assert cited_ids(text) == [12, 13, 14]
    assert link_citations("no citations [here]") == "no citations [here]"


def test_links_round_trip_with_awkward_quotes():
    kind, ident, query = parse(href("entry", 7, q="50% & more #tags + ‘quotes’", s=3).replace("&amp;", "&"))
    assert (kind, ident, query) == ("entry", 7, {"q": "50% & more #tags + ‘quotes’", "s": "3"})


def test_attachment_references():
    sha = "ab" * 32
    assert attachment_shas(f"x {attachment_ref(sha, 'a [view]')} y") == [sha]


def test_find_passage_exact_and_fuzzy():
    body = "Morning rain. We walked to the old bridge with Maya and talked about Lisbon. Dinner was soup."
    s, e = find_passage(body, "We walked to the old bridge with Maya and talked about Lisbon.")
    assert body[s:e].startswith("We walked")
    s, e = find_passage(body, "A walk to the old bridge with Maya")
    assert "bridge" in body[s:e]
    assert find_passage(body, "Skiing in the Alps") is None
