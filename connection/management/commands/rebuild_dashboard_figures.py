import time

from django.core.management.base import BaseCommand
from django.db import connection

from connection.figures import REBUILD_BATCH, rebuild_figures
from connection.models import DailyFlow, StepExit


class Command(BaseCommand):
    help = (
        "Recount the dashboard's counters (steps ended, received, completed per branch and day) from "
        "the whole history, in one transaction. Transitions wait while it runs: run it once after the "
        "upgrade that adds the counters, or to repair them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=REBUILD_BATCH, help="applications replayed per batch"
        )

    def handle(self, *args, **options):
        started = time.perf_counter()
        report = rebuild_figures(batch_size=max(1, options["batch_size"]))
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # The rebuild's upserts leave dead row versions: clear them and refresh the statistics.
            with connection.cursor() as cursor:
                for model in (StepExit, DailyFlow):
                    cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        self.stdout.write(
            f"Dashboard figures: {report.step_rows} step rows, {report.flow_rows} daily rows "
            f"in {time.perf_counter() - started:.1f} s"
        )
