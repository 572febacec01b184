"""Bank statements for branch staff: upload a statement (1CClientBankExchange or CSV), see what it
recorded, and match or reject the payments that wait for a person. Engineers work with their
branches' statements only; supervisors and administrators with all."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.exceptions import DomainError, ObjectMissing
from connection import payments, selectors
from connection.bank_statements import MAX_STATEMENT_BYTES
from connection.models import StatementLine
from grid.models import Branch


class StatementForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bank statement"),
        help_text=gettext_lazy("1CClientBankExchange text file (kl_to_1c.txt) or CSV, up to 10 MB."),
    )
    branch = forms.ModelChoiceField(
        label=gettext_lazy("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=gettext_lazy("All branches"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = selectors.statement_branches(user)
        field = self.fields["branch"]
        field.queryset = Branch.objects.all() if allowed is None else allowed
        if allowed is not None:
            field.required = True
            field.empty_label = None

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise ValidationError(_("The file is larger than 10 MB."), code="too_large")
        return upload


def _page(request, form, *, status=200, line_errors=None):
    lines = selectors.visible_statement_lines(request.user)
    waiting = list(lines.filter(status__in=StatementLine.OPEN_STATUSES))
    for line in waiting:
        line.errors = (line_errors or {}).get(line.pk, [])
    context = {
        "form": form,
        "waiting": waiting,
        "recent": lines.exclude(status__in=StatementLine.OPEN_STATUSES)[:50],
    }
    return render(request, "web/console/statements.html", context, status=status)


def _staff(request) -> None:
    if not selectors.may_import_statements(request.user):
        raise PermissionDenied


@login_required
def statements(request):
    _staff(request)
    if request.method == "POST":
        form = StatementForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = payments.import_statement(
                    content=upload.read(),
                    file_name=upload.name,
                    user=request.user,
                    branch=form.cleaned_data["branch"],
                )
            except DomainError as error:
                form.add_error("file", str(error.message))
            else:
                messages.success(
                    request,
                    _(
                        "Statement imported: %(new)s new payment(s), %(matched)s recorded, %(waiting)s waiting "
                        "for a person, %(before)s imported before."
                    )
                    % {
                        "new": result.new_lines,
                        "matched": result.matched,
                        "waiting": result.needs_attention,
                        "before": result.already_imported,
                    },
                )
                return redirect("web:statements")
        return _page(request, form, status=400)
    return _page(request, StatementForm(user=request.user))


@login_required
def resolve_line(request, pk: int, action: str):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    _staff(request)
    try:
        if action == "match":
            line = payments.match_line(
                user=request.user, line_id=pk, invoice_number=request.POST.get("invoice_number", "")
            )
            messages.success(
                request,
                _("The payment is recorded for invoice %(number)s.") % {"number": line.invoice.number},
            )
        elif action == "reject":
            payments.reject_line(user=request.user, line_id=pk, reason=request.POST.get("reason", ""))
            messages.success(request, _("The payment is set aside."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        problems = error.messages
        return _page(request, StatementForm(user=request.user), status=400, line_errors={pk: problems})
    except ObjectMissing as error:
        raise Http404(str(error.message)) from error
    except DomainError as error:
        messages.error(request, str(error.message))
    return redirect(reverse("web:statements") + f"#line-{pk}")
