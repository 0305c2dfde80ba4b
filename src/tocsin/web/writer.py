"""The web app's single writer: one thread runs the pipeline and saves, one document at a time.

Requests hand documents to the writer and wait for its answer, so the store never sees two writes
at once, however many requests arrive together. The pipeline's heavy parts (sentence splitter,
gazetteer, relevance model) are built on the first write, in the writer thread, not at start-up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from tocsin.records import DocumentResult, RawDocument
from tocsin.settings import Settings
from tocsin.store.base import Store

Pipeline = Callable[[RawDocument], DocumentResult]


def default_pipeline(settings: Settings) -> Callable[[], Pipeline]:
    """A maker of the real pipeline: ``safe_process`` over components built from ``settings``."""

    def make() -> Pipeline:
        from tocsin.pipeline import make_components, safe_process

        components = make_components(settings)
        return lambda raw: safe_process(raw, components)

    return make


class Writer:
    def __init__(self, store: Store, make_pipeline: Callable[[], Pipeline]) -> None:
        self._store = store
        self._make_pipeline = make_pipeline
        self._pipeline: Pipeline | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tocsin-writer")

    def _ingest(self, raw: RawDocument) -> DocumentResult:
        if self._pipeline is None:
            self._pipeline = self._make_pipeline()
        result = self._pipeline(raw)
        run_id = self._store.begin_run([raw.origin])
        self._store.save([result], run_id)
        self._store.finish_run(
            run_id,
            {
                "documents": 1,
                "rejected": int(result.rejected is not None),
                "skipped": int(result.skipped is not None),
                "events": len(result.events),
            },
        )
        return result

    async def ingest(self, raw: RawDocument) -> DocumentResult:
        """Process and store ``raw`` on the writer thread; returns what the pipeline made of it."""
        return await asyncio.wrap_future(self._pool.submit(self._ingest, raw))

    def close(self) -> None:
        self._pool.shutdown(wait=True)
