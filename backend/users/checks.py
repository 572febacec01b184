"""Deployment check: the limits of this app count in the default cache, which must be shared."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

PROCESS_LOCAL_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.security, deploy=True)
def shared_cache_for_limits(app_configs, **kwargs):
    if settings.CACHES["default"]["BACKEND"] in PROCESS_LOCAL_CACHES:
        return [
            Warning(
                "The default cache is not shared between processes, so API throttles and the "
                "password-reset and registration limits count separately in each worker.",
                hint="Set CACHE_URL to a Redis cache, e.g. redis://127.0.0.1:6379/1.",
                id="users.W001",
            )
        ]
    return []
