from django.urls import path
from rest_framework.routers import SimpleRouter

from integration.api import views

router = SimpleRouter()
router.register("integration/authorities", views.AuthorityViewSet, basename="integration-authority")
router.register("integration/webhooks", views.WebhookSubscriptionViewSet, basename="integration-webhook")
router.register("integration/deliveries", views.WebhookDeliveryViewSet, basename="integration-delivery")

urlpatterns_plain = [
    path("events/", views.EventFeedView.as_view(), name="events"),
    path("integration/customers/", views.CustomerInvitationView.as_view(), name="integration-customers"),
    path("integration/applications/", views.AgentApplicationsView.as_view(), name="integration-applications"),
]
