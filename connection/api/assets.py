"""Connection points of the asset register: the nearest lookup, the GeoJSON map layer and the
open-data CSV of free capacity. Public: anonymous callers are allowed (and throttled as "anon")."""

from __future__ import annotations

import csv
import io
import json
import math
from decimal import Decimal

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from backend.api.serializers import FieldsBuiltOnceMixin
from backend.formatting import number_text
from connection.api.serializers import VoltageLevelField
from connection.nearest import DEMO_NOTE, find_nearest
from grid import gazetteer, territories
from grid.models import AssetCapacity, AssetKind, AssetSource, GridAsset, Territory
from workflow.rulebook import get_rules

MAX_LIMIT = 20


# Input


class NearestQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90, label=gettext_lazy("latitude"))
    lon = serializers.FloatField(min_value=-180, max_value=180, label=gettext_lazy("longitude"))
    power_kw = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=Decimal("0.01"), label=gettext_lazy("requested power, kW")
    )
    voltage_kv = VoltageLevelField(label=gettext_lazy("voltage, kV"))
    limit = serializers.IntegerField(
        required=False, default=5, min_value=1, max_value=MAX_LIMIT, label=gettext_lazy("number of points")
    )
    household = serializers.BooleanField(
        required=False,
        default=True,
        label=gettext_lazy("household applicant"),
        help_text=gettext_lazy("An individual connecting a household (decides the fee category)."),
    )

    def validate_power_kw(self, value: Decimal) -> Decimal:
        # Kept for the answer, which reads the same rules (one rulebook read per request).
        rules = self.context["rules"] = get_rules()
        ceiling = max(rules.household_max_kw, rules.business_max_kw, rules.temporary_max_kw)
        if value > ceiling:
            raise serializers.ValidationError(
                _("The portal handles connections of up to %(max)s kW.") % {"max": number_text(ceiling)},
                code="max_value",
            )
        return value

    def validate(self, attrs):
        if not territories.in_service_area(attrs["lat"], attrs["lon"]):
            message = _("The point lies outside the service area of the grid organisation.")
            raise serializers.ValidationError({"lat": message, "lon": message}, code="outside_service_area")
        return attrs


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """`minlon,minlat,maxlon,maxlat` → floats; ValidationError on the field `bbox`."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = []
    if (
        len(values) != 4
        or not all(math.isfinite(value) for value in values)
        or not (-180 <= values[0] <= values[2] <= 180 and -90 <= values[1] <= values[3] <= 90)
    ):
        raise exceptions.ValidationError(
            {"bbox": [_("Give bbox as minlon,minlat,maxlon,maxlat in degrees, minimum first.")]},
            code="invalid",
        )
    return values[0], values[1], values[2], values[3]


# Output (shapes for the schema)


class CandidateSerializer(FieldsBuiltOnceMixin, serializers.Serializer):
    connection_point_id = serializers.IntegerField(help_text=gettext_lazy("Use in issue_offer to reserve."))
    asset_id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=AssetKind.choices)
    kind_label = serializers.CharField()
    dispatch_number = serializers.CharField()
    voltage_kv = serializers.DecimalField(max_digits=6, decimal_places=2)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6)
    distance_m = serializers.FloatField(help_text=gettext_lazy("Geodesic distance on WGS84, metres."))
    free_kw = serializers.DecimalField(max_digits=12, decimal_places=2)
    sufficient = serializers.BooleanField(help_text=gettext_lazy("Free capacity covers the requested power."))
    within_distance = serializers.BooleanField(
        help_text=gettext_lazy("Within 300 m (urban) or 500 m (rural).")
    )
    source = serializers.ChoiceField(choices=AssetSource.choices)
    generated = serializers.BooleanField(help_text=gettext_lazy("Invented for the demonstration."))


class WorksTermSerializer(FieldsBuiltOnceMixin, serializers.Serializer):
    amount = serializers.IntegerField()
    unit = serializers.ChoiceField(choices=["working_days", "months"])
    rule = serializers.CharField(help_text=gettext_lazy("The rulebook key it comes from."))
    label = serializers.CharField()


class ShortfallSerializer(FieldsBuiltOnceMixin, serializers.Serializer):
    reason = serializers.CharField()
    nearest_sufficient = CandidateSerializer(allow_null=True)
    nearest_any = CandidateSerializer(allow_null=True)
    shortfall_kw = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    best_within = CandidateSerializer(allow_null=True)
    shortfall_within_kw = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)


class NearestResultSerializer(FieldsBuiltOnceMixin, serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    power_kw = serializers.DecimalField(max_digits=9, decimal_places=2)
    voltage_kv = serializers.CharField()
    settlement_kind = serializers.ChoiceField(choices=Territory.SettlementKind.choices)
    max_distance_m = serializers.DecimalField(max_digits=9, decimal_places=1)
    candidates = CandidateSerializer(many=True)
    connection_point = CandidateSerializer(
        allow_null=True, help_text=gettext_lazy("The nearest point with enough free capacity, if any.")
    )
    within_distance = serializers.BooleanField()
    works_term = WorksTermSerializer()
    fee_category = serializers.ChoiceField(choices=["preferential", "standardised"])
    fee_category_label = serializers.CharField()
    shortfall = ShortfallSerializer(allow_null=True)
    notes = serializers.ListField(child=serializers.CharField())


class CapacitySerializer(serializers.Serializer):
    connection_point_id = serializers.IntegerField()
    voltage_kv = serializers.DecimalField(max_digits=6, decimal_places=2)
    installed_kw = serializers.DecimalField(max_digits=12, decimal_places=2)
    reserved_kw = serializers.DecimalField(max_digits=12, decimal_places=2)
    free_kw = serializers.DecimalField(max_digits=12, decimal_places=2)


class FeaturePropertiesSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=AssetKind.choices)
    kind_label = serializers.CharField()
    name = serializers.CharField()
    dispatch_number = serializers.CharField()
    external_id = serializers.CharField()
    branch = serializers.CharField(allow_null=True)
    source = serializers.ChoiceField(choices=AssetSource.choices)
    generated = serializers.BooleanField()
    source_note = serializers.CharField()
    data_date = serializers.DateField(allow_null=True)
    capacities = CapacitySerializer(many=True)


class PointGeometrySerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Point"])
    coordinates = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)


class FeatureSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["Feature"])
    id = serializers.IntegerField()
    geometry = PointGeometrySerializer()
    properties = FeaturePropertiesSerializer()


class FeatureCollectionSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["FeatureCollection"])
    features = FeatureSerializer(many=True)
    attribution = serializers.ListField(child=serializers.CharField())


def attribution(notes: set[str]) -> list[str]:
    lines = sorted(note for note in notes if note)
    lines.append(str(DEMO_NOTE))
    return lines


class PlaceSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=list(gazetteer.KIND_LABELS), help_text="`town` or `district`.")
    kind_label = serializers.SerializerMethodField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    bbox = serializers.ListField(
        child=serializers.FloatField(),
        allow_null=True,
        help_text="minlon, minlat, maxlon, maxlat of a district.",
    )
    attribution = serializers.CharField()

    def get_kind_label(self, place) -> str:
        return str(gazetteer.KIND_LABELS[place.kind])


#: Below this zoom the map gets clusters (about 4 cells per 256-px tile), not points.
CLUSTER_BELOW_ZOOM = 11
CELLS_PER_TILE = 4


def parse_zoom(text: str | None) -> int | None:
    if text in (None, ""):
        return None
    if not str(text).isascii() or not str(text).isdigit() or not 0 <= int(text) <= 22:
        raise exceptions.ValidationError(
            {"zoom": [_("Give the zoom as a whole number from 0 to 22.")]}, code="invalid"
        )
    return int(text)


def clusters(located, *, zoom: int) -> dict:
    """Points (lon, lat, source) grouped by a grid of cells the size of a quarter tile at `zoom`."""
    cell = 360 / (2**zoom) / CELLS_PER_TILE
    groups: dict[tuple[int, int], list] = {}
    notes = set()
    for longitude, latitude, note in located:
        lon, lat = float(longitude), float(latitude)
        groups.setdefault((math.floor(lon / cell), math.floor(lat / cell)), []).append((lon, lat))
        notes.add(note)
    features = [
        {
            "type": "Feature",
            "id": f"cluster-{zoom}-{x}-{y}",
            "geometry": {
                "type": "Point",
                "coordinates": [
                    round(sum(lon for lon, _lat in members) / len(members), 5),
                    round(sum(lat for _lon, lat in members) / len(members), 5),
                ],
            },
            "properties": {"cluster": True, "count": len(members)},
        }
        for (x, y), members in sorted(groups.items())
    ]
    return {"type": "FeatureCollection", "features": features, "attribution": attribution(notes)}


def asset_queryset():
    return GridAsset.objects.select_related("branch").prefetch_related(
        Prefetch("capacities", queryset=AssetCapacity.objects.order_by("-voltage_kv"))
    )


def feature(asset: GridAsset) -> dict:
    return {
        "type": "Feature",
        "id": asset.pk,
        "geometry": {"type": "Point", "coordinates": [float(asset.longitude), float(asset.latitude)]},
        "properties": {
            "kind": asset.kind,
            "kind_label": str(AssetKind(asset.kind).label),
            "name": asset.name,
            "dispatch_number": asset.dispatch_number,
            "external_id": asset.external_id,
            "branch": asset.branch.name if asset.branch_id else None,
            "source": asset.source,
            "generated": asset.source == AssetSource.GENERATED,
            "source_note": asset.source_note,
            "data_date": asset.data_date.isoformat() if asset.data_date else None,
            "capacities": [
                {
                    "connection_point_id": capacity.pk,
                    "voltage_kv": str(capacity.voltage_kv),
                    "installed_kw": str(capacity.installed_kw),
                    "reserved_kw": str(capacity.reserved_kw),
                    "free_kw": str(capacity.free_kw),
                }
                for capacity in asset.capacities.all()
            ],
        },
    }


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, (str, bytes)):
            return data
        # An error body (404, 401, 429…) is not CSV: answer it as the JSON every other error is.
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = "application/json"
        return json.dumps(data, ensure_ascii=False).encode()


CSV_COLUMNS = [
    "connection_point_id",
    "asset_id",
    "external_id",
    "kind",
    "name",
    "dispatch_number",
    "voltage_kv",
    "installed_kw",
    "reserved_kw",
    "free_kw",
    "latitude",
    "longitude",
    "branch",
    "source",
    "data_date",
]


def free_capacity_csv() -> str:
    """Free capacity per substation and voltage level, with the attribution as `#` lines first."""
    rows = (
        AssetCapacity.objects.exclude(asset__kind=AssetKind.LINE_SUPPORT)
        .select_related("asset", "asset__branch")
        .order_by("asset__name", "asset_id", "-voltage_kv")
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = list(rows)
    for line in attribution({row.asset.source_note for row in rows}):
        buffer.write(f"# {line}\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        asset = row.asset
        writer.writerow(
            [
                row.pk,
                asset.pk,
                asset.external_id,
                asset.kind,
                asset.name,
                asset.dispatch_number,
                row.voltage_kv,
                row.installed_kw,
                row.reserved_kw,
                row.free_kw,
                asset.latitude,
                asset.longitude,
                asset.branch.code if asset.branch_id else "",
                asset.source,
                asset.data_date.isoformat() if asset.data_date else "",
            ]
        )
    return buffer.getvalue()


# Views


class ConnectionPointViewSet(viewsets.GenericViewSet):
    """Public: the map of connection points, the nearest lookup and the free-capacity open data."""

    permission_classes = [AllowAny]
    queryset = GridAsset.objects.none()
    serializer_class = FeatureCollectionSerializer
    pagination_class = None
    filter_backends: list = []
    extra_error_codes = ["400"]  # bad coordinates, power, voltage or bbox

    @extend_schema(
        summary="Map of connection points (GeoJSON)",
        description=(
            "Assets of the register as a GeoJSON FeatureCollection (WGS84 lon/lat) with their capacity per "
            "voltage level (installed, reserved, free). Filter with `bbox=minlon,minlat,maxlon,maxlat` and "
            "`kind`. Assets invented for the demonstration have `source: generated` and `generated: true`. "
            "Anonymous use is allowed and rate-limited."
        ),
        parameters=[
            OpenApiParameter(
                "bbox", OpenApiTypes.STR, description="minlon,minlat,maxlon,maxlat (degrees, WGS84)."
            ),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=AssetKind.values, description="Kind of asset."),
            OpenApiParameter(
                "zoom",
                OpenApiTypes.INT,
                description=(
                    "The map's zoom (0–22). Below 11 the answer is clusters: one feature per grid cell of "
                    "the view with `cluster: true` and `count`, so a far view does not download every point."
                ),
            ),
        ],
        responses={200: FeatureCollectionSerializer(many=False)},
    )
    def list(self, request):
        queryset = asset_queryset()
        bbox = request.query_params.get("bbox")
        zoom = parse_zoom(request.query_params.get("zoom"))
        if bbox:
            min_lon, min_lat, max_lon, max_lat = parse_bbox(bbox)
            queryset = queryset.filter(
                longitude__gte=Decimal(str(min_lon)),
                longitude__lte=Decimal(str(max_lon)),
                latitude__gte=Decimal(str(min_lat)),
                latitude__lte=Decimal(str(max_lat)),
            )
        kind = request.query_params.get("kind")
        if kind:
            if kind not in AssetKind.values:
                raise exceptions.ValidationError(
                    {"kind": [_("Unknown kind of asset.")]}, code="invalid_choice"
                )
            queryset = queryset.filter(kind=kind)
        if zoom is not None and zoom < CLUSTER_BELOW_ZOOM:
            located = queryset.order_by().values_list("longitude", "latitude", "source_note")
            return Response(clusters(located, zoom=zoom))
        assets = list(queryset.order_by("id"))
        return Response(
            {
                "type": "FeatureCollection",
                "features": [feature(asset) for asset in assets],
                "attribution": attribution({asset.source_note for asset in assets}),
            }
        )

    @extend_schema(
        summary="Nearest connection points",
        description=(
            "The connection points of the voltage class nearest to a point (`lat`, `lon`), by exact geodesic "
            "distance, each with its free capacity, whether it covers `power_kw` (`sufficient`) and whether it "
            "lies within 300 m (urban territory) or 500 m (rural) of the point (`within_distance`). "
            "`connection_point` is the nearest point with enough free capacity; from it follow the term of the "
            "connection works (rulebook in force) and the fee category (a household of up to 15 kW at 0.4 kV "
            "or below within the distance: preferential, otherwise standardised tariff rates). When no point "
            "with enough capacity lies within the distance, `shortfall` says why: the nearest point with enough "
            "capacity, the nearest point at all and the kW missing. Voltage 0.23 kV is served by the 0.4 kV "
            "side of transformer substations. Anonymous use is allowed and rate-limited."
        ),
        parameters=[NearestQuerySerializer],
        responses={200: NearestResultSerializer},
    )
    @action(detail=False, methods=["get"])
    def nearest(self, request):
        query = NearestQuerySerializer(data=request.query_params, context={})
        query.is_valid(raise_exception=True)
        answer = find_nearest(**query.validated_data, rules=query.context["rules"])
        return Response(NearestResultSerializer(answer).data)

    @extend_schema(
        summary="Search settlements and districts by name",
        description=(
            "Places of the service area whose name starts with (then contains) `q`: the towns (HFLabs / "
            "DaData.ru, CC BY-SA 4.0) and the districts (© OpenStreetMap contributors, ODbL 1.0), towns first, "
            "each with its centre, for a district its bounding box, and its attribution."
        ),
        parameters=[
            OpenApiParameter(
                "q", OpenApiTypes.STR, required=True, description="Part of the name, 2–100 characters."
            )
        ],
        responses={200: PlaceSerializer(many=True)},
    )
    @action(detail=False, methods=["get"])
    def places(self, request):
        text = (request.query_params.get("q") or "").strip()
        if not 2 <= len(text) <= 100:
            raise exceptions.ValidationError(
                {"q": [_("Type 2 to 100 characters of the name.")]}, code="invalid"
            )
        return Response(PlaceSerializer(gazetteer.search(text), many=True).data)

    @extend_schema(
        summary="Free capacity (CSV, open data)",
        description=(
            "Free capacity per substation and voltage level (installed, reserved, free kW) as CSV, the open data "
            "the grid organisation publishes. The first lines, starting with `#`, give the attribution of the "
            "data (e.g. © OpenStreetMap contributors, ODbL 1.0); rows with source `generated` are invented for "
            "the demonstration. Anonymous use is allowed and rate-limited."
        ),
        responses={(200, "text/csv"): OpenApiResponse(response=OpenApiTypes.STR, description="CSV, UTF-8.")},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="free-capacity.csv",
        url_name="free-capacity-csv",
        renderer_classes=[CSVRenderer, JSONRenderer],
    )
    def free_capacity(self, request):
        response = HttpResponse(free_capacity_csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="free-capacity.csv"'
        return response
