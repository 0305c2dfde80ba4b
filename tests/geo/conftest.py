"""A geocoder over a gazetteer index built once per test session (in the session's cache dir)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tocsin.geo.builtin import GeonamesGeocoder
from tocsin.geo.gazetteer import ensure_index


@pytest.fixture(scope="session")
def gazetteer_index(cache_dir: Path) -> Path:
    return ensure_index(cache_dir)


@pytest.fixture(scope="session")
def geocoder(gazetteer_index: Path) -> GeonamesGeocoder:
    return GeonamesGeocoder(gazetteer_index.parent)
