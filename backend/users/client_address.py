"""The client's address, the one key every per-address limit uses (API throttles, login lockout,
password reset).

Without proxies (`NUM_PROXIES=0`) it is the connection's address and `X-Forwarded-For` is ignored,
since any client can send that header. Behind `NUM_PROXIES` trusted proxies, each of which appends
the address it received the connection from, the client is the N-th entry from the right: entries
further left were written by the client and prove nothing.
"""

from __future__ import annotations

from ipaddress import ip_address

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    # Fewer entries than proxies: the request did not pass through all of them, so nothing in the
    # header is trustworthy; a malformed entry is not an address to count against.
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ip_address(candidate))
    except ValueError:
        return remote
