from __future__ import annotations

from rest_framework import serializers

from backend.events.models import Event, EventKind
from integration.models import Authority, DeliveryAttempt, WebhookDelivery, WebhookSubscription
from integration.scopes import Scope
from workflow.machine import Party
from workflow.states import State


class EventSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(read_only=True, help_text="Unique id of the event: deduplicate by it.")
    cursor = serializers.IntegerField(
        source="position", read_only=True, help_text="Pass as `after` to read the events after this one."
    )
    kind = serializers.ChoiceField(choices=EventKind.choices, read_only=True)
    application_id = serializers.IntegerField(allow_null=True, read_only=True)
    via = serializers.CharField(
        read_only=True, help_text="The integration client that caused the event; empty otherwise."
    )
    payload = serializers.JSONField(read_only=True)

    class Meta:
        model = Event
        fields = ["id", "cursor", "kind", "application_id", "created_at", "via", "payload"]


class EventPageSerializer(serializers.Serializer):
    events = EventSerializer(many=True)
    next_cursor = serializers.IntegerField(help_text="The `after` of the next call.")
    has_more = serializers.BooleanField(help_text="More events are ready now: call again at once.")


class EventQuerySerializer(serializers.Serializer):
    after = serializers.IntegerField(
        min_value=0, default=0, help_text="The cursor of the last event read (0: from the start)."
    )
    limit = serializers.IntegerField(min_value=1, max_value=1000, default=100)


class AuthoritySerializer(serializers.ModelSerializer):
    client = serializers.CharField(source="client.name", read_only=True)
    organisation = serializers.CharField(source="client.organisation", read_only=True)
    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = Authority
        fields = [
            "id",
            "client",
            "organisation",
            "scopes",
            "valid_until",
            "document",
            "granted_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = fields

    def get_is_active(self, authority: Authority) -> bool:
        return authority.is_active()


class WebhookSubscriptionSerializer(serializers.ModelSerializer):
    event_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=EventKind.choices), allow_empty=False, max_length=20
    )
    url = serializers.URLField(max_length=500)

    class Meta:
        model = WebhookSubscription
        fields = ["id", "url", "event_kinds", "is_active", "disabled_at", "created_at"]
        read_only_fields = ["id", "is_active", "disabled_at", "created_at"]


class NewWebhookSubscriptionSerializer(WebhookSubscriptionSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (hex), shown only in this answer: keep it to check signatures.",
    )

    class Meta(WebhookSubscriptionSerializer.Meta):
        fields = [*WebhookSubscriptionSerializer.Meta.fields, "secret"]


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.IntegerField(read_only=True)
    event_kind = serializers.CharField(source="event.kind", read_only=True)
    subscription_id = serializers.IntegerField(read_only=True)
    log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "subscription_id",
            "event_id",
            "event_kind",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "log",
        ]
        read_only_fields = fields


class AgentQuerySerializer(serializers.Serializer):
    state = serializers.ListField(
        child=serializers.ChoiceField(choices=State.choices), required=False, help_text="One or more states."
    )
    acting_party = serializers.ChoiceField(choices=Party.choices, required=False)
    # A choice, not a BooleanField: for query strings DRF reads a missing boolean as false.
    overdue = serializers.ChoiceField(
        choices=[("true", "true"), ("false", "false")], required=False, help_text="Past the due date or not."
    )
    due_before = serializers.DateField(required=False, help_text="Due on or before this day.")
    applicant = serializers.CharField(
        required=False, max_length=254, help_text="Part of the applicant's e-mail."
    )
    export = serializers.ChoiceField(
        choices=[("csv", "CSV for Excel"), ("jsonl", "JSON Lines")],
        required=False,
        help_text="Download all matching rows: `csv` (UTF-8 with BOM, `;`) or `jsonl`.",
    )

    def validate_overdue(self, value: str) -> bool:
        return value == "true"


class AgentApplicationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    state = serializers.ChoiceField(choices=State.choices)
    state_label = serializers.CharField()
    acting_party = serializers.ChoiceField(choices=Party.choices)
    acting_party_label = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    applicant_email = serializers.EmailField()
    object_address = serializers.CharField()
    requested_kw = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)


class CustomerInvitationSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    middle_name = serializers.CharField(max_length=150, required=False, default="", allow_blank=True)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices),
        allow_empty=False,
        max_length=len(Scope.values),
        help_text="What the customer authorises the client to do.",
    )
    valid_until = serializers.DateField(help_text="The last day of the authority.")
    document = serializers.CharField(
        max_length=300, help_text="The consent or power of attorney: its kind, number and date."
    )


class CustomerAuthoritySerializer(serializers.ModelSerializer):
    applicant_email = serializers.EmailField(source="applicant.email", read_only=True)
    scopes = serializers.ListField(child=serializers.CharField(), read_only=True)
    confirmed = serializers.SerializerMethodField(
        help_text="Whether the customer confirmed from the e-mailed link."
    )

    class Meta:
        model = Authority
        fields = ["id", "applicant_email", "scopes", "valid_until", "document", "granted_at", "confirmed"]
        read_only_fields = fields

    def get_confirmed(self, authority: Authority) -> bool:
        return authority.confirmed_at is not None
