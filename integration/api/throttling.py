"""Each integration client has its own rate limit (IntegrationClient.rate_limit), counted per
client over all its keys, in the default cache."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from integration.models import ClientKey


class ClientRateThrottle(SimpleRateThrottle):
    scope = "integration_client"

    def __init__(self):
        # The rate comes from the client of the request, not from settings.
        pass

    def allow_request(self, request, view):
        key = request.auth
        if not isinstance(key, ClientKey):
            return True
        self.rate = key.client.rate_limit
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": request.auth.client_id}
