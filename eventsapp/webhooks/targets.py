"""Which addresses an endpoint may have: HTTPS to a public host. Plain Python.

Private, loopback, link-local and other reserved addresses are refused (a webhook must not become a way to
reach the servers behind our firewall, SSRF) unless ``allow_private`` (tests, development), and so are IPv6
site-local ``fec0::/10`` (which Python 3.11 calls global) and the IPv6 forms that carry an IPv4 address
inside (IPv4-mapped ``::ffff:10.0.0.1``, IPv4-compatible ``::10.0.0.1``, NAT64 ``64:ff9b::/96`` and
``64:ff9b:1::/48``, 6to4 ``2002::/16``, Teredo ``2001::/32``): a gateway would turn them into the address
inside. Plain http:// is refused unless ``allow_http`` and the host is a loopback address (a receiver on the
developer's machine).

The host is resolved when the endpoint is saved (within WEBHOOK_TIMEOUT_SECONDS: a name server that does not
answer holds no web worker longer) and once before every delivery (``resolve_target``, within what is left
of the attempt's deadline), each kind of lookup at most so many at once (``LookupPool``): every address it
resolves to must be public, and the delivery connects to the address that was checked, not to the name
again (which a DNS server could answer differently the second time: DNS rebinding).
"""
from __future__ import annotations

import ipaddress
import socket
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from eventsapp.webhooks.problems import BAD_ADDRESS, DNS_FAILED, PRIVATE_ADDRESS, TIMEOUT

MAX_URL_LENGTH = 500
LOOPBACK_NAMES = ("localhost",)
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# IPv6 prefixes that translate to an IPv4 address somewhere on the way: refused whatever they carry.
TRANSLATING_NETWORKS = tuple(ipaddress.ip_network(network) for network in (
    "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32", "::/96", "::ffff:0:0/96", "::ffff:0:0:0/96"))
PRIVATE_MESSAGE = _l("Addresses on private or local networks cannot receive deliveries.")


class TargetRefused(ValueError):
    """The address may not receive deliveries; ``reason`` says why, for people, and ``code`` (a problem code,
    ``webhooks.problems``) for the delivery log."""

    def __init__(self, reason, code: str = BAD_ADDRESS):
        self.reason = reason
        self.code = code
        super().__init__(str(reason))


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect (``address``) and the name to present (``host``, for SNI, the
    certificate and the Host header)."""

    url: str
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]  # every address the name resolved to, all checked; empty when not resolved


def _is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    literal = _literal_address(host)
    return literal is not None and literal.is_loopback


class LookupPool:
    """Bounded lookups (getaddrinfo cannot be interrupted, so each runs in a thread of its own, given up after
    its bound), at most ``size`` at once: lookups that a name server never answers hold at most ``size``
    threads until their resolver's own timeout, not one more for every new one. A lookup that finds no free
    place within its bound is given up without starting. The threads are daemons: a hung one never holds up
    the process's exit (which ThreadPoolExecutor's threads would)."""

    def __init__(self, size: int):
        self.places = threading.BoundedSemaphore(size)

    def getaddrinfo(self, host: str, port: int, within: float) -> list:
        deadline = time.monotonic() + within
        if not self.places.acquire(timeout=within):
            raise TimeoutError
        answer: Future = Future()

        def look_up() -> None:
            try:
                answer.set_result(socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP))
            except BaseException as problem:  # noqa: BLE001 - handed to the waiting thread
                answer.set_exception(problem)
            finally:
                self.places.release()

        threading.Thread(target=look_up, name="webhook-dns", daemon=True).start()
        return answer.result(timeout=max(0.0, deadline - time.monotonic()))


# The saves' lookups (web workers) and the deliveries' (up to WEBHOOK_CONCURRENCY at once, 32 by default) do
# not wait for each other.
SAVE_LOOKUPS, DELIVERY_LOOKUPS = LookupPool(4), LookupPool(64)


def _lookup(host: str, port: int, within: float | None, lookups: LookupPool) -> list:
    """getaddrinfo, given up after ``within`` seconds (in ``lookups``); unbounded when ``within`` is None."""
    if within is None:
        return socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    return lookups.getaddrinfo(host, port, within)


def _addresses(host: str, port: int, within: float | None, lookups: LookupPool) -> list[Address]:
    try:
        infos = _lookup(host, port, within, lookups)
    except TimeoutError as problem:  # the deadline came first
        raise TargetRefused(_l("The host name's name server did not answer within %(seconds)s seconds: try again "
                               "in a moment, or check the address.", seconds=f"{within:g}"), TIMEOUT) from problem
    except (OSError, UnicodeError) as problem:
        raise TargetRefused(_l("The host name does not resolve."), DNS_FAILED) from problem
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


def _literal_address(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None or any(address in network for network in TRANSLATING_NETWORKS):
            return False
        if address.is_site_local:  # fec0::/10, deprecated but still routed inside some networks
            return False
    return address.is_global and not address.is_multicast


def _checked(url: str, allow_http: bool) -> tuple[str, object]:
    """The address, normalised, and its parts: the checks that need no name server."""
    url = (url or "").strip()
    if not url:
        raise TargetRefused(_l("Give the address that receives the deliveries."))
    if len(url) > MAX_URL_LENGTH:
        raise TargetRefused(_l("At most %(max)d characters.", max=MAX_URL_LENGTH))
    if any(ord(character) < 33 or ord(character) > 126 for character in url):
        raise TargetRefused(_l("The address may not contain spaces or other special characters."))
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
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
    return url, parts


def resolve_target(url: str, *, allow_http: bool, allow_private: bool, resolve: bool = True,
                   within: float | None = None, lookups: LookupPool = DELIVERY_LOOKUPS) -> Target:
    """The checked address, resolved once (every address the name has must be public), or TargetRefused;
    a lookup that takes more than ``within`` seconds (in ``lookups``) is refused with the code ``timeout``."""
    url, parts = _checked(url, allow_http)
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not allow_private and _is_loopback(host):
        raise TargetRefused(PRIVATE_MESSAGE, PRIVATE_ADDRESS)
    addresses = _addresses(host, port, within, lookups) if resolve else []
    if not allow_private:
        if resolve and (not addresses or not all(is_public(found) for found in addresses)):
            raise TargetRefused(PRIVATE_MESSAGE, PRIVATE_ADDRESS)
        if (literal := _literal_address(host)) is not None and not is_public(literal):
            raise TargetRefused(PRIVATE_MESSAGE, PRIVATE_ADDRESS)
    return Target(url, parts.scheme, host, port, path, tuple(dict.fromkeys(str(found) for found in addresses)))


def check_url(url: str, *, allow_http: bool, allow_private: bool, resolve: bool = True,
              within: float | None = None) -> str:
    """The address, normalised, or TargetRefused: the check when an endpoint is saved (with private addresses
    allowed, in tests and development, the name need not resolve yet), its lookup given up after ``within``
    seconds (code ``timeout``, a reason that says so)."""
    return resolve_target(url, allow_http=allow_http, allow_private=allow_private,
                          resolve=resolve and not allow_private, within=within, lookups=SAVE_LOOKUPS).url
