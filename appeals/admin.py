from django.contrib import admin, messages
from django.utils.translation import gettext as _

from appeals.models import CannedAnswer, Incident, Open311Key, Report, StatusEntry


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "kind",
        "defect_kind",
        "status",
        "branch",
        "due_date",
        "confirmed_at",
        "created_at",
    )
    list_filter = ("status", "kind", "urgent", "branch")
    search_fields = ("number", "contact_email", "address")
    readonly_fields = ("number", "incident", "answered_at", "overdue_flagged_at", "rulebook_version_id")


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "status", "branch", "area", "due_date", "planned_fix_date")
    list_filter = ("status", "kind", "urgent", "branch")
    search_fields = ("number", "area")


@admin.register(StatusEntry)
class StatusEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "incident", "report", "from_status", "to_status", "actor")

    def has_change_permission(self, request, obj=None):
        return False  # history is immutable


@admin.register(CannedAnswer)
class CannedAnswerAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "branch", "is_active")
    list_filter = ("status", "is_active")


@admin.register(Open311Key)
class Open311KeyAdmin(admin.ModelAdmin):
    list_display = ("name", "prefix", "is_active", "created_at")
    fields = ("name", "is_active")

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        row, key = Open311Key.issue(name=obj.name)
        obj.pk, obj.digest, obj.prefix = row.pk, row.digest, row.prefix
        messages.warning(request, _("The new key (shown only now): %(key)s") % {"key": key})
