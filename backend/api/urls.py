"""The v1 API: one router for every app's viewsets, plus the apps' plain views."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from appeals.api import urls as appeals_urls
from backend.users.api import urls as users_urls
from connection.api import calculator, fees
from connection.api import urls as connection_urls
from integration.api import urls as integration_urls
from workflow.api import urls as workflow_urls

router = DefaultRouter()
for app_router in (users_urls.router, connection_urls.router, workflow_urls.router, integration_urls.router):
    router.registry.extend(app_router.registry)

calculator_urls = [
    path("load-calculations/", calculator.LoadCalculationView.as_view(), name="load-calculation"),
    path(
        "load-calculations/devices/",
        calculator.DeviceCatalogueView.as_view(),
        name="load-calculation-devices",
    ),
    path(
        "connection-requests/<int:pk>/apply-load-calculation/",
        calculator.ApplyLoadCalculationView.as_view(),
        name="connection-request-apply-load-calculation",
    ),
    path("fees/estimate/", fees.FeeEstimateView.as_view(), name="fee-estimate"),
]

urlpatterns = [
    *users_urls.urlpatterns_plain,
    *integration_urls.urlpatterns_plain,
    *calculator_urls,
    *appeals_urls.urlpatterns_plain,
    *router.urls,
]
