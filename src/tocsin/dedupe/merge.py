"""Merge per-article events into canonical events: one per real-world happening, with every source.

    events (one per article, place, day) + existing canonical events
      1. block      index each dated, placed event by (country, day) and place keys: GeoNames id,
                    normalised name, and a ~25 km grid cell; candidates come from an event's own keys and
                    the neighbouring cells only, so the work grows with the events, never with all pairs
      2. pair       keep candidates at the same place (same GeoNames id or name, or close enough) on a
                    compatible day; order them deterministically, closest first
      3. union      union-find over the ordered pairs, refusing a union that would put two places too far
                    apart, or two reports from one article, in one event (no chaining across towns)
      4. attach     week- and month-dated reports join the nearest exact-day event in their window, else
                    group among themselves (they never bridge two different days)
      5. reconcile  one canonical event per group (reconcile.py), with per-source values

Protests and Riots are both demonstrations: a peaceful march one outlet saw and a riot another saw in
the same town on the same day are one event (EVENTS-GOLD: two episodes in one town on one day are one
event), typed by the most severe report.
"""

from __future__ import annotations

import gc
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from tocsin.dedupe.reconcile import SourceValues, earliest_key, merge_values, reconcile
from tocsin.records import PROTESTS, RIOTS, Event, Place

# Two places within this distance are one place: duplicate gazetteer rows for one town, a town and its
# centre, two spellings resolved to neighbouring rows. Separate towns are separate events (EVENTS-GOLD),
# and in the events-dev gold the closest distinct places of one day are 12 km apart (a town and a city
# coded "near"), so stay well below.
SAME_PLACE_KM = 5.0
# When either place is only "part of or near a town" (geo_precision 2) or a region (3), the scorer's
# location tolerance (25 km, EVENTS-GOLD) is allowed: a township and its town are one place.
NEAR_PLACE_KM = 25.0
# Grid cell for blocking, in degrees of latitude (~28 km): a cell and its 8 neighbours cover NEAR_PLACE_KM.
CELL_DEG = 0.25
# How far apart two reported days may be, by time_precision (1 exact day, 2 week, 3 month). For an exact
# day, reports must agree on the day: a riot on Monday and one on Tuesday are two events.
DAY_WINDOW = {1: 0, 2: 3, 3: 15}
DEMONSTRATION_TYPES = frozenset({PROTESTS, RIOTS})


@dataclass(frozen=True, slots=True)
class MergeResult:
    """Canonical events, and how the inputs map onto them (what the store needs to update in place).

    - ``events``: every canonical event (merged or untouched), ordered by date, country, place, id.
    - ``changed``: ids of canonical events that are new or differ from the existing event of that id.
    - ``members``: canonical id → ids of the input events (new and existing) it was made from.
    - ``absorbed``: existing event id → canonical id, for existing events merged into another one (their
      rows should be folded into the canonical row and removed).
    - ``values``: canonical id → what each source reported (one entry per document).
    """

    events: tuple[Event, ...]
    changed: frozenset[str] = frozenset()
    members: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    absorbed: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, tuple[SourceValues, ...]] = field(default_factory=dict)


def merge_events(
    events: Iterable[Event],
    existing: Iterable[Event] = (),
    *,
    known_values: Mapping[str, Sequence[SourceValues]] | None = None,
) -> MergeResult:
    """Merge new per-article ``events`` with ``existing`` canonical events.

    ``known_values`` (canonical id → per-source values, as returned earlier in ``MergeResult.values``)
    keeps the per-source detail of existing events; without it an existing event counts as one aggregate
    report. The result does not depend on the order of the inputs.
    """
    new = _unique(events, "events")
    old = _unique(existing, "existing")
    clash = sorted(set(new) & set(old))
    if clash:
        raise ValueError(f"event id(s) {clash[:3]} are both new and existing; pass a stored event once")
    items = sorted([*old.values(), *new.values()], key=earliest_key)
    is_old = [e.event_id in old for e in items]
    with _no_cyclic_gc():
        groups = _group(items, is_old)
        return _result(items, is_old, groups, known_values or {})


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector (reference counting still frees everything).

    Merging allocates millions of small acyclic tuples and sets while every input event is alive; each
    full collection rescans them all, which made the time per event grow with the input (bench_merge:
    at 100k events 11.8 s with the collector, 7.7 s without). The previous state is restored."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _unique(events: Iterable[Event], what: str) -> dict[str, Event]:
    out: dict[str, Event] = {}
    for e in events:
        if e.event_id in out and out[e.event_id] != e:
            raise ValueError(f"two different {what} share the id {e.event_id!r}; event ids must be unique")
        out[e.event_id] = e
    return out


# ---- 1-4: grouping -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Group:
    """A union-find root's state: its places and documents, to refuse unions that would chain."""

    places: list[Place]
    new_docs: set[str]
    old_docs: set[str]
    first_day: int  # ordinal of the earliest reported day
    last_day: int
    coarsest: int  # the widest time_precision among its members


class _UnionFind:
    def __init__(self, items: Sequence[Event], is_old: Sequence[bool]) -> None:
        self.parent = list(range(len(items)))
        self.state = [
            _Group(
                [e.place] if e.place else [],
                set() if o else _docs(e),
                _docs(e) if o else set(),
                _ordinal(e),
                _ordinal(e),
                _prec(e),
            )
            for e, o in zip(items, is_old, strict=True)
        ]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        a, b = self.find(i), self.find(j)
        if a == b:
            return True
        ga, gb = self.state[a], self.state[b]
        # one article's events are distinct by construction (the extractor made one per place and day);
        # an existing event may take back a re-processed article (old doc ∩ new doc is allowed)
        if ga.new_docs & gb.new_docs or ga.old_docs & gb.old_docs:
            return False
        # no chaining in time either: a group spans at most its coarsest member's window
        coarsest = max(ga.coarsest, gb.coarsest)
        if max(ga.last_day, gb.last_day) - min(ga.first_day, gb.first_day) > 2 * DAY_WINDOW[coarsest]:
            return False
        if not all(same_place(p, q) for p in ga.places for q in gb.places):
            return False
        root, child = min(a, b), max(a, b)  # the older item (inputs are sorted by age) stays root
        self.parent[child] = root
        g = self.state[root]
        g.places.extend(p for p in self.state[child].places if not any(_identical(p, q) for q in g.places))
        g.new_docs |= self.state[child].new_docs
        g.old_docs |= self.state[child].old_docs
        g.first_day = min(ga.first_day, gb.first_day)
        g.last_day = max(ga.last_day, gb.last_day)
        g.coarsest = coarsest
        return True


def _docs(e: Event) -> set[str]:
    return {s.doc_id for s in e.sources}


def _group(items: Sequence[Event], is_old: Sequence[bool]) -> list[list[int]]:
    uf = _UnionFind(items, is_old)
    mergeable = [i for i, e in enumerate(items) if _mergeable(e)]
    exact = [i for i in mergeable if items[i].time_precision == 1]
    vague = [i for i in mergeable if items[i].time_precision != 1]
    # 1-3: exact-day events, same day only
    index = _BlockIndex(items, exact, window=DAY_WINDOW[1])
    for _, i, j in sorted(index.pairs()):
        uf.union(i, j)
    # 4: vague events join the nearest exact-day group within their window...
    attached: set[int] = set()
    for i in vague:
        near = index.near(i, DAY_WINDOW[_prec(items[i])])
        for _, j in sorted((_pair_key(items[i], items[j], i, j)[0], j) for j in near):
            if uf.union(i, j):
                attached.add(i)
                break
    # ...else group among themselves, within the wider of their two windows
    left = [i for i in vague if i not in attached]
    for _, i, j in sorted(_BlockIndex(items, left, window=max(DAY_WINDOW.values())).pairs()):
        if _days_apart(items[i], items[j]) <= max(DAY_WINDOW[_prec(items[i])], DAY_WINDOW[_prec(items[j])]):
            uf.union(i, j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(items)):
        groups[uf.find(i)].append(i)
    return list(groups.values())


def _mergeable(e: Event) -> bool:
    return e.event_date is not None and e.place is not None and e.time_precision in DAY_WINDOW


def type_family(event_type: str) -> str:
    """Types that can describe one happening: Protests and Riots are both demonstrations."""
    return "demonstration" if event_type in DEMONSTRATION_TYPES else event_type


def _ordinal(e: Event) -> int:
    return e.event_date.toordinal() if e.event_date else 0


def _prec(e: Event) -> int:
    return e.time_precision if e.time_precision in DAY_WINDOW else 3  # type: ignore[return-value]


def _days_apart(a: Event, b: Event) -> int:
    assert a.event_date is not None and b.event_date is not None
    return abs((a.event_date - b.event_date).days)


_PairKey = tuple[tuple[float, int, bool, str, str], int, int]


def _pair_key(a: Event, b: Event, i: int, j: int) -> _PairKey:
    """Closest pairs first: same GeoNames id, then distance, days apart, then the same sub-type (a
    report choosing between a riot and a sit-in in one town on one day joins its own kind); ids last."""
    same_id = (
        a.place is not None
        and b.place is not None
        and a.place.geonameid is not None
        and a.place.geonameid == b.place.geonameid
    )
    km = 0.0 if same_id else distance_km(a.place, b.place)
    lo, hi = sorted((a.event_id, b.event_id))
    rank = (
        km if km is not None else NEAR_PLACE_KM,
        _days_apart(a, b),
        a.sub_event_type != b.sub_event_type,
        lo,
        hi,
    )
    return (rank, min(i, j), max(i, j))


class _BlockIndex:
    """Events indexed by (country, day, place key); candidates come from an event's keys and nearby cells."""

    def __init__(self, items: Sequence[Event], members: Sequence[int], window: int) -> None:
        self.items = items
        self.window = window
        self.keys: dict[tuple[object, ...], list[int]] = defaultdict(list)
        for i in members:
            block, day = _block(items[i]), _ordinal(items[i])
            for k in _place_keys(items[i].place):  # type: ignore[arg-type]
                self.keys[(*block, day, *k)].append(i)

    def near(self, i: int, window: int) -> set[int]:
        e = self.items[i]
        assert e.place is not None
        block, day, probes = _block(e), _ordinal(e), _probe_keys(e.place)
        found: set[int] = set()
        for d in range(day - window, day + window + 1):
            for k in probes:
                found.update(self.keys.get((*block, d, *k), ()))
        found.discard(i)
        return {j for j in found if same_place(e.place, self.items[j].place)}

    def pairs(self) -> Iterable[_PairKey]:
        seen: set[tuple[int, int]] = set()
        members = sorted({i for bucket in self.keys.values() for i in bucket})
        for i in members:
            for j in self.near(i, self.window):
                if i < j and (i, j) not in seen:
                    seen.add((i, j))
                    yield _pair_key(self.items[i], self.items[j], i, j)


def _block(e: Event) -> tuple[str, str]:
    return (e.place.country if e.place else "", type_family(e.event_type))


# ---- places --------------------------------------------------------------------------------------------


def _norm(name: str) -> str:
    return " ".join(name.casefold().replace("-", " ").split())


def _cell(place: Place) -> tuple[int, int] | None:
    if place.latitude is None or place.longitude is None:
        return None
    return (math.floor(place.latitude / CELL_DEG), math.floor(place.longitude / CELL_DEG))


def _place_keys(place: Place) -> list[tuple[object, ...]]:
    keys: list[tuple[object, ...]] = [("name", _norm(place.name))]
    if place.geonameid is not None:
        keys.append(("id", place.geonameid))
    cell = _cell(place)
    if cell is not None:
        keys.append(("cell", *cell))
    return keys


def _probe_keys(place: Place) -> list[tuple[object, ...]]:
    keys = [k for k in _place_keys(place) if k[0] != "cell"]
    cell = _cell(place)
    if cell is not None:
        # near the poles a degree of longitude shrinks; one neighbouring column is enough below ~70°
        keys += [("cell", cell[0] + dy, cell[1] + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    return keys


def distance_km(a: Place | None, b: Place | None) -> float | None:
    """Great-circle distance, or None when either place has no coordinates."""
    if a is None or b is None or None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def same_place(a: Place | None, b: Place | None) -> bool:
    """Whether two reported places are one place for merging (see SAME_PLACE_KM, NEAR_PLACE_KM)."""
    if a is None or b is None or a.country != b.country:
        return False
    if a.geonameid is not None and a.geonameid == b.geonameid:
        return True
    km = distance_km(a, b)
    if km is None:
        return _norm(a.name) == _norm(b.name)
    limit = NEAR_PLACE_KM if max(a.geo_precision, b.geo_precision) >= 2 else SAME_PLACE_KM
    return km <= limit


def _identical(a: Place, b: Place) -> bool:
    return (a.geonameid, a.name, a.latitude, a.longitude) == (b.geonameid, b.name, b.latitude, b.longitude)


# ---- 5: result -----------------------------------------------------------------------------------------


def _result(
    items: Sequence[Event],
    is_old: Sequence[bool],
    groups: Sequence[Sequence[int]],
    known: Mapping[str, Sequence[SourceValues]],
) -> MergeResult:
    out: list[Event] = []
    changed: set[str] = set()
    members: dict[str, tuple[str, ...]] = {}
    absorbed: dict[str, str] = {}
    values: dict[str, tuple[SourceValues, ...]] = {}
    for group in groups:
        group = sorted(group)  # items are sorted by age: the first is the oldest
        olds = [i for i in group if is_old[i]]
        canonical_id = items[olds[0] if olds else group[0]].event_id
        ordered = [items[i] for i in olds] + [items[i] for i in group if not is_old[i]]
        vals = merge_values(v for e in ordered for v in (known.get(e.event_id) or (SourceValues.of(e),)))
        event = reconcile(canonical_id, ordered, vals)
        out.append(event)
        members[canonical_id] = tuple(e.event_id for e in ordered)
        values[canonical_id] = vals
        for i in olds[1:]:
            absorbed[items[i].event_id] = canonical_id
        if not olds or len(group) > 1:
            changed.add(canonical_id)
    out.sort(
        key=lambda e: (
            e.event_date or date.min,
            e.place.country if e.place else "",
            e.place.name if e.place else "",
            e.event_id,
        )
    )
    return MergeResult(tuple(out), frozenset(changed), members, absorbed, values)
