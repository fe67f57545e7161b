"""Fetching a watchlist from a URL without letting the server be pointed at internal hosts.

The host is checked twice: its name is resolved before each request (a clear refusal for
an internal address), and the address each new connection actually reached is checked
again, so a name that resolves to a public address for the check and to an internal one
for the connection (DNS rebinding) is refused too.
"""

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

CHUNK = 64 * 1024


class FetchError(Exception):
    """The URL was refused or could not be fetched; the message says which and why."""


def _address_is_internal(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
    )


def url_check(url: str) -> None:
    """Refuse a URL whose scheme is not allowed or whose host resolves to an internal address."""
    parts = urlsplit(url)
    allowed_schemes = ("https", "http") if settings.WATCHLIST_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed_schemes:
        raise FetchError(f"refused {url}: only {' or '.join(allowed_schemes)} URLs may be fetched")
    host = parts.hostname
    if not host:
        raise FetchError(f"refused {url}: it names no host")
    if host in settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, ValueError) as exc:
        raise FetchError(f"could not resolve {host}: {exc}") from None
    internal = sorted(address for address in addresses if _address_is_internal(address))
    if internal:
        raise FetchError(
            f"refused {url}: {host} resolves to the internal address {internal[0]} "
            "(allow the host in WATCHLIST_ALLOWED_PRIVATE_HOSTS if it is meant)"
        )


def _peer_check(sock: socket.socket, host: str) -> None:
    if host in settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS:
        return
    address = sock.getpeername()[0]
    if _address_is_internal(address):
        sock.close()
        raise FetchError(
            f"refused {host}: the connection reached the internal address {address} "
            "(allow the host in WATCHLIST_ALLOWED_PRIVATE_HOSTS if it is meant)"
        )


class _PeerChecked:
    """A urllib3 connection that checks the address it reached before sending anything."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _peer_check(sock, self.host)
        return sock


class _PeerCheckedHTTPConnection(_PeerChecked, HTTPConnection):
    pass


class _PeerCheckedHTTPSConnection(_PeerChecked, HTTPSConnection):
    pass


class _PeerCheckedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PeerCheckedHTTPConnection


class _PeerCheckedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PeerCheckedHTTPSConnection


class _PeerCheckedAdapter(HTTPAdapter):
    """requests' adapter whose connections refuse an internal peer address."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _PeerCheckedHTTPPool,
            "https": _PeerCheckedHTTPSPool,
        }


def _body_read(response: requests.Response, url: str, limit: int) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise FetchError(f"{url} is too large ({declared} bytes; the limit is {limit})")
    chunks, total = [], 0
    for chunk in response.iter_content(CHUNK):
        total += len(chunk)
        if total > limit:
            raise FetchError(f"{url} is too large (more than {limit} bytes; download stopped)")
        chunks.append(chunk)
    return b"".join(chunks)


def url_fetch(url: str) -> bytes:
    """The body at `url` (https, size-capped, timed out, each redirect target checked again)."""
    limit = settings.WATCHLIST_MAX_BYTES
    timeout = (settings.WATCHLIST_CONNECT_TIMEOUT, settings.WATCHLIST_READ_TIMEOUT)
    current = url
    with requests.Session() as session:
        session.trust_env = False  # a proxy from the environment would bypass the host check
        session.mount("http://", _PeerCheckedAdapter())
        session.mount("https://", _PeerCheckedAdapter())
        for _hop in range(settings.WATCHLIST_MAX_REDIRECTS + 1):
            url_check(current)
            try:
                with session.get(
                    current, stream=True, allow_redirects=False, timeout=timeout
                ) as response:
                    if response.is_redirect:
                        current = urljoin(current, response.headers["Location"])
                        continue
                    if response.status_code != 200:
                        raise FetchError(f"{current} answered HTTP {response.status_code}")
                    return _body_read(response, current, limit)
            except requests.RequestException as exc:
                raise FetchError(f"could not fetch {current}: {exc.__class__.__name__}") from None
    raise FetchError(f"{url} redirected more than {settings.WATCHLIST_MAX_REDIRECTS} times")
