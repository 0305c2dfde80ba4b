"""Near-duplicate calibration on real texts read at run time: copies must match, rewrites must not.

Positives: every events-dev document, copied here with junk lines inserted, a new headline and sign-off
and its last sixth cut (what a second scrape or another outlet's re-run looks like). Negatives: ECB+
articles about different events (never a match), and different articles about one event, which may
match only when they are edited versions of one wire story (measured: 1.4% of such pairs).
"""

from __future__ import annotations

import itertools
import json
import random
from collections import defaultdict
from pathlib import Path

import pytest

from tocsin.dedupe.neardup import NearDuplicateIndex

pytestmark = pytest.mark.corpus

JUNK = [
    "Share this article",
    "READ MORE: top stories today",
    "Subscribe to our newsletter",
    "icon icon facebook twitter whatsapp",
    "Advertisement",
    "All rights reserved.",
]


def _copy(text: str, rng: random.Random) -> str:
    parts = text.split(". ")
    for _ in range(5):
        parts.insert(rng.randrange(len(parts) + 1), rng.choice(JUNK))
    return "Breaking news\n" + ". ".join(parts[: len(parts) * 5 // 6]) + "\nReporting by our staff."


def test_copies_of_real_articles_are_found_and_different_articles_are_not(shared: Path) -> None:
    docs = [
        json.loads(x)
        for x in (shared / "eval/events-dev/docs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    index = NearDuplicateIndex()
    for d in docs:
        assert index.add(d["id"], d["text"]) is None  # no two events-dev articles are copies
    rng = random.Random(3)
    found = sum(index.add(f"{d['id']}~copy", _copy(d["text"], rng)) == d["id"] for d in docs)
    assert found == len(docs)


def test_articles_about_different_events_never_match_and_rewrites_rarely(shared: Path) -> None:
    rows = [json.loads(x) for x in (shared / "eval/ecbplus/ecbplus_documents.jsonl").read_text().splitlines()]
    index = NearDuplicateIndex()
    cluster = {r["doc_name"]: r["cluster_id"] for r in rows}
    matches = {}
    for r in rows:
        m = index.add(r["doc_name"], r["text_tokenized"])
        if m is not None:
            matches[r["doc_name"]] = m
    assert all(cluster[a] == cluster[b] for a, b in matches.items())
    per_cluster = defaultdict(int)
    for r in rows:
        per_cluster[r["cluster_id"]] += 1
    same_event_pairs = sum(n * (n - 1) // 2 for n in per_cluster.values())
    flagged = sum(
        index.similarity(a, b) >= index.threshold
        for a, b in itertools.combinations(cluster, 2)
        if cluster[a] == cluster[b]
    )
    assert flagged / same_event_pairs <= 0.03  # measured 0.014: 40 of 2,925 pairs, edited wire copies
    assert len(matches) <= 0.1 * len(rows)  # measured 29 of 496 documents
