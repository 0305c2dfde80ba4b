"""Ingest from files, folders and standard input: ids, fields, and a reason for every rejection."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from pathlib import Path

import pytest

from tocsin.ingest import iter_documents, samples_dir
from tocsin.records import RawDocument, Rejected
from tocsin.settings import Settings

SETTINGS = Settings()


def read(*sources: str | Path, settings: Settings = SETTINGS, stdin: bytes | None = None) -> list:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return list(iter_documents([str(s) for s in sources], settings, stdin=stream))


def docs(items: list) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def rejects(items: list) -> list[Rejected]:
    return [i for i in items if isinstance(i, Rejected)]


def test_folder_ids_are_relative_paths_without_extension(tmp_path: Path) -> None:
    (tmp_path / "2024" / "march").mkdir(parents=True)
    (tmp_path / "2024" / "march" / "riot.txt").write_text("Crowds gathered in the square.", encoding="utf-8")
    (tmp_path / "page.htm").write_text("<html><body><p>Shops shut early.</p></body></html>", encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a news source", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("editor backup", encoding="utf-8")
    with gzip.open(tmp_path / "wire.txt.gz", "wt", encoding="utf-8") as f:
        f.write("A strike was called off.")
    items = read(tmp_path)
    assert rejects(items) == []  # unknown types and hidden files in a folder are skipped silently
    by_id = {d.doc_id: d for d in docs(items)}
    assert set(by_id) == {"2024/march/riot", "page", "wire"}
    assert by_id["2024/march/riot"].text == "Crowds gathered in the square."
    assert by_id["page"].html is not None and by_id["page"].text is None
    assert by_id["wire"].text == "A strike was called off."
    assert by_id["page"].origin == str(tmp_path / "page.htm")


def test_single_file_id_is_its_stem(tmp_path: Path) -> None:
    path = tmp_path / "march-report.txt"
    path.write_text("Text.", encoding="utf-8")
    [doc] = read(path)
    assert doc.doc_id == "march-report"


def test_files_sharing_a_stem_keep_their_extensions_so_neither_is_lost(tmp_path: Path) -> None:
    (tmp_path / "day1").mkdir()
    (tmp_path / "day1" / "strike.txt").write_text("Bus drivers struck in Leeds.", encoding="utf-8")
    (tmp_path / "day1" / "strike.html").write_text("<p>Bus drivers struck in Leeds.</p>", encoding="utf-8")
    (tmp_path / "day1" / "march.txt").write_text("Students marched in York.", encoding="utf-8")
    (tmp_path / "strike.txt").write_text("Another folder, another strike.", encoding="utf-8")
    ids = [d.doc_id for d in docs(read(tmp_path))]
    assert ids == ["strike", "day1/march", "day1/strike.html", "day1/strike.txt"]


def test_explicit_unknown_extension_is_rejected_with_reason(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.4")
    [rej] = read(path)
    assert isinstance(rej, Rejected)
    assert "unsupported file type '.pdf'" in rej.reason


def test_missing_binary_empty_and_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "blob.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    (tmp_path / "ok.txt").write_text("Fine.", encoding="utf-8")
    items = read(tmp_path, tmp_path / "absent.jsonl")
    reasons = {r.doc_id: r.reason for r in rejects(items)}
    assert "binary" in reasons["blob"]
    assert reasons["empty"] == "empty file"
    assert reasons["gone"].startswith("cannot read file")
    assert "no such file or folder" in reasons[str(tmp_path / "absent.jsonl")]
    assert [d.doc_id for d in docs(items)] == ["ok"]


def test_non_utf8_text_file_is_decoded_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Les manifestants se sont réunis près de la préfecture à Besançon.".encode("cp1252"))
    [doc] = read(path)
    assert isinstance(doc, RawDocument)
    assert "préfecture à Besançon" in (doc.text or "")


def test_html_declared_charset_is_used(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="windows-1252"></head><body><p>Café “owners” protested.</p></body></html>'
    )
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp1252"))
    [doc] = read(path)
    assert "Café “owners” protested." in (doc.html or "")


def test_jsonl_records_aliases_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": "a1",
                "text": "Farmers blocked the road.",
                "published": "2023-05-02",
                "title": "Road blocked",
                "source": "Valley Post",
                "url": "https://x.example/a1",
            }
        ),
        json.dumps(
            {"doc_id": "a2", "doc_text": "Students marched.", "date": "2023-05-03", "outlet": "Campus"}
        ),
        '{"id": "a3" "text": "missing comma"}',
        "[1, 2]",
        "",
        json.dumps({"id": "a5", "title": "no body here"}),
        json.dumps({"body": "A record with no id."}),
        json.dumps({"id": "a7", "content": "<html><body><p>Markup under a text key.</p></body></html>"}),
    ]
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = read(path)
    a1, a2, rej3, rej4, rej6, a7, a8 = items
    assert a1 == RawDocument(
        doc_id="a1",
        text="Farmers blocked the road.",
        url="https://x.example/a1",
        published="2023-05-02",
        title="Road blocked",
        outlet="Valley Post",
        origin=f"{path}:1",
    )
    assert (a2.doc_id, a2.text, a2.published, a2.outlet) == (
        "a2",
        "Students marched.",
        "2023-05-03",
        "Campus",
    )
    assert rej3.origin == f"{path}:3" and rej3.reason.startswith(
        "line 3: invalid JSON: Expecting ',' delimiter"
    )
    assert rej4.reason == "line 4: expected a JSON object, got list"
    assert rej6.doc_id == "a5" and "no text" in rej6.reason and rej6.reason.startswith("line 6:")
    assert len(a7.doc_id) == 16 and a7.text == "A record with no id."  # content-hash id
    assert a8.doc_id == "a7" and a8.html is not None and a8.text is None


def test_jsonl_invalid_utf8_line_is_rejected_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(
        b'{"id": "ok", "text": "fine"}\n{"id": "bad", "text": "caf\xe9"}\n{"id": "ok2", "text": "x"}\n'
    )
    items = read(path)
    assert [type(i).__name__ for i in items] == ["RawDocument", "Rejected", "RawDocument"]
    assert "invalid UTF-8 (byte 0xe9" in items[1].reason


def test_csv_multiline_fields_missing_text_and_bad_bytes(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"id,body,date,outlet\n"
        b'c1,"First paragraph.\n\nSecond paragraph.",2024-02-01,Daily\n'
        b"c2,,2024-02-02,Daily\n"
        b'c3,"Ok row, with comma",2024-02-03,Weekly\n'
        + b"".join(
            b"p%d,Padding row in plain UTF-8 \xe2\x80\x94 fine.,2024-02-05,Daily\n" % i for i in range(1500)
        )
        + b"c4,caf\xe9 row,2024-02-04,Weekly\n"  # past the sniffed head: the file is UTF-8, this row is not
    )
    items = read(path)
    c1, c2, c3, c4 = items[:3] + items[-1:]
    assert len(docs(items)) == 1502
    assert c1.text == "First paragraph.\n\nSecond paragraph." and c1.published == "2024-02-01"
    assert c1.origin == f"{path}:2"
    assert isinstance(c2, Rejected) and c2.doc_id == "c2" and "empty 'body' field" in c2.reason
    assert c3.text == "Ok row, with comma" and c3.outlet == "Weekly"
    assert isinstance(c4, Rejected) and "invalid UTF-8" in c4.reason


def test_csv_without_text_column_is_one_rejection(tmp_path: Path) -> None:
    path = tmp_path / "meta.csv"
    path.write_text("id,title\n1,Only titles\n", encoding="utf-8")
    [rej] = read(path)
    assert "no 'text' or 'html' column" in rej.reason


def test_csv_in_latin1_is_detected(tmp_path: Path) -> None:
    path = tmp_path / "legacy.csv"
    text = "id,text\n" + "".join(f"r{i},Grève générale à Nîmes: réunion numéro {i}.\n" for i in range(20))
    path.write_bytes(text.encode("latin-1"))
    items = read(path)
    assert len(docs(items)) == 20 and "Grève générale à Nîmes" in docs(items)[0].text


def test_oversize_line_is_rejected_in_constant_memory(tmp_path: Path) -> None:
    cap = 1_000_000
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as f:
        f.write(b'{"id": "small", "text": "before"}\n')
        f.write(b'{"id": "huge", "text": "' + b"x" * 50_000_000 + b'"}\n')
        f.write(b'{"id": "after", "text": "after"}\n')
    tracemalloc.start()
    items = read(path, settings=Settings(fetch_max_bytes=cap))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert [getattr(i, "doc_id", None) for i in items] == ["small", "huge:2", "after"]
    assert "longer than 1,000,000 bytes" in items[1].reason
    assert peak < 5 * cap  # the 50 MB line was never held in memory


def test_oversize_single_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_bytes(b"word " * 10_000)
    [rej] = read(path, settings=Settings(fetch_max_bytes=20_000))
    assert "larger than 20,000 bytes" in rej.reason


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b'  {"id": "s1", "text": "From a pipe."}\n{"id": "s2", "text": "Second."}\n', "jsonl"),
        (b"<!DOCTYPE html><html><body><p>Markup from a pipe.</p></body></html>", "html"),
        (b"Plain words from a pipe.\n", "text"),
    ],
)
def test_stdin_is_sniffed(data: bytes, kind: str) -> None:
    items = read("-", stdin=data)
    assert all(isinstance(i, RawDocument) for i in items)
    if kind == "jsonl":
        assert [d.doc_id for d in items] == ["s1", "s2"] and items[1].origin == "<stdin>:2"
    elif kind == "html":
        assert items[0].html and not items[0].text
    else:
        assert items[0].text == "Plain words from a pipe.\n" and items[0].origin == "<stdin>"


def test_bundled_samples_are_all_read() -> None:
    items = read(samples_dir())
    assert rejects(items) == []
    ids = {d.doc_id for d in items}
    assert {"ruse-teachers-march", "nakuru-market-riot", "kochi-fishers-sit-in", "quarterly-results"} <= ids
    assert {"valparaiso-students-tear-gas", "jos-market-fire-unconfirmed", "hajduk-rijeka-derby"} <= ids
    assert all(d.published for d in items if d.origin.endswith(tuple(f":{n}" for n in (1, 2, 3))))
