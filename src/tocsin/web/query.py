"""What the web API asks of the store: filtered, sorted, paginated events, statistics, documents.

``EventQuery`` (from ``tocsin.store.query``) is the one typed query every endpoint builds from its
URL parameters; an ``EventReader`` answers it. ``SQLReader`` passes it to a SQL store's query API
(SQLite or PostgreSQL: filters, sorting, paging, counting and full-text search all in SQL) through
a few read-only connections of its own, so requests never share the writer's connection;
``tocsin.web.generic.StoreReader`` answers from the ``Store`` protocol alone, for other stores.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

from tocsin.records import Event
from tocsin.store.base import StoredDocument
from tocsin.store.query import (  # noqa: F401  (re-exported: the web layer's vocabulary)
    MAX_QUERY_TERMS,
    SORTS,
    BBox,
    EventQuery,
    Page,
    QueryableStore,
    SourceSaid,
    Stats,
    like_pattern,
    search_terms,
)
from tocsin.store.rows import SAID_COLUMNS

# Read-only connections kept open for request threads; a request beyond this many at once waits
# for one. uvicorn runs one process here, whose handlers rarely take over a few milliseconds, and
# a PostgreSQL server allows 100 connections by default: 4 is plenty and leaves room for others.
READERS = 4


@dataclass(frozen=True, slots=True)
class DocumentView:
    document: StoredDocument
    events: tuple[Event, ...]


class EventReader(Protocol):
    search_mode: str  # "fts" or "substring": how ``terms`` are matched

    def page(self, query: EventQuery) -> Page: ...
    def iter_events(self, query: EventQuery) -> Iterator[Event]: ...
    def event(self, event_id: str) -> tuple[Event, tuple[SourceSaid, ...]] | None: ...
    def document(self, doc_id: str) -> DocumentView | None: ...
    def stats(self, query: EventQuery) -> Stats: ...
    def data_version(self) -> object | None:
        """A value that changes whenever the stored data may have changed (None: cannot tell)."""
        ...

    def close(self) -> None: ...


class SQLReader:
    """Answers ``EventQuery`` with the store's own SQL, through up to READERS read-only handles
    (``store.open_reader()``), each used by one request at a time. A store that can have no second
    handle (in-memory SQLite) is read through itself, one request at a time."""

    def __init__(self, store: QueryableStore) -> None:
        self.search_mode = store.search_mode
        self._store = store
        self._free: queue.LifoQueue[QueryableStore] = queue.LifoQueue()
        self._opened: list[QueryableStore] = []
        self._guard = threading.Lock()
        # a read-only handle of its own that never reads data: it only notices other connections' commits
        self._probe = store.open_reader()
        if self._probe is not None and self._probe.data_version() is None:
            self._probe.close()
            self._probe = None
        first = store.open_reader()
        if first is None:
            self._slots = threading.BoundedSemaphore(1)
            self._free.put(store)  # the caller's store: never closed here
        else:
            self._slots = threading.BoundedSemaphore(READERS)
            self._opened.append(first)
            self._free.put(first)

    @contextmanager
    def _handle(self) -> Iterator[QueryableStore]:
        with self._slots:
            try:
                handle = self._free.get_nowait()
            except queue.Empty:  # fewer than READERS opened so far: open one more
                handle = self._store.open_reader() or self._store
                with self._guard:
                    self._opened.append(handle)
            try:
                yield handle
            finally:
                self._free.put(handle)

    def data_version(self) -> int | None:
        """The store's data version seen by this reader's own handle (SQLite); None for other
        databases (PostgreSQL has no cheap equivalent) and in-memory SQLite."""
        probe = self._probe
        return probe.data_version() if probe is not None else None

    def close(self) -> None:
        probe, self._probe = self._probe, None
        if probe is not None:
            probe.close()
        with self._guard:
            for handle in self._opened:
                handle.close()
            self._opened.clear()

    def page(self, query: EventQuery) -> Page:
        with self._handle() as store:
            return store.query_events(query)

    def iter_events(self, query: EventQuery) -> Iterator[Event]:
        with self._handle() as store:
            yield from store.iter_query(query)

    def event(self, event_id: str) -> tuple[Event, tuple[SourceSaid, ...]] | None:
        with self._handle() as store:
            found = store.event(event_id)
            if found is None:
                return None
            said = tuple(
                SourceSaid(r["doc_id"], {c: r[f"said_{c}"] for c in SAID_COLUMNS})
                for r in store.source_values(event_id)
            )
        return found, said

    def document(self, doc_id: str) -> DocumentView | None:
        with self._handle() as store:
            doc = store.document(doc_id)
            if doc is None:
                return None
            return DocumentView(doc, tuple(store.iter_query(EventQuery(doc_id=doc_id))))

    def stats(self, query: EventQuery) -> Stats:
        with self._handle() as store:
            return store.stats(query)
