"""Front-end files, all served from installed packages: nothing from a CDN, nothing copied in.

- Leaflet 1.9.4 from ``django-js-lib-leaflet`` (its static folder; Django itself is not needed)
- Swagger UI 5 for /docs from ``fastapi-offline`` (its static folder)
- country outlines (Natural Earth 1:110m shapes, 173 countries) from ``countryinfo``
- the dashboard's own HTML, JS and CSS from ``tocsin/web/static``
"""

from __future__ import annotations

import json
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path

DASHBOARD_DIR = Path(__file__).parent / "static"


def _package_dir(package: str, sub: str, extra: str = "web") -> Path:
    spec = find_spec(package)
    if spec is None:
        raise RuntimeError(f"the dashboard needs the {package!r} package: pip install 'tocsin[{extra}]'")
    path = Path(str(files(package) / sub))
    if not path.is_dir():
        raise RuntimeError(f"{package!r} is installed but has no {sub!r} folder; reinstall 'tocsin[{extra}]'")
    return path


def leaflet_dir() -> Path:
    return _package_dir("js_lib_leaflet", "static/js_lib_leaflet")


def swagger_dir() -> Path:
    return _package_dir("fastapi_offline", "static")


def countries_geojson() -> bytes:
    """A FeatureCollection of country outlines (id = ISO3, name), ~250 KB, built in ~0.1 s."""
    try:
        from countryinfo import all_countries
    except ImportError:
        raise RuntimeError("country outlines need countryinfo: pip install 'tocsin[web]'") from None
    features = []
    for country in all_countries():
        shape = country.geo_json() or {}
        for feature in shape.get("features", ()):
            features.append(
                {
                    "type": "Feature",
                    "id": feature.get("id"),
                    "properties": {"name": (feature.get("properties") or {}).get("name")},
                    "geometry": feature["geometry"],
                }
            )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False).encode()
