"""The stores tests run against: SQLite files, and PostgreSQL at $TOCSIN_TEST_POSTGRES.

PostgreSQL tests of the ``postgres`` tier (TOCSIN_TEST_TIERS=postgres; .ci/run starts the server) get a new,
empty database each, dropped afterwards. Without the variable, or without a server answering at
it, they fail: a skipped PostgreSQL test would hide a broken backend.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

ENV = "TOCSIN_TEST_POSTGRES"
# Which test backends exist: the parametrisation of every store fixture.
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def server_url() -> str:
    url = os.environ.get(ENV, "")
    if not url.startswith(("postgresql://", "postgres://")):
        pytest.fail(
            f"the postgres test tier needs a PostgreSQL server: set {ENV}=postgresql://user@host:port/db "
            f"(got {url!r}); .ci/run shows how to start one"
        )
    return url


def _admin():  # noqa: ANN202 — a psycopg connection, imported only for this tier
    import psycopg

    url = server_url()
    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        pytest.fail(f"no PostgreSQL server answers at {ENV}={url}: {exc}")


@contextmanager
def fresh_database() -> Iterator[str]:
    """Create an empty database, yield its URL, drop it (and any connection still open to it)."""
    from psycopg import sql

    name = f"tocsin_test_{uuid.uuid4().hex[:16]}"
    with _admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlsplit(server_url())._replace(path=f"/{name}").geturl()
    finally:
        with _admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def table_names(store) -> set[str]:  # noqa: ANN001 — a SQLiteStore or a PostgresStore
    """Tables of the store's database (its current schema for PostgreSQL)."""
    from tocsin.store.sqlite import SQLiteStore

    if isinstance(store, SQLiteStore):
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return {r[0] for r in store._execute(sql)}


def integrity_error(backend: str) -> type[Exception]:
    """What the backend's driver raises when a row breaks a constraint."""
    if backend == "sqlite":
        import sqlite3

        return sqlite3.IntegrityError
    import psycopg

    return psycopg.IntegrityError


def downgrade_to_v5(store) -> None:  # noqa: ANN001
    """Undo migrations 6-10 (near-duplicate bands, then keys, table; publication-day index), rows kept."""
    with store._write():
        store._execute("DELETE FROM schema_migrations WHERE version > 5")
        store._execute("DROP TABLE neardup_keys")
        store._execute("DROP INDEX documents_neardup_seq")
        store._execute("DROP INDEX documents_published_day")
        store._execute("ALTER TABLE documents DROP COLUMN neardup_seq")


def downgrade_to_v1(store) -> None:  # noqa: ANN001
    """Turn a migrated store into one written at schema version 1, rows kept: every later migration
    (indexes, full-text index, near-duplicate columns) undone by hand."""
    from tocsin.store.sqlite import SQLiteStore

    sqlite = isinstance(store, SQLiteStore)
    with store._write():
        store._execute("DELETE FROM schema_migrations WHERE version > 1")
        if sqlite:
            indexes = "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            store._execute("DROP TABLE IF EXISTS documents_fts")
        else:
            indexes = ("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() "
                       "AND indexname NOT LIKE '%_pkey'")  # fmt: skip
            store._execute("ALTER TABLE documents DROP COLUMN search")
        store._execute("DROP TABLE neardup_keys")
        for (name,) in [tuple(r) for r in store._execute(indexes)]:
            store._execute(f"DROP INDEX {name}")
        for column in ("duplicate_of", "story_id", "signature", "neardup_seq"):
            store._execute(f"ALTER TABLE documents DROP COLUMN {column}")
