"""The default store: one SQLite file, WAL mode, foreign keys on, one transaction per batch.

Single writer: one thread or process writes (the pipeline's store stage); readers may open the
same file from elsewhere, WAL lets them read while it writes. Everything but the connection and
SQLite's dialect (FTS5, NOCASE, date arithmetic) is shared with PostgreSQL in ``tocsin.store.sql``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tocsin.store.base import StoreError
from tocsin.store.migrations import MIGRATIONS
from tocsin.store.query import fts5_query
from tocsin.store.sql import SQLStore

# Database pages read through memory mapping instead of a read() call each: an API page of 50 events
# from a 100,000-event store 2.3 ms → 1.25 ms. Address space, not memory: the OS pages it in and out.
# Read-only handles only (the API's readers): every mapped page a process touches counts in its resident
# size, so a writer mapping the file grew with the database (bench_memory: 156 → 186 MB from 300 to 3,000
# documents, all of it file pages; 155 → 160 MB unmapped), and its small reads gain nothing from it.
MMAP_BYTES = 256 * 2**20
# How long a second connection waits for the writer's lock before giving up.
BUSY_TIMEOUT_S = 30.0


def sqlite_path(db: str) -> str:
    """``sqlite:///rel.db`` → ``rel.db``, ``sqlite:////abs.db`` → ``/abs.db``; a plain path as is."""
    if "://" not in db:
        return db
    scheme, rest = db.split("://", 1)
    if scheme.lower() != "sqlite" or not rest.startswith("/"):
        raise StoreError(f"not a SQLite URL: {db!r}; write sqlite:///relative.db or sqlite:////abs.db")
    return rest[1:]


class SQLiteStore(SQLStore):
    MIGRATIONS = MIGRATIONS
    NO_LIMIT = -1
    # 'weekday 0' moves to the next Sunday (or stays), -6 days is that week's Monday
    WEEK_OF = "date(event_date, 'weekday 0', '-6 days')"
    ADMIN1_IS = "admin1 = ? COLLATE NOCASE"
    LIKE = "LIKE"  # case-insensitive for ASCII letters
    FTS_DOCS = "SELECT d.doc_id FROM documents_fts f JOIN documents d ON d.rowid = f.rowid WHERE documents_fts MATCH ?"
    FTS_DOC_MATCH = "d.rowid IN (SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?)"

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        parent = Path(self.path).parent
        if self.path != ":memory:" and not parent.is_dir():
            raise StoreError(
                f"cannot create database {self.path!r}: directory {str(parent)!r} does not exist"
            )
        # isolation_level=None: we issue BEGIN/COMMIT ourselves (one transaction per batch).
        # check_same_thread=False: the single writer may be a different thread from the opener;
        # self._lock serialises writes through this connection.
        target, uri = self.path, False
        if read_only:
            target, uri = f"file:{quote(str(Path(self.path).resolve()))}?mode=ro", True
        self._conn = sqlite3.connect(
            target, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False, uri=uri
        )
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._fts: bool | None = None  # does documents_fts exist? (checked once)
        try:
            if not read_only:
                self._conn.execute("PRAGMA journal_mode = WAL")
            self.search_mode = "fts" if self._has_fts() else "substring"
        except sqlite3.DatabaseError as exc:
            self._conn.close()
            raise StoreError(f"{self.path!r} is not a tocsin database ({exc}); choose another --db") from exc
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA synchronous = NORMAL")  # safe with WAL, much faster per commit
        if read_only:
            self._conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")

    # -- dialect --------------------------------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self._conn.execute(sql, params)

    def _executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> None:
        self._conn.executemany(sql, seq)

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _name(self) -> str:
        return repr(self.path)

    def migrate(self, target: int | None = None) -> list[int]:
        self._fts = None  # the FTS migration may create the index
        return super().migrate(target)

    def _has_fts(self) -> bool:
        if self._fts is None:
            row = self._conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'documents_fts'"
            ).fetchone()
            self._fts = row is not None
        return self._fts

    def _fts_text(self, terms: Sequence[str]) -> str:
        return fts5_query(terms)

    def _indexed(self, doc_id: str, title: str | None, text: str | None) -> None:
        """FTS5 rows are keyed by documents.rowid, which upserts keep: replace this document's."""
        if not self._has_fts():
            return
        key = self._conn.execute("SELECT rowid FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()[0]
        self._conn.execute("DELETE FROM documents_fts WHERE rowid = ?", (key,))
        self._conn.execute(
            "INSERT INTO documents_fts (rowid, title, text) VALUES (?, ?, ?)", (key, title or "", text or "")
        )

    # -- SQLite only ----------------------------------------------------------------------------

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

    def data_version(self) -> int | None:
        """SQLite's ``PRAGMA data_version``: it changes on this connection whenever another one, in
        this process or another, commits to the file (about 5 µs). None in memory (one connection)."""
        if self.path == ":memory:":
            return None
        with self._lock:
            return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def open_reader(self) -> SQLiteStore | None:
        """A read-only connection to the same file (WAL: it reads while the writer writes)."""
        return None if self.path == ":memory:" else SQLiteStore(self.path, read_only=True)
