"""Built-in stores, registered the same way a third-party store would be."""

from __future__ import annotations

from tocsin.store.base import Store, register_store
from tocsin.store.sqlite import SQLiteStore, sqlite_path


@register_store("")
@register_store("sqlite")
def sqlite_store(db: str) -> Store:
    """A plain path or ``sqlite:///path``: the default, one SQLite file."""
    return SQLiteStore(sqlite_path(db))
