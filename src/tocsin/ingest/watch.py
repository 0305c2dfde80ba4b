"""Watching RSS/Atom feeds: poll on an interval, fetch only new entries, politely, and ingest them.

    summary = watch(["https://example.org/rss"], store, settings, interval=300, rounds=None, stop=event)

Each round
  1. fetches every feed through the safe fetcher (:mod:`tocsin.ingest.fetch`: public addresses only,
     timeouts, size cap), conditionally: the feed's last ETag / Last-Modified are sent back, and a
     ``304 Not Modified`` ends that feed's round at once;
  2. skips entries already seen in this process or already stored (``store.document(link)``), so a
     known article is never downloaded again;
  3. asks each host's ``robots.txt`` (fetched through the same safe fetcher, cached per host) whether
     tocsin's user agent may fetch the entry, and waits between requests to one host
     (:data:`HOST_DELAY_S`, or the host's ``Crawl-delay`` if longer);
  4. hands the new documents to :func:`tocsin.pipeline.run`: one run per round, the calling process the
     only writer; the store's ``is_known`` still drops an entry whose content is unchanged.

``stop`` (a :class:`threading.Event`) ends the watch cleanly: the round in progress stops fetching,
stores what it has, and the function returns; the CLI sets it on Ctrl-C.
"""

from __future__ import annotations

import io
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING
from urllib.robotparser import RobotFileParser

import httpx

from tocsin.ingest.fetch import USER_AGENT, Fetched, FetchError, _document, fetch, make_client, public_url
from tocsin.records import RawDocument, Rejected
from tocsin.settings import Settings

if TYPE_CHECKING:
    from tocsin.pipeline import Components, RunSummary
    from tocsin.store.base import Store

# Seconds between two requests to the same host: the usual courtesy of research crawlers (a site's
# robots.txt Crawl-delay, when longer, wins).
HOST_DELAY_S = 1.0
# Entry links remembered in memory to skip without asking the store (the store remembers the rest).
SEEN_CAPACITY = 100_000
# A host's robots.txt is fetched again after this many seconds.
ROBOTS_TTL_S = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class FeedState:
    """What a feed answered last time: sent back so an unchanged feed costs a 304 and no body."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class RoundReport:
    round: int
    summary: RunSummary
    feeds_unchanged: int = 0
    entries_new: int = 0
    entries_seen: int = 0
    disallowed: int = 0  # entries robots.txt forbids us to fetch
    errors: tuple[str, ...] = ()  # feeds that could not be fetched or parsed, with the reason


@dataclass(slots=True)
class _Responses:
    """The last HTTP response's status and validators (an httpx response hook fills it in)."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    def hook(self, response: httpx.Response) -> None:
        self.status = response.status_code
        self.headers = {k: response.headers[k] for k in ("etag", "last-modified") if k in response.headers}


class _Robots:
    """robots.txt per host, fetched through the safe fetcher; per RFC 9309 a 4xx means no rules and any
    other failure means stay away this time."""

    def __init__(self, settings: Settings, client: httpx.Client, seen: _Responses, throttle: _Throttle,
                 clock: Callable[[], float]) -> None:
        self._settings, self._client, self._seen, self._clock = settings, client, seen, clock
        self._throttle = throttle
        self._cache: dict[str, tuple[float, RobotFileParser | None]] = {}

    def parser(self, url: httpx.URL) -> RobotFileParser | None:
        """The host's rules; ``None`` when robots.txt could not be read (then nothing is fetched)."""
        origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
        cached = self._cache.get(origin)
        if cached is not None and self._clock() - cached[0] < ROBOTS_TTL_S:
            return cached[1]
        rules: RobotFileParser | None = RobotFileParser(origin + "/robots.txt")
        try:
            self._throttle.wait(url.host, HOST_DELAY_S)
            page = fetch(origin + "/robots.txt", self._settings, self._client)
            rules.parse(page.body.decode("utf-8", "replace").splitlines())
        except FetchError:
            if 400 <= self._seen.status < 500:
                rules.parse([])  # no robots.txt: everything is allowed
            else:
                rules = None
        self._cache[origin] = (self._clock(), rules)
        return rules


class _Throttle:
    def __init__(self, sleep: Callable[[float], object], clock: Callable[[], float]) -> None:
        self._sleep, self._clock = sleep, clock
        self._last: dict[str, float] = {}

    def wait(self, host: str, delay: float) -> None:
        last = self._last.get(host)
        if last is not None and (pause := last + delay - self._clock()) > 0:
            self._sleep(pause)
        self._last[host] = self._clock()


def watch(
    feeds: Sequence[str],
    store: Store,
    settings: Settings,
    *,
    interval: float = 300.0,
    rounds: int | None = None,
    stop: threading.Event | None = None,
    components: Components | None = None,
    on_round: Callable[[RoundReport], None] | None = None,
    sleep: Callable[[float], object] = time.sleep,
) -> list[RoundReport]:
    """Poll ``feeds`` every ``interval`` seconds (``rounds`` times, or until ``stop`` is set) and ingest
    new entries; returns one report per round. ``sleep`` paces requests to one host (tests pass a fake)."""
    from tocsin.pipeline import make_components, run

    if not feeds:
        raise ValueError("give at least one feed URL to watch")
    stop = stop or threading.Event()
    components = components or make_components(settings)
    responses = _Responses()
    client = make_client(settings)
    client.event_hooks = {"request": [], "response": [responses.hook]}
    poller = _Poller(feeds, store, settings, client, responses, sleep, stop)
    reports: list[RoundReport] = []
    try:
        while not stop.is_set() and (rounds is None or len(reports) < rounds):
            poller.begin_round()
            summary = run(poller.items(), store, settings, sources=list(feeds), components=components)
            report = poller.report(len(reports) + 1, summary)
            reports.append(report)
            if on_round is not None:
                on_round(report)
            if rounds is not None and len(reports) >= rounds:
                break
            stop.wait(interval)
    finally:
        client.close()
    return reports


class _Poller:
    """The state kept across rounds: feed validators, links seen, robots rules, per-host timing."""

    def __init__(self, feeds: Sequence[str], store: Store, settings: Settings, client: httpx.Client,
                 responses: _Responses, sleep: Callable[[float], object], stop: threading.Event) -> None:
        self.feeds, self.store, self.settings, self.client = list(feeds), store, settings, client
        self.responses, self.stop = responses, stop
        self.state: dict[str, FeedState] = {}
        self.seen: OrderedDict[str, None] = OrderedDict()
        self.throttle = _Throttle(sleep, time.monotonic)
        self.robots = _Robots(settings, client, responses, self.throttle, time.monotonic)
        self.begin_round()

    def begin_round(self) -> None:
        self.counts = {"unchanged": 0, "new": 0, "seen": 0, "disallowed": 0}
        self.errors: list[str] = []

    def report(self, number: int, summary: RunSummary) -> RoundReport:
        c = self.counts
        return RoundReport(number, summary, c["unchanged"], c["new"], c["seen"], c["disallowed"], tuple(self.errors))

    def items(self) -> Iterator[RawDocument | Rejected]:
        for feed in self.feeds:
            if self.stop.is_set():
                return
            entries = self._entries(feed)
            for entry_id, link, meta in entries:
                if self.stop.is_set():
                    return
                if entry_id in self.seen or self.store.document(entry_id) is not None:
                    self.counts["seen"] += 1
                    self._remember(entry_id)
                    continue
                doc = self._fetch_entry(feed, entry_id, link, meta)
                if doc is not None:
                    self.counts["new"] += 1
                    self._remember(entry_id)
                    yield doc

    def _remember(self, entry_id: str) -> None:
        self.seen[entry_id] = None
        self.seen.move_to_end(entry_id)
        if len(self.seen) > SEEN_CAPACITY:
            self.seen.popitem(last=False)

    def _get(self, url: str, headers: dict[str, str] | None = None, delay: float = HOST_DELAY_S) -> Fetched:
        self.throttle.wait(httpx.URL(url).host, delay)
        self.client.headers.update(headers or {})
        try:
            return fetch(url, self.settings, self.client)
        finally:
            for key in headers or {}:
                self.client.headers.pop(key, None)

    def _entries(self, feed: str) -> list[tuple[str, str, dict[str, str | None]]]:
        import feedparser

        state = self.state.get(feed, FeedState())
        conditional = {k: v for k, v in (("If-None-Match", state.etag), ("If-Modified-Since", state.last_modified)) if v}
        try:
            page = self._get(feed, conditional)
        except FetchError as err:
            self.errors.append(f"{public_url(feed)}: {err}")
            return []
        if self.responses.status == 304:
            self.counts["unchanged"] += 1
            return []
        validators = self.responses.headers
        self.state[feed] = FeedState(validators.get("etag"), validators.get("last-modified"))
        parsed = feedparser.parse(io.BytesIO(page.body), response_headers={"content-location": page.url})
        if not parsed.entries:
            problem = parsed.get("bozo_exception")
            self.errors.append(f"{public_url(feed)}: " + (f"invalid feed: {problem}" if problem else "feed has no entries"))
            return []
        outlet = parsed.feed.get("title") or None
        found = []
        for entry in parsed.entries:
            link = entry.get("link")
            if link:  # an entry without a link has nothing to fetch; the entry's link is its id (as in ingest)
                meta = {"published": entry.get("published") or entry.get("updated") or None,
                        "title": entry.get("title") or None, "outlet": outlet}
                found.append((public_url(link), link, meta))
        return found

    def _fetch_entry(self, feed: str, entry_id: str, link: str, meta: dict[str, str | None]) -> RawDocument | Rejected | None:
        origin = f"{public_url(feed)} -> {public_url(link)}"
        try:
            rules = self.robots.parser(httpx.URL(link))
        except httpx.InvalidURL as err:
            return Rejected(entry_id, origin, f"invalid URL in feed: {err}")
        if rules is None or not rules.can_fetch(USER_AGENT, link):
            self.counts["disallowed"] += 1
            return None  # not stored: robots.txt may allow it later
        try:
            page = self._get(link, delay=max(HOST_DELAY_S, float(rules.crawl_delay(USER_AGENT) or 0)))
        except FetchError as err:
            return Rejected(entry_id, origin, str(err))
        doc = _document(entry_id, page, origin=origin)
        if isinstance(doc, Rejected):
            return doc
        return replace(doc, url=public_url(link), published=meta["published"], title=meta["title"], outlet=meta["outlet"])
