"""The one way ukcn fetches a URL: watchlists, peers' guidance feeds, anything later.

A fetch must not become a way into the university's network (SSRF), hang a worker, or hand
a peer's token to someone else:

- https only (plain http when WATCHLIST_ALLOW_HTTP), no `user:password@`, and IPv4 literals
  only in their usual dotted form (`2130706433` and `0177.0.0.1` are loopback in disguise);
- the host is resolved once per connection, every address it resolves to must be globally
  routable, and the connection is made to one of those checked addresses, so a name cannot
  answer a public address to the check and an internal one to the connection (DNS
  rebinding). Hosts named in WATCHLIST_ALLOWED_PRIVATE_HOSTS may be internal;
- every redirect is checked the same way, at most WATCHLIST_MAX_REDIRECTS of them;
- timeouts for connecting and for each read, and an overall deadline that closes the
  connection when it passes, however slowly the server keeps sending (name lookups keep the
  system resolver's own timeouts: getaddrinfo cannot be interrupted);
- a size cap, checked while the body streams;
- a bearer token goes only to the URL's own origin, and only over https: never after a
  redirect elsewhere, never over plain http;
- proxies and credentials from the environment are ignored.
"""

import contextlib
import contextvars
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as urllib3_connection

CHUNK = 64 * 1024
REDIRECTS = (301, 302, 303, 307, 308)

# Python 3.11 calls these global, but each leads somewhere else: 6to4 and NAT64 wrap an IPv4
# address a relay or gateway will reach for us, site-local is a deprecated private range.
_NOT_GLOBAL_V6 = {
    ipaddress.ip_network("2002::/16"): "a 6to4 address",
    ipaddress.ip_network("64:ff9b::/96"): "a NAT64 address",
    ipaddress.ip_network("64:ff9b:1::/48"): "a local NAT64 address",
    ipaddress.ip_network("fec0::/10"): "a site-local address",
}


class FetchError(Exception):
    """The URL was refused or could not be fetched; the message says which and why."""


def _is_internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not ip.is_global or any(
        (
            ip.is_private,
            ip.is_loopback,
            ip.is_link_local,
            ip.is_multicast,
            ip.is_reserved,
            ip.is_unspecified,
        )
    )


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in ipaddress.ip_network("64:ff9b::/96"):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_refusal(address: str) -> str | None:
    """Why an address may not be fetched from (not globally routable), or None if it may."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            return "a scoped link-local address"
        embedded = _embedded_ipv4(ip)
        if ip.ipv4_mapped:
            ip = ip.ipv4_mapped  # judged as the IPv4 address it is
        else:
            for network, kind in _NOT_GLOBAL_V6.items():
                if ip in network:
                    return f"{kind} wrapping {embedded}" if embedded else kind
    if _is_internal(ip):
        return "not globally routable"
    return None


def _allowed_private(host: str) -> bool:
    return host.lower().rstrip(".") in {
        name.lower().rstrip(".") for name in settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS
    }


def _host_form_check(url: str, host: str) -> None:
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    try:
        socket.inet_aton(host)
    except OSError:
        return  # a name, resolved and checked when connecting
    raise FetchError(
        f"refused {url}: {host} is an IP address in an unusual form (decimal, octal or hex); "
        "write it as four decimal numbers"
    )


def _url_parts_check(url: str):
    """Refuse a URL by its form alone: scheme, host, port, credentials."""
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if settings.WATCHLIST_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed_schemes:
        raise FetchError(f"refused {url}: only {' or '.join(allowed_schemes)} URLs may be fetched")
    host = parts.hostname
    if not host:
        raise FetchError(f"refused {url}: it names no host")
    if parts.username is not None or parts.password is not None:
        raise FetchError(f"refused {url}: credentials in a URL are never sent")
    try:
        parts.port  # noqa: B018 (a bad port raises)
    except ValueError:
        raise FetchError(f"refused {url}: its port is not a number from 0 to 65535") from None
    _host_form_check(url, host)
    return parts


def _resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (a seam for tests that need a name to answer)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def checked_addresses(host: str, port: int, *, url: str = "") -> list[str]:
    """Resolve `host` once and refuse it unless every address is global (or it is allowed)."""
    try:
        addresses = _resolve(host, port)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise FetchError(f"could not resolve {host}: {exc}") from None
    if not addresses:
        raise FetchError(f"could not resolve {host}: no addresses")
    if _allowed_private(host):
        return addresses
    for address in addresses:
        reason = address_refusal(address)
        if reason:
            raise FetchError(
                f"refused {url or host}: {host} resolves to the internal address {address} "
                f"({reason}; allow the host in WATCHLIST_ALLOWED_PRIVATE_HOSTS if it is meant)"
            )
    return addresses


def url_check(url: str) -> None:
    """Refuse a URL that could not be fetched: its form, or a host that resolves inward."""
    parts = _url_parts_check(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    checked_addresses(parts.hostname, port, url=url)


# --- the deadline and the connections -----------------------------------------------------


@dataclass
class _Fetch:
    """One fetch in progress: its deadline, and the connections to cut when it passes."""

    seconds: float
    url: str = ""  # the hop being fetched, for messages
    started: float = field(default_factory=time.monotonic)
    expired: bool = False
    _sockets: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)

    def watch(self, sock: socket.socket) -> None:
        # A duplicate of the descriptor, ours to shut down from the timer's thread: shutting
        # the socket down wakes a read blocked on it, plain or TLS, in any phase.
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            if self.expired:
                self._shut(duplicate)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for duplicate in self._sockets:
                self._shut(duplicate)

    @staticmethod
    def _shut(duplicate: socket.socket) -> None:
        with contextlib.suppress(OSError):  # already closed by the other side
            duplicate.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for duplicate in self._sockets:
                duplicate.close()
            self._sockets.clear()

    def check(self, url: str) -> None:
        if self.expired or self.remaining() <= 0:
            raise FetchError(
                f"gave up on {url} after {self.seconds:g} seconds (the overall deadline)"
            )


_current = contextvars.ContextVar("ukcn_fetch")


class _CheckedConnection:
    """A urllib3 connection that resolves once, checks, and connects to a checked address."""

    def _new_conn(self) -> socket.socket:
        fetch = _current.get(None)
        if fetch is None:
            raise FetchError("outbound connections go through ukcn.fetch.url_fetch")
        fetch.check(self.host)
        addresses = checked_addresses(self.host, self.port, url=fetch.url)
        remaining = max(fetch.remaining(), 0.001)
        timeout = (
            min(self.timeout, remaining) if isinstance(self.timeout, float | int) else remaining
        )
        problem = None
        for address in addresses:
            try:
                sock = urllib3_connection.create_connection(
                    (address, self.port), timeout, socket_options=self.socket_options
                )
            except OSError as exc:
                problem = exc
                continue
            fetch.watch(sock)
            return sock
        fetch.check(self.host)
        raise FetchError(f"could not connect to {self.host} ({', '.join(addresses)}): {problem}")


class _CheckedHTTPConnection(_CheckedConnection, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnection, HTTPSConnection):
    pass


class _CheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class _CheckedAdapter(HTTPAdapter):
    """requests' adapter whose connections go only to checked addresses."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPPool,
            "https": _CheckedHTTPSPool,
        }


# --- fetching -----------------------------------------------------------------------------


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    return (
        parts.scheme,
        (parts.hostname or "").rstrip("."),
        parts.port or (443 if parts.scheme == "https" else 80),
    )


def _body_read(response: requests.Response, url: str, limit: int, fetch: _Fetch) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"{url} is too large ({declared} bytes; the limit is {limit})")
    chunks, total = [], 0
    for chunk in response.iter_content(CHUNK):
        fetch.check(url)
        total += len(chunk)
        if total > limit:
            raise FetchError(f"{url} is too large (more than {limit} bytes; download stopped)")
        chunks.append(chunk)
    fetch.check(url)  # the deadline may have cut the body short
    return b"".join(chunks)


def _hop(session, url: str, headers: dict, fetch: _Fetch) -> requests.Response:
    remaining = max(fetch.remaining(), 0.001)
    timeout = (
        min(settings.WATCHLIST_CONNECT_TIMEOUT, remaining),
        min(settings.WATCHLIST_READ_TIMEOUT, remaining),
    )
    verify = settings.OUTBOUND_CA_BUNDLE or True
    return session.get(
        url, headers=headers, stream=True, allow_redirects=False, timeout=timeout, verify=verify
    )


def url_fetch(
    url: str,
    *,
    max_bytes: int | None = None,
    deadline: float | None = None,
    token: str = "",
    accept: str = "",
) -> bytes:
    """The body at `url`, fetched under every rule above; FetchError says why not."""
    token_origin = _origin(url)
    if token and token_origin[0] != "https":
        raise FetchError(f"refused {url}: a token is only ever sent over https")
    limit = settings.WATCHLIST_MAX_BYTES if max_bytes is None else max_bytes
    fetch = _Fetch(settings.WATCHLIST_FETCH_DEADLINE if deadline is None else deadline)
    context = _current.set(fetch)
    current = url
    try:
        with requests.Session() as session:
            session.trust_env = False  # a proxy or .netrc from the environment bypasses the checks
            session.mount("http://", _CheckedAdapter())
            session.mount("https://", _CheckedAdapter())
            for _hop_number in range(settings.WATCHLIST_MAX_REDIRECTS + 1):
                _url_parts_check(current)
                fetch.url = current
                headers = {"Accept": accept} if accept else {}
                if token and _origin(current) == token_origin:
                    headers["Authorization"] = f"Bearer {token}"
                session.cookies.clear()
                try:
                    with _hop(session, current, headers, fetch) as response:
                        if response.status_code in REDIRECTS and "Location" in response.headers:
                            current = urljoin(current, response.headers["Location"])
                            continue
                        if response.status_code != 200:
                            raise FetchError(f"{current} answered HTTP {response.status_code}")
                        return _body_read(response, current, limit, fetch)
                except requests.RequestException as exc:
                    fetch.check(current)
                    raise FetchError(
                        f"could not fetch {current}: {exc.__class__.__name__}"
                    ) from None
        raise FetchError(f"{url} redirected more than {settings.WATCHLIST_MAX_REDIRECTS} times")
    finally:
        _current.reset(context)
        fetch.close()
