from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

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
from connection.grid_assets import import_grid_assets, parse_mapping, read_asset_file  # noqa: E402
from connection.models import AssetCapacity, AssetSource, GridAsset, Reservation  # noqa: E402


class AssetCapacityInline(admin.TabularInline):
    model = AssetCapacity
    fields = ["voltage_kv", "installed_kw", "reserved_kw", "free_kw", "updated_at"]
    # reserved capacity changes only through reservations (row-locked services), never by hand
    readonly_fields = ["reserved_kw", "free_kw", "updated_at"]
    extra = 0


class AssetImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or GeoJSON file"))
    source = forms.ChoiceField(label=_("source"), choices=AssetSource.choices, initial=AssetSource.REAL)
    mapping = forms.CharField(
        label=_("column mapping"),
        required=False,
        help_text=_("column=field,… for columns named otherwise, e.g. lat=latitude,lon=longitude"),
    )


@admin.register(GridAsset)
class GridAssetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "dispatch_number", "external_id", "branch", "source", "data_date"]
    list_filter = ["kind", "source", "branch"]
    search_fields = ["name", "dispatch_number", "external_id"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [AssetCapacityInline]
    change_list_template = "admin/connection/gridasset/change_list.html"

    def get_urls(self):
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="connection_gridasset_import"),
        ]
        return custom + super().get_urls()

    def import_view(self, request):
        """The same import as `manage.py import_grid_assets`, with its report of rejected rows."""
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            raise PermissionDenied
        report = None
        form = AssetImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                mapping = parse_mapping(form.cleaned_data["mapping"])
                frame, first_row = read_asset_file(upload, mapping=mapping)
            except (OSError, ValueError) as error:
                form.add_error("file", str(error))
            else:
                report = import_grid_assets(
                    frame=frame, source=form.cleaned_data["source"], first_row=first_row
                )
                messages.success(
                    request,
                    _(
                        "Imported %(rows)s rows: %(created)s assets created, %(updated)s updated, %(rejected)s rejected."
                    )
                    % {
                        "rows": report.rows,
                        "created": report.created,
                        "updated": report.updated,
                        "rejected": len(report.rejected),
                    },
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import grid assets"),
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/connection/gridasset/import.html", context)


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


# --- fee: the tariff table of the connection fee ---------------------------------------------------
from connection.models import Tariff  # noqa: E402


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = [
        "region",
        "applicant_group",
        "valid_from",
        "valid_to",
        "preferential_rate_per_kw",
        "privileged_rate_per_kw",
        "c1_per_connection",
        "rates_include_vat",
        "is_example",
    ]
    list_filter = ["region", "applicant_group", "is_example", "rates_include_vat"]
    search_fields = ["region", "source_note"]
    date_hierarchy = "valid_from"


# --- end fee


# --- messages: threads between applicants and the grid organisation --------------------------------
from connection.models import Message, MessageAttachment  # noqa: E402


class MessageAttachmentInline(admin.TabularInline):
    model = MessageAttachment
    extra = 0
    fields = ["original_name", "content_type", "size", "sha256"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "request",
        "branch",
        "author",
        "author_side",
        "read_by_applicant_at",
        "read_by_grid_at",
    ]
    list_filter = ["author_side", "branch"]
    search_fields = ["text", "request__number", "author__email"]
    list_select_related = ["request", "branch", "author"]
    raw_id_fields = ["request", "author"]
    date_hierarchy = "created_at"
    inlines = [MessageAttachmentInline]


# --- end messages
