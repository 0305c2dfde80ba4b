"""Geoparsing evaluation on the LGL and GeoVirus gold corpora (read at run time, never copied).

Scores, all over every gold toponym with coordinates (a missed or unresolved toponym counts as wrong):
  acc_161km   the predicted place overlapping the gold span lies within 161 km (100 miles) of the gold point
  exact       same GeoNames id (LGL only: GeoVirus has Wikipedia pages, not ids)
  country     same country (LGL only)
and recognition precision/recall by span overlap.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tocsin.geo.base import Geocoder, GeoHints
from tocsin.records import Toponym

ACCURACY_KM = 161.0


@dataclass(frozen=True, slots=True)
class GoldToponym:
    start: int
    end: int
    phrase: str
    latitude: float | None
    longitude: float | None
    geonameid: int | None = None
    country_geonameid: int | None = None


@dataclass(frozen=True, slots=True)
class GoldDocument:
    doc_id: str
    text: str
    url: str | None
    toponyms: tuple[GoldToponym, ...]


def _float(node: ET.Element | None) -> float | None:
    return float(node.text) if node is not None and node.text not in (None, "") else None


def read_lgl(path: Path) -> Iterator[GoldDocument]:
    for article in ET.parse(path).getroot().iter("article"):
        gold = []
        for t in article.iter("toponym"):
            tag = t.find("gaztag")
            country = tag.find("country") if tag is not None else None
            gold.append(
                GoldToponym(
                    start=int(t.findtext("start")),
                    end=int(t.findtext("end")),
                    phrase=t.findtext("phrase") or "",
                    latitude=_float(tag.find("lat")) if tag is not None else None,
                    longitude=_float(tag.find("lon")) if tag is not None else None,
                    geonameid=int(tag.get("geonameid")) if tag is not None and tag.get("geonameid") else None,
                    country_geonameid=int(country.get("geonameid"))
                    if country is not None and country.get("geonameid")
                    else None,
                )
            )
        yield GoldDocument(article.get("docid", ""), article.findtext("text") or "", article.findtext("url"),
                           tuple(gold))  # fmt: skip


def read_geovirus(path: Path) -> Iterator[GoldDocument]:
    """GeoVirus offsets are one past the text (see the corpus MANIFEST): shift them back by one."""
    for n, article in enumerate(ET.parse(path).getroot().iter("article")):
        gold = tuple(
            GoldToponym(
                start=int(loc.findtext("start")) - 1,
                end=int(loc.findtext("end")) - 1,
                phrase=loc.findtext("name") or "",
                latitude=_float(loc.find("lat")),
                longitude=_float(loc.find("lon")),
            )
            for loc in article.iter("location")
        )
        yield GoldDocument(str(n), article.findtext("text") or "", article.findtext("source"), gold)


READERS = {"lgl": ("lgl.xml", read_lgl), "geovirus": ("GeoVirus.xml", read_geovirus)}


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 12742.0 * math.asin(min(1.0, math.sqrt(h)))


def _overlapping(found: tuple[Toponym, ...], gold: GoldToponym) -> Toponym | None:
    hits = [t for t in found if t.start < gold.end and gold.start < t.end]
    return max(hits, key=lambda t: min(t.end, gold.end) - max(t.start, gold.start)) if hits else None


def corpus_file(corpus_path: Path, kind: str) -> Path:
    path = Path(corpus_path)
    if path.is_dir():
        try:
            path = path / READERS[kind][0]
        except KeyError:
            raise ValueError(f"unknown corpus kind {kind!r}; use one of {', '.join(READERS)}") from None
    if not path.exists():
        raise FileNotFoundError(
            f"{path} not found; point corpus_path at the geoparsing folder or the XML file"
        )
    return path


def evaluate_geoparsing(
    geocoder: Geocoder, corpus_path: Path, kind: str = "lgl", details: bool = False, lowercase: bool = False
) -> dict:
    """Score ``geocoder`` on an LGL or GeoVirus file (or the folder holding them); returns a dict of figures.

    ``lowercase`` scores the same texts lower-cased (as some outlets publish), offsets unchanged.
    With ``details`` the dict also holds ``errors``: (doc id, phrase, gold, predicted, km) per miss.
    """
    path = corpus_file(corpus_path, kind)
    reader = READERS[kind][1]
    country_iso3 = _country_ids(geocoder)
    n_gold = n_coords = within = n_ids = exact = n_country = country_ok = 0
    n_found = found_ok = gold_found = docs = 0
    errors = []
    for doc in reader(path):
        docs += 1
        found = geocoder.parse(doc.text.lower() if lowercase else doc.text, GeoHints(url=doc.url))
        n_found += len(found)
        found_ok += sum(1 for t in found if any(t.start < g.end and g.start < t.end for g in doc.toponyms))
        for g in doc.toponyms:
            n_gold += 1
            hit = _overlapping(found, g)
            place = hit.place if hit else None
            gold_found += hit is not None
            if g.latitude is None or g.longitude is None:
                continue
            n_coords += 1
            dist = (
                _km(g.latitude, g.longitude, place.latitude, place.longitude)
                if place and place.latitude is not None and place.longitude is not None
                else math.inf
            )
            within += dist <= ACCURACY_KM
            if g.geonameid:
                n_ids += 1
                exact += place is not None and place.geonameid == g.geonameid
            if g.country_geonameid and g.country_geonameid in country_iso3:
                n_country += 1
                country_ok += place is not None and place.country == country_iso3[g.country_geonameid]
            if details and dist > ACCURACY_KM:
                errors.append((doc.doc_id, g.phrase, (g.latitude, g.longitude),
                               (place.name, place.country, place.feature_code) if place else None,
                               hit.text if hit else None, round(dist) if dist != math.inf else None))  # fmt: skip
    out = {
        "corpus": kind + (" (lower-cased)" if lowercase else ""),
        "documents": docs,
        "gold_toponyms": n_gold,
        "gold_with_coordinates": n_coords,
        "acc_161km": within / n_coords if n_coords else 0.0,
        "exact_geonameid": exact / n_ids if n_ids else None,
        "country_accuracy": country_ok / n_country if n_country else None,
        "precision": found_ok / n_found if n_found else 0.0,
        "recall": gold_found / n_gold if n_gold else 0.0,
        "predicted_toponyms": n_found,
    }
    if details:
        out["errors"] = errors
    return out


def _country_ids(geocoder: Geocoder) -> dict[int, str]:
    """Country GeoNames id → ISO3, from the built-in gazetteer when the geocoder has one."""
    gz = getattr(geocoder, "gazetteer", None)
    ids = getattr(gz, "country_ids", None) or {}
    return {gid: iso3 for iso3, gid in ids.items()}
