from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from connection.api.serializers import BranchSerializer
from connection.models import Branch


@extend_schema_view(
    list=extend_schema(
        summary="List branches",
        description="Branches (РЭС) of the grid organisation; applications are routed to them by territory.",
    ),
    retrieve=extend_schema(summary="Show a branch", description="One branch of the grid organisation."),
)
class BranchViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Branch.objects.all()
    serializer_class = BranchSerializer
    filterset_fields = ["code", "is_default"]
    search_fields = ["name", "code"]
    ordering_fields = ["name", "code"]
