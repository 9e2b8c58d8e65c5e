from __future__ import annotations

from lucy_app.core.digests import citations
from lucy_app.core.digests.model import Bullet

SOURCES = {
    12: "We walked to the old stone bridge with Maya. The river was high after the rain.",
    15: "Dinner was lentil soup at Café Lumen with Priya.",
}


def test_an_invented_id_is_dropped_and_counted():
    out = citations.check(citations.parse_bullets(
        "- We walked to the old bridge with Maya [#12, #99].\n"
        "- Had lentil soup with Priya at Café Lumen [#77]"), SOURCES)
    assert out.dropped_citations == 2
    # the second bullet lost its only (invented) id but is grounded in entry 15
    assert out.bullets == [Bullet("We walked to the old bridge with Maya.", (12,)),
                           Bullet("Had lentil soup with Priya at Café Lumen", (15,))]


def test_an_unsupported_claim_is_dropped():
    out = citations.check(citations.parse_bullets("- I won the lottery and bought a yacht in Monaco"), SOURCES)
    assert out.bullets == [] and out.dropped_bullets == 1


def test_parse_accepts_the_shapes_models_write():
    parsed = citations.parse_bullets("1. First thing here [#3]\n* Second thing there [ #4 ,#5 ]\n\nThird line here [12]")
    assert parsed == [("First thing here", [3]), ("Second thing there", [4, 5]), ("Third line here", [12])]


def test_a_bullet_that_copies_an_earlier_ones_opening_sentence_is_a_repeat():
    from lucy_app.core.digests.citations import distinct

    texts = [
        "Bought timber for the allotment shed and borrowed Tom's drill. At work I sorted out the contractor schedule.",
        "Bought timber for the allotment shed and borrowed Tom's drill. In the evening I took Biscuit for a walk.",
        "Gave the speech at Maya's wedding rehearsal dinner.",
        "Went to the allotment. It rained.",  # a short opening is not enough to call it a repeat
        "Went to the allotment. Planted garlic with Sam.",
    ]
    assert distinct(texts) == [0, 2, 3, 4]
