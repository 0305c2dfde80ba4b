"""Townships, villages and settlements the gazetteer does not know, placed by the town the article
puts them in.

News names the neighbourhood where a protest happened ("the march began in Wesselton township in
neighbouring Ermelo"), and other sentences use that name alone ("roads in Wesselton were blocked"). GeoNames often lacks such places. When the article itself says which known town a named
township, village or settlement is in or near, every mention of the name is placed at that town with
ACLED's geo_precision 2 ("a part of or a place near a town").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from tocsin.records import Place, Toponym

# "<Name> township in <Town>", "<Name> village near <Town>", "<Name> informal settlement outside <Town>"
_KINDS = r"(?:township|village|informal\s+settlement|settlement|suburb|squatter\s+camp|colony|locality)"
_LINK = r"(?:in|near|outside|of|close\s+to|on\s+the\s+outskirts\s+of)\s+(?:neighbouring\s+|nearby\s+|the\s+)?"
_CAPITALISED = re.compile(rf"\b(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)\s+{_KINDS}\s+{_LINK}$")
_LOWER = re.compile(rf"\b(?P<name>[a-z][\w'’-]{{3,}})\s+(?:village|township)\s+{_LINK}$")
# Words that stand before "village" without naming one ("a nearby village of Lyon", "the tribal village").
_NOT_NAMES = frozenset({
    "the", "a", "an", "this", "that", "their", "his", "her", "our", "same", "nearby", "neighbouring", "small",
    "remote", "tribal", "rural", "local", "another", "every", "each", "one", "other", "native", "home", "entire",
    "whole", "old", "new", "adjoining", "adjacent", "border", "coastal", "mixed", "affected",
})
# Only a town (or a part of one) can hold a township: a region or a country is too coarse to place it.
MAX_HOST_PRECISION = 2
REGION_PRECISION = 3


def local_places(text: str, toponyms: Sequence[Toponym]) -> tuple[Toponym, ...]:
    """``toponyms`` plus every mention of a township or village the text places in a known town, or
    names with its region only."""
    hosts: dict[str, Place] = {}
    for t in toponyms:
        if t.place is None or t.place.geo_precision > MAX_HOST_PRECISION:
            continue
        before = text[max(0, t.start - 80): t.start]
        m = _CAPITALISED.search(before) or _LOWER.search(before)
        if m is None:
            continue
        name = m.group("name")
        if name.lower() in _NOT_NAMES or name.split()[0].lower() in _NOT_NAMES:
            continue
        hosts.setdefault(name, replace(t.place, geo_precision=max(t.place.geo_precision, MAX_HOST_PRECISION)))
    hosts |= _unlisted_villages(text, toponyms, set(hosts))
    if not hosts:
        return tuple(toponyms)
    taken = [(t.start, t.end) for t in toponyms]
    added: list[Toponym] = []
    for name, place in hosts.items():
        flags = 0 if name[0].isupper() else re.IGNORECASE
        for m in re.finditer(rf"\b{re.escape(name)}\b", text, flags):
            if not any(m.start() < e and s < m.end() for s, e in taken):
                added.append(Toponym(m.start(), m.end(), m.group(0), place))
    return tuple(sorted([*toponyms, *added], key=lambda t: t.start))


# "Kwanyana village near Mhlabeni, Mpumalanga", where neither village is in the gazetteer: the named
# village is still the most specific place (ACLED codes it), without coordinates, in the region the
# same sentence names. Mixed-case text only: in lower-case text a name cannot be told from a word.
_UNLISTED = re.compile(r"\b(?P<name>[A-Z][a-z][\w'’-]+)\s+(?:village|township|informal\s+settlement)\b(?P<rest>[^.!?]{0,150})")
_BEFORE_SENTENCE = re.compile(r"[^.!?]{0,150}$")


def _unlisted_villages(text: str, toponyms: Sequence[Toponym], known: set[str]) -> dict[str, Place]:
    found: dict[str, Place] = {}
    named = {t.text for t in toponyms} | known
    for m in _UNLISTED.finditer(text):
        name = m.group("name")
        if name in named or name in found or name.lower() in _NOT_NAMES:
            continue
        before = _BEFORE_SENTENCE.search(text[: m.start()])
        lo = before.start() if before else m.start()
        regions = [t.place for t in toponyms if t.place is not None and lo <= t.start < m.end("rest")
                   and t.place.geo_precision == REGION_PRECISION and t.place.feature_code.startswith("ADM")]
        if regions:
            region = regions[0]
            found[name] = Place(name, region.country, None, None, None, region.admin1, "P", "PPL", 0, 1)
    return found
