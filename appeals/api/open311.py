"""Open311 GeoReport v2 (JSON) over consumers' reports: service list and definitions, service
requests (GET, and POST with an API key), one request, and a token's request id.

Per the specification: parameters as query or form fields (`lat`, `long`, `address_string`,
`attribute[code]`, `media_url`, `api_key`…), every answer a JSON array, errors as
`[{"code": 400, "description": "…"}]`. `expected_datetime` is the end of the answer due date
(8 working days, from the rulebook); `status` is open/closed and our finer status, the expected fix
and the answer are in `status_notes`. Without an API key the answers carry no personal data and
positions rounded to about a kilometre, as the public map."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db.models import Max
from django.http import Http404
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, parsers, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api_schema.openapi import PortalAutoSchema
from appeals import services
from appeals.exceptions import TooManyReports
from appeals.models import CLOSED_STATUSES, DefectKind, Open311Key, Report, ReportKind, Status
from appeals.models.keys import key_digest
from appeals.selectors import PUBLIC_POSITION_STEP
from backend.api.parsers import JSONParser
from backend.exceptions import ActionForbidden, DomainError, ObjectMissing, StateConflict
from backend.users.client_address import client_address
from backend.users.login_guard import site_url

DEFAULT_DAYS = 90
MAX_RESULTS = 1000

SERVICE_DESCRIPTIONS = {
    ReportKind.OUTAGE: "No electricity at an address or in an area.",
    ReportKind.LOW_VOLTAGE: "Voltage too low: lamps dim, appliances do not start.",
    ReportKind.VOLTAGE_FLUCTUATIONS: "Voltage jumps: lamps flicker, appliances switch off.",
    ReportKind.EQUIPMENT_DEFECT: "Damaged grid equipment: pole, wire, cabinet. Wire down or sparking: danger to life.",
}


class GeoReportError(serializers.Serializer):
    code = serializers.IntegerField(help_text="The HTTP status code.")
    description = serializers.CharField(help_text="What is wrong, naming the parameter.")


class Open311Schema(PortalAutoSchema):
    """Errors in the GeoReport format (an array of code and description)."""

    def _get_response_bodies(self, direction="response"):
        responses = super(PortalAutoSchema, self)._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                response = self._get_response_for_code(GeoReportError(many=True), code, direction=direction)
                response["description"] = "GeoReport v2 error list."
                responses[code] = response
        return responses


def _error(status: int, *descriptions: str) -> Response:
    return Response([{"code": status, "description": str(text)} for text in descriptions], status=status)


class Open311View(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [parsers.FormParser, parsers.MultiPartParser, JSONParser]
    schema = Open311Schema()

    def handle_exception(self, exc):
        if isinstance(exc, DjangoValidationError):
            if hasattr(exc, "error_dict"):
                return _error(
                    400,
                    *(
                        f"{OPEN311_FIELDS.get(field, field)}: {message}"
                        for field, errors in exc.error_dict.items()
                        for error in errors
                        for message in error.messages
                    ),
                )
            return _error(400, *exc.messages)
        if isinstance(exc, TooManyReports):
            return _error(429, exc.message)
        if isinstance(exc, ObjectMissing | Http404):
            return _error(404, getattr(exc, "message", None) or _("Not found."))
        if isinstance(exc, ActionForbidden):
            return _error(403, exc.message)
        if isinstance(exc, StateConflict):
            return _error(409, exc.message)
        if isinstance(exc, DomainError):
            return _error(400, exc.message)
        if isinstance(exc, exceptions.APIException):
            response = super().handle_exception(exc)
            detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
            return Response(
                [{"code": response.status_code, "description": detail}],
                status=response.status_code,
                headers=dict(response.items()),
            )
        raise exc


#: Our service's field names → the GeoReport parameter a client sent.
OPEN311_FIELDS = {
    "kind": "service_code",
    "defect_kind": "attribute[defect_kind]",
    "started_at": "attribute[started_at]",
    "latitude": "lat",
    "longitude": "long",
    "location": "address_string",
    "settlement": "address_string",
    "address": "address_string",
    "contact_email": "email",
    "contact_phone": "phone",
    "contact_name": "first_name",
    "media_url": "media_url",
}


def _services() -> list[dict]:
    return [
        {
            "service_code": kind.value,
            "service_name": str(kind.label),
            "description": SERVICE_DESCRIPTIONS[kind],
            "metadata": True,
            "type": "realtime",
            "keywords": "electricity, power, grid",
            "group": "electricity",
        }
        for kind in ReportKind
    ]


def _attributes(service_code: str) -> list[dict]:
    attributes = [
        {
            "variable": True,
            "code": "started_at",
            "datatype": "datetime",
            "required": False,
            "datatype_description": "ISO 8601 with time zone; now when not given.",
            "order": 1,
            "description": str(_("Started at")),
        }
    ]
    if service_code == ReportKind.EQUIPMENT_DEFECT:
        attributes.append(
            {
                "variable": True,
                "code": "defect_kind",
                "datatype": "singlevaluelist",
                "required": True,
                "datatype_description": "One of the keys.",
                "order": 2,
                "description": str(_("What is wrong with the equipment")),
                "values": [{"key": kind.value, "name": str(kind.label)} for kind in DefectKind],
            }
        )
    return attributes


def _expected(report: Report) -> str:
    zone = ZoneInfo(settings.TIME_ZONE)
    return datetime.combine(report.due_date, time(23, 59, 59), tzinfo=zone).isoformat()


def _iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _notes(report: Report, *, full: bool) -> str:
    parts = [str(report.get_status_display())]
    if report.status == Status.PLANNED and report.planned_fix_date:
        # ISO date: the notes are read by programs as much as by people.
        parts.append(_("Expected fix: %(date)s.") % {"date": report.planned_fix_date.isoformat()})
    if full and report.answer_text:
        parts.append(report.answer_text)
    return " ".join(parts)


def _rounded(value) -> float:
    return float((value / PUBLIC_POSITION_STEP).quantize(1) * PUBLIC_POSITION_STEP)


def _request_row(report: Report, *, full: bool) -> dict:
    return {
        "service_request_id": report.number,
        "status": "closed" if report.status in CLOSED_STATUSES else "open",
        "status_notes": _notes(report, full=full),
        "service_name": str(report.get_kind_display()),
        "service_code": report.kind,
        "description": report.description if full else "",
        "agency_responsible": report.branch.name,
        "service_notice": "",
        "requested_datetime": _iso(report.created_at),
        "updated_datetime": _iso(report.last_change or report.created_at),
        "expected_datetime": _expected(report),
        "address": (report.address if full else "")
        or report.settlement
        or (report.incident.area if report.incident else ""),
        "address_id": "",
        "zipcode": "",
        "lat": float(report.latitude) if full else _rounded(report.latitude),
        "long": float(report.longitude) if full else _rounded(report.longitude),
        "media_url": report.media_url if full else "",
    }


def _key_from(request) -> Open311Key | None:
    key = request.data.get("api_key") if request.method == "POST" else request.query_params.get("api_key")
    if not key:
        return None
    return Open311Key.objects.filter(digest=key_digest(str(key)), is_active=True).first()


def _reports():
    return (
        Report.objects.filter(confirmed_at__isnull=False)
        .select_related("branch", "incident")
        .annotate(last_change=Max("history__created_at"))
    )


SERVICE_LIST = inline_serializer(
    "Open311Service",
    many=True,
    fields={
        "service_code": serializers.CharField(),
        "service_name": serializers.CharField(),
        "description": serializers.CharField(),
        "metadata": serializers.BooleanField(),
        "type": serializers.CharField(),
        "keywords": serializers.CharField(),
        "group": serializers.CharField(),
    },
)
ATTRIBUTE_ROW = inline_serializer(
    "Open311Attribute",
    {
        "variable": serializers.BooleanField(),
        "code": serializers.CharField(),
        "datatype": serializers.CharField(),
        "required": serializers.BooleanField(),
        "datatype_description": serializers.CharField(),
        "order": serializers.IntegerField(),
        "description": serializers.CharField(),
        "values": inline_serializer(
            "Open311AttributeValue",
            {"key": serializers.CharField(), "name": serializers.CharField()},
            many=True,
            required=False,
        ),
    },
    many=True,
)
DEFINITION = inline_serializer(
    "Open311ServiceDefinition", {"service_code": serializers.CharField(), "attributes": ATTRIBUTE_ROW}
)
_REQUEST_FIELDS = dict(
    {
        name: serializers.CharField(allow_blank=True)
        for name in (
            "service_request_id",
            "status",
            "status_notes",
            "service_name",
            "service_code",
            "description",
            "agency_responsible",
            "service_notice",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "address",
            "address_id",
            "zipcode",
            "media_url",
        )
    }
    | {"lat": serializers.FloatField(), "long": serializers.FloatField()}
)
REQUEST_LIST = inline_serializer("Open311ServiceRequest", fields=_REQUEST_FIELDS, many=True)
POST_INPUT = inline_serializer(
    "Open311RequestInput",
    {
        "api_key": serializers.CharField(),
        "service_code": serializers.ChoiceField(choices=ReportKind.choices),
        "lat": serializers.FloatField(required=False),
        "long": serializers.FloatField(required=False),
        "address_string": serializers.CharField(required=False),
        "email": serializers.EmailField(),
        "first_name": serializers.CharField(required=False),
        "last_name": serializers.CharField(required=False),
        "phone": serializers.CharField(required=False),
        "description": serializers.CharField(required=False),
        "media_url": serializers.URLField(required=False),
        "attribute[started_at]": serializers.DateTimeField(required=False),
        "attribute[defect_kind]": serializers.ChoiceField(choices=DefectKind.choices, required=False),
    },
)
POST_RESULT = inline_serializer(
    "Open311RequestCreated",
    many=True,
    fields={
        "service_request_id": serializers.CharField(),
        "token": serializers.CharField(),
        "service_notice": serializers.CharField(),
        "account_id": serializers.CharField(allow_null=True),
    },
)
TOKEN_LIST = inline_serializer(
    "Open311Token",
    fields={"service_request_id": serializers.CharField(), "token": serializers.CharField()},
    many=True,
)


class ServiceListView(Open311View):
    @extend_schema(
        tags=["open311"],
        operation_id="open311_services",
        summary="Open311: services",
        description="The kinds of report this grid organisation takes (GeoReport v2 `services`).",
        responses=SERVICE_LIST,
    )
    def get(self, request, format=None):
        return Response(_services())


class ServiceDefinitionView(Open311View):
    extra_error_codes = ["404"]

    @extend_schema(
        tags=["open311"],
        operation_id="open311_service_definition",
        summary="Open311: service definition",
        description="The attributes of one service: `started_at`, and `defect_kind` for equipment defects.",
        responses=DEFINITION,
    )
    def get(self, request, service_code: str, format=None):
        if service_code not in ReportKind.values:
            return _error(404, _("No service with the code %(code)s.") % {"code": service_code})
        return Response({"service_code": service_code, "attributes": _attributes(service_code)})


class RequestListView(Open311View):
    extra_error_codes = ["400", "403"]

    @extend_schema(
        tags=["open311"],
        operation_id="open311_requests",
        summary="Open311: service requests",
        description=(
            "Confirmed reports, newest first (90 days and 1000 rows by default). Without an api_key no "
            "personal data and positions rounded to 0.01°."
        ),
        parameters=[
            OpenApiParameter("service_request_id", str, description="Comma-separated ids."),
            OpenApiParameter("service_code", str),
            OpenApiParameter("start_date", str, description="ISO 8601."),
            OpenApiParameter("end_date", str, description="ISO 8601."),
            OpenApiParameter("status", str, enum=["open", "closed"]),
            OpenApiParameter(
                "api_key", str, description="With a key: description, address and exact position."
            ),
        ],
        responses=REQUEST_LIST,
    )
    def get(self, request, format=None):
        params = request.query_params
        full = _key_from(request) is not None
        if params.get("api_key") and not full:
            return _error(403, _("The api_key is not valid."))
        reports = _reports()
        ids = [item.strip() for item in params.get("service_request_id", "").split(",") if item.strip()]
        if ids:
            reports = reports.filter(number__in=ids)
        else:
            errors = []
            if params.get("service_code"):
                if params["service_code"] not in ReportKind.values:
                    errors.append(_("service_code: no such service."))
                reports = reports.filter(kind=params["service_code"])
            if params.get("status"):
                if params["status"] not in ("open", "closed"):
                    errors.append(_("status: use open or closed."))
                elif params["status"] == "open":
                    reports = reports.exclude(status__in=CLOSED_STATUSES)
                else:
                    reports = reports.filter(status__in=CLOSED_STATUSES)
            bounds = {}
            for name in ("start_date", "end_date"):
                if params.get(name):
                    moment = parse_datetime(params[name])
                    if moment is None or timezone.is_naive(moment):
                        errors.append(
                            _("%(name)s: an ISO 8601 date and time with its zone.") % {"name": name}
                        )
                    bounds[name] = moment
            if errors:
                return _error(400, *errors)
            end = bounds.get("end_date") or timezone.now()
            start = bounds.get("start_date") or end - timedelta(days=DEFAULT_DAYS)
            reports = reports.filter(created_at__gte=start, created_at__lte=end)
        rows = [_request_row(report, full=full) for report in reports.order_by("-created_at")[:MAX_RESULTS]]
        return Response(rows)

    @extend_schema(
        tags=["open311"],
        operation_id="open311_create_request",
        summary="Open311: post a service request",
        description=(
            "A report from an integration client with an api_key, confirmed at once and routed by "
            "territory. Give `lat`/`long` or an `address_string` naming a settlement."
        ),
        request=POST_INPUT,
        responses={201: POST_RESULT},
    )
    def post(self, request, format=None):
        data = request.data
        key = _key_from(request)
        if key is None:
            return _error(403, _("A valid api_key is required to post a service request."))
        service_code = str(data.get("service_code") or "")
        if service_code not in ReportKind.values:
            return _error(400, _("service_code: no such service."))
        started_text = str(data.get("attribute[started_at]") or "").strip()
        started_at = parse_datetime(started_text) if started_text else timezone.now()
        if started_at is None:
            return _error(400, _("attribute[started_at]: an ISO 8601 date and time with its zone."))
        media_url = str(data.get("media_url") or "").strip()
        if media_url:
            try:
                URLValidator(schemes=["http", "https"])(media_url)
            except DjangoValidationError:
                return _error(400, _("media_url: an http or https address."))
            if len(media_url) > 500:
                return _error(400, _("media_url: at most 500 characters."))
        address = str(data.get("address_string") or "").strip()
        report = services.submit_report(
            kind=service_code,
            defect_kind=str(data.get("attribute[defect_kind]") or ""),
            latitude=data.get("lat"),
            longitude=data.get("long"),
            address=address,
            started_at=started_at,
            description=str(data.get("description") or ""),
            contact_name=" ".join(
                str(data.get(name) or "").strip() for name in ("first_name", "last_name")
            ).strip(),
            contact_email=str(data.get("email") or ""),
            contact_phone=str(data.get("phone") or ""),
            media_url=media_url,
            client_address=client_address(request),
            base_url=site_url(request),
            open311_key=key,
        )
        notice = _("Answer due by %(date)s.") % {
            "date": formats.date_format(report.due_date, "SHORT_DATE_FORMAT")
        }
        if report.urgent:
            notice = (
                _("Danger to life: keep away and call %(phone)s.")
                % {"phone": settings.APPEALS_EMERGENCY_PHONE}
                + " "
                + notice
            )
        return Response(
            [
                {
                    "service_request_id": report.number,
                    "token": str(report.confirmation_token),
                    "service_notice": notice,
                    "account_id": None,
                }
            ],
            status=201,
        )


class RequestDetailView(Open311View):
    extra_error_codes = ["403", "404"]

    @extend_schema(
        tags=["open311"],
        operation_id="open311_request",
        summary="Open311: one service request",
        description="`expected_datetime` is the end of the answer due date; our status is in `status_notes`.",
        parameters=[OpenApiParameter("api_key", str)],
        responses=REQUEST_LIST,
    )
    def get(self, request, service_request_id: str, format=None):
        full = _key_from(request) is not None
        if request.query_params.get("api_key") and not full:
            return _error(403, _("The api_key is not valid."))
        report = _reports().filter(number=service_request_id).first()
        if report is None:
            return _error(404, _("No service request %(id)s.") % {"id": service_request_id})
        return Response([_request_row(report, full=full)])


class TokenView(Open311View):
    extra_error_codes = ["404"]

    @extend_schema(
        tags=["open311"],
        operation_id="open311_token",
        summary="Open311: request id of a token",
        description="The service request id of the token returned by a POST.",
        responses=TOKEN_LIST,
    )
    def get(self, request, token: str, format=None):
        report = (
            Report.objects.filter(channel=Report.Channel.OPEN311, confirmation_token=token).first()
            if _is_uuid(token)
            else None
        )
        if report is None:
            return _error(404, _("No service request for this token."))
        return Response([{"service_request_id": report.number, "token": token}])


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


class XmlRefusedView(Open311View):
    extra_error_codes = ["400"]

    @extend_schema(exclude=True)  # a catch-all for `.xml`, not an operation of its own
    def get(self, request, format=None):
        return _error(400, _("Only the JSON format is served: use .json."))
