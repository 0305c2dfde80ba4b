"""Where and when one mention happened: the sentence-level rules behind event assembly.

A mention's place is the town nearest its trigger among the places the sentence names as where
something happened (not an organisation's name, an official's title, the dateline token, where people
came from, or the places of what a protest was about). Its day is the date nearest the trigger, unless
the date is when something was said or bounds a period. A mention can also be background (a cause, a
time adjunct, the object of a statement, a year long past), which places nothing from context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from tocsin.detect.mentions import Sentence
from tocsin.extract import attributes
from tocsin.extract.dates import TimeExpression
from tocsin.extract.numbers import extract_counts
from tocsin.records import Article, Place, Toponym

# A country-level toponym cannot place an event (ACLED codes no country-level events).
COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR"})
REGION = 3  # geo_precision of a province or large region


def is_subnational(place: Place | None) -> bool:
    return place is not None and place.feature_code not in COUNTRY_CODES


def is_background(before_trigger: str, text: str, own_date: TimeExpression | None, published: date | None) -> bool:
    """The trigger names a cause, a time, an object of a statement, or an event of years ago."""
    return bool(_BACKGROUND_BEFORE.search(before_trigger) or _STATEMENT_OBJECT.search(before_trigger)
                or (own_date is None and earlier_year(text, published)))


def opens_with_dateline(article: Article, sent: Sentence) -> bool:
    """The sentence starts its paragraph with the dateline ("LYON:", "lyon :")."""
    paragraph_start = article.paragraphs[sent.paragraph][0]
    head = article.text[paragraph_start: paragraph_start + DATELINE_MAX_CHARS].lower()
    return sent.start == paragraph_start and article.dateline_place is not None and head.startswith(
        article.dateline_place.lower())


# Where a sentence reporting several episodes splits: "two incidents on Monday - one at A where ... and
# another at B where ...", "a mob burned shops in A; in B, police fired at stone-throwers".
_CLAUSE_SPLIT = re.compile(r"\s[-–—]\s|;|\s(?=(?:and\s+)?another\s+(?:at|in|near)\s)|\s(?=while\s|whereas\s)",
                           re.IGNORECASE)


def event_clauses(sent: Sentence, candidates: Sequence[Toponym], anchor: int) -> list[tuple[int, int]]:
    """Spans (offsets in the sentence) of the clauses that each report an episode at a town of their own:
    the trigger's clause and every other with a violence cue. Empty when the sentence is one episode."""
    cuts = [0, *(m.end() for m in _CLAUSE_SPLIT.finditer(sent.text)), len(sent.text)]
    spans = [(a, b) for a, b in zip(cuts, cuts[1:], strict=False) if b > a]
    if len(spans) < 2:
        return []
    out = []
    for lo, hi in spans:
        with_trigger = lo <= anchor - sent.start < hi
        towns = [t for t in candidates if lo <= t.start - sent.start < hi]
        if has_town(towns) and (with_trigger or reports_violence(sent.text[lo:hi])):
            out.append((lo, hi))
    return out if len(out) >= 2 else []


def reports_violence(clause: str) -> bool:
    c = extract_counts(clause)
    return bool(c.fatalities or c.injuries) or bool(attributes.VIOLENCE.search(clause))


def is_town(toponym: Toponym) -> bool:
    """Resolved to a town or a part of one (finer than a region)."""
    return toponym.place is not None and toponym.place.geo_precision < REGION


def first_town(toponyms: Sequence[Toponym]) -> Place | None:
    towns = [t.place for t in toponyms if is_town(t)]
    return ([p for p in towns if p.feature_class == "P"] or towns or [None])[0]


def has_town(toponyms: Sequence[Toponym]) -> bool:
    return any(is_town(t) for t in toponyms)


# A trigger in a time adjunct names a background event, not a new one: "weeks after the riots began".
# So is the cause of something else: "insurers face losses due to the riots".
_BACKGROUND_BEFORE = re.compile(
    r"\b(?:after|since|before|until|following|due\s+to|because\s+of|owing\s+to|in\s+the\s+(?:wake|aftermath)\s+of)"
    r"\s+(?:the\s+)?(?:(?:recent|last|latest|earlier|past|communal|post-\w+)\s+){0,2}$",
    re.IGNORECASE,
)
# A trigger that is the object of a statement names an event told elsewhere: "MPs condemned the storming
# of the assembly", "an inquiry into the riots".
_STATEMENT_OBJECT = re.compile(
    r"\b(?:condemn\w*|denounc\w*|deplor\w*|criticis\w*|criticiz\w*|blam\w*|(?:probe|inquiry|investigation)\s+into)"
    r"\s+(?:[\w'’-]+\s+){0,3}$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def earlier_year(text: str, published: date | None) -> bool:
    """The sentence names a year before publication ("as in the riots of 1969"): a past event."""
    return published is not None and any(int(y) < published.year for y in _YEAR.findall(text))


# How far from the trigger, within its clause, a country name places the mention at country level.
COUNTRY_REACH_CHARS = 40


def names_country(sent: Sentence, toponyms: Sequence[Toponym], anchor: int) -> bool:
    """A country named next to the trigger ("protests spread across France"), not in another clause
    ("farmers protested outside the hall, which opened after a French ban")."""
    for t in toponyms:
        if t.place is None or is_subnational(t.place) or not sent.start <= t.start < sent.end:
            continue
        lo, hi = sorted((anchor, t.start))
        if hi - lo <= COUNTRY_REACH_CHARS and not _CLAUSE_BREAK.search(sent.text[lo - sent.start: hi - sent.start]):
            return True
    return False


def context_place(in_sentence: Sequence[Toponym], current: Place | None) -> Place | None:
    """A sentence without a mention moves the context to the first town it names (not to a region)."""
    towns = [t.place for t in in_sentence if is_town(t)]
    return towns[0] if towns else current


_ORIGIN = re.compile(r"\bfrom\s+(?:[\w'’-]+,?\s+){0,6}$", re.IGNORECASE)
_PLACE_PREPOSITION = re.compile(r"\b(?:in|at|near|outside|inside|across|through)\s+(?:[\w'’-]+,?\s+){0,3}$", re.IGNORECASE)


# A place name followed by one of these words names an organisation, a movement or an office, not where
# anything happened: "the Grenoble Tenants Union", "Lyon Steel Industries", "the Savoie governor".
_ORGANISATION_AFTER = re.compile(
    r"^(?:[\s-]+(?!(?:and|or|the|a|an|of|in|on|at|to|by|for|with|as|where|while|when|said|says|after|before)\b)"
    r"[\w'’]+){0,2}?[\s-]+(?:bachao|andolan|movement|party|front|union|association|alliance|league"
    r"|federation|forum|society|sangh|samiti|manch|morcha|trust|foundation|industries|company|corporation"
    r"|bank|university|college|club|times|herald|tribune|airlines|airways|premier|governor|mayor"
    r"|chief\s+minister|minister)\b(?!['’]s\b|\s+(?:office|offices|residence|house|headquarters|campus|building"
    r"|grounds|premises|gates?|branch)\b)",
    re.IGNORECASE,
)
# How far into its paragraph a dateline ("LYON:", "lyon/grenoble :") may end.
DATELINE_MAX_CHARS = 40
_DATELINE_END = re.compile(r"^(?:\s*/\s*[\w ]{2,25})?\s*[:—–]", re.IGNORECASE)


def event_places(article: Article, sent: Sentence, toponyms: Sequence[Toponym]) -> list[Toponym]:
    """Places where the sentence's event may have happened: not those named in what a protest was about
    ("marching against the burning of a bus near Grenoble"), nor where people came from ("women from the
    coastal villages of Vypin"), nor names of organisations and offices ("the Grenoble Tenants Union"),
    nor the dateline, which says where the report was filed (it is the context place already)."""
    issue = attributes.issue_span(sent.text)
    lo, hi = (sent.start + issue[0], sent.start + issue[1]) if issue else (-1, -1)
    if issue and _EARLIER_HAPPENING.search(sent.text[issue[0]: issue[1]]):
        # "marching against the burning of a bus near Grenoble": the places that follow are the
        # burning's, up to the end of the clause
        clause_end = _CLAUSE_END.search(sent.text, issue[1])
        hi = sent.start + (clause_end.start() if clause_end else len(sent.text))
    out = []
    for t in toponyms:
        before = sent.text[: t.start - sent.start]
        after = sent.text[t.end - sent.start:]
        if lo <= t.start < hi or _ORGANISATION_AFTER.match(after) or is_dateline(article, sent, t, after):
            continue
        if _STANCE_BEFORE.search(before):
            continue  # "pro-Kyiv supporters", "anti-Paris slogans": a side taken, not where anything happened
        if _ORIGIN.search(before) and not _PLACE_PREPOSITION.search(before[_ORIGIN.search(before).start():]):
            continue
        out.append(t)
    return out


_STANCE_BEFORE = re.compile(r"\b(?:pro|anti)[-‐–]$", re.IGNORECASE)


# What a protest may be about that happened somewhere itself: places after it are that happening's.
_EARLIER_HAPPENING = re.compile(
    r"\b(?:torching|burning|killings?|murders?|attacks?|massacres?|deaths?|arrests?|rapes?|lynching|shooting"
    r"|demolition|bombing|assault|beating|carnage)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:.()—–]|\s(?:and|but|while|when|where)\s", re.IGNORECASE)


def is_dateline(article: Article, sent: Sentence, t: Toponym, after: str) -> bool:
    if article.dateline_place is None or t.text.lower() != article.dateline_place.lower():
        return False
    paragraph_start = article.paragraphs[sent.paragraph][0]
    return t.end - paragraph_start <= DATELINE_MAX_CHARS and bool(_DATELINE_END.match(after))


def coherent_places(toponyms: Sequence[Toponym], dateline: str | None = None) -> list[Toponym]:
    """Sub-national places in the countries the article is about.

    A town abroad is kept when its country is named in the article too, or when it is in the article's
    main country or the dateline's; otherwise it is most likely a misreading (the "Nur Otan" party read
    as a Nigerian village, "Central Asian" as Uganda's Central region).
    """
    resolved = [t.place for t in toponyms if t.place is not None]
    named = {p.country for p in resolved if p.feature_code in COUNTRY_CODES}
    # "ROME, May 2 (Agency)": the report was filed there, however often the text says "French"
    named |= {t.place.country for t in toponyms
              if t.place is not None and dateline and t.text.lower() == dateline.lower()}
    # the main country: most distinct places, then most mentions, then the most people (a village of 2,000
    # loses a tie to a capital); distinct first, so a misread name said three times ("Nyanga", a healer)
    # does not outweigh two towns of one country
    weight: dict[str, tuple[int, int, int]] = {}
    seen: set[object] = set()
    for p in resolved:
        n, mentions, pop = weight.get(p.country, (0, 0, 0))
        first = (p.geonameid or p.name) not in seen
        seen.add(p.geonameid or p.name)
        weight[p.country] = (n + first, mentions + 1, pop + p.population * first)
    main = max(weight, key=lambda k: weight[k]) if weight else None
    allowed = named | ({main} if main else set())
    return [t for t in toponyms if is_subnational(t.place) and t.place is not None and t.place.country in allowed]


def dateline_place(article: Article, places: Sequence[Toponym]) -> Place | None:
    if not article.dateline_place:
        return None
    for t in places:
        if t.text.lower() == article.dateline_place.lower():
            return t.place
    return None


def nearest_place(toponyms: Sequence[Toponym], anchor: int, context: Place | None) -> Place | None:
    """The town nearest the trigger; a region only when the sentence names no town and the context town
    is not in that region."""
    towns = [t for t in toponyms if is_town(t)]
    # the most specific named populated place: "Vienne town of Isère district" is Vienne
    towns = [t for t in towns if t.place is not None and t.place.feature_class == "P"] or towns
    if towns:
        return min(towns, key=lambda t: abs(t.start - anchor)).place
    regions = [t.place for t in toponyms if t.place is not None]
    if not regions:
        return None
    if context is not None and any(r.admin1 == context.admin1 or r.name == context.admin1 for r in regions):
        return context
    return regions[0]


# A date right after a reporting verb is when something was said, not when the event happened: "Police beat
# protesters in Lyon, a rights commission said on Monday."
_SAID_BEFORE = re.compile(
    r"\b(?:said|says|told\s+(?:[\w-]+\s+){0,3}?|announced|stated|added|confirmed|declared|claimed"
    r"|alleged|ruled|found|concluded)\s+$",
    re.IGNORECASE,
)
# A date this close after the trigger, with no clause break between, is the trigger's own date
# ("after clashes last week", "riots on Monday"), whatever other dates the sentence holds.
ADJACENT_DATE_CHARS = 25
_CLAUSE_BREAK = re.compile(r"[,;:—–()]|\b(?:and|but|while|when|as|after|before|that|which|who)\b", re.IGNORECASE)


# "had left their homes after May 3": a calendar date after these words bounds a period, it is not the
# day of anything the sentence reports.
_BOUNDARY_BEFORE = re.compile(r"\b(?:after|since|until|till|before)\s+$", re.IGNORECASE)


def event_dates(text: str, dates: Sequence[TimeExpression]) -> list[TimeExpression]:
    return [d for d in dates if not _SAID_BEFORE.search(text[: d.start])
            and not (any(ch.isdigit() for ch in d.text) and _BOUNDARY_BEFORE.search(text[: d.start]))]


def nearest_date(dates: Sequence[TimeExpression], anchor: int, text: str = "") -> TimeExpression | None:
    if not dates:
        return None
    for d in dates:
        gap = text[anchor: d.start]
        if 0 <= d.start - anchor <= ADJACENT_DATE_CHARS and not _CLAUSE_BREAK.search(gap):
            return d
    return min(dates, key=lambda d: (d.precision, abs(d.start - anchor)))
