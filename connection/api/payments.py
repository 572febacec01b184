"""Paying over the API: the payment instructions of an application waiting for payment (invoice,
payee requisites, the ГОСТ Р 56042-2014 QR string, due date), and the bank statements of branch
staff — import, the lines waiting for a person, match or reject one."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backend.api.errors import Conflict
from connection import invoices, payments, selectors
from connection.api.parsers import StrictMultiPartParser
from connection.models import ConnectionRequest, StatementLine
from grid.models import Branch


class RequisitesSerializer(serializers.Serializer):
    name = serializers.CharField(help_text=_("Payee (the grid organisation)."))
    inn = serializers.CharField()
    kpp = serializers.CharField()
    ogrn = serializers.CharField()
    bank_name = serializers.CharField()
    bic = serializers.CharField()
    correspondent_account = serializers.CharField()
    settlement_account = serializers.CharField()
    address = serializers.CharField()
    is_example = serializers.BooleanField(help_text=_("Demo values: do not pay."))


class InvoiceSerializer(serializers.Serializer):
    number = serializers.CharField()
    issued_on = serializers.DateField()
    due_date = serializers.DateField(help_text=_("The last day to pay."))
    amount_rub = serializers.DecimalField(max_digits=14, decimal_places=2, help_text=_("Amount due now."))
    purpose = serializers.CharField(help_text=_("Purpose of payment to write in the payment order."))
    status = serializers.CharField()


class PaymentInstructionsSerializer(serializers.Serializer):
    invoice = InvoiceSerializer()
    requisites = RequisitesSerializer()
    qr_payload = serializers.CharField(
        allow_null=True,
        help_text=_(
            "The ГОСТ Р 56042-2014 string (ST00012|Name=…|…) the QR code encodes; null without requisites."
        ),
    )
    due_date = serializers.DateField(help_text=_("Pay by this day inclusive."))
    annulment_on = serializers.DateField(help_text=_("Unpaid, the application is annulled on this day."))
    invoice_document_url = serializers.CharField(allow_null=True, help_text=_("The invoice PDF."))


def instructions_data(application: ConnectionRequest) -> dict:
    instructions = invoices.payment_instructions(application)
    if instructions is None:
        raise Conflict(_("The application does not wait for payment."), code="not_awaiting_payment")
    document_url = (
        reverse(
            "connection-request-document-download",
            kwargs={"request_pk": application.pk, "pk": instructions.invoice_document_id},
        )
        if instructions.invoice_document_id
        else None
    )
    return PaymentInstructionsSerializer(
        {
            "invoice": instructions.invoice,
            "requisites": instructions.requisites,
            "qr_payload": instructions.qr_payload,
            "due_date": instructions.due_date,
            "annulment_on": instructions.annulment_on,
            "invoice_document_url": document_url,
        }
    ).data


class StatementLineSerializer(serializers.ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True, default=None)
    application_id = serializers.IntegerField(source="invoice.application_id", allow_null=True, default=None)
    branch = serializers.IntegerField(source="statement.branch_id", allow_null=True)

    class Meta:
        model = StatementLine
        fields = [
            "id",
            "statement",
            "branch",
            "paid_on",
            "document_number",
            "amount_rub",
            "payer_name",
            "payer_inn",
            "purpose",
            "status",
            "invoice_number",
            "application_id",
            "note",
            "resolved_at",
        ]
        read_only_fields = fields


class StatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("1CClientBankExchange text (Windows-1251) or CSV, up to 10 MB."))
    branch = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.all(),
        required=False,
        allow_null=True,
        help_text=_(
            "The branch whose invoices the statement pays (engineers: one of theirs; empty: every branch)."
        ),
    )


class ImportResultSerializer(serializers.Serializer):
    statement = serializers.IntegerField(
        allow_null=True, help_text=_("Null when nothing new was in the file.")
    )
    new_lines = serializers.IntegerField()
    matched = serializers.IntegerField(help_text=_("Payments recorded (the contract concluded)."))
    needs_attention = serializers.IntegerField(help_text=_("Lines waiting for a person."))
    already_imported = serializers.IntegerField(help_text=_("Payments seen in an earlier statement."))
    outgoing = serializers.IntegerField(
        help_text=_("Documents that are not payments to the grid organisation.")
    )
    lines = StatementLineSerializer(many=True)


class LineMatchSerializer(serializers.Serializer):
    invoice_number = serializers.CharField(max_length=40)


class LineRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)


class IsStatementStaff(permissions.BasePermission):
    message = _("Only the grid organisation's staff import bank statements.")

    def has_permission(self, request, view) -> bool:
        return selectors.may_import_statements(request.user)


@extend_schema(tags=["bank statements"])
@extend_schema_view(
    list=extend_schema(
        summary="Bank statement lines",
        description=(
            "Payments of the imported statements of the caller's branches (all for supervisors), newest statement "
            "first; `?waiting=1`: only those waiting for a person (partial, overpaid, unmatched). Branch staff only."
        ),
    ),
    retrieve=extend_schema(summary="A bank statement line"),
)
class StatementLineViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Lines of the bank statements of the caller's branches (all for supervisors)."""

    serializer_class = StatementLineSerializer
    permission_classes = [permissions.IsAuthenticated, IsStatementStaff]
    filter_backends: list = []
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        lines = selectors.visible_statement_lines(self.request.user)
        if self.request.query_params.get("waiting") in ("1", "true"):
            lines = lines.filter(status__in=StatementLine.OPEN_STATUSES)
        return lines

    @extend_schema(
        summary="Import a bank statement",
        description=(
            "Reads a 1CClientBankExchange or CSV statement. A payment whose purpose names an application with an "
            "open invoice, of the same amount and (when known) from the applicant's INN is recorded at once "
            "(`record_payment` by the portal, the line as evidence); the others are listed for a person. A "
            "payment seen before is not recorded again. 400 names the line and key of a file it cannot read; "
            "403 for a branch outside the caller's."
        ),
        request={"multipart/form-data": StatementUploadSerializer},
        responses={201: ImportResultSerializer},
    )
    @action(detail=False, methods=["post"], url_path="import", parser_classes=[StrictMultiPartParser])
    def import_statement(self, request):
        upload = StatementUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        result = payments.import_statement(
            content=file.read(),
            file_name=file.name,
            user=request.user,
            branch=upload.validated_data.get("branch"),
        )
        data = ImportResultSerializer(
            {
                "statement": result.statement.pk if result.statement else None,
                "new_lines": result.new_lines,
                "matched": result.matched,
                "needs_attention": result.needs_attention,
                "already_imported": result.already_imported,
                "outgoing": result.outgoing,
                "lines": result.lines,
            }
        ).data
        return Response(data, status=201)

    @extend_schema(
        summary="Match a waiting line to an invoice",
        description="Records the payment under the caller's name (their branch only; 400 when the amount is short).",
        request=LineMatchSerializer,
        responses={200: StatementLineSerializer},
    )
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        body = LineMatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = payments.match_line(
            user=request.user, line_id=int(pk), invoice_number=body.validated_data["invoice_number"]
        )
        return Response(StatementLineSerializer(line).data)

    @extend_schema(
        summary="Set a waiting line aside",
        description="Not a payment for connection (or returned to the payer): recorded with the reason.",
        request=LineRejectSerializer,
        responses={200: StatementLineSerializer},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        body = LineRejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        line = payments.reject_line(user=request.user, line_id=int(pk), reason=body.validated_data["reason"])
        return Response(StatementLineSerializer(line).data)


class GridWorksSerializer(serializers.Serializer):
    done_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("The day the measures were completed (default today).")
    )
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
