"""The API's JSON shapes (pydantic, so /docs shows them), built from the pipeline's records.

An event is the JSON Lines export's record (``tocsin.export.event_record``): one shape for
exports and the API. The read endpoints send the plain dicts of ``event_dict``, ``stats_dict`` and
``document_dict`` encoded by orjson, not pydantic models: validating 50 events the API itself built
cost more than building them (tests/web check every answer against these models).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tocsin.export import event_record
from tocsin.records import Event
from tocsin.web.query import DocumentView, SourceSaid, Stats

# POST /api/documents: the largest text or HTML accepted, in characters. A long news page is
# ~200 KB of HTML; 5 MB leaves room without letting one request hold the writer for minutes.
MAX_DOCUMENT_CHARS = 5_000_000


class EvidenceOut(BaseModel):
    doc_id: str
    text: str
    start: int = Field(description="offset of the sentence in the document's clean text")
    end: int


class SourceOut(BaseModel):
    doc_id: str
    url: str | None
    title: str | None
    published: str | None
    outlet: str | None
    said: dict[str, Any] | None = Field(
        default=None, description="what this source said (type, date, place, counts), when recorded"
    )


class EventOut(BaseModel):
    event_id: str
    event_date: str | None
    time_precision: int | None
    date_reason: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-3")
    admin1: str | None
    location: str | None
    latitude: float | None
    longitude: float | None
    geo_precision: int | None
    geonameid: int | None
    event_type: str
    sub_event_type: str
    alt_sub_event_types: list[str]
    crowd_size_low: int | None
    crowd_size_high: int | None
    fatalities: int
    injuries: int | None
    arrests: int | None
    issue: str | None
    actors: list[str]
    certainty: str
    notes: str
    evidence: list[EvidenceOut]
    sources: list[SourceOut]


class EventPage(BaseModel):
    total: int = Field(description="events matching the filters, before limit and offset")
    limit: int
    offset: int
    search: str = Field(description='how q was matched: "fts" (article full text) or "substring" (evidence)')
    events: list[EventOut]


class Count(BaseModel):
    key: str
    count: int


class TypeCount(BaseModel):
    event_type: str
    sub_event_type: str
    count: int


class StatsOut(BaseModel):
    total: int
    undated: int
    fatalities: int
    by_day: list[Count]
    by_week: list[Count] = Field(description="key: the Monday of each ISO week")
    by_country: list[Count]
    by_type: list[TypeCount]


class MarkOut(BaseModel):
    """An evidence sentence located in a document's clean text."""

    event_id: str
    start: int
    end: int
    text: str


class DocumentOut(BaseModel):
    doc_id: str
    title: str | None
    url: str | None
    published: str | None
    outlet: str | None
    language: str | None
    status: str
    reason: str | None
    text: str | None = Field(description="clean text; evidence offsets point into it")
    evidence: list[MarkOut] = Field(description="evidence sentences in this document, by offset")
    events: list[EventOut]


class DocumentIn(BaseModel):
    """A document to process, shaped like a JSON Lines ingest record."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(
        default=None, min_length=1, max_length=500, description="your id (default: a hash of the content)"
    )
    text: str | None = Field(default=None, max_length=MAX_DOCUMENT_CHARS)
    html: str | None = Field(default=None, max_length=MAX_DOCUMENT_CHARS)
    url: str | None = Field(default=None, max_length=4000)
    published: str | None = Field(default=None, max_length=100, description="ISO date or free text")
    title: str | None = Field(default=None, max_length=2000)
    source: str | None = Field(default=None, max_length=500, description="the outlet")

    @model_validator(mode="after")
    def _has_body(self) -> DocumentIn:
        if not (self.text or self.html):
            raise ValueError("give the document's body as 'text' or 'html'")
        return self


class IngestOut(BaseModel):
    doc_id: str
    status: str = Field(description="processed, skipped or rejected")
    reason: str | None
    relevance: float
    events: list[EventOut]


def event_dict(event: Event, said: tuple[SourceSaid, ...] = ()) -> dict[str, Any]:
    """An ``EventOut`` as a plain dict: each source with what it said (None when not recorded)."""
    record = event_record(event)
    by_doc = {s.doc_id: s.said for s in said}
    for source in record["sources"]:
        source["said"] = by_doc.get(source["doc_id"]) or None
    return record


def event_out(event: Event, said: tuple[SourceSaid, ...] = ()) -> EventOut:
    return EventOut.model_validate(event_dict(event, said))


def page_dict(total: int, limit: int, offset: int, search: str, events: tuple[Event, ...]) -> dict[str, Any]:
    """An ``EventPage`` as a plain dict."""
    return {"total": total, "limit": limit, "offset": offset, "search": search,
            "events": [event_dict(e) for e in events]}  # fmt: skip


def stats_dict(stats: Stats) -> dict[str, Any]:
    """A ``StatsOut`` as a plain dict."""
    return {
        "total": stats.total,
        "undated": stats.undated,
        "fatalities": stats.fatalities,
        "by_day": [{"key": k, "count": n} for k, n in stats.by_day],
        "by_week": [{"key": k, "count": n} for k, n in stats.by_week],
        "by_country": [{"key": k, "count": n} for k, n in stats.by_country],
        "by_type": [{"event_type": t, "sub_event_type": s, "count": n} for t, s, n in stats.by_type],
    }


def stats_out(stats: Stats) -> StatsOut:
    return StatsOut.model_validate(stats_dict(stats))


def document_dict(view: DocumentView) -> dict[str, Any]:
    """A ``DocumentOut`` as a plain dict: its evidence sentences sorted by offset."""
    doc = view.document
    evidence = sorted(
        (
            {"event_id": event.event_id, "start": e.start, "end": e.end, "text": e.text}
            for event in view.events
            for e in event.evidence
            if e.doc_id == doc.doc_id
        ),
        key=lambda m: (m["start"], m["end"], m["event_id"]),
    )
    return {
        "doc_id": doc.doc_id, "title": doc.title, "url": doc.url, "published": doc.published,
        "outlet": doc.outlet, "language": doc.language, "status": doc.status, "reason": doc.reason,
        "text": doc.text, "evidence": evidence, "events": [event_dict(e) for e in view.events],
    }  # fmt: skip


def document_out(view: DocumentView) -> DocumentOut:
    return DocumentOut.model_validate(document_dict(view))
