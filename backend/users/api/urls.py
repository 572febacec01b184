from django.urls import path
from rest_framework.routers import SimpleRouter

from backend.users.api import views

router = SimpleRouter()
router.register("auth/tokens", views.ApiTokenViewSet, basename="api-token")

# Views that are not viewsets; the project's router takes `router`'s registry.
urlpatterns_plain = [
    path("auth/register/", views.RegisterView.as_view(), name="auth-register"),
    path("auth/consent-text/", views.ConsentTextView.as_view(), name="auth-consent-text"),
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("users/me/", views.MeView.as_view(), name="users-me"),
]
