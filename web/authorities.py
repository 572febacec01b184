"""The applicant's page of the integration clients they authorised, where they revoke authority."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend.exceptions import StateConflict
from connection import workflow_actions
from connection.models import ConnectionRequest
from integration import selectors, services
from integration.scopes import Scope
from workflow.exceptions import TransitionError
from workflow.states import State


@login_required
def authority_list(request):
    authorities = [
        {
            "authority": authority,
            "active": authority.is_active(),
            "scopes": [str(Scope(scope).label) for scope in authority.scopes if scope in Scope.values],
        }
        for authority in selectors.authorities_of(request.user)
    ]
    return render(request, "web/accounts/authorities.html", {"authorities": authorities})


@login_required
@require_POST
def revoke_authority(request, pk: int):
    authority = get_object_or_404(selectors.authorities_of(request.user), pk=pk)
    services.revoke_authority(authority=authority)
    messages.success(request, _("%(client)s may no longer act for you.") % {"client": authority.client.name})
    return redirect("web:authorities")


def confirm_authority(request, token: str):
    """The page of the link e-mailed to a customer an integration client applies for: confirm the
    authority and submit the drafts it prepared (the customer picks them). The link is the proof."""
    authority = services.authority_from_token(token)
    if authority is None:
        return render(request, "web/accounts/link_invalid.html", status=400)
    customer = authority.applicant
    drafts = list(
        ConnectionRequest.objects.filter(owner=customer, state=State.DRAFT).order_by("created_at", "id")
    )
    if request.method == "POST":
        chosen = set(request.POST.getlist("draft"))
        services.confirm_authority(authority=authority)
        for draft in drafts:
            if str(draft.pk) not in chosen:
                continue
            title = draft.object_name or draft.object_address or f"#{draft.pk}"
            try:
                submitted = workflow_actions.submit(application=draft, user=customer)
            except ValidationError as error:
                messages.error(
                    request,
                    _("%(title)s is not submitted: %(reason)s")
                    % {"title": title, "reason": " ".join(error.messages)},
                )
            except (TransitionError, StateConflict) as error:
                messages.error(
                    request,
                    _("%(title)s is not submitted: %(reason)s") % {"title": title, "reason": error.message},
                )
            else:
                messages.success(
                    request, _("Application %(number)s is submitted.") % {"number": submitted.number}
                )
        messages.success(request, _("%(client)s may now act for you.") % {"client": authority.client.name})
        return redirect("web:confirm_authority", token=token)
    return render(
        request,
        "web/accounts/confirm_authority.html",
        {
            "authority": authority,
            "scopes": [str(Scope(scope).label) for scope in authority.scopes if scope in Scope.values],
            "drafts": drafts,
            "needs_password": not customer.has_usable_password(),
        },
    )
