from django.core.management.base import BaseCommand, CommandError

from grid.asset_import import IMPORT_FIELDS, import_grid_assets, parse_mapping, read_asset_file
from grid.models import AssetSource


class Command(BaseCommand):
    help = (
        "Import grid assets (connection points) from a CSV or GeoJSON file: one record per asset and voltage "
        "level, upserted by external_id (a second import of the same file changes nothing). Fields: "
        + ", ".join(f"{name}{' (required)' if required else ''}" for name, required in IMPORT_FIELDS.items())
        + ". Rejected rows are listed with their row number and the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (header in line 1) or GeoJSON (.geojson/.json, Point features)")
        parser.add_argument("--mapping", default="", help="column=field,… for columns named otherwise")
        parser.add_argument("--source", choices=AssetSource.values, default=AssetSource.REAL)
        parser.add_argument(
            "--format", choices=["csv", "geojson"], default=None, help="default: by extension"
        )

    def handle(self, *args, **options):
        try:
            mapping = parse_mapping(options["mapping"])
            frame, first_row = read_asset_file(options["file"], mapping=mapping, fmt=options["format"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error

        def progress(done: int, total: int) -> None:
            self.stderr.write(f"\r{done}/{total} rows", ending="")
            if done == total:
                self.stderr.write("")

        report = import_grid_assets(
            frame=frame, source=options["source"], first_row=first_row, progress=progress
        )
        self.stdout.write(
            f"Rows: {report.rows}; assets created {report.created}, updated {report.updated}, unchanged "
            f"{report.unchanged}; voltage levels created {report.capacities_created}, updated "
            f"{report.capacities_updated}; rejected {len(report.rejected)}."
        )
        for rejected in report.rejected:
            self.stdout.write(f"  row {rejected.row}: {rejected.reason}")
