"""Serializers that build their fields once per class for output.

DRF builds a serializer's fields anew for every instance (a ModelSerializer from the model's
metadata, every declared field by deep copy), and a response serializes through them once: for a
detail of 40 fields that construction cost more than the representation itself. Output needs no
per-instance fields: the fields' `to_representation` depends only on their own arguments. So the
fields of a prototype instance are kept per class and reused; method fields still run on the live
serializer (they may read its context), and nested serializers use their own kept fields.

A field that reads a concrete column of the serializer's model by its own name, with DRF's generic
`get_attribute`, takes the value straight from the model instance's loaded values (what the
column's descriptor returns); a deferred column, or any other field, goes through DRF as before.

Input (`data=…`, validation) is untouched: it goes through DRF's per-instance fields as before.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models.query_utils import DeferredAttribute
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject

_NOT_LOADED = object()


def _column_name(model, field: serializers.Field) -> str | None:
    """The model column `field` reads as DRF would (generic get_attribute, source = one name of a
    concrete, non-relational model field), else None."""
    if model is None or type(field).get_attribute is not serializers.Field.get_attribute:
        return None
    if len(field.source_attrs) != 1:
        return None
    try:
        model_field = model._meta.get_field(field.source_attrs[0])
    except FieldDoesNotExist:
        return None
    if not model_field.concrete or model_field.is_relation or model_field.attname != model_field.name:
        return None
    # Only columns whose descriptor hands out the loaded value as it is (not a file, not a state
    # machine's protected field): then the loaded value is what reading the attribute gives.
    if type(getattr(model, model_field.attname, None)) is not DeferredAttribute:
        return None
    return model_field.attname


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
    def _output_plan(cls) -> list[tuple[str, serializers.Field, str | None, str | None]]:
        plan = cls.__dict__.get("_kept_output_plan")
        if plan is None:
            prototype = cls(context={})
            model = getattr(getattr(cls, "Meta", None), "model", None)
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
                plan.append((field.field_name, field, method, _column_name(model, field)))
            cls._kept_output_plan = plan  # a race only builds it twice
        return plan

    def to_representation(self, instance) -> dict[str, Any]:
        # As Serializer.to_representation, over the kept fields.
        ret: dict[str, Any] = {}
        model = getattr(getattr(type(self), "Meta", None), "model", None)
        loaded = instance.__dict__ if model is not None and isinstance(instance, model) else {}
        for name, field, method, column in self._output_plan():
            if method is not None:
                ret[name] = getattr(self, method)(instance)
                continue
            attribute = loaded.get(column, _NOT_LOADED) if column is not None else _NOT_LOADED
            if attribute is _NOT_LOADED:
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check_for_none is None else field.to_representation(attribute)
        return ret
