"""How far country points alone can take accuracy@161 km: an analysis, never used to place anything.

LGL's country points are GeoNames', GeoVirus's are Wikipedia's; for large countries they lie more
than 161 km apart. This measures, on the gold corpora:

    country_mentions(geocoder, corpus_path, kind)   gold toponyms read as a country, the right one
    country_point_ceiling(geocoder, corpus_path)     GeoVirus acc@161 km (a) with every such mention
                                                      right, (b) with the best single point per country
                                                      that keeps LGL at or above LGL_FLOOR

The best points are searched among the gold points themselves and the midpoints of pairs of them: the
answer describes a ceiling, and the points it finds are gold answers, which must never be shipped.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tocsin.geo.base import Geocoder, GeoHints
from tocsin.geo.evaluate import ACCURACY_KM, READERS, _km, _overlapping, corpus_file
from tocsin.geo.gazetteer import COUNTRY_FCODE
from tocsin.geo.territory import unit_vectors

LGL_FLOOR = 0.85  # the LGL target the country points must keep


@dataclass(frozen=True, slots=True)
class CountryMention:
    country: str  # ISO3 of the predicted country, which is also the gold point's country
    gold: tuple[float, float]
    predicted: tuple[float, float]


class _CountryOf:
    """The country of a point: that of the nearest town of the gazetteer."""

    def __init__(self, geocoder: Geocoder) -> None:
        from scipy.spatial import cKDTree

        rows = geocoder.gazetteer.town_points()  # type: ignore[attr-defined]
        self._countries = [r[2] for r in rows]
        self._tree = cKDTree(unit_vectors(np.array([r[0] for r in rows]), np.array([r[1] for r in rows])))

    def __call__(self, lat: float, lon: float) -> str:
        _, i = self._tree.query(unit_vectors(np.array([lat]), np.array([lon]))[0])
        return self._countries[int(i)]


def country_mentions(
    geocoder: Geocoder, corpus_path: Path, kind: str
) -> tuple[list[CountryMention], int, int]:
    """(mentions read as the right country, gold toponyms with coordinates, of them within 161 km)."""
    country_of = _CountryOf(geocoder)
    out, n, within = [], 0, 0
    for doc in READERS[kind][1](corpus_file(corpus_path, kind)):
        found = geocoder.parse(doc.text, GeoHints(url=doc.url))
        for g in doc.toponyms:
            if g.latitude is None or g.longitude is None:
                continue
            n += 1
            hit = _overlapping(found, g)
            place = hit.place if hit else None
            if place is None or place.latitude is None or place.longitude is None:
                continue
            within += _km(g.latitude, g.longitude, place.latitude, place.longitude) <= ACCURACY_KM
            if place.feature_code == COUNTRY_FCODE and country_of(g.latitude, g.longitude) == place.country:
                out.append(
                    CountryMention(
                        place.country, (g.latitude, g.longitude), (place.latitude, place.longitude)
                    )
                )
    return out, n, within


def _midpoint(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    x, y, z = (
        unit_vectors(np.array([a[0]]), np.array([a[1]]))[0] + unit_vectors(np.array([b[0]]), np.array([b[1]]))[0]
    ) / 2
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))


def _hits(point: tuple[float, float], golds: list[tuple[float, float]]) -> int:
    return sum(_km(*point, *g) <= ACCURACY_KM for g in golds)


def country_point_ceiling(geocoder: Geocoder, corpus_path: Path) -> dict:
    """GeoVirus acc@161 km now, with every country mention right, and with the best single point per
    country subject to LGL acc@161 km >= LGL_FLOOR (exact, by dynamic programming over countries)."""
    gv, gv_n, gv_within = country_mentions(geocoder, corpus_path, "geovirus")
    lgl, lgl_n, lgl_within = country_mentions(geocoder, corpus_path, "lgl")
    golds: dict[str, tuple[list, list]] = defaultdict(lambda: ([], []))
    current: dict[str, tuple[float, float]] = {}
    for i, mentions in enumerate((gv, lgl)):
        for m in mentions:
            golds[m.country][i].append(m.gold)
            current[m.country] = m.predicted
    # per country: options (GeoVirus hits gained, LGL hits gained) over candidate points
    options = []
    for country, (gv_golds, lgl_golds) in golds.items():
        points = {current[country], *gv_golds, *lgl_golds}
        pool = sorted(set(gv_golds) | set(lgl_golds))
        points |= {_midpoint(a, b) for k, a in enumerate(pool) for b in pool[k + 1 :]}
        base = (_hits(current[country], gv_golds), _hits(current[country], lgl_golds))
        options.append({(_hits(p, gv_golds) - base[0], _hits(p, lgl_golds) - base[1]) for p in points})
    slack = lgl_within - math.ceil(LGL_FLOOR * lgl_n)  # LGL hits the points may lose
    best = {0: 0}  # LGL hits gained (>= -slack) → most GeoVirus hits gained
    for choices in options:
        step: dict[int, int] = {}
        for lgl_gain, gv_gain in best.items():
            for d_gv, d_lgl in choices:
                key = lgl_gain + d_lgl
                if key >= -slack and step.get(key, -(10**9)) < gv_gain + d_gv:
                    step[key] = gv_gain + d_gv
        best = step
    lgl_gain, gv_gain = max(best.items(), key=lambda kv: (kv[1], kv[0]))
    gv_right = sum(_km(*m.gold, *m.predicted) <= ACCURACY_KM for m in gv)
    return {
        "geovirus_acc_161km": gv_within / gv_n,
        "geovirus_country_mentions": len(gv),
        "geovirus_country_mentions_within_161km": gv_right,
        "geovirus_all_country_mentions_right": (gv_within + len(gv) - gv_right) / gv_n,
        "geovirus_best_single_points": (gv_within + gv_gain) / gv_n,
        "lgl_acc_161km": lgl_within / lgl_n,
        "lgl_country_mentions": len(lgl),
        "lgl_with_best_single_points": (lgl_within + lgl_gain) / lgl_n,
    }
