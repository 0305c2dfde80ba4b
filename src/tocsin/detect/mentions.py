"""Event mentions: sentences that report a protest or riot that happened.

A sentence is a mention when it holds a trigger (protest, march, riot, mob, stone-pelting, torched, …)
that is not in the scope of a planning, threat, negation or hypothetical cue ("will march",
"threatened to strike", "no protests were reported", "to prevent riots"), and that is not a fixed
phrase that only looks like a trigger ("riot police", "anti-riot", "mob justice").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tocsin.records import Article

if TYPE_CHECKING:
    from spacy.language import Language

# Words that make a sentence about a gathering of people in protest.
PROTEST_TRIGGERS = (
    r"protest(?:s|ed|ing|ers?|ors?)?|demonstrat(?:ion|ions|ors?|ed|ing|e|es)|rall(?:y|ies|ied|ying)"
    r"|marche[sd]|marchers|marching|sit-ins?|dharnas?|gherao(?:ed|ing|s)?|picket(?:s|ed|ing|ers)?"
    r"|hunger\s+strike|blockades?|took\s+to\s+the\s+streets?|shouted\s+slogans|chanting\s+slogans"
    r"|toyi-toyi(?:ing)?|bandh|hartal|rasta\s+roko|strikers|staged\s+a\s+(?:strike|walkout)"
    r"|gather(?:ed|ing)\s+(?:outside|in\s+front\s+of|at\s+the|near\s+the)"
    r"|dispers(?:e|ed|ing)\s+(?:the\s+|a\s+)?(?:\w+\s+){0,2}?(?:crowds?|protesters|demonstrators|students|gatherings?)"
    r"|block(?:ed|ing)?\s+(?:the\s+)?(?:roads?|highways?|traffic|railway|rail\s+traffic|national\s+highway|n\d+)"
    # "blockaded the entrance", "barricaded streets", "blocking the main gate with burning tyres"
    r"|blockad(?:ed|ing)|barricad(?:ed|ing)|barricade\s+(?:the\s+)?(?:roads?|streets?|entrance)"
    r"|block(?:ed|ing)?\s+(?:the\s+|all\s+)?(?:\w+\s+)?(?:gates?|entrances?|access\s+roads?)"
    r"|burning\s+(?:tyres|tires)"
    # "march" as a noun or verb, not the month: not followed by a day or year, not after "in/on/of …"
    r"|(?<!\bin\s)(?<!\bon\s)(?<!\bof\s)(?<!\bsince\s)(?<!\buntil\s)(?<!\bby\s)(?<!\bfrom\s)"
    r"(?<!\bearly\s)(?<!\blate\s)(?<!\bmid-)(?<!\bthis\s)(?<!\blast\s)(?<!\bend\s)"
    r"(?<!\d\s)(?<!\dst\s)(?<!\dnd\s)(?<!\drd\s)(?<!\dth\s)(?<!\bfor\s)"  # "on 13 March", "crude for March"
    r"march(?!\s+\d|,\s*\d|\s+(?:corn|wheat|soybeans?|crude|gold|futures|contracts?|delivery|quarter))"
)
# Words that make a sentence about collective violence.
RIOT_TRIGGERS = (
    r"riot(?:s|ing|ers?|ed)?|clash(?:es|ed)?|mobs?|stone[\s-]?pelting|pelt(?:ed|ing)\s+stones"
    r"|thr(?:ew|owing)\s+stones|stoned|torch(?:ed|ing)|set\s+(?:ablaze|alight|afire|on\s+fire|fire\s+to)"
    r"|ransack(?:ed|ing)|arson|loot(?:ed|ing|ers)|lynch(?:ed|ing)?|rampage|vandali[sz](?:ed|ing|m)|burnt\s+alive"
    r"|petrol\s+bombs?|stormed|storming|unrest"
    r"|(?:fresh|mob)\s+violence|violence\s+(?:broke\s+out|erupted|flared)"
    r"|(?:eruption|outbreak)\s+of\s+violence"
)
# Phrases that contain a trigger word but report no event.
FALSE_FRIENDS = re.compile(
    r"\b(?:riot\s+(?:police|gear|shields?|control|act|squad|unit|charges?)|anti-riot|rapid\s+action|"
    r"mob\s+(?:justice|mentality)|riot-hit|riot-affected|riot\s+victims|post-riot|"
    r"protest\s+(?:note|letter|vote)|under\s+protest|demonstrat(?:ed|es|ing)\s+(?:that|how|its|his|her|their|through)|"
    # "as demonstrated by his abrupt departure": shown, not a demonstration
    r"as\s+(?:was\s+|is\s+)?demonstrated|demonstrated\s+by|"
    r"rally(?:ing)?\s+(?:behind|around|support)|stock\s+market\s+rall(?:y|ied)|shares\s+rallied|"
    # games: "a derby clash", "their Super Rugby clash", "a late rally came up short"
    r"(?:derby|league|cup|final|quarter-?final|semi-?final|midtable|bottom|table|title|rugby|soccer|football"
    r"|cricket|group\s+[a-h])\s+clash(?:es)?|(?:late|second-half|fourth-quarter|comeback)\s+rally|"
    # a siege of a country or a port, not a protest: "imposed a tight blockade on the enclave"
    r"(?:imposed|impose|imposing|lift(?:ed|ing)?|eas(?:e|ed|ing)|naval|economic|trade)\s+(?:a\s+|the\s+|its\s+)?"
    r"(?:\w+\s+)?blockade|"
    # the authorities closing a place is no protest: "police blocked the entrance to the stadium"
    r"(?:police(?:men)?|officers|troops|soldiers|authorities|security\s+forces|army)\s+(?:\w+\s+){0,2}?"
    r"(?:block(?:ed|ing|s)?|barricad(?:ed|ing|es)|blockad(?:ed|ing|es))\s+(?:the\s+|all\s+)?(?:\w+\s+)?"
    r"(?:gates?|entrances?|access\s+roads?|roads?|streets?|highways?|bridges?)|"
    # market rallies: "the currency's recent rally", "gains driven by a Wall Street rally"
    r"(?:currency'?s?|markets?'?s?|wall\s+street|stocks?|shares|equit(?:y|ies)|oil|prices?|dollar|yen|euro|bonds?)"
    r"\s+(?:\w+\s+)?rall(?:y|ies|ied))\b",
    re.IGNORECASE,
)
# Cues that the trigger is planned, threatened, called for, negated, hypothetical or asked about.
IRREALIS = re.compile(
    r"\b(?:will|would|shall|plans?\s+to|planning\s+to|planned|intends?\s+to|threaten(?:s|ed)?\s+to|"
    r"vow(?:s|ed)\s+to|call(?:s|ed)?\s+(?:for|on)|calling\s+for|urged?|appeal(?:s|ed)?\s+(?:for|to)|"
    r"to\s+(?:stage|hold|launch|organi[sz]e)|next\s+week|tomorrow|upcoming|scheduled|"
    r"warn(?:s|ed)?\s+(?:of|that)|fear(?:s|ed)?\s+of|to\s+prevent|could\s+(?:lead|spark|trigger)|"
    r"in\s+case\s+of|if\s+there|no\s+(?:\w+\s+){0,2}(?:protests?|violence|incidents?|riots?|clashes)"
    r"(?:\s+(?:was|were|has\s+been|have\s+been|had\s+been))?\s+reported|"
    r"did\s+not|didn't|banned|prohibited|permission\s+for|"
    r"how\s+many|to\s+a\s+question|asked\s+(?:whether|if|how|about)|"
    r"wants?\s+to|wanted\s+to|decided\s+to|sought\s+to|hop(?:e|es|ed)\s+to)\b",
    re.IGNORECASE,
)
# Cues that a sentence speaks about an earlier event in a legal or political aftermath only.
AFTERMATH = re.compile(
    r"\b(?:court|trial|charged\s+with|convicted|sentenced|acquitted|bail|inquiry|commission|"
    r"anniversary|commemorat\w+|compensation|probe)\b",
    re.IGNORECASE,
)
# A court that is the venue of the gathering ("protested outside the High Court", "the court building was
# looted") is no aftermath.
_COURT_VENUE = re.compile(
    r"\b(?:(?:at|outside|in\s+front\s+of|near|to|into|on|from|over)\s+the\s+(?:[\w'’-]+\s+){0,3}?court(?:house|s)?"
    r"|court\s*(?:house|building|premises|complex|grounds|gates?|steps))\b",
    re.IGNORECASE,
)
# What follows these words after a trigger is the protesters' grievance ("protested at the court,
# complaining that his bail was too lenient"): a court word there does not make the sentence aftermath.
_GRIEVANCE = re.compile(
    r"\b(?:complain(?:ing|ed)|demand(?:ing|ed)|calling\s+for|against|over|angry|saying|claiming|accusing|to\s+protest)\b",
    re.IGNORECASE,
)
# A trigger after these words is an earlier protest the sentence refers back to ("arrested while protesting").
_REFERS_BACK = re.compile(r"\b(?:while|after|during|for|following|since|over)\s+(?:[\w-]+\s+){0,3}$", re.IGNORECASE)
# "no protests", "no major riots", "without clashes", "not a single car was burned"
NEGATION_BEFORE = re.compile(r"\b(?:no|without|not\s+a(?:\s+single)?|nor)\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
# How many words before a trigger an irrealis cue still governs it.
IRREALIS_WINDOW_CHARS = 60

# Acts of violence that are riot episodes when the article is about riots (see find_mentions).
VIOLENCE_IN_RIOT_CONTEXT = (
    r"stabb(?:ed|ing)|hacked|burnt\s+to\s+death|burned\s+to\s+death|set\s+(?:ablaze|on\s+fire|fire\s+to)"
    r"|attacked\s+(?:by|with)|killed\s+in\s+police\s+firing|police\s+(?:opened\s+fire|fired)|shot\s+dead"
    r"|swords?|torched|looted"
)
# How many sentences with riot triggers make an article "about riots". Two: one stray "riot" in a
# business or sports story does not make every "attacked" in it a riot.
RIOT_CONTEXT_MENTIONS = 2
# Words that set an article in collective violence without naming an episode ("communal tension",
# "sectarian violence has eased"): they count towards RIOT_CONTEXT_MENTIONS too. Not "curfew": a
# health curfew is no riot.
_RIOT_SETTING_RX = re.compile(
    r"\b(?:communal\s+\w+|(?:the|sectarian|ethnic|mob|group)\s+violence|retaliatory\s+attacks?|carnage|massacres?)\b",
    re.IGNORECASE,
)
_VIOLENCE_RX = re.compile(rf"\b(?:{VIOLENCE_IN_RIOT_CONTEXT})\b", re.IGNORECASE)
# Armed actors: a clash or attack among them is a battle or an attack in ACLED's terms, not a riot.
ARMED_ACTORS = (
    r"(?:armed|security|government|federal|state|coalition|allied|rebel|opposition|special)\s+forces|troops|soldiers"
    r"|army|militants?|fighters|rebels?|insurgents?|militias?|militiamen|jihadists?|terrorists?|gunmen|al-shabaa?b"
    r"|taliban|islamic\s+state|boko\s+haram|air\s*strikes?|shelling|artillery|peacekeepers|military|warplanes"
    r"|drones?|explosive\s+device|grenades?|bomb(?:s|ing|ings)?"
)
# Riot words that name crowd violence whoever else is present ("mobs armed with swords roamed as the army
# was deployed"): they survive the armed-actor veto.
_CROWD_VIOLENCE_RX = re.compile(
    r"riot(?:s|ing|ers?|ed)?|mobs?|stone[\s-]?pelting|pelt(?:ed|ing)\s+stones|thr(?:ew|owing)\s+stones|stoned"
    r"|lynch(?:ed|ing)?|loot(?:ed|ing|ers)",
    re.IGNORECASE,
)
_ARMED_RX = re.compile(rf"\b(?:{ARMED_ACTORS})\b", re.IGNORECASE)
_PROTEST_RX = re.compile(rf"\b(?:{PROTEST_TRIGGERS})\b", re.IGNORECASE)
_RIOT_RX = re.compile(rf"\b(?:{RIOT_TRIGGERS})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # offsets into Article.text
    end: int
    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class Mention:
    sentence: Sentence
    trigger: str
    trigger_start: int  # offset into Article.text
    kind: str  # "protest" | "riot"
    aftermath: bool  # sentence mainly about a court case, inquiry, anniversary


SentenceSplitter = Callable[[Article], list[Sentence]]


def make_sentence_splitter(nlp: Language | None = None) -> SentenceSplitter:
    """A splitter over the article's paragraphs (spaCy alone glues paragraphs into one sentence).

    ``nlp`` defaults to a blank English pipeline with the rule-based sentencizer: fast, and robust on
    lower-cased text, where the statistical parser's sentence boundaries are poor.
    """
    if nlp is None:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")

    def split(article: Article) -> list[Sentence]:
        blocks = [article.text[s:e] for s, e in article.paragraphs]
        out: list[Sentence] = []
        for index, ((p_start, _), doc) in enumerate(zip(article.paragraphs, nlp.pipe(blocks), strict=True)):
            for sent in doc.sents:
                text = sent.text.strip()
                if not text:
                    continue
                start = p_start + sent.start_char + (len(sent.text) - len(sent.text.lstrip()))
                out.append(Sentence(start, start + len(text), text, index))
        return out

    return split


def find_mentions(sentences: list[Sentence]) -> list[Mention]:
    """Sentences reporting a protest or riot that happened, with their first realis trigger.

    In an article about riots (RIOT_CONTEXT_MENTIONS riot sentences or more), acts of violence are
    triggers too: "one person was stabbed near Astodia" is an episode of the riot the article covers
    (EVENTS-GOLD: stabbings, sword attacks and arson by groups during communal riots are mob violence).
    """
    masks = [FALSE_FRIENDS.sub(lambda m: " " * len(m.group(0)), sent.text) for sent in sentences]
    riot_context = sum(bool(_RIOT_RX.search(m) or _RIOT_SETTING_RX.search(m)) for m in masks) >= (
        RIOT_CONTEXT_MENTIONS)
    out: list[Mention] = []
    for sent, masked in zip(sentences, masks, strict=True):
        hits = [(m, "protest") for m in _PROTEST_RX.finditer(masked)]
        hits += [(m, "riot") for m in _RIOT_RX.finditer(masked)]
        if riot_context:
            hits += [(m, "riot") for m in _VIOLENCE_RX.finditer(masked)]
        if _ARMED_RX.search(masked) and not any(kind == "protest" or _CROWD_VIOLENCE_RX.fullmatch(m.group(0))
                                                for m, kind in hits):
            continue  # armed forces, militants, rebels clashing or attacking: battles, not riots (ACLED)
        for m, kind in sorted(hits, key=lambda h: h[0].start()):
            window = masked[max(0, m.start() - IRREALIS_WINDOW_CHARS): m.start()]
            if IRREALIS.search(window) or NEGATION_BEFORE.search(window) or _negated_after(masked, m.end()):
                continue
            out.append(Mention(
                sentence=sent,
                trigger=m.group(0),
                trigger_start=sent.start + m.start(),
                kind=kind,
                aftermath=_is_aftermath(masked, m.start(), m.end()),
            ))
            break
    return out


_NEGATED_AFTER = re.compile(
    r"\s+(?:(?:was|were|had\s+been|have\s+been)\s+(?:not|averted|called\s+off|cancelled|postponed)"
    r"|(?:\w+\s+)?(?:could|may|might|would|will|are\s+expected\s+to|are\s+planned|are\s+likely\s+to)\s+"
    r"(?:follow|take\s+place|be\s+held|go\s+ahead|spread|break\s+out|erupt|resume))\b",
    re.IGNORECASE,
)


def _negated_after(text: str, end: int) -> bool:
    """'protests were not reported', 'riots were averted', 'similar rallies could follow'."""
    return bool(_NEGATED_AFTER.match(text, end))


def _is_aftermath(text: str, start: int, end: int) -> bool:
    """A sentence about a court case, inquiry or anniversary of an earlier event, not the event itself.

    "Members of the community staged a protest at the High Court on Thursday, complaining that his bail
    was granted" is a protest: the court is its venue and the bail its grievance.
    """
    masked = _COURT_VENUE.sub(lambda m: " " * len(m.group(0)), text)
    if not _REFERS_BACK.search(masked[max(0, start - IRREALIS_WINDOW_CHARS): start]):
        grievance = _GRIEVANCE.search(masked, end)
        if grievance is not None:
            masked = masked[: grievance.start()]
    return bool(AFTERMATH.search(masked))
