"""The client's address, for sign-in throttling and API rate limits.

By default it is `REMOTE_ADDR`, the peer of the TCP connection: a header the client sets is never trusted.
Behind reverse proxies, set `TRUSTED_PROXIES` (environment `GAPBRIDGE_TRUSTED_PROXIES`) to the number of
proxies in front of the application: each of them appends the address it received the request from to
`X-Forwarded-For`, so the client's address is the N-th entry counted from the right. Entries further left
were written by the client and are ignored. See docs/deployment.md.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

UNKNOWN = "unknown"


def _parse(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address as a proxy may write it ("203.0.113.7", "203.0.113.7:5123", "[2001:db8::1]:443") or None."""
    value = value.strip()
    if value.startswith("["):  # [IPv6]:port
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:  # IPv4:port
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _address(request: HttpRequest) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    proxies: int = settings.TRUSTED_PROXIES
    if proxies > 0:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [hop for hop in (part.strip() for part in forwarded.split(",")) if hop]
        if hops:
            # The right-most `proxies` entries were written by our proxies; the one they received from is
            # the N-th from the right (or the left-most if the request passed fewer proxies than that).
            found = _parse(hops[-min(proxies, len(hops))])
            if found is not None:
                return found
    return _parse(str(request.META.get("REMOTE_ADDR", "")))


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text ("unknown" if none can be read)."""
    address = _address(request)
    return str(address) if address is not None else UNKNOWN


def client_bucket(request: HttpRequest) -> str:
    """What throttles and rate limits count against: the IPv4 address, or the /64 network of an IPv6 one
    (one subscriber usually holds a whole /64, so counting single IPv6 addresses would be no limit)."""
    address = _address(request)
    if address is None:
        return UNKNOWN
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)
