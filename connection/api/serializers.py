from rest_framework import serializers

from connection.models import Branch


class BranchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Branch
        fields = ["id", "code", "name", "is_default"]
        read_only_fields = fields
