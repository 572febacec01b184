"""Branches, territories, grid assets and their capacity now belong to the grid app (grid 0001).

Nothing changes in the database: the tables keep their names, the foreign keys keep their
columns and constraints. In the state, connection's references point to the grid models and the
old models are removed; Reservation.request is renamed `application` on the same column. The
content types of the moved models are relabelled, so permissions given to groups and users
(and admin log entries) stay attached to them.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ["branch", "territory", "gridasset", "assetcapacity"]


def relabel_content_types(apps, schema_editor, old="connection", new="grid"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if ContentType.objects.filter(app_label=new, model=model).exists():
            continue  # already created for the new label (e.g. by a post_migrate): keep it
        ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def restore_content_types(apps, schema_editor):
    relabel_content_types(apps, schema_editor, old="grid", new="connection")


class Migration(migrations.Migration):

    dependencies = [
        ('connection', '0009_technical_conditions_and_load_calculations'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('grid', '0001_initial'),
        ('users', '0004_branches_in_grid'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='connectionrequest',
                    name='branch',
                    field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='connection_requests', to='grid.branch', verbose_name='branch'),
                ),
                migrations.AlterField(
                    model_name='connectionrequest',
                    name='territory',
                    field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='grid.territory', verbose_name='territory'),
                ),
                migrations.AlterField(
                    model_name='connectionrequest',
                    name='preferred_connection_point',
                    field=models.ForeignKey(blank=True, help_text='Where several points are near, the applicant may choose; the offer reserves there by default.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='grid.assetcapacity', verbose_name='connection point chosen by the applicant'),
                ),
                migrations.AlterField(
                    model_name='message',
                    name='branch',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='grid.branch', verbose_name='branch'),
                ),
                migrations.AlterField(
                    model_name='technicalconditions',
                    name='connection_capacity',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='grid.assetcapacity', verbose_name='connection point of the register'),
                ),
                migrations.AlterField(
                    model_name='reservation',
                    name='capacity',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reservations', to='grid.assetcapacity', verbose_name='connection point'),
                ),
                migrations.RemoveConstraint(
                    model_name='reservation',
                    name='connection_one_active_reservation_per_request',
                ),
                migrations.RenameField(
                    model_name='reservation',
                    old_name='request',
                    new_name='application',
                ),
                migrations.AlterField(
                    model_name='reservation',
                    name='application',
                    field=models.ForeignKey(db_column='request_id', on_delete=django.db.models.deletion.PROTECT, related_name='reservations', to='connection.connectionrequest', verbose_name='connection request'),
                ),
                migrations.AddConstraint(
                    model_name='reservation',
                    constraint=models.UniqueConstraint(condition=models.Q(('released_at__isnull', True)), fields=('application',), name='connection_one_active_reservation_per_request'),
                ),
                migrations.DeleteModel(name='AssetCapacity'),
                migrations.DeleteModel(name='GridAsset'),
                migrations.DeleteModel(name='Territory'),
                migrations.DeleteModel(name='Branch'),
            ],
        ),
        migrations.RunPython(relabel_content_types, restore_content_types),
    ]
