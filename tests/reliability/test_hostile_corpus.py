"""Ten thousand hostile inputs and a hundred valid reports through ``tocsin ingest``, in one run.

The corpus is generated at test time (tests/reliability/hostile.py): JSONL lines that are broken,
non-UTF-8, nested too deep, empty or not objects; binary, empty, truncated-gzip and 50 MB one-line
files; HTML bombs; broken CSV rows; impossible dates and absurd numbers in readable reports. The run
must finish, every bad input must be stored as rejected with its specific reason (and listed by
``tocsin rejects``), every valid report processed, and the database left consistent.

The default tier runs about 10,500 inputs; ``TOCSIN_TEST_TIERS=slow`` adds a five-times larger
corpus ingested twice (the second run must change nothing but retry the rejects).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from reliability.hostile import BAD, ODD, VALID, Corpus, build_corpus
from tocsin.cli import main
from tocsin.extract.numbers import MAX_PLAUSIBLE

SUMMARY = re.compile(
    r"run (?P<run>\d+): (?P<documents>\d+) documents, (?P<events>\d+) events in (?P<with_events>\d+) documents; "
    r"(?P<known>\d+) already stored, (?P<rejected>\d+) rejected, (?P<skipped>\d+) skipped"
)
# Share of the valid reports that must yield at least one event (measured: all of them; the floor
# leaves room for a report whose town the gazetteer places elsewhere).
MIN_VALID_WITH_EVENTS = 0.9


@dataclass(frozen=True, slots=True)
class Ingested:
    corpus: Corpus
    db: Path
    summary: dict[str, int]


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def _ingest(corpus: Corpus, db: Path) -> dict[str, int]:
    out = _cli("ingest", "--quiet", "--db", str(db), *corpus.sources)
    match = SUMMARY.search(out)
    assert match, out
    return {k: int(v) for k, v in match.groupdict().items()}


def _build_and_ingest(root: Path, cache: Path, **sizes: int) -> Ingested:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TOCSIN_CACHE", str(cache))
        corpus = build_corpus(root / "corpus", seed=20261126, **sizes)
        db = root / "hostile.db"
        return Ingested(corpus, db, _ingest(corpus, db))


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, cache_dir: Path) -> Ingested:
    return _build_and_ingest(
        tmp_path_factory.mktemp("hostile"), cache_dir,
        jsonl_bad=10_000, jsonl_odd=48, jsonl_valid=60, file_groups=25,
    )  # fmt: skip


def test_the_corpus_is_as_large_and_as_mixed_as_promised(ingested: Ingested) -> None:
    c = ingested.corpus
    assert c.count(BAD) >= 10_000 and c.count(VALID) >= 100 and c.count(ODD) >= 50
    files = [p for p in Path(c.sources[1]).iterdir()]
    assert len(files) >= 250
    assert max(p.stat().st_size for p in files if not p.is_symlink()) >= 50_000_000


def test_one_run_reads_everything_without_a_crash(ingested: Ingested) -> None:
    s, c = ingested.summary, ingested.corpus
    assert s["documents"] == len(c.expect)
    assert s["rejected"] == c.count(BAD)
    assert s["known"] == 0


def test_every_bad_input_is_listed_as_rejected_with_its_reason(ingested: Ingested) -> None:
    listed = {}
    for line in _cli("rejects", "--db", str(ingested.db)).splitlines():
        doc_id, _origin, reason = line.split("\t")
        listed[doc_id] = reason
    bad = {k: e for k, e in ingested.corpus.expect.items() if e.kind == BAD}
    assert set(listed) == set(bad)
    wrong = {k: (e.label, e.reason, listed[k]) for k, e in bad.items() if e.reason not in listed[k]}
    assert not wrong, list(wrong.items())[:10]
    internal = [r for r in listed.values() if "internal error" in r]
    assert not internal, internal[:5]


def _rows(db: Path, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_valid_reports_are_processed_and_odd_ones_read(ingested: Ingested) -> None:
    status = {r["doc_id"]: r["status"] for r in _rows(ingested.db, "SELECT doc_id, status FROM documents")}
    expect = ingested.corpus.expect
    valid = [k for k, e in expect.items() if e.kind == VALID]
    assert {status[k] for k in valid} == {"processed"}
    odd = {k: status[k] for k, e in expect.items() if e.kind == ODD}
    assert set(odd.values()) <= {"processed", "skipped"}, odd
    with_events = {r[0] for r in _rows(ingested.db, "SELECT DISTINCT doc_id FROM event_sources")}
    assert len(with_events & set(valid)) >= MIN_VALID_WITH_EVENTS * len(valid)


def test_the_database_is_consistent(ingested: Ingested) -> None:
    check_consistency(ingested.db, ingested.corpus, ingested.summary)


def check_consistency(db: Path, corpus: Corpus, summary: dict[str, int]) -> None:
    """Integrity, foreign keys, counts that add up, evidence offsets into stored texts, sane values."""
    one = lambda sql, *p: _rows(db, sql, p)[0][0]  # noqa: E731
    assert one("PRAGMA integrity_check") == "ok"
    assert _rows(db, "PRAGMA foreign_key_check") == []
    assert one("SELECT count(*) FROM documents") == len(corpus.expect)
    assert one("SELECT count(*) FROM documents WHERE status = 'rejected'") == corpus.count(BAD)
    assert one("SELECT count(*) FROM documents WHERE reason IS NULL AND status <> 'processed'") == 0
    # the store merges reports of one happening, so it may hold fewer events than were extracted
    assert 0 < one("SELECT count(*) FROM events") <= summary["events"]
    # every event has a source and evidence, and its evidence points into its document's text
    assert one("SELECT count(*) FROM events WHERE event_id NOT IN (SELECT event_id FROM event_sources)") == 0
    assert one("SELECT count(*) FROM events WHERE event_id NOT IN (SELECT event_id FROM evidence)") == 0
    for r in _rows(db, "SELECT v.text, v.start_char, v.end_char, d.text AS doc FROM evidence v "
                       "JOIN documents d USING (doc_id)"):  # fmt: skip
        assert 0 <= r["start_char"] < r["end_char"] <= len(r["doc"])
        assert r["doc"][r["start_char"] : r["end_char"]] == r["text"]
    # no figure beyond belief, no event after the article that reports it
    for column in ("crowd_size_low", "crowd_size_high", "fatalities", "injuries", "arrests"):
        assert one(f"SELECT coalesce(max({column}), 0) FROM events") <= MAX_PLAUSIBLE
        assert one(f"SELECT coalesce(min({column}), 0) FROM events") >= 0
    # an event is never dated after the latest article reporting it
    latest: dict[str, tuple[str, date]] = {}
    for r in _rows(db, "SELECT e.event_id, e.event_date, d.published FROM events e JOIN event_sources s "
                       "USING (event_id) JOIN documents d USING (doc_id) WHERE e.event_date IS NOT NULL"):  # fmt: skip
        published = _iso_day(r["published"])
        if published is not None and (r["event_id"] not in latest or published > latest[r["event_id"]][1]):
            latest[r["event_id"]] = (r["event_date"], published)
    late = {k: v for k, v in latest.items() if date.fromisoformat(v[0]) > v[1]}
    assert not late, late


def _iso_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:  # the publication date as given, when it was no date ("31 Feb 2024")
        return None


@pytest.mark.slow
def test_a_five_times_larger_corpus_twice(tmp_path: Path, cache_dir: Path) -> None:
    """50,000 hostile lines and 125 groups of hostile files; the second run only retries the rejects."""
    got = _build_and_ingest(tmp_path, cache_dir, jsonl_bad=50_000, jsonl_odd=240, jsonl_valid=300,
                            file_groups=125)  # fmt: skip
    assert got.summary["documents"] == len(got.corpus.expect)
    assert got.summary["rejected"] == got.corpus.count(BAD)
    check_consistency(got.db, got.corpus, got.summary)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("TOCSIN_CACHE", str(cache_dir))
        again = _ingest(got.corpus, got.db)
    assert again["rejected"] == got.corpus.count(BAD)  # rejects are retried, and fail again
    assert again["known"] == len(got.corpus.expect) - got.corpus.count(BAD)
    assert again["events"] == 0
    check_consistency(got.db, got.corpus, got.summary)
