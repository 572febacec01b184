"""Root URLs: the API under /api/v1/, its schema and documentation, admin, health, web UI."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from api_schema.guide import integration_guide
from backend.health import healthz, readyz
from backend.metrics import metrics

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics, name="metrics"),
    path("api/v1/", include("backend.api.urls")),
    path("open311/v2/", include("appeals.api.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/guide/", integration_guide, name="integration-guide"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # ReDoc's page alone relaxes the policy for what ReDoc does at run time: inline <style> elements
    # (styled-components), its search in a worker started from a blob: URL, and the Redocly logo it
    # always shows from its CDN (hidden when it does not load). Scripts stay as strict as everywhere.
    path(
        "api/redoc/",
        csp_update(
            {"style-src": [UNSAFE_INLINE], "worker-src": ["blob:"], "img-src": ["https://cdn.redoc.ly"]}
        )(SpectacularRedocView.as_view(url_name="schema")),
        name="redoc",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("web.urls")),
]


handler400 = "backend.error_views.bad_request"
handler403 = "backend.error_views.permission_denied"
handler404 = "backend.error_views.page_not_found"
handler500 = "backend.error_views.server_error"
