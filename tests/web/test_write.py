"""POST /api/documents: off without a token, token checked on every write, one writer at a time."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from store.backends import BACKENDS, fresh_database
from tocsin.records import PEACEFUL, Article, DocumentResult, Event, Evidence, RawDocument, Rejected, Source
from tocsin.settings import Settings
from tocsin.store.base import open_store
from tocsin.web.app import create_app
from web.conftest import TOKEN, seed_store
from web.seed import HILLTOWN, SEED_EVENTS

AUTH = {"Authorization": f"Bearer {TOKEN}"}


class FakePipeline:
    """Stands in for the real pipeline: one event per document that says "marched"; it also
    records how many calls overlap and on which threads they run."""

    def __init__(self) -> None:
        self.active = 0
        self.most_active = 0
        self.threads: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, raw: RawDocument) -> DocumentResult:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self.threads.add(threading.current_thread().name)
        try:
            time.sleep(0.01)  # long enough for overlapping requests to collide if they could
            text = raw.text or ""
            if "unreadable" in text:
                return DocumentResult(
                    raw=raw, article=None, rejected=Rejected(raw.doc_id, raw.origin, "garbled")
                )
            art = Article(
                doc_id=raw.doc_id, text=text, paragraphs=((0, len(text)),),
                content_hash=hashlib.sha256(text.encode()).hexdigest(), title=raw.title, url=raw.url,
                outlet=raw.outlet, origin=raw.origin,
            )  # fmt: skip
            events: tuple[Event, ...] = ()
            if "marched" in text:
                sentence = text.split(".")[0] + "."
                events = (
                    Event(
                        event_id=f"{raw.doc_id}-1", event_type="Protests", sub_event_type=PEACEFUL,
                        event_date=date(2024, 5, 1), time_precision=1, place=HILLTOWN,
                        evidence=(Evidence(raw.doc_id, sentence, 0, len(sentence)),),
                        sources=(Source(raw.doc_id, raw.url, raw.title, None, raw.outlet),),
                    ),
                )  # fmt: skip
            return DocumentResult(raw=raw, article=art, events=events, relevance=1.0)
        finally:
            with self._lock:
                self.active -= 1


@pytest.fixture(params=BACKENDS)
def fresh_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A newly seeded store the test may write to, on each backend."""
    if request.param == "sqlite":
        yield seed_store(tmp_path / "write.db")
    else:
        with fresh_database() as url:
            yield seed_store(url)


@pytest.fixture()
def pipeline() -> FakePipeline:
    return FakePipeline()


@pytest.fixture()
def writable(fresh_db: str, pipeline: FakePipeline):  # noqa: ANN201
    app = create_app(open_store, Settings(db=str(fresh_db)), token=TOKEN, make_pipeline=lambda: pipeline)
    with TestClient(app) as c:
        yield c


DOC = {
    "id": "api-1",
    "text": "Nurses marched in Hilltown on Wednesday for better pay. The hospital stayed open.",
    "url": "https://news.example/api-1",
    "title": "Nurses march",
    "source": "The Example Post",
    "published": "2024-05-02",
}


def test_writes_are_off_without_a_token(client: TestClient) -> None:
    response = client.post("/api/documents", json=DOC)
    assert response.status_code == 403
    assert "token" in response.json()["detail"] and "Authorization: Bearer" in response.json()["detail"]
    assert client.post("/api/documents", json=DOC, headers=AUTH).status_code == 403
    assert client.post("/api/documents", json={"bad": "body"}).status_code == 403  # checked before the body


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN},
     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": "Bearer "}],
)  # fmt: skip
def test_wrong_or_missing_token_is_401(writable: TestClient, pipeline: FakePipeline, headers: dict) -> None:
    response = writable.post("/api/documents", json=DOC, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert pipeline.threads == set()  # nothing ran
    assert writable.get("/api/documents/api-1").status_code == 404


def test_post_runs_the_pipeline_and_stores_the_result(writable: TestClient) -> None:
    response = writable.post("/api/documents", json=DOC, headers=AUTH)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "processed" and [e["event_id"] for e in body["events"]] == ["api-1-1"]
    stored = writable.get("/api/documents/api-1").json()
    assert stored["text"] == DOC["text"] and stored["outlet"] == "The Example Post"
    assert stored["evidence"][0]["text"] == "Nurses marched in Hilltown on Wednesday for better pay."
    assert writable.get("/api/events").json()["total"] == SEED_EVENTS + 1
    assert writable.get("/api/events/api-1-1").json()["sources"][0]["url"] == DOC["url"]
    again = writable.post("/api/documents", json=DOC, headers=AUTH)  # same document: stored once
    assert again.status_code == 201 and writable.get("/api/events").json()["total"] == SEED_EVENTS + 1


def test_rejected_document_is_reported(writable: TestClient) -> None:
    response = writable.post("/api/documents", json={"id": "bad", "text": "unreadable"}, headers=AUTH)
    assert response.status_code == 201
    assert response.json()["status"] == "rejected" and response.json()["reason"] == "garbled"


def test_records_map_like_ingest(writable: TestClient, pipeline: FakePipeline) -> None:
    """No id: a content hash, as `tocsin ingest` gives a JSON Lines record without one."""
    body = {"text": "Teachers marched in Hilltown. It rained."}
    first = writable.post("/api/documents", json=body, headers=AUTH).json()
    assert re.fullmatch(r"[0-9a-f]{16}", first["doc_id"])
    assert writable.post("/api/documents", json=body, headers=AUTH).json()["doc_id"] == first["doc_id"]


@pytest.mark.parametrize(
    ("body", "words"),
    [({"id": "a"}, "text' or 'html"), ({"id": "", "text": "x"}, "at least 1"),
     ({"id": "a", "text": "x", "published": "x" * 101}, "at most 100"), ({"id": "a", "text": "   "}, "empty"),
     ({"id": "a", "body": "x"}, "body"), ({"id": 5, "text": "x"}, "string")],
)  # fmt: skip
def test_bad_bodies_are_422(writable: TestClient, body: dict, words: str) -> None:
    response = writable.post("/api/documents", json=body, headers=AUTH)
    assert response.status_code == 422
    assert words in str(response.json()["detail"])


def test_concurrent_posts_go_through_one_writer(writable: TestClient, pipeline: FakePipeline) -> None:
    def post(i: int) -> int:
        doc = DOC | {"id": f"many-{i}", "text": f"Crowd {i} marched in Hilltown. More text {i}."}
        return writable.post("/api/documents", json=doc, headers=AUTH).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(post, range(16)))
    assert statuses == [201] * 16
    assert pipeline.most_active == 1
    assert len(pipeline.threads) == 1 and next(iter(pipeline.threads)).startswith("tocsin-writer")
    # one town, one day: the sixteen reports are one event with sixteen sources
    page = writable.get("/api/events?q=marched&limit=1000").json()
    assert sum(len(e["sources"]) for e in page["events"]) >= 16


def test_short_tokens_are_refused(fresh_db: str) -> None:
    with pytest.raises(ValueError, match="at least 16"):
        create_app(open_store, Settings(db=str(fresh_db)), token="short")


def test_default_pipeline_is_built_once_on_the_first_write(
    fresh_db: str, pipeline: FakePipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``make_pipeline`` the app runs tocsin.pipeline: components built lazily, in the writer."""
    import tocsin.pipeline

    built: list[str] = []

    def make_components(settings: Settings) -> str:
        built.append(threading.current_thread().name)
        return "components"

    monkeypatch.setattr(tocsin.pipeline, "make_components", make_components)
    monkeypatch.setattr(tocsin.pipeline, "safe_process", lambda raw, c: pipeline(raw))
    with TestClient(create_app(open_store, Settings(db=str(fresh_db)), token=TOKEN)) as c:
        assert built == []  # start-up builds nothing heavy
        for i in range(3):
            assert c.post("/api/documents", json=DOC | {"id": f"d{i}"}, headers=AUTH).status_code == 201
    assert len(built) == 1 and built[0].startswith("tocsin-writer")
