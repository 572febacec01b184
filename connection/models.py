"""Domain models of connection requests. Branches (РЭС) of the grid organisation start here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Branch(models.Model):
    """A branch (район электрических сетей, РЭС) that processes applications of its territory."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(
        _("default branch"),
        default=False,
        help_text=_("Receives applications that fall outside every territory, flagged for the supervisor."),
    )

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="connection_one_default_branch",
            )
        ]

    def __str__(self) -> str:
        return self.name
