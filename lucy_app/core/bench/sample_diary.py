"""A generated diary: deterministic, plausible, and as long as you like.

Benchmarks, tests, the README screenshot and the self-test use it. The same arguments give
the same entries byte for byte on any machine. One entry a day of about 300 words, written
by one person with a stable cast (a partner, friends, family, a dog), a job with projects
that change over the years, seasonal habits (the allotment in spring, the lake in summer,
apples in autumn, skiing in winter), a trip abroad each year and the holidays — so that
"what happened last spring?" has a real answer.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

DEFAULT_END = date(2026, 11, 24)


@dataclass(frozen=True)
class SampleEntry:
    day: date
    title: str
    body: str
    tags: tuple[str, ...]
    mood: int


FRIENDS = ["Maya", "Tom", "Priya", "Jonas", "Aiko", "Ben"]
FAMILY = ["Mum", "Dad", "my brother Leo", "Grandma Rose"]
COLLEAGUES = ["Dr. Okafor", "Lena", "Marcus", "Ines"]
CAFES = ["Café Lumen", "the bakery on Elm Street", "the little Greek place", "the market stall"]
BOOKS = ["The Left Hand of Darkness", "Middlemarch", "Braiding Sweetgrass", "The Overstory",
         "Piranesi", "A Gentleman in Moscow", "The Remains of the Day", "Pachinko",
         "The Dispossessed", "Station Eleven", "Klara and the Sun", "The Hobbit"]
DISHES = ["lentil soup", "a mushroom risotto", "tacos", "pasta with pesto", "a curry",
          "roast vegetables", "dumplings", "a big salad", "shakshuka", "ramen"]
PROJECTS = {  # year -> the work project of that year
    2016: "the library catalogue", 2017: "the library catalogue", 2018: "the river bridge survey",
    2019: "the river bridge survey", 2020: "the flood-map app", 2021: "the flood-map app",
    2022: "the school solar roofs", 2023: "the school solar roofs", 2024: "the harbour redesign",
    2025: "the harbour redesign", 2026: "the city tree census",
}
TRIPS = {  # year -> (month, city, things to do there)
    2016: (5, "Edinburgh", ["climbed Arthur's Seat", "walked the Royal Mile"]),
    2017: (6, "Copenhagen", ["cycled along the harbour", "ate smørrebrød at Torvehallerne"]),
    2018: (9, "Rome", ["saw the Pantheon at dawn", "ate cacio e pepe in Trastevere"]),
    2019: (4, "Lisbon", ["rode tram 28 up to Alfama", "ate pastéis de nata in Belém"]),
    2020: (8, "the Lake District", ["hiked up Helvellyn", "swam in Buttermere"]),
    2021: (9, "Cornwall", ["walked the coast path to St Ives", "ate pasties on the harbour wall"]),
    2022: (5, "Kyoto", ["walked through the Fushimi Inari gates", "saw the moss garden"]),
    2023: (6, "Oslo", ["visited the opera house roof", "took the ferry to Hovedøya"]),
    2024: (4, "Seville", ["watched flamenco in Triana", "saw the Alcázar gardens"]),
    2025: (9, "Vienna", ["heard a concert at the Musikverein", "ate Sachertorte"]),
    2026: (5, "Porto", ["crossed the Dom Luís bridge", "tasted port in Gaia"]),
}
SEASON_ACTIVITIES = {
    "spring": [
        ("allotment", "spent the afternoon at the allotment planting {veg}"),
        ("walks", "walked under the cherry blossom in the park with {friend}"),
        ("cycling", "cycled {km} km along the river path with Sam"),
        ("home", "did a big spring clean and gave three bags of clothes away"),
    ],
    "summer": [
        ("swimming", "swam in the lake with {friend} until the sun went down"),
        ("camping", "went camping by the reservoir with Sam and Biscuit"),
        ("music", "went to the open-air concert in the park with {friend}"),
        ("allotment", "picked {veg} at the allotment; far too much of it again"),
    ],
    "autumn": [
        ("apples", "went apple picking at the orchard with {family}"),
        ("foraging", "went mushroom foraging in the woods with {friend}"),
        ("running", "ran {km} km for the marathon training plan"),
        ("baking", "baked an apple cake with {family}"),
    ],
    "winter": [
        ("skiing", "went cross-country skiing on the hill trail with Sam"),
        ("reading", "stayed in with a blanket and read {book}"),
        ("friends", "had {friend} over for soup and a board game"),
        ("walks", "took Biscuit for a frosty walk along the canal"),
    ],
}
VEG = ["potatoes", "broad beans", "tomatoes", "courgettes", "peas", "garlic", "runner beans"]
WEATHER = {
    "spring": ["a bright, breezy morning", "soft rain all morning", "the first warm day of the year",
               "grey skies clearing by noon"],
    "summer": ["a hot, still morning", "a thunderstorm at dawn", "sunshine from early on",
               "a muggy, overcast day"],
    "autumn": ["fog over the river", "a crisp, golden morning", "wind and falling leaves",
               "rain drumming on the windows"],
    "winter": ["frost on the car", "a dark, wet morning", "snow in the night", "a clear, icy day"],
}
WORK = [
    "At work on {project} I {task}.",
    "Work was mostly {project}: I {task}, and {colleague} helped me untangle the numbers.",
    "Long meeting about {project} with {colleague}; in the end I {task}.",
    "Quiet day at the office. I {task} for {project} and cleared my inbox.",
]
TASKS = ["finished the draft report", "fixed the broken data import", "presented the plan to the council",
         "rewrote the budget spreadsheet", "mapped the last two districts", "interviewed three residents",
         "reviewed {colleague}'s design", "sorted out the contractor schedule"]
EVENINGS = [
    "In the evening I {activity}.",
    "After work I {activity}, which was exactly what I needed.",
    "Later I {activity}; Biscuit was delighted.",
]
DINNERS = ["Sam cooked {dish} and we ate by the window.", "We made {dish} together and talked about the week.",
           "Dinner was {dish} at {cafe} with {friend}.", "I made {dish}; not my best, but Sam was kind about it."]
REFLECTIONS = {
    1: ["I felt low all day and could not say why.", "A hard day; I am glad it is over."],
    2: ["Tired and a bit flat today.", "Worried about {worry}, which kept me up."],
    3: ["An ordinary day, and that is fine.", "Nothing special, but steady."],
    4: ["A good day. I felt like myself.", "Grateful for {friend} and for the light in the evening."],
    5: ["One of those days I want to remember.", "I laughed more today than in weeks."],
}
WORRIES = ["money", "Dad's knee operation", "the deadline for {project}", "the leak in the roof",
           "Grandma Rose's health", "whether to look for a new job"]
MORNING_DETAILS = [
    "The radio said the trains were delayed again.", "Sam was already up, humming in the kitchen.",
    "The sky over the harbour was a strange pale green.", "I read the news for five minutes and then stopped.",
    "Biscuit barked at the postman, as is tradition.", "There was a blackbird singing on the aerial.",
    "I did ten minutes of stretching and felt very virtuous.", "Toast, marmalade, and the crossword.",
    "The street smelled of cut grass and rain.", "I forgot my umbrella and regretted it by nine.",
    "{friend} texted early to say good morning and send a terrible pun.",
    "The kettle is on its last legs; it sounds like a jet engine.",
]
WORK_DETAILS = [
    "{colleague} and I sketched the next steps on the whiteboard.", "Lunch was a sandwich at my desk, again.",
    "The council wants a summary by Friday, which is optimistic.", "I spent an hour on a spreadsheet that refused to add up.",
    "A resident called to thank us, which made the week.", "We had a short walk round the block to think.",
    "The new intern asked good questions about {project}.", "My manager liked the draft, with a dozen comments.",
    "The data from the field team finally arrived.", "Half the meeting was about the coffee machine.",
]
EVENING_DETAILS = [
    "The evening light was gold on the water.", "We talked about the summer and where we might go.",
    "Biscuit fell asleep on my feet.", "We watched half a film and fell asleep on the sofa.",
    "I wrote a long message to {friend} that I may never send.", "The flat was warm and smelled of cooking.",
    "We played cards and Sam cheated, cheerfully.", "I ironed shirts while listening to a play on the radio.",
    "A neighbour's party went on late; we did not mind.", "We planned the garden for next year on the back of an envelope.",
]
THOUGHTS = [
    "I have been thinking about how little time I spend outside without a reason.",
    "It strikes me that the best days are rarely the planned ones.",
    "I want to be more patient with Mum; she worries because she cares.",
    "Should I ask for fewer hours at work? I keep coming back to it.",
    "Sam and I are good at the ordinary days, and I am proud of that.",
    "I miss the sea when I have not seen it for a week.",
    "I should write to {friend} properly, not just send links.",
    "Money is tight this month but we are fine.",
    "I would like to learn to play the piano before I am forty.",
    "The older I get, the more I like quiet evenings.",
    "Writing this down helps me notice the small things.",
    "I keep a list of books to read and it only ever grows.",
    "Maybe next year we should go somewhere without a plan.",
    "I am trying to worry less about things I cannot change.",
    "Grandma Rose says the secret is to keep busy and keep kind.",
    "Work feels meaningful when I can see the streets we are changing.",
    "I am tired but it is the good kind of tired.",
    "There is always one more thing to fix in the flat.",
    "I want to remember how Biscuit looks when he sleeps in the sun.",
    "Sometimes I feel I am waiting for my real life to start, and then I remember this is it.",
]
READING = ["Read a few chapters of {book} before bed.", "Started {book}; so far I love it.",
           "Finished {book} at last.", "Fell asleep over {book}."]


def season_of(day: date) -> str:
    return {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
            6: "summer", 7: "summer", 8: "summer"}.get(day.month, "autumn")


def generate(n_days: int = 3650, *, end: date = DEFAULT_END, seed: int = 7) -> Iterator[SampleEntry]:
    """``n_days`` entries, one a day, ending on ``end``."""
    start = end - timedelta(days=n_days - 1)
    for i in range(n_days):
        day = start + timedelta(days=i)
        arcs = _month_arcs(day, seed)
        yield _entry(day, random.Random(f"{seed}:{day.isoformat()}"), arcs)


def _month_arcs(day: date, seed: int) -> list[tuple]:
    rng = random.Random(f"{seed}:arcs:{day.year}-{day.month}")
    return rng.sample(ARCS, 2)


def _arc_paragraph(day: date, arcs: list[tuple], rng: random.Random) -> tuple[str, str] | None:
    """The storyline news of the day, if any: (tag, text)."""
    if rng.random() > 0.45:
        return None
    arc = arcs[0] if day.day <= 15 else arcs[1]
    _, tag, begin, middle, end = arc
    offset = (day.day - 1) % 15
    if offset <= 2:
        return tag, begin
    if offset >= 12:
        return tag, end
    return tag, middle[offset % len(middle)]


def _entry(day: date, rng: random.Random, arcs: list[tuple]) -> SampleEntry:
    season = season_of(day)
    year = day.year
    project = PROJECTS.get(year, PROJECTS[min(PROJECTS, key=lambda y: abs(y - year))])
    friend = rng.choice(FRIENDS)
    slots = {
        "friend": friend,
        "family": rng.choice(FAMILY),
        "colleague": rng.choice(COLLEAGUES),
        "cafe": rng.choice(CAFES),
        "book": rng.choice(BOOKS),
        "dish": rng.choice(DISHES),
        "veg": rng.choice(VEG),
        "km": rng.choice([5, 8, 10, 12, 15, 21]),
        "project": project,
    }
    slots["worry"] = rng.choice(WORRIES).format(**slots)
    slots["task"] = rng.choice(TASKS).format(**slots)
    tags: set[str] = set()
    special = _special_day(day, rng, slots)
    weekend = day.weekday() >= 5
    mood = rng.choices([1, 2, 3, 4, 5], weights=[1, 3, 6, 6, 3])[0]

    paragraphs = []
    opening = f"Woke up to {rng.choice(WEATHER[season])}. "
    opening += rng.choice([
        "Coffee on the balcony while Biscuit watched the birds.",
        "Took Biscuit round the block before breakfast.",
        "Porridge with honey and the radio on.",
        "Slept badly, so the first coffee was a rescue.",
    ])
    opening += " " + " ".join(rng.sample(MORNING_DETAILS, 2)).format(**slots)
    paragraphs.append(opening)
    if special:
        title, text, special_tags, mood = special
        paragraphs.append(text.format(**slots))
        tags.update(special_tags)
    else:
        title = None
    if not weekend and not special:
        paragraphs.append(rng.choice(WORK).format(**slots) + " " + rng.choice([
            f"{slots['colleague']} brought cake for no reason.",
            "The printer jammed twice, as usual.",
            f"We agreed the next milestone for {project} is at the end of the month.",
            "I left on time for once.",
        ]) + " " + " ".join(rng.sample(WORK_DETAILS, 2)).format(**slots))
        tags.add("work")
    news = _arc_paragraph(day, arcs, rng)
    if news:
        paragraphs.append(news[1])
        tags.add(news[0])
    tag, activity = rng.choice(SEASON_ACTIVITIES[season])
    activity = activity.format(**slots)
    paragraphs.append(rng.choice(EVENINGS).format(activity=activity) + " " + rng.choice(DINNERS).format(**slots)
                      + " " + " ".join(rng.sample(EVENING_DETAILS, 2)).format(**slots))
    tags.add(tag)
    if rng.random() < 0.5:
        paragraphs.append(rng.choice(READING).format(**slots))
        tags.add("reading")
    paragraphs.append(rng.choice(REFLECTIONS[mood]).format(**slots) + " " + rng.choice([
        f"Texted {friend} to plan the weekend.",
        "Tomorrow I want to get up earlier.",
        "Sam says I should write more of these down, so here I am.",
        f"Called {slots['family']} for half an hour.",
        "Note to self: water the plants.",
    ]))
    paragraphs.append(" ".join(rng.sample(THOUGHTS, 3)).format(**slots))
    body = "\n\n".join(paragraphs)
    body = _pad(body, rng, slots, season)
    if title is None and news and rng.random() < 0.5:
        title = news[1].split(".")[0][:60]
    if title is None:
        title = _title(activity, season, rng)
    return SampleEntry(day=day, title=title, body=body, tags=tuple(sorted(tags)), mood=mood)


# Storylines: each month two of these run through the diary, so a month or a season has
# something to tell. Each has a beginning, middle notes and an end, told in that order.
ARCS = [
    ("boiler", "home",
     "The boiler broke this morning, so cold showers until the plumber can come. Sam boiled kettles for the washing-up.",
     ["Still no hot water. The plumber says the part has to come from Leeds.",
      "The plumber came and went; the part was the wrong one. We are getting good at kettles."],
     "The boiler works again! A hot bath felt like a holiday. The bill was 340 pounds."),
    ("maya-wedding", "friends",
     "Maya told us she is getting married in the autumn and asked me to give a speech. I said yes before thinking.",
     ["Helped Maya choose invitations; she wants everything in dark green.",
      "Wrote half of the speech for Maya's wedding and deleted most of it."],
     "Gave the speech at Maya's wedding rehearsal dinner. People laughed in the right places."),
    ("leo-visit", "family",
     "Leo phoned to say he is coming down from Glasgow for a week. I aired out the spare room.",
     ["Leo arrived with a rucksack and a bag of tablet from Grandma Rose. We stayed up talking.",
      "Showed Leo the river path and the harbour; he liked the old swing bridge best."],
     "Took Leo to the station. The flat feels very quiet without him."),
    ("dad-knee", "family",
     "Dad's knee operation is booked. He pretends not to be nervous.",
     ["Drove Mum to the hospital to see Dad after his operation; he was cracking jokes.",
      "Dad is walking with a stick now and complaining about the physio."],
     "Dad walked to the end of the street and back without the stick. Mum sent a video."),
    ("choir", "music",
     "Joined the community choir at the church hall. I am a very uncertain alto.",
     ["Choir practice: we are learning a Welsh song and I cannot pronounce any of it.",
      "Practised the choir piece in the kitchen; Biscuit left the room."],
     "The choir concert went well! Mum cried, Sam filmed the whole thing."),
    ("biscuit-vet", "biscuit",
     "Biscuit has been limping, so we took him to the vet. Probably a sprain.",
     ["Biscuit is on short walks only and is very offended about it.",
      "The vet says Biscuit is healing well; he must stay off the stairs."],
     "Biscuit ran on the beach again today, all four legs working. Relief."),
    ("kitchen-paint", "home",
     "Decided to repaint the kitchen. We picked a colour called 'Morning Sage'.",
     ["Spent the evening taping the kitchen edges. Painting is mostly taping.",
      "First coat of paint done in the kitchen; it looks patchy but promising."],
     "The kitchen is finished and it looks wonderful. We had Priya over to admire it."),
    ("novel", "writing",
     "Started writing a short story about a lighthouse keeper who collects lost letters.",
     ["Wrote 800 words of the lighthouse story before work.",
      "Stuck on the lighthouse story; the keeper needs a reason to leave."],
     "Finished the first draft of the lighthouse story: 6,000 words. Sent it to Aiko to read."),
    ("running-race", "running",
     "Signed up for the 10 km river race with Jonas. Training starts tomorrow.",
     ["Ran 6 km with Jonas before work. My lungs disagreed.",
      "Interval training with Jonas; I am getting faster."],
     "Ran the river race in 52 minutes, a personal best! Jonas beat me by a minute."),
    ("priya-baby", "friends",
     "Priya told us she is expecting a baby in the spring. We are going to be honorary aunts and uncles.",
     ["Knitted a very lopsided hat for Priya's baby.",
      "Helped Priya build a cot; the instructions were mostly pictures."],
     "Priya had a baby girl called Noor! Mother and daughter are well."),
    ("garden-shed", "allotment",
     "The allotment shed roof blew off in the wind. We found half of it in the next plot.",
     ["Bought timber for the allotment shed and borrowed Tom's drill.",
      "Fixed the shed roof with Tom; only one thumb hit."],
     "The allotment shed is dry again. Celebrated with tea from the flask."),
    ("spanish", "learning",
     "Started an evening class in Spanish at the college. Our teacher is called Carmen.",
     ["Spanish class: the past tense is going to be the end of me.",
      "Ordered coffee in Spanish at the market stall; the man answered in English."],
     "Passed the Spanish class test with 78 percent. Carmen gave us churros."),
    ("tom-band", "music",
     "Tom's band has a gig at the Crown next month. He is nervous and pretends not to be.",
     ["Went to watch Tom's band rehearse in a garage. Loud.",
      "Made a poster for Tom's gig and put it up at Café Lumen."],
     "Tom's band played at the Crown and the room was full. We danced until midnight."),
    ("flat-hunt", "home",
     "Our landlord is selling, so we need to think about moving. Looked at listings all evening.",
     ["Viewed a flat near the park; small but full of light.",
      "Spoke to the bank about a mortgage. Lots of forms."],
     "Our offer was accepted! We will have a place of our own."),
]


def _special_day(day: date, rng: random.Random, slots: dict) -> tuple[str, str, set[str], int] | None:
    """Holidays, birthdays, the yearly trip and a few life events."""
    md = (day.month, day.day)
    if md == (12, 25):
        return ("Christmas", "Christmas at Mum and Dad's. Leo burnt the parsnips again, Grandma Rose won at cards, "
                "and we walked Biscuit along the frozen canal after lunch.", {"christmas", "family"}, 5)
    if md == (12, 31):
        return ("New Year's Eve", "New Year's Eve at {friend}'s flat; we watched the fireworks from the roof "
                "and wrote our wishes for the year on paper boats.", {"new-year", "friends"}, 4)
    if md == (1, 1):
        return ("New Year's Day", "A slow New Year's Day. Long walk by the sea with Sam, then soup and a film.",
                {"new-year"}, 4)
    if md == (3, 14):
        return ("Mum's birthday", "Mum's birthday: we took her to {cafe} and Leo gave a terrible speech that "
                "made everyone cry laughing.", {"birthday", "family"}, 5)
    if md == (7, 2):
        return ("Sam's birthday", "Sam's birthday. I baked a lemon cake and we had a picnic by the lake with "
                "{friend} and Priya.", {"birthday"}, 5)
    trip = TRIPS.get(day.year)
    if trip and day.month == trip[0] and 10 <= day.day <= 16:
        _, city, things = trip
        thing = things[day.day % len(things)]
        return (f"{city}", f"Day {day.day - 9} in {city} with Sam. We {thing}, then got happily lost. "
                f"I want to remember the light in {city} in the late afternoon.", {"travel"}, rng.choice([4, 5]))
    if day.year == 2021 and day.month == 6 and day.day in (5, 6, 7):
        return ("Moving house", "Moving day(s): boxes everywhere. The new flat by the park has a balcony and a "
                "proper kitchen; Biscuit approves.", {"home", "moving"}, 3)
    if day.year == 2020 and day.month == 3 and day.day >= 20:
        return (None, "Working from home again. The city is so quiet; I called {family} and we talked for an hour.",
                {"home"}, 2)
    if day.year == 2024 and day.month == 2 and 5 <= day.day <= 9:
        return ("Flu", "Still in bed with the flu. Sam brought soup and {friend} sent silly videos.", {"health"}, 1)
    if day.year == 2026 and day.month == 4 and day.day == 21:
        return ("New job offer", "The city offered me the lead role on the tree census. I said yes! "
                "{colleague} says it's overdue.", {"work", "career"}, 5)
    return None


def _title(activity: str, season: str, rng: random.Random) -> str:
    words = activity.split()
    phrase = " ".join(words[:6]).rstrip(",;")
    return phrase[0].upper() + phrase[1:] if rng.random() < 0.7 else f"{'An' if season == 'autumn' else 'A'} {season} day"


_FILLERS = [
    "The neighbours' cat sat on our wall for most of the afternoon, judging everyone.",
    "I keep meaning to fix the squeaky hinge on the kitchen door.",
    "{friend} sent a photo of their new bike; it is bright orange.",
    "Paid the electricity bill and sorted the recycling.",
    "There was a long queue at the post office, so I read on my phone.",
    "Sam and I talked about where we might be in five years.",
    "Biscuit found a tennis ball in the hedge and would not let it go.",
    "I noticed the {veg} at the market were half the usual price.",
    "Listened to an old album I had forgotten about and sang along badly.",
    "Wrote a letter to Grandma Rose and posted it on the way home.",
    "The bus was late, so I walked and was glad of it.",
    "Made a list of things to do this weekend; it is already too long.",
    "Watered the basil on the windowsill, which is thriving against all odds.",
    "{colleague} recommended a podcast about city planning that I liked.",
    "Found a fox asleep under the hedge at the bottom of the garden.",
    "The heating clicked on for the first time in ages and the whole flat smelled of dust.",
    "Bought flowers from the market for no reason at all.",
    "My phone died at lunchtime and I did not miss it.",
    "Sam fixed the wobbly chair with a folded beer mat, which counts as carpentry.",
    "Saw a heron standing very still on the weir.",
    "Had a long chat with the woman at the bakery about sourdough.",
    "Cleared out the fridge and found a jar of something mysterious.",
    "The library book is overdue again; I owe them 80 pence.",
    "{friend} and I swapped voice notes about nothing for an hour.",
    "Spent too long choosing a birthday card for {family}.",
    "A parcel came for the neighbours and I am now its guardian.",
    "Tried a new route to work past the old mill.",
    "Sat on the bench by the harbour and watched the boats come in.",
    "Lost my keys, found them in the fridge.",
    "The roses by the front door are doing their best.",
]


def _pad(body: str, rng: random.Random, slots: dict, season: str, target: int = 295) -> str:
    """Add small everyday sentences until the entry is about ``target`` words."""
    count = len(body.split())
    extra = []
    pool = list(_FILLERS)
    rng.shuffle(pool)
    for sentence in pool[:10]:
        if count >= target:
            break
        s = sentence.format(**slots)
        extra.append(s)
        count += len(s.split())
    if extra:
        body += "\n\n" + " ".join(extra)
    return body
