"""Shared test fixtures.

Corpus tests read labelled data from ``../shared`` (beside the repository) at run time; that data
is never copied into the repository. When it is missing, corpus tests fail with a clear message
rather than skip: a skipped corpus test would hide a broken path.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_dir() -> Path:
    return Path(os.environ.get("TOCSIN_SHARED", REPO.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared() -> Path:
    path = shared_dir()
    if not (path / "eval").is_dir():
        pytest.fail(f"labelled data not found at {path}; put ../shared beside the repo or set TOCSIN_SHARED")
    return path


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Derived data (the gazetteer index) for the test session: $TOCSIN_CACHE if set, else a temp dir."""
    env = os.environ.get("TOCSIN_CACHE")
    return Path(env) if env else tmp_path_factory.mktemp("tocsin-cache")
