"""Geoparsing quality on the LGL and GeoVirus gold corpora (read from ../shared at run time).

Floors sit just below the figures measured when they were last raised; a regression fails here.
Accuracy counts every gold toponym with coordinates: a missed or unresolved one is wrong.
"""

from __future__ import annotations

import pytest

from tocsin.geo.evaluate import READERS, corpus_file, evaluate_geoparsing

# measured 2026-11-26: LGL acc@161km 0.795, exact id 0.803, country 0.905, P 0.822, R 0.881;
#                      GeoVirus acc@161km 0.744, P 0.803, R 0.950
FLOORS = {
    "lgl": {
        "acc_161km": 0.785,
        "exact_geonameid": 0.79,
        "country_accuracy": 0.895,
        "precision": 0.81,
        "recall": 0.87,
    },
    "geovirus": {"acc_161km": 0.73, "precision": 0.79, "recall": 0.94},
}


@pytest.mark.corpus
@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_geoparsing_floors(kind, geocoder, shared):
    scores = evaluate_geoparsing(geocoder, shared / "eval" / "geoparsing", kind)
    assert scores["documents"] > 100
    for metric, floor in FLOORS[kind].items():
        assert scores[metric] >= floor, f"{kind} {metric} {scores[metric]:.3f} fell below {floor}"


# The same texts lower-cased (Times of India style): measured LGL 0.641 / P 0.711, GeoVirus 0.643 / P 0.736.
LOWER_CASE_FLOORS = {
    "lgl": {"acc_161km": 0.63, "precision": 0.70},
    "geovirus": {"acc_161km": 0.63, "precision": 0.72},
}


@pytest.mark.corpus
@pytest.mark.parametrize("kind", sorted(LOWER_CASE_FLOORS))
def test_lower_cased_text_floors(kind, geocoder, shared):
    scores = evaluate_geoparsing(geocoder, shared / "eval" / "geoparsing", kind, lowercase=True)
    for metric, floor in LOWER_CASE_FLOORS[kind].items():
        assert scores[metric] >= floor, f"lower-cased {kind} {metric} {scores[metric]:.3f} fell below {floor}"


@pytest.mark.corpus
@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_gold_offsets_point_at_their_phrases(kind, shared):
    """The readers undo GeoVirus's +1 offsets: every gold span must spell its phrase."""
    path = corpus_file(shared / "eval" / "geoparsing", kind)
    docs = list(READERS[kind][1](path))
    assert all(d.text[t.start : t.end] == t.phrase for d in docs for t in d.toponyms)
