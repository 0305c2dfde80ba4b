"""Run the pure pipeline stages in a local process pool; results come back in input order.

Submission is bounded (:func:`tocsin.scale.window.ordered_window`): the input is read only a few
chunks ahead of the slowest worker, so memory does not grow with the input.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from tocsin.records import DocumentResult
from tocsin.scale.priority import lower_own_priority
from tocsin.scale.window import ordered_window
from tocsin.settings import Settings

# Documents handed to a worker at a time: large enough to amortise pickling, small enough to keep
# memory flat and the progress bar moving.
CHUNKSIZE = 8
# Chunks in flight per worker: one running, one queued, one waiting to be stored by the main process.
WINDOW_PER_WORKER = 3

# Each worker process builds its components once, in the pool initializer; this is that process's copy.
_worker_components: Any = None


def _init(settings: Settings) -> None:
    global _worker_components
    from tocsin.pipeline import make_components

    lower_own_priority()  # the writer (this pool's parent) first: tocsin.scale.priority
    _worker_components = make_components(settings)


def _work(chunk: list[Any]) -> list[DocumentResult | None]:
    from tocsin.pipeline import settle_many

    return settle_many(chunk, _worker_components)


def process_in_pool(items: Iterable[Any], settings: Settings) -> Iterator[DocumentResult | None]:
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(settings.workers, mp_context=ctx, initializer=_init, initargs=(settings,)) as pool:
        yield from ordered_window(
            items,
            lambda chunk: pool.submit(_work, chunk),
            chunk=CHUNKSIZE,
            window=WINDOW_PER_WORKER * settings.workers,
        )
