"""Fixtures for the web tests: a seeded store on each backend (SQLite file, PostgreSQL database in
the postgres tier) and in-process clients over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from store.backends import BACKENDS, fresh_database
from tocsin.settings import Settings
from tocsin.store.base import Store, open_store
from tocsin.web.app import create_app
from web.seed import seed_results

TOKEN = "test-token-0123456789abcdef"


def seed_store(db: str | Path, results: Any = None) -> str:
    """Save the seed (or ``results``) as one run into the store ``db``; returns ``db`` as a string."""
    store = open_store(str(db))
    try:
        run_id = store.begin_run(["seed"])
        store.save(list(results if results is not None else seed_results()), run_id)
        store.finish_run(run_id, {})
    finally:
        store.close()
    return str(db)


class PlainStore:
    """A store seen only through the ``Store`` protocol (so the app uses StoreReader)."""

    PROTOCOL = frozenset(name for name in dir(Store) if not name.startswith("_"))

    def __init__(self, inner: Store) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        if name not in self.PROTOCOL:
            raise AttributeError(name)
        return getattr(self._inner, name)


def plain_store(db: str) -> Store:
    return PlainStore(open_store(db))  # type: ignore[return-value]


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed in a SQLite file (the browser tests serve it)."""
    return Path(seed_store(tmp_path_factory.mktemp("web") / "seed.db"))


@pytest.fixture(scope="session", params=BACKENDS)
def seeded(request: pytest.FixtureRequest, seeded_db: Path) -> Iterator[str]:
    """The seeded store on each backend: what ``open_store`` takes to open it."""
    if request.param == "sqlite":
        yield str(seeded_db)
    else:
        with fresh_database() as url:
            yield seed_store(url)


@pytest.fixture(scope="session")
def client(seeded: str) -> Iterator[TestClient]:
    """Read-only app (no token) over the seeded store, through the SQL reader."""
    with TestClient(create_app(open_store, Settings(db=seeded))) as c:
        yield c


@pytest.fixture(scope="session", params=["sql", "generic"])
def any_client(request: pytest.FixtureRequest, seeded: str) -> Iterator[TestClient]:
    """The same app through each reader: SQLReader (the store's SQL) and StoreReader (Store protocol)."""
    factory = open_store if request.param == "sql" else plain_store
    with TestClient(create_app(factory, Settings(db=seeded))) as c:
        yield c
