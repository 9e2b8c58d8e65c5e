"""Questions about topics a diary never mentions: the right answer is "nothing recorded".

The topics are a fixed list written for this purpose (below), not drawn from any data set.
For each diary (a LoCoMo conversation) every topic whose words appear nowhere in it is
asked about once, in a question shaped like the diary's own questions and naming one of
its people — so a refusal must come from the topic, not from an unknown name. Which
template and which person a topic gets is fixed by the topic's position in the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: (verb phrase, the words that must be absent from the diary for the topic to be used)
TOPICS: tuple[tuple[str, str], ...] = (
    ("go skydiving", "skydiving skydive parachute"),
    ("play the bagpipes", "bagpipes bagpipe"),
    ("learn to juggle", "juggle juggling"),
    ("visit Antarctica", "antarctica antarctic"),
    ("climb a volcano", "volcano volcanoes"),
    ("adopt a ferret", "ferret ferrets"),
    ("buy a submarine", "submarine"),
    ("build a treehouse", "treehouse"),
    ("fly in a hot air balloon", "balloon balloons"),
    ("go ice fishing", "ice fishing"),
    ("learn Mandarin", "mandarin chinese"),
    ("break a leg skiing", "skiing ski"),
    ("win a chess tournament", "chess"),
    ("go scuba diving", "scuba diving"),
    ("visit the pyramids", "pyramids pyramid egypt"),
    ("get a tattoo of a dragon", "tattoo dragon"),
    ("sell the motorbike", "motorbike motorcycle"),
    ("go bungee jumping", "bungee"),
    ("run for mayor", "mayor"),
    ("see the northern lights", "aurora northern"),
    ("lose a wallet on the train", "wallet"),
    ("plant an orchard", "orchard"),
    ("keep bees", "bees beekeeping hive"),
    ("learn the harp", "harp"),
    ("go to a rodeo", "rodeo"),
    ("take up fencing", "fencing"),
    ("visit a lighthouse", "lighthouse"),
    ("ride a camel", "camel camels"),
    ("join a choir", "choir"),
    ("try archery", "archery arrow"),
    ("buy a telescope", "telescope astronomy"),
    ("go to the opera", "opera"),
    ("fix the boiler", "boiler"),
    ("knit a sweater", "knit knitting sweater"),
    ("go caving", "caving cave caves"),
    ("win the lottery", "lottery"),
    ("meet an astronaut", "astronaut"),
    ("learn to sail", "sail sailing sailboat"),
    ("brew beer at home", "brew brewing beer"),
    ("visit Iceland", "iceland"),
    ("go to a wine tasting", "wine tasting"),
    ("repair a clock", "clock"),
    ("adopt a tortoise", "tortoise"),
    ("sing karaoke", "karaoke"),
    ("go paragliding", "paragliding"),
    ("collect stamps", "stamps stamp"),
    ("take a pottery class", "pottery clay ceramics"),
    ("go whale watching", "whale whales"),
    ("buy a vineyard", "vineyard"),
    ("play the trombone", "trombone"),
    ("go snowboarding", "snowboarding snowboard"),
    ("ride a gondola in Venice", "gondola venice"),
    ("train for a triathlon", "triathlon"),
    ("write a sonnet", "sonnet"),
    ("go falconry", "falconry falcon"),
    ("make sushi", "sushi"),
    ("visit a glacier", "glacier glaciers"),
    ("get stung by a jellyfish", "jellyfish"),
    ("learn to fly a plane", "pilot aeroplane airplane"),
    ("go to a masquerade ball", "masquerade"),
    ("bury the parmesan cheese", "parmesan cheese"),
    ("catch a fever", "fever flu sick ill"),
)

TEMPLATES = (
    "When did {who} {what}?",
    "Why did {who} {what}?",
    "How did {who} feel when they tried to {what}?",
    "Where did {who} {what}?",
    "Who did {who} {what} with?",
    "What happened when {who} tried to {what}?",
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def questions(diary_text: str, people: Iterable[str]) -> list[str]:
    """Questions about every topic the diary never mentions, naming its ``people`` in turn."""
    people = list(people) or ["I"]
    present = _words(diary_text)
    out = []
    for n, (what, guard) in enumerate(TOPICS):
        if present & _words(guard):
            continue
        who = people[n % len(people)]
        out.append(TEMPLATES[n % len(TEMPLATES)].format(who=who, what=what))
    return out
