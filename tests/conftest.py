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


# Heavy tiers need parts pip cannot install (a browser, a database server) or minutes of run time
# (``slow``: full-size hostile corpora, repeated kill -9 of an ingest). The default suite leaves
# them out; ``TOCSIN_TEST_TIERS=browser,postgres,slow`` asks for them (CI does, after installing and
# starting their parts), and then a missing part fails the test, never skips it.
HEAVY_TIERS = ("browser", "postgres", "slow")


def requested_tiers() -> set[str]:
    return {t.strip() for t in os.environ.get("TOCSIN_TEST_TIERS", "").split(",") if t.strip()}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = requested_tiers()
    unknown = wanted - set(HEAVY_TIERS)
    if unknown:
        raise pytest.UsageError(f"unknown test tier(s) in TOCSIN_TEST_TIERS: {', '.join(sorted(unknown))}")
    keep, left_out = [], []
    for item in items:
        tiers = {t for t in HEAVY_TIERS if item.get_closest_marker(t)}
        (keep if tiers <= wanted else left_out).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = keep


def pytest_report_header(config: pytest.Config) -> str:
    wanted = requested_tiers()
    return f"tocsin heavy tiers: {', '.join(sorted(wanted)) or 'none'} (set TOCSIN_TEST_TIERS to add {', '.join(HEAVY_TIERS)})"
