"""Whether a URL is one Depicta can fetch: https, on a host that is public.

Checked without a DNS look-up (a form must not wait on the network): addresses written as IP
literals, in any of the forms the C library accepts (`2130706433`, `0x7f.1`, `[::1]`), must be
public; names must not be obviously local. A name that resolves to a private address is left
to Depicta, which refuses it without a charge.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from .netguard import address_is_public
from .text import has_control_characters

LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".lan", ".home.arpa")


def public_https_problem(url: str) -> str:
    """What is wrong with the URL, in a few words; empty when Depicta can fetch it."""
    if has_control_characters(url) or any(char.isspace() for char in url):
        return "must not contain spaces or control characters"
    if "\\" in url:  # browsers read it as "/": `https://127.0.0.1\\@example.com` is 127.0.0.1
        return "must not contain a backslash"
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".").lower()
        parts.port  # noqa: B018 (a port that is not a number raises ValueError here)
    except ValueError:
        return "is not a valid URL"
    if parts.scheme != "https" or not host:
        return "must be a public https:// address"
    if host == "localhost" or host.endswith(LOCAL_SUFFIXES) or not _host_is_public(host):
        return f"points at {host}, which is not a public address"
    return ""


def _host_is_public(host: str) -> bool:
    try:
        return address_is_public(str(ipaddress.ip_address(host)))
    except ValueError:
        pass
    try:  # legacy IPv4 forms: 2130706433, 0x7f000001, 127.1
        packed = socket.inet_aton(host)
    except OSError:
        # A name, not ours to resolve; but one ending in a number is read by browsers as an
        # address (and refused when it is none): `foo.127`.
        return not host.rsplit(".", 1)[-1].isdigit()
    return address_is_public(socket.inet_ntoa(packed))
