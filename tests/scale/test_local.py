"""The local process pool (--workers N): same results as one process, fed through the bounded window."""

from __future__ import annotations

from pathlib import Path

from tocsin.ingest import iter_documents, samples_dir
from tocsin.pipeline import run
from tocsin.scale import local
from tocsin.settings import Settings
from tocsin.store.base import open_store


def _events(settings: Settings, db: Path) -> tuple[list[tuple], list[tuple]]:
    store = open_store(str(db))
    try:
        run(iter_documents([str(samples_dir())], settings), store, settings)
        docs = [store.document(r[0]) for r in store._execute("SELECT doc_id FROM documents ORDER BY doc_id")]
        assert all(d.story_id for d in docs if d.status != "rejected")  # grouped by the writer, in any mode
        events = sorted((e.event_id, e.sub_event_type, str(e.event_date), e.place.geonameid if e.place else None)
                        for e in store.events())  # fmt: skip
        return events, [(d.doc_id, d.duplicate_of, d.story_id) for d in docs]
    finally:
        store.close()


def test_pool_gives_the_same_events_through_the_bounded_window(cache_dir, tmp_path, monkeypatch) -> None:
    one = _events(Settings.load(db=":memory:", cache_dir=cache_dir), tmp_path / "one.db")
    read: list[int] = []
    real = local.ordered_window

    def counting(items, submit, *, chunk, window):  # noqa: ANN001
        def counted():
            for n, item in enumerate(items, 1):
                read.append(n)
                yield item
        yield from real(counted(), submit, chunk=chunk, window=window)

    monkeypatch.setattr(local, "ordered_window", counting)
    pooled = _events(Settings.load(db=":memory:", cache_dir=cache_dir, workers=2), tmp_path / "pool.db")
    assert len(one[0]) == 5 and len(one[1]) == 7 and pooled == one
    assert len(read) == 7  # every sample went through the pool's window
