from rest_framework import serializers

from workflow.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    application_number = serializers.CharField(source="application.number", read_only=True, default=None)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "application",
            "application_number",
            "subject",
            "body",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class ReadCountSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
