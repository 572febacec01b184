"""Counting limits outside DRF's throttles (password reset, a trusted browser's failed logins): a
sliding window of timestamps in the default cache, as DRF's own throttles keep theirs. Shared
between processes and hosts only when CACHE_URL points at Redis. When the cache cannot be reached
a limit lets the request through (logged): a password reset must not fail because Redis is down."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RateLimit:
    scope: str
    limit: int
    period_seconds: int

    def _key(self, subject: str) -> str:
        # Hashed: subjects are e-mail addresses, which must not appear in cache keys or their logs.
        return f"rate:{self.scope}:{hashlib.sha256(subject.encode()).hexdigest()}"

    def _history(self, subject: str, now: float) -> list[float]:
        return [moment for moment in cache.get(self._key(subject), []) if moment > now - self.period_seconds]

    def _wait(self, history: list[float], now: float) -> int | None:
        if len(history) < self.limit:
            return None
        return max(1, math.ceil(history[-1] + self.period_seconds - now))

    def wait(self, subject: str) -> int | None:
        """Seconds until the next use is allowed, or None when it is allowed now (nothing counted)."""
        now = time.time()
        try:
            return self._wait(self._history(subject, now), now)
        except Exception:  # any cache backend's connection error
            logger.warning("Rate limit %s not checked: the cache is unavailable.", self.scope, exc_info=True)
            return None

    def hit(self, subject: str) -> int | None:
        """Count one use if allowed and return None; otherwise the seconds to wait (not counted)."""
        now = time.time()
        try:
            history = self._history(subject, now)
            waiting = self._wait(history, now)
            if waiting is None:
                cache.set(self._key(subject), [now, *history], self.period_seconds)
        except Exception:  # any cache backend's connection error
            logger.warning("Rate limit %s not counted: the cache is unavailable.", self.scope, exc_info=True)
            return None
        return waiting

    def clear(self, subject: str) -> None:
        cache.delete(self._key(subject))
