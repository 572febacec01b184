"""Branch moved to the grid app (same table): point the M2M there, in the state only."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('users', '0003_user_language'),
        ('grid', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name='user',
                    name='branches',
                    field=models.ManyToManyField(blank=True, help_text='Branches (РЭС) an engineer works in.', related_name='staff', to='grid.branch', verbose_name='branches'),
                ),
            ],
        ),
    ]
