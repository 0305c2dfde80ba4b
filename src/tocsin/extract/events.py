"""Assemble events from the mentions of one article: one event per (place, day).

Sentences are read in order while a discourse context is kept: the last town and the last date the
article spoke of. A mention without its own place or date takes them from that context, so "There have
been riots elsewhere in the city" joins the Almaty event of the sentence before. Mentions of the same
town on the same day merge into one event with every sentence as evidence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from tocsin.detect.mentions import Mention, Sentence
from tocsin.extract import attributes
from tocsin.extract.dates import TimeExpression, find_dates
from tocsin.extract.localities import local_places
from tocsin.extract.numbers import Counts, extract_counts
from tocsin.records import SUB_EVENT_TYPES, Article, Event, Evidence, Place, Source, Toponym

# A country-level toponym cannot place an event (ACLED codes no country-level events).
COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR"})
REGION = 3  # geo_precision of a province or large region


@dataclass(slots=True)
class _Draft:
    place: Place
    day: date | None
    precision: int | None
    sentences: list[Sentence] = field(default_factory=list)
    counts: list[Counts] = field(default_factory=list)

    reports: list[str] = field(default_factory=list)  # sentences that report the event itself (not follow-ups)

    def add(self, sent: Sentence, *, report: bool = True, clause: str | None = None) -> None:
        """``clause``: the part of the sentence about this event, when the sentence reports several."""
        if sent not in self.sentences:
            self.sentences.append(sent)
            self.counts.append(extract_counts(clause or sent.text))
            if report:
                self.reports.append(sent.text)


def is_subnational(place: Place | None) -> bool:
    return place is not None and place.feature_code not in COUNTRY_CODES


def extract_events(
    article: Article,
    sentences: Sequence[Sentence],
    mentions: Sequence[Mention],
    toponyms: Sequence[Toponym],
) -> tuple[Event, ...]:
    published = article.published.date() if article.published else None
    by_sentence = {m.sentence.start: m for m in mentions}
    toponyms = local_places(article.text, toponyms)
    places = coherent_places(toponyms, article.dateline_place)
    dateline = _dateline_place(article, places)
    ctx_place: Place | None = dateline
    ctx_date: TimeExpression | None = None
    drafts: dict[tuple[object, date | None], _Draft] = {}
    last: _Draft | None = None
    since_last = 0  # sentences read since the last one that went into an event
    headlines = _headline_blocks(article)
    scene_at = -2  # index of the last sentence without a mention that named a town and a day
    undated: list[tuple[Sentence, list[Toponym]]] = []  # findings about a town's protest, with no day
    for index, sent in enumerate(sentences):
        if sent.paragraph in headlines:
            continue  # a headline restates the lead in the present tense; it is matched to events below
        if _NAVIGATION.match(sent.text):
            continue  # "Read more: Mob burns buses in ...": other articles' headlines
        since_last += 1
        in_sentence = [t for t in places if sent.start <= t.start < sent.end]
        dates = find_dates(sent.text, published)
        mention = by_sentence.get(sent.start)
        event_dates = _event_dates(sent.text, dates)
        if mention is None or (mention.aftermath and not event_dates):
            if mention is not None and _has_town(in_sentence):
                undated.append((sent, in_sentence))
            if last is not None and since_last <= FOLLOW_UP_SENTENCES and _follows_up(sent, in_sentence, dates, last):
                last.add(sent, report=False)
                since_last = 0
            ctx_place = _context_place(in_sentence, ctx_place)
            ctx_date = dates[0] if dates else ctx_date
            if event_dates and _has_town(in_sentence):
                scene_at = index
            continue
        anchor = mention.trigger_start
        candidates = _event_places(article, sent, in_sentence)
        own_date = _nearest_date(event_dates, anchor - sent.start, sent.text)
        if not _has_town(candidates) and _names_country(sent, toponyms, anchor):
            # "protests spread across France", "strikers marching all over Chile": placed at country level only,
            # though its day is the context of the sentences that follow ("In Lyon, dockers marched.")
            ctx_date = own_date or ctx_date
            continue
        if own_date is None and published is not None and not _has_town(candidates):
            # "the riots in Savoie", with no day: a general statement, not a new event (without a
            # publication date no day can be resolved, so the lack of one says nothing)
            candidates = []
        clauses = _event_clauses(sent, candidates, anchor)
        main_clause = next((c for c in clauses if c[0] <= anchor - sent.start < c[1]), None)
        if main_clause is not None:
            candidates = [t for t in candidates if main_clause[0] <= t.start - sent.start < main_clause[1]]
        before_trigger = sent.text[: anchor - sent.start]
        background = bool(_BACKGROUND_BEFORE.search(before_trigger) or _STATEMENT_OBJECT.search(before_trigger)
                          or (own_date is None and _earlier_year(sent.text, published)))
        if background and not _has_town(candidates):
            continue  # "insurers face losses due to the riots", "MPs on Monday condemned the storming of ..."
        # "LYON: Dockers marched through the city.": a report under a dateline naming no other town is
        # about the dateline town, on the day of publication (a region named beside it does not move it)
        at_dateline = (dateline is not None and not background and _opens_with_dateline(article, sent)
                       and not _has_town([t for t in in_sentence if t.place is not dateline]))
        if at_dateline and not _has_town(candidates):
            candidates = []
        own_place = _nearest(candidates, anchor, ctx_place)
        # "Ministers met in Grenoble on Monday. About 200 farmers protested outside the hall.": the
        # sentence before set the scene, town and day, for the article's first protest (riot words in
        # such sentences are mostly background: "homes destroyed by rioters")
        sets_scene = scene_at == index - 1 and last is None and mention.kind == "protest" and not background
        if own_place is None and own_date is None and not sets_scene and (last is not None or not at_dateline):
            # "There have been riots elsewhere in the city": more about the event in context, never a new one
            if last is not None:
                last.add(sent)
                since_last = 0
            continue
        place = own_place or ctx_place
        when = own_date or ctx_date
        if place is None or (when is None and published is not None and own_place is None and not at_dateline):
            ctx_date = when or ctx_date
            continue
        day = when.value if when else published
        precision = when.precision if when else (1 if published else None)
        key = (place.geonameid or place.name, day)
        last = drafts.setdefault(key, _Draft(place, day, precision))
        last.add(sent, clause=sent.text[main_clause[0]: main_clause[1]] if main_clause else None)
        # "one at Lyon where a mob burned a bus and another at Grenoble where rioters killed two men": each
        # other clause with its own town and its own violence is another event of the same day
        for lo, hi in clauses:
            if (lo, hi) == main_clause:
                continue
            town = _first_town([t for t in in_sentence if lo <= t.start - sent.start < hi])
            if town is not None and town.geonameid != place.geonameid:
                other = drafts.setdefault((town.geonameid or town.name, day), _Draft(town, day, precision))
                other.add(sent, clause=sent.text[lo:hi])
        since_last = 0
        ctx_place, ctx_date = place, when or ctx_date
    _attach_headlines(sentences, headlines, by_sentence, places, drafts)
    _attach_undated(undated, drafts)
    _fold_vague_dates(drafts)
    return tuple(_build(article, d) for d in drafts.values())


_NAVIGATION = re.compile(r"(?:related\s+(?:stories|news|articles)|also\s+read|read\s+more|see\s+also)\b", re.IGNORECASE)


# A week-dated mention ("last week, protesters threw stones") of a place that also has an exact-day
# event within this many days is that event, not another one.
VAGUE_DATE_REACH_DAYS = {2: 3, 3: 15}


def _fold_vague_dates(drafts: dict[tuple[object, date | None], _Draft]) -> None:
    for key, draft in list(drafts.items()):
        reach = VAGUE_DATE_REACH_DAYS.get(draft.precision or 1)
        if reach is None or draft.day is None:
            continue
        exact = [d for d in drafts.values() if d.precision == 1 and d.day is not None
                 and d.place.geonameid == draft.place.geonameid and abs((d.day - draft.day).days) <= reach]
        if exact:
            target = min(exact, key=lambda d: abs((d.day - draft.day).days))  # type: ignore[operator]
            for sent in draft.sentences:
                target.add(sent, report=sent.text in draft.reports)
            del drafts[key]


def _headline_blocks(article: Article) -> set[int]:
    """Paragraph indexes of the title and standfirst (they open Article.text when present)."""
    return set(range(int(article.title is not None) + int(article.standfirst is not None)))


def _attach_undated(undated: Sequence[tuple[Sentence, Sequence[Toponym]]],
                    drafts: dict[tuple[object, date | None], _Draft]) -> None:
    """A finding or a statement about a protest in a town, with no day of its own ("police used excessive
    force on a Lyon protester, the inquiry found"), is evidence for the article's one event in that town."""
    for sent, in_sentence in undated:
        towns = {t.place.geonameid for t in in_sentence if t.place is not None and t.place.geo_precision < REGION}
        at_town = [d for d in drafts.values() if d.place.geonameid in towns]
        if len(at_town) == 1:
            at_town[0].add(sent)


def _attach_headlines(sentences: Sequence[Sentence], headlines: set[int], mentions: dict[int, Mention],
                      places: Sequence[Toponym], drafts: dict[tuple[object, date | None], _Draft]) -> None:
    """A headline mention is evidence for the body's event at the same place (the earliest one)."""
    for sent in sentences:
        if sent.paragraph not in headlines or sent.start not in mentions:
            continue
        named = {t.place.geonameid for t in places if sent.start <= t.start < sent.end and t.place is not None}
        for draft in drafts.values():
            if draft.place.geonameid in named:
                draft.add(sent)
                break


# How far after an event's last sentence a sentence with no trigger may still add to it
# ("At least 12 people were arrested." after "Traders set fire to the council offices.").
FOLLOW_UP_SENTENCES = 3


def _follows_up(sent: Sentence, in_sentence: Sequence[Toponym], dates: Sequence[TimeExpression], last: _Draft) -> bool:
    """A sentence with counts or police action, about no other place or day than the event before it."""
    if any(t.place is not None and t.place.geonameid != last.place.geonameid for t in in_sentence):
        return False
    if any(d.value != last.day for d in dates):
        return False
    c = extract_counts(sent.text)
    has_counts = any(v is not None for v in (c.fatalities, c.injuries, c.arrests))
    return has_counts or attributes.has_intervention(sent.text)


def _opens_with_dateline(article: Article, sent: Sentence) -> bool:
    """The sentence starts its paragraph with the dateline ("LYON:", "lyon :")."""
    paragraph_start = article.paragraphs[sent.paragraph][0]
    head = article.text[paragraph_start: paragraph_start + DATELINE_MAX_CHARS].lower()
    return sent.start == paragraph_start and article.dateline_place is not None and head.startswith(
        article.dateline_place.lower())


# Where a sentence reporting several episodes splits: "two incidents on Monday - one at A where ... and
# another at B where ...", "a mob burned shops in A; in B, police fired at stone-throwers".
_CLAUSE_SPLIT = re.compile(r"\s[-–—]\s|;|\s(?=(?:and\s+)?another\s+(?:at|in|near)\s)|\s(?=while\s|whereas\s)",
                           re.IGNORECASE)


def _event_clauses(sent: Sentence, candidates: Sequence[Toponym], anchor: int) -> list[tuple[int, int]]:
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
        if _has_town(towns) and (with_trigger or _reports_violence(sent.text[lo:hi])):
            out.append((lo, hi))
    return out if len(out) >= 2 else []


def _reports_violence(clause: str) -> bool:
    c = extract_counts(clause)
    return bool(c.fatalities or c.injuries) or bool(attributes.VIOLENCE.search(clause))


def _first_town(toponyms: Sequence[Toponym]) -> Place | None:
    towns = [t.place for t in toponyms if t.place is not None and t.place.geo_precision < REGION]
    return ([p for p in towns if p.feature_class == "P"] or towns or [None])[0]


def _has_town(toponyms: Sequence[Toponym]) -> bool:
    return any(t.place is not None and t.place.geo_precision < REGION for t in toponyms)


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


def _earlier_year(text: str, published: date | None) -> bool:
    """The sentence names a year before publication ("as in the riots of 1969"): a past event."""
    return published is not None and any(int(y) < published.year for y in _YEAR.findall(text))


# How far from the trigger, within its clause, a country name places the mention at country level.
COUNTRY_REACH_CHARS = 40


def _names_country(sent: Sentence, toponyms: Sequence[Toponym], anchor: int) -> bool:
    """A country named next to the trigger ("protests spread across France"), not in another clause
    ("farmers protested outside the hall, which opened after a French ban")."""
    for t in toponyms:
        if t.place is None or is_subnational(t.place) or not sent.start <= t.start < sent.end:
            continue
        lo, hi = sorted((anchor, t.start))
        if hi - lo <= COUNTRY_REACH_CHARS and not _CLAUSE_BREAK.search(sent.text[lo - sent.start: hi - sent.start]):
            return True
    return False


def _context_place(in_sentence: Sequence[Toponym], current: Place | None) -> Place | None:
    """A sentence without a mention moves the context to the first town it names (not to a region)."""
    towns = [t.place for t in in_sentence if t.place is not None and t.place.geo_precision < REGION]
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


def _event_places(article: Article, sent: Sentence, toponyms: Sequence[Toponym]) -> list[Toponym]:
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
        if lo <= t.start < hi or _ORGANISATION_AFTER.match(after) or _is_dateline(article, sent, t, after):
            continue
        if _ORIGIN.search(before) and not _PLACE_PREPOSITION.search(before[_ORIGIN.search(before).start():]):
            continue
        out.append(t)
    return out


# What a protest may be about that happened somewhere itself: places after it are that happening's.
_EARLIER_HAPPENING = re.compile(
    r"\b(?:torching|burning|killings?|murders?|attacks?|massacres?|deaths?|arrests?|rapes?|lynching|shooting"
    r"|demolition|bombing|assault|beating|carnage)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[,;:.()—–]|\s(?:and|but|while|when|where)\s", re.IGNORECASE)


def _is_dateline(article: Article, sent: Sentence, t: Toponym, after: str) -> bool:
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
    # the main country: most places, then the most people (a village of 2,000 loses a tie to a capital)
    weight: dict[str, tuple[int, int]] = {}
    for p in resolved:
        n, pop = weight.get(p.country, (0, 0))
        weight[p.country] = (n + 1, pop + p.population)
    main = max(weight, key=lambda k: weight[k]) if weight else None
    allowed = named | ({main} if main else set())
    return [t for t in toponyms if is_subnational(t.place) and t.place is not None and t.place.country in allowed]


def _dateline_place(article: Article, places: Sequence[Toponym]) -> Place | None:
    if not article.dateline_place:
        return None
    for t in places:
        if t.text.lower() == article.dateline_place.lower():
            return t.place
    return None


def _nearest(toponyms: Sequence[Toponym], anchor: int, context: Place | None) -> Place | None:
    """The town nearest the trigger; a region only when the sentence names no town and the context town
    is not in that region."""
    towns = [t for t in toponyms if t.place is not None and t.place.geo_precision < REGION]
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


def _event_dates(text: str, dates: Sequence[TimeExpression]) -> list[TimeExpression]:
    return [d for d in dates if not _SAID_BEFORE.search(text[: d.start])
            and not (any(ch.isdigit() for ch in d.text) and _BOUNDARY_BEFORE.search(text[: d.start]))]


def _nearest_date(dates: Sequence[TimeExpression], anchor: int, text: str = "") -> TimeExpression | None:
    if not dates:
        return None
    for d in dates:
        gap = text[anchor: d.start]
        if 0 <= d.start - anchor <= ADJACENT_DATE_CHARS and not _CLAUSE_BREAK.search(gap):
            return d
    return min(dates, key=lambda d: (d.precision, abs(d.start - anchor)))


def _first(values: Sequence[int | None]) -> int | None:
    return next((v for v in values if v is not None), None)


def _crowd(counts: Sequence[Counts]) -> tuple[int | None, int | None]:
    figures = {(c.crowd_size_low, c.crowd_size_high) for c in counts if (c.crowd_size_low, c.crowd_size_high) != (None, None)}
    # EVENTS-GOLD: two different figures for the same crowd in one document → both unknown
    return next(iter(figures)) if len(figures) == 1 else (None, None)


def _build(article: Article, draft: _Draft) -> Event:
    texts = [s.text for s in draft.sentences]
    fatalities = _first([c.fatalities for c in draft.counts]) or 0
    sub_type = attributes.sub_event_type(texts, fatalities)
    low, high = _crowd(draft.counts)
    key = f"{article.doc_id}|{draft.place.geonameid or draft.place.name}|{draft.day}"
    return Event(
        event_id=hashlib.sha1(key.encode()).hexdigest()[:16],
        event_type=SUB_EVENT_TYPES[sub_type],
        sub_event_type=sub_type,
        event_date=draft.day,
        time_precision=draft.precision,
        date_reason=None if draft.day else "no publication date and no calendar date in the text",
        place=draft.place,
        evidence=tuple(Evidence(article.doc_id, s.text, s.start, s.end) for s in draft.sentences),
        sources=(Source(
            doc_id=article.doc_id,
            url=article.url,
            title=article.title,
            published=article.published.isoformat() if article.published else None,
            outlet=article.outlet,
        ),),
        crowd_size_low=low,
        crowd_size_high=high,
        fatalities=fatalities,
        injuries=_first([c.injuries for c in draft.counts]),
        arrests=_first([c.arrests for c in draft.counts]),
        issue=attributes.issue(texts, sub_type),
        actors=attributes.actors(texts),
        certainty=attributes.event_certainty(draft.reports),
        notes=_notes(draft, sub_type),
    )


def _notes(draft: _Draft, sub_type: str) -> str:
    when = draft.day.isoformat() if draft.day else "an unknown date"
    return f"{sub_type} in {draft.place.name} on {when}, reported in {len(draft.sentences)} sentence(s)."
