"""Reading documents from files, folders and standard input, streaming and bounded.

JSONL and CSV are read line by line with a per-line byte limit, so memory stays constant however
big the file is; ``.txt`` and ``.html`` files are read whole up to the same limit.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from tocsin.ingest.decode import SNIFF_BYTES, DecodeError, decode_bytes, detect_encoding, utf8_error
from tocsin.ingest.fields import HTML_KEYS, TEXT_KEYS, RecordError, content_id, record_id, to_document
from tocsin.records import RawDocument, Rejected

Item = RawDocument | Rejected

KINDS = {".txt": "text", ".html": "html", ".htm": "html", ".jsonl": "jsonl", ".csv": "csv"}
SUPPORTED = ", ".join(KINDS) + " (each also gzipped, .gz)"

# A CSV field may hold a whole article; Python's default cap (131,072 characters) is too small.
# The per-line byte limit below is what actually bounds memory.
_CSV_FIELD_LIMIT = 2**31 - 1


def kind_of(path: Path) -> tuple[str, bool] | None:
    """(kind, gzipped) from the file name, or None for an extension we do not read."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    gz = bool(suffixes) and suffixes[-1] == ".gz"
    ext = (suffixes[-2] if len(suffixes) == 2 else "") if gz else (suffixes[-1] if suffixes else "")
    kind = KINDS.get(ext)
    return (kind, gz) if kind else None


def strip_extensions(name: str) -> str:
    """``a/b.txt.gz`` → ``a/b``; only the extensions we know are removed."""
    lower = name.lower()
    if lower.endswith(".gz"):
        name, lower = name[:-3], lower[:-3]
    for ext in KINDS:
        if lower.endswith(ext):
            return name[: -len(ext)]
    return name


def iter_path(path: Path, doc_id: str, max_bytes: int, *, explicit: bool) -> Iterator[Item]:
    """Documents from one file. ``explicit``: the user named this file (unknown types are rejected)."""
    origin, doc_id = path_text(str(path)), path_text(doc_id)
    found = kind_of(path)
    if found is None:
        if explicit:
            yield Rejected(
                doc_id, origin, f"unsupported file type {path.suffix or '(none)'!r}: give {SUPPORTED}"
            )
        return
    kind, gz = found
    if path.exists() and not path.is_file():  # opening a FIFO would wait for a writer forever
        yield Rejected(doc_id, origin, "not a regular file (a pipe, socket or device): give a file or a folder")
        return
    try:
        with _open(path, gz) as stream:
            if kind == "jsonl":
                yield from iter_jsonl(stream, doc_id, origin, max_bytes)
            elif kind == "csv":
                yield from iter_csv(stream, doc_id, origin, max_bytes)
            else:
                yield _whole(stream, doc_id, origin, max_bytes, html=kind == "html")
    except OSError as err:  # includes gzip.BadGzipFile
        yield Rejected(doc_id, origin, f"cannot read file: {err.strerror or err}")
    except (EOFError, zlib.error) as err:
        yield Rejected(doc_id, origin, f"corrupt gzip file: {err}")


def path_text(name: str) -> str:
    """A file name as valid Unicode: bytes that are not UTF-8 (kept by Python as surrogates, which no
    database can store) are shown as ``\\xe9`` escapes."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def iter_folder(folder: Path, max_bytes: int) -> Iterator[Item]:
    """Every supported file under ``folder`` (recursively, sorted, hidden entries skipped), web
    archives included. A file's id is its path without the extension, unless another file of the
    same folder has the same stem (``a.txt`` and ``a.html``): then both keep their extensions."""
    for root, dirs, files in os.walk(folder, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        names = sorted(n for n in files if not n.startswith("."))
        archives = {n for n in names if is_warc(n)}
        readable = {n for n in names if kind_of(Path(n)) is not None}  # other types are skipped
        stems = Counter(strip_extensions(n) for n in readable)
        for name in names:
            path = Path(root) / name
            if name in archives:
                from tocsin.ingest.warc import iter_warc  # imported lazily: warcio is only needed here

                yield from iter_warc(path, max_bytes)
            elif name in readable:
                relative = path.relative_to(folder).as_posix()
                doc_id = relative if stems[strip_extensions(name)] > 1 else strip_extensions(relative)
                yield from iter_path(path, doc_id, max_bytes, explicit=False)


def is_warc(name: str) -> bool:
    return name.lower().endswith((".warc", ".warc.gz"))


def iter_stdin(stream: BinaryIO, max_bytes: int) -> Iterator[Item]:
    """Standard input: JSONL when it starts with ``{``, HTML when it looks like markup, else text."""
    head = stream.read(SNIFF_BYTES)
    full = _prefixed(head, stream)
    first = head.lstrip()[:1]
    if first == b"{":
        yield from iter_jsonl(full, "stdin", "<stdin>", max_bytes)
        return
    lowered = head.lstrip()[:2048].lower()
    html = first == b"<" and any(t in lowered for t in (b"<html", b"<!doctype", b"<body", b"<div", b"<p"))
    yield _whole(full, None, "<stdin>", max_bytes, html=html)


def _open(path: Path, gz: bool) -> BinaryIO:
    return gzip.open(path, "rb") if gz else open(path, "rb")  # noqa: SIM115 (closed by the caller)


def _whole(stream: BinaryIO, doc_id: str | None, origin: str, max_bytes: int, *, html: bool) -> Item:
    data = stream.read(max_bytes + 1)
    fallback_id = doc_id or "stdin"
    if len(data) > max_bytes:
        return Rejected(
            fallback_id,
            origin,
            f"larger than {max_bytes:,} bytes (settings.fetch_max_bytes): split it or raise the limit",
        )
    try:
        text = decode_bytes(data, html=html)
    except DecodeError as err:
        return Rejected(fallback_id, origin, str(err))
    doc_id = doc_id or content_id(text)
    return (
        RawDocument(doc_id=doc_id, html=text, origin=origin)
        if html
        else RawDocument(doc_id=doc_id, text=text, origin=origin)
    )


def bounded_lines(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) for each line; ``None`` for a line over ``max_bytes``, skipped in chunks."""
    lineno = 0
    while True:
        line = stream.readline(max_bytes + 1)
        if not line:
            return
        lineno += 1
        if len(line) > max_bytes and not line.endswith(b"\n"):
            while True:  # drain the rest of the oversize line without holding it
                rest = stream.readline(max_bytes + 1)
                if not rest or rest.endswith(b"\n"):
                    break
            yield lineno, None
            continue
        yield lineno, line


def iter_jsonl(stream: BinaryIO, base_id: str, origin: str, max_bytes: int) -> Iterator[Item]:
    for lineno, line in bounded_lines(stream, max_bytes):
        where = f"{origin}:{lineno}"
        fallback_id = f"{base_id}:{lineno}"
        if line is None:
            yield Rejected(
                fallback_id,
                where,
                f"line {lineno}: longer than {max_bytes:,} bytes (settings.fetch_max_bytes)",
            )
            continue
        if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        if not line.strip():
            continue
        problem = utf8_error(line)
        if problem:
            yield Rejected(fallback_id, where, f"line {lineno}: {problem}; JSONL must be UTF-8")
            continue
        try:
            # decoded here: given bytes, json guesses UTF-16/32 from NUL bytes and raises UnicodeDecodeError
            record = json.loads(line.decode("utf-8"))
        except json.JSONDecodeError as err:
            yield Rejected(fallback_id, where, f"line {lineno}: invalid JSON: {err.msg} (column {err.colno})")
            continue
        except RecursionError:
            yield Rejected(fallback_id, where, f"line {lineno}: invalid JSON: nested too deeply")
            continue
        if not isinstance(record, dict):
            yield Rejected(
                fallback_id, where, f"line {lineno}: expected a JSON object, got {type(record).__name__}"
            )
            continue
        try:
            yield to_document(record, where)
        except RecordError as err:
            yield Rejected(record_id(record) or fallback_id, where, f"line {lineno}: {err}")


def iter_csv(stream: BinaryIO, base_id: str, origin: str, max_bytes: int) -> Iterator[Item]:
    """CSV with a header row. Lines are decoded one by one (bounded), then parsed by :mod:`csv`."""
    head = stream.read(SNIFF_BYTES)
    full = _prefixed(head, stream)
    encoding = "utf-8"
    if utf8_error(head[: max(0, len(head) - 4)]):  # the sample may end inside a multi-byte character
        try:
            encoding = detect_encoding(head)
        except DecodeError as err:
            yield Rejected(base_id, origin, str(err))
            return
    oversize: list[int] = []

    def lines() -> Iterator[str]:
        for lineno, raw in bounded_lines(full, max_bytes):
            if raw is None:
                oversize.append(lineno)
                yield "\n"
                continue
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            yield raw.decode(encoding, "surrogateescape")

    csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(lines())
    try:
        header = next(reader)
    except StopIteration:
        yield Rejected(base_id, origin, "empty file")
        return
    except csv.Error as err:
        yield Rejected(base_id, origin, f"line 1: invalid CSV header: {err}")
        return
    header = [h.strip() for h in header]
    if not any(h in TEXT_KEYS or h in HTML_KEYS for h in header):
        yield Rejected(
            base_id, origin, f"no 'text' or 'html' column in the CSV header ({', '.join(header)[:200]})"
        )
        return
    end = reader.line_num
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            where = f"{origin}:{reader.line_num}"
            yield Rejected(
                f"{base_id}:{reader.line_num}", where, f"line {reader.line_num}: invalid CSV: {err}"
            )
            continue
        while oversize:
            n = oversize.pop(0)
            yield Rejected(f"{base_id}:{n}", f"{origin}:{n}", f"line {n}: longer than {max_bytes:,} bytes")
        end = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        lineno = start
        where = f"{origin}:{lineno}"
        record = dict(zip(header, row, strict=False))
        fallback_id = record_id(record) or f"{base_id}:{lineno}"
        bad = next((c for c in row if _has_surrogates(c)), None)
        if bad is not None:
            problem = utf8_error(bad.encode(encoding, "surrogateescape")) or "undecodable bytes"
            yield Rejected(fallback_id, where, f"line {lineno}: {problem}")
            continue
        try:
            yield to_document(record, where)
        except RecordError as err:
            yield Rejected(fallback_id, where, f"line {lineno}: {err}")
    for n in oversize:
        yield Rejected(f"{base_id}:{n}", f"{origin}:{n}", f"line {n}: longer than {max_bytes:,} bytes")


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


class _PrefixedRaw(io.RawIOBase):
    """Replays bytes already read (for sniffing) before the rest of the stream."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix = prefix
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        view = memoryview(buffer).cast("B")
        if self._prefix:
            n = min(len(view), len(self._prefix))
            view[:n] = self._prefix[:n]
            self._prefix = self._prefix[n:]
            return n
        data = self._rest.read(len(view))
        view[: len(data)] = data
        return len(data)


def _prefixed(prefix: bytes, rest: BinaryIO) -> BinaryIO:
    return io.BufferedReader(_PrefixedRaw(prefix, rest))
