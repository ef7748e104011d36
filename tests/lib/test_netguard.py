"""The address that is checked is the address connected to: real sockets on loopback.

DNS cannot be made to rebind here, so a rebinding DNS server is played by a resolver function;
and no packet may leave the machine, so connections to public addresses are recorded by a
network backend standing in for the Internet (loopback connections are real)."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpcore
import httpx
import pytest

from depicta_web.lib.netguard import AddressRefused, GuardedTransport, address_refusal

PUBLIC = "93.184.215.14"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def loopback_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


class _Internet(httpcore.SyncBackend):
    """Connects to loopback for real; records any other address and fails to reach it."""

    def __init__(self):
        self.connected = []
        self.server_hostnames = []

    def connect_tcp(self, host, port, *args, **kwargs):
        self.connected.append((host, port))
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"{host} is not reachable from the tests")
        stream = super().connect_tcp(host, port, *args, **kwargs)
        start_tls = stream.start_tls

        def recording_start_tls(ssl_context, server_hostname=None, timeout=None):
            self.server_hostnames.append(server_hostname)
            return start_tls(ssl_context, server_hostname=server_hostname, timeout=timeout)

        stream.start_tls = recording_start_tls
        return stream


def _answers(*answers):
    """A resolver giving each answer (a list of addresses) in turn, then the last one again."""
    calls = []

    def resolve(host, port, **kwargs):
        calls.append(host)
        addresses = answers[min(len(calls), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    resolve.calls = calls
    return resolve


def _client(**guard) -> httpx.Client:
    return httpx.Client(transport=GuardedTransport(**guard), timeout=5)


def test_a_name_resolving_to_loopback_is_refused_when_connecting(loopback_server):
    port = loopback_server.server_port
    with _client(allow_private=False) as client, pytest.raises(httpx.ConnectError) as caught:
        client.get(f"http://localhost:{port}/x")

    assert "localhost resolves to a non-public address (" in str(caught.value)
    assert isinstance(caught.value.__cause__, AddressRefused)
    assert address_refusal(caught.value) == str(caught.value)
    assert loopback_server.hits == []


def test_an_address_literal_is_checked_too(loopback_server):
    port = loopback_server.server_port
    with _client(allow_private=False) as client, pytest.raises(httpx.ConnectError) as caught:
        client.get(f"http://127.0.0.1:{port}/x")

    assert str(caught.value) == "127.0.0.1 resolves to a non-public address (127.0.0.1)"
    assert loopback_server.hits == []


def test_loopback_is_fetched_when_private_addresses_are_allowed(loopback_server):
    port = loopback_server.server_port
    with _client(allow_private=True) as client:
        response = client.get(f"http://localhost:{port}/x")

    assert (response.status_code, response.text) == (200, "ok")
    assert loopback_server.hits == ["/x"]


def test_a_rebinding_answer_never_reaches_the_loopback_server(loopback_server):
    # Public when checked, loopback afterwards: the connection goes to the checked address.
    port = loopback_server.server_port
    resolve, internet = _answers([PUBLIC], ["127.0.0.1"]), _Internet()
    with _client(allow_private=False, resolve=resolve, backend=internet) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            client.get(f"http://images.example:{port}/x")
        assert "not reachable from the tests" in str(caught.value)
        assert address_refusal(caught.value) == ""
        assert (resolve.calls, internet.connected) == (["images.example"], [(PUBLIC, port)])

        # The next connection is resolved and checked afresh; now it is refused.
        with pytest.raises(httpx.ConnectError) as caught:
            client.get(f"http://images.example:{port}/x")
        assert str(caught.value) == "images.example resolves to a non-public address (127.0.0.1)"
        assert internet.connected == [(PUBLIC, port)]

    assert loopback_server.hits == []


def test_one_private_address_among_public_ones_refuses_the_host(loopback_server):
    port = loopback_server.server_port
    resolve, internet = _answers([PUBLIC, "169.254.169.254"]), _Internet()
    client = _client(allow_private=False, resolve=resolve, backend=internet)
    with client, pytest.raises(httpx.ConnectError) as caught:
        client.get(f"http://images.example:{port}/x")

    assert "non-public address (169.254.169.254)" in str(caught.value)
    assert internet.connected == []


def test_the_resolved_address_is_connected_to_and_tls_checks_the_name(loopback_server):
    # The server speaks plain HTTP, so the handshake fails; what matters is what was asked.
    port = loopback_server.server_port
    internet = _Internet()
    client = _client(allow_private=True, backend=internet)
    with client, pytest.raises(httpx.ConnectError):
        client.get(f"https://localhost:{port}/x")

    assert internet.connected == [("127.0.0.1", port)]
    assert internet.server_hostnames == ["localhost"]
