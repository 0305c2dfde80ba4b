"""Fetching articles and RSS/Atom feeds over HTTP(S), safely.

* every host is resolved and each of its addresses checked before connecting, on every redirect
  hop: private, loopback, link-local, reserved, multicast and other non-global addresses are
  refused unless ``settings.fetch_allow_private`` is set (SSRF protection); the connection itself
  goes to an address checked at connect time (:class:`_CheckedBackend`), so a DNS server that
  answers differently the second time (DNS rebinding) gains nothing;
* at most :data:`MAX_REDIRECTS` redirects, followed by hand so each hop is checked;
* the body is streamed and cut off at ``settings.fetch_max_bytes``; ``settings.fetch_timeout``
  bounds each network operation and the whole fetch, redirects included: a watchdog cuts the
  connection when time is up, so a server trickling a header line every few seconds cannot hold a
  fetch for days (httpx's own timeouts bound each read, not the whole exchange).

The client does not use proxies from the environment (``HTTPS_PROXY``…): a proxy resolves the name
itself, out of reach of the address check.
"""

from __future__ import annotations

import contextlib
import io
import ipaddress
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from tocsin import __version__
from tocsin.ingest.decode import DecodeError, decode_bytes
from tocsin.records import RawDocument, Rejected
from tocsin.settings import Settings

MAX_REDIRECTS = 5
USER_AGENT = f"tocsin/{__version__} (news event extraction for research; python-httpx)"
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
_REDIRECTS = {301, 302, 303, 307, 308}


class FetchError(Exception):
    """A URL that could not be fetched; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    media_type: str  # "text/html", lower-cased, without parameters
    charset: str | None
    body: bytes

    def is_feed(self) -> bool:
        if self.media_type in HTML_TYPES:
            return False
        head = self.body[:1024].lstrip().lower()
        return (
            self.media_type in FEED_TYPES
            or head.startswith(b"<?xml")
            and (b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head)
            or head.startswith((b"<rss", b"<feed"))
        )


def make_client(settings: Settings) -> httpx.Client:
    """The HTTP client fetches use: timeouts, User-Agent, no automatic redirects, connections only
    to addresses :func:`public_addresses` allows.

    No keep-alive: each fetch opens its own connection, which is what lets the fetch's watchdog
    (:class:`_Deadline`) find the socket to cut."""
    transport = httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0))
    # httpx does not take a network backend; its pool (httpcore) does. Same pool, checked connects.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_keepalive_connections=0,
        network_backend=_CheckedBackend(settings),
    )
    return httpx.Client(
        timeout=httpx.Timeout(settings.fetch_timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
        transport=transport,
    )


class _CheckedBackend(httpcore.NetworkBackend):
    """Connects to a resolved address that passed :func:`public_addresses`, never to a name: what
    was checked is what is connected to (TLS still verifies the certificate against the name)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:  # fmt: skip
        last: Exception | None = None
        for address in public_addresses(host, port, self._settings, url=f"{host}:{port}"):
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as err:  # try the name's next address, as a resolver would
                last = err
        raise last or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options: Any = None) -> httpcore.NetworkStream:
        raise FetchError("refusing a Unix socket connection")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Deadline:
    """Shuts down the sockets a fetch opened once ``seconds`` have passed, waking any blocked read.

    The sockets come from httpcore's ``trace`` request extension (``connection.connect_tcp.complete``).
    """

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: dict) -> None:
        if event == "connection.connect_tcp.complete" and info.get("return_value") is not None:
            sock = info["return_value"].get_extra_info("socket")
            if sock is not None:
                with self._lock:
                    self._sockets.append(sock)
                    if self.expired:
                        _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed
        sock.shutdown(socket.SHUT_RDWR)


def check_address(url: httpx.URL, settings: Settings) -> None:
    """Refuse schemes other than http(s), and hosts that resolve to non-public addresses."""
    shown = public_url(url)
    if url.scheme not in ("http", "https"):
        raise FetchError(f"refusing {shown}: only http and https URLs can be fetched")
    if not url.host:
        raise FetchError(f"refusing {shown}: no host name")
    public_addresses(url.host, url.port or (443 if url.scheme == "https" else 80), settings, url=shown)


def public_url(url: str | httpx.URL) -> str:
    """``url`` without its credentials (``https://user:secret@host/`` → ``https://host/``): what
    may be stored, shown and logged. The request itself still sends them."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
    except httpx.InvalidURL:
        return str(url)
    return str(parsed.copy_with(userinfo=b"")) if parsed.userinfo else str(parsed)


def public_addresses(host: str, port: int, settings: Settings, *, url: str) -> list[str]:
    """The addresses ``host`` resolves to, refused as a whole if any is non-public (unless
    ``settings.fetch_allow_private``); ``url`` names the request in the error."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as err:
        raise FetchError(f"cannot resolve host {host!r}: {err.strerror}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    if settings.fetch_allow_private:
        return addresses
    for raw in addresses:
        address = _effective(ipaddress.ip_address(raw.split("%", 1)[0]))
        if _non_public(address):
            raise FetchError(
                f"refusing {url}: {host} resolves to {address}, a {_kind(address)} address "
                "(set fetch_allow_private=True to fetch from private networks)"
            )
    return addresses


# Special-purpose ranges that Python 3.11's ``is_global`` still calls global (later Pythons fix
# some): IETF protocol assignments, deprecated IPv6 site-local, local-use NAT64. Multicast is
# refused too: no web server lives there.
_EXTRA_NON_PUBLIC = tuple(ipaddress.ip_network(n) for n in ("192.0.0.0/24", "fec0::/10", "64:ff9b:1::/48"))
# NAT64 (RFC 6052): a gateway forwards 64:ff9b::a.b.c.d to the IPv4 address a.b.c.d.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _effective(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The IPv4 address an IPv6 one stands for (mapped ::ffff:a.b.c.d, 6to4 2002::/16, NAT64), else itself."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.sixtofour is not None:
            return address.sixtofour
        if address in _NAT64:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _non_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return (
        not address.is_global
        or address.is_multicast
        or any(address.version == n.version and address in n for n in _EXTRA_NON_PUBLIC)
    )


def _kind(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    for attr, name in (
        ("is_loopback", "loopback"),
        ("is_link_local", "link-local"),
        ("is_multicast", "multicast"),
        ("is_unspecified", "unspecified"),
        ("is_private", "private"),
        ("is_reserved", "reserved"),
    ):
        if getattr(address, attr):
            return name
    return "non-public"


def fetch(url: str, settings: Settings, client: httpx.Client | None = None) -> Fetched:
    """GET ``url`` with the safeguards above; raise :class:`FetchError` with the reason on failure."""
    own = client is None
    client = client or make_client(settings)
    deadline = _Deadline(settings.fetch_timeout)
    try:
        return _fetch(httpx.URL(url), settings, client, deadline)
    except httpx.InvalidURL as err:
        raise FetchError(f"invalid URL {public_url(url)!r}: {err}") from None
    except httpx.TimeoutException:  # one operation ran out of time; the watchdog bounds the whole
        raise FetchError(_too_slow(url, settings)) from None
    except httpx.HTTPError as err:
        if deadline.expired:
            raise FetchError(_too_slow(url, settings)) from None
        raise FetchError(f"could not fetch {public_url(url)}: {type(err).__name__}: {err}") from None
    finally:
        deadline.cancel()
        if own:
            client.close()


def _fetch(url: httpx.URL, settings: Settings, client: httpx.Client, watchdog: _Deadline) -> Fetched:
    deadline = time.monotonic() + settings.fetch_timeout
    for _hop in range(MAX_REDIRECTS + 1):
        check_address(url, settings)
        with client.stream("GET", url, extensions={"trace": watchdog.trace}) as response:
            if response.status_code in _REDIRECTS and "location" in response.headers:
                url = response.url.join(response.headers["location"])
                continue
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} {response.reason_phrase} from {public_url(url)}")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > settings.fetch_max_bytes:
                raise FetchError(_too_big(url, settings))
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > settings.fetch_max_bytes:
                    raise FetchError(_too_big(url, settings))
                if time.monotonic() > deadline or watchdog.expired:
                    raise FetchError(_too_slow(url, settings))
                chunks.append(chunk)
            if watchdog.expired:  # the cut connection looks like the end of a body sent without a length
                raise FetchError(_too_slow(url, settings))
            content_type = response.headers.get("content-type", "")
            media_type = content_type.split(";", 1)[0].strip().lower()
            return Fetched(public_url(response.url), media_type, response.charset_encoding, b"".join(chunks))
    raise FetchError(f"more than {MAX_REDIRECTS} redirects from {public_url(url)}")


def _too_slow(url: httpx.URL | str, settings: Settings) -> str:
    return f"fetching {public_url(url)} took longer than {settings.fetch_timeout:g} s (settings.fetch_timeout)"


def _budget_spent(settings: Settings) -> str:
    return (
        f"not fetched: this feed's entries took longer than {settings.fetch_feed_budget:g} s in all "
        "(settings.fetch_feed_budget); run again to fetch the rest"
    )


def _too_big(url: httpx.URL, settings: Settings) -> str:
    return f"response from {public_url(url)} is larger than {settings.fetch_max_bytes:,} bytes (settings.fetch_max_bytes)"


def iter_url(
    url: str, settings: Settings, client: httpx.Client | None = None
) -> Iterator[RawDocument | Rejected]:
    """An article page → one document; an RSS/Atom feed → one document per entry link."""
    own = client is None
    client = client or make_client(settings)
    shown = public_url(url)  # ids and origins never carry credentials
    try:
        try:
            page = fetch(url, settings, client)
        except FetchError as err:
            yield Rejected(shown, shown, str(err))
            return
        if page.is_feed():
            yield from _feed_entries(shown, page, settings, client)
        else:
            yield _document(shown, page, origin=shown)
    finally:
        if own:
            client.close()


def _feed_entries(
    url: str, page: Fetched, settings: Settings, client: httpx.Client
) -> Iterator[RawDocument | Rejected]:
    import feedparser  # imported lazily: only feeds need it

    # A file-like object, never bytes or str: feedparser would try to open a str as a URL or path.
    parsed = feedparser.parse(io.BytesIO(page.body), response_headers={"content-location": page.url})
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        reason = f"invalid feed: {problem}" if problem else "feed has no entries"
        yield Rejected(url, url, reason)
        return
    outlet = parsed.feed.get("title") or None
    budget_ends = time.monotonic() + settings.fetch_feed_budget
    for entry in parsed.entries:
        link = entry.get("link")
        # The entry's link is its id, as for a page fetched directly: the same article reached
        # through a feed and by its URL is one document.
        entry_id = public_url(link) if link else entry.get("id") or f"{url}#{entry.get('title', '')}"
        if not link:
            yield Rejected(entry_id, url, "feed entry has no link")
            continue
        origin = f"{url} -> {public_url(link)}"
        if time.monotonic() > budget_ends:
            yield Rejected(entry_id, origin, _budget_spent(settings))
            continue
        try:
            article = fetch(link, settings, client)
        except FetchError as err:
            yield Rejected(entry_id, origin, str(err))
            continue
        doc = _document(entry_id, article, origin=origin)
        if isinstance(doc, RawDocument):
            doc = RawDocument(
                doc_id=doc.doc_id,
                text=doc.text,
                html=doc.html,
                url=public_url(link),
                published=entry.get("published") or entry.get("updated") or None,
                title=entry.get("title") or None,
                outlet=outlet,
                origin=doc.origin,
            )
        yield doc


def _document(doc_id: str, page: Fetched, origin: str) -> RawDocument | Rejected:
    html = page.media_type in HTML_TYPES or not page.media_type
    if not html and not page.media_type.startswith("text/"):
        return Rejected(
            doc_id, origin, f"unsupported content type {page.media_type!r}: expected HTML, text or a feed"
        )
    try:
        text = page.body.decode(page.charset) if page.charset else decode_bytes(page.body, html=html)
    except (UnicodeDecodeError, LookupError):
        try:
            text = decode_bytes(page.body, html=html)
        except DecodeError as err:
            return Rejected(doc_id, origin, str(err))
    except DecodeError as err:
        return Rejected(doc_id, origin, str(err))
    if html:
        return RawDocument(doc_id=doc_id, html=text, url=page.url, origin=origin)
    return RawDocument(doc_id=doc_id, text=text, url=page.url, origin=origin)
