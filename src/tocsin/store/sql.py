"""What every SQL store shares: saving batches (merge, near-duplicates, replacement), runs, stories,
reading events back, and the query API of the web layer.

``SQLStore`` holds all of it, written once in the SQL that SQLite and PostgreSQL both speak
(``?`` placeholders, ``INSERT ... ON CONFLICT ... DO UPDATE``, ``RETURNING``). A backend
(``tocsin.store.sqlite``, ``tocsin.store.postgres``) supplies only its connection and dialect:
``_execute``/``_executemany`` (placeholders, value types), ``_write`` (one transaction, one writer),
its migrations and its full-text search. Every query is parameterised.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Self

from tocsin.dedupe.reconcile import SourceValues
from tocsin.records import DocumentResult, Event, Fingerprint, Rejected, TermCounts
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
from tocsin.store.migrations import BOOKKEEPING, Migration, pending
from tocsin.store.query import FTS, SORTS, SUBSTRING, EventQuery, Page, Stats, like_pattern

if TYPE_CHECKING:
    from tocsin.dedupe.stories import StoryTerms

# Events are rebuilt in chunks: one query for the events, one each for their sources and evidence.
# 500 keeps the IN (...) lists well under SQLite's default 32,766 bound-parameter limit.
READ_CHUNK = 500
# Stored events this many days either side of a batch's events are candidates for merging with them
# (the widest window tocsin.dedupe.merge allows, for month-precision dates, is 15 days).
MERGE_REACH = timedelta(days=16)

# Stories are grouped STORY_CHUNK saved articles at a time (tocsin.dedupe.stories.join_stories), with
# the previous chunk and at most STORY_CANDIDATES stored articles published within the story window as
# the stories they may join. What the writer holds for stories is bounded by these, not by the run (~2 KB
# of term counts an article, as records.TermCounts). On ECB+ in random arrival orders
# (tests/dedupe/test_stories_corpus.py) chunks of 256 gave B-cubed F1 0.877-0.886, of 128 0.847-0.862 (the
# whole set as one batch: 0.922); clustering a chunk with the previous one costs ~0.1 ms an article.
STORY_CHUNK = 256
STORY_CANDIDATES = 128
STORY_TERMS_CACHED = 2 * STORY_CANDIDATES

DOCUMENT_COLUMNS = (
    "doc_id", "content_hash", "raw_hash", "origin", "url", "title", "published", "outlet", "language",
    "text", "status", "reason", "relevance", "run_id", "created_at", "updated_at", "duplicate_of",
    "signature", "neardup_seq",
)  # fmt: skip


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _day_of(published: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(published) if published else None
    except ValueError:
        return None


def _fingerprint(text: str) -> Fingerprint:
    """For a result that came without one (made outside ``tocsin.pipeline.process``)."""
    from tocsin.dedupe.neardup import signature
    from tocsin.dedupe.stories import story_terms

    return Fingerprint(signature(text), story_terms(text))


def _story_item(result: DocumentResult) -> StoryTerms:
    """A saved article as story grouping needs it: id, term counts (from its fingerprint), publication."""
    from tocsin.dedupe.stories import StoryTerms

    article = result.article
    assert article is not None
    terms = (result.fingerprint or _fingerprint(article.text)).terms
    published = article.published.isoformat() if article.published else result.raw.published
    return StoryTerms(result.raw.doc_id, terms, _day_of(published))


def _title_text(result: DocumentResult) -> tuple[str | None, str | None]:
    """The title and text a document is stored (and full-text indexed) with."""
    article = result.article
    return (article or result.raw).title, article.text if article is not None else result.raw.text


@cache  # built for every stored document and event otherwise (~10 µs each)
def upsert_sql(table: str, columns: tuple[str, ...], key: str, keep: tuple[str, ...] = ()) -> str:
    """INSERT of ``columns`` that updates the row already stored under ``key`` (all but ``keep``)."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key and c not in keep)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates}"
    )


def document_from_row(r: Mapping[str, Any]) -> StoredDocument:
    return StoredDocument(
        doc_id=r["doc_id"], content_hash=r["content_hash"], text=r["text"], title=r["title"],
        url=r["url"], published=r["published"], outlet=r["outlet"], origin=r["origin"],
        status=r["status"], reason=r["reason"], language=r["language"], relevance=r["relevance"],
        run_id=r["run_id"], duplicate_of=r["duplicate_of"], story_id=r["story_id"],
    )  # fmt: skip


class SQLStore:
    """The ``Store`` protocol and the query API (``tocsin.store.query.QueryableStore``) over SQL.

    Subclasses set the dialect attributes below and implement the hooks that raise
    NotImplementedError. Rows may be read by name or position (``r["doc_id"]``, ``r[0]``), and
    DATE values come back as ISO strings, whatever the backend.
    """

    MIGRATIONS: ClassVar[tuple[Migration, ...]]
    NO_LIMIT: ClassVar[Any] = -1  # the LIMIT value that means every row
    WEEK_OF: ClassVar[str]  # SQL for the Monday of event_date's week, as a date
    ADMIN1_IS: ClassVar[str] = "admin1 = ? COLLATE NOCASE"  # ASCII case-insensitive equality
    LIKE: ClassVar[str] = "LIKE"  # ASCII case-insensitive LIKE
    FTS_DOCS: ClassVar[str]  # SELECT doc_id of documents matching one bound full-text query
    FTS_DOC_MATCH: ClassVar[str]  # condition: document ``d`` matches one bound full-text query
    search_mode: str = SUBSTRING  # set by migrate()/open: FTS when the full-text index exists

    _conn: Any  # the backend's connection
    _lock: Any  # a threading.Lock held by every write through _conn
    # stories: saved articles not grouped yet, and the last chunk grouped (the stories they may join)
    _story_pending: tuple[StoryTerms, ...] = ()
    _story_held: tuple[StoryTerms, ...] = ()
    _terms_cache: OrderedDict[str, TermCounts] | None = None

    # -- dialect hooks ------------------------------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement; returns a cursor (iterable, fetchone, fetchmany, rowcount)."""
        raise NotImplementedError

    def _executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def _write(self) -> AbstractContextManager[None]:
        """One write transaction, with this process's and other writers' writes held off."""
        raise NotImplementedError

    def _fts_text(self, terms: Sequence[str]) -> str:
        """The bound value of FTS_DOCS for search terms (quoted: never read as query syntax)."""
        raise NotImplementedError

    def _has_fts(self) -> bool:
        raise NotImplementedError

    def _indexed(self, doc_id: str, title: str | None, text: str | None) -> None:
        """After a document row is written: update a full-text index the database does not keep."""

    def _name(self) -> str:
        """The database, for messages (never a password)."""
        raise NotImplementedError

    def data_version(self) -> int | None:
        """A value that changes whenever any connection commits to the database; None where the
        database has no cheap one (PostgreSQL). Answers cached by the web API are keyed on it."""
        return None

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema ---------------------------------------------------------------------------------

    def migrate(self, target: int | None = None) -> list[int]:
        """Apply missing migrations (up to ``target``), each in its own transaction with its record
        in schema_migrations; return the versions applied."""
        self._ensure_bookkeeping()
        applied = []
        for migration in pending(set(self._applied()), self.MIGRATIONS, target):
            with self._write():
                if self._execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)
                ).fetchone():
                    continue  # another process applied it meanwhile
                if callable(migration.step):
                    migration.step(self._execute)
                else:
                    for statement in migration.step:
                        self._execute(statement)
                self._execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    (migration.version, migration.name, now()),
                )
            applied.append(migration.version)
        self.search_mode = FTS if self._has_fts() else SUBSTRING
        return applied

    def _ensure_bookkeeping(self) -> None:
        # outside a transaction: when the table exists this takes no write lock, so opening a
        # store never waits for a writer
        self._execute(BOOKKEEPING)

    def _applied(self) -> list[int]:
        return [r[0] for r in self._execute("SELECT version FROM schema_migrations ORDER BY version")]

    def schema_version(self) -> int:
        versions = self._applied()
        return versions[-1] if versions else 0

    # -- runs -----------------------------------------------------------------------------------

    def begin_run(self, sources: list[str]) -> int:
        with self._write():
            row = self._execute(
                "INSERT INTO runs (started, sources) VALUES (?, ?) RETURNING id",
                (now(), json.dumps(list(sources), ensure_ascii=False)),
            ).fetchone()
        return int(row[0])

    def finish_run(self, run_id: int, stats: dict[str, Any]) -> None:
        with self._write():
            cur = self._execute(
                "UPDATE runs SET finished = ?, stats = ? WHERE id = ?",
                (now(), json.dumps(stats, ensure_ascii=False, default=str), run_id),
            )
            if cur.rowcount == 0:
                raise StoreError(f"no run {run_id} in {self._name()}; start one with begin_run()")

    # -- writing --------------------------------------------------------------------------------

    def is_known(self, doc_id: str, content_hash: str) -> bool:
        row = self._execute(
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
        with self._stories_as_committed(), self._write():
            if self._execute("SELECT 1 FROM runs WHERE id = ?", (run_id,)).fetchone() is None:
                raise StoreError(f"no run {run_id} in {self._name()}; start one with begin_run()")
            fresh = [r for r in results if self._store_document(r, run_id, force)]
            self._merge([e for r in fresh for e in r.events], run_id)
            # full-text index rows last: in SQLite (foreign keys on) every upsert that followed an FTS5
            # write cost ~0.13 ms more, ~0.15 ms a document in all (GLOCON documents, bench_dask's writer)
            for r in fresh:
                self._indexed(r.raw.doc_id, *_title_text(r))
            articles = [r for r in fresh if r.rejected is None and r.article is not None]
            # new or changed articles; one re-stored unchanged (reprocessing) keeps its story
            unstoried = {row[0] for chunk in self._chunks(
                "SELECT doc_id FROM documents WHERE story_id IS NULL AND doc_id IN ({})",
                [r.raw.doc_id for r in articles]) for row in chunk}  # fmt: skip
            self._story_pending += tuple(_story_item(r) for r in articles if r.raw.doc_id in unstoried)
            if len(self._story_pending) >= STORY_CHUNK:
                self._join_stories()

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
        old = self._execute(
            "SELECT content_hash, raw_hash, status, signature, neardup_seq FROM documents WHERE doc_id = ?",
            (raw.doc_id,),
        ).fetchone()
        if (
            old is not None
            and old["status"] != REJECTED
            and content_hash == old["content_hash"]
            and not force
        ):
            return False
        if rejected is not None:
            status, reason = REJECTED, rejected.reason
        elif result.skipped is not None:
            status, reason = SKIPPED, result.skipped
        else:
            status, reason = PROCESSED, None
        src = article if article is not None else raw
        title, text = _title_text(result)
        published = article.published.isoformat() if article and article.published else raw.published
        signature, seq, duplicate_of = None, None, None
        if article is not None:
            signature = (result.fingerprint or _fingerprint(article.text)).signature
            seq, duplicate_of = self._near_duplicate(signature, old)
        stamp = now()
        values = {
            "doc_id": raw.doc_id,
            "content_hash": content_hash,
            "raw_hash": raw_hash,
            "origin": (article.origin if article else "")
            or raw.origin
            or (rejected.origin if rejected else ""),
            "url": src.url,
            "title": title,
            "published": published,
            "outlet": src.outlet,
            "language": article.language if article else None,
            "text": text,
            "status": status,
            "reason": reason,
            "relevance": result.relevance,
            "run_id": run_id,
            "created_at": stamp,
            "updated_at": stamp,
            "duplicate_of": duplicate_of,
            "signature": signature,
            "neardup_seq": seq,
        }
        if old is not None:
            self._detach_document(raw.doc_id)
            if old["content_hash"] != content_hash:
                self._execute("UPDATE documents SET story_id = NULL WHERE doc_id = ?", (raw.doc_id,))
        self._execute(
            upsert_sql("documents", DOCUMENT_COLUMNS, "doc_id", keep=("created_at",)),
            [values[c] for c in DOCUMENT_COLUMNS],
        )
        return True

    def _near_duplicate(self, signature: bytes | None, old: Mapping[str, Any] | None) -> tuple[int | None, str | None]:
        """The document's rank in the near-duplicate index, and the earlier stored document it nearly
        copies (if any): a republished copy or the same page scraped again is linked, not counted as a new
        article. The index is the neardup_keys table (a key a LSH band of each signature), never held in
        memory. A replaced document keeps its rank (its keys follow its new text) and is nobody's copy."""
        from tocsin.dedupe.neardup import band_keys, earliest_match

        seq = old["neardup_seq"] if old is not None else None
        if seq is not None:
            if old["signature"] is not None:
                self._executemany("DELETE FROM neardup_keys WHERE band_key = ? AND seq = ?",
                                  [(key, seq) for key in band_keys(bytes(old["signature"]))])  # fmt: skip
            if signature is not None:
                self._insert_keys(band_keys(signature), seq)
            return seq, None
        if signature is None:
            return None, None
        keys = band_keys(signature)
        found = self._execute(
            f"SELECT DISTINCT seq FROM neardup_keys WHERE band_key IN ({', '.join('?' * len(keys))})", keys
        ).fetchall()
        held = [r for chunk in self._chunks(
            "SELECT doc_id, neardup_seq, signature FROM documents WHERE neardup_seq IN ({})",
            sorted(r[0] for r in found)) for r in chunk]  # fmt: skip
        rank = earliest_match(signature, [(r["neardup_seq"], bytes(r["signature"])) for r in held])
        original = next((r["doc_id"] for r in held if r["neardup_seq"] == rank), None)
        seq = int(self._execute("SELECT coalesce(max(neardup_seq), 0) + 1 FROM documents").fetchone()[0])
        self._insert_keys(keys, seq)
        return seq, original

    def _insert_keys(self, keys: Sequence[int], seq: int) -> None:
        # a key left by a document deleted by hand may already be there: it now names this one, whose
        # signature is what a lookup compares
        self._executemany("INSERT INTO neardup_keys (band_key, seq) VALUES (?, ?) ON CONFLICT DO NOTHING",
                          [(key, seq) for key in keys])  # fmt: skip

    def _detach_document(self, doc_id: str) -> None:
        """Before replacing a document: delete events only it reported, detach it from the rest."""
        self._execute(
            """DELETE FROM events WHERE event_id IN (
                   SELECT s.event_id FROM event_sources s WHERE s.doc_id = ?
                   AND NOT EXISTS (SELECT 1 FROM event_sources o
                                   WHERE o.event_id = s.event_id AND o.doc_id <> s.doc_id))""",
            (doc_id,),
        )
        self._execute("DELETE FROM event_sources WHERE doc_id = ?", (doc_id,))
        self._execute("DELETE FROM evidence WHERE doc_id = ?", (doc_id,))

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
            self._execute("DELETE FROM events WHERE event_id = ?", (old,))
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
        for chunk in self._chunks("SELECT * FROM event_sources WHERE event_id IN ({}) ORDER BY event_id, position",
                                  sorted(event_ids)):  # fmt: skip
            for r in chunk:
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
        stamp = now()
        row = rows.event_row(event) | {"run_id": run_id, "created_at": stamp, "updated_at": stamp}
        columns = (*rows.EVENT_COLUMNS, "run_id", "created_at", "updated_at")
        self._execute(
            upsert_sql("events", columns, "event_id", keep=("created_at",)), [row[c] for c in columns]
        )
        self._execute("DELETE FROM event_sources WHERE event_id = ?", (event.event_id,))
        self._execute("DELETE FROM evidence WHERE event_id = ?", (event.event_id,))
        said = {v.doc_id: rows.said_values(v, event) for v in values}
        said_cols = rows.said_columns()
        self._executemany(
            f"INSERT INTO event_sources (event_id, doc_id, position, url, title, published, outlet, "
            f"{', '.join(said_cols)}) VALUES ({', '.join('?' * (7 + len(said_cols)))})",
            [
                (event.event_id, src.doc_id, position, src.url, src.title, src.published, src.outlet,
                 *(said.get(src.doc_id, {}).get(c) for c in said_cols))
                for position, src in enumerate(event.sources)
            ],
        )  # fmt: skip
        self._executemany(
            "INSERT INTO evidence (event_id, position, doc_id, text, start_char, end_char) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(event.event_id, i, e.doc_id, e.text, e.start, e.end) for i, e in enumerate(event.evidence)],
        )

    # -- stories ------------------------------------------------------------------------------------

    def update_stories(self, run_id: int) -> int:
        """Group what is still without a story: the articles this store saved since its last chunk, then
        any stored article left without one (by a run killed between a batch and its grouping, or saved
        before stories existed), STORY_CHUNK at a time; returns the number of articles given a story.
        Saving groups every full chunk as it goes (tocsin.dedupe.stories.join_stories), so memory never
        holds a whole run. ``run_id`` is kept for the protocol: grouping is by what lacks a story."""
        from tocsin.dedupe.stories import StoryTerms, story_terms

        grouped = 0
        while True:
            if self._story_pending:
                with self._stories_as_committed(), self._write():
                    grouped += self._join_stories()
            left = self._execute(
                "SELECT doc_id, text, published FROM documents WHERE story_id IS NULL AND status <> ? "
                "ORDER BY created_at, doc_id LIMIT ?", (REJECTED, STORY_CHUNK),
            ).fetchall()  # fmt: skip
            if not left:
                return grouped
            self._story_pending = tuple(
                StoryTerms(r["doc_id"], story_terms(r["text"] or ""), _day_of(r["published"])) for r in left
            )

    @contextmanager
    def _stories_as_committed(self) -> Iterator[None]:
        """Around a write transaction: if it rolls back, the story state in memory (pending and held
        articles) goes back to what it was, as the rollback left the database."""
        pending, held = self._story_pending, self._story_held
        try:
            yield
        except BaseException:
            self._story_pending, self._story_held = pending, held
            raise

    def _join_stories(self) -> int:
        """Inside a write: give the pending articles their stories, joining the held chunk's stories or
        those of stored articles published within the story window (tocsin.dedupe.stories)."""
        from tocsin.dedupe.stories import join_stories

        new = self._story_pending
        ids = {d.id for d in new}
        held = [d for d in self._story_held if d.id not in ids]
        held += self._stories_near(new, ids | {d.id for d in held})
        stories = join_stories(new, held)
        self._executemany(
            "UPDATE documents SET story_id = ? WHERE doc_id = ?", [(stories[d.id], d.id) for d in new]
        )
        self._story_held = tuple(replace(d, story_id=stories[d.id]) for d in new)
        self._story_pending = ()
        for d in new:
            self._cache_terms(d.id, d.terms)
        return len(new)

    def _stories_near(self, new: Sequence[StoryTerms], skip: set[str]) -> list[StoryTerms]:
        """Up to STORY_CANDIDATES stored articles with a story, published within the story window of the
        dated ``new`` articles (latest first), as StoryTerms; their terms are computed from their text."""
        from tocsin.dedupe.stories import STORY_WINDOW_DAYS, StoryTerms, story_terms

        # days, not datetimes: an article's time may carry a UTC offset and another's not
        days = [p.date() if isinstance(p, datetime) else p for p in (d.published for d in new) if p is not None]
        if not days:
            return []
        reach = timedelta(days=STORY_WINDOW_DAYS)
        try:
            since, until = (min(days) - reach).isoformat(), (max(days) + reach).isoformat()
        except OverflowError:  # a "date" at the ends of the calendar
            return []
        found = self._execute(
            "SELECT doc_id, published, story_id FROM documents WHERE substr(published, 1, 10) BETWEEN ? AND ? "
            "AND story_id IS NOT NULL AND status <> ? ORDER BY substr(published, 1, 10) DESC, doc_id LIMIT ?",
            (since, until, REJECTED, STORY_CANDIDATES + len(skip)),
        ).fetchall()  # fmt: skip
        keep = [r for r in found if r["doc_id"] not in skip][:STORY_CANDIDATES]
        cache = self._story_terms_cache()
        terms = {r["doc_id"]: cache[r["doc_id"]] for r in keep if r["doc_id"] in cache}
        missing = [r["doc_id"] for r in keep if r["doc_id"] not in terms]
        for chunk in self._chunks("SELECT doc_id, text FROM documents WHERE doc_id IN ({})", missing):
            for r in chunk:
                terms[r["doc_id"]] = story_terms(r["text"] or "")
                self._cache_terms(r["doc_id"], terms[r["doc_id"]])  # may evict one read above: kept in terms
        return [StoryTerms(r["doc_id"], terms[r["doc_id"]], _day_of(r["published"]), r["story_id"]) for r in keep]

    def _story_terms_cache(self) -> OrderedDict[str, TermCounts]:
        """Term counts of the articles grouped or looked up last (at most STORY_TERMS_CACHED), so stored
        candidates from this run are not featurised again."""
        if self._terms_cache is None:
            self._terms_cache = OrderedDict()
        return self._terms_cache

    def _cache_terms(self, doc_id: str, terms: TermCounts) -> None:
        cache = self._story_terms_cache()
        cache[doc_id] = terms
        cache.move_to_end(doc_id)
        while len(cache) > STORY_TERMS_CACHED:
            cache.popitem(last=False)

    def stories(self, limit: int = 100) -> list[dict[str, Any]]:
        """Stories with more than one document, largest first: id, documents, first/last publication,
        the first title and the number of events their documents report."""
        return [
            dict(r)
            for r in self._execute(
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
        found = self._execute(
            "SELECT * FROM documents WHERE story_id = ? ORDER BY published, doc_id", (story_id,)
        )
        return [document_from_row(r) for r in found]

    def documents_for_reprocessing(self) -> Iterator[StoredDocument]:
        """Every readable stored document (processed or skipped), oldest first."""
        ids = [r[0] for r in self._execute(
            "SELECT doc_id FROM documents WHERE status <> ? ORDER BY created_at, doc_id", (REJECTED,))]  # fmt: skip
        for doc_id in ids:
            doc = self.document(doc_id)
            if doc is not None:
                yield doc

    # -- reading --------------------------------------------------------------------------------

    def events(self, flt: EventFilter | None = None) -> Iterator[Event]:
        """Events matching ``flt``, ordered by date (undated last), then event id."""
        flt = flt or EventFilter()
        return self.iter_query(EventQuery(
            country=flt.country, since=flt.since, until=flt.until, event_type=flt.event_type,
            limit=flt.limit, doc_id=flt.doc_id,
        ))  # fmt: skip

    def event(self, event_id: str) -> Event | None:
        found = self._execute("SELECT * FROM events WHERE event_id = ?", (event_id,)).fetchall()
        return next(self._rebuild(found), None)

    def source_values(self, event_id: str) -> list[dict[str, Any]]:
        """What each source said about an event: doc_id plus said_* values (None when unknown)."""
        return [
            dict(r)
            for r in self._execute(
                "SELECT * FROM event_sources WHERE event_id = ? ORDER BY position, doc_id", (event_id,)
            )
        ]

    def rejects(self) -> Iterator[Rejected]:
        for r in self._execute(
            "SELECT doc_id, origin, reason FROM documents WHERE status = ? ORDER BY updated_at, doc_id",
            (REJECTED,),
        ):
            yield Rejected(doc_id=r["doc_id"], origin=r["origin"], reason=r["reason"] or "")

    def document(self, doc_id: str) -> StoredDocument | None:
        r = self._execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return None if r is None else document_from_row(r)

    def counts(self) -> dict[str, int]:
        def one(sql: str, *params: Any) -> int:
            return int(self._execute(sql, params).fetchone()[0])

        return {
            "documents": one("SELECT count(*) FROM documents"),
            "rejected": one("SELECT count(*) FROM documents WHERE status = ?", REJECTED),
            "events": one("SELECT count(*) FROM events"),
            "runs": one("SELECT count(*) FROM runs"),
        }

    # -- the query API (tocsin.store.query) -----------------------------------------------------------

    def _where(self, q: EventQuery) -> tuple[str, list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if q.country:
            where.append("country = ?")
            params.append(q.country)
        if q.admin1:
            where.append(self.ADMIN1_IS)
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
        if q.doc_id:
            where.append(
                "event_id IN (SELECT event_id FROM event_sources WHERE doc_id = ? "
                "UNION SELECT event_id FROM evidence WHERE doc_id = ?)"
            )
            params += [q.doc_id, q.doc_id]
        if q.bbox:
            b = q.bbox
            where.append("latitude BETWEEN ? AND ?")
            params += [b.min_lat, b.max_lat]
            if b.min_lon <= b.max_lon:
                where.append("longitude BETWEEN ? AND ?")
            else:
                where.append("(longitude >= ? OR longitude <= ?)")
            params += [b.min_lon, b.max_lon]
        if q.terms and self.search_mode == FTS and (q.country or q.admin1 or q.doc_id):
            # a selective filter leaves at most a few thousand events: test each one's articles (one
            # country of 100,000 events: 22 ms → 7 ms); without one, testing every event is slower
            # (400 ms) than collecting the events of every matching article (28 ms), below
            where.append("EXISTS (SELECT 1 FROM evidence v JOIN documents d ON d.doc_id = v.doc_id "
                         f"WHERE v.event_id = events.event_id AND {self.FTS_DOC_MATCH})")  # fmt: skip
            params.append(self._fts_text(q.terms))
        elif q.terms and self.search_mode == FTS:
            # events with evidence from an article whose title or text holds every term
            where.append(
                f"event_id IN (SELECT v.event_id FROM evidence v WHERE v.doc_id IN ({self.FTS_DOCS}))"
            )
            params.append(self._fts_text(q.terms))
        elif q.terms:
            for term in q.terms:  # every term in some evidence sentence of the event
                where.append(
                    "EXISTS (SELECT 1 FROM evidence v WHERE v.event_id = events.event_id "
                    f"AND v.text {self.LIKE} ? ESCAPE '\\')"
                )
                params.append(like_pattern(term))
        return (" WHERE " + " AND ".join(where)) if where else "", params

    def query_events(self, query: EventQuery) -> Page:
        """The page of events ``query`` selects (its limit and offset), with the total it matches."""
        where, params = self._where(query)
        if query.bbox or query.terms:
            # a map box or a text search tests every candidate event whatever the page: one pass gives
            # the page and, as a window count, the total (measured on 100,000 events: a map box
            # 1.7 → 1.3 ms of SQL, a text search in every article 46 → 33 ms)
            found = self._execute(
                f"SELECT event_id, count(*) OVER () FROM events{where} ORDER BY {SORTS[query.sort]} LIMIT ? OFFSET ?",
                [*params, self.NO_LIMIT if query.limit is None else query.limit, query.offset],
            ).fetchall()
            if found:  # else past the end: counted below
                return Page(total=int(found[0][1]), events=tuple(self._by_ids([r[0] for r in found])))
        total = self._execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0]
        return Page(total=int(total), events=tuple(self.iter_query(query)))

    def iter_query(self, query: EventQuery) -> Iterator[Event]:
        """The events ``query`` selects, in its order, read in chunks."""
        # Sort and page over ids alone (the date index covers them), then fetch whole rows by id:
        # measured 4 ms → 1 ms for a 100-event page of a 10k-event SQLite store.
        where, params = self._where(query)
        sql = f"SELECT event_id FROM events{where} ORDER BY {SORTS[query.sort]}"
        if query.limit is not None or query.offset:
            sql += " LIMIT ? OFFSET ?"
            params += [self.NO_LIMIT if query.limit is None else query.limit, query.offset]
        yield from self._by_ids([r[0] for r in self._execute(sql, params)])

    def _by_ids(self, ids: Sequence[str]) -> Iterator[Event]:
        """The events with these ids, in this order, read in chunks."""
        for start in range(0, len(ids), READ_CHUNK):
            chunk = ids[start : start + READ_CHUNK]
            found = self._grouped("SELECT * FROM events WHERE event_id IN ({})", chunk)
            yield from self._rebuild([found[i][0] for i in chunk])

    def _rebuild(self, event_rows: Sequence[Mapping[str, Any]]) -> Iterator[Event]:
        ids = [r["event_id"] for r in event_rows]
        sources = self._grouped("SELECT * FROM event_sources WHERE event_id IN ({}) ORDER BY position", ids)
        evidence = self._grouped("SELECT * FROM evidence WHERE event_id IN ({}) ORDER BY position", ids)
        for r in event_rows:
            yield rows.event_from_rows(r, sources.get(r["event_id"], ()), evidence.get(r["event_id"], ()))

    def _chunks(self, sql: str, ids: Sequence[Any]) -> Iterator[list[Any]]:
        """Rows of ``sql`` (its ``{}`` filled with one placeholder an id), READ_CHUNK ids at a time."""
        for start in range(0, len(ids), READ_CHUNK):
            chunk = ids[start : start + READ_CHUNK]
            yield list(self._execute(sql.format(", ".join("?" * len(chunk))), chunk))

    def _grouped(self, sql: str, ids: Sequence[str]) -> dict[str, list[Any]]:
        out: dict[str, list[Any]] = {}
        for chunk in self._chunks(sql, ids):
            for r in chunk:
                out.setdefault(r["event_id"], []).append(r)
        return out

    def stats(self, query: EventQuery) -> Stats:
        """Counts of the events ``query`` selects (limit and offset aside) by day, week, country, type."""
        where, params = self._where(query)
        one = self._execute
        total, undated, fatalities = one(
            "SELECT count(*), count(*) - count(event_date), CAST(coalesce(sum(fatalities), 0) AS BIGINT) "
            f"FROM events{where}",
            params,
        ).fetchone()
        dated = where + (" AND " if where else " WHERE ") + "event_date IS NOT NULL"
        by_day = one(
            f"SELECT event_date, count(*) FROM events{dated} GROUP BY event_date ORDER BY event_date", params
        )
        by_week = one(
            f"SELECT {self.WEEK_OF} AS week, count(*) FROM events{dated} GROUP BY week ORDER BY week", params
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
            total=int(total),
            undated=int(undated),
            fatalities=int(fatalities),
            by_day=tuple((d, int(n)) for d, n in by_day),
            by_week=tuple((w, int(n)) for w, n in by_week),
            by_country=tuple((c, int(n)) for c, n in by_country),
            by_type=tuple((t, s, int(n)) for t, s, n in by_type),
        )
