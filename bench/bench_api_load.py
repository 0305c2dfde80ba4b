"""Load test of the web API: a fixed request rate against a store of 100,000 events, on 127.0.0.1.

    python bench/bench_api_load.py [--events 100000] [--rate 200 [--rate 100 ...]] [--seconds 30] [--db PATH] [--no-write]

1. builds (once, then reuses) a SQLite store of ``--events`` synthetic events through the store's
   own ``save`` (two events per document, in 60 countries over ten years; text written here);
2. starts the API (``tocsin.web.create_app`` under uvicorn, one process, access log off) in a child
   process bound to 127.0.0.1;
3. sends requests *open-loop* at ``--rate`` per second for ``--seconds`` (each request is due at a
   fixed time whether or not earlier ones have answered, so a slow server cannot slow the client
   down and hide its own latency), with a mix of the dashboard's requests: event pages with and
   without filters, one event, one document, statistics, a bounding box, a text search;
4. reports throughput, errors and latency percentiles (measured from the time each request was
   due), and writes the "## API load" section of docs/benchmarks.md.

The client stops by itself after ``--seconds`` plus at most ``TIMEOUT_S``; it only ever connects to
127.0.0.1. Pass criteria (the project's target): 0 errors, p99 under 200 ms at 200 requests/s.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import platform
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import report

SECTION = "## API load (bench/bench_api_load.py)"
TIMEOUT_S = 5.0  # a request slower than this counts as an error
TARGET_P99_MS = 200.0
# Connections the load generator keeps open, like a pooled API client; a request waits for a free one
# (and that wait counts in its latency).
CLIENT_CONNECTIONS = 32
# Requests of each kind sent one at a time to measure the server's CPU per request (10 ms clock ticks:
# 100 requests of ~3 ms are ~30 ticks, enough to tell 2.5 ms from 3 ms).
CPU_REQUESTS = 100
COUNTRIES = (
    "KAZ", "IND", "KEN", "NGA", "BRA", "ARG", "CHL", "PER", "BOL", "COL", "MEX", "USA", "CAN", "GBR",
    "FRA", "DEU", "ESP", "ITA", "POL", "ROU", "BGR", "GRC", "TUR", "IRN", "IRQ", "PAK", "BGD", "NPL",
    "LKA", "IDN", "PHL", "THA", "MMR", "KHM", "VNM", "CHN", "KOR", "JPN", "AUS", "NZL", "ZAF", "ZWE",
    "ZMB", "MWI", "TZA", "UGA", "ETH", "SDN", "EGY", "TUN", "DZA", "MAR", "SEN", "GHA", "CIV", "CMR",
    "COD", "MOZ", "UKR", "GEO",
)  # fmt: skip
WORDS = ("nurses", "teachers", "farmers", "students", "drivers", "miners", "traders", "pensioners")
ISSUES = ("wages", "fuel prices", "land", "pensions", "water", "elections", "police", "rents")


# -- the store ----------------------------------------------------------------------------------------


def build_store(path: Path, n_events: int, seed: int = 1) -> None:
    """``n_events`` events (two per document) saved through the store API, 1,000 documents a batch."""
    from tocsin.records import (
        SUB_EVENT_TYPES,
        Article,
        DocumentResult,
        Event,
        Evidence,
        Place,
        RawDocument,
        Source,
    )  # fmt: skip
    from tocsin.store.base import open_store

    rng = random.Random(seed)
    subs = list(SUB_EVENT_TYPES)
    start = date(2015, 1, 1)
    store = open_store(str(path))
    run = store.begin_run(["bench_api_load"])
    batch: list[DocumentResult] = []
    for d in range(n_events // 2):
        doc_id = f"bench-{d}"
        country = COUNTRIES[d % len(COUNTRIES)]
        group, issue = rng.choice(WORDS), rng.choice(ISSUES)
        sentences = [f"Hundreds of {group} marched in Town {d} over {issue}.",
                     f"Police later dispersed {group} in Village {d} with tear gas."]  # fmt: skip
        text = "\n\n".join([f"{group.capitalize()} protest over {issue}", *sentences])
        published = datetime.combine(start + timedelta(days=rng.randrange(3650)), datetime.min.time())
        art = Article(doc_id=doc_id, text=text, paragraphs=((0, text.index("\n\n")),),
                      content_hash=hashlib.sha256(text.encode()).hexdigest(), title=text.split("\n\n")[0],
                      published=published, url=f"https://news.example/{d}", outlet="Bench Wire",
                      origin="bench")  # fmt: skip
        events = []
        for k, sentence in enumerate(sentences):
            at = text.index(sentence)
            # far apart (a degree of latitude per document) so the store merges none of them
            place = Place(f"Town {d}-{k}", country, latitude=rng.uniform(-60, 70), longitude=rng.uniform(-180, 180),
                          geonameid=10_000_000 + 2 * d + k, admin1=f"Region {d % 50}")  # fmt: skip
            sub = rng.choice(subs)
            events.append(Event(
                event_id=f"ev-{d}-{k}", event_type=SUB_EVENT_TYPES[sub], sub_event_type=sub,
                event_date=published.date() - timedelta(days=k * 40), time_precision=1, place=place,
                evidence=(Evidence(doc_id, sentence, at, at + len(sentence)),),
                sources=(Source(doc_id, art.url, art.title, published.isoformat(), art.outlet),),
                crowd_size_low=rng.choice([None, 50, 300, 2000]), fatalities=rng.choice([0, 0, 0, 1, 3]),
                issue=issue, actors=(group,),
            ))  # fmt: skip
        batch.append(DocumentResult(raw=RawDocument(doc_id, text=text, origin="bench"), article=art,
                                    events=tuple(events), relevance=1.0))  # fmt: skip
        if len(batch) == 1000:
            store.save(batch, run)
            batch = []
    if batch:
        store.save(batch, run)
    store.finish_run(run, {"documents": n_events // 2, "events": n_events})
    store.close()


def stored_events(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


# -- the server ------------------------------------------------------------------------------------------


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    """``tocsin.web.serve`` (what ``tocsin serve`` runs: uvicorn, access log on) with ``workers``
    processes, in a child process on 127.0.0.1; its log goes to /dev/null."""
    code = f"from tocsin.web import serve; serve(db={str(db)!r}, host='127.0.0.1', port={port}, workers={workers})"
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(base: str, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/api/meta", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the API did not start on {base} within {timeout:g} s")


# -- the load ---------------------------------------------------------------------------------------------


def request_mix(rng: random.Random, n_docs: int) -> list[tuple[str, str]]:
    """(kind, path) the dashboard sends, in the proportions a user browsing it would."""
    c = rng.choice(COUNTRIES)
    day = date(2015, 1, 1) + timedelta(days=rng.randrange(3500))
    d = rng.randrange(n_docs)
    lon, lat = rng.uniform(-170, 150), rng.uniform(-50, 50)
    return [
        ("page", "/api/events?limit=50"),
        ("page", f"/api/events?country={c}&limit=50"),
        ("page", f"/api/events?country={c}&sort=-fatalities&limit=50&offset={rng.randrange(0, 1000, 50)}"),
        ("page", f"/api/events?since={day}&until={day + timedelta(days=30)}&limit=50"),
        ("page", f"/api/events?type=Riots&country={c}&limit=50"),
        ("bbox", f"/api/events?bbox={lon},{lat},{lon + 20},{lat + 15}&limit=50"),
        ("event", f"/api/events/ev-{d}-0"),
        ("document", f"/api/documents/bench-{d}"),
        ("stats", f"/api/stats?country={c}"),
        ("search", f"/api/events?q={rng.choice(WORDS)}&country={c}&limit=20"),
    ]


@dataclass
class Result:
    latencies_ms: list[float] = field(default_factory=list)  # from when the request was due
    service_ms: list[float] = field(default_factory=list)  # from when it was sent
    by_kind: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    sent: int = 0
    wall_s: float = 0.0
    repeats: int = 0  # requests for a path the server was already asked (its answer may be cached)


class LeanClient:
    """HTTP/1.1 GETs over persistent connections to one host, spending as little CPU as it can: the
    client shares the machine's cores with the server (httpx used 0.6 of a core at 200 requests/s)."""

    def __init__(self, host: str, port: int, max_connections: int = CLIENT_CONNECTIONS) -> None:
        self.host, self.port = host, port
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(max_connections)

    async def get(self, path: str) -> int:
        """The status of ``GET path``; the body is read and dropped."""
        async with self.slots:
            for attempt in range(2):
                reused = bool(self.idle) and attempt == 0
                reader, writer = self.idle.pop() if reused else await asyncio.open_connection(self.host, self.port)
                try:
                    status = await self._exchange(reader, writer, path)
                except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError) as exc:
                    writer.close()
                    if reused and not getattr(exc, "partial", b""):
                        continue  # the server closed an idle keep-alive connection: retry on a new one
                    raise
                except BaseException:
                    writer.close()
                    raise
                self.idle.append((reader, writer))
                return status
        raise AssertionError("unreachable")

    async def _exchange(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, path: str) -> int:
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
        head = (await reader.readuntil(b"\r\n\r\n")).lower()
        at = head.find(b"content-length:")
        if at >= 0:
            await reader.readexactly(int(head[at + 15 : head.index(b"\r\n", at)]))
        elif b"transfer-encoding: chunked" in head:
            while size := int((await reader.readline()).split(b";")[0], 16):
                await reader.readexactly(size + 2)
            await reader.readline()
        else:
            raise ValueError(f"response without a length to {path}")
        return int(head[9:12])

    def close(self) -> None:
        for _, writer in self.idle:
            writer.close()


async def load(base: str, rate: float, seconds: float, n_docs: int, seed: int, seen: set[str] | None = None) -> Result:
    assert base.startswith("http://127.0.0.1:"), "the load generator only targets this machine"
    rng = random.Random(seed)
    result = Result()
    total = int(rate * seconds)
    client = LeanClient("127.0.0.1", int(base.rsplit(":", 1)[1]))

    async def one(kind: str, path: str, due: float) -> None:
        sent = time.perf_counter()
        try:
            status = await asyncio.wait_for(client.get(path), TIMEOUT_S)
            ok = status == 200
            if not ok:
                result.errors.append(f"{status} {path}")
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            ok = False
            result.errors.append(f"{type(exc).__name__} {path}")
        done = time.perf_counter()
        if ok:
            result.latencies_ms.append((done - due) * 1000)
            result.service_ms.append((done - sent) * 1000)
            result.by_kind.setdefault(kind, []).append((done - due) * 1000)

    tasks = []
    start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        pause = due - time.perf_counter()
        if pause > 0:
            await asyncio.sleep(pause)
        kind, path = rng.choice(request_mix(rng, n_docs))
        if seen is not None:
            result.repeats += path in seen
            seen.add(path)
        tasks.append(asyncio.create_task(one(kind, path, due)))
        result.sent += 1
    await asyncio.gather(*tasks)
    result.wall_s = time.perf_counter() - start
    client.close()
    return result


def process_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its children (workers)."""
    total = 0.0
    for p in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


def _children(pid: int) -> list[int]:
    try:
        kids = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []
    return [k for c in kids for k in (c, *_children(c))]


async def cpu_per_kind(port: int, pid: int, n: int, n_docs: int, seed: int) -> dict[str, float]:
    """Server CPU milliseconds per request of each kind: ``n`` requests of the kind sent one at a
    time (no queueing, so the figure is the server's work alone, whatever else runs on the machine)."""
    rng = random.Random(seed)
    client = LeanClient("127.0.0.1", port, max_connections=1)
    by_kind: dict[str, list[str]] = {}
    while any(len(v) < n for v in by_kind.values()) or len(by_kind) < 6:
        for kind, path in request_mix(rng, n_docs):
            by_kind.setdefault(kind, []).append(path)
    out = {}
    for kind, paths in sorted(by_kind.items()):
        paths = paths[:n]
        before = process_cpu_s(pid)
        for path in paths:
            status = await client.get(path)
            if status != 200:
                raise RuntimeError(f"{status} from {path}")
        out[kind] = (process_cpu_s(pid) - before) * 1000 / len(paths)
    client.close()
    return out


def mix_cost(costs: dict[str, float]) -> float:
    """Mean server CPU ms per request of the mix, from the cost of each kind."""
    kinds = [k for k, _ in request_mix(random.Random(0), 2)]
    return sum(costs[k] for k in kinds) / len(kinds)


def cpu_summary(costs: dict[str, float]) -> str:
    return ("server CPU ms per request: " + ", ".join(f"{k} {v:.2f}" for k, v in costs.items())
            + f"; the mix {mix_cost(costs):.2f} (load average {os.getloadavg()[0]:.2f})")  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# -- main ---------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--rate", type=float, action="append",
                    help="requests per second (repeat for several runs; the first is judged) [200]")  # fmt: skip
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--db", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "tocsin-bench-api.db")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2, help="server processes (tocsin.web.serve(workers=...))")
    ap.add_argument("--no-write", action="store_true", help="do not update docs/benchmarks.md")
    ap.add_argument("--cpu", type=int, metavar="N",
                    help="only measure server CPU per request kind (N sequential requests each), then exit")  # fmt: skip
    args = ap.parse_args()
    args.rate = args.rate or [200.0]

    if not args.db.exists() or stored_events(args.db) != args.events:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{args.db}{suffix}").unlink(missing_ok=True)
        t = time.perf_counter()
        build_store(args.db, args.events)
        print(f"built {args.db}: {stored_events(args.db):,} events in {time.perf_counter() - t:.0f} s")
    n_events = stored_events(args.db)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.db, port, args.workers)
    runs: list[Run] = []
    try:
        wait_until_up(base)
        seen: set[str] = set()
        asyncio.run(load(base, 20, 2, n_events // 2, args.seed + 100, seen))  # warm the caches and connections
        if args.cpu:
            print(cpu_summary(asyncio.run(cpu_per_kind(port, server.pid, args.cpu, n_events // 2, args.seed))))
            return 0
        for i, rate in enumerate(args.rate):
            time.sleep(2)  # let the previous run's stragglers finish
            before, cpu = os.getloadavg()[0], time.process_time()
            # each run its own requests: a run replaying the previous one's would be answered from the
            # server's response cache (tocsin.web.cache); the repeats the mix makes itself are counted
            result = asyncio.run(load(base, rate, args.seconds, n_events // 2, args.seed + i, seen))
            runs.append(Run(rate, result, before, os.getloadavg()[0], (time.process_time() - cpu) / result.wall_s))
            print(runs[-1].summary())
        # then the server's CPU per request of each kind, one request at a time (new paths, mostly)
        costs = asyncio.run(cpu_per_kind(port, server.pid, CPU_REQUESTS, n_events // 2, args.seed + 50))
        print(cpu_summary(costs))
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:  # workers still waiting on connections: not our concern now
            server.kill()
            server.wait()

    target = runs[0]
    print("PASS" if target.passed else "FAIL",
          f"(target: 0 errors, p99 < {TARGET_P99_MS:.0f} ms at {target.rate:.0f}/s)")  # fmt: skip
    if not args.no_write:
        rates = " ".join(f"--rate {r:g}" for r in args.rate)
        table = "\n".join(r.row() for r in runs)
        kinds = "\n".join(
            f"| {kind} | {len(v):,} | {percentile(v, 50):.1f} | {percentile(v, 99):.1f} | {costs[kind]:.2f} |"
            for kind, v in sorted(target.result.by_kind.items())
        )
        report.write_section(SECTION, f"""{SECTION}

`python bench/bench_api_load.py --events {args.events} {rates} --seconds {args.seconds:g} --workers {args.workers}`:
`tocsin.web.serve(workers={args.workers})` (uvicorn with httptools and uvloop, access log on) over a SQLite store of {n_events:,}
events; requests sent open-loop for {args.seconds:g} s each from the same machine over 127.0.0.1 (client
and server share its {os.cpu_count()} cores with whatever else runs: the load average before and after
each run is in the table); latency counted from when each request was due, so queueing counts.
Python {platform.python_version()}, {date.today().isoformat()}. Target: 0 errors and p99 under
{TARGET_P99_MS:.0f} ms at 200 requests/s.

| rate/s | requests | repeated paths | answered/s | errors | p50 ms | p95 ms | p99 ms | max ms | client cores | load avg | target met |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
{table}

Latency by request kind at {target.rate:g}/s, and the server's CPU per request of each kind measured
after the runs ({CPU_REQUESTS} requests of the kind one at a time, so no queueing; /proc/PID/stat of the
server processes; the mix: {mix_cost(costs):.2f} ms a request):

| request kind | n | p50 ms | p99 ms | server CPU ms |
|---|---:|---:|---:|---:|
{kinds}
""")  # fmt: skip
    return 0 if target.passed else 1


@dataclass
class Run:
    rate: float
    result: Result
    load_before: float
    load_after: float
    client_cores: float

    @property
    def answered(self) -> float:
        return len(self.result.latencies_ms) / self.result.wall_s if self.result.wall_s else 0.0

    def p(self, q: float) -> float:
        return percentile(self.result.latencies_ms, q)

    @property
    def passed(self) -> bool:
        return not self.result.errors and self.p(99) < TARGET_P99_MS and self.answered >= 0.95 * self.rate

    def summary(self) -> str:
        r = self.result
        kinds = "".join(f"\n  {k:9s} n={len(v):5d} p50 {percentile(v, 50):7.1f} ms  p99 {percentile(v, 99):7.1f} ms"
                        for k, v in sorted(r.by_kind.items()))  # fmt: skip
        errors = "".join(f"\n  error: {e}" for e in r.errors[:5])
        return (f"{self.rate:g}/s: {r.sent} requests in {r.wall_s:.1f} s ({self.answered:.0f}/s answered), "
                f"{len(r.errors)} errors, {r.repeats / max(r.sent, 1):.0%} repeated paths; p50 {self.p(50):.1f} ms, p95 {self.p(95):.1f} ms, p99 {self.p(99):.1f} ms, "
                f"max {max(r.latencies_ms, default=0):.0f} ms; load average {self.load_before:.2f} -> "
                f"{self.load_after:.2f}; client {self.client_cores:.2f} cores{kinds}{errors}")  # fmt: skip

    def row(self) -> str:
        r = self.result
        return (f"| {self.rate:g} | {r.sent:,} | {r.repeats / max(r.sent, 1):.0%} | {self.answered:.0f} | {len(r.errors)} | {self.p(50):.1f} | "
                f"{self.p(95):.1f} | {self.p(99):.1f} | {max(r.latencies_ms, default=0):.0f} | "
                f"{self.client_cores:.2f} | {self.load_before:.2f} → {self.load_after:.2f} | "
                f"{'yes' if self.passed else 'no'} |")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
