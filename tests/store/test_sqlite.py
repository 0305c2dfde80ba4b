"""What only the SQLite store does: a file in WAL mode, errors about paths, FTS5 query syntax,
an in-memory database."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.helpers import event, result
from tocsin.store.base import StoreError, open_store
from tocsin.store.sqlite import SQLiteStore

TEXT = "Commuters marched in Riverton on Tuesday. Police watched from a distance."


def test_wal_and_foreign_keys_are_on(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "events.db"))
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    store.close()


def test_unusable_paths_give_actionable_errors(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        open_store(str(tmp_path / "missing-dir" / "x.db"))
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all, just bytes" * 100)
    with pytest.raises(StoreError, match="not a tocsin database"):
        open_store(str(junk))
    with pytest.raises(ValueError, match="no store"):
        open_store("mongodb://localhost/x")
    with pytest.raises(StoreError, match="sqlite:///"):
        open_store("sqlite://relative.db")


def test_full_text_queries_use_fts5_syntax(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "events.db"))
    store.save([result("d1", TEXT, (event("e1", "d1", TEXT),))], store.begin_run([]))
    assert store.search_documents("riverton AND distance") == ["d1"]
    assert store.search_documents('"Police watched"') == ["d1"]
    with pytest.raises(StoreError, match="full-text query"):
        store.search_documents('"unbalanced')
    store.close()


def test_a_read_only_handle_cannot_write(tmp_path: Path) -> None:
    path = tmp_path / "events.db"
    open_store(str(path)).close()
    reader = SQLiteStore(path, read_only=True)
    with pytest.raises(Exception, match="readonly"):
        reader.begin_run(["x"])
    reader.close()


def test_an_in_memory_store_has_no_second_handle() -> None:
    with SQLiteStore(":memory:") as store:
        store.migrate()
        assert store.open_reader() is None  # the web API then reads through the store itself
