"""Administrators manage integration clients, their keys (the key is shown once, when issued) and
the authorities applicants gave them; every write goes through integration.services."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from integration import selectors, services
from integration.models import (
    MAX_ACTIVE_KEYS,
    Authority,
    ClientKey,
    DeliveryAttempt,
    IntegrationClient,
    WebhookDelivery,
    WebhookSubscription,
)
from integration.scopes import Scope


class ScopesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=Scope.choices, **kwargs)


class ClientKeyInline(admin.TabularInline):
    model = ClientKey
    fields = ["prefix", "name", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # issued from the key's own form, which shows the key once


@admin.register(IntegrationClient)
class IntegrationClientAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "contact_email", "rate_limit", "is_active", "created_at"]
    search_fields = ["name", "organisation", "contact_email"]
    list_filter = ["is_active"]
    inlines = [ClientKeyInline]
    filter_horizontal = ["members"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_client(
            name=obj.name,
            organisation=obj.organisation,
            contact_email=obj.contact_email,
            rate_limit=obj.rate_limit,
        )
        obj.pk, obj.user_id = created.pk, created.user_id


class ClientKeyForm(forms.ModelForm):
    scopes = ScopesField(label=_("scopes"))
    expires_at = forms.DateTimeField(label=_("expires at"), required=False)

    class Meta:
        model = ClientKey
        fields = ["client", "name", "scopes", "expires_at"]

    def clean(self):
        data = super().clean()
        client = data.get("client")
        if client is not None and selectors.active_key_count(client) >= MAX_ACTIVE_KEYS:
            raise ValidationError(
                _("A client has at most %(count)s active keys; revoke the old one first.")
                % {"count": MAX_ACTIVE_KEYS}
            )
        return data


@admin.register(ClientKey)
class ClientKeyAdmin(admin.ModelAdmin):
    form = ClientKeyForm
    list_display = ["prefix", "client", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["client", "revoked_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "client",
            "name",
            "prefix",
            "scopes",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
        ]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return
        issued = services.issue_key(
            client=form.cleaned_data["client"],
            scopes=form.cleaned_data["scopes"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
        )
        obj.pk = issued.key.pk
        self.message_user(
            request,
            _("The new key (shown only now; copy it): %(key)s") % {"key": issued.raw},
            messages.WARNING,
        )

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for key in queryset:
            services.revoke_key(key=key)
        self.message_user(request, _("Keys revoked."), messages.SUCCESS)


class AuthorityForm(forms.ModelForm):
    scopes = ScopesField(label=_("scopes"))

    class Meta:
        model = Authority
        fields = ["client", "applicant", "scopes", "valid_until", "document"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    form = AuthorityForm
    list_display = ["client", "applicant", "valid_until", "document", "granted_at", "revoked_at"]
    list_filter = ["client", "revoked_at"]
    search_fields = ["applicant__email", "document", "client__name"]
    autocomplete_fields = ["applicant"]
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        authority = services.grant_authority(
            client=form.cleaned_data["client"],
            applicant=form.cleaned_data["applicant"],
            scopes=form.cleaned_data["scopes"],
            valid_until=form.cleaned_data["valid_until"],
            document=form.cleaned_data["document"],
        )
        obj.pk = authority.pk

    @admin.action(description=_("Revoke the selected authorities"))
    def revoke(self, request, queryset):
        for authority in queryset:
            services.revoke_authority(authority=authority)
        self.message_user(request, _("Authorities revoked."), messages.SUCCESS)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    fields = ["attempted_at", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["client", "url", "is_active", "disabled_at", "created_at"]
    list_filter = ["client", "is_active"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "subscription", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status", "subscription__client"]
    inlines = [DeliveryAttemptInline]
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]
