from django.contrib import admin

from connection.models import (
    Applicant,
    Branch,
    CommissioningStage,
    ConnectionRequest,
    Document,
    DocumentVersion,
    Territory,
)


class TerritoryInline(admin.TabularInline):
    model = Territory
    fields = ["name", "settlement_kind", "priority", "source"]
    extra = 0
    show_change_link = True


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default"]
    search_fields = ["code", "name"]
    list_filter = ["is_default"]
    inlines = [TerritoryInline]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "branch", "settlement_kind", "priority"]
    list_filter = ["settlement_kind", "branch"]
    search_fields = ["name"]
    readonly_fields = ["min_lon", "min_lat", "max_lon", "max_lat", "updated_at"]


@admin.register(Applicant)
class ApplicantAdmin(admin.ModelAdmin):
    list_display = ["__str__", "applicant_type", "inn", "owner", "created_at"]
    list_filter = ["applicant_type"]
    search_fields = ["last_name", "organisation_name", "inn", "owner__email"]
    raw_id_fields = ["owner"]


class StageInline(admin.TabularInline):
    model = CommissioningStage
    extra = 0
    readonly_fields = ["position", "planned_date", "power_kw"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ["version", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "request", "doc_type", "created_at"]
    list_filter = ["doc_type"]
    raw_id_fields = ["request"]
    inlines = [DocumentVersionInline]


@admin.register(ConnectionRequest)
class ConnectionRequestAdmin(admin.ModelAdmin):
    """Read-mostly: applications change through the portal's services and transitions only."""

    list_display = ["__str__", "state", "applicant", "branch", "total_kw", "submitted_at"]
    list_filter = ["state", "kind", "branch", "routing_needs_attention"]
    search_fields = ["number", "applicant__last_name", "applicant__organisation_name", "applicant__inn"]
    date_hierarchy = "created_at"
    inlines = [StageInline]
    list_select_related = ["applicant", "branch"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


# --- Grid assets (connection points) ---------------------------------------------------------------
from connection.models import AssetCapacity, GridAsset, Reservation  # noqa: E402


class AssetCapacityInline(admin.TabularInline):
    model = AssetCapacity
    fields = ["voltage_kv", "installed_kw", "reserved_kw", "free_kw", "updated_at"]
    # reserved capacity changes only through reservations (row-locked services), never by hand
    readonly_fields = ["reserved_kw", "free_kw", "updated_at"]
    extra = 0


@admin.register(GridAsset)
class GridAssetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "dispatch_number", "external_id", "branch", "source", "data_date"]
    list_filter = ["kind", "source", "branch"]
    search_fields = ["name", "dispatch_number", "external_id"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AssetCapacityInline]


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ["request", "capacity", "kw", "created_at", "released_at"]
    list_filter = ["released_at"]
    search_fields = ["request__number", "capacity__asset__name", "capacity__asset__dispatch_number"]
    list_select_related = ["request", "capacity__asset"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
