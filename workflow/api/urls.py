from rest_framework.routers import SimpleRouter

from workflow.api import views

router = SimpleRouter()
router.register("notifications", views.NotificationViewSet, basename="notification")
