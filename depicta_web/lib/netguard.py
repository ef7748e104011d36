"""Which network addresses the app may fetch from: never private ones, unless told so.

A signed image URL is fetched by the worker, inside our network. A URL that resolves to a
private, loopback, link-local (cloud metadata at 169.254.169.254), or otherwise non-public
address could make it read an internal service, so such addresses are refused unless the
caller allows them (the sandbox serves from loopback).

Known limit: the name is resolved here and again when the connection is made, so a DNS
answer that changes in between (rebinding) is not caught; the host allowlist is the first line.
"""

from __future__ import annotations

import ipaddress
import socket


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone id
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def host_refusal(host: str, *, allow_private: bool) -> str:
    """Why `host` may not be fetched from, or "" when it may.

    A name that does not resolve is not refused here: the download itself then fails and is
    retried like any other network error."""
    if allow_private:
        return ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return ""
    for info in infos:
        address = str(info[4][0])
        if not address_is_public(address):
            return f"{host} resolves to a non-public address ({address})"
    return ""
