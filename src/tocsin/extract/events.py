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
from tocsin.extract.anchors import (
    coherent_places,
    context_place,
    dateline_place,
    event_clauses,
    event_dates,
    event_places,
    first_town,
    has_town,
    is_background,
    is_town,
    names_country,
    nearest_date,
    nearest_place,
    opens_with_dateline,
)
from tocsin.extract.dates import TimeExpression, find_dates, names_day
from tocsin.extract.localities import local_places
from tocsin.extract.numbers import Counts, extract_counts
from tocsin.records import SUB_EVENT_TYPES, Article, Event, Evidence, Place, Source, Toponym


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
    dateline = dateline_place(article, places)
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
        own_dates = event_dates(sent.text, dates)
        if mention is None or (mention.aftermath and not own_dates):
            if mention is not None and has_town(in_sentence):
                undated.append((sent, in_sentence))
            if last is not None and since_last <= FOLLOW_UP_SENTENCES and _follows_up(sent, in_sentence, dates, last):
                last.add(sent, report=False)
                since_last = 0
            ctx_place = context_place(in_sentence, ctx_place)
            ctx_date = dates[0] if dates else ctx_date
            # without a publication date no day resolves: naming a day, or only the town, sets the scene
            if has_town(in_sentence) and (own_dates or published is None):
                scene_at = index
            continue
        anchor = mention.trigger_start
        candidates = event_places(article, sent, in_sentence)
        own_date = nearest_date(own_dates, anchor - sent.start, sent.text)
        if not has_town(candidates) and names_country(sent, toponyms, anchor):
            # "protests spread across France", "strikers marching all over Chile": placed at country level only,
            # though its day is the context of the sentences that follow ("In Lyon, dockers marched.")
            ctx_date = own_date or ctx_date
            continue
        if own_date is None and published is not None and not has_town(candidates):
            # "the riots in Savoie", with no day: a general statement, not a new event (without a
            # publication date no day can be resolved, so the lack of one says nothing)
            candidates = []
        clauses = event_clauses(sent, candidates, anchor)
        main_clause = next((c for c in clauses if c[0] <= anchor - sent.start < c[1]), None)
        if main_clause is not None:
            candidates = [t for t in candidates if main_clause[0] <= t.start - sent.start < main_clause[1]]
        before_trigger = sent.text[: anchor - sent.start]
        background = is_background(before_trigger, sent.text, own_date, published)
        if background and not has_town(candidates):
            continue  # "insurers face losses due to the riots", "MPs on Monday condemned the storming of ..."
        # "LYON: Dockers marched through the city.": a report under a dateline naming no other town is
        # about the dateline town, on the day of publication (a region named beside it does not move it)
        at_dateline = (dateline is not None and not background and opens_with_dateline(article, sent)
                       and not has_town([t for t in in_sentence if t.place is not dateline]))
        if at_dateline and not has_town(candidates):
            candidates = []
        own_place = nearest_place(candidates, anchor, ctx_place)
        # "Ministers met in Grenoble on Monday. About 200 farmers protested outside the hall.": the
        # sentence before set the scene, town and day, for the article's first protest (riot words in
        # such sentences are mostly background: "homes destroyed by rioters")
        sets_scene = scene_at == index - 1 and last is None and mention.kind == "protest" and not background
        # without a publication date "on Monday" cannot be resolved, but it still dates the episode
        unresolved_day = own_date is None and published is None and names_day(sent.text)
        dated = own_date is not None or unresolved_day
        if own_place is None and not dated and not sets_scene and (last is not None or not at_dateline):
            # "There have been riots elsewhere in the city": more about the event in context, never a new one
            if last is not None:
                last.add(sent)
                since_last = 0
            continue
        place = own_place or ctx_place
        # "Earlier on Monday" in an undated article: its own day, unknown, not the date of the context
        when = own_date or (None if unresolved_day else ctx_date)
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
            town = first_town([t for t in in_sentence if lo <= t.start - sent.start < hi])
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
        towns = {t.place.geonameid for t in in_sentence if t.place is not None and is_town(t)}
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
