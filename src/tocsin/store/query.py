"""The store's query API: one typed query for filtered, sorted, paged events, and what it returns.

Every SQL store (SQLite, PostgreSQL) answers ``EventQuery`` in SQL (``SQLStore.query_events``,
``iter_query``, ``stats``); the web API builds one from its URL parameters. User input only ever
reaches SQL as bound parameters: sort keys map to fixed ORDER BY text, search terms are quoted.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from tocsin.records import Event
from tocsin.store.base import StoredDocument

# Sort keys the API accepts → ORDER BY clauses (fixed text: user input never reaches SQL text).
# Undated events always sort last; event_id breaks ties so pages are stable.
SORTS: dict[str, str] = {
    "date": "event_date IS NULL, event_date, event_id",
    "-date": "event_date IS NULL, event_date DESC, event_id",
    "fatalities": "fatalities, event_date IS NULL, event_date DESC, event_id",
    "-fatalities": "fatalities DESC, event_date IS NULL, event_date DESC, event_id",
}
# Words of a text query; more is almost always a pasted paragraph, not a search.
MAX_QUERY_TERMS = 12
# search_mode values: "fts" matches terms as word prefixes in whole articles (title and text);
# "substring" matches them anywhere in an event's evidence sentences (no full-text index)
FTS, SUBSTRING = "fts", "substring"


@dataclass(frozen=True, slots=True)
class BBox:
    """minlon,minlat,maxlon,maxlat; minlon > maxlon means the box crosses the antimeridian."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float | None, lat: float | None) -> bool:
        if lon is None or lat is None or not self.min_lat <= lat <= self.max_lat:
            return False
        if self.min_lon <= self.max_lon:
            return self.min_lon <= lon <= self.max_lon
        return lon >= self.min_lon or lon <= self.max_lon


@dataclass(frozen=True, slots=True)
class EventQuery:
    country: str | None = None  # ISO3
    admin1: str | None = None  # compared case-insensitively (ASCII letters, as SQLite's NOCASE)
    since: date | None = None
    until: date | None = None
    event_type: str | None = None  # event_type or sub_event_type
    bbox: BBox | None = None
    terms: tuple[str, ...] = ()  # text search: every term must match
    sort: str = "date"  # a key of SORTS
    limit: int | None = None
    offset: int = 0
    doc_id: str | None = None  # only events this document is a source or evidence of


@dataclass(frozen=True, slots=True)
class Page:
    total: int  # events matching the filters, before limit/offset
    events: tuple[Event, ...]


@dataclass(frozen=True, slots=True)
class Stats:
    total: int
    undated: int
    fatalities: int
    by_day: tuple[tuple[str, int], ...]  # (ISO date, events), by date
    by_week: tuple[tuple[str, int], ...]  # (ISO date of the week's Monday, events), by date
    by_country: tuple[tuple[str, int], ...]  # most events first
    by_type: tuple[tuple[str, str, int], ...]  # (event_type, sub_event_type, events), most first


@dataclass(frozen=True, slots=True)
class SourceSaid:
    """One source of an event and what that source said (None where it is not recorded)."""

    doc_id: str
    said: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class QueryableStore(Protocol):
    """What a store offers beyond ``Store`` so the web API can page, filter and count in SQL.

    ``open_reader`` returns a second, read-only handle on the same database (its own connection)
    for a request thread, or None when there can be none (an in-memory SQLite database)."""

    search_mode: str  # FTS or SUBSTRING: how ``EventQuery.terms`` are matched

    def query_events(self, query: EventQuery) -> Page: ...
    def iter_query(self, query: EventQuery) -> Iterator[Event]: ...
    def event(self, event_id: str) -> Event | None: ...
    def source_values(self, event_id: str) -> list[dict[str, Any]]: ...
    def document(self, doc_id: str) -> StoredDocument | None: ...
    def stats(self, query: EventQuery) -> Stats: ...
    def open_reader(self) -> QueryableStore | None: ...
    def data_version(self) -> int | None:
        """A value that changes whenever any connection commits to the database (None: cannot tell)."""
        ...

    def close(self) -> None: ...


def search_terms(text: str | None) -> tuple[str, ...]:
    """Split a search box into terms; ValueError (shown to the user) when it has too many."""
    terms = tuple(dict.fromkeys((text or "").split()))
    if len(terms) > MAX_QUERY_TERMS:
        raise ValueError(f"a text search takes at most {MAX_QUERY_TERMS} words, got {len(terms)}")
    return terms


def like_pattern(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with LIKE's wildcards escaped (ESCAPE '\\')."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def fts5_query(terms: Sequence[str]) -> str:
    """Each term as an FTS5 prefix string ("..."* with quotes doubled): never read as FTS syntax.

    A prefix, so "protest" finds "protesters" as the substring search over evidence would.
    """
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def tsquery(terms: Sequence[str]) -> str:
    """The PostgreSQL ``to_tsquery`` text for ``terms``: each a quoted lexeme matched as a prefix
    (``'term':*``, quotes and backslashes escaped), all of them required (``&``)."""
    return " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "':*" for t in terms)
