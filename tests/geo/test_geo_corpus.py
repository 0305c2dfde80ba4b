"""Geoparsing quality on the LGL and GeoVirus gold corpora (read from ../shared at run time).

Floors sit just below the figures measured when they were last raised; a regression fails here.
Accuracy counts every gold toponym with coordinates: a missed or unresolved one is wrong.
"""

from __future__ import annotations

import pytest

from tocsin.geo.ceiling import LGL_FLOOR, country_point_ceiling
from tocsin.geo.evaluate import READERS, corpus_file, evaluate_geoparsing

# measured 2026-11-26 (issue 4, fourth round): LGL acc@161km 0.875, exact id 0.850, country 0.933, P 0.829,
#                                              R 0.893; GeoVirus acc@161km 0.860, P 0.808, R 0.959
FLOORS = {
    "lgl": {
        "acc_161km": 0.874,
        "exact_geonameid": 0.849,
        "country_accuracy": 0.932,
        "precision": 0.828,
        "recall": 0.892,
    },
    "geovirus": {"acc_161km": 0.860, "precision": 0.807, "recall": 0.959},
}


@pytest.mark.corpus
@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_geoparsing_floors(kind, geocoder, shared):
    scores = evaluate_geoparsing(geocoder, shared / "eval" / "geoparsing", kind)
    assert scores["documents"] > 100
    for metric, floor in FLOORS[kind].items():
        assert scores[metric] >= floor, f"{kind} {metric} {scores[metric]:.3f} fell below {floor}"


# The same texts lower-cased (Times of India style): measured LGL 0.710 / P 0.729, GeoVirus 0.752 / P 0.739.
LOWER_CASE_FLOORS = {
    "lgl": {"acc_161km": 0.709, "precision": 0.728},
    "geovirus": {"acc_161km": 0.751, "precision": 0.738},
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


@pytest.mark.corpus
def test_country_point_ceiling_is_consistent(geocoder, shared):
    """The analysis behind docs/geo.md: best single points per country lie between now and all right."""
    c = country_point_ceiling(geocoder, shared / "eval" / "geoparsing")
    assert c["geovirus_country_mentions"] > 500 and c["lgl_country_mentions"] > 500
    assert c["geovirus_acc_161km"] <= c["geovirus_best_single_points"] <= c["geovirus_all_country_mentions_right"]
    assert c["lgl_with_best_single_points"] >= LGL_FLOOR
