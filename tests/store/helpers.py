"""Records for store and export tests, written for these tests (no shared data)."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from tocsin.records import (
    INTERVENTION,
    PEACEFUL,
    PROTESTS,
    REPORTED,
    RIOTS,
    VIOLENT_DEMONSTRATION,
    Article,
    DocumentResult,
    Event,
    Evidence,
    Place,
    RawDocument,
    Rejected,
    Source,
)

RIVERTON = Place(
    name="Riverton", country="KEN", latitude=-1.2921, longitude=36.8219, geonameid=9000001,
    admin1="Nairobi Area", feature_class="P", feature_code="PPLA", population=120000, geo_precision=1,
)  # fmt: skip
HILLSIDE = Place(
    name="Hillside", country="IND", latitude=23.0258, longitude=72.5873, geonameid=9000002,
    admin1="Gujarat", geo_precision=2,
)  # fmt: skip


def article(doc_id: str, text: str, **kw: object) -> Article:
    return Article(
        doc_id=doc_id,
        text=text,
        paragraphs=((0, len(text)),),
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        title=kw.get("title", f"Title of {doc_id}"),  # type: ignore[arg-type]
        published=datetime(2024, 3, 6, 9, 30),
        url=f"https://news.example/{doc_id}",
        outlet="Example Daily",
        origin=f"folder/{doc_id}.txt",
    )


def event(event_id: str, doc_id: str, text: str, **kw: object) -> Event:
    sentence = text.split(".")[0] + "."
    base = {
        "event_id": event_id,
        "event_type": PROTESTS,
        "sub_event_type": PEACEFUL,
        "event_date": date(2024, 3, 5),
        "time_precision": 1,
        "place": RIVERTON,
        "evidence": (Evidence(doc_id, sentence, 0, len(sentence)),),
        "sources": (Source(doc_id, f"https://news.example/{doc_id}", f"Title of {doc_id}",
                           "2024-03-06T09:30:00", "Example Daily"),),
        "crowd_size_low": 200,
        "crowd_size_high": 500,
        "issue": "bus fares",
        "actors": ("commuters", "student union"),
        "notes": "Commuters marched against a rise in bus fares.",
    }  # fmt: skip
    base.update(kw)
    return Event(**base)  # type: ignore[arg-type]


def result(doc_id: str, text: str, events: tuple[Event, ...] = (), relevance: float = 0.9) -> DocumentResult:
    raw = RawDocument(doc_id=doc_id, text=text, origin=f"folder/{doc_id}.txt")
    return DocumentResult(raw=raw, article=article(doc_id, text), events=events, relevance=relevance)


def rejected(doc_id: str, reason: str, html: str | None = None) -> DocumentResult:
    raw = RawDocument(doc_id=doc_id, html=html, origin=f"folder/{doc_id}.html")
    return DocumentResult(raw=raw, article=None, rejected=Rejected(doc_id, raw.origin, reason))


def varied_events() -> list[Event]:
    """A small spread of types, places and dates, with one undated and one unplaced event."""
    return [
        event("e-ken-1", "d1", "Commuters marched in Riverton on Tuesday. Police watched."),
        event("e-ind-1", "d2", "A mob torched two shops in Hillside. Nobody died.",
              event_type=RIOTS, sub_event_type=VIOLENT_DEMONSTRATION, place=HILLSIDE,
              event_date=date(2024, 3, 1), fatalities=2, injuries=7, arrests=12,
              crowd_size_low=None, crowd_size_high=None, certainty=REPORTED,
              alt_sub_event_types=("Mob violence",), actors=()),
        event("e-ken-2", "d3", "Teachers were dispersed with tear gas. They had gathered early.",
              sub_event_type=INTERVENTION, event_date=date(2024, 3, 20), arrests=4),
        event("e-undated", "d4", "Workers rallied at some point. The date is unclear.",
              event_date=None, time_precision=None, date_reason="no resolvable date"),
        event("e-unplaced", "d5", "Farmers protested somewhere. No town is named.", place=None),
    ]  # fmt: skip
