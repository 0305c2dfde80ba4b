"""First-level regions' points from their share of the country's territory (used by the index builder).

The wheels carry no region outlines, only towns. The convex hull of a region's towns stops where its
towns stop: Ontario's and Manitoba's towns thin out long before Hudson Bay, Queensland's crowd the
coast, so the hull's centroid lands 200-300 km south or east of the region's centre that GeoNames and
Wikipedia use. Here each point of a grid over the country's outline (countryinfo) goes to the region
of its nearest town (a Voronoi partition of the country by towns), and a region's point is the area
centre of its grid points on the sphere: the empty north goes to the northernmost towns' region, and
sea beyond the coast to no one.

    region_centres(rings, towns)   region id → (lat, lon, grid points), for one country
    area_centre(rings)             (lat, lon) of the whole outline (a country's area centre)

The grid, the even-odd inside test and the unit vectors are shared with the builder's country points and
the ceiling analysis.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

GRID_DEG = 0.25  # grid step (finer for small outlines) ...
GRID_POINTS = 40_000  # ... and the points an outline ring's bounding box gets at most
# A region needs this many grid points for its share of the territory to stand for it; smaller ones
# (city regions, islands off the outline) keep the hull of their towns. Dev halves: flat from 5 to 300.
MIN_GRID_POINTS = 20


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points (degrees) as unit vectors on the sphere, one row each."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.c_[np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)]


def even_odd(ring: np.ndarray, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Which of the points (``px`` longitudes, ``py`` latitudes) lie inside ``ring`` (lon, lat)."""
    inside = np.zeros(len(px), dtype=bool)
    for (ax, ay), (bx, by) in zip(ring, np.roll(ring, -1, axis=0), strict=True):
        if ay != by:  # a flat edge is never crossed
            inside ^= ((ay > py) != (by > py)) & (px < ax + (py - ay) * (bx - ax) / (by - ay))
    return inside


def grid_points(rings: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, area weight) of grid points inside the outline ``rings`` ((lon, lat) arrays)."""
    lats, lons, weights = [], [], []
    for ring in rings:
        (x0, y0), (x1, y1) = ring.min(axis=0), ring.max(axis=0)
        step = min(GRID_DEG, max(math.sqrt((x1 - x0) * (y1 - y0) / GRID_POINTS), 1e-3))
        gx, gy = np.meshgrid(np.arange(x0 + step / 2, x1, step), np.arange(y0 + step / 2, y1, step))
        px, py = gx.ravel(), gy.ravel()
        if not len(px):
            continue
        inside = even_odd(ring, px, py)
        lats.append(py[inside])
        lons.append(((px[inside] + 180.0) % 360.0) - 180.0)
        weights.append(np.cos(np.radians(py[inside])) * step * step)
    if not lats:
        return np.empty(0), np.empty(0), np.empty(0)
    return np.concatenate(lats), np.concatenate(lons), np.concatenate(weights)


def region_centres(
    rings: Sequence[np.ndarray], towns: Sequence[tuple[float, float, int]]
) -> dict[int, tuple[float, float, int]]:
    """Region id → (lat, lon, grid points) for the regions of one country, from its outline ``rings``
    and its ``towns`` as (lat, lon, region id); regions under MIN_GRID_POINTS are left out."""
    from scipy.spatial import cKDTree

    if not towns or not rings:
        return {}
    lat, lon, weight = grid_points(rings)
    if not len(lat):
        return {}
    town_ids = np.array([t[2] for t in towns])
    tree = cKDTree(unit_vectors(np.array([t[0] for t in towns]), np.array([t[1] for t in towns])))
    cells = unit_vectors(lat, lon)
    _, nearest = tree.query(cells)
    owner = town_ids[nearest]
    out = {}
    for region in np.unique(owner):
        mine = owner == region
        if mine.sum() < MIN_GRID_POINTS:
            continue
        out[int(region)] = (*_to_degrees(cells[mine].T @ weight[mine]), int(mine.sum()))
    return out


def area_centre(rings: Sequence[np.ndarray]) -> tuple[float, float] | None:
    """The centre of the area inside ``rings`` on the sphere: the mean unit vector of the grid points inside
    them, each weighted by its cell's area. A planar centroid in degrees drifts for large countries
    (Canada's came out 270 km west of its centre)."""
    lat, lon, weight = grid_points(rings)
    total = unit_vectors(lat, lon).T @ weight
    return _to_degrees(total) if total.any() else None


def _to_degrees(vector: np.ndarray) -> tuple[float, float]:
    x, y, z = vector
    return math.degrees(math.atan2(z, math.hypot(x, y))), math.degrees(math.atan2(y, x))
