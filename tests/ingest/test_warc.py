"""WARC / WARC.gz ingest: web archives written here with warcio's writer, at test time."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tocsin.clean import clean
from tocsin.ingest import iter_documents
from tocsin.ingest.warc import iter_warc
from tocsin.records import RawDocument, Rejected
from tocsin.settings import Settings

CRAWLED = "2025-03-09T04:00:00Z"  # days after the page's own date: must not become the publication date
PAGE = (
    '<html><head><title>Nurses rally in Plovdiv</title><meta property="article:published_time" '
    'content="2025-03-05T10:00:00+02:00"></head><body><article><h1>Nurses rally in Plovdiv</h1>'
    "<p>Several hundred nurses rallied outside the regional hospital in Plovdiv on Wednesday, demanding "
    "that the health ministry pay overdue wages, a union organiser said.</p><p>The rally ended without "
    "incident after two hours, and the organisers said they would return next week.</p></article></body></html>"
)


def _response(writer: WARCWriter, uri: str, body: bytes, ctype: str = "text/html; charset=utf-8",
              status: str = "200 OK", extra: list[tuple[str, str]] | None = None) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", ctype), *(extra or [])], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        uri, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict={"WARC-Date": CRAWLED}))


def write_warc(path: Path, *, gz: bool = True) -> Path:
    with path.open("wb") as f:
        w = WARCWriter(f, gzip=gz)
        w.write_record(w.create_warc_record("", "warcinfo", payload=io.BytesIO(b"software: tocsin tests\r\n")))
        w.write_record(w.create_warc_record(
            "https://news.example/plovdiv", "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("GET /plovdiv HTTP/1.1", [("Host", "news.example")], is_http_request=True)))
        _response(w, "https://news.example/plovdiv", PAGE.encode())
        _response(w, "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")
        _response(w, "https://news.example/old", b"", "text/html", "301 Moved Permanently",
                  [("Location", "https://news.example/plovdiv")])
        _response(w, "https://news.example/huge", b"<html><body><p>" + b"word " * 4000 + b"</p></body></html>")
        _response(w, "https://news.example/binary", b"<html>\x00\x01\x02" + bytes(range(256)) * 8)
    return path


@pytest.mark.parametrize("gz", [True, False])
def test_html_responses_become_documents_and_the_rest_is_passed_over(tmp_path: Path, gz: bool) -> None:
    path = write_warc(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), gz=gz)
    items = list(iter_warc(path, max_bytes=10_000))
    docs = [i for i in items if isinstance(i, RawDocument)]
    rejected = {r.doc_id: r.reason for r in items if isinstance(r, Rejected)}
    assert [(d.doc_id, d.url) for d in docs] == [("https://news.example/plovdiv",) * 2]
    assert docs[0].published is None and "Several hundred nurses" in (docs[0].html or "")
    assert docs[0].origin.startswith(str(path) + "@")
    assert set(rejected) == {"https://news.example/huge", "https://news.example/binary"}
    assert "10,000 bytes" in rejected["https://news.example/huge"]


def test_publication_date_comes_from_the_page_not_the_crawl(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz")
    docs = {i.doc_id: i for i in iter_documents([str(path)], Settings.load()) if isinstance(i, RawDocument)}
    doc = docs["https://news.example/plovdiv"]
    article = clean(doc, Settings.load())
    assert not isinstance(article, Rejected)
    assert article.published is not None and article.published.date() == date(2025, 3, 5)
    assert article.url == "https://news.example/plovdiv" and article.title == "Nurses rally in Plovdiv"


@pytest.mark.parametrize("gz", [True, False])
def test_a_truncated_archive_keeps_the_records_before_the_break(tmp_path: Path, gz: bool) -> None:
    whole = write_warc(tmp_path / "whole.warc", gz=gz).read_bytes()
    broken = tmp_path / ("broken.warc.gz" if gz else "broken.warc")
    broken.write_bytes(whole[: len(whole) - 300])  # an interrupted download: the last record is cut short
    items = list(iter_documents([str(broken)], Settings.load()))
    assert isinstance(items[0], RawDocument) and items[0].doc_id == "https://news.example/plovdiv"
    assert isinstance(items[-1], Rejected) and items[-1].doc_id == "https://news.example/binary"
    assert "truncated record" in items[-1].reason


def test_not_a_warc_is_rejected_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "notes.warc.gz"
    path.write_bytes(b"this is not a web archive at all\n" * 20)
    (item,) = list(iter_documents([str(path)], Settings.load()))
    assert isinstance(item, Rejected) and "corrupt WARC" in item.reason


def test_reading_is_streaming_with_constant_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.warc.gz"
    page = PAGE.replace("</article>", "<p>" + "filler sentence for size. " * 800 + "</p></article>").encode()
    with path.open("wb") as f:
        w = WARCWriter(f, gzip=True)
        for i in range(400):  # ~8 MB of HTML
            _response(w, f"https://news.example/{i}", page)
    tracemalloc.start()
    count = sum(1 for item in iter_warc(path, max_bytes=1_000_000) if isinstance(item, RawDocument))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == 400
    assert peak < 2_000_000, f"peak {peak:,} bytes: the reader holds more than a record or two"


def test_archives_inside_a_folder_are_read_with_the_other_files(tmp_path: Path) -> None:
    (tmp_path / "crawls").mkdir()
    write_warc(tmp_path / "crawls" / "monday.warc.gz")
    write_warc(tmp_path / "crawls" / "tuesday.warc", gz=False)
    (tmp_path / "note.txt").write_text("Teachers marched in Varna on Friday.", encoding="utf-8")
    items = list(iter_documents([str(tmp_path)], Settings()))
    ids = [i.doc_id for i in items if isinstance(i, RawDocument)]
    assert ids.count("https://news.example/plovdiv") == 2 and ids[0] == "note"
    origins = {i.origin.split("@")[0] for i in items if isinstance(i, RawDocument) and i.doc_id != "note"}
    assert origins == {str(tmp_path / "crawls" / "monday.warc.gz"), str(tmp_path / "crawls" / "tuesday.warc")}
