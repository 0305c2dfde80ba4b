"""One settings object, built once from packaged defaults plus user overrides, passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

DEFAULT_DB = "tocsin.db"


def _default_cache_dir() -> Path:
    """Where derived data (the gazetteer index) lives: $TOCSIN_CACHE or ~/.cache/tocsin."""
    env = os.environ.get("TOCSIN_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tocsin"


@dataclass(frozen=True, slots=True)
class Settings:
    # where events go: a SQLite path (default) or a postgresql:// DSN
    db: str = DEFAULT_DB
    # derived, rebuildable data (gazetteer index)
    cache_dir: Path = Path()
    # named components (see tocsin.components); third parties register theirs the same way
    geocoder: str = "geonames"
    # documents scoring below this relevance are stored but not parsed for events;
    # None = the threshold calibrated with the shipped model (tocsin.detect.relevance.RELEVANCE_THRESHOLD)
    relevance_threshold: float | None = None
    # documents per store transaction: each commit costs the one writer a few ms (SQLite's FTS5 index
    # writes its pending terms at commit); 32 → 128 cut the writer's CPU a document by ~0.1 ms (issue 7)
    batch_size: int = 128
    # local worker processes for extraction (1 = in process)
    workers: int = 1
    # run extraction on Dask: a scheduler address ("tcp://host:8786") or "local" (a loopback LocalCluster of
    # `workers` processes); None = not on Dask (tocsin.scale.dask)
    dask: str | None = None
    # network fetching (ingest of http(s) sources)
    fetch_timeout: float = 20.0
    fetch_max_bytes: int = 10_000_000
    fetch_allow_private: bool = False
    # seconds for fetching all of one feed's entries: once spent (entries that hang, each cut at
    # fetch_timeout), the feed's remaining entries are rejected with a reason; a re-run fetches them
    fetch_feed_budget: float = 300.0
    # documents longer than this (characters of clean text) are cut, with a note, not rejected
    max_text_chars: int = 200_000

    @classmethod
    def load(cls, **overrides: Any) -> Settings:
        """Packaged defaults, then environment ($TOCSIN_DB, $TOCSIN_CACHE), then explicit overrides.

        ``None`` overrides are ignored so CLI options that were not given keep the default.
        """
        base = cls(db=os.environ.get("TOCSIN_DB", DEFAULT_DB), cache_dir=_default_cache_dir())
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(base, **{k: v for k, v in overrides.items() if v is not None})
