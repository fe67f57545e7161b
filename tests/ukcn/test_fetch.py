"""The one outbound fetcher (ukcn/fetch.py) against real local servers, plain and TLS.

Nothing on 127.0.0.1 is reachable unless a test names it in WATCHLIST_ALLOWED_PRIVATE_HOSTS;
addresses in disguise, slow servers, redirects inward and tokens leaking to another origin
are refused. The servers are http.server in threads; nothing is mocked but DNS answers.
"""

import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import trustme
from django.core.management import CommandError, call_command

from ukcn import fetch
from ukcn.fetch import FetchError, address_refusal, url_check, url_fetch

DRIP_SECONDS = 0.5


class Recorder(BaseHTTPRequestHandler):
    """Serves /feed, redirects as each path says, drips slowly; records what it was sent."""

    def do_GET(self):
        self.server.seen.append((self.path, self.headers.get("Authorization")))
        routes = self.server.routes
        if self.path == "/feed":
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path in routes:
            self.send_response(302)
            self.send_header("Location", routes[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/drip-body":
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self._drip(b"x" * 40)
        elif self.path == "/drip-headers":
            self._drip(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 40)
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def _drip(self, data: bytes) -> None:
        try:
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(DRIP_SECONDS)
        except OSError:
            pass  # the client hung up, as it should

    def log_message(self, *args):
        pass


def _serve(httpd: ThreadingHTTPServer, scheme: str):
    httpd.seen, httpd.routes = [], {}
    httpd.base = f"{scheme}://127.0.0.1:{httpd.server_port}"
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@pytest.fixture(scope="module")
def plain():
    httpd = _serve(ThreadingHTTPServer(("127.0.0.1", 0), Recorder), "http")
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def tls_ca(tmp_path_factory):
    ca = trustme.CA()
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return ca, str(path)


@pytest.fixture(scope="module")
def secure(tls_ca):
    ca, _path = tls_ca
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd = _serve(httpd, "https")
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allowed(settings, plain, tls_ca):
    settings.WATCHLIST_ALLOW_HTTP = True
    settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1", "localhost"]
    settings.OUTBOUND_CA_BUNDLE = tls_ca[1]
    plain.seen.clear()
    return settings


# --- which addresses ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "not globally routable"),
        ("10.0.0.1", "not globally routable"),
        ("169.254.169.254", "not globally routable"),
        ("100.64.0.1", "not globally routable"),
        ("100.100.100.200", "not globally routable"),  # a cloud's metadata service
        ("0.0.0.0", "not globally routable"),  # noqa: S104
        ("224.0.0.1", "not globally routable"),
        ("240.0.0.1", "not globally routable"),
        ("::1", "not globally routable"),
        ("fe80::1", "not globally routable"),
        ("fc00::1", "not globally routable"),
        ("::ffff:10.0.0.1", "not globally routable"),
        ("::ffff:169.254.169.254", "not globally routable"),
        ("2002:7f00:1::1", "a 6to4 address wrapping 127.0.0.1"),
        ("2002:808:808::1", "a 6to4 address wrapping 8.8.8.8"),
        ("fec0::1", "a site-local address"),
        ("64:ff9b::a9fe:a9fe", "a NAT64 address wrapping 169.254.169.254"),
        ("64:ff9b::808:808", "a NAT64 address wrapping 8.8.8.8"),
        ("64:ff9b:1::1", "a local NAT64 address"),
        ("fe80::1%eth0", "a scoped link-local address"),
    ],
)
def test_addresses_that_are_not_globally_routable_are_refused(address, reason):
    assert address_refusal(address) == reason


@pytest.mark.parametrize("address", ["8.8.8.8", "::ffff:8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_fetched_from(address):
    assert address_refusal(address) is None


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://[2002:7f00:1::1]/", "6to4 address wrapping 127.0.0.1"),
        ("https://[64:ff9b::7f00:1]/", "NAT64 address wrapping 127.0.0.1"),
        ("https://[fec0::1]/", "site-local"),
        ("https://[::ffff:127.0.0.1]/", "not globally routable"),
        ("https://100.100.100.200/latest/meta-data/", "not globally routable"),
    ],
)
def test_a_url_naming_such_an_address_is_refused(url, message):
    with pytest.raises(FetchError, match=message):
        url_check(url)


@pytest.mark.parametrize(
    "host", ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "127.1", "017700000001"]
)
def test_ipv4_addresses_in_disguise_are_refused_even_when_the_address_is_allowed(
    plain, allowed, host
):
    with pytest.raises(FetchError, match="unusual form"):
        url_fetch(f"http://{host}:{plain.server_port}/feed")
    assert plain.seen == []


def test_credentials_in_the_url_are_refused(allowed, plain):
    with pytest.raises(FetchError, match="credentials in a URL are never sent"):
        url_fetch(f"http://user:secret@127.0.0.1:{plain.server_port}/feed")
    assert plain.seen == []


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 resolves to the internal"),
        ("http://2130706433/admin", "unusual form"),
        ("http://[::1]/admin", r"::1 resolves to the internal address"),
        ("file:///etc/passwd", "only https or http"),
    ],
)
def test_every_redirect_hop_is_checked(plain, allowed, target, message):
    plain.routes["/inward"] = target
    with pytest.raises(FetchError, match=message):
        url_fetch(f"{plain.base}/inward")
    assert [path for path, _auth in plain.seen] == ["/inward"]


# --- deadlines ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/drip-body", "/drip-headers"])
def test_a_server_dripping_a_byte_every_half_second_is_cut_off_at_the_deadline(
    plain, allowed, path
):
    # Each read gets its byte well within the read timeout: only the deadline can stop it.
    allowed.WATCHLIST_READ_TIMEOUT = 60
    started = time.monotonic()
    with pytest.raises(FetchError, match="after 2 seconds \\(the overall deadline\\)"):
        url_fetch(f"{plain.base}{path}", deadline=2)
    # The drip would last 20 seconds; the margin is for a busy machine.
    assert 1.9 < time.monotonic() - started < 6


def test_sync_guidance_gives_up_on_a_slow_peer_at_its_timeout(plain, allowed, db):
    started = time.monotonic()
    with pytest.raises(CommandError, match="overall deadline"):
        call_command("sync_guidance", f"{plain.base}/drip-body", "--timeout", "1.5")
    assert time.monotonic() - started < 5


def test_the_deadline_covers_a_tls_connection_too(secure, allowed):
    started = time.monotonic()
    with pytest.raises(FetchError, match="overall deadline"):
        url_fetch(f"{secure.base}/drip-body", deadline=1.5)
    assert time.monotonic() - started < 5


# --- credentials ----------------------------------------------------------------------------


def test_the_token_goes_to_its_own_origin_over_https(secure, allowed):
    secure.seen.clear()
    secure.routes["/moved"] = "/feed"
    assert url_fetch(f"{secure.base}/moved", token="peer-token") == b'{"ok": true}'
    assert secure.seen == [("/moved", "Bearer peer-token"), ("/feed", "Bearer peer-token")]


def test_the_token_is_not_sent_after_a_redirect_to_another_origin(secure, allowed):
    secure.seen.clear()
    secure.routes["/elsewhere"] = f"https://localhost:{secure.server_port}/feed"
    assert url_fetch(f"{secure.base}/elsewhere", token="peer-token") == b'{"ok": true}'
    assert secure.seen == [("/elsewhere", "Bearer peer-token"), ("/feed", None)]


def test_the_token_is_not_sent_after_a_redirect_to_plain_http(secure, plain, allowed):
    secure.seen.clear()
    secure.routes["/downgrade"] = f"{plain.base}/feed"
    assert url_fetch(f"{secure.base}/downgrade", token="peer-token") == b'{"ok": true}'
    assert secure.seen == [("/downgrade", "Bearer peer-token")]
    assert plain.seen == [("/feed", None)]


def test_a_token_is_never_sent_over_plain_http(plain, allowed):
    with pytest.raises(FetchError, match="a token is only ever sent over https"):
        url_fetch(f"{plain.base}/feed", token="peer-token")
    assert plain.seen == []


def test_an_untrusted_certificate_is_refused(secure, allowed):
    allowed.OUTBOUND_CA_BUNDLE = ""
    with pytest.raises(FetchError, match="SSLError"):
        url_fetch(f"{secure.base}/feed")


def test_connections_outside_a_fetch_are_refused(plain, allowed):
    with requests.Session() as session:
        session.mount("http://", fetch._CheckedAdapter())
        with pytest.raises(FetchError, match=r"go through ukcn\.fetch\.url_fetch"):
            session.get(f"{plain.base}/feed", timeout=5)
