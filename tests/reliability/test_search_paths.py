"""The full-text filter has two SQL forms (tocsin.store.sql: one tests each event of a selective
filter, the other collects the events of every matching article); both must select the same events."""

from __future__ import annotations

import hashlib
from datetime import date, datetime
from pathlib import Path

from tocsin.records import (
    PEACEFUL,
    PROTESTS,
    Article,
    DocumentResult,
    Event,
    Evidence,
    Place,
    RawDocument,
    Source,
)
from tocsin.store.base import open_store
from tocsin.store.query import EventQuery

WORDS = ("nurses", "farmers", "teachers")
COUNTRIES = ("GHA", "PER", "NPL")


def test_search_with_and_without_a_selective_filter_agree(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.db"))
    run = store.begin_run(["t"])
    results = []
    for i in range(30):
        word, country = WORDS[i % 3], COUNTRIES[(i // 3) % 3]
        text = f"Hundreds of {word} marched in Town {i} on Monday over pay."
        doc_id = f"d{i}"
        art = Article(doc_id=doc_id, text=text, paragraphs=((0, len(text)),), published=datetime(2024, 5, 6),
                      content_hash=hashlib.sha256(text.encode()).hexdigest(), origin="t")  # fmt: skip
        place = Place(f"Town {i}", country, latitude=-40.0 + 3 * i, longitude=-100.0 + 7 * i, geonameid=9_500_000 + i)
        ev = Event(event_id=f"e{i}", event_type=PROTESTS, sub_event_type=PEACEFUL, event_date=date(2024, 1 + i % 12, 1 + i),
                   time_precision=1, place=place, evidence=(Evidence(doc_id, text, 0, len(text)),),
                   sources=(Source(doc_id),))  # fmt: skip
        results.append(DocumentResult(raw=RawDocument(doc_id, text=text, origin="t"), article=art, events=(ev,)))
    store.save(results, run)
    try:
        assert store.search_mode == "fts"
        for word in WORDS:
            everywhere = {e.event_id: e for e in store.iter_query(EventQuery(terms=(word,)))}
            assert len(everywhere) == 10
            for country in COUNTRIES:
                page = store.query_events(EventQuery(terms=(word,), country=country))
                expected = {k for k, e in everywhere.items() if e.place and e.place.country == country}
                assert {e.event_id for e in page.events} == expected and page.total == len(expected)
            one = store.query_events(EventQuery(terms=(word,), doc_id="d0"))
            assert {e.event_id for e in one.events} == ({"e0"} if word == "nurses" else set())
    finally:
        store.close()
