"""kill -9 during a large ingest, again and again, then a clean finish: nothing lost, nothing doubled.

A subprocess runs ``tocsin ingest`` on a few thousand generated documents (protest reports among
ordinary news) into one SQLite database and is killed with SIGKILL at seeded random moments; after
each kill the database must pass SQLite's integrity and foreign-key checks, and a new run picks up
where the last committed batch (one transaction per batch, WAL) left off. Finally the database must
hold exactly what one uninterrupted run produces: every document once with the same status, the
same events with the same sources, no event twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reliability.hostile import valid_report

KILLS = 20
SEED = 9
# Ordinary news the relevance model passes over (cheap), among which the protest reports sit.
OTHER_NEWS = (
    "Rain expected across the {region} this weekend\n\nForecasters expect {n} mm of rain in the {region} "
    "on Saturday, with temperatures near {t} degrees. Farmers welcomed the forecast after a dry month.",
    "{region} team wins regional cup\n\nThe {region} side won the regional cup final {n}-{t} on Sunday "
    "in front of a home crowd. The coach praised the defence after a season of narrow defeats.",
    "Bank reports higher quarterly profit\n\nA regional bank in the {region} reported a profit of {n} "
    "million for the quarter, up {t} percent on a year earlier, helped by higher lending margins.",
    "New bridge opens to traffic\n\nA new road bridge in the {region} opened to traffic on Monday after "
    "{t} months of work. The {n}-metre crossing cuts the journey to the coast by twenty minutes.",
)  # fmt: skip
REGIONS = ("north", "south", "east", "west", "highlands", "lowlands", "coast", "valley")


def write_news(path: Path, n_docs: int, protest_share: float, seed: int) -> list[str]:
    """``n_docs`` JSONL records, ``protest_share`` of them protest reports; returns their ids."""
    rng = random.Random(seed)
    ids = []
    with path.open("w", encoding="utf-8") as f:
        for i in range(n_docs):
            if rng.random() < protest_share:
                rec = valid_report(rng, i)
                rec["id"] = f"news-{i}"
            else:
                text = rng.choice(OTHER_NEWS).format(region=rng.choice(REGIONS), n=rng.randint(2, 900),
                                                     t=rng.randint(2, 40))  # fmt: skip
                rec = {"id": f"news-{i}", "text": text, "published": f"2024-05-{rng.randint(1, 28):02d}"}
            ids.append(rec["id"])
            f.write(json.dumps(rec) + "\n")
    return ids


def ingest_cmd(db: Path, source: Path) -> list[str]:
    return [sys.executable, "-m", "tocsin.cli", "ingest", "--quiet", "--db", str(db), str(source)]


def stored(db: Path) -> int:
    """Documents committed to ``db`` so far (0 while it or its tables do not exist yet)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:  # no table yet, or the file is being created
        return 0


def check_integrity(db: Path) -> None:
    conn = sqlite3.connect(db)  # a read-write open: replays or discards the WAL as a restart would
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def snapshot(db: Path) -> dict[str, object]:
    """What a finished ingest left: documents with status, events with their fields and sources."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        docs = dict(conn.execute("SELECT doc_id, status || ':' || content_hash FROM documents"))
        events = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT event_id, event_type, sub_event_type, event_date, location, country, crowd_size_low, "
                "crowd_size_high, fatalities, injuries, arrests FROM events"
            )
        }
        sources = sorted(conn.execute("SELECT event_id, doc_id FROM event_sources"))
        evidence = conn.execute("SELECT count(*) FROM evidence").fetchone()[0]
        return {"documents": docs, "events": events, "sources": sources, "evidence": evidence}
    finally:
        conn.close()


@pytest.mark.slow
def test_kill_9_twenty_times_then_finish(tmp_path: Path, cache_dir: Path) -> None:
    from tocsin.geo.gazetteer import ensure_index

    source = tmp_path / "news.jsonl"
    ids = write_news(source, 3000, protest_share=0.15, seed=SEED)
    env = {**os.environ, "TOCSIN_CACHE": str(cache_dir)}
    # built here if missing, so the reference's start-up below is never a one-off index build (a minute or
    # more): the kills are timed from it, and runs that each finish before a kill never reach KILLS
    ensure_index(cache_dir)

    # the reference: one uninterrupted run, timed to its first committed batch (start-up: models,
    # gazetteer; 3-6 s on an idle machine, over 10 s on a busy one) so the kills scale with it
    reference = tmp_path / "reference.db"
    started = time.monotonic()
    errors = tmp_path / "reference.err"
    with errors.open("wb") as err:  # a file, not a pipe: a full pipe would stall the run
        ref = subprocess.Popen(ingest_cmd(reference, source), env=env, stdout=subprocess.DEVNULL, stderr=err)
    first_commit = None
    while ref.poll() is None:
        if first_commit is None and stored(reference) > 0:
            first_commit = time.monotonic() - started
        time.sleep(0.1)
    assert ref.returncode == 0, errors.read_text(errors="replace")[-2000:]
    first_commit = first_commit or time.monotonic() - started
    want = snapshot(reference)
    assert set(want["documents"]) == set(ids) and want["events"]

    # the same input, killed KILLS times at random moments, each time resumed
    db = tmp_path / "killed.db"
    rng = random.Random(SEED)
    progress: list[int] = []
    kills = 0
    # a resumed run may start faster than the reference did (its files now in the page cache): when one
    # commits more than its share of the input before its kill, the next kills come sooner, so the input
    # is never finished before the last kill (a run over a finished input skips loading the models and
    # ends at once, and could not be killed); one killed before its first commit lets the next run longer
    share, scale = len(ids) // KILLS, 1.0
    while kills < KILLS:
        before = progress[-1] if progress else 0
        proc = subprocess.Popen(ingest_cmd(db, source), env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)  # fmt: skip
        # about half before the first commit, the rest a few batches on
        time.sleep(first_commit * scale * rng.uniform(0.4, 1.25))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        if db.exists():
            check_integrity(db)
            progress.append(stored(db))
            if progress[-1] - before > share:
                scale *= 0.75
            elif progress[-1] == before:  # killed before its first commit: the next a little later
                scale = min(1.0, scale * 1.1)
        assert len(progress) < 3 * KILLS, f"the ingest kept finishing before the kill: {progress}"
    mid = [p for p in progress if 0 < p < len(ids)]
    print(f"{kills} kills; documents stored after each: {progress}")  # shown with pytest -s
    assert len(mid) >= KILLS // 2, progress  # most kills landed mid-ingest, after some batches
    done = subprocess.run(ingest_cmd(db, source), env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    check_integrity(db)

    got = snapshot(db)
    assert got["documents"] == want["documents"]  # nothing lost, every status as in one clean run
    assert got["sources"] == want["sources"]  # no event doubled, every source kept
    assert got["events"] == want["events"]
    assert got["evidence"] == want["evidence"]
