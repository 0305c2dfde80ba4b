"""Events as the extractor makes them (two outlets, written for this test) merge into one with both sources."""

from __future__ import annotations

import re
from datetime import datetime

from tocsin.dedupe.merge import merge_events
from tocsin.detect.mentions import find_mentions, make_sentence_splitter
from tocsin.extract.events import extract_events
from tocsin.records import RIOTS, Article, Event, Place, Toponym

TOWNS = {
    "Lyon": Place("Lyon", "FRA", 45.7485, 4.8467, 2996944, "Auvergne-Rhône-Alpes", "P", "PPLA", 500000, 1),
    "Grenoble": Place(
        "Grenoble", "FRA", 45.1715, 5.7224, 3014728, "Auvergne-Rhône-Alpes", "P", "PPLA3", 160000, 1
    ),
}


def events(doc_id: str, text: str, published: datetime) -> tuple[Event, ...]:
    spans, pos = [], 0
    for p in text.split("\n\n"):
        spans.append((pos, pos + len(p)))
        pos += len(p) + 2
    article = Article(
        doc_id=doc_id,
        text=text,
        paragraphs=tuple(spans),
        content_hash=doc_id,
        published=published,
        outlet=doc_id.split("-")[0],
    )
    sentences = make_sentence_splitter()(article)
    toponyms = [
        Toponym(m.start(), m.end(), m.group(0), TOWNS[m.group(0)]) for m in re.finditer("|".join(TOWNS), text)
    ]
    return extract_events(article, sentences, find_mentions(sentences), toponyms)


def test_two_outlets_reporting_one_riot_give_one_event_and_another_town_stays_apart() -> None:
    wire = events(
        "wire-1",
        "In Lyon, some 2,000 dock workers marched to the prefecture on Tuesday. Youths later "
        "threw stones at police.",
        datetime(2024, 3, 6, 9, 0),
    )
    local = events(
        "local-7",
        "About 3,000 people protested in Lyon on Tuesday against the port reform.\n\n"
        "In Grenoble, students held a sit-in at the university on Tuesday.",
        datetime(2024, 3, 6, 18, 0),
    )
    assert len(wire) == 1 and len(local) == 2
    result = merge_events([*local, *wire])
    by_town = {e.place.name: e for e in result.events}
    assert set(by_town) == {"Lyon", "Grenoble"}
    lyon = by_town["Lyon"]
    assert [s.doc_id for s in lyon.sources] == ["wire-1", "local-7"]
    assert lyon.event_id == wire[0].event_id  # the earlier article names the event
    assert lyon.event_type == RIOTS  # the wire saw stones thrown; the local paper did not
    assert (lyon.crowd_size_low, lyon.crowd_size_high) == (2000, 3000)
    assert len(by_town["Grenoble"].sources) == 1
