"""Read answers kept until the data changes (tocsin.web.cache): ETags, freshness after any write,
and the JSON the read endpoints build by hand still has exactly the documented shapes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from tocsin.settings import Settings
from tocsin.store.base import open_store
from tocsin.web.app import create_app
from tocsin.web.cache import ResponseCache
from tocsin.web.models import DocumentOut, EventOut, EventPage, StatsOut
from web.conftest import TOKEN, seed_store
from web.seed import SEED_EVENTS, synthetic_results

AUTH = {"Authorization": f"Bearer {TOKEN}"}


def _same_keys(data: object, model: type[BaseModel], where: str = "") -> None:
    """``data`` has exactly ``model``'s fields (nested models and lists of them too), and validates."""
    assert isinstance(data, dict), where
    assert set(data) == set(model.model_fields), where
    for name, field in model.model_fields.items():
        inner = getattr(field.annotation, "__args__", (field.annotation,))[0]
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            for i, item in enumerate(data[name] if isinstance(data[name], list) else [data[name]]):
                if item is not None:
                    _same_keys(item, inner, f"{where}.{name}[{i}]")
    model.model_validate(data)


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/api/events?limit=3", EventPage),
        ("/api/events?q=fire", EventPage),
        ("/api/events/ev-kz-2", EventOut),
        ("/api/stats", StatsOut),
        ("/api/stats?country=KAZ", StatsOut),
        ("/api/documents/kz-unrest", DocumentOut),
    ],
)
def test_answers_have_exactly_the_documented_shape(any_client: TestClient, path: str, model: type) -> None:
    response = any_client.get(path)
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    _same_keys(response.json(), model, path)


@pytest.fixture()
def fresh(tmp_path: Path) -> str:
    return seed_store(tmp_path / "cache.db")


def test_repeated_reads_come_from_the_cache_with_an_etag(fresh: str) -> None:
    with TestClient(create_app(open_store, Settings(db=fresh))) as c:
        cache: ResponseCache = c.app.state.cache  # type: ignore[attr-defined]
        first = c.get("/api/events?country=kaz&limit=2")
        second = c.get("/api/events?country=KAZ&limit=2")  # the same query, spelt otherwise
        assert first.content == second.content and cache.hits == 1
        etag = first.headers["etag"]
        assert etag == second.headers["etag"] and first.headers["cache-control"] == "no-cache"
        again = c.get("/api/events?country=KAZ&limit=2", headers={"If-None-Match": f'W/"x", {etag}'})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        other = c.get("/api/events?country=KAZ&limit=2", headers={"If-None-Match": '"stale"'})
        assert other.status_code == 200 and other.content == first.content
        assert c.get("/api/events?country=KAZ&limit=3").headers["etag"] != etag


def test_a_commit_from_another_process_is_seen_by_the_next_read(fresh: str) -> None:
    with TestClient(create_app(open_store, Settings(db=fresh))) as c:
        before = c.get("/api/events/ev-kz-2")
        stats = c.get("/api/stats").json()
        assert before.json()["fatalities"] == 2
        code = ("import sqlite3, sys; db = sqlite3.connect(sys.argv[1]); "
                "db.execute(\"UPDATE events SET fatalities = 99 WHERE event_id = 'ev-kz-2'\"); db.commit()")  # fmt: skip
        subprocess.run([sys.executable, "-c", code, fresh], check=True)
        after = c.get("/api/events/ev-kz-2")
        assert after.json()["fatalities"] == 99 and after.headers["etag"] != before.headers["etag"]
        assert c.get("/api/stats").json()["fatalities"] == stats["fatalities"] + 97


def test_events_saved_through_another_store_appear_at_once(fresh: str) -> None:
    with TestClient(create_app(open_store, Settings(db=fresh))) as c:
        assert c.get("/api/events?limit=1").json()["total"] == SEED_EVENTS
        total = c.get("/api/stats").json()["total"]
        writer = open_store(fresh)  # e.g. `tocsin ingest` into the database the server reads
        run = writer.begin_run(["test"])
        writer.save(list(synthetic_results(3)), run)
        writer.finish_run(run, {})
        writer.close()
        assert c.get("/api/events?limit=1").json()["total"] == SEED_EVENTS + 3
        assert c.get("/api/stats").json()["total"] == total + 3


def test_a_post_is_seen_by_the_next_read(fresh: str) -> None:
    from web.test_write import DOC, FakePipeline

    app = create_app(open_store, Settings(db=fresh), token=TOKEN, make_pipeline=FakePipeline)
    with TestClient(app) as c:
        assert c.get("/api/events").json()["total"] == SEED_EVENTS
        assert c.get("/api/documents/api-1").status_code == 404  # not kept: only answers are
        assert c.post("/api/documents", json=DOC, headers=AUTH).status_code == 201
        assert c.get("/api/events").json()["total"] == SEED_EVENTS + 1
        assert c.get("/api/documents/api-1").status_code == 200


def test_an_in_memory_store_is_never_cached() -> None:
    """Its one connection writes and reads: no other connection can see its data version change."""
    from web.test_write import DOC, FakePipeline

    app = create_app(open_store, Settings(db=":memory:"), token=TOKEN, make_pipeline=FakePipeline)
    with TestClient(app) as c:
        first = c.get("/api/events")
        assert first.json()["total"] == 0 and "etag" not in first.headers
        assert c.post("/api/documents", json=DOC, headers=AUTH).status_code == 201
        assert c.get("/api/events").json()["total"] == 1


def test_cache_keeps_recent_answers_within_its_bytes() -> None:
    cache = ResponseCache(max_bytes=100, max_entry_bytes=60)
    for key in "abc":
        cache.put(key, 1, key.encode() * 40)  # 40 bytes each: only two fit
    assert cache.get("a", 1) is None and cache.get("c", 1).body == b"c" * 40
    cache.get("b", 1)  # b is now the most recent: d pushes out c
    cache.put("d", 1, b"d" * 40)
    assert cache.get("c", 1) is None and cache.get("b", 1) is not None
    kept = cache.put("big", 1, b"x" * 61)
    assert kept.etag and cache.get("big", 1) is None  # too big to keep, still answered
    assert cache.get("b", 2) is None and len(cache) == 0  # a new data version drops everything
    assert cache.put("b", 2, b"y").etag != cache.put("c", 2, b"z").etag


@pytest.mark.parametrize(
    "query",
    [
        "bbox=60,-90,40,90",
        "bbox=30,-60,90,60&sort=-fatalities",
        "q=protest",
        "q=police&country=KAZ",
        "country=KAZ",
        "",
    ],
)
def test_pages_of_a_box_or_a_search_cover_it_once_with_the_total(any_client: TestClient, query: str) -> None:
    """A box or a search counts its total in the same pass as its page (a window count): the same
    total on every page, past the end too, and the pages together are the whole selection."""
    everything = any_client.get(f"/api/events?{query}&limit=1000").json()
    seen: list[str] = []
    for offset in range(0, everything["total"] + 3, 2):
        body = any_client.get(f"/api/events?{query}&limit=2&offset={offset}").json()
        assert body["total"] == everything["total"], offset
        seen += [e["event_id"] for e in body["events"]]
    assert seen == [e["event_id"] for e in everything["events"]]
