"""The built-in geocoder, registered as "geonames": gazetteer matching + context disambiguation.

geocoder = make_geocoder(Settings.load())     # builds the index under cache_dir on first use
geocoder.parse("Protesters gathered in Almaty on Wednesday.")
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from tocsin.geo.base import GeoHints, register_geocoder
from tocsin.geo.build import build_index
from tocsin.geo.gazetteer import (
    PRECISION_DISTRICT,
    PRECISION_TOWN,
    Gazetteer,
    PlaceRow,
    ensure_index,
)
from tocsin.geo.outlet import home_name_ids, outlet_country
from tocsin.geo.recognize import LIST_GAP, find_spans, load_word_frequencies
from tocsin.geo.resolve import Group, resolve, with_peer_levels
from tocsin.records import Place, Toponym

if TYPE_CHECKING:
    from tocsin.settings import Settings

_CONTAINER_GAP = re.compile(r",[ \t]*")  # "Alexandria, La.": town, then the region or country it is in
LIST_MIN = 3  # names in a row this long are a list of peers ("Ohio, Oregon and Washington"); two are
#               as often "Town, Region" ("Alexandria, La.")

__all__ = ["GeonamesGeocoder", "build_index", "geonames_geocoder", "to_place"]


def to_place(row: PlaceRow) -> Place:
    return Place(
        name=row.name,
        country=row.country,
        latitude=row.latitude,
        longitude=row.longitude,
        geonameid=row.geonameid if row.geonameid > 0 else None,  # derived regions have no GeoNames id
        admin1=row.admin1,
        feature_class=row.feature_class,
        feature_code=row.feature_code,
        population=row.population,
        geo_precision=row.precision,
    )


class GeonamesGeocoder:
    """Finds and resolves place names against the GeoNames index in ``cache_dir``.

    The index is opened (and built, if missing or stale) on the first ``parse``, not before, and the
    word-frequency table the recognizer also reads is loaded with it.
    """

    def __init__(self, cache_dir: Path, progress: Callable[[str], None] | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self._progress = progress
        self._gazetteer: Gazetteer | None = None
        self._lock = threading.Lock()

    def __getstate__(self) -> dict:
        """Pickles as its cache dir only (for process pools and Dask); the index reopens lazily."""
        return {"cache_dir": self.cache_dir}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["cache_dir"])

    @property
    def gazetteer(self) -> Gazetteer:
        if self._gazetteer is None:
            with self._lock:
                if self._gazetteer is None:
                    self._gazetteer = Gazetteer(ensure_index(self.cache_dir, self._progress))
                    load_word_frequencies()  # the recognizer's other table, with the index
        return self._gazetteer

    def parse(self, text: str, hints: GeoHints | None = None) -> tuple[Toponym, ...]:
        gz = self.gazetteer
        spans = find_spans(gz, text, hints.dateline if hints else None)
        if not spans:
            return ()
        by_key: dict[str, list] = {}
        for span in spans:
            by_key.setdefault(span.key, []).append(span)
        home = home_name_ids(gz, hints.url if hints else None)
        if hints and hints.url and not hints.outlet_country:
            hints = replace(hints, outlet_country=outlet_country(gz, hints.url))  # "lfpress.ca": Canada
        candidates = gz.candidates(sorted({s.name_id for s in spans} | set(home)))
        home_keys = {gz.key_of(name_id): name_id for name_id in home}
        groups = [
            Group(key, tuple(ss), _towns(candidates.get(ss[0].name_id, ())), home=True)
            if key in home_keys
            else Group(key, tuple(ss), tuple(candidates.get(ss[0].name_id, ())))
            for key, ss in by_key.items()
        ]  # the outlet's own name ("jordannews.com": "Jordan") is the outlet's town, not the country
        for key, name_id in home_keys.items():  # the outlet's town, silent: context only, never returned
            if key not in by_key:
                groups.append(Group(key, (), _towns(candidates.get(name_id, ())), home=True))
        levels = {g.key: next((s.level for s in g.spans if s.level), None) for g in groups}
        index = {g.key: n for n, g in enumerate(groups)}
        groups = with_peer_levels(groups, [[index[s.key] for s in run] for run in _lists(text, spans)])
        pairs = {
            (index[a.key], index[b.key])
            for a, b in zip(spans, spans[1:], strict=False)
            if a.key != b.key and _CONTAINER_GAP.fullmatch(text, a.end, b.start)
        }
        places = {
            g.key: (to_place(row) if row else None)
            for g, row in zip(groups, resolve(groups, hints, sorted(pairs)), strict=True)
        }
        for key, place in places.items():
            if place and levels[key] == "ADM2" and place.geo_precision == PRECISION_TOWN:
                places[key] = replace(place, geo_precision=PRECISION_DISTRICT)  # "Ahmedabad district"
        return tuple(Toponym(s.start, s.end, text[s.start : s.end], places[s.key]) for s in spans)


def _lists(text: str, spans: list) -> list[list]:
    """Runs of LIST_MIN or more place names separated only by commas, "and", "or"."""
    runs, run = [], spans[:1]
    for a, b in zip(spans, spans[1:], strict=False):
        if LIST_GAP.fullmatch(text, a.end, b.start):
            run.append(b)
        else:
            runs.append(run)
            run = [b]
    runs.append(run)
    return [r for r in runs if len({s.key for s in r}) >= LIST_MIN]


def _towns(candidates: list[tuple[PlaceRow, int]] | tuple) -> tuple[tuple[PlaceRow, int], ...]:
    """The populated places among a name's readings (all of them if it names none)."""
    towns = tuple(c for c in candidates if c[0].feature_class == "P")
    return towns or tuple(candidates)


@register_geocoder("geonames")
def geonames_geocoder(settings: Settings) -> GeonamesGeocoder:
    return GeonamesGeocoder(settings.cache_dir)
