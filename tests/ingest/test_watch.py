"""Watching feeds served by a local HTTP server: new entries only, conditional GETs, robots.txt, politeness."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tocsin.ingest.watch import HOST_DELAY_S, watch
from tocsin.pipeline import make_components
from tocsin.settings import Settings
from tocsin.store.base import open_store

ETAG = '"feed-v1"'
STRIKE = (
    "<html><head><title>Tram drivers strike in Brno</title></head><body><article><h1>Tram drivers strike in "
    "Brno</h1><p>BRNO, March 3 (Tocsin Test Wire) - About 400 tram drivers marched through the centre of Brno "
    "on Monday to demand a pay rise, blocking traffic for two hours, the city transport union said.</p>"
    "<p>Police watched the march, which ended peacefully outside the town hall.</p></article></body></html>"
)
MENU = "<html><body><article><h1>Lunch menu</h1><p>The canteen serves soup on Mondays.</p></article></body></html>"


def _feed(base: str, paths: list[str]) -> bytes:
    items = "".join(f"<item><title>entry {p}</title><link>{base}{p}</link><pubDate>{formatdate(0)}</pubDate></item>"
                    for p in paths)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Test Wire</title><link>{base}/</link>'
            f"<description>feed written for tocsin tests</description>{items}</channel></rss>").encode()


class Server:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.entries = ["/news/strike.html", "/private/memo.html"]
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                owner.requests.append((self.path, dict(self.headers)))
                base = f"http://127.0.0.1:{self.server.server_address[1]}"
                if self.path == "/feed.xml":
                    if self.headers.get("If-None-Match") == ETAG:
                        self.send_response(304)
                        self.end_headers()
                        return
                    self._send(_feed(base, owner.entries), "application/rss+xml", {"ETag": ETAG})
                elif self.path == "/robots.txt":
                    self._send(b"User-agent: *\nDisallow: /private/\n", "text/plain")
                elif self.path == "/news/strike.html":
                    self._send(STRIKE.encode(), "text/html; charset=utf-8")
                elif self.path == "/news/menu.html":
                    self._send(MENU.encode(), "text/html; charset=utf-8")
                else:
                    self.send_response(404)
                    self.end_headers()

            def _send(self, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


@pytest.fixture()
def server() -> Iterator[Server]:
    s = Server()
    thread = threading.Thread(target=s.httpd.serve_forever, daemon=True)
    thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Settings:
    return Settings.load(db=":memory:", cache_dir=cache_dir, fetch_allow_private=True, fetch_timeout=5.0)


@pytest.fixture(scope="module")
def components(settings: Settings):
    return make_components(settings)


def test_new_entries_are_ingested_once_and_an_unchanged_feed_costs_a_304(server, settings, components, tmp_path):
    store = open_store(str(tmp_path / "w.db"))
    pauses: list[float] = []
    reports = watch([server.base + "/feed.xml"], store, settings, interval=0, rounds=2,
                    components=components, sleep=pauses.append)
    first, second = reports
    assert (first.entries_new, first.disallowed, first.errors) == (1, 1, ())
    assert first.summary.documents == 1 and first.summary.events >= 1
    assert [e.place.name for e in store.events()] == ["Brno"]
    assert second.feeds_unchanged == 1 and second.summary.documents == 0
    feed_headers = [h for p, h in server.requests if p == "/feed.xml"]
    assert feed_headers[1].get("If-None-Match") == ETAG
    assert server.paths().count("/news/strike.html") == 1
    assert "/private/memo.html" not in server.paths()  # robots.txt forbids it
    assert server.paths().count("/robots.txt") == 1  # cached per host
    assert all(h.get("User-Agent", "").startswith("tocsin/") for _, h in server.requests)
    # one host: every request after the first waited (pauses are computed against a real clock)
    assert pauses and all(0 < p <= HOST_DELAY_S for p in pauses)
    store.close()


def test_a_new_watch_skips_entries_the_store_already_holds(server, settings, components, tmp_path):
    store = open_store(str(tmp_path / "w.db"))
    watch([server.base + "/feed.xml"], store, settings, rounds=1, components=components, sleep=lambda s: None)
    server.requests.clear()
    server.entries.append("/news/menu.html")
    (report,) = watch([server.base + "/feed.xml"], store, settings, rounds=1, components=components,
                      sleep=lambda s: None)
    assert (report.entries_seen, report.entries_new) == (1, 1)
    assert "/news/strike.html" not in server.paths() and "/news/menu.html" in server.paths()
    assert store.document(server.base + "/news/menu.html") is not None
    store.close()


def test_stop_ends_an_unbounded_watch_after_the_round_in_progress(server, settings, components, tmp_path):
    store = open_store(str(tmp_path / "w.db"))
    stop = threading.Event()
    reports = watch([server.base + "/feed.xml"], store, settings, interval=3600, rounds=None, stop=stop,
                    components=components, sleep=lambda s: None, on_round=lambda r: stop.set())
    assert len(reports) == 1 and reports[0].entries_new == 1
    store.close()


def test_unreachable_feed_is_reported_not_stored(settings, components, tmp_path):
    store = open_store(str(tmp_path / "w.db"))
    (report,) = watch(["http://127.0.0.1:9/feed.xml"], store, settings, rounds=1, components=components,
                      sleep=lambda s: None)
    assert len(report.errors) == 1 and "127.0.0.1:9" in report.errors[0]
    assert report.summary.documents == 0 and list(store.rejects()) == []
    store.close()
