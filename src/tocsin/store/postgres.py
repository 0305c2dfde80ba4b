"""A PostgreSQL store for teams: ``--db postgresql://user@host/db`` (needs the ``postgres`` extra).

Same tables, migrations and behaviour as the SQLite store (everything but the connection and the
dialect is shared in ``tocsin.store.sql``). Differences that show: full-text search is a tsvector
column with a GIN index ('simple' configuration) instead of FTS5; several processes may write at
once, serialised by a transaction-level advisory lock; PostgreSQL text cannot hold NUL characters,
so NUL is stored as U+FFFD (same length: evidence offsets still point at the same characters).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import lru_cache
from typing import Any

try:
    import psycopg
    from psycopg.conninfo import conninfo_to_dict
except ImportError:  # pragma: no cover - depends on how tocsin was installed
    raise ImportError(
        "the PostgreSQL store needs the postgres extra: pip install 'tocsin[postgres]'"
    ) from None

from tocsin.store.base import StoreError
from tocsin.store.migrations import BOOKKEEPING, POSTGRES_MIGRATIONS
from tocsin.store.query import tsquery
from tocsin.store.sql import SQLStore

# Seconds to wait for the server to answer a connection before saying it is unreachable.
CONNECT_TIMEOUT_S = 10
# Key of the advisory lock every write transaction takes (pg_advisory_xact_lock): writers from
# several processes or machines take turns, so merging a batch never races another batch.
# Any fixed 64-bit number works; this one spells "tocsin" in ASCII.
WRITER_LOCK = 0x746F6373696E
# PostgreSQL refuses NUL in text; U+FFFD (the replacement character) keeps the text's length.
NUL, NUL_STAND_IN = "\x00", "\ufffd"


class Row:
    """A result row read by name or position, like ``sqlite3.Row`` (DATE/TIMESTAMP as ISO text)."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: Sequence[Any]) -> None:
        self._index = index
        self._values = tuple(v.isoformat() if isinstance(v, date) else v for v in values)

    def __getitem__(self, key: int | str) -> Any:
        return self._values[key if isinstance(key, int) else self._index[key]]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: Any) -> Any:
    names = [c.name for c in cursor.description or ()]
    index = {name: i for i, name in enumerate(names)}
    return lambda values: Row(index, values)


@lru_cache(maxsize=512)
def _dialect(sql: str) -> str:
    """The shared SQL's ``?`` placeholders as psycopg's ``%s`` (a literal ``%`` doubled)."""
    return sql.replace("%", "%%").replace("?", "%s")


def _bindable(params: Sequence[Any]) -> list[Any]:
    return [p.replace(NUL, NUL_STAND_IN) if isinstance(p, str) and NUL in p else p for p in params]


def describe(dsn: str) -> str:
    """``user@host:port/dbname`` of a DSN, for messages: never its password."""
    try:
        info = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise StoreError(f"not a PostgreSQL URL: {exc}; write postgresql://user@host:5432/dbname") from None
    user = f"{info['user']}@" if info.get("user") else ""
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgresql://{user}{info.get('host', 'localhost')}{port}/{info.get('dbname', '')}"


class PostgresStore(SQLStore):
    MIGRATIONS = POSTGRES_MIGRATIONS
    NO_LIMIT = None  # LIMIT NULL: every row
    WEEK_OF = "CAST(date_trunc('week', event_date) AS DATE)"  # ISO weeks start on Monday
    # text columns are COLLATE "C" (see migrations.to_postgres): lower() folds ASCII, as NOCASE
    ADMIN1_IS = 'lower(admin1) = lower(CAST(? AS TEXT) COLLATE "C")'
    LIKE = "ILIKE"
    FTS_DOCS = "SELECT doc_id FROM documents WHERE search @@ to_tsquery('simple', ?)"
    FTS_DOC_MATCH = "d.search @@ to_tsquery('simple', ?)"

    def __init__(self, dsn: str, *, read_only: bool = False) -> None:
        self.dsn = dsn
        self.name = describe(dsn)
        try:
            self._conn = psycopg.connect(
                dsn, autocommit=True, row_factory=_row_factory, connect_timeout=CONNECT_TIMEOUT_S,
                client_encoding="utf8",
            )  # fmt: skip
        except psycopg.OperationalError as exc:
            raise StoreError(
                f"cannot connect to {self.name}: {str(exc).strip()}; check that the server runs, "
                "the database exists (createdb) and the user may log in"
            ) from None
        encoding = self._conn.execute("SHOW server_encoding").fetchone()[0]
        if encoding.upper() not in ("UTF8", "UTF-8"):
            self._conn.close()
            raise StoreError(
                f"{self.name} stores text as {encoding}; tocsin needs UTF8: "
                "createdb --encoding=UTF8 --template=template0 <name>"
            )
        if read_only:
            self._conn.execute("SET default_transaction_read_only = on")
        self._lock = threading.Lock()  # one transaction at a time through this connection
        self.search_mode = "fts" if self._has_fts() else "substring"

    # -- dialect --------------------------------------------------------------------------------

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self._conn.execute(_dialect(sql), _bindable(params))

    def _executemany(self, sql: str, seq: Sequence[Sequence[Any]]) -> None:
        with self._conn.cursor() as cur:
            cur.executemany(_dialect(sql), [_bindable(p) for p in seq])

    @contextmanager
    def _write(self) -> Iterator[None]:
        with self._lock, self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITER_LOCK,))
            yield

    def _ensure_bookkeeping(self) -> None:
        if self._execute("SELECT to_regclass('schema_migrations')").fetchone()[0] is not None:
            return  # opening a store never waits for a writer
        with self._write():  # two processes creating a new database's tables at once would race
            self._execute(BOOKKEEPING)

    def _name(self) -> str:
        return self.name

    def _has_fts(self) -> bool:
        found = self._execute(
            "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('documents') "
            "AND attname = 'search' AND NOT attisdropped"
        ).fetchone()
        return found is not None

    def _fts_text(self, terms: Sequence[str]) -> str:
        return tsquery(terms)

    # -- PostgreSQL only ------------------------------------------------------------------------

    def search_documents(self, query: str, limit: int = 20) -> list[str]:
        """Ids of documents matching a web-search style query (words, "phrases", -not, or), best first."""
        found = self._execute(
            "SELECT doc_id FROM documents, websearch_to_tsquery('simple', ?) q WHERE search @@ q "
            "ORDER BY ts_rank(search, q) DESC, doc_id LIMIT ?",
            (query, limit),
        )
        return [r[0] for r in found]

    def open_reader(self) -> PostgresStore:
        """A second, read-only connection to the same database (for a request thread)."""
        return PostgresStore(self.dsn, read_only=True)
