"""URL fetching refuses internal hosts and plain http unless allowed, caps size and redirects."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from assessments.models import WatchlistVersion
from ukcn import fetch
from ukcn.fetch import FetchError, url_check, url_fetch

FIXTURES = Path(__file__).parent / "fixtures"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/list.csv":
            body = (FIXTURES / "ukcn.csv").read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/loop":
            self.send_response(302)
            self.send_header("Location", "/loop")
            self.end_headers()
        elif self.path == "/to-localhost":
            self.send_response(302)
            self.send_header("Location", f"http://localhost:{self.server.server_port}/list.csv")
            self.end_headers()
        elif self.path == "/relative":
            self.send_response(301)
            self.send_header("Location", "/list.csv")
            self.end_headers()
        elif self.path == "/stream":
            # No Content-Length: the cap must stop the download while it streams.
            self.send_response(200)
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"x" * 1024)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def allowed(settings):
    settings.WATCHLIST_ALLOW_HTTP = True
    settings.WATCHLIST_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    return settings


def test_default_settings_refuse_plain_http(server, settings):
    with pytest.raises(FetchError, match="only https URLs may be fetched"):
        url_fetch(f"{server}/list.csv")


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/list.csv",
        "https://localhost/list.csv",
        "https://10.1.2.3/list.csv",
        "https://192.168.0.10/list.csv",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/list.csv",
        "https://[::ffff:127.0.0.1]/list.csv",
        "https://0.0.0.0/list.csv",
    ],
)
def test_internal_addresses_are_refused_by_default(url):
    with pytest.raises(FetchError, match="resolves to the internal address"):
        url_check(url)


def test_a_local_server_is_refused_even_with_http_allowed(server, settings):
    settings.WATCHLIST_ALLOW_HTTP = True
    with pytest.raises(FetchError, match=r"internal address 127\.0\.0\.1"):
        url_fetch(f"{server}/list.csv")


def test_the_connection_goes_to_the_address_that_was_checked(server, allowed, monkeypatch):
    # DNS rebinding: a name answering one address to the check and another to the connection.
    # The fetcher resolves once per connection and connects to the address it checked: here
    # the second answer (127.0.0.2, where nothing listens) is never asked for.
    answers = iter(["127.0.0.1", "127.0.0.2", "127.0.0.2"])
    asked = []

    def resolve(host, port):
        asked.append(host)
        return [next(answers)]

    monkeypatch.setattr(fetch, "_resolve", resolve)
    allowed.WATCHLIST_ALLOWED_PRIVATE_HOSTS = ["feed.test"]
    port = server.rsplit(":", 1)[1]
    assert url_fetch(f"http://feed.test:{port}/list.csv") == (FIXTURES / "ukcn.csv").read_bytes()
    assert asked == ["feed.test"]


def test_a_name_resolving_to_an_internal_address_is_refused_before_connecting(monkeypatch):
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.5)
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: ["127.0.0.1"])
    try:
        with pytest.raises(FetchError, match=r"feed\.test resolves to the internal address"):
            url_fetch(f"https://feed.test:{listener.getsockname()[1]}/list.csv")
        with pytest.raises(TimeoutError):
            listener.accept()  # no connection was ever made
    finally:
        listener.close()


def test_an_allowed_private_host_is_fetched(server, allowed):
    assert url_fetch(f"{server}/list.csv") == (FIXTURES / "ukcn.csv").read_bytes()


def test_other_schemes_are_refused(settings):
    settings.WATCHLIST_ALLOW_HTTP = True
    with pytest.raises(FetchError, match="only https or http"):
        url_check("file:///etc/passwd")


def test_an_allowed_local_server_is_fetched_following_a_checked_redirect(server, allowed):
    assert url_fetch(f"{server}/relative") == (FIXTURES / "ukcn.csv").read_bytes()


def test_a_redirect_to_a_host_not_allowed_is_refused(server, allowed):
    with pytest.raises(FetchError, match="localhost resolves to the internal address"):
        url_fetch(f"{server}/to-localhost")


def test_redirects_are_limited(server, allowed):
    with pytest.raises(FetchError, match="redirected more than 3 times"):
        url_fetch(f"{server}/loop")


def test_the_size_cap_stops_a_download(server, allowed):
    allowed.WATCHLIST_MAX_BYTES = 100
    with pytest.raises(FetchError, match="too large"):
        url_fetch(f"{server}/list.csv")
    allowed.WATCHLIST_MAX_BYTES = 10 * 1024
    with pytest.raises(FetchError, match="download stopped"):
        url_fetch(f"{server}/stream")


def test_http_errors_are_reported(server, allowed):
    with pytest.raises(FetchError, match="answered HTTP 404"):
        url_fetch(f"{server}/missing")


def test_the_command_fetches_and_imports_from_an_allowed_local_server(server, allowed, db, capsys):
    call_command("import_watchlist", f"{server}/list.csv", format="csv", list_name="Remote")
    version = WatchlistVersion.objects.get(watchlist__name="Remote")
    assert version.status == "active" and version.entries.count() == 3
    assert version.source == f"{server}/list.csv"
    assert "3 added" in capsys.readouterr().out


def test_the_command_refuses_a_local_server_with_default_settings(server, db):
    with pytest.raises(CommandError, match="only https URLs"):
        call_command("import_watchlist", f"{server}/list.csv", format="csv", list_name="Remote")
    assert not WatchlistVersion.objects.exists()
