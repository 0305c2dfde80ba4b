"""Dask scaling: the pipeline on a loopback LocalCluster of 1 and of 2 workers (read from ../shared at run time).

    python bench/bench_dask.py [--docs 512] [--workers 1 2] [--repeat 3] [--no-write]

The input is the realistic mix (GLOCON wire documents, repeated with distinct ids beyond its 512), written
as ingest JSONL. By default each document once: a verbatim repeat costs the worker that processed the
first copy 10-13% less than a new document (its own caches: the date expressions dateparser parsed,
spaCy's vocabulary), and one worker has processed every first copy where each of two has half of them,
which favours one worker (issue 7, eighth round). For each cluster size, each worker's components are
built and warmed on the bundled samples before the clock starts (a one-off per worker, reported apart);
then ``tocsin.pipeline.run`` streams the documents through ``tocsin.scale.dask`` into a fresh SQLite
store, the calling process the one writer.
Wall time, documents/s, the speed-up over one worker, CPU time per document of the workers and of the
client, peak RSS of the client and of each worker, and the machine's load average before the run (the
cores are shared, so CPU per document is the load-independent figure) are printed and written to the Dask
section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import report
from bench_pipeline import corpus

SECTION = "## Dask (bench/bench_dask.py)"


def _warm(dask_worker, name: str) -> float:  # noqa: ANN001 (dask passes the worker)
    """Build the worker's components and run the bundled samples through them, so the one-off loads
    (gazetteer, language model, date parser data, trafilatura) happen before the clock starts."""
    from tocsin.ingest import iter_documents, samples_dir
    from tocsin.pipeline import safe_process
    from tocsin.records import RawDocument

    t = time.perf_counter()
    components = dask_worker.plugins[name].components()
    for doc in iter_documents([str(samples_dir())], components.settings):
        if isinstance(doc, RawDocument):
            safe_process(doc, components)
    return time.perf_counter() - t


def _warm_writer() -> None:
    """The writer's one-off imports happen before the clock too, as the workers' loads do (the figure is the
    steady rate): grouping stories pulls in scikit-learn's clustering, ~1 s of the client's CPU, which in a
    1,000-document run was most of the client's CPU per document."""
    import tocsin.dedupe.neardup
    import tocsin.dedupe.stories  # noqa: F401


def _repeats(src: Path) -> str:
    """How many of the input's documents repeat an earlier one's text verbatim (under another id)."""
    texts = [json.loads(line)["text"] for line in src.open(encoding="utf-8")]
    repeats = len(texts) - len(set(texts))
    plural = "s" * (repeats > 1)
    return f"{len(texts) - repeats} distinct documents" + (f" and {repeats} verbatim repeat{plural}" if repeats else "")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(src: Path, workers: int, tmp: Path, write: bool = True) -> dict[str, float]:
    """One timed run on a fresh ``workers``-worker cluster; ``write=False`` drops the results in the client
    instead of storing them (the scale-out of the pure stages alone, as on a cluster whose writer has a
    machine of its own)."""

    from tocsin.ingest import iter_documents
    from tocsin.pipeline import RunSummary, run
    from tocsin.scale.dask import ComponentsPlugin, local_client, plugin_name, process_on_dask
    from tocsin.settings import Settings
    from tocsin.store.base import open_store

    with local_client(workers) as client:
        db = tempfile.mkstemp(suffix=".db", dir=tmp)[1]  # a fresh store each time: nothing already known
        os.unlink(db)
        settings = Settings.load(db=db, dask=client.scheduler.address, workers=workers)
        name = plugin_name(settings)
        client.register_plugin(ComponentsPlugin(settings), name=name)
        warm = max(client.run(_warm, name=name).values())
        _warm_writer()
        store = open_store(settings.db) if write else None
        load = os.getloadavg()[0]
        worker_cpu = sum(client.run(_cpu_s).values())
        client_cpu = _cpu_s()
        t = time.perf_counter()
        if store is not None:
            # the cluster's own client, as `tocsin ingest --dask local` has: one event loop in this process
            summary = run(iter_documents([str(src)], settings), store, settings, sources=[str(src)],
                          dask_client=client)  # fmt: skip
        else:
            results = list(process_on_dask(iter_documents([str(src)], settings), settings, client))
            summary = RunSummary(0, documents=len(results), events=sum(len(r.events) for r in results if r))
        elapsed = time.perf_counter() - t
        client_cpu = _cpu_s() - client_cpu
        worker_cpu = sum(client.run(_cpu_s).values()) - worker_cpu
        if store is not None:
            store.close()
        worker_peaks = client.run(_peak_mb)
    return {
        "workers": workers,
        "docs": summary.documents,
        "events": summary.events,
        "seconds": elapsed,
        "per_s": summary.documents / elapsed,
        "warm_s": warm,
        "load": load,
        "worker_cpu_ms": 1e3 * worker_cpu / summary.documents,
        "client_cpu_ms": 1e3 * client_cpu / summary.documents,
        "client_peak_mb": _peak_mb(),
        "worker_peak_mb": max(worker_peaks.values()),
    }


def _ceiling(sizes: list[int], worker_ms: dict[int, float], client_ms: dict[int, float]) -> str:
    """The speed-up the CPU figures allow on os.cpu_count() otherwise idle cores: n workers and the client
    share the cores, each document costing its worker's CPU plus the client's (a load-independent estimate)."""
    cores = os.cpu_count() or 1

    def rate(n: int) -> float:
        per_doc = worker_ms[n] + client_ms[n]  # CPU ms a document costs in all
        return min(1000 * n / worker_ms[n], 1000 * cores / per_doc, 1000 / client_ms[n])

    if len(sizes) < 2:
        return ""
    first, last = sizes[0], sizes[-1]
    return (f" On {cores} idle cores these CPU costs allow {rate(first):.0f} documents/s with {first} worker(s) and "
            f"{rate(last):.0f} with {last}: a ceiling of {rate(last) / rate(first):.2f}x.")


def _without_writer(bare: dict[int, list[float]]) -> str:
    """The medians of the rounds whose results were dropped in the client, not stored."""
    if not all(bare.values()):
        return ""
    medians = {w: statistics.median(v) for w, v in bare.items()}
    base = medians[min(medians)]
    return (" The same rounds with the results dropped in the client instead of stored (the pure stages' scale-out, "
            "as on a cluster whose writer has a core of its own), median documents/s: "
            + "; ".join(f"{w} worker(s) {m:.1f} ({m / base:.2f}x)" for w, m in medians.items()) + ".")


def _paired(rows: list[dict[str, float]], sizes: list[int]) -> str:
    """Each round's own speed-up: its runs were taken back to back, so a slower spell of the shared host
    weighs on both sides of its ratio more often than on the medians of all rounds."""
    if len(sizes) < 2:
        return ""
    first, last = sizes[0], sizes[-1]
    rounds = [rows[i : i + len(sizes)] for i in range(0, len(rows), len(sizes))]
    ratios = [r[-1]["per_s"] / r[0]["per_s"] for r in rounds if r[0]["workers"] == first and r[-1]["workers"] == last]
    if not ratios:
        return ""
    return (f" Each round's own ratio, {last} worker(s) against {first}: "
            + ", ".join(f"{x:.2f}x" for x in ratios) + f" (median {statistics.median(ratios):.2f}x).")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=512,
                    help="documents (GLOCON's 512, repeated verbatim with distinct ids beyond that)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--repeat", type=int, default=1, help="rounds over the cluster sizes (the cores are shared: "
                    "the speed-up is the ratio of medians)")
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    ap.add_argument("--without-writer", action="store_true",
                    help="also time the same rounds with the results dropped in the client instead of stored")
    args = ap.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        src = corpus("glocon", args.docs, Path(tmp))
        described = _repeats(src)
        for _ in range(args.repeat):
            for workers in args.workers:  # alternating sizes, so a burst of other load hits both alike
                r = measure(src, workers, Path(tmp))
                rows.append(r)
                print(f"dask workers={workers}: {r['per_s']:6.1f} docs/s ({r['docs']} docs, {r['events']} events, "
                      f"{r['seconds']:.1f} s; load before {r['load']:.1f}; CPU ms/doc workers "
                      f"{r['worker_cpu_ms']:.1f}, client {r['client_cpu_ms']:.1f})", flush=True)
    bare: dict[int, list[float]] = {w: [] for w in args.workers}
    if args.without_writer:
        with tempfile.TemporaryDirectory() as tmp:
            src = corpus("glocon", args.docs, Path(tmp))
            for _ in range(args.repeat):
                for workers in args.workers:
                    r = measure(src, workers, Path(tmp), write=False)
                    bare[workers].append(r["per_s"])
                    print(f"dask workers={workers}, results dropped: {r['per_s']:6.1f} docs/s "
                          f"(load before {r['load']:.1f})", flush=True)
    medians = {w: statistics.median(r["per_s"] for r in rows if r["workers"] == w) for w in args.workers}
    base = medians[args.workers[0]]
    cpu = {w: statistics.median(r["worker_cpu_ms"] for r in rows if r["workers"] == w) for w in args.workers}
    client = {w: statistics.median(r["client_cpu_ms"] for r in rows if r["workers"] == w) for w in args.workers}
    body = report.section(
        SECTION,
        f"`python bench/bench_dask.py --docs {args.docs} --repeat {args.repeat}`; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores (shared with other work: the load average before "
        f"each run is shown), {time.strftime('%Y-%m-%d')}. Realistic mix (GLOCON wire text, {described}), "
        "LocalCluster on 127.0.0.1, one thread per worker, the calling process the one SQLite writer. Components are "
        "built and warmed on the bundled samples on every worker before the clock starts (the warm-up column).",
        report.markdown_table(
            ["workers:", "documents:", "events:", "seconds:", "documents/s:", "vs 1-worker median:", "load before:",
             "worker CPU ms/doc:", "client CPU ms/doc:", "warm-up s:", "client peak RSS MB:", "worker peak RSS MB:"],
            [(r["workers"], f"{r['docs']:,}", r["events"], f"{r['seconds']:.1f}", f"{r['per_s']:.1f}",
              f"{r['per_s'] / base:.2f}x", f"{r['load']:.1f}", f"{r['worker_cpu_ms']:.1f}", f"{r['client_cpu_ms']:.1f}",
              f"{r['warm_s']:.1f}", f"{r['client_peak_mb']:.0f}", f"{r['worker_peak_mb']:.0f}")
             for r in sorted(rows, key=lambda r: r["workers"])],
        ),
        "Median documents/s: " + "; ".join(f"{w} worker(s) {m:.1f} ({m / base:.2f}x)" for w, m in medians.items())
        + f" over {args.repeat} round(s). Worker CPU per document (median): "
        + "; ".join(f"{w} worker(s) {c:.1f} ms" for w, c in cpu.items())
        + f" ({cpu[args.workers[-1]] / cpu[args.workers[0]]:.2f}x; 1.00 = the extra workers add no work per "
        "document); client (the one writer, with the scheduler) CPU per document: "
        + "; ".join(f"{w} worker(s) {c:.1f} ms" for w, c in client.items())
        + ". Wall-clock figures depend on what else ran on the shared cores (load column)." + _paired(rows, args.workers)
        + _ceiling(args.workers, cpu, client)
        + _without_writer(bare),
    )
    print(body)
    if not args.no_write:
        report.write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
