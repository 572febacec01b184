from django.core.management.base import BaseCommand, CommandError

from connection.tariff_data import TariffFileError, load_demo_tariffs, load_tariffs


class Command(BaseCommand):
    help = (
        "Load fee tariffs from a CSV file (columns as connection/data/tariffs-demo.csv); rows with the "
        "same region, applicant group and start are updated. Without FILE: the demo (example) tariffs."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="CSV file in UTF-8")

    def handle(self, *args, **options):
        try:
            if options["file"]:
                with open(options["file"], encoding="utf-8", newline="") as handle:
                    count = load_tariffs(handle)
            else:
                count = load_demo_tariffs()
        except (OSError, TariffFileError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Tariffs: {count}")
