"""Which addresses an endpoint may have: HTTPS to a public host. Plain Python.

Private, loopback, link-local and other reserved addresses are refused (a webhook must not become a way to
reach the servers behind our firewall, SSRF) unless ``allow_private`` (tests, development). Plain http:// is
refused unless ``allow_http`` and the host is a loopback address (a receiver on the developer's machine).
The host is resolved when the endpoint is saved and again before every delivery, so a name that later
points inside is refused then too.
"""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

MAX_URL_LENGTH = 500
LOOPBACK_NAMES = ("localhost",)


class TargetRefused(ValueError):
    """The address may not receive deliveries; ``reason`` says why, for people."""

    def __init__(self, reason):
        self.reason = reason
        super().__init__(str(reason))


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    literal = _literal_address(host)
    return literal is not None and literal.is_loopback


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as problem:
        raise TargetRefused(_l("The host name does not resolve.")) from problem
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def _literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return address.is_global and not address.is_multicast


def check_url(url: str, *, allow_http: bool, allow_private: bool, resolve: bool = True) -> str:
    """The address, normalised, or TargetRefused."""
    url = (url or "").strip()
    if not url:
        raise TargetRefused(_l("Give the address that receives the deliveries."))
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(_l("At most %(max)d characters.", max=MAX_URL_LENGTH))
    if any(ord(character) < 33 or ord(character) > 126 for character in url):
        raise TargetRefused(_l("The address may not contain spaces or other special characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as problem:
        raise TargetRefused(_l("This is not a valid address.")) from problem
    host = parts.hostname or ""
    if parts.scheme not in ("https", "http") or not host:
        raise TargetRefused(_l("The address must start with https://."))
    if parts.username or parts.password:
        raise TargetRefused(_l("The address may not contain a user name or password."))
    if parts.fragment:
        raise TargetRefused(_l("The address may not contain a fragment (#...)."))
    if parts.scheme == "http" and not (allow_http and _is_loopback(host)):
        raise TargetRefused(_l("The address must start with https://."))
    if not allow_private:
        if _is_loopback(host):
            raise TargetRefused(_l("Addresses on private or local networks cannot receive deliveries."))
        if resolve:
            addresses = _addresses(host, port or (443 if parts.scheme == "https" else 80))
            if not addresses or not all(is_public(address) for address in addresses):
                raise TargetRefused(_l("Addresses on private or local networks cannot receive deliveries."))
        elif (literal := _literal_address(host)) is not None and not is_public(literal):
            raise TargetRefused(_l("Addresses on private or local networks cannot receive deliveries."))
    return url
