"""Peak memory against input size: the same pipeline on 1x and 10x the input must peak at about the same RSS.

    python bench/bench_memory.py [--docs 300] [--factor 10] [--workers 1 2] [--no-write]

The input is the realistic mix (GLOCON wire text, repeated with distinct ids) as one JSONL file of
``--docs`` and one of ``--docs × --factor`` documents. Each configuration runs ``tocsin.pipeline.run``
into a fresh SQLite store in a fresh child process, so its peak RSS (and its pool workers' peak) is its
own. Input is streamed, submission to workers is windowed and results are stored in batches, so the
peak should not grow with the input; what the store keeps in memory (indexes over stored documents)
would show up here. Results are printed and written to the memory section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import report
from bench_pipeline import corpus

SECTION = "## Peak memory against input size (bench/bench_memory.py)"
# Peak RSS may wobble by allocator noise and the SQLite page cache; more than this much growth from 1x to
# 10x input is reported as growth.
SAME_PEAK_TOLERANCE = 1.10

CHILD = """
import json, resource, sys, time
from tocsin.ingest import iter_documents
from tocsin.pipeline import run
from tocsin.settings import Settings
from tocsin.store.base import open_store
src, db, workers = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = Settings.load(db=db, workers=workers)
store = open_store(db)
t = time.perf_counter()
summary = run(iter_documents([src], settings), store, settings, sources=[src])
elapsed = time.perf_counter() - t
store.close()
print(json.dumps({"docs": summary.documents, "seconds": elapsed,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3,
                  "worker_peak_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e3}))
"""


def _mb(value: float) -> str:
    return f"{value:.0f}"


def measure(src: Path, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(src), str(Path(tmp) / "m.db"), str(workers)],
            check=True, capture_output=True, text=True,
        ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=300, help="documents in the 1x input")
    ap.add_argument("--factor", type=int, default=10, help="the large input is this many times the small one")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args(argv)

    rows = []
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("small", "large"):
            (Path(tmp) / name).mkdir()
        small = corpus("glocon", args.docs, Path(tmp) / "small")
        large = corpus("glocon", args.docs * args.factor, Path(tmp) / "large")
        for workers in args.workers:
            for label, src in (("1x", small), (f"{args.factor}x", large)):
                r = measure(src, workers)
                rows.append((workers, label, r))
                print(f"workers={workers} {label:>4}: {r['docs']:6,} docs in {r['seconds']:6.1f} s, "
                      f"main peak {r['peak_mb']:.0f} MB, worker peak {r['worker_peak_mb']:.0f} MB", flush=True)
            main_growth = rows[-1][2]["peak_mb"] / rows[-2][2]["peak_mb"]
            verdict = "same peak" if main_growth <= SAME_PEAK_TOLERANCE else "GROWS with the input"
            print(f"workers={workers}: {args.factor}x input → main process peak x{main_growth:.2f} ({verdict})",
                  flush=True)

    growth = []
    for w in args.workers:
        small_r, large_r = (r for ww, _, r in rows if ww == w)
        part = f"{w} worker(s): main process x{large_r['peak_mb'] / small_r['peak_mb']:.2f}"
        if w > 1:
            part += f", workers x{large_r['worker_peak_mb'] / small_r['worker_peak_mb']:.2f}"
        growth.append(part)
    body = report.section(
        SECTION,
        f"`python bench/bench_memory.py --docs {args.docs} --factor {args.factor}`; "
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores, "
        f"{time.strftime('%Y-%m-%d')}, load average before the runs {load:.1f}. Realistic mix (GLOCON wire "
        "text, repeated with distinct ids) → `tocsin.pipeline.run` → a fresh SQLite store, each configuration "
        "in a fresh process. Worker peak is the largest pool worker (workers > 1).",
        report.markdown_table(
            ["workers:", "input", "documents:", "seconds:", "documents/s:", "main peak RSS MB:",
             "worker peak RSS MB:"],
            [(w, label, f"{r['docs']:,}", f"{r['seconds']:.1f}", f"{r['docs'] / r['seconds']:.1f}",
              f"{r['peak_mb']:.0f}", _mb(r["worker_peak_mb"]) if w > 1 else "-") for w, label, r in rows],
        ),
        f"Peak RSS from 1x to {args.factor}x input: " + "; ".join(growth) + ".",
    )
    print(body)
    if not args.no_write:
        report.write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
