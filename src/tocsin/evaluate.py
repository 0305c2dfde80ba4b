"""Score extracted events against an event-level gold set (format and rules: EVENTS-GOLD.md).

The definitions are those of the reference scorer ``score_events.py``: within each document, a predicted
event matches a gold event when the dates are within one day and the places within 50 km (or, without
coordinates, the names are equal); matching is one-to-one, closest pairs first. Document-level detection
counts a document as positive when it has at least one event. Agreement of fields is measured on matched
pairs. ``tests/test_evaluate.py`` checks that this module and the reference scorer agree.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

MATCH_KM = 50.0
LOCATION_OK_KM = 25.0
NUMERIC_FIELDS = ("crowd_size_low", "fatalities", "injuries", "arrests")


def haversine_km(a: dict[str, Any], b: dict[str, Any]) -> float | None:
    try:
        lat1, lon1, lat2, lon2 = (math.radians(float(v)) for v in (a["latitude"], a["longitude"], b["latitude"], b["longitude"]))
    except (KeyError, TypeError, ValueError):
        return None
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _place_distance(g: dict[str, Any], p: dict[str, Any]) -> float | None:
    """Distance in km, 0 for equal names without coordinates, None when the places do not match."""
    d = haversine_km(g, p)
    if d is not None:
        return d if d <= MATCH_KM else None
    gname, pname = str(g.get("location", "")).strip().lower(), str(p.get("location", "")).strip().lower()
    return 0.0 if gname and gname == pname else None


def match_events(gold: list[dict[str, Any]], pred: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            gd, pd = _day(g.get("event_date")), _day(p.get("event_date"))
            if gd is None or pd is None or abs((gd - pd).days) > 1:
                continue
            dist = _place_distance(g, p)
            if dist is not None:
                candidates.append((abs((gd - pd).days), dist, i, j))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, _, i, j in sorted(candidates):
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            pairs.append((gold[i], pred[j]))
    return pairs


def prf(tp: int, predicted: int, gold: int) -> dict[str, Any]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "predicted": predicted, "gold": gold}


def score(gold_rows: Iterable[dict[str, Any]], predicted: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Event and document P/R/F1 and per-field agreement of ``predicted`` (export rows) against gold."""
    gold_docs = {row["doc_id"]: row.get("events", []) for row in gold_rows}
    by_doc: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in predicted:
        for src in event.get("sources") or []:
            doc_id = src.get("doc_id") if isinstance(src, dict) else src
            if doc_id in gold_docs:
                by_doc[doc_id].append(event)
    tp = n_pred = n_gold = doc_tp = doc_pred = doc_gold = 0
    agree: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc_id, gold in gold_docs.items():
        pred = by_doc.get(doc_id, [])
        pairs = match_events(gold, pred)
        tp, n_pred, n_gold = tp + len(pairs), n_pred + len(pred), n_gold + len(gold)
        doc_pred, doc_gold = doc_pred + bool(pred), doc_gold + bool(gold)
        doc_tp += bool(pred) and bool(gold)
        for g, p in pairs:
            _agreement(agree, g, p)
    return {
        "events": prf(tp, n_pred, n_gold),
        "documents": prf(doc_tp, doc_pred, doc_gold),
        "on_matched": {k: {"accuracy": round(v[0] / v[1], 4) if v[1] else None, "n": v[1]} for k, v in agree.items()},
    }


def _agreement(agree: dict[str, list[int]], g: dict[str, Any], p: dict[str, Any]) -> None:
    def tally(name: str, ok: bool) -> None:
        agree[name][0] += ok
        agree[name][1] += 1

    d = haversine_km(g, p)
    tally("location_25km", d is not None and d <= LOCATION_OK_KM)
    tally("date_exact", _day(g["event_date"]) == _day(p.get("event_date")))
    tally("event_type", g.get("event_type") == p.get("event_type"))
    tally("sub_event_type", p.get("sub_event_type") in {g.get("sub_event_type"), *g.get("alt_sub_event_types", [])})
    for field in NUMERIC_FIELDS:
        if isinstance(g.get(field), int):
            tally(field, p.get(field) == g[field])


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield json.loads(line)


def gold_documents(gold_dir: Path) -> Iterator[dict[str, Any]]:
    """The documents of a gold set, as ingest records (``id``, ``text`` or ``html``, ``published`` …).

    Two layouts are read: ``docs.jsonl`` (one record a line), or ``docs/`` + ``index.jsonl`` as
    described in EVENTS-GOLD.md.
    """
    if (gold_dir / "docs.jsonl").is_file():
        yield from read_jsonl(gold_dir / "docs.jsonl")
        return
    index = gold_dir / "index.jsonl"
    if not index.is_file():
        raise FileNotFoundError(f"{gold_dir} has neither docs.jsonl nor docs/ with index.jsonl")
    for row in read_jsonl(index):
        doc_id = row["doc_id"]
        for ext, key in ((".txt", "text"), (".html", "html")):
            path = gold_dir / "docs" / f"{doc_id}{ext}"
            if path.is_file():
                yield {**row, "id": doc_id, key: path.read_text(encoding="utf-8", errors="replace")}
                break
        else:
            raise FileNotFoundError(f"no docs/{doc_id}.txt or .html in {gold_dir}")


def _documents(records: Iterable[dict[str, Any]], origin: str) -> Iterator[Any]:
    from tocsin.ingest.fields import RecordError, to_document
    from tocsin.records import Rejected

    for n, record in enumerate(records, 1):
        try:
            yield to_document(record, f"{origin}:{n}")
        except RecordError as exc:
            yield Rejected(str(record.get("id") or record.get("doc_id") or n), f"{origin}:{n}", str(exc))


def evaluate_gold(gold_dir: Path, settings: Any, components: Any = None) -> dict[str, Any]:
    """Run the whole pipeline on a gold set in a temporary database and score its export."""
    from tocsin.export import event_record
    from tocsin.pipeline import run
    from tocsin.store.base import open_store

    gold_path = gold_dir / "gold.jsonl"
    if not gold_path.is_file():
        raise FileNotFoundError(f"{gold_path} not found: a gold set needs gold.jsonl (see EVENTS-GOLD.md)")
    with tempfile.TemporaryDirectory(prefix="tocsin-eval-") as tmp:
        store = open_store(str(Path(tmp) / "eval.db"))
        try:
            docs = _documents(gold_documents(gold_dir), origin=str(gold_dir))
            summary = run(docs, store, settings, sources=[str(gold_dir)], components=components)
            predicted = [event_record(e) for e in store.events()]
        finally:
            store.close()
    result = score(read_jsonl(gold_path), predicted)
    result["run"] = summary.as_dict()
    return result
