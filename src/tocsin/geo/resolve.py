"""Toponym disambiguation: pick one GeoNames place per distinct name in a text.

One sense per discourse: every mention of a name in a text gets the same place. Each candidate gets
    prior    log10(population) adjusted by kind (countries win, regions and alternate names yield to towns)
  + context  its country and first-level region are those of the text's other places, and it lies near them
  + hints    the outlet's country, the dateline
and the choices are re-scored a few times so that names resolve each other ("Christiana" next to
"Bloemhof" and "North West" is the South African town).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tocsin.geo.base import GeoHints
from tocsin.geo.gazetteer import ABBREV, ALT, COUNTRY_FCODE, DEMONYM, PlaceRow
from tocsin.geo.recognize import Span

# Weights, in units of log10(population), set by hand and checked on the LGL/GeoVirus dev half:
COUNTRY_BONUS = 2.0  # a country name beats a same-named town ("Kazakhstan" the village: 3,050 people)
ADM1_PENALTY = 1.0  # "Almaty" the city (1.98M) over Almaty the city-region (summed 1.98M)
ADM2_PENALTY = 1.5  # counties and districts are named after their towns: the town wins unless "X County"
ALT_PENALTY = 0.3  # a place known by this name only as an alternate name
W_COUNTRY = 1.0  # per other place of the text in the same country (at most COUNTRY_CAP of them)
COUNTRY_CAP = 2
W_ADMIN1 = 1.5  # another place of the text is in (or is) the same first-level region
NEAR_BONUS = ((30.0, 2.0), (100.0, 1.5), (300.0, 0.75))  # km to the nearest other place → bonus
W_OUTLET = 1.5  # the outlet's country
W_DATELINE = 1.0  # extra weight of the dateline's place as context
ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Group:
    """All mentions of one name in a text, with the places that name can mean."""

    key: str
    spans: tuple[Span, ...]
    candidates: tuple[tuple[PlaceRow, int], ...]

    @property
    def dateline(self) -> bool:
        return any(s.dateline for s in self.spans)


def km(a: PlaceRow, b: PlaceRow) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def eligible(group: Group) -> list[tuple[PlaceRow, int]]:
    """The candidates a group may take, before scoring: hard rules of what a name can mean."""
    cands = list(group.candidates)
    if any(s.abbreviation for s in group.spans):
        return [c for c in cands if c[1] == ABBREV]
    cands = [c for c in cands if c[1] != ABBREV]
    demonyms = [c for c in cands if c[1] == DEMONYM]
    if demonyms:
        return demonyms
    countries = [c for c in cands if c[0].feature_code == COUNTRY_FCODE]
    if countries:  # country names win over towns, but a region of the same name may still compete
        return countries + [c for c in cands if c[0].feature_code == "ADM1"]
    level = next((s.level for s in group.spans if s.level), None)
    if level:
        wanted = [
            c for c in cands if c[0].feature_code == level or (level == "PPL" and c[0].feature_class == "P")
        ]
        if not wanted and level == "ADM2":
            wanted = [c for c in cands if c[0].feature_code == "ADM1"]
        if wanted:
            return wanted
    return cands


def prior(place: PlaceRow, kind: int) -> float:
    score = math.log10(max(place.population, 1))
    if place.feature_code == COUNTRY_FCODE:
        score += COUNTRY_BONUS
    elif place.feature_code == "ADM1":
        score -= ADM1_PENALTY
    elif place.feature_code == "ADM2":
        score -= ADM2_PENALTY
    if kind == ALT:
        score -= ALT_PENALTY
    return score


def _context_score(place: PlaceRow, others: Sequence[tuple[PlaceRow, float]]) -> float:
    votes: Counter[str] = Counter()
    admin1 = 0.0
    nearest = math.inf
    for other, weight in others:
        votes[other.country] += weight
        if place.admin1_id and place.admin1_id in (other.admin1_id, other.geonameid):
            admin1 = W_ADMIN1  # (a region's admin1_id is its own id)
        if other.feature_code != COUNTRY_FCODE and place.feature_code != COUNTRY_FCODE:
            nearest = min(nearest, km(place, other))
    near = next((bonus for limit, bonus in NEAR_BONUS if nearest <= limit), 0.0)
    return W_COUNTRY * min(votes[place.country], COUNTRY_CAP) + admin1 + near


def resolve(groups: Sequence[Group], hints: GeoHints | None = None) -> list[PlaceRow | None]:
    """One place (or None) per group, in the groups' order."""
    options = [eligible(g) for g in groups]
    priors = [[prior(p, kind) for p, kind in opts] for opts in options]
    if hints and hints.outlet_country:
        priors = [
            [
                s + (W_OUTLET if p.country == hints.outlet_country else 0.0)
                for s, (p, _) in zip(ps, opts, strict=True)
            ]
            for ps, opts in zip(priors, options, strict=True)
        ]
    choice = [max(range(len(ps)), key=ps.__getitem__) if ps else None for ps in priors]
    for _ in range(ROUNDS):
        chosen = [
            (options[i][c][0], 1.0 + (W_DATELINE if groups[i].dateline else 0.0)) if c is not None else None
            for i, c in enumerate(choice)
        ]
        new_choice = []
        for i, opts in enumerate(options):
            if len(opts) <= 1:
                new_choice.append(0 if opts else None)
                continue
            others = [x for j, x in enumerate(chosen) if j != i and x is not None]
            scores = [s + _context_score(p, others) for s, (p, _) in zip(priors[i], opts, strict=True)]
            new_choice.append(max(range(len(scores)), key=scores.__getitem__))
        if new_choice == choice:
            break
        choice = new_choice
    return [options[i][c][0] if c is not None else None for i, c in enumerate(choice)]
