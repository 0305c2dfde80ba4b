"""A small store of made-up articles and events for the web tests (text written for these tests).

Five documents in three countries; one of them carries HTML and script in its title and text,
and a ``javascript:`` URL, to check that the API and the dashboard keep them inert.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from tocsin.records import (
    EXCESSIVE_FORCE,
    INTERVENTION,
    MOB_VIOLENCE,
    PEACEFUL,
    PROTESTS,
    RIOTS,
    SUB_EVENT_TYPES,
    VIOLENT_DEMONSTRATION,
    Article,
    DocumentResult,
    Event,
    Evidence,
    Place,
    RawDocument,
    Source,
)

STEPPE = Place("Steppe City", "KAZ", 47.11, 51.92, 9100001, "Atyrau", population=300000)
LAKESIDE = Place("Lakeside", "KAZ", 43.25, 76.95, 9100002, "Almaty", population=1500000)
RIVERBEND = Place("Riverbend", "IND", 23.02, 72.57, 9100003, "Gujarat", population=800000)
HILLTOWN = Place("Hilltown", "KEN", -1.29, 36.82, 9100004, "Nairobi Area", population=400000)

XSS_TITLE = "<script>alert('title')</script> Commuters march"
XSS_SCRIPT = "<script>document.body.dataset.pwned='script'</script>"
XSS_IMG = "<img src=x onerror=\"document.body.dataset.pwned='img'\">"


def article(doc_id: str, paragraphs: list[str], title: str, published: datetime, url: str) -> Article:
    text = "\n\n".join([title, *paragraphs])
    spans, at = [], 0
    for block in [title, *paragraphs]:
        spans.append((at, at + len(block)))
        at += len(block) + 2
    return Article(
        doc_id=doc_id,
        text=text,
        paragraphs=tuple(spans),
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        title=title,
        published=published,
        url=url,
        outlet="The Example Post",
        origin=f"seed/{doc_id}",
    )


def event(
    event_id: str,
    art: Article,
    sentences: list[str],
    place: Place | None,
    day: date | None,
    sub: str,
    **kw: object,
) -> Event:
    evidence = tuple(
        Evidence(art.doc_id, s, art.text.index(s), art.text.index(s) + len(s)) for s in sentences
    )
    source = Source(
        art.doc_id, art.url, art.title, art.published.isoformat() if art.published else None, art.outlet
    )
    return Event(
        event_id=event_id,
        event_type=SUB_EVENT_TYPES[sub],
        sub_event_type=sub,
        event_date=day,
        time_precision=1 if day else None,
        place=place,
        evidence=evidence,
        sources=(source,),
        date_reason=None if day else "no date in the article",
        **kw,  # type: ignore[arg-type]
    )


def result(art: Article, events: tuple[Event, ...]) -> DocumentResult:
    raw = RawDocument(doc_id=art.doc_id, text=art.text, url=art.url, title=art.title, origin=art.origin)
    return DocumentResult(raw=raw, article=art, events=events, relevance=0.9)


def seed_results() -> list[DocumentResult]:
    d1 = article(
        "kz-fuel",
        ["Hundreds of drivers gathered in Steppe City on Monday to protest against a rise in fuel prices.",
         "Police watched the rally but did not intervene. Organisers said they would return next week."],
        "Drivers rally over fuel prices", datetime(2022, 1, 4, 8), "https://news.example/kz-fuel",
    )  # fmt: skip
    d2 = article(
        "kz-unrest",
        ["Protesters set fire to cars in Lakeside on Wednesday and two people were killed in the clashes.",
         "In Steppe City, police dispersed a second rally with tear gas and detained 40 people."],
        "Cars burned as unrest spreads", datetime(2022, 1, 6, 9), "https://news.example/kz-unrest",
    )  # fmt: skip
    d3 = article(
        "india/farmers 2024",
        ["Farmers blocked the highway near Riverbend on 12 March, demanding better crop prices.",
         "A shop was looted by a crowd that had gathered nearby."],
        "Farmers block highway", datetime(2024, 3, 13, 7), "https://news.example/in-farmers",
    )  # fmt: skip
    d4 = article(
        "ke-fares",
        ["Commuters marched in Hilltown on Friday against higher bus fares. " + XSS_SCRIPT,
         "A banner read " + XSS_IMG + " and nothing else."],
        XSS_TITLE, datetime(2024, 3, 16, 10), "javascript:alert('url')",
    )  # fmt: skip
    d5 = article(
        "ke-undated",
        ["Students staged a sit-in at a college somewhere in the region, organisers said."],
        "Students stage sit-in", datetime(2024, 4, 2, 12), "https://news.example/ke-undated",
    )  # fmt: skip
    return [
        result(d1, (event("ev-kz-1", d1, [d1.text.split("\n\n")[1]], STEPPE, date(2022, 1, 3), PEACEFUL,
                          crowd_size_low=200, crowd_size_high=900, issue="fuel prices"),)),
        result(d2, (
            event("ev-kz-2", d2, ["Protesters set fire to cars in Lakeside on Wednesday and two people were "
                                  "killed in the clashes."], LAKESIDE, date(2022, 1, 5), VIOLENT_DEMONSTRATION,
                  fatalities=2),
            event("ev-kz-3", d2, ["In Steppe City, police dispersed a second rally with tear gas and detained "
                                  "40 people."], STEPPE, date(2022, 1, 5), INTERVENTION, arrests=40),
        )),
        result(d3, (
            event("ev-in-1", d3, ["Farmers blocked the highway near Riverbend on 12 March, demanding better "
                                  "crop prices."], RIVERBEND, date(2024, 3, 12), PEACEFUL, issue="crop prices"),
            event("ev-in-2", d3, ["A shop was looted by a crowd that had gathered nearby."], RIVERBEND,
                  date(2024, 3, 12), MOB_VIOLENCE),
        )),
        result(d4, (event("ev-ke-1", d4, ["Commuters marched in Hilltown on Friday against higher bus fares.",
                                          "A banner read " + XSS_IMG + " and nothing else."],
                          HILLTOWN, date(2024, 3, 15), PEACEFUL),)),
        result(d5, (event("ev-ke-2", d5, [d5.text.split("\n\n")[1]], None, None, PEACEFUL),)),
    ]  # fmt: skip


SEED_EVENTS = 7
SEED_COUNTRIES = {"KAZ": 3, "IND": 2, "KEN": 1}  # the undated event has no place


def synthetic_results(n_events: int, seed: int = 7) -> Iterator[DocumentResult]:
    """``n_events`` generated events, one per document, for pagination and throughput checks."""
    rng = random.Random(seed)
    places = [STEPPE, LAKESIDE, RIVERBEND, HILLTOWN]
    subs = [PEACEFUL, INTERVENTION, EXCESSIVE_FORCE, VIOLENT_DEMONSTRATION, MOB_VIOLENCE]
    start = date(2020, 1, 1)
    for i in range(n_events):
        place = rng.choice(places)
        sub = rng.choice(subs)
        day = start + timedelta(days=rng.randrange(1500))
        verb = "marched" if SUB_EVENT_TYPES[sub] == PROTESTS else "rioted"
        assert SUB_EVENT_TYPES[sub] in (PROTESTS, RIOTS)
        sentence = f"About {rng.randrange(20, 5000)} people {verb} in {place.name} over issue number {i}."
        art = article(
            f"syn-{i:06d}", [sentence], f"Report {i}", datetime(2020, 1, 1), f"https://news.example/{i}"
        )
        yield result(art, (event(f"syn-ev-{i:06d}", art, [sentence], place, day, sub,
                                 fatalities=rng.choice([0, 0, 0, 1, 3])),))  # fmt: skip
