"""Run the pure pipeline stages in a local process pool; results come back in input order."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from typing import Any

from tocsin.records import DocumentResult
from tocsin.settings import Settings

# Documents handed to a worker at a time: large enough to amortise pickling, small enough to keep
# memory flat and the progress bar moving.
CHUNKSIZE = 8

# Each worker process builds its components once, in the pool initializer; this is that process's copy.
_worker_components: Any = None


def _init(settings: Settings) -> None:
    global _worker_components
    from tocsin.pipeline import make_components

    _worker_components = make_components(settings)


def _work(item: Any) -> DocumentResult | None:
    from tocsin.pipeline import settle

    return settle(item, _worker_components)


def process_in_pool(items: Iterable[Any], settings: Settings) -> Iterator[DocumentResult | None]:
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(settings.workers, initializer=_init, initargs=(settings,)) as pool:
        yield from pool.imap(_work, items, chunksize=CHUNKSIZE)
