"""Consent to the processing of personal data (152-ФЗ): the text in force and the record of a
person's consent to it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.users.models import Consent, ConsentText, User

CONSENT_FIELD = "personal_data_consent"


def current_text() -> ConsentText | None:
    """The version in force now (the latest published), or None before any is published."""
    return (
        ConsentText.objects.filter(published_at__lte=timezone.now()).order_by("-published_at", "-id").first()
    )


def check_consent(*, given: bool, version: str) -> ConsentText:
    """The text the person agreed to, if they agreed to the version in force; ValidationError on
    the consent field otherwise (not ticked, or the text changed since the page was shown)."""
    if not given:
        raise ValidationError(
            {CONSENT_FIELD: _("Give your consent to the processing of personal data.")},
            code="consent_required",
        )
    text = current_text()
    if text is None or text.version != version:
        raise ValidationError(
            {CONSENT_FIELD: _("The text of the consent has changed. Read it again and confirm.")},
            code="consent_outdated",
        )
    return text


@transaction.atomic
def record_consent(*, user: User, text: ConsentText, purpose: str) -> Consent:
    return Consent.objects.create(user=user, text=text, purpose=purpose)
