"""Counters the supervisors' dashboard reads instead of replaying the history.

Kept up to date in the transaction of every transition (connection/figures.py) and rebuilt from
the history by `manage.py rebuild_dashboard_figures`. `branch_key` is the branch's id, 0 for an
application without a branch: a counter key rather than a foreign key, because a unique key must
not hold NULL (NULLs never conflict, so the upsert would add rows instead of counting) and a
branch's past figures need not block deleting it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

NO_BRANCH = 0


class StepExit(models.Model):
    """Steps that ended on `day` in a branch, per state and working days taken."""

    branch_key = models.BigIntegerField(_("branch"))
    state = models.CharField(_("step"), max_length=20)
    day = models.DateField(_("day it ended"))
    taken_wd = models.IntegerField(_("working days taken"))
    finished = models.PositiveIntegerField(_("steps ended"), default=0)
    judged = models.PositiveIntegerField(_("steps with a due date of the grid organisation"), default=0)
    on_time = models.PositiveIntegerField(_("of those, ended on time"), default=0)

    class Meta:
        verbose_name = _("step exits of a day")
        verbose_name_plural = _("step exits per day")
        constraints = [
            models.UniqueConstraint(
                fields=["branch_key", "state", "day", "taken_wd"], name="connection_stepexit_key"
            )
        ]
        indexes = [models.Index(fields=["day"], name="connection_stepexit_day")]

    def __str__(self) -> str:
        return f"{self.branch_key} {self.state} {self.day.isoformat()} +{self.taken_wd}: {self.finished}"


class DailyFlow(models.Model):
    """Applications received (submitted) and completed (connected, or closed without being
    connected) on `day` in a branch."""

    branch_key = models.BigIntegerField(_("branch"))
    day = models.DateField(_("day"))
    received = models.PositiveIntegerField(_("received"), default=0)
    completed = models.PositiveIntegerField(_("completed"), default=0)

    class Meta:
        verbose_name = _("applications of a day")
        verbose_name_plural = _("applications per day")
        constraints = [models.UniqueConstraint(fields=["branch_key", "day"], name="connection_dailyflow_key")]
        indexes = [models.Index(fields=["day"], name="connection_dailyflow_day")]

    def __str__(self) -> str:
        return f"{self.branch_key} {self.day.isoformat()}: +{self.received} / {self.completed}"
