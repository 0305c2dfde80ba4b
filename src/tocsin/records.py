"""Typed, immutable records that flow between the pipeline stages.

    RawDocument -> Article -> (relevance) -> Mention -> Event (geocoded, dated) -> store

Every stage takes one of these and returns a new one; nothing is mutated in place, which is
what lets the same stages run in one process, a process pool or on Dask.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

# Event vocabulary (ACLED, see ../shared/eval/EVENTS-GOLD.md)
PROTESTS = "Protests"
RIOTS = "Riots"
PEACEFUL = "Peaceful protest"
INTERVENTION = "Protest with intervention"
EXCESSIVE_FORCE = "Excessive force against protesters"
VIOLENT_DEMONSTRATION = "Violent demonstration"
MOB_VIOLENCE = "Mob violence"
SUB_EVENT_TYPES: dict[str, str] = {
    PEACEFUL: PROTESTS,
    INTERVENTION: PROTESTS,
    EXCESSIVE_FORCE: PROTESTS,
    VIOLENT_DEMONSTRATION: RIOTS,
    MOB_VIOLENCE: RIOTS,
}

# How sure the source is of what it reports.
STATED = "stated"  # reported as fact
REPORTED = "reported"  # attributed: "according to", "reportedly", "local media said"
CLAIMED = "claimed"  # a party's claim: "authorities claimed", "allegedly"
UNCONFIRMED = "unconfirmed"  # the text says it is not confirmed
CERTAINTY_LEVELS = (STATED, REPORTED, CLAIMED, UNCONFIRMED)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """A document as it arrived: text or HTML plus whatever metadata came with it."""

    doc_id: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    published: str | None = None  # as given: ISO date/datetime or free text
    title: str | None = None
    outlet: str | None = None
    origin: str = ""  # where it was read from (path, path:line, URL)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A document that could not be read or parsed, with a reason the user can act on."""

    doc_id: str
    origin: str
    reason: str


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article.

    ``text`` is the clean text that offsets point into: title, standfirst and body paragraphs
    joined by blank lines. ``paragraphs`` holds (start, end) offsets of each block in ``text``.
    """

    doc_id: str
    text: str
    paragraphs: tuple[tuple[int, int], ...]
    content_hash: str
    title: str | None = None
    standfirst: str | None = None
    published: datetime | None = None
    url: str | None = None
    outlet: str | None = None
    language: str = "en"
    origin: str = ""
    dateline_place: str | None = None  # "AHMEDABAD:" → "ahmedabad"


@dataclass(frozen=True, slots=True)
class Place:
    """A resolved GeoNames place. ``geo_precision`` follows ACLED (1 town, 2 part of/near, 3 region)."""

    name: str
    country: str  # ISO 3166-1 alpha-3
    latitude: float | None
    longitude: float | None
    geonameid: int | None = None
    admin1: str | None = None
    feature_class: str = "P"  # GeoNames: P populated place, A admin area
    feature_code: str = ""
    population: int = 0
    geo_precision: int = 1


# Flat column name -> Place attribute, for every table and export that spreads a place into columns
# (``location`` is ACLED's name for the place name).
PLACE_COLUMNS = {
    "location": "name", "admin1": "admin1", "country": "country", "latitude": "latitude",
    "longitude": "longitude", "geonameid": "geonameid", "geo_precision": "geo_precision",
    "feature_class": "feature_class", "feature_code": "feature_code", "population": "population",
}  # fmt: skip


def place_fields(place: Place | None, columns: Iterable[str] = PLACE_COLUMNS) -> dict[str, Any]:
    """``place`` spread into the named flat columns (all None when there is no place)."""
    return {c: getattr(place, PLACE_COLUMNS[c]) if place is not None else None for c in columns}


@dataclass(frozen=True, slots=True)
class Toponym:
    """A place name found in a text, with character offsets, and its resolution (if any)."""

    start: int
    end: int
    text: str
    place: Place | None


@dataclass(frozen=True, slots=True)
class Evidence:
    doc_id: str
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Source:
    doc_id: str
    url: str | None = None
    title: str | None = None
    published: str | None = None  # ISO
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One protest or riot event: one place, one day, one episode."""

    event_id: str
    event_type: str
    sub_event_type: str
    event_date: date | None
    time_precision: int | None
    place: Place | None
    evidence: tuple[Evidence, ...]
    sources: tuple[Source, ...]
    crowd_size_low: int | None = None
    crowd_size_high: int | None = None
    fatalities: int = 0
    injuries: int | None = None
    arrests: int | None = None
    issue: str | None = None
    actors: tuple[str, ...] = ()
    certainty: str = STATED
    notes: str = ""
    date_reason: str | None = None  # why event_date is empty, when it is
    alt_sub_event_types: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class TermCounts:
    """A document's story term counts, compact (tocsin.dedupe.stories.story_terms): each distinct term as its
    64-bit hash (``ids``, little-endian uint64) and how often it occurs (``counts``, little-endian uint32),
    in the same order. Two byte strings pickle and stack into a matrix far faster than a tuple of
    (term, count) pairs: the store's one writer stacks a few hundred of them at a time."""

    ids: bytes = b""
    counts: bytes = b""

    def __post_init__(self) -> None:
        if len(self.counts) % 4 or len(self.ids) != 2 * len(self.counts):
            raise ValueError("TermCounts needs 4 bytes of count and 8 bytes of id for every term")

    def __len__(self) -> int:
        return len(self.counts) // 4

    def items(self) -> Iterable[tuple[int, int]]:
        """(term hash, count) pairs."""
        ids = (int.from_bytes(self.ids[i : i + 8], "little") for i in range(0, len(self.ids), 8))
        counts = (int.from_bytes(self.counts[i : i + 4], "little") for i in range(0, len(self.counts), 4))
        return zip(ids, counts, strict=True)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What cross-article deduplication needs of an article, computed by the pure per-document stages (in
    the workers) so the store's one writer only looks it up: the MinHash signature of its text
    (tocsin.dedupe.neardup; None for a text with no words) and its story term counts (tocsin.dedupe.stories)."""

    signature: bytes | None
    terms: TermCounts = field(default_factory=TermCounts)


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """What the pipeline made of one document: a cleaned article and its events, or a rejection."""

    raw: RawDocument
    article: Article | None
    events: tuple[Event, ...] = ()
    rejected: Rejected | None = None
    relevance: float = 0.0
    skipped: str | None = None  # why a readable article was not parsed for events (e.g. its language)
    fingerprint: Fingerprint | None = None  # set for every article; a store computes it when missing
