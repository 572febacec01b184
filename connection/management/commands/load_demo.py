from django.conf import settings
from django.core.management.base import BaseCommand

from connection import demo
from connection.tariff_data import load_demo_tariffs
from grid import demo as grid_demo


class Command(BaseCommand):
    help = (
        "Load demo data (branches, territories, grid assets) and, when DEBUG is on, demo accounts for every "
        "role and two applications of the demo applicant. Idempotent."
    )

    def handle(self, *args, **options):
        count = grid_demo.load_branches()
        self.stdout.write(f"Branches: {count}")
        self.stdout.write(f"Grid assets: {grid_demo.load_grid_assets()}")
        self.stdout.write(f"Tariffs (examples): {load_demo_tariffs()}")
        if not settings.DEBUG:
            self.stdout.write("DEBUG is off: demo accounts are not created.")
            return
        accounts = demo.load_demo_accounts()
        self.stdout.write(self.style.SUCCESS("Demo accounts (development only):"))
        for account in accounts:
            self.stdout.write(f"  {account.role.label:<22} {account.email:<26} {account.password}")
        created = demo.load_demo_applications()
        if created:
            self.stdout.write(f"Demo applications of {accounts[0].email}: {created}")
