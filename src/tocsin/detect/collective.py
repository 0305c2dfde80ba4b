"""Collective action beyond gatherings: strikes, boycotts and petitions, and political violence.

``detect.mentions`` follows ACLED: a protest is a gathering, so a strike with no gathering of strikers,
a boycott, a petition handed over or a bombing by militants is no mention. Definitions of "protest
event" such as GLOCON's are broader and count all of these. This module flags sentences reporting them,
with the same realis checks as the mentions (not planned, threatened, called for, negated, averted, or
only the subject of a later court case), for the relevance model's evidence head
(``relevance.document_evidence``). It never feeds event extraction.

Three kinds, each a small set of trigger patterns written for any English news:

- ``strike``: workers on strike or staying away from work ("teachers went on strike", "the strike by
  bus drivers entered its third day", "taxi drivers stayed away from work", "dockers downed tools"); not
  "air strike", "lightning strike", "strike a deal", "strike talks", "threatened to strike";
- ``collective``: boycotts, petitions or memoranda handed to an authority, occupations, vigils, human
  chains, black flags ("residents boycotted the election", "handed a petition with 5,000 signatures to
  the governor"); not a petition filed in a court;
- ``political_violence``: bombings, assassinations, attacks by militant or rebel groups, killings of
  politicians and activists ("a car bomb exploded outside the ministry", "militants attacked a police
  post", "gunmen shot dead an opposition councillor"); not a state's air strikes or shelling, not a
  robbery, not a gas explosion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tocsin.detect.mentions import AFTERMATH, IRREALIS, IRREALIS_WINDOW_CHARS, NEGATION_BEFORE, Sentence

STRIKE, COLLECTIVE, POLITICAL_VIOLENCE = "strike", "collective", "political_violence"

# Who strikes: "striking teachers", "a strike by bus drivers".
_WORKERS = (
    r"(?:\w+\s+)?(?:workers|employees|staff|teachers|lecturers|doctors|nurses|medics|miners|drivers|operators"
    r"|truckers|dockers|dockworkers|pilots|crews?|cabin\s+crew|conductors|pharmacists|lawyers|advocates|judges"
    r"|civil\s+servants|unions?|unionists|members|farmers|traders|shopkeepers|vendors|transporters|porters"
    r"|cleaners|guards|firefighters|labou?rers|journalists|students|residents|owners|dealers)"
)
STRIKE_TRIGGERS = (
    # "went on strike", "have been on an indefinite strike since Monday", "remained on strike"
    r"(?:went|go(?:es|ing|ne)?|are|were|is|was|been|remain(?:s|ed)?|stay(?:s|ed)?|still|now|walked\s+out)"
    r"\s+on\s+(?:an?\s+|their\s+|the\s+)?(?:[\w'-]+\s+){0,2}?strike"
    rf"|striking\s+{_WORKERS}"
    rf"|strike\s+(?:action\s+)?by\s+(?:the\s+|some\s+|about\s+|more\s+than\s+)?(?:[\d,]+\s+)?{_WORKERS}"
    # "the strike entered its third day", "a two-day strike paralysed the port"
    r"|strike\s+(?:action\s+)?(?:has\s+|had\s+)?(?:entered|continued|paralys|paralyz|crippled|disrupted|shut"
    r"|halted|grounded|hit|brought|left|stranded|closed|dragged|went\s+into|ended|affected)\w*"
    r"|(?:general|nationwide|national|indefinite|wildcat|sit-down|\d+-day|one-day|two-day|three-day|week-long"
    r"|day-long|\d+-hour|24-hour|48-hour|72-hour|token|warning|solidarity|sympathy)\s+strikes?"
    r"|stay(?:ed|ing)?\s+away\s+from\s+(?:work|their\s+(?:jobs?|work|offices|posts|classes)|classes|schools?)"
    r"|stay-?aways?|work\s+stoppages?|stoppages?\s+of\s+work|downed\s+tools|down\s+tools|walked\s+off\s+the\s+job"
    r"|walkouts?|sick-?outs?|go-slow|work-to-rule|(?:observed|observing)\s+a\s+(?:\w+\s+)?(?:strike|shutdown)"
    r"|(?:shops?|markets?|businesses|schools?|offices|transport)\s+(?:\w+\s+)?(?:remained|stayed)\s+(?:shut|closed)"
    r"|industrial\s+action\s+(?:entered|continued|paralys|disrupted|crippled|by)\w*"
    r"|(?:embarked|are|were|is|was)\s+on\s+(?:an?\s+)?(?:\w+\s+)?industrial\s+action"
    # "the ongoing strike", "a taxi strike", "the teachers' strike began", "joined the strike", "workers struck"
    r"|(?:ongoing|continuing|current|protracted|prolonged|(?:\w+-)?(?:day|week|month)s?-(?:long|old))\s+strikes?"
    r"|(?:taxi|bus|transport|rail|railway|public[\s-]sector|teachers'?|doctors'?|nurses'?|miners'?|workers'?"
    r"|truckers'?|drivers'?|port|mine|postal|airline|lawyers'?)\s+strikes?"
    r"|(?:began|started|launched|staged|held|joined|continued|extended|intensified)\s+(?:an?\s+|the\s+|their\s+)?"
    r"(?:[\w'-]+\s+){0,2}?strikes?"
    r"|strikes?\s+(?:began|started|continues|spread|entered)"
    rf"|{_WORKERS}\s+(?:\w+\s+)?(?:have\s+|had\s+)?struck|{_WORKERS}\s+(?:\w+\s+)?(?:are|were|have\s+been"
    r"|had\s+been|began|started|continued)\s+striking"
)
# Phrases with "strike" that are no labour dispute.
_NOT_A_STRIKE = re.compile(
    r"\b(?:(?:air|drone|missile|rocket|military|aerial|nuclear|pre-?emptive|first|retaliatory|precision|targeted"
    r"|surgical|lightning|israeli|russian|american|u\.?s\.?)[\s-]*strikes?|airstrikes?"
    r"|strike\s+(?:force|price|rate|zone|team|partner|a\s+deal|a\s+balance|a\s+chord|back|out|down|notice|ballot"
    r"|talks?|threat|fund|pay))\b",
    re.IGNORECASE,
)
COLLECTIVE_TRIGGERS = (
    r"boycott(?:s|ed|ing)?"
    # "handed over a petition", "submitted a memorandum to the collector", "a petition signed by 10,000"
    r"|(?:submitted|handed(?:\s+over)?|presented|delivered|sent|gave)\s+(?:an?\s+|the\s+|their\s+)?(?:[\w'-]+\s+){0,3}?"
    r"(?:petitions?|memorand(?:um|a)|list\s+of\s+demands|charter\s+of\s+demands)"
    r"|petitions?\s+(?:signed\s+by|with\s+(?:more\s+than\s+|over\s+|nearly\s+|about\s+)?[\d,.]+(?:\s+\w+)?\s+signatures)"
    r"|signature\s+campaign|collected\s+(?:[\d,.]+\s+|\w+\s+)?signatures"
    r"|occup(?:ied|ying)\s+(?:the\s+)?(?:\w+\s+){0,2}?(?:offices?|buildings?|premises|campus|square|parliament|factory"
    r"|headquarters|land|ministry|university)"
    r"|(?:candlelight|candle-light|silent)\s+(?:vigils?|marches?|processions?)|vigils?\s+(?:for|to\s+demand|outside)"
    r"|human\s+chains?|black\s+(?:flags|badges|armbands|bands|ribbons)"
    r"|hunger\s+strik(?:e|es|ers|ing)|fast(?:ing)?\s+unto\s+death|relay\s+hunger"
    r"|burn(?:t|ed|ing)\s+(?:an?\s+|the\s+)?effig(?:y|ies)|effig(?:y|ies)\s+(?:was|were)\s+burn"
)
# A petition or memorandum to a court is litigation, not collective action.
_COURT = re.compile(r"\b(?:court|bench|tribunal|judge|justice|writ|pil)\b", re.IGNORECASE)
# Acts that are political violence by themselves.
_POLITICAL_ACTS = (
    r"assassinat(?:ed|ion|ions|ing)|suicide\s+(?:bomb\w*|attack\w*)|car\s+bombs?|truck\s+bombs?|bomb\s+(?:blast|attack)s?"
    r"|(?:terror|terrorist|militant|insurgent|rebel|jihadist|extremist|islamist|separatist|maoist|naxal)\s+attacks?"
    r"|bombings?|(?:ieds?|improvised\s+explosive\s+devices?)\s+(?:went\s+off|exploded|blast|killed|wounded|injured|ripped)"
    r"|grenade\s+attacks?|(?:hurled|lobbed|threw)\s+(?:a\s+)?grenades?|beheaded"
    r"|political(?:ly\s+motivated)?\s+(?:killings?|murders?|assassinations?|violence|attacks?)"
    r"|bombs?\s+(?:exploded|went\s+off|ripped|killed|wounded|tore|hit|struck)"
)
# Who makes a killing or an attack political: the attackers or their target.
_ARMED_GROUPS = (
    r"militants?|rebels?|insurgents?|terrorists?|jihadists?|extremists?|separatists?|guerrillas?|maoists?"
    r"|naxal(?:ite)?s?|islamists?|al-shabaa?b|shabaab|boko\s+haram|taliban|islamic\s+state|isis|isil|al-qaeda"
    r"|al\s+qaeda|hamas|hezbollah|pkk|ltte|farc|eln|ulfa|armed\s+group|armed\s+men|militiam[ae]n|militias?"
)
_TARGETS = (
    r"politicians?|activists?|opposition\s+(?:leaders?|figures?|members?|politicians?)|party\s+(?:leaders?|workers?"
    r"|members?|officials?|activists?|candidates?)|lawmakers?|legislators?|mps?|mlas?|councill?ors?|mayors?"
    r"|candidates?|union\s+leaders?|trade\s+unionists?|human\s+rights\s+defenders?|dissidents?|protesters"
)
_VIOLENT_ACTS = (
    r"attack(?:ed|s)?|kill(?:ed|ing)|shot\s+dead|gunned\s+down|ambush(?:ed)?|abduct(?:ed)|kidnapp(?:ed)|stormed"
    r"|opened\s+fire|massacred|hacked\s+to\s+death|murdered|shot|blew\s+up|set\s+off|detonated|raided"
)
POLITICAL_VIOLENCE_TRIGGERS = (
    rf"{_POLITICAL_ACTS}"
    rf"|(?:{_ARMED_GROUPS})\s+(?:\w+\s+){{0,3}}?(?:{_VIOLENT_ACTS})"
    rf"|(?:{_VIOLENT_ACTS})\s+(?:by\s+)?(?:\w+\s+){{0,3}}?(?:{_ARMED_GROUPS}|{_TARGETS})"
    rf"|(?:{_TARGETS})\s+(?:\w+\s+){{0,3}}?(?:was|were|has\s+been|had\s+been)\s+(?:{_VIOLENT_ACTS})"
)
# A state's air and artillery war, or an accident, is no political violence in this sense.
_NOT_POLITICAL = re.compile(
    r"\b(?:air\s*strikes?|warplanes?|jets|air\s+force|shelling|artillery|missiles?|drones?|gas\s+(?:cylinder|leak)"
    r"|cylinder|boiler|firecrackers?|fireworks|transformer|accident(?:al|ally)?|robbery|robbers|robbed|dacoits?"
    r"|bomb\s+(?:squad|disposal|threat|scare|hoax)|bombshell|photobomb\w*)\b",
    re.IGNORECASE,
)
# Cues of an act that did not happen, beyond the mentions' IRREALIS: "averted a strike", "foiled a bomb plot".
_NOT_HAPPENED = re.compile(
    r"\b(?:avert(?:s|ed|ing)?|prevent(?:s|ed|ing)?|foil(?:s|ed|ing)?|thwart(?:s|ed|ing)?|plot(?:s|ted|ting)?\s+to"
    r"|plann?ing|may|might|could|if|unless|threat\s+of|possible|potential|looming|imminent|proposed|consider(?:s|ed|ing)?"
    r"|mull(?:s|ed|ing)?|ultimatum|deadline|vote(?:s|d)?\s+(?:to|for|in\s+favour\s+of)|ballot|notice\s+of"
    r"|serv(?:e|ed|ing)\s+(?:a\s+)?notice|defused|recovered)\b",
    re.IGNORECASE,
)
_CALLED_OFF_AFTER = re.compile(
    r"\s+(?:(?:was|were|has\s+been|had\s+been)\s+(?:called\s+off|averted|cancelled|canceled|postponed|suspended"
    r"|deferred|foiled|thwarted|defused)|plot|threats?|(?:is|was)\s+looming|looms)\b",
    re.IGNORECASE,
)
# An act dated long before the report is background ("was assassinated in 1984", "a strike years ago").
_LONG_AGO = re.compile(r"\b(?:(?:in|since|of|during)\s+(?:the\s+)?19\d\d|(?:years|decades)\s+ago)\b", re.IGNORECASE)
# Every strike trigger holds one of these: a sentence without any skips the (slow) trigger patterns.
_STRIKE_WORDS = re.compile(r"strik|struck|stay|stoppage|tools|walk|sick-?out|go-slow|work-to-rule|shutdown|remained"
                           r"|industrial", re.IGNORECASE)
_VIOLENCE_WORDS = re.compile(r"assassinat|suicide|bomb|attack|ied|explosive|grenade|behead|politic|kill|shot|gunned"
                             r"|ambush|abduct|kidnap|storm|fire|massacr|hack|murder|blew|set\s+off|detonat|raid",
                             re.IGNORECASE)
_STRIKE_RX = re.compile(rf"\b(?:{STRIKE_TRIGGERS})\b", re.IGNORECASE)
_COLLECTIVE_RX = re.compile(rf"\b(?:{COLLECTIVE_TRIGGERS})\b", re.IGNORECASE)
_VIOLENCE_RX = re.compile(rf"\b(?:{POLITICAL_VIOLENCE_TRIGGERS})\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CollectiveAction:
    sentence: Sentence
    trigger: str
    kind: str  # STRIKE | COLLECTIVE | POLITICAL_VIOLENCE


def find_collective_actions(sentences: list[Sentence]) -> list[CollectiveAction]:
    """Sentences reporting a strike, another non-gathering collective action, or political violence that
    happened: at most one action of each kind a sentence, its first realis trigger."""
    out: list[CollectiveAction] = []
    for sent in sentences:
        text = sent.text
        strike_text = _NOT_A_STRIKE.sub(lambda m: " " * len(m.group(0)), text)
        for kind, rx, masked in ((STRIKE, _STRIKE_RX, strike_text), (COLLECTIVE, _COLLECTIVE_RX, text),
                                 (POLITICAL_VIOLENCE, _VIOLENCE_RX, text)):
            if (kind == STRIKE and not _STRIKE_WORDS.search(text)) or (
                    kind == POLITICAL_VIOLENCE and (not _VIOLENCE_WORDS.search(text) or _NOT_POLITICAL.search(text))):
                continue
            if _LONG_AGO.search(text) or (kind != STRIKE and AFTERMATH.search(text)):
                continue  # a trial of bombers, a court petition, an anniversary: not the act itself
            if kind == COLLECTIVE and _COURT.search(text):
                continue
            for m in rx.finditer(masked):
                if _realis(masked, m.start(), m.end()):
                    out.append(CollectiveAction(sent, m.group(0), kind))
                    break
    return out


def _realis(text: str, start: int, end: int) -> bool:
    window = text[max(0, start - IRREALIS_WINDOW_CHARS): start]
    if IRREALIS.search(window) or NEGATION_BEFORE.search(window) or _NOT_HAPPENED.search(window):
        return False
    return not _CALLED_OFF_AFTER.match(text, end)
