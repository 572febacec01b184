"""The v1 API: one router for every app's viewsets, plus the apps' plain views."""

from rest_framework.routers import DefaultRouter

from backend.users.api import urls as users_urls
from connection.api import urls as connection_urls
from workflow.api import urls as workflow_urls

router = DefaultRouter()
for app_router in (users_urls.router, connection_urls.router, workflow_urls.router):
    router.registry.extend(app_router.registry)

urlpatterns = [*users_urls.urlpatterns_plain, *router.urls]
