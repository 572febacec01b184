"""Seed the calendar overrides from workflow/data/ru-production-calendar-2024-2027.csv, read now."""

from django.db import migrations


def seed_calendar(apps, schema_editor):
    from workflow.seeding import CALENDAR_FILE, read_calendar_csv

    CalendarDay = apps.get_model("workflow", "CalendarDay")
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(date=row.day, kind=row.kind, note=row.note, source=row.source)
        for row in read_calendar_csv(CALENDAR_FILE)
        if row.day not in existing
    )


def unseed_calendar(apps, schema_editor):
    from workflow.seeding import CALENDAR_FILE, read_calendar_csv

    CalendarDay = apps.get_model("workflow", "CalendarDay")
    rows = read_calendar_csv(CALENDAR_FILE)
    CalendarDay.objects.filter(date__in=[row.day for row in rows], source__in={row.source for row in rows}).delete()


class Migration(migrations.Migration):
    dependencies = [("workflow", "0001_initial")]

    operations = [migrations.RunPython(seed_calendar, unseed_calendar)]
