"""Every store test runs on each backend: a SQLite file, and a fresh PostgreSQL database (tier postgres)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store.backends import BACKENDS, fresh_database


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db(backend: str, tmp_path: Path) -> Iterator[str]:
    """What ``open_store`` takes for a new, empty store: a file path or a PostgreSQL URL."""
    if backend == "sqlite":
        yield str(tmp_path / "events.db")
    else:
        with fresh_database() as url:
            yield url
