"""Geoparser throughput, index build time and memory; prints figures, asserts nothing.

    python bench/bench_geoparse.py [--cache DIR] [--docs N] [--corpus PATH/lgl.xml]

Articles of ~500 words are made at run time by joining consecutive LGL articles (read from
../shared, never copied). Without --cache the index is built fresh in a temp dir and timed.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tocsin.geo.base import GeoHints
from tocsin.geo.builtin import GeonamesGeocoder
from tocsin.geo.evaluate import read_lgl
from tocsin.geo.gazetteer import index_path

REPO = Path(__file__).resolve().parents[1]
WORDS_PER_ARTICLE = 500


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1e6


def articles(corpus: Path, n: int) -> list[tuple[str, str | None]]:
    """(text, web address of its first source article): the geocoder reads the outlet's town from it."""
    out, current = [], []
    docs = [(d.text, d.url) for d in read_lgl(corpus)]
    i = 0
    while len(out) < n:
        current.append(docs[i % len(docs)])
        i += 1
        words = "\n\n".join(text for text, _ in current).split(" ")
        if len(words) >= WORDS_PER_ARTICLE:
            out.append((" ".join(words[:WORDS_PER_ARTICLE]), current[0][1]))
            current = []
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--cache", type=Path, help="use (or build) the index here instead of a fresh temp dir")
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared/eval/geoparsing/lgl.xml")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        cache = args.cache or Path(tmp)
        if not index_path(cache).exists():  # built in a child process, so this one's RSS is the geocoder's
            t = time.perf_counter()
            code = "import sys; from tocsin.geo.builtin import build_index; build_index(sys.argv[1])"
            subprocess.run([sys.executable, "-c", code, str(cache)], check=True)
            child_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e3
            size = index_path(cache).stat().st_size / 1e6
            print(
                f"index build: {time.perf_counter() - t:.1f} s, {size:.0f} MB on disk, peak {child_peak:.0f} MB"
            )
        docs = articles(args.corpus, args.docs)
        words = sum(len(text.split()) for text, _ in docs) / len(docs)
        before = rss_mb()
        geocoder = GeonamesGeocoder(cache)
        t = time.perf_counter()
        _ = geocoder.gazetteer
        print(f"index load: {time.perf_counter() - t:.1f} s, +{rss_mb() - before:.0f} MB RSS")
        t0, c0 = time.perf_counter(), time.process_time()
        found = sum(len(geocoder.parse(text, GeoHints(url=url))) for text, url in docs)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        print(f"{len(docs)} articles of {words:.0f} words: {len(docs) / cpu:.0f} docs/s per core (CPU time), "
              f"{len(docs) / wall:.0f} docs/s wall, {found / len(docs):.1f} toponyms/doc")  # fmt: skip
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
        print(f"RSS now {rss_mb():.0f} MB, peak {peak:.0f} MB (the whole process: Python, corpus, geocoder)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
