"""Seed the rulebook from workflow/data/rulebook-*.yaml when no version exists yet.

Later versions are shipped as files and loaded with `manage.py load_rulebook FILE`.
"""

from django.db import migrations


def seed_rulebook(apps, schema_editor):
    from workflow.seeding import read_rulebook_file, rulebook_files

    RulebookVersion = apps.get_model("workflow", "RulebookVersion")
    RuleValue = apps.get_model("workflow", "RuleValue")
    if RulebookVersion.objects.exists():
        return
    for path in rulebook_files():
        data = read_rulebook_file(path)
        version = RulebookVersion.objects.create(
            code=data.code, effective_from=data.effective_from, title=data.title, source_note=data.source_note
        )
        RuleValue.objects.bulk_create(
            RuleValue(
                version=version, key=item.key, value=item.value, confidence=item.confidence,
                source_note=item.source_note,
            )
            for item in data.values
        )


class Migration(migrations.Migration):
    dependencies = [("workflow", "0002_seed_calendar")]

    # Reversing leaves the versions: applications may already refer to them.
    operations = [migrations.RunPython(seed_rulebook, migrations.RunPython.noop)]
