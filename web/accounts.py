"""Accounts: Django's auth views in the portal's templates; registration confirmed by e-mail; the
login limits' answers (429 with Retry-After) and the link that lifts an account's login lock."""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse, reverse_lazy
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from backend.users import login_guard
from backend.users.client_address import client_address
from backend.users.consent import current_text as current_consent_text
from backend.users.exceptions import RateLimited
from backend.users.models import User
from backend.users.services import confirm_registration, register_applicant, request_password_reset
from backend.users.tokens import activation_tokens, unlock_tokens
from web.console import is_console_user
from web.forms import LoginForm, RegisterForm, apply_errors


def too_many(response: HttpResponse, *, retry_after: int) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(retry_after)
    return response


def too_many_message(retry_after: int) -> str:
    return _("Too many requests from your address. Try again in %(minutes)s min.") % {
        "minutes": math.ceil(retry_after / 60)
    }


def _user_from_link(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk).first()


@sensitive_post_parameters("password1", "password2")
def register(request):
    if request.user.is_authenticated:
        return redirect("web:applications")
    consent_text = current_consent_text()
    form = RegisterForm(
        request.POST or None, initial={"consent_version": consent_text.version if consent_text else ""}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            register_applicant(
                email=data["email"],
                password=data["password1"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                middle_name=data["middle_name"],
                phone=data["phone"],
                client_address=client_address(request),
                base_url=login_guard.site_url(request),
                consent=data["consent"],
            )
        except ValidationError as error:
            apply_errors(form, error, aliases={"password": "password1"})
        except RateLimited as error:
            form.add_error(None, too_many_message(error.retry_after))
            response = render(
                request, "web/accounts/register.html", {"form": form, "consent_text": consent_text}
            )
            return too_many(response, retry_after=error.retry_after)
        else:
            return redirect("web:register_done")
    return render(request, "web/accounts/register.html", {"form": form, "consent_text": consent_text})


def register_done(request):
    return render(request, "web/accounts/register_done.html")


def activate(request, uidb64: str, token: str):
    user = _user_from_link(uidb64)
    if user is not None and activation_tokens.check_token(user, token):
        confirm_registration(user=user)
        messages.success(request, _("Your e-mail address is confirmed. Log in with your password."))
        return redirect("web:login")
    return render(request, "web/accounts/link_invalid.html", status=404)


@require_http_methods(["GET", "POST"])
def unlock(request, uidb64: str, token: str):
    """The link e-mailed when the account's logins were paused: it lifts the pause and trusts this browser."""
    user = _user_from_link(uidb64)
    if user is None or not unlock_tokens.check_token(user, token):
        return render(request, "web/accounts/link_invalid.html", status=404)
    if request.method == "POST":
        login_guard.clear_failures(user=user)
        messages.success(request, _("Logins to your account are open again. Log in with your password."))
        return login_guard.remember_device(redirect("web:login"), user=user)
    return render(request, "web/accounts/unlock.html")


class LoginView(auth_views.LoginView):
    """Staff land on their work queue, applicants on their applications (unless `next` says). A
    browser that logs in becomes one of the account's trusted ones (see backend.users.login_guard)."""

    def form_valid(self, form):
        return login_guard.remember_device(super().form_valid(form), user=form.get_user())

    def form_invalid(self, form):
        response = super().form_invalid(form)
        retry_after = login_guard.refusal_seconds(self.request)
        return too_many(response, retry_after=retry_after) if retry_after else response

    def get_default_redirect_url(self):
        if is_console_user(self.request.user):
            return reverse("web:console")
        return super().get_default_redirect_url()


class PasswordResetView(auth_views.PasswordResetView):
    """The link is e-mailed by the worker; requests are limited per address and per account, and the
    answer is the same whether the address has an account or not."""

    def form_valid(self, form):
        try:
            request_password_reset(
                email=form.cleaned_data["email"],
                client_address=client_address(self.request),
                base_url=login_guard.site_url(self.request),
            )
        except RateLimited as error:
            form.add_error(None, too_many_message(error.retry_after))
            return too_many(self.form_invalid(form), retry_after=error.retry_after)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        login_guard.clear_failures(user=form.user)  # the owner proved themselves: lift a login lock
        return response


urlpatterns = [
    path(
        "login/",
        LoginView.as_view(
            template_name="web/accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", register, name="register"),
    path("register/sent/", register_done, name="register_done"),
    path("activate/<uidb64>/<token>/", activate, name="activate"),
    path("unlock/<uidb64>/<token>/", unlock, name="unlock"),
    path(
        "password-reset/",
        PasswordResetView.as_view(
            template_name="web/accounts/password_reset.html",
            success_url=reverse_lazy("web:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="web/accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(
            template_name="web/accounts/password_reset_confirm.html",
            success_url=reverse_lazy("web:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="web/accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
