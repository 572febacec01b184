from rest_framework.routers import SimpleRouter

from connection.api import views

router = SimpleRouter()
router.register("branches", views.BranchViewSet, basename="branch")
