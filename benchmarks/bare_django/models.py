from django.db import models


class Application(models.Model):
    """The portal's applications table, read-only: a few of its columns."""

    number = models.CharField(max_length=20, null=True)  # noqa: DJ001 (the portal's column: null until submitted)
    state = models.CharField(max_length=20)
    due_date = models.DateField(null=True)

    class Meta:
        managed = False
        db_table = "connection_connectionrequest"
        app_label = "bare_django"

    def __str__(self) -> str:
        return self.number or str(self.pk)
