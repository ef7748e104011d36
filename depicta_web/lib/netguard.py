"""Which network addresses the app may fetch from: never private ones, unless told so.

A signed image URL is fetched by the worker, inside our network. A URL that resolves to a
private, loopback, link-local (cloud metadata at 169.254.169.254), or otherwise non-public
address could make it read an internal service, so such addresses are refused unless the
caller allows them (the sandbox serves from loopback).

The check is made where the connection is made: `AddressGuard` resolves the host once, checks
every address it got, and connects to those very addresses. Nothing resolves the name a second
time, so a DNS answer that changes between check and connection (rebinding) cannot slip past.
Every new connection is resolved and checked afresh; TLS still verifies the certificate against
the host name (httpcore hands `server_hostname` to `start_tls` separately).
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

# socket.getaddrinfo's signature; tests pass their own to play a rebinding DNS server.
Resolver = Callable[..., list[tuple[Any, ...]]]


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class AddressRefused(httpcore.ConnectError):
    """A connection refused because the host resolved to a non-public address.

    A subclass of httpcore.ConnectError, so httpx raises it as httpx.ConnectError (with this
    error as its cause) like any other failed connection."""

    def __init__(self, host: str, address: str):
        self.host = host
        self.address = address
        super().__init__(f"{host} resolves to a non-public address ({address})")


def address_refusal(exc: BaseException) -> str:
    """The reason, if `exc` or anything that caused it is an AddressRefused; else ""."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, AddressRefused):
            return str(current)
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return ""


class AddressGuard(httpcore.NetworkBackend):
    """An httpcore network backend that connects only to addresses it has checked.

    `connect_tcp` resolves the host once; unless private addresses are allowed, any non-public
    address among the answers refuses the connection (AddressRefused). Otherwise it connects,
    through `backend`, to the resolved addresses in order (as socket.create_connection would),
    never to the name."""

    def __init__(
        self,
        *,
        allow_private: bool,
        resolve: Resolver = socket.getaddrinfo,
        backend: httpcore.NetworkBackend | None = None,
    ):
        self.allow_private = allow_private
        self._resolve = resolve
        self._backend = backend or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = self._resolve(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host} does not resolve: {exc}") from exc
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not addresses:
            raise httpcore.ConnectError(f"{host} resolves to no address")
        if not self.allow_private:
            for address in addresses:
                if not address_is_public(address):
                    raise AddressRefused(host, address)
        failure: Exception | None = None
        for address in addresses:
            try:
                # An address literal: the backend's own lookup of it is no DNS query.
                return self._backend.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's default transport with every connection made through an AddressGuard.

    httpx.HTTPTransport takes no network backend, so the connection pool it builds is replaced
    with one built as httpx builds it by default (same SSL context, limits and retries) that
    has the guard as its backend. `_pool` is private to httpx (pinned to 0.28 in
    pyproject.toml); the check below fails loudly rather than leave the guard out. No proxy:
    the guard must see the host the request is for."""

    def __init__(
        self,
        *,
        allow_private: bool,
        ssl_context: ssl.SSLContext | None = None,
        resolve: Resolver = socket.getaddrinfo,
        backend: httpcore.NetworkBackend | None = None,
    ):
        ssl_context = ssl_context or httpx.create_ssl_context()
        super().__init__(verify=ssl_context)
        if not isinstance(getattr(self, "_pool", None), httpcore.ConnectionPool):
            raise RuntimeError("httpx.HTTPTransport no longer keeps its pool in _pool")
        self._pool.close()
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)  # httpx's
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=AddressGuard(
                allow_private=allow_private, resolve=resolve, backend=backend
            ),
        )
