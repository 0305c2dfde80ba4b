"""Reading web archives: WARC and WARC.gz files (Common Crawl's news crawl and the like), streaming.

Each ``response`` record whose HTTP payload is an HTML page with a 2xx status becomes a
:class:`RawDocument`:

* ``doc_id`` and ``url`` are the ``WARC-Target-URI`` (as for a page fetched directly or through a
  feed, so the same article from a crawl, a feed or its URL is one document; a later crawl of the
  same URL replaces it when its content changed); the ``WARC-Record-ID`` when there is no URI;
* ``published`` is left empty on purpose: ``WARC-Date`` is when the crawler fetched the page, often
  days after publication, and a value given here would override the date that the clean stage
  (trafilatura/htmldate) reads from the page itself;
* the payload is de-chunked and decompressed (warcio), then decoded like any HTML file.

Other records (requests, metadata, images, redirects, robots.txt) are not documents and are passed
over. A record that is HTML but unreadable (too large, truncated, undecodable, broken compression) becomes a
:class:`Rejected` with the reason; a file whose framing is broken yields one ``Rejected`` for the rest of
the file, after the records read before the break. One record is held in memory at a time, capped
at ``max_bytes``.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from tocsin.ingest.decode import DecodeError, decode_bytes
from tocsin.records import RawDocument, Rejected

EXTENSIONS = (".warc", ".warc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
# How far into an untyped payload to look for HTML markup.
SNIFF_CHARS = 1024


def is_warc(path: Path) -> bool:
    return path.name.lower().endswith(EXTENSIONS)


def iter_warc(path: Path, max_bytes: int) -> Iterator[RawDocument | Rejected]:
    """The HTML pages in one WARC / WARC.gz file, in file order."""
    origin = str(path)
    try:
        stream = open(path, "rb")  # noqa: SIM115 (closed below; the generator may stop early)
    except OSError as err:
        yield Rejected(path.name, origin, f"cannot read file: {err.strerror or err}")
        return
    records = ArchiveIterator(stream)
    offset = 0
    try:
        for record in records:
            if record.format != "warc":  # warcio reads anything as ARC; we read WARC only
                raise ValueError("not a WARC record (a WARC file starts every record with 'WARC/1.x')")
            item = _document(record, origin, max_bytes) if record.rec_type == "response" else None
            offset = records.get_record_offset()  # warcio reads the record to its end to tell
            if item is not None:
                yield replace(item, origin=f"{origin}@{offset}")
    except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as err:
        yield Rejected(
            f"{path.name}@{offset}",
            f"{origin}@{offset}",
            f"corrupt WARC after offset {offset}: {type(err).__name__}: {str(err).strip()[:200]}; "
            "the records before it were read, the rest of the file was not",
        )
    finally:
        stream.close()


def _document(record, where: str, max_bytes: int) -> RawDocument | Rejected | None:  # noqa: ANN001
    headers = record.rec_headers
    uri = headers.get_header("WARC-Target-URI") or None
    doc_id = uri or headers.get_header("WARC-Record-ID") or where
    http = record.http_headers
    if http is None:
        return None  # a response record without HTTP headers (e.g. dns:) is not a web page
    status = http.get_statuscode() or ""
    if not status.startswith("2"):
        return None  # redirects and errors carry no article
    media_type = (http.get_header("Content-Type") or "").split(";", 1)[0].strip().lower()
    if media_type and media_type not in HTML_TYPES:
        return None
    try:
        body = record.content_stream().read(max_bytes + 1)
    except (zlib.error, EOFError, OSError, ValueError) as err:
        return Rejected(doc_id, where, f"unreadable payload (broken transfer or content encoding): {err}")
    if len(body) > max_bytes:
        return Rejected(doc_id, where, f"payload larger than {max_bytes:,} bytes (settings.fetch_max_bytes)")
    missing = getattr(record.raw_stream, "limit", 0)  # bytes the record's Content-Length promised but the file lacks
    if missing:
        return Rejected(doc_id, where, f"truncated record: {missing:,} bytes missing (an incomplete download?)")
    if not media_type and b"<" not in body[:SNIFF_CHARS]:
        return None  # untyped and not markup
    try:
        html = decode_bytes(body, html=True)
    except DecodeError as err:
        return Rejected(doc_id, where, str(err))
    return RawDocument(doc_id=doc_id, html=html, url=uri, origin=where)
