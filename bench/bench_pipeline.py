"""End-to-end pipeline throughput and memory on real news (read from ../shared at run time).

    python bench/bench_pipeline.py [--docs 1000] [--workers 1 2] [--no-write]

Measures articles/second through ``tocsin.pipeline.run`` (clean → relevance → mentions → places →
events → SQLite store) for
  (a) a realistic mix: GLOCON wire documents, about 10% about protests;
  (b) all unrest: IndiaPoliceEvents (Times of India, March 2002 riots);
  (c) HTML pages (the ScrapingHub benchmark), against trafilatura's extraction alone on the same pages;
and peak resident memory. Each configuration runs in a fresh child process, so its peak RSS is its own.
Results are printed and written to the pipeline section of docs/benchmarks.md.
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

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TOCSIN_SHARED", REPO.parent / "shared"))
SECTION = "## Pipeline throughput (bench/bench_pipeline.py)"


def corpus(name: str, n: int, out: Path) -> Path:
    """Write up to ``n`` records of a corpus as ingest JSONL in ``out``; returns the file."""
    rows: list[dict[str, str]] = []
    if name == "glocon":
        with (SHARED / "eval/glocon/documents.jsonl").open(encoding="utf-8") as f:
            rows = [{"id": r["id"], "text": r["text"]} for r in map(json.loads, f)]
    elif name == "ipe":
        with (SHARED / "eval/india-police-events/metadata.jsonl").open(encoding="utf-8") as f:
            rows = [{"id": str(r["doc_id"]), "text": r["full_text"], "published": r["date"]} for r in map(json.loads, f)]
    elif name == "html":
        pages = sorted((SHARED / "eval/article-extraction-scrapinghub/html").glob("*.html"))
        rows = [{"id": p.stem, "html": p.read_text(encoding="utf-8", errors="replace")} for p in pages]
    else:
        raise ValueError(name)
    rows = (rows * (n // max(1, len(rows)) + 1))[:n] if name != "html" else rows[:n]
    path = out / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for i, row in enumerate(rows):
            f.write(json.dumps({**row, "id": f"{row['id']}-{i}"}) + "\n")
    return path


CHILD = """
import json, sys, time, resource
from tocsin.settings import Settings
from tocsin.store.base import open_store
from tocsin.ingest import iter_documents
from tocsin.pipeline import make_components, run
src, db, workers, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if mode == "trafilatura":
    import trafilatura
    docs = [json.loads(line)["html"] for line in open(src, encoding="utf-8")]
    t = time.perf_counter()
    for html in docs:
        trafilatura.extract(html, with_metadata=True)
    n = len(docs)
else:
    settings = Settings.load(db=db, workers=workers)
    components = make_components(settings) if workers == 1 else None
    if components is not None:
        # load everything a first document loads lazily (gazetteer, language model, trafilatura, spaCy,
        # dateparser data) outside the timing, as the reference imports trafilatura before its clock starts:
        # the figure is the steady rate, not the start-up; one of the bundled sample pages, not the corpus
        from importlib import resources
        from tocsin.pipeline import process
        from tocsin.records import RawDocument
        sample = resources.files("tocsin.samples") / "nakuru-market-riot.html"
        process(RawDocument("warm-up", html=sample.read_text(encoding="utf-8")), components)
    store = open_store(db)
    t = time.perf_counter()
    summary = run(iter_documents([src], settings), store, settings, components=components)
    n = summary.documents
    store.close()
elapsed = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e3
print(json.dumps({"docs": n, "seconds": elapsed, "peak_mb": peak, "worker_peak_mb": kids}))
"""


def measure(src: Path, workers: int, mode: str = "pipeline") -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(src), str(Path(tmp) / "bench.db"), str(workers), mode],
            check=True, capture_output=True, text=True,
        ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["per_s"] = result["docs"] / result["seconds"]
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1000, help="documents per text corpus")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = ap.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = {
            "realistic mix (GLOCON, ~10% unrest), text": corpus("glocon", args.docs, Path(tmp)),
            "all unrest (IndiaPoliceEvents), text": corpus("ipe", args.docs, Path(tmp)),
            "HTML pages (ScrapingHub)": corpus("html", args.docs, Path(tmp)),
        }
        for label, src in inputs.items():
            for workers in args.workers:
                r = measure(src, workers)
                rows.append((label, f"tocsin, {workers} worker(s)", r))
                print(f"{label:45s} workers={workers}: {r['per_s']:7.1f} docs/s  peak {max(r['peak_mb'], r['worker_peak_mb']):.0f} MB",
                      flush=True)
        r = measure(inputs["HTML pages (ScrapingHub)"], 1, mode="trafilatura")
        rows.append(("HTML pages (ScrapingHub)", "trafilatura.extract alone, 1 process", r))
        print(f"{'trafilatura alone on the same HTML':45s}          : {r['per_s']:7.1f} docs/s", flush=True)

    body = report.section(
        SECTION,
        f"`python bench/bench_pipeline.py --docs {args.docs}`; {platform.python_implementation()} "
        f"{platform.python_version()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}. "
        "End to end: ingest → clean → relevance → mentions → places → events → SQLite. "
        "Peak RSS is the largest of the main process and any worker process.",
        report.markdown_table(
            ["input", "configuration", "documents:", "seconds:", "documents/s:", "peak RSS MB:"],
            [(label, config, f"{r['docs']:,}", f"{r['seconds']:.1f}", f"{r['per_s']:.1f}",
              f"{max(r['peak_mb'], r['worker_peak_mb']):.0f}") for label, config, r in rows],
        ),
    )
    print(body)
    if not args.no_write:
        report.write_section(SECTION, body)
    return 0


if __name__ == "__main__":
    sys.exit(main())
