"""Every store, SQLite and PostgreSQL alike (the ``db`` fixture): migrations, idempotent saves,
replacement, merging, rejections, filters, round trips, concurrent readers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.backends import downgrade_to_v1, integrity_error, table_names
from store.helpers import HILLSIDE, event, rejected, result, varied_events
from tocsin.records import (
    CERTAINTY_LEVELS,
    MOB_VIOLENCE,
    PEACEFUL,
    RIOTS,
    SUB_EVENT_TYPES,
    Event,
    Evidence,
    Place,
    Source,
)
from tocsin.store.base import EventFilter, StoreError, open_store, raw_content_hash
from tocsin.store.migrations import MIGRATIONS
from tocsin.store.query import EventQuery
from tocsin.store.sql import SQLStore

TEXT_A = "Commuters marched in Riverton on Tuesday. Police watched from a distance."
TEXT_B = "Commuters marched in Riverton on Tuesday, and again on Wednesday. Police watched."


def saved(db: str, *results) -> SQLStore:
    store = open_store(db)
    run = store.begin_run(["folder"])
    store.save(list(results), run)
    return store


# -- opening and migrations ----------------------------------------------------------------------


def test_migrations_are_recorded_and_rerunnable(db: str) -> None:
    store = open_store(db)
    recorded = [r[0] for r in store._execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert recorded == [m.version for m in MIGRATIONS]
    assert store.migrate() == []  # nothing left to do
    assert {"documents", "events", "event_sources", "evidence", "runs"} <= table_names(store)
    assert store.search_mode == "fts"
    store.close()


def test_opening_an_old_database_upgrades_it_and_keeps_data(db: str, backend: str) -> None:
    old = open_store(db)
    run = old.begin_run(["first"])
    old.save([result("d1", TEXT_A, (event("e1", "d1", TEXT_A),))], run)
    downgrade_to_v1(old)
    assert old.schema_version() == 1
    old.close()

    store = open_store(f"sqlite:///{db}" if backend == "sqlite" else db)  # URL form (absolute path)
    assert store.schema_version() == MIGRATIONS[-1].version
    assert [e.event_id for e in store.events()] == ["e1"]
    assert store.search_documents("Riverton") == ["d1"]  # full-text index built from rows stored before
    store.close()


def test_database_newer_than_the_code_is_refused(db: str) -> None:
    store = open_store(db)
    with store._write():
        store._execute("INSERT INTO schema_migrations VALUES (999, 'from the future', '2030-01-01')")
    store.close()
    with pytest.raises(StoreError, match="upgrade tocsin"):
        open_store(db)


# -- writing -------------------------------------------------------------------------------------


def test_saving_the_same_document_twice_is_a_no_op(db: str) -> None:
    first = result("d1", TEXT_A, (event("e1", "d1", TEXT_A),))
    store = saved(db, first)
    assert store.is_known("d1", first.article.content_hash)
    assert store.is_known("d1", raw_content_hash(first.raw))  # before cleaning, from the raw text
    assert not store.is_known("d1", "another-hash")
    assert not store.is_known("d2", first.article.content_hash)
    before = store.document("d1")
    # a changed event under the same content is ignored: the document is already stored
    again = result("d1", TEXT_A, (event("e1", "d1", TEXT_A, fatalities=9),))
    store.save([again], store.begin_run(["again"]))
    assert store.document("d1") == before
    assert [e.fatalities for e in store.events()] == [0]
    assert store.counts() == {"documents": 1, "rejected": 0, "events": 1, "runs": 2}
    store.close()


def test_changed_content_replaces_the_document_and_its_events(db: str) -> None:
    store = saved(
        db,
        result("d1", TEXT_A, (event("e1", "d1", TEXT_A),)),
        result("d2", TEXT_A + " More.", (event("e2", "d2", TEXT_A + " More."),)),
    )
    (shared,) = store.events(EventFilter(doc_id="d2"))  # one town, one day: one event, two sources
    assert shared.event_id == "e1" and [s.doc_id for s in shared.sources] == ["d1", "d2"]

    store.save(
        [result("d1", TEXT_B, (event("e9", "d1", TEXT_B, place=HILLSIDE),))], store.begin_run(["edit"])
    )
    assert [e.event_id for e in store.events()] == ["e1", "e9"]
    shared = next(e for e in store.events() if e.event_id == "e1")
    assert [s.doc_id for s in shared.sources] == ["d2"]  # d1 detached from the shared event
    assert {ev.doc_id for ev in shared.evidence} == {"d2"}
    assert store.document("d1").text == TEXT_B
    assert store.search_documents("Wednesday") == ["d1"]
    assert store.search_documents("distance") == ["d2"]  # d1's old text left the index
    store.close()


def test_reports_of_one_happening_merge_across_batches_and_keep_their_id(db: str) -> None:
    store = saved(
        db, result("d1", TEXT_A, (event("e1", "d1", TEXT_A, crowd_size_low=300, crowd_size_high=300),))
    )
    run = store.begin_run(["later"])
    store.save(
        [
            result("d3", TEXT_B, (event("e3", "d3", TEXT_B, crowd_size_low=1000, crowd_size_high=1000),)),
            result("d4", TEXT_B + " Far.", (event("e4", "d4", TEXT_B + " Far.", place=HILLSIDE),)),
        ],
        run,
    )
    by_place = {e.place.name: e for e in store.events()}
    riverton = by_place["Riverton"]
    assert riverton.event_id == "e1"  # a stored event that only gains sources keeps its id
    assert [s.doc_id for s in riverton.sources] == ["d1", "d3"]
    assert (riverton.crowd_size_low, riverton.crowd_size_high) == (300, 1000)
    said = {r["doc_id"]: r["said_crowd_size_low"] for r in store.source_values("e1")}
    assert said == {"d1": 300, "d3": 1000}  # who said what stays visible
    assert [s.doc_id for s in by_place["Hillside"].sources] == ["d4"]  # another town stays apart
    store.close()


def test_rejections_are_stored_with_reasons_and_retried(db: str) -> None:
    store = saved(
        db,
        rejected("bad1", "not UTF-8 and no charset declared; re-save as UTF-8"),
        rejected("bad2", "empty after cleaning", html="<html><body></body></html>"),
        result("ok", TEXT_A),
    )
    reasons = {r.doc_id: r.reason for r in store.rejects()}
    assert reasons == {
        "bad1": "not UTF-8 and no charset declared; re-save as UTF-8",
        "bad2": "empty after cleaning",
    }
    assert [r.origin for r in store.rejects()] == ["folder/bad1.html", "folder/bad2.html"]
    doc = store.document("bad1")
    assert (doc.status, doc.text) == ("rejected", None)
    # rejected documents are never "known", so a fixed pipeline gets to retry them
    same_raw = rejected("bad2", "x", "<html><body></body></html>").raw
    assert not store.is_known("bad2", raw_content_hash(same_raw))
    store.save([result("bad1", TEXT_A)], store.begin_run(["retry"]))
    assert store.document("bad1").status == "processed"
    assert store.counts()["rejected"] == 1
    store.close()


def test_skipped_documents_keep_their_reason(db: str) -> None:
    skipped = replace(result("fr", "Des manifestants ont défilé."), skipped="language fr: not parsed")
    store = saved(db, skipped, result("en", TEXT_A))
    doc = store.document("fr")
    assert (doc.status, doc.reason, doc.text) == ("skipped", "language fr: not parsed", skipped.article.text)
    assert store.document("en").status == "processed" and store.document("en").reason is None
    assert store.is_known("fr", skipped.article.content_hash)
    assert [r.doc_id for r in store.rejects()] == []
    store.close()


def test_a_batch_is_one_transaction(db: str, backend: str) -> None:
    store = open_store(db)
    run = store.begin_run(["x"])
    stray = event("e2", "d2", TEXT_A, sources=(Source("never-stored"),))
    with pytest.raises(integrity_error(backend)):
        store.save([result("d1", TEXT_A, (event("e1", "d1", TEXT_A),)), result("d2", TEXT_A, (stray,))], run)
    assert store.counts()["documents"] == 0  # d1 rolled back with the failing d2
    with pytest.raises(StoreError, match="begin_run"):
        store.save([result("d1", TEXT_A)], run_id=12345)
    store.close()


def test_runs_record_sources_and_stats(db: str) -> None:
    store = open_store(db)
    run = store.begin_run(["a.jsonl", "feeds/"])
    store.finish_run(run, {"documents": 3, "events": 1})
    row = store._execute("SELECT sources, stats, finished FROM runs WHERE id = ?", (run,)).fetchone()
    assert row["sources"] == '["a.jsonl", "feeds/"]' and '"events": 1' in row["stats"] and row["finished"]
    with pytest.raises(StoreError):
        store.finish_run(run + 1, {})
    store.close()


# -- reading -------------------------------------------------------------------------------------


def test_round_trip_returns_equal_events(db: str) -> None:
    events = varied_events()
    store = saved(db, *(result(e.sources[0].doc_id, e.evidence[0].text + " Rest.", (e,)) for e in events))
    back = {e.event_id: e for e in store.events()}
    assert back == {e.event_id: e for e in events}
    store.close()


def test_per_source_values_are_kept(db: str) -> None:
    store = saved(
        db,
        result("d1", TEXT_A, (event("e", "d1", TEXT_A, fatalities=1),)),
        result("d2", TEXT_B, (event("e", "d2", TEXT_B, fatalities=3, event_type=RIOTS,
                                    sub_event_type=MOB_VIOLENCE),)),
    )  # fmt: skip
    said = {r["doc_id"]: (r["said_fatalities"], r["said_sub_event_type"]) for r in store.source_values("e")}
    assert said == {"d1": (1, PEACEFUL), "d2": (3, MOB_VIOLENCE)}
    store.close()


def test_filters_and_order(db: str) -> None:
    events = varied_events()
    store = saved(db, *(result(e.sources[0].doc_id, e.evidence[0].text, (e,)) for e in events))

    def ids(**kw) -> list[str]:
        return [e.event_id for e in store.events(EventFilter(**kw))]

    assert ids() == ["e-ind-1", "e-ken-1", "e-unplaced", "e-ken-2", "e-undated"]  # by date, undated last
    assert ids(country="KEN") == ["e-ken-1", "e-ken-2", "e-undated"]
    assert ids(since=date(2024, 3, 2), until=date(2024, 3, 19)) == ["e-ken-1", "e-unplaced"]
    assert ids(event_type=RIOTS) == ["e-ind-1"]
    assert ids(event_type="Protest with intervention") == ["e-ken-2"]
    assert ids(country="KEN", limit=2) == ["e-ken-1", "e-ken-2"]
    assert ids(doc_id="d3") == ["e-ken-2"]
    store.close()


@pytest.mark.parametrize(
    "hostile",
    ["KEN' OR '1'='1", "x'); DROP TABLE events; --", '" OR 1=1 --', "%", "KEN\x00"],
)
def test_hostile_filter_values_do_no_harm(db: str, hostile: str) -> None:
    store = saved(db, result("d1", TEXT_A, (event("e1", "d1", TEXT_A),)))
    assert list(store.events(EventFilter(country=hostile))) == []
    assert list(store.events(EventFilter(event_type=hostile))) == []
    assert list(store.events(EventFilter(doc_id=hostile))) == []
    assert store.document(hostile) is None
    assert not store.is_known(hostile, hostile)
    assert store.counts()["events"] == 1 and "events" in table_names(store)
    store.close()


def test_many_events_stream_in_chunks(db: str) -> None:
    evs = tuple(event(f"e{i:04d}", "d1", TEXT_A) for i in range(1200))  # > 2 read chunks
    store = saved(db, result("d1", TEXT_A, evs))
    back = list(store.events())
    assert [e.event_id for e in back] == sorted(e.event_id for e in evs)
    assert all(len(e.sources) == 1 and len(e.evidence) == 1 for e in back)
    store.close()


# -- property: any well-formed event survives the store unchanged ---------------------------------

small_int = st.integers(min_value=0, max_value=10**9)


# PostgreSQL text cannot hold NUL (stored as U+FFFD: test_nul_characters); every other character
def texts(**kw: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(codec="utf-8", exclude_characters="\x00"), **kw)


label = texts(min_size=1, max_size=30)
places = st.builds(
    Place,
    name=label,
    country=st.sampled_from(["KEN", "IND", "KAZ", "GRC"]),
    latitude=st.one_of(st.none(), st.floats(-90, 90, allow_nan=False)),
    longitude=st.one_of(st.none(), st.floats(-180, 180, allow_nan=False)),
    geonameid=st.one_of(st.none(), small_int),
    admin1=st.one_of(st.none(), label),
    feature_class=st.sampled_from(["P", "A"]),
    feature_code=st.sampled_from(["", "PPL", "ADM1"]),
    population=small_int,
    geo_precision=st.integers(1, 3),
)


@st.composite
def stored_events(draw: st.DrawFn) -> Event:
    sub = draw(st.sampled_from(sorted(SUB_EVENT_TYPES)))
    n_evidence = draw(st.integers(0, 3))
    return Event(
        event_id=draw(label),
        event_type=SUB_EVENT_TYPES[sub],
        sub_event_type=sub,
        event_date=draw(st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31)))),
        time_precision=draw(st.one_of(st.none(), st.integers(1, 3))),
        place=draw(st.one_of(st.none(), places)),
        evidence=tuple(
            Evidence("doc", draw(texts(max_size=80)), draw(small_int), draw(small_int))
            for _ in range(n_evidence)
        ),
        sources=(Source("doc", draw(st.one_of(st.none(), label)), draw(st.one_of(st.none(), texts()))),),
        crowd_size_low=draw(st.one_of(st.none(), small_int)),
        crowd_size_high=draw(st.one_of(st.none(), small_int)),
        fatalities=draw(small_int),
        injuries=draw(st.one_of(st.none(), small_int)),
        arrests=draw(st.one_of(st.none(), small_int)),
        issue=draw(st.one_of(st.none(), texts(max_size=40))),
        actors=tuple(draw(st.lists(label, max_size=3))),
        certainty=draw(st.sampled_from(CERTAINTY_LEVELS)),
        notes=draw(texts(max_size=120)),
        date_reason=draw(st.one_of(st.none(), label)),
        alt_sub_event_types=tuple(draw(st.lists(st.sampled_from(sorted(SUB_EVENT_TYPES)), max_size=2))),
    )


# 40 examples: 60 found nothing more on SQLite, and each costs a store on each backend
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ev=stored_events())
def test_any_event_round_trips(db: str, ev: Event) -> None:
    with open_store(db) as store:
        with store._write():  # empty again after the previous example
            for table in ("events", "neardup_keys", "documents", "runs"):
                store._execute(f"DELETE FROM {table}")
        store.save([result("doc", TEXT_A, (ev,))], store.begin_run([]))
        assert list(store.events()) == [ev]


def test_nul_characters(db: str, backend: str) -> None:
    """SQLite keeps NUL; PostgreSQL cannot, and stores U+FFFD instead: same length, same offsets."""
    text = "Workers\x00 marched in Riverton. Police watched."
    store = saved(db, result("d1", text, (event("e1", "d1", text, notes="a\x00b"),)))
    kept = "\x00" if backend == "sqlite" else "\ufffd"
    assert store.document("d1").text == text.replace("\x00", kept)
    (back,) = store.events()
    assert (
        back.notes == "a" + kept + "b" and back.evidence[0].text == "Workers" + kept + " marched in Riverton."
    )
    assert list(store.events(EventFilter(country="KEN\x00"))) == []  # never matches KEN
    store.close()


def test_readers_open_and_read_while_the_writer_holds_its_transaction(db: str, monkeypatch) -> None:
    writer = saved(db, result("d1", TEXT_A, (event("e1", "d1", TEXT_A),)))
    monkeypatch.setattr("tocsin.store.sqlite.BUSY_TIMEOUT_S", 0.5)  # a blocked reader fails fast
    with pytest.raises(RuntimeError, match="roll back"), writer._write():
        writer._execute("DELETE FROM events")  # not yet committed
        reader = open_store(db)  # opening waits for no writer
        assert [e.event_id for e in reader.events()] == ["e1"]  # the committed state
        side = reader.open_reader()  # the web API's read-only handle
        assert side.query_events(EventQuery()).total == 1 and side.event("e1") is not None
        side.close()
        reader.close()
        raise RuntimeError("roll back")
    assert [e.event_id for e in writer.events()] == ["e1"]
    writer.close()
