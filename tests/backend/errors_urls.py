"""The portal's URLs plus two views that fail, to see the 500 answers (tests only)."""

from django.urls import path

from backend.urls import handler400, handler403, handler404, handler500, urlpatterns


def _fail(request):
    raise RuntimeError("a bug")


urlpatterns = [path("api/v1/test-failure/", _fail), path("test-failure/", _fail), *urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
