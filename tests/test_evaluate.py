"""Our scorer must agree with the reference scorer shipped with the gold data (read at run time)."""

import importlib.util
import json

import pytest

from tocsin.evaluate import score

GOLD = [
    {"doc_id": "d1", "events": [
        {"event_date": "2024-03-05", "location": "Lyon", "latitude": 45.75, "longitude": 4.85, "event_type": "Riots",
         "sub_event_type": "Violent demonstration", "alt_sub_event_types": [], "crowd_size_low": 2000,
         "fatalities": 0, "injuries": None, "arrests": 14},
        {"event_date": "2024-03-06", "location": "Grenoble", "latitude": 45.17, "longitude": 5.72,
         "event_type": "Protests", "sub_event_type": "Peaceful protest", "alt_sub_event_types": [],
         "crowd_size_low": 300, "fatalities": 0, "injuries": None, "arrests": None}]},
    {"doc_id": "d2", "events": []},
    {"doc_id": "d3", "events": [
        {"event_date": "2024-01-01", "location": "Oslo", "latitude": 59.91, "longitude": 10.75,
         "event_type": "Protests", "sub_event_type": "Peaceful protest", "alt_sub_event_types": [],
         "crowd_size_low": None, "fatalities": 0, "injuries": None, "arrests": None}]},
]
PRED = [
    {"event_date": "2024-03-06", "location": "Lyon", "latitude": 45.76, "longitude": 4.84, "event_type": "Riots",
     "sub_event_type": "Mob violence", "crowd_size_low": 2000, "fatalities": 0, "arrests": 12,
     "sources": [{"doc_id": "d1"}]},
    {"event_date": "2024-03-06", "location": "Paris", "latitude": 48.85, "longitude": 2.35, "event_type": "Protests",
     "sub_event_type": "Peaceful protest", "sources": [{"doc_id": "d1"}, {"doc_id": "d2"}]},
]


@pytest.mark.corpus
def test_agrees_with_reference_scorer(shared) -> None:
    spec = importlib.util.spec_from_file_location("score_events", shared / "eval" / "score_events.py")
    ref = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ref)
    gold, pred = json.loads(json.dumps(GOLD)), json.loads(json.dumps(PRED))
    assert score(gold, pred) == ref.score(gold, pred)


def test_scores_by_hand() -> None:
    r = score(GOLD, PRED)
    assert (r["events"]["tp"], r["events"]["predicted"], r["events"]["gold"]) == (1, 3, 3)
    assert (r["documents"]["tp"], r["documents"]["predicted"], r["documents"]["gold"]) == (1, 2, 2)
    assert r["on_matched"]["sub_event_type"]["accuracy"] == 0.0
    assert r["on_matched"]["crowd_size_low"]["accuracy"] == 1.0
    assert r["on_matched"]["arrests"]["accuracy"] == 0.0
