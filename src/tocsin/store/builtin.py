"""Built-in stores, registered the same way a third-party store would be."""

from __future__ import annotations

from tocsin.store.base import Store, register_store
from tocsin.store.sqlite import SQLiteStore, sqlite_path


@register_store("")
@register_store("sqlite")
def sqlite_store(db: str) -> Store:
    """A plain path or ``sqlite:///path``: the default, one SQLite file."""
    return SQLiteStore(sqlite_path(db))


@register_store("postgresql")
def postgres_store(db: str) -> Store:
    """``postgresql://user@host:port/dbname`` (or ``postgres://``): needs the postgres extra."""
    from tocsin.store.postgres import PostgresStore  # psycopg is imported only when asked for

    return PostgresStore(db)
