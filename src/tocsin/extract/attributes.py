"""Event attributes read from the evidence sentences: sub-type, certainty, issue and actors.

Sub-types follow ACLED (../shared/eval/EVENTS-GOLD.md). The decision is made from cue words over all of
an event's sentences, after negated cues are masked ("no acts of violence", "refused to arrest"):

    violence by demonstrators (stones, torched, stormed, clashed) → Riots / Violent demonstration
    violence by mobs with no demonstration                       → Riots / Mob violence
    lethal or serious force against protesters                    → Protests / Excessive force
    dispersal, tear gas, arrests                                  → Protests / Protest with intervention
    otherwise                                                     → Protests / Peaceful protest
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tocsin.extract.numbers import word_to_int
from tocsin.records import (
    CLAIMED,
    EXCESSIVE_FORCE,
    INTERVENTION,
    MOB_VIOLENCE,
    PEACEFUL,
    REPORTED,
    STATED,
    UNCONFIRMED,
    VIOLENT_DEMONSTRATION,
)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE)


NEGATED = _rx(
    r"no\s+(?:acts?\s+of\s+)?(?:violence|arrests?|injuries|one\s+was\s+(?:arrested|injured|hurt))"
    r"|refused\s+to\s+(?:arrest|disperse|intervene|act)|did\s+not\s+(?:arrest|disperse|intervene|act)"
    r"|without\s+(?:any\s+)?(?:violence|incident)|unhindered|peaceful(?:ly)?|no\s+action"
)
VIOLENCE = _rx(
    r"stones?|stoned|stoning|stone[\s-]?pelting|pelt(?:ed|ing)|torch(?:ed|ing)|set\s+(?:ablaze|alight|afire|on\s+fire|fire\s+to)"
    r"|ransack(?:ed|ing)"
    r"|arson|loot(?:ed|ing|ers)?|vandali[sz](?:ed|ing|m)|rampage|clash(?:es|ed)?|riot(?:s|ing|ers?|ed)?"
    r"|stormed|storming|smash(?:ed|ing)|burn(?:t|ed|ing)|petrol\s+bombs?|fires?\s+at|attack(?:ed|ing|s)?"
    r"|stabb(?:ed|ing)|lynch(?:ed|ing)?|hacked|swords?|beaten\s+up|bats|barricades?\s+(?:of\s+)?burning"
    r"|hurled|damag(?:ed|ing)|destroy(?:ed|ing)|violen(?:t|ce)"
)
MOB = _rx(
    r"mobs?|communal|rioters|miscreants|rival\s+(?:groups|communities|mobs)|lynch(?:ed|ing)?|vigilantes?"
    r"|gang|armed\s+(?:men|youths)|hindus?|muslims?|minority\s+community|majority\s+community"
)
DEMONSTRATION = _rx(
    r"protest(?:s|ed|ing|ers?|ors?)?|demonstrat(?:ion|ions|ors?|ed|ing)|march(?:ed|ers|es|ing)?|rall(?:y|ies|ied)"
    r"|sit-ins?|dharnas?|slogans|strik(?:e|ers|ing)|gherao(?:ed)?|picket\w*|service\s+delivery"
    r"|toyi-toyi\w*|blockade"
)
# Groups that often demonstrate, but also just live, study and work: half the weight of DEMONSTRATION.
DEMONSTRATION_WEAK = _rx(r"residents|students|workers|activists|supporters|blocked|traders|farmers")
# Said in so many words: force against protesters, whatever else happened
EXCESSIVE_EXPLICIT = _rx(
    r"excessive\s+force|police\s+brutality|(?:shot|killed|gunned\s+down)\s+(?:dead\s+)?by\s+(?:the\s+)?police\s+"
    r"(?:during|at|while)\s+(?:a|the)\s+(?:protest|demonstration|march|rally)"
)
EXCESSIVE = _rx(
    r"(?:shot|killed|gunned\s+down)\s+(?:dead\s+)?by\s+(?:the\s+)?police|police\s+(?:shot|killed)"
    r"|killed\s+in\s+police\s+firing|excessive\s+force|live\s+(?:ammunition|rounds|bullets)"
    r"|hospitali[sz]ed|seriously\s+injured\s+(?:by|when)\s+police"
)
INTERVENTION_CUES = _rx(
    r"dispers(?:e|ed|ing|al)|tear\s*gas|teargas|water\s+cannons?|rubber\s+bullets|lathi[\s-]?charg\w*|batons?"
    r"|arrest(?:s|ed|ing)?|detain(?:ed|ing)?|police\s+fired|opened\s+fire|stun\s+grenades?|flash\s*bangs?"
    r"|cleared\s+(?:the|by)|broke\s+up|forcibly\s+removed|crowd\s+control"
)

def has_intervention(sentence: str) -> bool:
    return bool(INTERVENTION_CUES.search(NEGATED.sub(" ", sentence)))


UNCONFIRMED_CUES = _rx(
    r"unconfirmed|unverified|(?:could|can|has|had|have)\s+not\s+(?:be\s+|been\s+|yet\s+)?(?:independently\s+)?(?:verif|confirm)\w*"
)
CLAIMED_CUES = _rx(r"claim(?:s|ed|ing)?|alleged(?:ly)?|purported(?:ly)?|said\s+to\s+have|accus(?:ed|ing)")
REPORTED_CUES = _rx(
    r"reportedly|according\s+to|reports?\s+(?:of|said|say|suggest)|were\s+reported|was\s+reported"
    r"|local\s+media|witnesses\s+said|sources\s+said|it\s+is\s+believed"
)
_CERTAINTY_ORDER = (STATED, REPORTED, CLAIMED, UNCONFIRMED)


def sentence_certainty(sentence: str) -> str:
    if UNCONFIRMED_CUES.search(sentence):
        return UNCONFIRMED
    if CLAIMED_CUES.search(sentence):
        return CLAIMED
    if REPORTED_CUES.search(sentence):
        return REPORTED
    return STATED


def event_certainty(sentences: Sequence[str]) -> str:
    """The most certain way any evidence sentence states the event (one plain statement is enough)."""
    return min((sentence_certainty(s) for s in sentences), key=_CERTAINTY_ORDER.index, default=STATED)


def _without_issue(sentence: str) -> str:
    """The sentence with what the protest was about blanked: "marching against the burning of a bus"
    says nothing about how the protest went."""
    span = issue_span(sentence)
    return sentence if span is None else sentence[: span[0]] + " " + sentence[span[1]:]


def sub_event_type(sentences: Sequence[str], fatalities: int = 0) -> str:
    text = NEGATED.sub(" ", " ".join(_without_issue(s) for s in sentences))
    violent = bool(VIOLENCE.search(text))
    mob = 2 * len(MOB.findall(text))
    demo = 2 * len(DEMONSTRATION.findall(text)) + len(DEMONSTRATION_WEAK.findall(text))
    if EXCESSIVE_EXPLICIT.search(text):
        return EXCESSIVE_FORCE
    if violent:
        # violence with no demonstration around it is mob violence (EVENTS-GOLD: communal clashes,
        # lynchings, looting mobs); with one, the more strongly cued reading wins, ties to the mob
        return MOB_VIOLENCE if mob >= demo else VIOLENT_DEMONSTRATION
    if EXCESSIVE.search(text) or (fatalities > 0 and demo and INTERVENTION_CUES.search(text)):
        return EXCESSIVE_FORCE
    if mob and not demo:
        return MOB_VIOLENCE
    if INTERVENTION_CUES.search(text):
        return INTERVENTION
    return PEACEFUL


_ISSUE = re.compile(
    r"\b(?:protest(?:s|ed|ing)?|demonstrat\w*|rall(?:y|ies|ied)|march(?:ed|es)?|strike|agitation|outrage|anger)"
    r"\s+(?:against|over|about|at|for)\s+(?P<a>[^.,;:\"“”()]{3,80}?)"
    r"(?=\s+(?:in|on|at|outside|near|across|which|that|who|when|after|as|by|with|and\s+(?:police|the))\b|[.,;:\"“”()]|$)"
    r"|\bdemanding\s+(?:that\s+)?(?P<b>[^.,;:\"“”()]{3,80}?)(?=[.,;:\"“”()]|\s+(?:in|on|at|outside)\b|$)",
    re.IGNORECASE,
)
ISSUE_MAX_WORDS = 8


def issue_span(sentence: str) -> tuple[int, int] | None:
    """Character span of what a protest in ``sentence`` was about, if it says."""
    m = _ISSUE.search(sentence)
    if m is None:
        return None
    group = "a" if m.group("a") else "b"
    return m.start(group), m.end(group)


def issue(sentences: Sequence[str], sub_type: str) -> str | None:
    for sentence in sentences:
        m = _ISSUE.search(sentence)
        if m:
            words = (m.group("a") or m.group("b")).split()
            if words and words[0].lower() in {"the", "a", "an"} and len(words) > 1:
                words = words[1:]
            return " ".join(words[:ISSUE_MAX_WORDS])
    if sub_type == MOB_VIOLENCE and any(re.search(r"\bcommunal\b", s, re.IGNORECASE) for s in sentences):
        return "communal violence"
    return None


_ACTOR = re.compile(
    r"\b(?:(?P<mod>[A-Za-z][\w-]*)\s+)?(?P<noun>protesters|protestors|demonstrators|residents|workers|students|"
    r"farmers|miners|activists|supporters|villagers|teachers|nurses|doctors|traders|women|youths|strikers|"
    r"pensioners|employees|unionists|rioters|mobs?)\b",
    re.IGNORECASE,
)
_NOT_MODIFIER = {
    "the", "a", "an", "of", "and", "by", "some", "about", "around", "many", "more", "than", "angry", "other",
    "hundreds", "thousands", "dozens", "several", "local", "were", "was", "had", "have", "as", "that", "who",
    "with", "to", "in", "on", "at", "for", "from", "rival", "large", "huge", "armed", "over", "nearly",
}
MAX_ACTORS = 5


def actors(sentences: Sequence[str]) -> tuple[str, ...]:
    """Participant groups named in the evidence ("BJP workers", "residents", "mob")."""
    seen: dict[str, None] = {}
    for sentence in sentences:
        for m in _ACTOR.finditer(sentence):
            noun = m.group("noun").lower()
            mod = m.group("mod")
            name = noun
            if mod and mod.lower() not in _NOT_MODIFIER and word_to_int(mod) is None and not mod.lower().endswith(("ly", "ed")):
                name = f"{mod} {noun}" if mod.isupper() else f"{mod.lower()} {noun}"
            if noun in {"mob", "mobs"}:
                name = "mob"
            seen.setdefault(name, None)
    return tuple(list(seen)[:MAX_ACTORS])
