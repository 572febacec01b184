from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from connection.models import (
    Applicant,
    BankStatement,
    CommissioningStage,
    ConnectionRequest,
    Document,
    DocumentVersion,
    Invoice,
    Message,
    MessageAttachment,
    Requisites,
    Reservation,
    StatementLine,
    Tariff,
)


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


@admin.register(Reservation)
class ReservationAdmin(admin.ModelAdmin):
    list_display = ["application", "capacity", "kw", "created_at", "released_at"]
    list_filter = ["released_at"]
    search_fields = ["application__number", "capacity__asset__name", "capacity__asset__dispatch_number"]
    list_select_related = ["application", "capacity__asset"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(Requisites)
class RequisitesAdmin(admin.ModelAdmin):
    """The payee of the invoices: the company's row (no branch) and a branch's overrides. The
    model's clean() checks INN, KPP, OGRN, BIC and the accounts' control keys."""

    list_display = ["__str__", "name", "inn", "kpp", "bic", "settlement_account", "is_example", "updated_at"]
    list_filter = ["is_example"]
    fieldsets = [
        (None, {"fields": ["branch", "is_example"]}),
        (_("Organisation"), {"fields": ["name", "inn", "kpp", "ogrn", "address"]}),
        (_("Bank"), {"fields": ["bank_name", "bic", "correspondent_account", "settlement_account"]}),
    ]


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Read-only: invoices are issued with the offer and paid through the workflow."""

    list_display = ["number", "application", "amount_rub", "issued_on", "due_date", "status"]
    list_filter = ["status"]
    search_fields = ["number", "application__number"]
    list_select_related = ["application"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class StatementLineInline(admin.TabularInline):
    model = StatementLine
    extra = 0
    fields = [
        "paid_on",
        "document_number",
        "amount_rub",
        "payer_name",
        "payer_inn",
        "purpose",
        "status",
        "invoice",
        "note",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BankStatement)
class BankStatementAdmin(admin.ModelAdmin):
    """Read-only: statements are imported on the statements page or by the import command."""

    list_display = ["file_name", "branch", "file_format", "imported_by", "imported_at"]
    list_filter = ["file_format", "branch"]
    inlines = [StatementLineInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
