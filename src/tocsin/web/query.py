"""What the web API asks of the store: filtered, sorted, paginated events, statistics, documents.

``EventQuery`` is the one typed query every endpoint builds from its URL parameters; an
``EventReader`` answers it. ``SQLiteReader`` answers with parameterised SQL on its own read-only
connections (one per thread, so requests never share the writer's connection);
``tocsin.web.generic.StoreReader`` answers from the ``Store`` protocol alone, for other stores.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from tocsin.records import Event
from tocsin.store import rows
from tocsin.store.base import StoredDocument

# Sort keys the API accepts → ORDER BY clauses (fixed text: user input never reaches SQL text).
# Undated events always sort last; event_id breaks ties so pages are stable.
SORTS: dict[str, str] = {
    "date": "event_date IS NULL, event_date, event_id",
    "-date": "event_date IS NULL, event_date DESC, event_id",
    "fatalities": "fatalities, event_date IS NULL, event_date DESC, event_id",
    "-fatalities": "fatalities DESC, event_date IS NULL, event_date DESC, event_id",
}
# Rows fetched per round trip when rebuilding events; keeps IN (...) lists short.
READ_CHUNK = 500
# Words of a text query; more is almost always a pasted paragraph, not a search.
MAX_QUERY_TERMS = 12


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
    admin1: str | None = None  # compared case-insensitively
    since: date | None = None
    until: date | None = None
    event_type: str | None = None  # event_type or sub_event_type
    bbox: BBox | None = None
    terms: tuple[str, ...] = ()  # text search: every term must match
    sort: str = "date"
    limit: int | None = None
    offset: int = 0


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
    def close(self) -> None: ...


def search_terms(text: str | None) -> tuple[str, ...]:
    """Split a search box into terms; ValueError (shown to the user) when it has too many."""
    terms = tuple(dict.fromkeys((text or "").split()))
    if len(terms) > MAX_QUERY_TERMS:
        raise ValueError(f"a text search takes at most {MAX_QUERY_TERMS} words, got {len(terms)}")
    return terms


def fts_query(terms: Sequence[str]) -> str:
    """Each term as an FTS5 prefix string ("..."* with quotes doubled): never read as FTS syntax.

    A prefix, so "protest" finds "protesters" as the substring search over evidence would.
    """
    return " ".join('"' + t.replace('"', '""') + '"*' for t in terms)


def like_pattern(term: str) -> str:
    """A LIKE pattern matching ``term`` anywhere, with LIKE's wildcards escaped (ESCAPE '\\')."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SQLiteReader:
    """Reads a tocsin SQLite file through read-only connections, one per thread."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(Path(path).resolve())
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        has_fts = (
            self._conn()
            .execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents_fts'")
            .fetchone()
        )
        self.search_mode = "fts" if has_fts else "substring"

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(f"file:{quote(self.path)}?mode=ro", uri=True, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            with self._guard:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        with self._guard:
            for conn in self._all:
                conn.close()
            self._all.clear()

    # -- filters --------------------------------------------------------------------------------

    def _where(self, q: EventQuery) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if q.country:
            where.append("country = ?")
            params.append(q.country)
        if q.admin1:
            where.append("admin1 = ? COLLATE NOCASE")
            params.append(q.admin1)
        if q.since:
            where.append("event_date >= ?")
            params.append(q.since.isoformat())
        if q.until:
            where.append("event_date <= ?")
            params.append(q.until.isoformat())
        if q.event_type:
            where.append("(event_type = ? OR sub_event_type = ?)")
            params += [q.event_type, q.event_type]
        if q.bbox:
            b = q.bbox
            where.append("latitude BETWEEN ? AND ?")
            params += [b.min_lat, b.max_lat]
            if b.min_lon <= b.max_lon:
                where.append("longitude BETWEEN ? AND ?")
            else:
                where.append("(longitude >= ? OR longitude <= ?)")
            params += [b.min_lon, b.max_lon]
        if q.terms and self.search_mode == "fts":
            # events with evidence from an article whose title or text holds every term
            where.append(
                "event_id IN (SELECT v.event_id FROM evidence v WHERE v.doc_id IN ("
                "SELECT d.doc_id FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
                "WHERE documents_fts MATCH ?))"
            )
            params.append(fts_query(q.terms))
        elif q.terms:
            for term in q.terms:  # every term in some evidence sentence of the event
                where.append(
                    "EXISTS (SELECT 1 FROM evidence v WHERE v.event_id = events.event_id "
                    "AND v.text LIKE ? ESCAPE '\\')"
                )
                params.append(like_pattern(term))
        return (" WHERE " + " AND ".join(where)) if where else "", params

    # -- events ---------------------------------------------------------------------------------

    def page(self, query: EventQuery) -> Page:
        where, params = self._where(query)
        total = self._conn().execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0]
        return Page(total=total, events=tuple(self.iter_events(query)))

    def iter_events(self, query: EventQuery) -> Iterator[Event]:
        # Sort and page over ids alone (the date index covers them), then fetch whole rows by id:
        # measured 4 ms → 1 ms for a 100-event page of a 10k-event store.
        where, params = self._where(query)
        sql = f"SELECT event_id FROM events{where} ORDER BY {SORTS[query.sort]}"
        if query.limit is not None or query.offset:
            sql += " LIMIT ? OFFSET ?"
            params += [-1 if query.limit is None else query.limit, query.offset]
        ids = [r[0] for r in self._conn().execute(sql, params)]
        for start in range(0, len(ids), READ_CHUNK):
            chunk = ids[start : start + READ_CHUNK]
            found = self._children("SELECT * FROM events WHERE event_id IN ({})", chunk)
            yield from self._rebuild([found[i][0] for i in chunk])

    def _rebuild(self, event_rows: Sequence[sqlite3.Row]) -> Iterator[Event]:
        ids = [r["event_id"] for r in event_rows]
        sources = self._children("SELECT * FROM event_sources WHERE event_id IN ({}) ORDER BY position", ids)
        evidence = self._children("SELECT * FROM evidence WHERE event_id IN ({}) ORDER BY position", ids)
        for r in event_rows:
            yield rows.event_from_rows(r, sources.get(r["event_id"], ()), evidence.get(r["event_id"], ()))

    def _children(self, sql: str, ids: Sequence[str]) -> dict[str, list[sqlite3.Row]]:
        out: dict[str, list[sqlite3.Row]] = {}
        for r in self._conn().execute(sql.format(", ".join("?" * len(ids))), ids):
            out.setdefault(r["event_id"], []).append(r)
        return out

    def event(self, event_id: str) -> tuple[Event, tuple[SourceSaid, ...]] | None:
        row = self._conn().execute("SELECT * FROM events WHERE event_id = ?", (event_id,)).fetchone()
        if row is None:
            return None
        (event,) = self._rebuild([row])
        said = tuple(
            SourceSaid(r["doc_id"], {c: r[f"said_{c}"] for c in rows.SAID_COLUMNS})
            for r in self._conn().execute(
                "SELECT * FROM event_sources WHERE event_id = ? ORDER BY position", (event_id,)
            )
        )
        return event, said

    def document(self, doc_id: str) -> DocumentView | None:
        r = self._conn().execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if r is None:
            return None
        doc = StoredDocument(
            doc_id=r["doc_id"], content_hash=r["content_hash"], text=r["text"], title=r["title"],
            url=r["url"], published=r["published"], outlet=r["outlet"], origin=r["origin"],
            status=r["status"], reason=r["reason"], language=r["language"], relevance=r["relevance"],
            run_id=r["run_id"],
        )  # fmt: skip
        event_rows = (
            self._conn()
            .execute(
                "SELECT * FROM events WHERE event_id IN (SELECT event_id FROM event_sources WHERE doc_id = ? "
                "UNION SELECT event_id FROM evidence WHERE doc_id = ?) ORDER BY " + SORTS["date"],
                (doc_id, doc_id),
            )
            .fetchall()
        )
        return DocumentView(doc, tuple(self._rebuild(event_rows)) if event_rows else ())

    # -- statistics -----------------------------------------------------------------------------

    def stats(self, query: EventQuery) -> Stats:
        where, params = self._where(query)
        one = self._conn().execute
        total, undated, fatalities = one(
            f"SELECT count(*), count(*) - count(event_date), coalesce(sum(fatalities), 0) FROM events{where}",
            params,
        ).fetchone()
        dated = where + (" AND " if where else " WHERE ") + "event_date IS NOT NULL"
        by_day = one(
            f"SELECT event_date, count(*) FROM events{dated} GROUP BY event_date ORDER BY event_date", params
        )
        # SQLite: 'weekday 0' moves to the next Sunday (or stays), -6 days is that week's Monday
        by_week = one(
            "SELECT date(event_date, 'weekday 0', '-6 days') AS week, count(*) "
            f"FROM events{dated} GROUP BY week ORDER BY week",
            params,
        )
        by_country = one(
            f"SELECT coalesce(country, ''), count(*) AS n FROM events{where} "
            "GROUP BY country ORDER BY n DESC, country",
            params,
        )
        by_type = one(
            f"SELECT event_type, sub_event_type, count(*) AS n FROM events{where} "
            "GROUP BY event_type, sub_event_type ORDER BY n DESC, event_type, sub_event_type",
            params,
        )
        return Stats(
            total=total,
            undated=undated,
            fatalities=fatalities,
            by_day=tuple((d, n) for d, n in by_day),
            by_week=tuple((w, n) for w, n in by_week),
            by_country=tuple((c, n) for c, n in by_country),
            by_type=tuple((t, s, n) for t, s, n in by_type),
        )
