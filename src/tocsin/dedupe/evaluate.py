"""Evaluation of story grouping against gold clusters: B-cubed precision, recall and F1."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path

from tocsin.dedupe.stories import StoryDoc, assign_stories


def bcubed(predicted: Mapping[str, Hashable], gold: Mapping[str, Hashable]) -> dict[str, float]:
    """B-cubed (Bagga & Baldwin 1998) over the items of ``gold``: per item, the share of its predicted
    cluster that is in its gold cluster (precision) and of its gold cluster that is in its predicted
    cluster (recall), averaged over items."""
    missing = set(gold) - set(predicted)
    if missing:
        raise ValueError(f"{len(missing)} gold item(s) have no prediction, e.g. {sorted(missing)[:3]}")
    if not gold:
        raise ValueError("no gold items to score")
    pred_members: dict[Hashable, set[str]] = defaultdict(set)
    gold_members: dict[Hashable, set[str]] = defaultdict(set)
    for item in gold:
        pred_members[predicted[item]].add(item)
        gold_members[gold[item]].add(item)
    p = r = 0.0
    for item in gold:
        both = len(pred_members[predicted[item]] & gold_members[gold[item]])
        p += both / len(pred_members[predicted[item]])
        r += both / len(gold_members[gold[item]])
    p, r = p / len(gold), r / len(gold)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def read_ecbplus(path: str | Path) -> tuple[list[StoryDoc], dict[str, str]]:
    """ECB+ ``ecbplus_documents.jsonl``: documents (tokenised text) and their gold sub-topic cluster."""
    docs, gold = [], {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            try:
                doc_id, text, cluster = row["doc_name"], row["text_tokenized"], row["cluster_id"]
            except KeyError as exc:
                raise ValueError(
                    f"{path}:{n}: not an ECB+ documents line (missing {exc}); "
                    "expected ecbplus_documents.jsonl from the shared eval folder"
                ) from None
            docs.append(StoryDoc(doc_id, text))
            gold[doc_id] = cluster
    return docs, gold


Grouper = Callable[[Iterable[StoryDoc]], Mapping[str, str]]


def evaluate_ecbplus(path: str | Path, grouper: Grouper = assign_stories) -> dict[str, float]:
    """B-cubed P/R/F1 of story ids against ECB+ sub-topic clusters, all documents mixed together."""
    docs, gold = read_ecbplus(path)
    predicted = grouper(docs)
    scores = bcubed(predicted, gold)
    scores.update(
        documents=len(docs),
        gold_clusters=len(set(gold.values())),
        predicted_clusters=len(set(predicted.values())),
    )
    return scores
