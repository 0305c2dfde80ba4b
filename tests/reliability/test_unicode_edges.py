"""Text that Python can hold but no database can store: lone surrogates from JSON escapes and from
file names that are not UTF-8. Each once ended a whole ingest run with UnicodeEncodeError in the store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tocsin.ingest import iter_documents
from tocsin.ingest.fields import RecordError, record_id, to_document
from tocsin.records import RawDocument, Rejected
from tocsin.settings import Settings
from tocsin.store.sqlite import SQLiteStore

TEXT = "Hundreds of nurses marched in Kumasi on Monday over unpaid wages."


@pytest.mark.parametrize("key", ["id", "text", "url", "source", "title", "published", "html"])
def test_lone_surrogate_in_any_field_is_a_record_error(key: str) -> None:
    record = {"id": "n-1", "text": TEXT, key: "x \ud83d y"}
    with pytest.raises(RecordError, match=f"'{key}' holds an unpaired UTF-16 surrogate"):
        to_document(record, "test")


def test_a_surrogate_id_is_not_used_as_the_fallback_id() -> None:
    assert record_id({"id": "a\udc00b"}) is None
    assert record_id({"id": "ok"}) == "ok"
    assert to_document({"text": "a proper pair \U0001f4e2 is fine"}, "t").text == "a proper pair \U0001f4e2 is fine"


def test_jsonl_surrogates_are_rejected_and_storable(tmp_path: Path) -> None:
    src = tmp_path / "s.jsonl"
    src.write_text(
        (
            '{"id": "s1", "text": "\\ud800"}\n'
            + '{"id": "s2\\udc00", "text": "TEXT"}\n'
            + '{"id": "s3", "text": "TEXT", "url": "http://x.example/\\ud800"}\n'
            + '{"id": "ok", "text": "TEXT"}\n'
        ).replace("TEXT", TEXT),
        encoding="utf-8",
    )
    items = list(iter_documents([str(src)], Settings()))
    assert [type(i).__name__ for i in items] == ["Rejected", "Rejected", "Rejected", "RawDocument"]
    assert [i.doc_id for i in items] == ["s1", "s:2", "s3", "ok"]
    assert all("surrogate" in i.reason for i in items if isinstance(i, Rejected))
    _store_all(items, tmp_path)


def test_file_names_that_are_not_utf8_become_escapes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(raw, "wb") as f:
        f.write(TEXT.encode())
    with open(os.fsencode(folder) + b"/bin\xff.txt", "wb") as f:
        f.write(b"\x00\x01binary")
    missing = os.fsdecode(os.fsencode(tmp_path) + b"/gone\xfe.txt")
    items = list(iter_documents([str(folder), missing], Settings()))
    by_id = {i.doc_id: i for i in items}
    assert set(by_id) == {"bin\\xff", "caf\\xe9", f"{tmp_path}/gone\\xfe.txt"}
    assert isinstance(by_id["caf\\xe9"], RawDocument) and by_id["caf\\xe9"].origin.endswith("caf\\xe9.txt")
    assert "binary data" in by_id["bin\\xff"].reason
    assert "no such file or folder" in by_id[f"{tmp_path}/gone\\xfe.txt"].reason
    _store_all(items, tmp_path)


def _store_all(items: list, tmp_path: Path) -> None:
    """Every item, as a document or a rejection, goes into SQLite without an encoding error."""
    from tocsin.records import Article, DocumentResult

    store = SQLiteStore(tmp_path / "t.db")
    store.migrate()
    run = store.begin_run(["test"])
    results = []
    for item in items:
        if isinstance(item, Rejected):
            results.append(DocumentResult(raw=RawDocument(item.doc_id, origin=item.origin), article=None, rejected=item))
        else:
            art = Article(doc_id=item.doc_id, text=item.text or "", paragraphs=((0, len(item.text or "")),),
                          content_hash="h-" + item.doc_id, url=item.url, origin=item.origin)  # fmt: skip
            results.append(DocumentResult(raw=item, article=art))
    store.save(results, run)
    assert store.counts()["documents"] == len(items)
    store.close()


@pytest.mark.parametrize(
    "published", ["-1", "31 Feb 2024", "2024-13-45", "0001-01-01T00:00:00", "9999-12-31T00:00:00", "10^20"]
)
def test_stories_survive_publication_dates_that_are_not_dates(tmp_path: Path, published: str) -> None:
    """``documents.published`` keeps the text as given when it is no date; grouping stories after a
    run once failed on it (ValueError, OverflowError) and ended the run."""
    from datetime import datetime

    from tocsin.records import Article, DocumentResult

    store = SQLiteStore(tmp_path / "t.db")
    store.migrate()
    run = store.begin_run(["test"])
    results = []
    for i, (given, parsed) in enumerate([(published, None), ("2024-03-04", datetime(2024, 3, 4))]):
        raw = RawDocument(f"d{i}", text=TEXT, published=given, origin="t")
        art = Article(doc_id=raw.doc_id, text=TEXT, paragraphs=((0, len(TEXT)),), content_hash=f"h{i}",
                      published=parsed if i else _iso_or_none(given))  # fmt: skip
        results.append(DocumentResult(raw=raw, article=art))
    store.save(results, run)
    assert store.update_stories(run) == 2
    store.close()


def _iso_or_none(value: str):  # noqa: ANN202
    from datetime import datetime

    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def test_a_pipe_or_device_in_a_folder_is_rejected_not_waited_on(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")  # open() on a FIFO blocks until someone writes to it
    (folder / "zero.txt").symlink_to("/dev/zero")  # a device: endless NUL bytes
    (folder / "ok.txt").write_text(TEXT, encoding="utf-8")
    items = {i.doc_id: i for i in iter_documents([str(folder), str(folder / "pipe.txt")], Settings())}
    assert isinstance(items["ok"], RawDocument)
    assert "not a regular file" in items["pipe"].reason and "not a regular file" in items["zero"].reason


def test_a_jsonl_line_of_nul_bytes_is_a_rejection_not_a_crash(tmp_path: Path) -> None:
    """Found by Hypothesis: json.loads(bytes) read b'\\x00\\x01\\x00\\x00' as UTF-16 and raised."""
    src = tmp_path / "n.jsonl"
    src.write_bytes(b"\x00\x01\x00\x00\n\x00\x00\x00\x00\n" + f'{{"id": "ok", "text": "{TEXT}"}}\n'.encode())
    items = list(iter_documents([str(src)], Settings()))
    assert [type(i).__name__ for i in items] == ["Rejected", "Rejected", "RawDocument"]
    assert all("invalid JSON" in i.reason for i in items[:2])
