"""Open311 GeoReport v2 under /open311/v2/ (JSON; the `.json` format suffix of the specification
is optional, `.xml` is refused in the GeoReport error format)."""

from django.urls import re_path

from appeals.api import open311

JSON = r"(?:\.json)?$"

urlpatterns = [
    re_path(r"^services" + JSON, open311.ServiceListView.as_view(), name="open311-services"),
    re_path(
        r"^services/(?P<service_code>[\w-]{1,40})" + JSON,
        open311.ServiceDefinitionView.as_view(),
        name="open311-service",
    ),
    re_path(r"^requests" + JSON, open311.RequestListView.as_view(), name="open311-requests"),
    re_path(
        r"^requests/(?P<service_request_id>[\w-]{1,20})" + JSON,
        open311.RequestDetailView.as_view(),
        name="open311-request",
    ),
    re_path(r"^tokens/(?P<token>[\w-]{1,64})" + JSON, open311.TokenView.as_view(), name="open311-token"),
    re_path(r"^.+\.xml$", open311.XmlRefusedView.as_view(), name="open311-xml"),
]
