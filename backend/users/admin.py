from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from backend.users import services
from backend.users.models import ApiToken, Consent, ConsentText, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "last_name", "first_name", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active", "branches"]
    search_fields = ["email", "last_name", "first_name", "phone"]
    filter_horizontal = ["groups", "user_permissions", "branches"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "middle_name", "phone")}),
        (_("Roles and branches"), {"fields": ("groups", "branches")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "user__email", "name"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "digest",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # tokens are issued through the API, which shows the secret once

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            services.revoke_token(token=token)
        self.message_user(request, _("Tokens revoked."), messages.SUCCESS)


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """New versions are added; a published text that people agreed to is never edited."""

    list_display = ["version", "published_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.consents.exists():
            return ["version", "text", "text_en", "published_at"]
        return []


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["user", "text", "purpose", "given_at"]
    list_filter = ["purpose", "text"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "text", "purpose", "given_at"]

    def has_add_permission(self, request):
        return False
