"""Fixtures for the web tests: a seeded SQLite store and in-process clients over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tocsin.settings import Settings
from tocsin.store.base import Store, open_store
from tocsin.web.app import create_app
from web.seed import seed_results

TOKEN = "test-token-0123456789abcdef"


def seed_store(path: Path, results: Any = None) -> Path:
    store = open_store(str(path))
    try:
        run_id = store.begin_run(["seed"])
        store.save(list(results if results is not None else seed_results()), run_id)
        store.finish_run(run_id, {})
    finally:
        store.close()
    return path


class PlainStore:
    """The SQLite store seen only through the ``Store`` protocol (so the app uses StoreReader)."""

    def __init__(self, inner: Store) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def plain_store(db: str) -> Store:
    return PlainStore(open_store(db))  # type: ignore[return-value]


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_store(tmp_path_factory.mktemp("web") / "seed.db")


@pytest.fixture(scope="session")
def client(seeded_db: Path) -> Iterator[TestClient]:
    """Read-only app (no token) over the seeded store, through the SQL reader."""
    with TestClient(create_app(open_store, Settings(db=str(seeded_db)))) as c:
        yield c


@pytest.fixture(scope="session", params=["sql", "generic"])
def any_client(request: pytest.FixtureRequest, seeded_db: Path) -> Iterator[TestClient]:
    """The same app through each reader: SQLiteReader (SQL) and StoreReader (Store protocol)."""
    factory = open_store if request.param == "sql" else plain_store
    with TestClient(create_app(factory, Settings(db=str(seeded_db)))) as c:
        yield c
