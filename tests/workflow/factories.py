"""Factories of the workflow's models."""

from __future__ import annotations

from datetime import date

import factory

from workflow.models import CalendarDay, DayKind, RulebookVersion, RuleValue


class CalendarDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalendarDay

    date = date(2026, 6, 15)
    kind = DayKind.NON_WORKING
    note = "Тестовый день"
    source = "test"


def version_with(effective_from: date, *, code: str | None = None, **changes: str) -> RulebookVersion:
    """A complete version: the seeded values with `changes` (key → text value) applied."""
    seed = RulebookVersion.objects.get(code="2022-07")
    version = RulebookVersion.objects.create(
        code=code or effective_from.isoformat(), effective_from=effective_from, title="test version"
    )
    for row in seed.values.all():
        RuleValue.objects.create(
            version=version,
            key=row.key,
            value=changes.get(row.key, row.value),
            confidence=row.confidence,
            source_note="test: " + row.source_note if row.key in changes else row.source_note,
        )
    return version
