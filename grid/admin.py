from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from grid.asset_import import import_grid_assets, parse_mapping, read_asset_file
from grid.models import AssetCapacity, AssetSource, Branch, GridAsset, Territory


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
    change_list_template = "admin/grid/gridasset/change_list.html"

    def get_urls(self):
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="grid_gridasset_import"),
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
        return TemplateResponse(request, "admin/grid/gridasset/import.html", context)
