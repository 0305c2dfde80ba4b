"""Near-duplicates and stories as the store keeps them (issue 7): the LSH bands in a table, not in the
writer's memory; stories grouped in bounded chunks while saving; the workers' fingerprints used as given.
Every backend (the ``db`` fixture). Texts written for these tests."""

from __future__ import annotations

from dataclasses import replace

import pytest

from store.backends import downgrade_to_v5
from store.helpers import result
from tocsin.dedupe.neardup import LSH_BANDS, band_keys, signature
from tocsin.dedupe.stories import story_terms
from tocsin.records import Fingerprint
from tocsin.store.base import open_store

STRIKE = (
    "Dock workers walked off the job at the port of Marlow on Monday, halting the loading of grain ships for "
    "the first time in a decade. The union said pay talks with the harbour board had broken down after three "
    "months, and that pickets would stay at the gates until a new offer was made. Lorries queued for several "
    "kilometres along the coast road while police kept the entrance clear."
)
COPY = "Share this article\n" + STRIKE + "\nSubscribe to our newsletter for more news from the coast."
FLOOD = (
    "Heavy rain flooded the lower town of Easton overnight, forcing families from their homes near the river. "
    "The mayor opened the sports hall as a shelter and asked residents to keep off the bridges until the water "
    "went down, while engineers checked the old embankment for damage."
)


def saved(store, *results) -> int:  # noqa: ANN001
    run = store.begin_run(["test"])
    store.save(list(results), run)
    return run


def test_a_copy_is_linked_through_the_bands_table_by_a_store_holding_no_index(db: str) -> None:
    first = open_store(db)
    saved(first, result("orig", STRIKE), result("flood", FLOOD))
    (n,) = first._execute("SELECT count(*) FROM neardup_keys").fetchone()
    assert n == 2 * LSH_BANDS
    first.close()
    second = open_store(db)  # a new writer: nothing loaded, only table lookups
    saved(second, result("copy", COPY), result("copy2", STRIKE + " More to follow."))
    assert second.document("copy").duplicate_of == "orig"
    assert second.document("copy2").duplicate_of == "orig"  # the earliest copy is the original
    assert second.document("flood").duplicate_of is None
    seqs = [r[0] for r in second._execute("SELECT neardup_seq FROM documents ORDER BY neardup_seq")]
    assert seqs == [1, 2, 3, 4]
    second.close()


def test_a_replaced_document_keeps_its_rank_and_its_bands_follow_its_text(db: str) -> None:
    store = open_store(db)
    saved(store, result("orig", STRIKE), result("other", FLOOD))
    rank = store._execute("SELECT neardup_seq FROM documents WHERE doc_id = 'orig'").fetchone()[0]
    saved(store, result("orig", FLOOD + " Updated at noon."))  # the page now carries another text
    doc = store._execute("SELECT neardup_seq, duplicate_of FROM documents WHERE doc_id = 'orig'").fetchone()
    assert (doc[0], doc[1]) == (rank, None)  # same rank; a replaced document is nobody's copy
    keys = {r[0] for r in store._execute("SELECT band_key FROM neardup_keys WHERE seq = ?", (rank,))}
    assert keys == set(band_keys(signature(FLOOD + " Updated at noon.")))
    saved(store, result("late", STRIKE))
    assert store.document("late").duplicate_of is None  # the old text's bands are gone
    store.close()


def test_the_store_uses_the_fingerprint_computed_by_the_workers(db: str) -> None:
    store = open_store(db)
    forged = replace(result("b", FLOOD), fingerprint=Fingerprint(signature(STRIKE), story_terms(FLOOD)))
    saved(store, result("a", STRIKE), forged)
    assert store.document("b").duplicate_of == "a"  # the given signature, not one recomputed from the text
    wordless = replace(result("c", "..."), fingerprint=Fingerprint(None))
    saved(store, wordless)
    assert store.document("c").duplicate_of is None
    assert store._execute("SELECT signature, neardup_seq FROM documents WHERE doc_id = 'c'").fetchone()[0] is None
    store.close()


def test_upgrading_fills_the_bands_from_the_signatures_already_stored(db: str) -> None:
    old = open_store(db)
    saved(old, result("flood", FLOOD), result("orig", STRIKE))
    downgrade_to_v5(old)
    old.close()
    store = open_store(db)
    rows = store._execute("SELECT band_key, seq FROM neardup_keys").fetchall()
    assert sorted((r[1], r[0]) for r in rows) == sorted(  # ranked by arrival
        [(1, k) for k in band_keys(signature(FLOOD))] + [(2, k) for k in band_keys(signature(STRIKE))]
    )
    saved(store, result("copy", COPY))
    assert store.document("copy").duplicate_of == "orig"
    store.close()


def test_stories_are_grouped_in_bounded_chunks_while_saving(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tocsin.store.sql.STORY_CHUNK", 2)
    store = open_store(db)
    run = saved(store, result("strike", STRIKE), result("flood", FLOOD))
    assert store._story_pending == ()  # a full chunk is grouped by the save itself
    assert store.document("strike").story_id == "strike" and store.document("flood").story_id == "flood"
    store.save([result("strike-again", STRIKE + " The port reopened on Friday.")], run)
    assert store.document("strike-again").story_id is None and len(store._story_pending) == 1
    assert store.update_stories(run) == 1  # the last, partial chunk
    assert store.document("strike-again").story_id == "strike"  # joined the previous chunk's story
    assert store.document("flood").story_id == "flood"
    store.close()


def test_articles_left_without_a_story_by_a_killed_run_are_grouped_by_the_next(db: str) -> None:
    store = open_store(db)
    run = saved(store, result("strike", STRIKE), result("flood", FLOOD), result("copy", COPY))
    store.close()  # killed before update_stories: the pending chunk is lost with the process
    again = open_store(db)
    assert again.document("strike").story_id is None
    assert again.update_stories(run) == 3
    assert again.document("copy").story_id == again.document("strike").story_id
    assert again.document("flood").story_id == "flood"
    assert again.update_stories(run) == 0  # nothing left: a re-run is a no-op
    again.close()


def test_reprocessing_keeps_stories_and_a_changed_text_is_grouped_again(db: str) -> None:
    store = open_store(db)
    run = saved(store, result("strike", STRIKE), result("flood", FLOOD), result("copy", COPY))
    store.update_stories(run)
    before = {d: store.document(d).story_id for d in ("strike", "flood", "copy")}
    again = store.begin_run(["reprocess"])
    store.save([result("strike", STRIKE), result("flood", FLOOD)], again, force=True)
    assert store._story_pending == ()  # re-stored unchanged: nothing to group again
    store.save([result("copy", FLOOD + " Later, the river fell.")], again)
    assert [d.id for d in store._story_pending] == ["copy"]  # its text changed: grouped again
    store.update_stories(again)
    assert store.document("strike").story_id == before["strike"]
    assert store.document("copy").story_id == before["flood"] == "flood"
    store.close()


def test_dated_articles_join_stored_stories_through_a_small_terms_cache(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stored candidates found by publication day, some cached and some read again (the cache evicting
    while they are read): every candidate keeps its terms."""
    from datetime import UTC, datetime

    monkeypatch.setattr("tocsin.store.sql.STORY_CHUNK", 2)
    monkeypatch.setattr("tocsin.store.sql.STORY_TERMS_CACHED", 1)

    def dated(doc_id: str, text: str, day: int):  # noqa: ANN202
        r = result(doc_id, text)
        return replace(r, article=replace(r.article, published=datetime(2024, 5, day)))

    store = open_store(db)
    run = saved(store, dated("strike", STRIKE, 1), dated("flood", FLOOD, 2))
    store.save([dated("flood2", FLOOD + " Roads reopened.", 3), dated("other", "Markets closed early.", 3)], run)
    store.close()
    later = open_store(db)  # a new writer: no held chunk, candidates from the table by day
    aware = dated("flood3", FLOOD + " More rain.", 4)  # with a UTC offset, beside one without
    aware = replace(aware, article=replace(aware.article, published=datetime(2024, 5, 4, tzinfo=UTC)))
    run = saved(later, dated("strike2", STRIKE + " Talks resumed.", 4), aware)
    assert later.document("strike2").story_id == "strike"
    assert later.document("flood3").story_id == "flood"
    later.update_stories(run)
    later.close()
