"""The geocoder interface. Built-in and third-party geocoders register the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from tocsin.records import Place, Toponym

if TYPE_CHECKING:
    from tocsin.settings import Settings


@dataclass(frozen=True, slots=True)
class GeoHints:
    """What the article tells us about where it is: used to disambiguate place names."""

    dateline: str | None = None  # "ahmedabad" from "AHMEDABAD:" or "Ahmedabad, March 3 (PTI)"
    outlet_country: str | None = None  # ISO3 of the outlet, when known
    url: str | None = None


# Feature codes of places wider than a country's first-level regions: a country ("PCLI") or a
# continent ("CONT"). An event placed only at such a level cannot be mapped.
COUNTRY_LEVEL_CODES = frozenset({"PCLI", "CONT"})


def is_country_level(place: Place | None) -> bool:
    """True for a country or continent (or no place): too coarse to map an event to."""
    return place is None or place.feature_code in COUNTRY_LEVEL_CODES


class Geocoder(Protocol):
    def parse(self, text: str, hints: GeoHints | None = None) -> tuple[Toponym, ...]:
        """All place names in ``text`` (character offsets into it), resolved in the context of the
        whole text: countries, first-level regions, towns, demonyms. Sorted by start offset.
        Unresolvable names may be returned with ``place=None``."""
        ...


GeocoderFactory = Callable[["Settings"], Geocoder]
GEOCODERS: dict[str, GeocoderFactory] = {}


def register_geocoder(name: str) -> Callable[[GeocoderFactory], GeocoderFactory]:
    def deco(factory: GeocoderFactory) -> GeocoderFactory:
        GEOCODERS[name] = factory
        return factory

    return deco


def make_geocoder(settings: Settings) -> Geocoder:
    from tocsin.geo import builtin  # noqa: F401  (registers the built-in geocoders)

    try:
        factory = GEOCODERS[settings.geocoder]
    except KeyError:
        raise ValueError(
            f"unknown geocoder {settings.geocoder!r}; registered: {', '.join(sorted(GEOCODERS))}"
        ) from None
    return factory(settings)
