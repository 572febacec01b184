from rest_framework.routers import SimpleRouter

from connection.api import views
from connection.api.assets import ConnectionPointViewSet
from connection.api.calculator import LoadCalculationRecordViewSet
from connection.api.messages import MessageViewSet, QuestionViewSet

router = SimpleRouter()
router.register("branches", views.BranchViewSet, basename="branch")
router.register("applicants", views.ApplicantViewSet, basename="applicant")
router.register("connection-requests", views.ConnectionRequestViewSet, basename="connection-request")
router.register(
    r"connection-requests/(?P<request_pk>\d+)/documents",
    views.DocumentViewSet,
    basename="connection-request-document",
)
router.register("connection-points", ConnectionPointViewSet, basename="connection-point")
# An application's message thread, and general questions not tied to an application.
router.register(
    r"connection-requests/(?P<request_pk>\d+)/messages", MessageViewSet, basename="connection-request-message"
)
router.register("questions", QuestionViewSet, basename="question")
router.register(
    r"connection-requests/(?P<request_pk>\d+)/load-calculations",
    LoadCalculationRecordViewSet,
    basename="connection-request-load-calculation",
)
# bank statements: import, lines waiting for a person
from connection.api.payments import StatementLineViewSet  # noqa: E402

router.register("statement-lines", StatementLineViewSet, basename="statement-line")
