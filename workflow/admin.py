"""Admin of the calendar overrides and the rulebook.

Calendar days are edited freely (a new decree is entered the day it is published). Rulebook
versions in effect are shown read-only; changes are a new draft version, added with all values or
made by the action "copy as a new version", with an effective date in the future.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflow import rulebook
from workflow.models import CalendarDay, Notification, RulebookVersion, RuleValue, TransitionLog, local_today


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "kind", "note", "source", "updated_at"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["note", "source"]
    readonly_fields = ["created_at", "updated_at"]
    fields = ["date", "kind", "note", "source", "created_at", "updated_at"]

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return date_format(obj.date, "D")


def _without_bulk_delete(actions: dict) -> dict:
    # A bulk delete would meet versions in effect, which pre_delete refuses with an error page;
    # drafts are deleted one by one from their own page.
    actions.pop("delete_selected", None)
    return actions


class RuleValueForm(forms.ModelForm):
    key = forms.ChoiceField(label=_("key"), choices=[(key, key) for key in rulebook.RULE_KEYS])

    class Meta:
        model = RuleValue
        fields = ["key", "value", "confidence", "source_note"]
        widgets = {"source_note": forms.Textarea(attrs={"rows": 2, "cols": 48})}

    def has_changed(self) -> bool:
        # A prefilled row of a new version is saved even when the administrator keeps its value.
        return bool(self.instance.pk is None and self.initial.get("key")) or super().has_changed()


class RuleValueFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        keys: list[str] = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            if form.cleaned_data.get("key"):
                keys.append(form.cleaned_data["key"])
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        missing = [key for key in rulebook.RULE_KEYS if key not in keys]
        if duplicates:
            raise ValidationError(
                gettext("Each key once; given more than once: %(keys)s.") % {"keys": ", ".join(duplicates)}
            )
        if missing:
            raise ValidationError(
                gettext("A version needs a value for every key; missing: %(keys)s.")
                % {"keys": ", ".join(missing)}
            )


class RuleValueInline(admin.TabularInline):
    model = RuleValue
    form = RuleValueForm
    formset = RuleValueFormSet
    fields = ["key", "value", "unit", "description", "confidence", "source_note"]
    readonly_fields = ["unit", "description"]
    extra = 0

    def get_extra(self, request, obj=None, **kwargs) -> int:
        return len(rulebook.RULE_KEYS) if obj is None else 0

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and not (obj and obj.is_locked())

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.is_locked())

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_locked())

    @admin.display(description=_("unit"))
    def unit(self, obj: RuleValue) -> str:
        return rulebook.Rules.unit(obj.key) if obj.key in rulebook.RULE_SPECS else ""

    @admin.display(description=_("meaning"))
    def description(self, obj: RuleValue) -> str:
        spec = rulebook.RULE_SPECS.get(obj.key)
        return str(spec.description) if spec else ""


@admin.register(RulebookVersion)
class RulebookVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "effective_from", "title", "status", "value_count", "created_at"]
    search_fields = ["code", "title", "source_note"]
    fields = ["code", "effective_from", "title", "source_note", "created_at", "updated_at"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [RuleValueInline]
    actions = ["copy_as_new_version"]

    def get_queryset(self, request):
        today = local_today()
        later_in_effect = RulebookVersion.objects.filter(
            effective_from__gt=OuterRef("effective_from"), effective_from__lte=today
        )
        return (
            super()
            .get_queryset(request)
            .annotate(value_count=Count("values"), superseded=Exists(later_in_effect))
        )

    def get_actions(self, request):
        return _without_bulk_delete(super().get_actions(request))

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, RuleValueInline) and obj.pk is None and request.method != "POST":
            kwargs["initial"] = _initial_values()
        return kwargs

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.is_locked())

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_locked())

    @admin.display(description=_("status"))
    def status(self, obj: RulebookVersion) -> str:
        if obj.effective_from > local_today():
            return gettext("Scheduled")
        return gettext("Superseded") if getattr(obj, "superseded", False) else gettext("Current")

    @admin.display(description=_("values"), ordering="value_count")
    def value_count(self, obj: RulebookVersion) -> int:
        return obj.value_count

    @admin.action(description=_("Copy as a new version"), permissions=["add"])
    def copy_as_new_version(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one version to copy."), messages.ERROR)
            return None
        draft = rulebook.copy_version(queryset.get())
        self.message_user(
            request,
            gettext("Draft version %(code)s created; check its effective date and values.")
            % {"code": draft.code},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:workflow_rulebookversion_change", args=[draft.pk]))


def _initial_values() -> list[dict[str, str]]:
    """One row per key, prefilled from the version in effect when there is one."""
    try:
        current = rulebook.get_rules()
    except rulebook.RulebookError:
        return [{"key": key} for key in rulebook.RULE_KEYS]
    return [
        {
            "key": key,
            "value": rulebook.format_value(key, getattr(current, key)),
            "confidence": current.confidence(key),
            "source_note": current.source(key),
        }
        for key in rulebook.RULE_KEYS
    ]


@admin.register(RuleValue)
class RuleValueAdmin(admin.ModelAdmin):
    """All values of all versions side by side; they are added and changed in their version."""

    list_display = ["key", "version", "value", "unit", "confidence", "source_note"]
    list_filter = ["version", "confidence", "key"]
    search_fields = ["key", "value", "source_note"]
    list_select_related = ["version"]
    form = RuleValueForm

    def get_actions(self, request):
        return _without_bulk_delete(super().get_actions(request))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.version.is_locked())

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.version.is_locked())

    @admin.display(description=_("unit"))
    def unit(self, obj: RuleValue) -> str:
        return rulebook.Rules.unit(obj.key) if obj.key in rulebook.RULE_SPECS else ""


@admin.register(TransitionLog)
class TransitionLogAdmin(admin.ModelAdmin):
    """History is evidence: visible to administrators, never added, changed or deleted here."""

    list_display = [
        "application",
        "transition",
        "from_state",
        "to_state",
        "actor",
        "actor_role",
        "created_at",
    ]
    list_filter = ["transition", "to_state", "actor_role"]
    search_fields = ["application__number", "comment"]
    date_hierarchy = "created_at"
    list_select_related = ["application", "actor"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at", "emailed_at"]
    list_filter = ["kind"]
    search_fields = ["subject", "recipient__email"]
    raw_id_fields = ["recipient", "application"]
    readonly_fields = ["created_at", "read_at", "emailed_at"]
