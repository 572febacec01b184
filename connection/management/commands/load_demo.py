from django.conf import settings
from django.core.management.base import BaseCommand

from connection import demo
from connection.tariff_data import load_demo_tariffs
from grid import demo as grid_demo


class Command(BaseCommand):
    help = (
        "Load demo data (branches, territories, grid assets) and, when DEBUG is on or with --demo-accounts, "
        "demo accounts for every role and two applications of the demo applicant. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--demo-accounts",
            action="store_true",
            help=(
                "Create the demo accounts (public passwords) and applications even with DEBUG off: for a "
                "test or demonstration instance such as CI's production stage, never a real portal."
            ),
        )

    def handle(self, *args, **options):
        count = grid_demo.load_branches()
        self.stdout.write(f"Branches: {count}")
        self.stdout.write(f"Grid assets: {grid_demo.load_grid_assets()}")
        self.stdout.write(f"Tariffs (examples): {load_demo_tariffs()}")
        if not (settings.DEBUG or options["demo_accounts"]):
            self.stdout.write("DEBUG is off: demo accounts are not created (--demo-accounts creates them).")
            return
        accounts = demo.load_demo_accounts()
        self.stdout.write(self.style.SUCCESS("Demo accounts (development and test instances only):"))
        for account in accounts:
            self.stdout.write(f"  {account.role.label:<22} {account.email:<26} {account.password}")
        created = demo.load_demo_applications()
        if created:
            self.stdout.write(f"Demo applications of {accounts[0].email}: {created}")
