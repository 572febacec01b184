"""The grid organisation's part of the works, recorded by the branch's staff from the
application's page (connection.works)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backend.exceptions import DomainError
from connection import selectors, works
from web.tracking import page_url, render_application


class GridWorksForm(forms.Form):
    done_on = forms.DateField(
        label=gettext_lazy("Completed on"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)


@login_required
def record_grid_works(request, pk: int):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    application = get_object_or_404(selectors.visible_requests(request.user), pk=pk)
    form = GridWorksForm(request.POST)
    if form.is_valid():
        try:
            works.record_grid_works_done(
                application=application,
                user=request.user,
                done_on=form.cleaned_data["done_on"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect(page_url(application, request.user))
        else:
            messages.success(request, _("Recorded: the grid organisation's measures are done."))
            return redirect(page_url(application, request.user) + "#works")
    return render_application(request, application, status=400, works_form=form)
