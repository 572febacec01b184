"""The applicant's page of the integration clients they authorised, where they revoke authority."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from integration import selectors, services
from integration.scopes import Scope


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
