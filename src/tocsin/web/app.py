"""The REST API and the dashboard: ``create_app`` builds the app, ``serve`` runs it with uvicorn.

Read-only unless a token is configured; then ``POST /api/documents`` runs the pipeline on a
document and stores the result through the one writer thread (tocsin.web.writer).
"""

import hmac
import io
import os
import socket
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Annotated, Any

try:
    import fastapi  # noqa: F401
except ImportError:  # pragma: no cover - depends on how tocsin was installed
    raise ImportError("the web API needs the web extra: pip install 'tocsin[web]'") from None

import orjson
from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from tocsin.export import EXPORTERS
from tocsin.ingest.fields import RecordError, to_document
from tocsin.settings import Settings
from tocsin.store.base import Store, open_store
from tocsin.web import assets
from tocsin.web.cache import ResponseCache
from tocsin.web.generic import StoreReader
from tocsin.web.models import (
    DocumentIn,
    DocumentOut,
    EventOut,
    EventPage,
    IngestOut,
    StatsOut,
    document_dict,
    event_dict,
    event_out,
    page_dict,
    stats_dict,
)
from tocsin.web.params import event_query
from tocsin.web.query import EventQuery, EventReader, QueryableStore, SQLReader
from tocsin.web.security import SecurityHeaders
from tocsin.web.writer import Pipeline, Writer, default_pipeline

# A shorter token is guessable; `python -c "import secrets; print(secrets.token_urlsafe(32))"`
MIN_TOKEN_CHARS = 16
# Connections (idle keep-alive ones included) one server process holds at once; a request beyond
# them is answered 503 at once. Without a bound an overloaded server queues requests its clients
# have given up on and never catches up (measured: 200 requests/s on a busy machine fell to 0
# answered within a minute); 256 requests of ~5 ms are at most ~1.3 s of queue per process.
MAX_CONNECTIONS = 256
# Largest page of /api/events; exports (CSV, GeoJSON) are not paged.
MAX_PAGE = 1000
DEFAULT_PAGE = 100
JSON = "application/json"
WRITES_DISABLED = (
    "writes are disabled: this server was started without an API token. Restart it with one "
    "(docs/web.md, 'Writes') and send it as 'Authorization: Bearer <token>'"
)


async def _reader(request: Request) -> EventReader:
    # async: a plain function would be run on a worker thread, ~0.1 ms a request for nothing
    return request.app.state.reader


# FastAPI reads these annotations at run time: they live at module level, and this module does not
# use ``from __future__ import annotations``.
Reader = Annotated[EventReader, Depends(_reader)]
Filters = Annotated[EventQuery, Depends(event_query)]


def _reader_for(store: Store) -> EventReader:
    """SQL stores (SQLite, PostgreSQL) answer queries in SQL; any other store through its protocol."""
    if isinstance(store, QueryableStore):
        return SQLReader(store)
    return StoreReader(store)


def create_app(
    store_factory: Callable[[str], Store] = open_store,
    settings: Settings | None = None,
    *,
    token: str | None = None,
    make_pipeline: Callable[[], Pipeline] | None = None,
) -> FastAPI:
    """The tocsin web app over the store ``store_factory(settings.db)`` (opened at start-up).

    ``token`` enables ``POST /api/documents`` for requests bearing it. ``make_pipeline`` builds
    the function run on posted documents (default: the real pipeline, built on the first post).
    """
    settings = settings or Settings.load()
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ValueError(f"the API token must have at least {MIN_TOKEN_CHARS} characters")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = store_factory(settings.db)
        app.state.reader = _reader_for(store)
        app.state.cache = ResponseCache()
        app.state.writer = Writer(store, make_pipeline or default_pipeline(settings))
        try:
            yield
        finally:
            app.state.writer.close()
            app.state.reader.close()
            store.close()

    app = FastAPI(
        title="tocsin",
        summary="Protest and riot events extracted from news, in ACLED's vocabulary.",
        docs_url=None,  # served below with local Swagger UI files and no inline script
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    app.state.token = token
    _mount_front_end(app)

    # The read endpoints answer JSON built from plain dicts (tocsin.web.models, ``response_model``
    # documents the shape) through ``_json``, which keeps answers until the data changes.

    @app.get("/api/events", response_model=EventPage, tags=["events"])
    async def list_events(
        request: Request,
        r: Reader,
        q: Filters,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="events per page")] = DEFAULT_PAGE,
        offset: Annotated[int, Query(ge=0, description="events to skip")] = 0,
    ) -> Response:
        """Events matching the filters, one page at a time, with the total count."""
        query = replace(q, limit=limit, offset=offset)

        def build() -> dict[str, Any]:
            page = r.page(query)
            return page_dict(page.total, limit, offset, r.search_mode, page.events)

        return await _json(request, ("page", query), build)

    @app.get("/api/events.geojson", tags=["events"], response_class=Response)
    def events_geojson(r: Reader, q: Filters) -> Response:
        """The filtered events as a GeoJSON FeatureCollection (events without coordinates left out)."""
        return _export(r, q, "geojson", "application/geo+json")

    @app.get("/api/events.csv", tags=["events"], response_class=Response)
    def events_csv(r: Reader, q: Filters) -> Response:
        """The filtered events as CSV in ACLED's columns (then tocsin's)."""
        return _export(r, q, "csv", "text/csv; charset=utf-8")

    @app.get("/api/events/{event_id:path}", response_model=EventOut, tags=["events"])
    async def get_event(request: Request, r: Reader, event_id: str) -> Response:
        """One event with all its sources (and what each said) and its evidence."""

        def build() -> dict[str, Any]:
            found = r.event(event_id)
            if found is None:
                raise HTTPException(404, f"no event {event_id!r}; list events with GET /api/events")
            return event_dict(*found)

        return await _json(request, ("event", event_id), build)

    @app.get("/api/stats", response_model=StatsOut, tags=["events"])
    async def stats(request: Request, r: Reader, q: Filters) -> Response:
        """Counts of the filtered events by day, by week, by country and by type."""
        return await _json(request, ("stats", q), lambda: stats_dict(r.stats(q)))

    @app.get("/api/documents/{doc_id:path}", response_model=DocumentOut, tags=["documents"])
    async def get_document(request: Request, r: Reader, doc_id: str) -> Response:
        """A document's clean text, its events, and where their evidence sits in the text."""

        def build() -> dict[str, Any]:
            view = r.document(doc_id)
            if view is None:
                raise HTTPException(404, f"no document {doc_id!r} in this store")
            return document_dict(view)

        return await _json(request, ("document", doc_id), build)

    def require_token(authorization: Annotated[str | None, Header()] = None) -> None:
        if token is None:
            raise HTTPException(403, WRITES_DISABLED)
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise HTTPException(
                401, "missing or wrong API token: send 'Authorization: Bearer <token>'",
                headers={"WWW-Authenticate": "Bearer"},
            )  # fmt: skip

    @app.post(
        "/api/documents", response_model=IngestOut, status_code=201, tags=["documents"],
        dependencies=[Depends(require_token)],
    )  # fmt: skip
    async def post_document(request: Request, doc: DocumentIn) -> IngestOut:
        """Run the pipeline on one document and store the result (needs the API token)."""
        # the same mapping as a JSON Lines record given to `tocsin ingest` (ids, HTML detection)
        try:
            raw = to_document(doc.model_dump(exclude_none=True), origin="api")
        except RecordError as exc:
            raise RequestValidationError(
                [{"type": "value_error", "loc": ("body",), "msg": str(exc), "input": None}]
            ) from None
        result = await request.app.state.writer.ingest(raw)
        request.app.state.cache.clear()  # the data version moved too; this is only quicker to see
        status = "rejected" if result.rejected else "skipped" if result.skipped else "processed"
        reason = result.rejected.reason if result.rejected else result.skipped
        return IngestOut(
            doc_id=raw.doc_id, status=status, reason=reason, relevance=result.relevance,
            events=[event_out(e) for e in result.events],
        )  # fmt: skip

    @app.get("/api/meta", tags=["meta"])
    def meta(r: Reader) -> dict[str, object]:
        """What this server offers: search mode, whether writes are enabled, the type vocabulary."""
        from tocsin.records import SUB_EVENT_TYPES

        return {"search": r.search_mode, "writes": token is not None, "sub_event_types": SUB_EVENT_TYPES}

    return app


async def _json(request: Request, key: Hashable, build: Callable[[], object]) -> Response:
    """``build()`` (run on a worker thread: it reads the store) as JSON, or the same answer kept
    from an earlier request while the store's data version has not changed (tocsin.web.cache).

    Kept answers carry a strong ETag; a client sending it back in If-None-Match gets 304.
    """
    state = request.app.state
    version = state.reader.data_version()  # before reading: an answer is never older than its label
    if version is None:
        return Response(await run_in_threadpool(_encoded, build), media_type=JSON)
    found = state.cache.get(key, version)
    if found is None:
        found = state.cache.put(key, version, await run_in_threadpool(_encoded, build))
    headers = {"ETag": found.etag, "Cache-Control": "no-cache"}  # no-cache: ask again, with the ETag
    if found.etag in (t.strip().removeprefix("W/") for t in request.headers.get("if-none-match", "").split(",")):
        return Response(status_code=304, headers=headers)
    return Response(found.body, media_type=JSON, headers=headers)


def _encoded(build: Callable[[], object]) -> bytes:
    return orjson.dumps(build())


def _export(r: EventReader, q: EventQuery, fmt: str, media_type: str) -> Response:
    buffer = io.StringIO(newline="")
    EXPORTERS[fmt](r.iter_events(q), buffer)
    return Response(
        buffer.getvalue(),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="tocsin-events.{fmt}"'},
    )


def _mount_front_end(app: FastAPI) -> None:
    app.mount("/static/app", StaticFiles(directory=assets.DASHBOARD_DIR), name="app")
    app.mount("/static/leaflet", StaticFiles(directory=assets.leaflet_dir()), name="leaflet")
    app.mount("/static/swagger", StaticFiles(directory=assets.swagger_dir()), name="swagger")
    outlines: list[bytes] = []  # built on the first request, then kept

    @app.get("/", include_in_schema=False)
    def dashboard() -> FileResponse:
        return FileResponse(assets.DASHBOARD_DIR / "index.html")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(assets.DASHBOARD_DIR / "docs.html")

    @app.get("/static/countries.geojson", include_in_schema=False)
    def countries() -> Response:
        if not outlines:
            outlines.append(assets.countries_geojson())
        return Response(outlines[0], media_type="application/geo+json")


def serve(
    db: str | None = None, host: str = "127.0.0.1", port: int = 8000, token: str | None = None, workers: int = 1
) -> None:
    """Run the API and dashboard on ``host:port`` over the store ``db`` until interrupted.

    ``workers`` > 1 runs that many server processes (uvicorn), each reading through its own
    connections: reads scale over the cores (docs/benchmarks.md, "API load"). Writes need the one
    writer of a single process, so a token is refused with several workers.
    """
    import uvicorn

    if workers < 1:
        raise ValueError("workers must be at least 1")
    # httptools parses HTTP in C and uvloop runs the event loop in C: server CPU for a small answer
    # (/api/meta) 0.9 → 0.5 ms a request against uvicorn's pure-Python h11 on asyncio's loop
    fast = _fast_http()
    if workers == 1:
        app = create_app(open_store, Settings.load(db=db), token=token)
        uvicorn.run(app, host=host, port=port, workers=1, log_level="info", limit_concurrency=MAX_CONNECTIONS,
                    http="httptools" if fast else "h11", loop="uvloop" if fast else "asyncio")  # fmt: skip
        return
    if token is not None:
        raise ValueError("writes (an API token) need a single worker: the store has one writer")
    create_app(open_store, Settings.load(db=db))  # fail here, once, on a bad setting
    if db is not None:
        os.environ["TOCSIN_DB"] = db  # each worker process builds its app with Settings.load()
    protocol = "NoDelayHttpToolsProtocol" if fast else "NoDelayH11Protocol"
    uvicorn.run("tocsin.web.app:read_only_app", factory=True, host=host, port=port, workers=workers,
                http=f"tocsin.web.app:{protocol}", loop="uvloop" if fast else "asyncio", log_level="info",
                limit_concurrency=MAX_CONNECTIONS)  # fmt: skip


def _fast_http() -> bool:
    """httptools and uvloop are installed (the web extra pins them)."""
    from importlib.util import find_spec

    return find_spec("httptools") is not None and find_spec("uvloop") is not None


def _no_delay_protocol(base: type) -> type:
    class NoDelay(base):  # type: ignore[misc, valid-type]
        """uvicorn's HTTP/1.1 protocol with TCP_NODELAY on each connection.

        With several workers uvicorn binds the listening socket itself, without the TCP protocol
        number asyncio looks for before it sets TCP_NODELAY; Nagle's algorithm and delayed ACKs then
        add ~40 ms to every response (measured: 0.7 ms → 45 ms for /api/meta with 2 workers).
        """

        def connection_made(self, transport: Any) -> None:  # noqa: ANN401
            sock = transport.get_extra_info("socket")
            if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().connection_made(transport)

    NoDelay.__name__ = NoDelay.__qualname__ = f"NoDelay{base.__name__}"
    return NoDelay


def __getattr__(name: str) -> Any:  # noqa: ANN401
    # built on first use: uvicorn is only needed to serve, not to build the app
    if name == "NoDelayH11Protocol":
        from uvicorn.protocols.http.h11_impl import H11Protocol

        return _no_delay_protocol(H11Protocol)
    if name == "NoDelayHttpToolsProtocol":
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

        return _no_delay_protocol(HttpToolsProtocol)
    raise AttributeError(name)


def read_only_app() -> FastAPI:
    """The app each worker of ``serve(workers=N)`` builds: the store named by $TOCSIN_DB, no writes."""
    return create_app(open_store, Settings.load())
