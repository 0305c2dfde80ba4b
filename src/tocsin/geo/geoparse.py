"""`tocsin geoparse`: JSON lines of ``{id, text}`` in, their toponyms out (the CLI only does the I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tocsin.geo.base import Geocoder, GeoHints


class GeoparseInputError(ValueError):
    """A JSON line without the fields geoparse needs."""


def geoparse_records(geocoder: Geocoder, lines: Iterable[dict]) -> Iterator[dict]:
    """Map ``{"id", "text"[, "dateline", "outlet_country"]}`` to ``{"id", "toponyms": [...]}``.

    Each toponym is ``{start, end, text, geonameid, name, admin1, country, latitude, longitude,
    feature_class}``; unresolved names carry ``None`` in the place fields.
    """
    for n, record in enumerate(lines, 1):
        text = record.get("text")
        if not isinstance(text, str):
            raise GeoparseInputError(
                f'record {n} has no \'text\' string; each line must be {{"id": ..., "text": ...}}'
            )
        hints = GeoHints(dateline=record.get("dateline"), outlet_country=record.get("outlet_country"))
        toponyms = []
        for t in geocoder.parse(text, hints):
            p = t.place
            toponyms.append(
                {
                    "start": t.start,
                    "end": t.end,
                    "text": t.text,
                    "geonameid": p.geonameid if p else None,
                    "name": p.name if p else None,
                    "admin1": p.admin1 if p else None,
                    "country": p.country if p else None,
                    "latitude": p.latitude if p else None,
                    "longitude": p.longitude if p else None,
                    "feature_class": p.feature_class if p else None,
                }
            )
        yield {"id": record.get("id", n), "toponyms": toponyms}
