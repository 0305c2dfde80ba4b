"""Geoparsing quality on the LGL and GeoVirus gold corpora (read from ../shared at run time).

Floors sit just below the figures measured when they were last raised; a regression fails here.
Accuracy counts every gold toponym with coordinates: a missed or unresolved one is wrong.
"""

from __future__ import annotations

import pytest

from tocsin.geo.evaluate import evaluate_geoparsing

# measured 2026-11-26: LGL acc@161km 0.774, exact id 0.774, country 0.893, P 0.707, R 0.888;
#                      GeoVirus acc@161km 0.731, P 0.749, R 0.943
FLOORS = {
    "lgl": {
        "acc_161km": 0.76,
        "exact_geonameid": 0.76,
        "country_accuracy": 0.88,
        "precision": 0.69,
        "recall": 0.87,
    },
    "geovirus": {"acc_161km": 0.72, "precision": 0.73, "recall": 0.93},
}


@pytest.mark.corpus
@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_geoparsing_floors(kind, geocoder, shared):
    scores = evaluate_geoparsing(geocoder, shared / "eval" / "geoparsing", kind)
    assert scores["documents"] > 100
    for metric, floor in FLOORS[kind].items():
        assert scores[metric] >= floor, f"{kind} {metric} {scores[metric]:.3f} fell below {floor}"
