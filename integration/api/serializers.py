from __future__ import annotations

from rest_framework import serializers

from backend.events.models import Event, EventKind
from integration.models import Authority


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
