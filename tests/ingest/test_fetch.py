"""Fetching pages and feeds from a local HTTP server; SSRF refusals; redirect and size limits."""

from __future__ import annotations

import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from tocsin.ingest import iter_documents
from tocsin.ingest.fetch import MAX_REDIRECTS, USER_AGENT, FetchError, check_address, fetch
from tocsin.pipeline import run
from tocsin.records import RawDocument, Rejected
from tocsin.settings import Settings
from tocsin.store.base import open_store

ARTICLE = (
    "<html><head><title>Dockers walk out in Gdynia</title></head><body><article>"
    "<h1>Dockers walk out in Gdynia</h1><p>Several hundred dockers walked out at the port of Gdynia on "
    "Monday over a new shift system, a union spokeswoman said.</p></article></body></html>"
)


def _feed(base: str) -> str:
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{guid}</guid>"
        f"<pubDate>{date}</pubDate></item>"
        for title, path, guid, date in (
            ("Dockers walk out", "/article.html", "feed-1", "Mon, 03 Mar 2025 09:10:00 +0100"),
            ("Missing page", "/missing.html", "feed-2", "Tue, 04 Mar 2025 10:00:00 +0100"),
        )
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Baltic Harbour News</title>'
        f"<link>{base}/</link><description>test feed</description>{items}</channel></rss>"
    )


class _Handler(BaseHTTPRequestHandler):
    agents: list[str] = []

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: bytes, ctype: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _Handler.agents.append(self.headers.get("User-Agent", ""))
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        path = self.path
        if path == "/article.html":
            self._send(200, ARTICLE.encode(), "text/html; charset=utf-8")
        elif path == "/feed.xml":
            self._send(200, _feed(base).encode(), "application/rss+xml")
        elif path == "/moved":
            self._send(302, b"", "text/plain", {"Location": "/article.html"})
        elif path.startswith("/loop/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, b"", "text/plain", {"Location": f"/loop/{n + 1}"})
        elif path == "/big":
            self._send(200, b"<p>" + b"x" * 50_000 + b"</p>", "text/html")
        elif path == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no Content-Length: the cap must hold while streaming
            for _ in range(50):
                self.wfile.write(b"y" * 1_000)
        elif path == "/private.html":  # basic auth: reporter / s3cret
            if self.headers.get("Authorization") == "Basic cmVwb3J0ZXI6czNjcmV0":
                self._send(200, ARTICLE.encode(), "text/html; charset=utf-8")
            else:
                self._send(401, b"who are you?", "text/plain")
        elif path == "/scan.pdf":
            self._send(200, b"%PDF-1.4 binary", "application/pdf")
        else:
            self._send(404, b"not found", "text/plain")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


LOCAL = Settings(fetch_allow_private=True, fetch_timeout=5.0)


def test_default_settings_refuse_loopback(server: str) -> None:
    [rej] = list(iter_documents([f"{server}/article.html"], Settings()))
    assert isinstance(rej, Rejected)
    assert "127.0.0.1, a loopback address" in rej.reason
    assert "fetch_allow_private" in rej.reason


def test_article_page_is_fetched(server: str) -> None:
    [doc] = list(iter_documents([f"{server}/article.html"], LOCAL))
    assert isinstance(doc, RawDocument)
    assert doc.doc_id == f"{server}/article.html" and doc.url == f"{server}/article.html"
    assert "walked out at the port of Gdynia" in (doc.html or "")
    assert _Handler.agents[-1] == USER_AGENT


def test_feed_yields_entries_with_title_and_date(server: str) -> None:
    items = list(iter_documents([f"{server}/feed.xml"], LOCAL))
    doc, rej = items
    assert isinstance(doc, RawDocument) and doc.doc_id == f"{server}/article.html"  # the link, as direct
    assert doc.title == "Dockers walk out" and doc.published == "Mon, 03 Mar 2025 09:10:00 +0100"
    assert doc.outlet == "Baltic Harbour News" and doc.url == f"{server}/article.html"
    assert "Gdynia" in (doc.html or "")
    assert isinstance(rej, Rejected) and rej.doc_id == f"{server}/missing.html" and "HTTP 404" in rej.reason


def test_redirects_are_followed_up_to_the_limit(server: str) -> None:
    page = fetch(f"{server}/moved", LOCAL)
    assert page.url == f"{server}/article.html" and page.media_type == "text/html"
    with pytest.raises(FetchError, match=f"more than {MAX_REDIRECTS} redirects"):
        fetch(f"{server}/loop/0", LOCAL)


@pytest.mark.parametrize("path", ["/big", "/big-chunked"])
def test_size_cap(server: str, path: str) -> None:
    with pytest.raises(FetchError, match="larger than 10,000 bytes"):
        fetch(f"{server}{path}", Settings(fetch_allow_private=True, fetch_max_bytes=10_000))


def test_unsupported_content_type_is_rejected(server: str) -> None:
    [rej] = list(iter_documents([f"{server}/scan.pdf"], LOCAL))
    assert "unsupported content type 'application/pdf'" in rej.reason


def test_unreachable_host_is_a_rejection_not_a_crash() -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    [rej] = list(iter_documents([f"http://127.0.0.1:{port}/x"], LOCAL))
    assert "could not fetch" in rej.reason


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://10.1.2.3/", "private"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://[::1]/", "loopback"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://[::ffff:192.168.0.1]/", "private"),
    ],
)
def test_non_public_addresses_are_refused(url: str, kind: str) -> None:
    with pytest.raises(FetchError, match=f"a {kind} address"):
        check_address(httpx.URL(url), Settings())


def test_other_schemes_are_refused() -> None:
    with pytest.raises(FetchError, match="only http and https"):
        check_address(httpx.URL("file:///etc/passwd"), Settings())


def test_redirect_to_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every hop is checked: a public page redirecting to an internal host is refused."""
    addresses = {"public.example": "93.184.215.14", "intranet.example": "10.0.0.7"}

    def fake_getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (addresses[host], port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(request.url.host)
        return httpx.Response(302, headers={"Location": "http://intranet.example/admin"})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    with pytest.raises(FetchError, match="intranet.example resolves to 10.0.0.7, a private address"):
        fetch("http://public.example/story", Settings(), client)
    assert requested == ["public.example"]  # the internal host was never contacted


def test_dns_rebinding_is_refused_at_connect_time(monkeypatch: pytest.MonkeyPatch, server: str) -> None:
    """A name that resolves to a public address for the check and to loopback for the connection
    (DNS rebinding) is refused when connecting: the local server never sees the request."""
    port = int(server.rsplit(":", 1)[1])
    answers = iter(["93.184.215.14", "127.0.0.1", "127.0.0.1"])

    def rebinding_getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list:
        assert host == "rebind.example"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    _Handler.agents.clear()
    with pytest.raises(FetchError, match="rebind.example resolves to 127.0.0.1, a loopback address"):
        fetch(f"http://rebind.example:{port}/article.html", Settings(fetch_timeout=5.0))
    assert _Handler.agents == []


def test_connections_go_to_the_checked_address(monkeypatch: pytest.MonkeyPatch, server: str) -> None:
    """With private addresses allowed, a name is resolved once per connection and its address used."""
    port = int(server.rsplit(":", 1)[1])
    looked_up: list[str] = []

    def local_getaddrinfo(host: str, port: int, *args: object, **kwargs: object) -> list:
        looked_up.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", local_getaddrinfo)
    page = fetch(f"http://newsroom.example:{port}/article.html", LOCAL)
    assert b"Gdynia" in page.body
    # checked before the request, checked again when connecting, then connected to by address
    assert looked_up == ["newsroom.example", "newsroom.example", "127.0.0.1"]


def test_credentials_in_urls_are_sent_but_never_stored_or_shown(server: str) -> None:
    secret = server.replace("http://", "http://reporter:s3cret@")
    doc, rej = list(iter_documents([f"{secret}/private.html", f"{secret}/missing.html"], LOCAL))
    assert isinstance(doc, RawDocument) and "Gdynia" in (doc.html or "")  # the server got them
    assert isinstance(rej, Rejected) and "404" in rej.reason
    for value in (doc.doc_id, doc.origin, doc.url, rej.doc_id, rej.origin, rej.reason):
        assert value and "s3cret" not in value and "reporter" not in value
    assert doc.doc_id == f"{server}/private.html"


def test_a_run_records_its_sources_without_credentials(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "runs.db"))
    try:
        run(iter(()), store, LOCAL, sources=["https://desk:hunter2@wire.example/feed.xml", "local/news.jsonl"])
    finally:
        store.close()
    conn = sqlite3.connect(tmp_path / "runs.db")
    [(recorded,)] = conn.execute("SELECT sources FROM runs").fetchall()
    conn.close()
    assert json.loads(recorded) == ["https://wire.example/feed.xml", "local/news.jsonl"]
