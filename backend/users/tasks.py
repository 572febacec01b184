"""E-mails to account owners, sent by the worker (in-process when no broker is configured).

The task gets the user's id, not a rendered message: the one-time links are made here, so no secret
travels through the broker, and the message is in the user's own language."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from backend.users.models import User
from backend.users.tokens import activation_tokens, unlock_tokens

# kind → the token its link carries
ACCOUNT_EMAILS = {
    "activation": activation_tokens,
    "password_reset": default_token_generator,
    "registration_attempt": default_token_generator,  # the owner gets a password-reset link
    "unlock": unlock_tokens,
}


@shared_task
def send_account_email(*, kind: str, user_id: int, base_url: str) -> bool:
    """E-mail the user the message of `kind` (templates users/email/<kind>.txt and _subject.txt)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    context = {
        "user": user,
        "base_url": base_url.rstrip("/"),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": ACCOUNT_EMAILS[kind].make_token(user),
    }
    with translation.override(user.language):
        subject = " ".join(render_to_string(f"users/email/{kind}_subject.txt", context).split())
        body = render_to_string(f"users/email/{kind}.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    return True
