"""Give every rulebook version already in the database the keys of consumers' reports (answer
term, incident radius and window) that it lacks, from the shipped rulebook file. A fresh database
gets them from workflow's seed migration, which reads the same file."""

from django.db import migrations

KEYS = ("report_answer_wd", "incident_radius_m", "incident_window_hours")


def add_report_keys(apps, schema_editor):
    from workflow.seeding import read_rulebook_file, rulebook_files

    RulebookVersion = apps.get_model("workflow", "RulebookVersion")
    RuleValue = apps.get_model("workflow", "RuleValue")
    shipped = {}
    for path in rulebook_files():
        for item in read_rulebook_file(path).values:
            if item.key in KEYS:
                shipped[item.key] = item
    for version in RulebookVersion.objects.all():
        present = set(version.values.filter(key__in=KEYS).values_list("key", flat=True))
        RuleValue.objects.bulk_create(
            RuleValue(
                version=version,
                key=key,
                value=shipped[key].value,
                confidence=shipped[key].confidence,
                source_note=shipped[key].source_note,
            )
            for key in KEYS
            if key not in present and key in shipped
        )


class Migration(migrations.Migration):
    dependencies = [("appeals", "0001_initial"), ("workflow", "0003_seed_rulebook")]

    operations = [migrations.RunPython(add_report_keys, migrations.RunPython.noop)]
