"""Serializers that build their fields once per class for output.

DRF builds a serializer's fields anew for every instance (a ModelSerializer from the model's
metadata, every declared field by deep copy), and a response serializes through them once: for a
detail of 40 fields that construction cost more than the representation itself. Output needs no
per-instance fields: the fields' `to_representation` depends only on their own arguments. So the
fields of a prototype instance are kept per class and reused; method fields still run on the live
serializer (they may read its context), and nested serializers use their own kept fields.

Input (`data=…`, validation) is untouched: it goes through DRF's per-instance fields as before.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject


def _has_method_fields(serializer: serializers.BaseSerializer) -> bool:
    if isinstance(serializer, serializers.ListSerializer):
        return _has_method_fields(serializer.child)
    for field in serializer.fields.values():
        if isinstance(field, serializers.SerializerMethodField):
            return True
        if isinstance(field, serializers.BaseSerializer) and _has_method_fields(field):
            return True
    return False


class FieldsBuiltOnceMixin:
    # No docstring: drf-spectacular would show it as the description of every serializer mixing it in.
    # Mix into a Serializer or ModelSerializer whose output fields depend on nothing but the class
    # (no `get_fields` that reads the request or the instance). Its nested serializers must have no
    # method fields (they would run with the kept prototype's context); that is checked.

    @classmethod
    def _output_plan(cls) -> list[tuple[str, serializers.Field, str | None]]:
        plan = cls.__dict__.get("_kept_output_plan")
        if plan is None:
            prototype = cls(context={})
            plan = []
            for field in prototype.fields.values():
                if field.write_only:
                    continue
                if isinstance(field, serializers.BaseSerializer) and _has_method_fields(field):
                    raise ImproperlyConfigured(
                        f"{cls.__name__}.{field.field_name}: a nested serializer with method fields "
                        "cannot be kept per class."
                    )
                method = field.method_name if isinstance(field, serializers.SerializerMethodField) else None
                plan.append((field.field_name, field, method))
            cls._kept_output_plan = plan  # a race only builds it twice
        return plan

    def to_representation(self, instance) -> dict[str, Any]:
        # As Serializer.to_representation, over the kept fields.
        ret: dict[str, Any] = {}
        for name, field, method in self._output_plan():
            if method is not None:
                ret[name] = getattr(self, method)(instance)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret
