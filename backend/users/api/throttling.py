"""DRF's throttles keyed on the client address of `backend.users.client_address` (trusted proxies
only), so that a rotated `X-Forwarded-For` is not a new client. Counts live in the default cache:
shared between processes and hosts only when CACHE_URL points at Redis."""

from rest_framework import throttling

from backend.users.client_address import client_address


class ClientAddressMixin:
    def get_ident(self, request) -> str:
        return client_address(request)


class AnonRateThrottle(ClientAddressMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(ClientAddressMixin, throttling.UserRateThrottle):
    pass


class ScopedRateThrottle(ClientAddressMixin, throttling.ScopedRateThrottle):
    pass
