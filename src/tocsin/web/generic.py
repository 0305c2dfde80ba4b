"""An ``EventReader`` over any ``Store``: the filters the store lacks are applied in Python.

Used for stores without the query API of ``tocsin.store.query`` (SQLite and PostgreSQL have it,
read by the faster ``SQLReader``). Every request reads the events that match the store's own
filters (country, dates, type) and filters, sorts and pages the rest here, so it suits stores
of up to some tens of thousands of events.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

from tocsin.records import Event
from tocsin.store.base import EventFilter, Store
from tocsin.web.query import DocumentView, EventQuery, Page, SourceSaid, Stats


def _matches(event: Event, q: EventQuery) -> bool:
    place = event.place
    if q.admin1 and (place is None or (place.admin1 or "").casefold() != q.admin1.casefold()):
        return False
    if q.bbox and (place is None or not q.bbox.contains(place.longitude, place.latitude)):
        return False
    if q.terms:
        evidence = [e.text.casefold() for e in event.evidence]
        if not all(any(t.casefold() in text for text in evidence) for t in q.terms):
            return False
    return True


def _sort_key(sort: str):  # noqa: ANN202 — a key function for sorted()
    def by_date(e: Event) -> tuple:
        return (e.event_date is None, e.event_date.toordinal() if e.event_date else 0)

    if sort == "date":
        return lambda e: (*by_date(e), e.event_id)
    if sort == "-date":
        return lambda e: (e.event_date is None, -by_date(e)[1], e.event_id)
    sign = 1 if sort == "fatalities" else -1
    return lambda e: (sign * e.fatalities, e.event_date is None, -by_date(e)[1], e.event_id)


class StoreReader:
    """Answers ``EventQuery`` through the ``Store`` protocol; text search is a substring match."""

    search_mode = "substring"

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()  # one store connection: one request at a time

    def _selected(self, q: EventQuery) -> list[Event]:
        flt = EventFilter(country=q.country, since=q.since, until=q.until, event_type=q.event_type)
        with self._lock:
            found = [e for e in self._store.events(flt) if _matches(e, q)]
        return sorted(found, key=_sort_key(q.sort))

    def page(self, query: EventQuery) -> Page:
        found = self._selected(query)
        end = None if query.limit is None else query.offset + query.limit
        return Page(total=len(found), events=tuple(found[query.offset : end]))

    def iter_events(self, query: EventQuery) -> Iterator[Event]:
        yield from self.page(query).events

    def event(self, event_id: str) -> tuple[Event, tuple[SourceSaid, ...]] | None:
        with self._lock:
            found = next((e for e in self._store.events() if e.event_id == event_id), None)
        if found is None:
            return None
        return found, tuple(SourceSaid(s.doc_id) for s in found.sources)

    def document(self, doc_id: str) -> DocumentView | None:
        with self._lock:
            doc = self._store.document(doc_id)
            if doc is None:
                return None
            events = tuple(self._store.events(EventFilter(doc_id=doc_id)))
        return DocumentView(doc, events)

    def stats(self, query: EventQuery) -> Stats:
        found = self._selected(query)
        days = Counter(e.event_date for e in found if e.event_date)
        weeks = Counter(d - timedelta(days=d.weekday()) for d in days.elements())
        countries = Counter((e.place.country if e.place else None) or "" for e in found)
        types = Counter((e.event_type, e.sub_event_type) for e in found)
        return Stats(
            total=len(found),
            undated=sum(e.event_date is None for e in found),
            fatalities=sum(e.fatalities for e in found),
            by_day=tuple((d.isoformat(), n) for d, n in sorted(days.items())),
            by_week=tuple((w.isoformat(), n) for w, n in sorted(weeks.items())),
            by_country=tuple(sorted(countries.items(), key=lambda kv: (-kv[1], kv[0]))),
            by_type=tuple((t, s, n) for (t, s), n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0]))),
        )

    def data_version(self) -> None:
        """Unknown for an arbitrary store: its answers are never cached."""
        return None

    def close(self) -> None:
        """The store is closed by whoever opened it."""
