"""The default store: one SQLite file, WAL mode, foreign keys on, one transaction per batch.

Single writer: one thread or process writes (the pipeline's store stage); readers may open the
same file from elsewhere, WAL lets them read while it writes. Every query is parameterised.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tocsin.dedupe.reconcile import SourceValues
from tocsin.records import DocumentResult, Event, Rejected
from tocsin.store import rows
from tocsin.store.base import (
    PROCESSED,
    REJECTED,
    SKIPPED,
    EventFilter,
    StoredDocument,
    StoreError,
    raw_content_hash,
)
from tocsin.store.migrations import MIGRATIONS, applied_versions, apply_migrations

# Events are rebuilt in chunks: one query for the events, one each for their sources and evidence.
# 500 keeps the IN (...) lists well under SQLite's default 32,766 bound-parameter limit.
READ_CHUNK = 500
# How long a second connection waits for the writer's lock before giving up.
BUSY_TIMEOUT_S = 30.0
# Stored events this many days either side of a batch's events are candidates for merging with them
# (the widest window tocsin.dedupe.merge allows, for month-precision dates, is 15 days).
MERGE_REACH = timedelta(days=16)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _day_of(published: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(published) if published else None
    except ValueError:
        return None


def sqlite_path(db: str) -> str:
    """``sqlite:///rel.db`` → ``rel.db``, ``sqlite:////abs.db`` → ``/abs.db``; a plain path as is."""
    if "://" not in db:
        return db
    scheme, rest = db.split("://", 1)
    if scheme.lower() != "sqlite" or not rest.startswith("/"):
        raise StoreError(f"not a SQLite URL: {db!r}; write sqlite:///relative.db or sqlite:////abs.db")
    return rest[1:]


class SQLiteStore:
    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        parent = Path(self.path).parent
        if self.path != ":memory:" and not parent.is_dir():
            raise StoreError(
                f"cannot create database {self.path!r}: directory {str(parent)!r} does not exist"
            )
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (one transaction per batch).
        # check_same_thread=False: the single writer may be a different thread from the opener;
        # self._lock serialises writes through this connection.
        self._conn = sqlite3.connect(
            self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._fts: bool | None = None  # does documents_fts exist? (checked once)
        self._neardup: Any = None  # NearDuplicateIndex over stored documents, loaded at the first save
        try:
            self._conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path!r} is not a tocsin database ({exc}); choose another --db") from exc
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster per commit

    # -- schema ---------------------------------------------------------------------------------

    def migrate(self, target: int | None = None) -> list[int]:
        """Apply missing migrations (up to ``target``); return the versions applied."""
        with self._lock:
            self._fts = None  # the FTS migration may create the index
            return apply_migrations(self._conn, MIGRATIONS, target)

    def schema_version(self) -> int:
        versions = applied_versions(self._conn)
        return versions[-1] if versions else 0

    def _has_fts(self) -> bool:
        if self._fts is None:
            row = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents_fts'"
            ).fetchone()
            self._fts = row is not None
        return self._fts

    # -- runs -----------------------------------------------------------------------------------

    def begin_run(self, sources: list[str]) -> int:
        with self._lock:
            row = self._conn.execute(
                "INSERT INTO runs (started, sources) VALUES (?, ?) RETURNING id",
                (_now(), json.dumps(list(sources), ensure_ascii=False)),
            ).fetchone()
            return int(row[0])

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        with self._lock:
            cur = self._conn.execute(
                "UPDATE runs SET finished = ?, stats = ? WHERE id = ?",
                (_now(), json.dumps(stats, ensure_ascii=False, default=str), run_id),
            )
            if cur.rowcount == 0:
                raise StoreError(f"no run {run_id} in {self.path!r}; start one with begin_run()")

    # -- writing --------------------------------------------------------------------------------

    def is_known(self, doc_id: str, content_hash: str) -> bool:
        row = self._conn.execute(
            "SELECT 1 FROM documents WHERE doc_id = ? AND status <> ? AND (content_hash = ? OR raw_hash = ?)",
            (doc_id, REJECTED, content_hash, content_hash),
        ).fetchone()
        return row is not None

    def save(self, results: list[DocumentResult], run_id: int, *, force: bool = False) -> None:
        """Store a batch in one transaction; unchanged documents are left as they are (unless
        ``force``, used to re-extract events after a model or rule change).

        A document stored before with other content is replaced: events only it reported are
        deleted, and it is detached from events other documents also report.
        """
        with self._lock:
            if self._conn.execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
                raise StoreError(f"no run {run_id} in {self.path!r}; start one with begin_run()")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                fresh = [r for r in results if self._store_document(r, run_id, force)]
                self._merge([e for r in fresh for e in r.events], run_id)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _store_document(self, result: DocumentResult, run_id: int, force: bool = False) -> bool:
        """Insert or replace one document row; False when it is already stored unchanged."""
        raw, article, rejected = result.raw, result.article, result.rejected
        if rejected is not None and result.events:
            raise ValueError(
                f"document {raw.doc_id!r} is rejected but has events; the pipeline must drop them"
            )
        if rejected is None and article is None:
            raise ValueError(f"document {raw.doc_id!r} has neither an article nor a rejection")
        raw_hash = raw_content_hash(raw)
        content_hash = article.content_hash if article is not None else raw_hash
        old = self._conn.execute(
            "SELECT content_hash, raw_hash, status FROM documents WHERE doc_id = ?", (raw.doc_id,)
        ).fetchone()
        if old is not None and old["status"] != REJECTED and content_hash == old["content_hash"] and not force:
            return False
        if rejected is not None:
            status, reason = REJECTED, rejected.reason
        elif result.skipped is not None:
            status, reason = SKIPPED, result.skipped
        else:
            status, reason = PROCESSED, None
        src = article if article is not None else raw
        published = article.published.isoformat() if article and article.published else raw.published
        values = {
            "doc_id": raw.doc_id,
            "content_hash": content_hash,
            "raw_hash": raw_hash,
            "origin": (article.origin if article else "")
            or raw.origin
            or (rejected.origin if rejected else ""),
            "url": src.url,
            "title": src.title,
            "published": published,
            "outlet": src.outlet,
            "language": article.language if article else None,
            "text": article.text if article else raw.text,
            "status": status,
            "reason": reason,
            "relevance": result.relevance,
            "run_id": run_id,
            "now": _now(),
            "duplicate_of": None,
            "signature": None,
        }
        if article is not None:
            values["signature"], values["duplicate_of"] = self._near_duplicate(raw.doc_id, article.text)
        if old is not None:
            self._detach_document(raw.doc_id)
        self._conn.execute(
            """INSERT INTO documents (doc_id, content_hash, raw_hash, origin, url, title, published,
                   outlet, language, text, status, reason, relevance, run_id, created_at, updated_at,
                   duplicate_of, signature)
               VALUES (:doc_id, :content_hash, :raw_hash, :origin, :url, :title, :published, :outlet,
                   :language, :text, :status, :reason, :relevance, :run_id, :now, :now,
                   :duplicate_of, :signature)
               ON CONFLICT (doc_id) DO UPDATE SET
                   content_hash = excluded.content_hash, raw_hash = excluded.raw_hash,
                   origin = excluded.origin, url = excluded.url, title = excluded.title,
                   published = excluded.published, outlet = excluded.outlet,
                   language = excluded.language, text = excluded.text, status = excluded.status,
                   reason = excluded.reason, relevance = excluded.relevance, run_id = excluded.run_id,
                   updated_at = excluded.updated_at, duplicate_of = excluded.duplicate_of,
                   signature = excluded.signature""",
            values,
        )
        if self._has_fts():
            key = self._conn.execute(
                "SELECT rowid FROM documents WHERE doc_id = ?", (raw.doc_id,)
            ).fetchone()[0]
            self._conn.execute("DELETE FROM documents_fts WHERE rowid = ?", (key,))
            self._conn.execute(
                "INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)",
                (key, values["title"] or "", values["text"] or ""),
            )
        return True

    def _near_duplicate(self, doc_id: str, text: str) -> tuple[bytes, str | None]:
        """This text's MinHash signature, and the earlier stored document it nearly copies (if any):
        a republished copy or the same page scraped again is linked, not counted as a new article."""
        if self._neardup is None:
            from tocsin.dedupe.neardup import NearDuplicateIndex

            self._neardup = NearDuplicateIndex()
            for r in self._conn.execute(
                "SELECT doc_id, signature FROM documents WHERE signature IS NOT NULL ORDER BY created_at, doc_id"
            ):
                self._neardup.add_signature(r["doc_id"], r["signature"])
        signature = self._neardup.signature(text)
        if doc_id in self._neardup:
            return signature, None  # a replaced document keeps its place in the index
        original = self._neardup.add_signature(doc_id, signature)
        return signature, original

    def _detach_document(self, doc_id: str) -> None:
        """Before replacing a document: delete events only it reported, detach it from the rest."""
        self._conn.execute(
            """DELETE FROM events WHERE event_id IN (
                   SELECT s.event_id FROM event_sources s WHERE s.doc_id = ?
                   AND NOT EXISTS (SELECT 1 FROM event_sources o
                                   WHERE o.event_id = s.event_id AND o.doc_id <> s.doc_id))""",
            (doc_id,),
        )
        self._conn.execute("DELETE FROM event_sources WHERE doc_id = ?", (doc_id,))
        self._conn.execute("DELETE FROM evidence WHERE doc_id = ?", (doc_id,))

    def _merge(self, new: list[Event], run_id: int) -> None:
        """Merge a batch's per-article events into the stored canonical events (tocsin.dedupe.merge):
        the same happening reported by several documents is one event with every source. Stored events
        that only gain sources keep their ids; events merged into another are folded into it."""
        if not new:
            return
        from tocsin.dedupe.merge import merge_events

        existing = self._events_near(new)
        stored = {e.event_id for e in existing}
        # an id already in use (a re-processed document's event kept by its other sources) is renamed:
        # the stored event keeps its id and the new report may join it
        taken, unique = set(stored), []
        for e in new:
            n = 0
            while e.event_id in taken:
                n += 1
                e = replace(e, event_id=f"{e.event_id.split('.')[0]}.{run_id}.{n}")
            taken.add(e.event_id)
            unique.append(e)
        merged = merge_events(unique, existing, known_values=self._known_values(stored))
        for old in merged.absorbed:
            self._conn.execute("DELETE FROM events WHERE event_id = ?", (old,))
        by_id = {e.event_id: e for e in merged.events}
        for event_id in sorted(merged.changed):
            self._write_event(by_id[event_id], merged.values.get(event_id, ()), run_id)

    def _events_near(self, events: Sequence[Event]) -> list[Event]:
        """Stored events that could be the same happening as ``events``: same countries, dates in reach."""
        days = [e.event_date for e in events if e.event_date is not None]
        countries = sorted({e.place.country for e in events if e.place is not None})
        if not days or not countries:
            return []
        since, until = min(days) - MERGE_REACH, max(days) + MERGE_REACH
        found: list[Event] = []
        for country in countries:
            found += self.events(EventFilter(country=country, since=since, until=until))
        return found

    def _known_values(self, event_ids: set[str]) -> dict[str, list[SourceValues]]:
        out: dict[str, list[SourceValues]] = {}
        ids = sorted(event_ids)
        for i in range(0, len(ids), READ_CHUNK):
            chunk = ids[i : i + READ_CHUNK]
            for r in self._conn.execute(
                f"SELECT * FROM event_sources WHERE event_id IN ({', '.join('?' * len(chunk))}) "
                "ORDER BY event_id, position", chunk,
            ):
                if r["said_sub_event_type"] is None:
                    continue  # stored before per-source values were kept: merged as one aggregate
                out.setdefault(r["event_id"], []).append(SourceValues(
                    doc_id=r["doc_id"], published=r["published"], event_id=r["event_id"],
                    sub_event_type=r["said_sub_event_type"], crowd_size_low=r["said_crowd_size_low"],
                    crowd_size_high=r["said_crowd_size_high"], fatalities=r["said_fatalities"] or 0,
                    injuries=r["said_injuries"], arrests=r["said_arrests"],
                ))  # fmt: skip
        return out

    def _write_event(self, event: Event, values: Sequence[SourceValues], run_id: int) -> None:
        """Write one canonical event with its sources (and what each said) and evidence, replacing
        whatever was stored under its id."""
        row = rows.event_row(event) | {"run_id": run_id, "now": _now()}
        columns = rows.EVENT_COLUMNS
        updates = ", ".join(f"{c} = excluded.{c}" for c in (*columns[1:], "run_id", "updated_at"))
        self._conn.execute(
            f"INSERT INTO events ({', '.join(columns)}, run_id, created_at, updated_at) "
            f"VALUES ({', '.join(':' + c for c in columns)}, :run_id, :now, :now) "
            f"ON CONFLICT (event_id) DO UPDATE SET {updates}",
            row,
        )
        self._conn.execute("DELETE FROM event_sources WHERE event_id = ?", (event.event_id,))
        self._conn.execute("DELETE FROM evidence WHERE event_id = ?", (event.event_id,))
        said = {v.doc_id: rows.said_values(v, event) for v in values}
        said_cols = rows.said_columns()
        self._conn.executemany(
            f"INSERT INTO event_sources (event_id, doc_id, position, url, title, published, outlet, "
            f"{', '.join(said_cols)}) VALUES ({', '.join('?' * (7 + len(said_cols)))})",
            [
                (event.event_id, src.doc_id, position, src.url, src.title, src.published, src.outlet,
                 *(said.get(src.doc_id, {}).get(c) for c in said_cols))
                for position, src in enumerate(event.sources)
            ],
        )  # fmt: skip
        self._conn.executemany(
            "INSERT INTO evidence (event_id, position, doc_id, text, start_char, end_char) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(event.event_id, i, e.doc_id, e.text, e.start, e.end) for i, e in enumerate(event.evidence)],
        )

    # -- stories ------------------------------------------------------------------------------------

    def update_stories(self, run_id: int) -> int:
        """Group the run's documents, with the stored documents published near them, into stories
        (tocsin.dedupe.stories); returns the number of documents whose story was written."""
        from tocsin.dedupe.stories import STORY_WINDOW_DAYS, StoryDoc, assign_stories

        # ``published`` is ISO when the date was understood, else the text as given ("31 Feb"): only
        # ISO-looking values make the window, and one that is still no date (2024-13-45) is ignored
        span = self._conn.execute(
            "SELECT min(substr(published, 1, 10)), max(substr(published, 1, 10)), count(*) FROM documents "
            "WHERE run_id = ? AND status <> ? AND published GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'",
            (run_id, REJECTED),
        ).fetchone()
        known = self._conn.execute(
            "SELECT count(*) FROM documents WHERE run_id = ? AND status <> ?", (run_id, REJECTED)
        ).fetchone()[0]
        if not known:
            return 0
        where, params = "status <> ? AND (run_id = ?", [REJECTED, run_id]
        first, last = _day_of(span[0]), _day_of(span[1])
        if first is not None and last is not None:
            reach = timedelta(days=STORY_WINDOW_DAYS)
            try:
                lo, hi = (first - reach).date().isoformat(), (last + reach).date().isoformat()
            except OverflowError:  # year 1 or 9999
                lo, hi = span[0], span[1]
            where += " OR substr(published, 1, 10) BETWEEN ? AND ?"
            params += [lo, hi]
        docs = [
            StoryDoc(r["doc_id"], r["text"] or "", _day_of(r["published"]))
            for r in self._conn.execute(f"SELECT doc_id, text, published FROM documents WHERE {where})", params)
        ]
        stories = assign_stories(docs)
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "UPDATE documents SET story_id = ? WHERE doc_id = ?", [(s, d) for d, s in stories.items()]
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")
        return len(stories)

    def stories(self, limit: int = 100) -> list[dict[str, Any]]:
        """Stories with more than one document, largest first: id, documents, first/last publication,
        the first title and the number of events their documents report."""
        return [
            dict(r)
            for r in self._conn.execute(
                """SELECT d.story_id, count(*) AS documents, min(d.published) AS first_published,
                          max(d.published) AS last_published,
                          (SELECT title FROM documents t WHERE t.doc_id = d.story_id) AS title,
                          (SELECT count(DISTINCT s.event_id) FROM event_sources s
                           JOIN documents m ON m.doc_id = s.doc_id WHERE m.story_id = d.story_id) AS events
                   FROM documents d WHERE d.story_id IS NOT NULL
                   GROUP BY d.story_id HAVING count(*) > 1
                   ORDER BY documents DESC, first_published, d.story_id LIMIT ?""",
                (limit,),
            )
        ]

    def story_documents(self, story_id: str) -> list[StoredDocument]:
        ids = [r[0] for r in self._conn.execute(
            "SELECT doc_id FROM documents WHERE story_id = ? ORDER BY published, doc_id", (story_id,))]
        return [doc for doc in map(self.document, ids) if doc is not None]

    def documents_for_reprocessing(self) -> Iterator[StoredDocument]:
        """Every readable stored document (processed or skipped), oldest first."""
        ids = [r[0] for r in self._conn.execute(
            "SELECT doc_id FROM documents WHERE status <> ? ORDER BY created_at, doc_id", (REJECTED,))]
        for doc_id in ids:
            doc = self.document(doc_id)
            if doc is not None:
                yield doc

    # -- reading --------------------------------------------------------------------------------

    def events(self, flt: EventFilter | None = None) -> Iterator[Event]:
        """Events matching ``flt``, ordered by date (undated last), then event id."""
        flt = flt or EventFilter()
        where, params = [], []
        if flt.country:
            where.append("country = ?")
            params.append(flt.country)
        if flt.since:
            where.append("event_date >= ?")
            params.append(flt.since.isoformat())
        if flt.until:
            where.append("event_date <= ?")
            params.append(flt.until.isoformat())
        if flt.event_type:
            where.append("(event_type = ? OR sub_event_type = ?)")
            params += [flt.event_type, flt.event_type]
        if flt.doc_id:
            where.append("event_id IN (SELECT event_id FROM event_sources WHERE doc_id = ?)")
            params.append(flt.doc_id)
        sql = "SELECT * FROM events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY CASE WHEN event_date IS NULL THEN 1 ELSE 0 END, event_date, event_id"
        if flt.limit is not None:
            sql += " LIMIT ?"
            params.append(flt.limit)
        cursor = self._conn.execute(sql, params)
        while chunk := cursor.fetchmany(READ_CHUNK):
            ids = [r["event_id"] for r in chunk]
            sources = self._children("event_sources", ids, "position, doc_id")
            evidence = self._children("evidence", ids, "position")
            for r in chunk:
                yield rows.event_from_rows(r, sources.get(r["event_id"], ()), evidence.get(r["event_id"], ()))

    def _children(self, table: str, ids: Sequence[str], order: str) -> dict[str, list[Mapping[str, Any]]]:
        # table and order are fixed names from this module, never user input
        marks = ", ".join("?" * len(ids))
        out: dict[str, list[Mapping[str, Any]]] = {}
        for r in self._conn.execute(
            f"SELECT * FROM {table} WHERE event_id IN ({marks}) ORDER BY event_id, {order}", ids
        ):
            out.setdefault(r["event_id"], []).append(r)
        return out

    def source_values(self, event_id: str) -> list[dict[str, Any]]:
        """What each source said about an event: doc_id plus said_* values (None when unknown)."""
        return [
            dict(r)
            for r in self._conn.execute(
                "SELECT * FROM event_sources WHERE event_id = ? ORDER BY position, doc_id", (event_id,)
            )
        ]

    def rejects(self) -> Iterator[Rejected]:
        for r in self._conn.execute(
            "SELECT doc_id, origin, reason FROM documents WHERE status = ? ORDER BY updated_at, doc_id",
            (REJECTED,),
        ):
            yield Rejected(doc_id=r["doc_id"], origin=r["origin"], reason=r["reason"] or "")

    def document(self, doc_id: str) -> StoredDocument | None:
        r = self._conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if r is None:
            return None
        return StoredDocument(
            doc_id=r["doc_id"], content_hash=r["content_hash"], text=r["text"], title=r["title"],
            url=r["url"], published=r["published"], outlet=r["outlet"], origin=r["origin"],
            status=r["status"], reason=r["reason"], language=r["language"], relevance=r["relevance"],
            run_id=r["run_id"], duplicate_of=r["duplicate_of"], story_id=r["story_id"],
        )  # fmt: skip

    def search_documents(self, query: str, limit: int = 20) -> list[str]:
        """Ids of documents matching an FTS5 query (best first); needs SQLite built with FTS5."""
        if not self._has_fts():
            raise StoreError("this SQLite has no FTS5, so documents are not full-text indexed")
        try:
            found = self._conn.execute(
                "SELECT d.doc_id FROM documents_fts f JOIN documents d ON d.rowid = f.rowid "
                "WHERE documents_fts MATCH ? ORDER BY f.rank LIMIT ?",
                (query, limit),
            )
            return [r[0] for r in found]
        except sqlite3.OperationalError as exc:
            raise StoreError(
                f"bad full-text query {query!r}: {exc}; quote phrases with double quotes"
            ) from exc

    def counts(self) -> dict[str, int]:
        one = self._conn.execute
        return {
            "documents": one("SELECT count(*) FROM documents").fetchone()[0],
            "rejected": one("SELECT count(*) FROM documents WHERE status = ?", (REJECTED,)).fetchone()[0],
            "events": one("SELECT count(*) FROM events").fetchone()[0],
            "runs": one("SELECT count(*) FROM runs").fetchone()[0],
        }

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> SQLiteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
