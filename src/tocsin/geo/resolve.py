"""Toponym disambiguation: pick one GeoNames place per distinct name in a text.

One sense per discourse: every mention of a name in a text gets the same place.
  1. eligible: hard rules (an exact abbreviation, a demonym, a name listed among states or countries,
     a country's own name, "X County");
  2. constrain: "Town, Region" pairs ("Alexandria, La.") keep only readings that nest;
  3. score: prior   log10(population) adjusted by kind (countries win, regions and alternate names
                    yield to towns)
          + context its country and first-level region are those of the text's other places, and it
                    lies near them: from the other names' current choices, or (soft support) from any
                    of their plausible readings, so that "Paris" and "Henry County" pull each other
          + hints   the outlet's country, the dateline, the outlet's town (a silent group: outlet.py)
     re-scored a few rounds so names resolve each other ("Christiana" next to "Bloemhof" and
     "North West" is the South African town).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from tocsin.geo.base import GeoHints
from tocsin.geo.gazetteer import ABBREV, ALT, CONTINENT_FCODE, COUNTRY_FCODE, DEMONYM, MAIN, PlaceRow
from tocsin.geo.recognize import Span
from tocsin.geo.unions import REGION_FCODE

# Weights, in units of log10(population), set by hand and checked on the LGL/GeoVirus dev half:
COUNTRY_BONUS = 2.0  # a country name beats a same-named town ("Kazakhstan" the village: 3,050 people)
ADM1_PENALTY = 1.0  # "Almaty" the city (1.98M) over Almaty the city-region (summed 1.98M)
ADM2_PENALTY = 1.5  # counties and districts are named after their towns: the town wins unless "X County"
ALT_PENALTY = 1.0  # a place known by this name only as an alternate name
W_COUNTRY = 1.0  # per other place of the text in the same country (at most COUNTRY_CAP of them)
COUNTRY_CAP = 2
W_ADMIN1 = 1.5  # another place of the text is in (or is) the same first-level region
NEAR_BONUS = ((30.0, 2.0), (100.0, 1.5), (300.0, 0.75))  # km to the nearest other place → bonus
W_OUTLET = 1.5  # the outlet's country
W_DATELINE = 1.0  # extra weight of the dateline's place as context
W_HOME = 1.0  # extra weight of the outlet's town (named in its web address) as context, as the dateline's
#               (0 and 1 score the same on LGL: the town's soft support is what settles its neighbours)
ROUNDS = 3
CAPITAL_SHARE = 0.5  # a same-named town holding this share of its region's people stands for it
SUPPORT_CANDIDATES = 20  # readings per name that lend support to other names' readings (10: LGL -0.004)
SUPPORT_RETURNS = 0.7  # each further supporting name counts this much less than the one before
SUPPORT_DECAY = 0.6  # weight of a reading one unit of prior (10x population) below its name's best
#                     (LGL 0.844 at 0.3, 0.850 at 0.5, 0.854 at 0.6, 0.852 at 0.7: at 0.3 "Lebanon" the
#                     country silenced Lebanon, Ind. next to Boone County; GeoVirus flat, 0.787-0.788)
MAX_CANDIDATES = 30  # by prior: the 31st "Springfield" never wins on context alone
REGION_OVER_COUNTRY_VOTES = 2  # other places in a region's country that make "Georgia" the state (below)
REGION_OVER_COUNTRY_KM = 1500.0  # ... unless the named country lies this near the region: "Niger" among
#                                  Nigerian places is the neighbour (700 km from Nigeria's Niger state), while
#                                  the two Georgias lie 10,000 km apart (set by hand; no corpus case in between)
PEER_LEVELS = frozenset({"ADM1", COUNTRY_FCODE})
PEER_SHARE = 0.6  # of the other names of a list that must be of one kind (set by hand: "most")
REGION_TOWN_SHARE = 0.05  # a town named like its country's first-level region, with fewer people than this
#                           share of the region's, is not what the bare name means ("Oregon", "Kansas");
#                           Washington, D.C. (0.09 of the state) and New York City stay rivals
ALT_TOWN_SHARE = 0.1  # a town known by this name only as an alternate one yields to a town whose own name it
#                       is, unless over 1/ALT_TOWN_SHARE times as big: "Kaliningrad" is not Korolev (once so
#                       named), "Maryville" not Beeville; "Canton" (70k, Ohio) still may be Guangzhou (11M)


@dataclass(frozen=True, slots=True)
class Group:
    """All mentions of one name in a text, with the places that name can mean."""

    key: str
    spans: tuple[Span, ...]
    candidates: tuple[tuple[PlaceRow, int], ...]
    home: bool = False  # the outlet's town, from its web address (tocsin.geo.outlet)
    peer_level: str | None = None  # "ADM1" or "PCLI": most names listed with it are of that kind

    @property
    def dateline(self) -> bool:
        return any(s.dateline for s in self.spans)


def eligible(group: Group) -> list[tuple[PlaceRow, int]]:
    """The candidates a group may take, before scoring: hard rules of what a name can mean."""
    cands = list(group.candidates)
    if any(s.abbreviation for s in group.spans):
        return [c for c in cands if c[1] == ABBREV]
    cands = [c for c in cands if c[1] != ABBREV]
    demonyms = [c for c in cands if c[1] == DEMONYM]
    if demonyms:
        return demonyms
    peers = [c for c in cands if c[1] == MAIN and c[0].feature_code == group.peer_level]
    if peers:  # "Georgia" among "Ohio, Oregon and Washington" is the state, not the country
        return peers
    countries = [c for c in cands if c[0].feature_code == COUNTRY_FCODE]
    if countries:  # country names beat their own towns; regions and foreign towns compete on context
        own = {c[0].country for c in countries}
        rivals = [c for c in cands if c[0].feature_code == "ADM1" or c[0].country not in own]
        if any(kind == MAIN for _, kind in countries):
            rivals = [c for c in rivals if c[1] != ALT]  # only towns of exactly that name
        return countries + rivals
    level = next((s.level for s in group.spans if s.level), None)
    if level:
        wanted = [
            c for c in cands if c[0].feature_code == level or (level == "PPL" and c[0].feature_class == "P")
        ]
        if wanted:
            return wanted
    if any(kind == MAIN and p.feature_code == "ADM1" for p, kind in cands):
        cands = [c for c in cands if c[1] != ALT]  # "Alaska" is the state, not a town once called so
        if not (group.dateline or group.home):
            cands = _without_region_namesakes(cands)
    cands = _without_renamed_towns(cands)
    # A region that is mostly its capital ("Almaty") means the town unless "region" follows.
    towns = {}
    for p, _ in cands:
        if p.feature_class == "P" and p.admin1_id:
            towns[p.admin1_id] = max(towns.get(p.admin1_id, 0), p.population)
    return [
        c
        for c in cands
        if not (
            c[0].feature_code == "ADM1" and towns.get(c[0].geonameid, 0) >= CAPITAL_SHARE * c[0].population
        )
    ]


def _without_region_namesakes(cands: list[tuple[PlaceRow, int]]) -> list[tuple[PlaceRow, int]]:
    """ "Oregon" alone is the state, not Oregon, Ohio: drop towns of a first-level region's country bearing
    its main name with under REGION_TOWN_SHARE of its people (a dateline or the outlet's address, which
    name the town, are checked by the caller; "Oregon, Ohio" pairs are settled before this is asked)."""
    regions: dict[str, int] = {}
    for p, kind in cands:
        if kind == MAIN and p.feature_code == "ADM1":
            regions[p.country] = max(regions.get(p.country, 0), p.population)
    return [
        c
        for c in cands
        if not (c[0].feature_class == "P" and c[0].population < REGION_TOWN_SHARE * regions.get(c[0].country, 0))
    ]


def _without_renamed_towns(cands: list[tuple[PlaceRow, int]]) -> list[tuple[PlaceRow, int]]:
    """Drop towns that bear the name only as an alternate one when a town bears it as its own name and
    has at least ALT_TOWN_SHARE of their people."""
    own = max((p.population for p, kind in cands if kind == MAIN and p.feature_class == "P"), default=-1)
    return [c for c in cands if not (c[1] == ALT and c[0].feature_class == "P" and own >= ALT_TOWN_SHARE * c[0].population)]


def _kinds(group: Group) -> set[str]:
    """The kinds of place (ADM1, PCLI) a group's name is the main name of."""
    return {p.feature_code for p, kind in group.candidates if kind == MAIN} & PEER_LEVELS


def with_peer_levels(groups: list[Group], runs: Sequence[Sequence[int]]) -> list[Group]:
    """Names listed together are of one kind: in a list (group indexes) where at least PEER_SHARE of
    the other names are main names of first-level regions (or of countries), a name that can be one
    is one ("Georgia", "Washington", "Ontario" among states and provinces)."""
    out = list(groups)
    kinds = [_kinds(g) for g in groups]
    for run in runs:
        members = list(dict.fromkeys(run))
        for i in members:
            others = [j for j in members if j != i]
            for level in PEER_LEVELS & kinds[i]:
                if sum(level in kinds[j] for j in others) >= PEER_SHARE * len(others):
                    out[i] = replace(out[i], peer_level=level)
    return out


def prior(place: PlaceRow, kind: int) -> float:
    score = math.log10(max(place.population, 1))
    if place.feature_code == COUNTRY_FCODE:
        score += COUNTRY_BONUS
    elif place.feature_code in ("ADM1", REGION_FCODE):
        score -= ADM1_PENALTY
    elif place.feature_code == "ADM2":
        score -= ADM2_PENALTY
    if kind == ALT:
        score -= ALT_PENALTY
    return score


@dataclass(slots=True)
class _Options:
    """One group's eligible places as arrays, for vectorised context scoring."""

    places: list[PlaceRow]
    prior: np.ndarray
    lat: np.ndarray  # radians
    lon: np.ndarray
    countries: list[str]
    admin1: list[int | None]

    @classmethod
    def of(cls, cands: list[tuple[PlaceRow, int]], hints: GeoHints | None) -> _Options:
        cands = sorted(cands, key=lambda c: -prior(*c))[:MAX_CANDIDATES]
        places = [p for p, _ in cands]
        scores = [prior(p, kind) for p, kind in cands]
        if hints and hints.outlet_country:
            scores = [
                s + (W_OUTLET if p.country == hints.outlet_country else 0.0)
                for s, p in zip(scores, places, strict=True)
            ]
        return cls(
            places,
            np.array(scores),
            np.radians([p.latitude for p in places]),
            np.radians([p.longitude for p in places]),
            [p.country for p in places],
            [p.admin1_id for p in places],
        )


def _nearest_km(lat: np.ndarray, lon: np.ndarray, olat: np.ndarray, olon: np.ndarray) -> np.ndarray:
    if not len(olat):
        return np.full(len(lat), np.inf)
    dlat = lat[:, None] - olat[None, :]
    dlon = lon[:, None] - olon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(olat)[None, :] * np.sin(dlon / 2) ** 2
    return (12742.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))).min(axis=1)


def _soft_support(options: list[_Options]) -> list[np.ndarray]:
    """Per candidate: summed over the other names, the best agreement (same region, nearby) with any of
    their readings, each reading weighted by how plausible it is on its own (SUPPORT_DECAY per unit of
    prior below that name's best). "Paris" and "Henry County" support the Tennessee reading of each other
    even when neither is the likelier reading alone."""
    idx = [(i, k) for i, o in enumerate(options) for k in range(min(len(o.places), SUPPORT_CANDIDATES))]
    out = [np.zeros(len(o.places)) for o in options]
    if len({i for i, _ in idx}) < 2:
        return out
    group = np.array([i for i, _ in idx])
    places = [options[i].places[k] for i, k in idx]
    lat = np.array([options[i].lat[k] for i, k in idx])
    lon = np.array([options[i].lon[k] for i, k in idx])
    plaus = np.array([SUPPORT_DECAY ** (options[i].prior[0] - options[i].prior[k]) for i, k in idx])
    point = np.array([p.feature_code not in (COUNTRY_FCODE, CONTINENT_FCODE) for p in places])
    region = np.array([p.admin1_id or -1 for p in places])
    own_region = np.array([p.geonameid if p.feature_code == "ADM1" else -2 for p in places])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    dist = 12742.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    near = np.select([dist <= limit for limit, _ in NEAR_BONUS], [b for _, b in NEAR_BONUS], 0.0)
    near *= point[:, None] & point[None, :]
    same = (region[:, None] == region[None, :]) | (region[:, None] == own_region[None, :])
    same |= own_region[:, None] == region[None, :]
    affinity = (near + W_ADMIN1 * same) * plaus[None, :]
    affinity[group[:, None] == group[None, :]] = 0.0
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    per_name = -np.sort(-np.maximum.reduceat(affinity, starts, axis=1), axis=1)  # best first
    best = per_name @ SUPPORT_RETURNS ** np.arange(per_name.shape[1])
    for row, (i, k) in enumerate(idx):
        out[i][k] = best[row]
    return out


def _km(a: PlaceRow, b: PlaceRow) -> float:
    return float(_nearest_km(*np.radians([[a.latitude], [a.longitude], [b.latitude], [b.longitude]]))[0])


def _contains(outer: PlaceRow, inner: PlaceRow) -> bool:
    if outer.feature_code == COUNTRY_FCODE:
        return inner.country == outer.country and inner.geonameid != outer.geonameid
    return outer.feature_code == "ADM1" and inner.admin1_id == outer.geonameid and inner is not outer


def constrain(cands: list[list[tuple[PlaceRow, int]]], pairs: Sequence[tuple[int, int]]) -> None:
    """ "Paris, Tenn.", "Christiana, North West": the first name must lie in the second (in place).

    Applied only when some reading of each fits: the pair keeps just those readings.
    """
    for i, j in pairs:
        if any(c[0].feature_code in (COUNTRY_FCODE, "ADM1") for c in cands[i]):
            continue  # "Georgia, Oklahoma, Pennsylvania": a list of regions, not a town in a region
        inner = [c for c in cands[i] if any(_contains(o[0], c[0]) for o in cands[j])]
        if inner:
            cands[j] = [o for o in cands[j] if any(_contains(o[0], c[0]) for c in inner)]
            cands[i] = inner


def resolve(
    groups: Sequence[Group], hints: GeoHints | None = None, pairs: Sequence[tuple[int, int]] = ()
) -> list[PlaceRow | None]:
    """One place (or None) per group, in the groups' order. ``pairs`` are (group, group) indexes of
    "Town, Region" mentions: the first must lie in the second when some readings allow it."""
    cands = [eligible(g) for g in groups]
    constrain(cands, pairs)
    options = [_Options.of(c, hints) for c in cands]
    soft = _soft_support(options)
    weight = [1.0 + (W_DATELINE if g.dateline else 0.0) + (W_HOME if g.home else 0.0) for g in groups]
    choice = [0 if o.places else None for o in options]  # candidates are sorted by prior
    for _ in range(ROUNDS):
        chosen = [(i, options[i].places[c]) for i, c in enumerate(choice) if c is not None]
        votes: Counter[str] = Counter()
        regions: Counter[int] = Counter()
        for i, p in chosen:
            votes[p.country] += weight[i]
            for region in {p.admin1_id, p.geonameid if p.feature_code == "ADM1" else None} - {None}:
                regions[region] += 1
        points = [(i, p) for i, p in chosen if p.feature_code not in (COUNTRY_FCODE, CONTINENT_FCODE)]
        new_choice = []
        for i, o in enumerate(options):
            if len(o.places) <= 1:
                new_choice.append(choice[i])
                continue
            own = options[i].places[choice[i]] if choice[i] is not None else None
            others = [p for j, p in points if j != i]
            near = _nearest_km(o.lat, o.lon, np.radians([p.latitude for p in others]),
                               np.radians([p.longitude for p in others]))  # fmt: skip
            bonus = np.select([near <= limit for limit, _ in NEAR_BONUS], [b for _, b in NEAR_BONUS], 0.0)
            country = np.array([
                min(votes[cc] - (weight[i] if own and own.country == cc else 0.0), COUNTRY_CAP) for cc in o.countries
            ])  # fmt: skip
            own_regions = (
                {own.admin1_id, own.geonameid if own.feature_code == "ADM1" else None} if own else set()
            )
            region = np.array([
                W_ADMIN1 if a and regions[a] - (a in own_regions) > 0 else 0.0 for a in o.admin1
            ])  # fmt: skip
            scores = o.prior + W_COUNTRY * country + np.maximum(region + bonus, soft[i])
            new_choice.append(int(np.argmax(scores)))
        if new_choice == choice:
            break
        choice = new_choice
    _regions_named_like_countries(options, choice, weight)
    return [options[i].places[c] if c is not None else None for i, c in enumerate(choice)]


def _regions_named_like_countries(options: list[_Options], choice: list[int | None], weight: list[float]) -> None:
    """ "Georgia" among Alabama and Iowa is the state: a name read as a country is read as a first-level
    region of another country instead when REGION_OVER_COUNTRY_VOTES other places of the text lie in
    that country and none in the named one (the country bonus is meant for same-named towns), and the
    region lies over REGION_OVER_COUNTRY_KM from the named country (else they are neighbours: "Niger")."""
    votes: Counter[str] = Counter()
    for i, c in enumerate(choice):
        if c is not None:
            votes[options[i].places[c].country] += weight[i]
    for i, c in enumerate(choice):
        if c is None or options[i].places[c].feature_code != COUNTRY_FCODE:
            continue
        named = options[i].places[c].country
        if votes[named] - weight[i] > 0:
            continue
        country = options[i].places[c]
        regions = [k for k, p in enumerate(options[i].places)
                   if p.feature_code == "ADM1" and p.country != named and votes[p.country] >= REGION_OVER_COUNTRY_VOTES
                   and _km(p, country) > REGION_OVER_COUNTRY_KM]  # fmt: skip
        if regions:
            choice[i] = max(regions, key=lambda k: options[i].prior[k])
