"""Hostile servers on 127.0.0.1: redirect loops, endless or trickling bodies, trickling headers,
silence, gzip bombs and feeds whose entries hang. Each fetch ends within the configured time and
size caps, and is stored as a rejection with its reason (``tocsin rejects`` lists them)."""

from __future__ import annotations

import functools
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from tocsin.cli import main
from tocsin.ingest import iter_documents
from tocsin.ingest.fetch import MAX_REDIRECTS
from tocsin.pipeline import run
from tocsin.records import RawDocument, Rejected
from tocsin.settings import Settings
from tocsin.store.base import open_store

TIMEOUT = 1.5  # settings.fetch_timeout for these tests
MAX_BYTES = 200_000  # settings.fetch_max_bytes
# A fetch may overrun its timeout by the time the watchdog needs to wake and a blocked read to return.
SLACK = 1.5
GOOD = (b"<html><head><title>Nurses march in Kumasi</title></head><body><article><p>Hundreds of nurses "
        b"marched in Kumasi, Ghana, on Monday over unpaid wages, their union said.</p></article></body></html>")


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "Connection: close", "", ""]
    return "\r\n".join(lines).encode()


@functools.cache
def _gzip_bomb() -> bytes:
    """Compressed once: compressing 200 MB takes the server a second, longer than a fetch may."""
    return gzip.compress(b"\0" * 200_000_000, compresslevel=9)


def _handle(conn: socket.socket, stop: threading.Event) -> None:
    """One request: the path says how to misbehave. Runs until done, the client leaves, or ``stop``."""
    try:
        request = conn.recv(65536).decode("latin-1")
        path = request.split(" ", 2)[1] if request.count(" ") >= 2 else "/"
        port = conn.getsockname()[1]
        if path.startswith("/loop/"):
            n = int(path.rsplit("/", 1)[1])
            conn.sendall(_head("302 Found", {"Location": f"/loop/{n + 1}", "Content-Length": "0"}))
        elif path == "/ping-pong-a":
            conn.sendall(_head("301 Moved", {"Location": f"http://127.0.0.1:{port}/ping-pong-b", "Content-Length": "0"}))
        elif path == "/ping-pong-b":
            conn.sendall(_head("301 Moved", {"Location": f"http://localhost:{port}/ping-pong-a", "Content-Length": "0"}))
        elif path == "/endless-fast":  # never ends, as fast as the client reads
            conn.sendall(_head("200 OK", {"Content-Type": "text/html"}))
            while not stop.is_set():
                conn.sendall(b"<p>protest</p>" * 1000)
        elif path == "/endless-slow":  # a byte every 50 ms, forever: each read succeeds, the whole never ends
            conn.sendall(_head("200 OK", {"Content-Type": "text/html"}))
            while not stop.is_set():
                conn.sendall(b"x")
                time.sleep(0.05)
        elif path == "/trickle-headers":  # a header line every 100 ms, forever
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            while not stop.is_set():
                conn.sendall(b"X-Padding: x\r\n")
                time.sleep(0.1)
        elif path == "/silent":  # accepts, reads the request, says nothing
            stop.wait(30)
        elif path == "/lying-length":  # announces less than it sends, then keeps going
            conn.sendall(_head("200 OK", {"Content-Type": "text/html", "Content-Length": "10"}))
            while not stop.is_set():
                conn.sendall(b"y" * 10_000)
        elif path == "/gzip-bomb":  # 200 KB on the wire, 200 MB once decoded
            bomb = _gzip_bomb()
            conn.sendall(_head("200 OK", {"Content-Type": "text/html", "Content-Encoding": "gzip",
                                          "Content-Length": str(len(bomb))}) + bomb)  # fmt: skip
        elif path == "/feed.xml":  # a feed whose entries hang or loop, and one good entry
            items = "".join(
                f"<item><title>{p}</title><link>http://127.0.0.1:{port}{p}</link></item>"
                for p in ("/silent", "/trickle-headers", "/loop/0", "/good.html")
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'
            conn.sendall(_head("200 OK", {"Content-Type": "application/rss+xml", "Content-Length": str(len(body))})
                         + body.encode())  # fmt: skip
        elif path == "/good.html":
            conn.sendall(_head("200 OK", {"Content-Type": "text/html", "Content-Length": str(len(GOOD))}) + GOOD)
        else:
            conn.sendall(_head("404 Not Found", {"Content-Length": "0"}))
    except OSError:
        pass  # the client cut the connection: that is the point
    finally:
        conn.close()


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[str]:
    _gzip_bomb()  # ready before any fetch's clock starts
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    sock.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=_handle, args=(conn, stop), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(5)
        sock.close()


SETTINGS = Settings(fetch_allow_private=True, fetch_timeout=TIMEOUT, fetch_max_bytes=MAX_BYTES)

CASES = {
    "/loop/0": f"more than {MAX_REDIRECTS} redirects",
    "/ping-pong-a": f"more than {MAX_REDIRECTS} redirects",
    "/endless-fast": f"larger than {MAX_BYTES:,} bytes",
    "/endless-slow": "longer than",
    "/trickle-headers": "longer than",
    "/silent": "longer than",
    "/gzip-bomb": f"larger than {MAX_BYTES:,} bytes",
}


@pytest.mark.parametrize(("path", "reason"), CASES.items())
def test_each_hostile_url_is_rejected_within_the_caps(hostile_server: str, path: str, reason: str) -> None:
    start = time.monotonic()
    [item] = list(iter_documents([hostile_server + path], SETTINGS))
    elapsed = time.monotonic() - start
    assert isinstance(item, Rejected), item
    assert reason in item.reason, item.reason
    assert elapsed < TIMEOUT + SLACK, f"{path} took {elapsed:.1f} s"


def test_a_body_longer_than_its_announced_length_is_cut_at_that_length(hostile_server: str) -> None:
    """HTTP framing, not a cap: the 10 announced bytes are the body, what follows is never read."""
    start = time.monotonic()
    [item] = list(iter_documents([hostile_server + "/lying-length"], SETTINGS))
    assert isinstance(item, RawDocument) and item.html == "y" * 10
    assert time.monotonic() - start < TIMEOUT


def test_the_default_caps_refuse_loopback_before_any_request(hostile_server: str) -> None:
    [item] = list(iter_documents([hostile_server + "/silent"], Settings()))
    assert isinstance(item, Rejected) and "loopback" in item.reason


def test_a_feed_of_hanging_entries_is_bounded_per_entry(hostile_server: str) -> None:
    start = time.monotonic()
    items = list(iter_documents([hostile_server + "/feed.xml"], SETTINGS))
    elapsed = time.monotonic() - start
    by_link = {i.doc_id.rsplit(":", 1)[-1].split("/", 1)[-1]: i for i in items}
    assert isinstance(by_link["good.html"], RawDocument)
    assert "longer than" in by_link["silent"].reason
    assert "longer than" in by_link["trickle-headers"].reason
    assert "redirects" in by_link["loop/0"].reason
    assert elapsed < 3 * (TIMEOUT + SLACK)  # three hanging entries, each cut at the timeout


def test_a_feed_stops_fetching_when_its_budget_is_spent(hostile_server: str) -> None:
    """The feed as a whole is bounded too: once hanging entries have used up the budget, the rest
    are rejected with the reason (without a request), not fetched one timeout after another."""
    settings = replace(SETTINGS, fetch_feed_budget=TIMEOUT / 2)
    items = list(iter_documents([hostile_server + "/feed.xml"], settings))
    reasons = [i.reason if isinstance(i, Rejected) else "fetched" for i in items]
    assert len(reasons) == 4 and "longer than" in reasons[0]  # the first entry hangs past the budget
    assert all("fetch_feed_budget" in r for r in reasons[1:])  # the good entry too: never requested


def test_hostile_urls_are_stored_as_rejects_and_listed(
    hostile_server: str, tmp_path: Path, cache_dir: Path
) -> None:
    """Through the pipeline into SQLite, then ``tocsin rejects``: one line per URL with its reason."""
    db = tmp_path / "feeds.db"
    urls = [hostile_server + p for p in CASES]
    settings = replace(SETTINGS, db=str(db), cache_dir=cache_dir)
    store = open_store(str(db))
    try:
        summary = run(iter_documents(urls, settings), store, settings, sources=urls)
    finally:
        store.close()
    assert summary.documents == summary.rejected == len(urls)
    listed = CliRunner().invoke(main, ["rejects", "--db", str(db)], catch_exceptions=False).stdout.splitlines()
    reasons = {line.split("\t")[0]: line.split("\t")[2] for line in listed}
    assert set(reasons) == set(urls)
    for path, reason in CASES.items():
        assert reason in reasons[hostile_server + path]
