"""A small number grammar for news: crowd sizes, fatalities, injuries and arrests.

Quantities are read with their hedge ("some 3,000", "more than 1,000", "between 200 and 500",
"nearly 10,000", "a thousand", "dozens") and attached to the noun or verb next to them. The coding
conventions are those of ../shared/eval/EVENTS-GOLD.md:

    "some 3,000" → (3000, 3000)       "between 200 and 500" → (200, 500)
    "more than / over / at least N" → (N, None)
    "nearly / up to / as many as N" → (None, N)
    vague words ("hundreds", "a crowd") → no number for crowds; "several" → 3 for casualties and arrests
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "lakh": 100_000, "million": 1_000_000}
# Vague amounts: only casualty and arrest counts take a figure for them (EVENTS-GOLD: "several" → 3).
_VAGUE = {"several": 3, "a few": 3, "a couple of": 2, "a dozen": 12, "dozens": None, "scores": None,
          "hundreds": None, "thousands": None, "tens of thousands": None, "many": None}
# Absurd figures are not numbers we believe ("10^20 protesters"); the largest recorded crowds are ~1e7.
MAX_PLAUSIBLE = 50_000_000
# ACLED: a demonstration has three or more people; a smaller figure is not a crowd size.
MIN_CROWD = 3

_WORD = "|".join(sorted([*_UNITS, *_TENS], key=len, reverse=True))
_WORD_NUM = (rf"(?:(?:{_WORD})(?:[\s-](?:{_WORD}))?(?:\s+(?:hundred|thousand|lakh|million))*"
             r"|an?\s+(?:hundred|thousand|million))")
_DIGITS = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*(?:hundred|thousand|lakh|million))?"
_NUM = rf"(?:{_DIGITS}|{_WORD_NUM})"
_VAGUE_RE = "|".join(re.escape(v) for v in sorted(_VAGUE, key=len, reverse=True))
_LOW_ONLY = r"more\s+than|over|at\s+least|upwards\s+of|in\s+excess\s+of|above"
_HIGH_ONLY = r"nearly|almost|as\s+many\s+as|up\s+to|close\s+to|fewer\s+than|less\s+than|under"
_ABOUT = r"some|about|around|approximately|roughly|an\s+estimated|estimated|an\s+approximate"

QUANTITY = re.compile(
    rf"(?<![\w.,^])(?:"
    rf"between\s+(?P<a>{_NUM})\s+and\s+(?P<b>{_NUM})"
    rf"|(?P<c>{_DIGITS})\s*(?:-|to|–)\s*(?P<d>{_DIGITS})"
    rf"|(?:(?P<mod>{_LOW_ONLY}|{_HIGH_ONLY}|{_ABOUT})\s+)?(?P<n>{_NUM})"
    rf"|(?P<vague>{_VAGUE_RE})"
    rf")(?![\w^]|[.,]\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Quantity:
    start: int
    end: int
    low: int | None
    high: int | None
    vague: bool = False  # "several", "dozens": no exact figure was given


def word_to_int(text: str) -> int | None:
    """'3,000' → 3000, 'a thousand' → 1000, 'twenty-five' → 25, '1.5 million' → 1500000."""
    t = text.lower().replace(",", "").strip()
    digits = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(hundred|thousand|lakh|million)?", t)
    if digits:
        value = float(digits.group(1)) * (_SCALES[digits.group(2)] if digits.group(2) else 1)
        return int(value) if value <= MAX_PLAUSIBLE else None
    total, current = 0, 0
    for word in re.split(r"[\s-]+", t):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in ("a", "an"):
            current += 1
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            current = max(current, 1) * _SCALES[word]
            if _SCALES[word] >= 1000:
                total, current = total + current, 0
        elif word != "and":
            return None
    value = total + current
    return value if 0 < value <= MAX_PLAUSIBLE else None


# "March 3", "Jan. 2 -": a number right after a month name is a day of the month (a dateline's, often),
# never a count, and nor is a range of days ("May 3-5").
_MONTH_BEFORE = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|"
    r"jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\s+$",
    re.IGNORECASE,
)
# "in 2019 students marched": a year after a preposition of time is not a count
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
_YEAR_BEFORE = re.compile(r"\b(?:in|since|during|until|till|before|after)\s+$", re.IGNORECASE)
_DAY = re.compile(r"(?:[1-9]|[12]\d|3[01])(?:\s*(?:-|to|–)\s*(?:[1-9]|[12]\d|3[01]))?")
# How far before a number those words are looked for ("september. " is 11 characters): not the whole text
_CONTEXT_CHARS = 16


def find_quantities(text: str) -> list[Quantity]:
    out: list[Quantity] = []
    for m in QUANTITY.finditer(text):
        before = max(0, m.start() - _CONTEXT_CHARS)  # a month or preposition ends right before the number
        if _DAY.fullmatch(m.group()) and _MONTH_BEFORE.search(text, before, m.start()):
            continue
        if _YEAR.fullmatch(m.group()) and _YEAR_BEFORE.search(text, before, m.start()):
            continue
        if m.group("a"):
            low, high = word_to_int(m.group("a")), word_to_int(m.group("b"))
        elif m.group("c"):
            low, high = word_to_int(m.group("c")), word_to_int(m.group("d"))
            if low is None or high is None or low >= high:
                continue
        elif m.group("n"):
            n = word_to_int(m.group("n"))
            if n is None:
                continue
            mod = re.sub(r"\s+", " ", (m.group("mod") or "").lower())
            if mod and re.fullmatch(_LOW_ONLY, mod):
                low, high = n, None
            elif mod and re.fullmatch(_HIGH_ONLY, mod):
                low, high = None, n
            else:
                low, high = n, n
        else:
            vague_value = _VAGUE[re.sub(r"\s+", " ", m.group("vague").lower())]
            out.append(Quantity(m.start(), m.end(), vague_value, vague_value, vague=True))
            continue
        out.append(Quantity(m.start(), m.end(), low, high))
    return out


# Nouns for the people who take part in a gathering (a crowd size attaches to these).
PARTICIPANTS = (
    r"protesters|protestors|demonstrators|marchers|people|persons|residents|workers|students|farmers|"
    r"miners|supporters|women|men|activists|villagers|employees|teachers|nurses|doctors|traders|"
    r"union\s+members|party\s+members|youths|youngsters|rioters|strikers|pensioners|drivers|citizens|locals|participants|"
    r"opposition supporters|fans|mourners|worshippers|labourers|unionists|vendors|taxi drivers|fishers|"
    r"fishermen|lawyers|journalists|artists|retirees|veterans|parents|mothers|truckers|cyclists|shopkeepers"
)
_CASUALTY_VERBS = (
    r"killed|dead|died|injured|wounded|hurt|arrested|detained|hospitali[sz]ed|burnt|burned|shot|"
    r"stabbed|lynched|missing|displaced|evacuated|rescued|beaten"
)
# up to three words between a number and its noun, none of them a figure: in "3 - about 500 teachers" the
# teachers are 500, not 3
_GAP = r"(?:(?![\d,.]+\s)[\w'’-]+\s+){0,3}?"
_CROWD_AFTER = re.compile(rf"^\s*(?:-?strong\b|{_GAP}(?:{PARTICIPANTS})\b(?!\s+(?:were|was|have been|had been)?\s*(?:{_CASUALTY_VERBS})))",
                          re.IGNORECASE)
# "150 fishers staged a sit-in": any plural noun, when a gathering verb follows it
_CROWD_VERB = re.compile(
    r"^\s+(?:[\w'’-]+\s+){0,2}?[a-z]+(?:s|men|people|folk)\s+(?:had\s+|have\s+)?(?:staged|marched|protested|gathered|"
    r"rallied|demonstrated|held|took\s+part|joined|blocked|occupied|walked\s+out|picketed|assembled|converged)\b",
    re.IGNORECASE,
)
_CROWD_BEFORE = re.compile(r"\b(?:crowds?|mobs?|gatherings?|groups?|throngs?|rally|procession|march)"
                           r"\s+(?:of|numbering|estimated at)\s+$", re.IGNORECASE)
_SWELLED = re.compile(r"\b(?:swell(?:ed)?|swollen|grew|numbered|reached)\s+to\s+$|\bswollen\s+$", re.IGNORECASE)


_PARTITIVE = re.compile(r"^\s+of\s+(?:the|them|those|these|whom|our|their)\b", re.IGNORECASE)  # "one of the protesters"


@dataclass(frozen=True, slots=True)
class Counts:
    crowd_size_low: int | None = None
    crowd_size_high: int | None = None
    fatalities: int | None = None
    injuries: int | None = None
    arrests: int | None = None


_PERSON = r"(?:[\w'’-]+\s+){0,3}?(?:people|persons|person|man|woman|boy|girl|youth|child|policeman|protesters|protestors|demonstrators|policemen|" \
          r"police(?:\s+officers)?|officers|men|women|children|youths|students|workers|villagers|" \
          r"residents|rioters|miscreants|members|activists|civilians|pilgrims|passengers|others|" \
          r"supporters|of\s+them|of\s+whom|[a-z]+(?:s|men))"
_AUX = r"(?:\s+(?:were|was|have\s+been|had\s+been|has\s+been|are|got|reportedly|also|later|allegedly))*"
_COUNT_VERBS = {
    "fatalities": r"killed|dead|died|burnt\s+to\s+death|burned\s+to\s+death|burnt\s+alive|burned\s+alive|"
                  r"shot\s+dead|lynched|hacked\s+to\s+death|lost\s+their\s+lives|succumbed|perished",
    "injuries": r"injured|wounded|hurt|hospitali[sz]ed|beaten\s+up|sustained\s+injuries|with\s+(?:burn\s+)?injuries",
    "arrests": r"arrested|detained|held(?!\s+(?:a|an|the|their|its|his|her|up|out|talks)\b)|taken\s+into\s+custody|rounded\s+up|picked\s+up|nabbed",
}
_COUNT_NOUNS = {
    "fatalities": r"deaths|dead|fatalities|bodies",
    "injuries": r"injuries|injured",
    "arrests": r"arrests",
}
_VERB_FIRST = {
    "fatalities": r"killing|killed|kill|lynch(?:ed)?|lynching|burnt\s+alive|burned\s+alive|shot\s+dead|claimed",
    "injuries": r"injuring|injured|injure|wounding|wounded|injuries\s+to",
    "arrests": r"arrested|arresting|arrest|detained|detaining|rounded\s+up|picked\s+up",
}
_TOLL = re.compile(r"death\s+toll\s+(?:\w+\s+){0,3}?(?:at|to|of|is|was|stood\s+at|rose\s+to)\s+$", re.IGNORECASE)
_NONE = {
    "fatalities": re.compile(r"\bno\s+(?:one|body|deaths?|fatalities|casualties)\s+(?:was|were|has|have)?\s*(?:killed|reported|died)?", re.IGNORECASE),
    "injuries": re.compile(r"\bno\s+(?:one\s+was\s+(?:injured|hurt)|injuries|casualties)\b|\bor\s+injuries\s+(?:had\s+been|were)\s+reported", re.IGNORECASE),
    "arrests": re.compile(r"\bno\s+(?:arrests|one\s+(?:was|has\s+been)\s+arrested)\b", re.IGNORECASE),
}


# One victim, told without a number: "killing the boy", "resulting in his death", "he later died",
# "Dupont's death" (a name: "the child's death" may be what the article is about, not the event's),
# "his injuries and subsequent death".
_ONE_DEATH = re.compile(
    r"\bkilling\s+(?:the|a|an)\s+(?!\w+s\b)\w+"
    r"|\b(?:his|her|(?-i:[A-Z][a-z]+)['’]s)\s+(?:injuries\s+and\s+)?(?:subsequent\s+|later\s+)?death\b"
    r"|\b(?:he|she)\s+(?:later\s+|subsequently\s+)?(?:died|succumbed)\b",
    re.IGNORECASE,
)
# One victim hurt, told without a number: "his injuries", "she was hurt", "one man, a trader, was stabbed",
# "a 40-year-old driver who was attacked with iron rods" (not "stabbed to death": that is a fatality).
_ONE_INJURY = re.compile(
    r"\b(?:his|her)\s+injuries\b|\b(?:he|she)\s+was\s+(?:seriously\s+|badly\s+)?(?:injured|wounded|hurt)\b"
    r"|\b(?:a|an|one)\s+(?:[\w-]+\s+){0,3}?(?:person|persons|man|woman|youth|boy|girl|child|policeman|constable"
    r"|officer|protester|student|worker|shopkeeper|trader|resident|villager|driver|journalist)"
    r"(?:\s*,[^,]{1,60},\s*|\s*,\s*|\s+)(?:who\s+)?(?:was|had\s+been|has\s+been|got)\s+(?:\w+ly\s+)?"
    r"(?:stabbed|attacked|assaulted|hacked|beaten|injured|wounded|hurt)\b(?!\s+to\s+death)",
    re.IGNORECASE,
)
_DIED_OF_INJURIES = re.compile(r"\b(?:succumb\w*|stabb\w*|injur\w*|wounds?|hacked|burn\s+injuries)\b", re.IGNORECASE)


def _count_field(before: str, after: str) -> str | None:
    """Which count ("fatalities", "injuries", "arrests") a number between ``before`` and ``after`` gives."""
    for field in ("fatalities", "injuries", "arrests"):
        verbs, nouns, verb_first = _COUNT_VERBS[field], _COUNT_NOUNS[field], _VERB_FIRST[field]
        if (re.match(rf"^(?:\s+{_PERSON})?{_AUX}\s+(?:{verbs})\b", after, re.IGNORECASE)
                or re.match(rf"^\s+(?:{nouns})\b", after, re.IGNORECASE)
                or re.search(rf"\b(?:{verb_first})\s+(?:(?:the|at\s+least|about|over|some|around|more\s+than)\s+)?$",
                             before, re.IGNORECASE)
                or (field == "fatalities" and _TOLL.search(before))):
            return field
    return None


def extract_counts(sentence: str) -> Counts:
    """Counts stated in one sentence. A field is None when the sentence says nothing about it."""
    values: dict[str, int | None] = {"fatalities": None, "injuries": None, "arrests": None}
    crowd: tuple[int | None, int | None] | None = None
    for q in find_quantities(sentence):
        before, after = sentence[: q.start], sentence[q.end:]
        field = _count_field(before, after)
        figure = q.low if q.low is not None else q.high
        if field is not None:
            if values[field] is None and figure is not None:
                values[field] = figure
        elif not q.vague and crowd is None and (figure or 0) >= MIN_CROWD and not _PARTITIVE.match(after) and (
            _CROWD_AFTER.match(after) or _CROWD_VERB.match(after) or _CROWD_BEFORE.search(before)
            or _SWELLED.search(before)
        ):
            crowd = (q.low, q.high)
    for field, rx in _NONE.items():
        if values[field] is None and rx.search(sentence):
            values[field] = 0
    if values["fatalities"] is None and _ONE_DEATH.search(sentence):
        values["fatalities"] = 1
    if values["injuries"] is None and _ONE_INJURY.search(sentence):
        values["injuries"] = 1
    # EVENTS-GOLD: people injured who later died count in injuries as well as in fatalities
    if values["fatalities"] and values["injuries"] is None and _DIED_OF_INJURIES.search(sentence):
        values["injuries"] = values["fatalities"]
    return Counts(
        crowd_size_low=crowd[0] if crowd else None,
        crowd_size_high=crowd[1] if crowd else None,
        **values,
    )
