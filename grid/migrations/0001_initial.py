"""The grid models moved here from the connection app: the state only. Their tables keep the
names they had (connection_*), so an existing database upgrades in place without copying rows;
connection's migration 0010 removes them from connection's state."""

import django.core.validators
import django.db.models.deletion
import django.db.models.expressions
from decimal import Decimal
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('connection', '0009_technical_conditions_and_load_calculations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Branch',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=32, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('is_default', models.BooleanField(default=False, help_text='Receives applications that fall outside every territory, flagged for the supervisor.', verbose_name='default branch')),
                    ],
                    options={
                        'verbose_name': 'branch',
                        'verbose_name_plural': 'branches',
                        'ordering': ['name'],
                        'db_table': 'connection_branch',
                        'constraints': [models.UniqueConstraint(condition=models.Q(('is_default', True)), fields=('is_default',), name='connection_one_default_branch')],
                    },
                ),
                migrations.CreateModel(
                    name='Territory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('settlement_kind', models.CharField(choices=[('urban', 'Urban (town, urban-type settlement)'), ('rural', 'Rural')], max_length=8, verbose_name='settlement kind')),
                        ('boundary_wkt', models.TextField(verbose_name='boundary (WKT, WGS84)')),
                        ('min_lon', models.FloatField(editable=False)),
                        ('min_lat', models.FloatField(editable=False)),
                        ('max_lon', models.FloatField(editable=False)),
                        ('max_lat', models.FloatField(editable=False)),
                        ('priority', models.SmallIntegerField(default=0, help_text='Where territories overlap (a town inside a district), the higher wins.', verbose_name='priority')),
                        ('source', models.CharField(blank=True, max_length=300, verbose_name='source')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('branch', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='territories', to='grid.branch', verbose_name='branch')),
                    ],
                    options={
                        'verbose_name': 'territory',
                        'verbose_name_plural': 'territories',
                        'ordering': ['-priority', 'name'],
                        'db_table': 'connection_territory',
                    },
                ),
                migrations.CreateModel(
                    name='GridAsset',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('supply_centre', 'Supply-centre substation 35–110 kV'), ('transformer_substation', 'Transformer substation 6–10/0.4 kV'), ('distribution_point', 'Distribution point'), ('line_support', 'Line support')], max_length=24, verbose_name='kind')),
                        ('name', models.CharField(blank=True, max_length=200, verbose_name='name')),
                        ('dispatch_number', models.CharField(blank=True, max_length=50, verbose_name='dispatch number')),
                        ('external_id', models.CharField(help_text='Identifier in the source data; imports update the asset with the same one.', max_length=100, unique=True, verbose_name='external id')),
                        ('latitude', models.DecimalField(decimal_places=6, max_digits=9, validators=[django.core.validators.MinValueValidator(Decimal('-90')), django.core.validators.MaxValueValidator(Decimal('90'))], verbose_name='latitude')),
                        ('longitude', models.DecimalField(decimal_places=6, max_digits=9, validators=[django.core.validators.MinValueValidator(Decimal('-180')), django.core.validators.MaxValueValidator(Decimal('180'))], verbose_name='longitude')),
                        ('source', models.CharField(choices=[('real', 'Real (from a register or open data)'), ('generated', 'Generated for the demonstration')], default='real', max_length=10, verbose_name='source')),
                        ('source_note', models.CharField(blank=True, max_length=500, verbose_name='source note')),
                        ('data_date', models.DateField(blank=True, null=True, verbose_name='data date')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('branch', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='grid_assets', to='grid.branch', verbose_name='branch')),
                    ],
                    options={
                        'verbose_name': 'grid asset',
                        'verbose_name_plural': 'grid assets',
                        'ordering': ['name', 'id'],
                        'db_table': 'connection_gridasset',
                        'indexes': [models.Index(fields=['latitude', 'longitude'], name='connection__latitud_b06acb_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='AssetCapacity',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('voltage_kv', models.DecimalField(decimal_places=2, max_digits=6, validators=[django.core.validators.MinValueValidator(Decimal('0.01'))], verbose_name='voltage, kV')),
                        ('installed_kw', models.DecimalField(decimal_places=2, max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='installed capacity, kW')),
                        ('reserved_kw', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=12, validators=[django.core.validators.MinValueValidator(Decimal('0'))], verbose_name='reserved capacity, kW')),
                        ('free_kw', models.GeneratedField(db_persist=True, expression=django.db.models.expressions.CombinedExpression(models.F('installed_kw'), '-', models.F('reserved_kw')), output_field=models.DecimalField(decimal_places=2, max_digits=12), verbose_name='free capacity, kW')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('asset', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='capacities', to='grid.gridasset', verbose_name='grid asset')),
                    ],
                    options={
                        'verbose_name': 'capacity of a voltage level',
                        'verbose_name_plural': 'capacities of voltage levels',
                        'ordering': ['asset', '-voltage_kv'],
                        'db_table': 'connection_assetcapacity',
                        'constraints': [models.UniqueConstraint(fields=('asset', 'voltage_kv'), name='connection_capacity_asset_voltage'), models.CheckConstraint(condition=models.Q(('reserved_kw__gte', 0), ('reserved_kw__lte', models.F('installed_kw'))), name='connection_capacity_reserved_within_installed')],
                    },
                ),
            ],
        ),
    ]
