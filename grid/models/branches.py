"""Branches (РЭС) of the grid organisation and the territories they serve."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from grid.geometry import parse_boundary


class RoutingMethod(models.TextChoices):
    """How an application's branch was found (see grid.territories.route)."""

    TERRITORY = "territory", _("Inside a territory")
    NEAREST = "nearest", _("Nearest territory")
    DEFAULT = "default", _("Default branch (outside every territory)")


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
        db_table = "connection_branch"  # the table the model had in the connection app
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


class Territory(models.Model):
    """An area served by a branch: applications whose object lies inside it are routed there.

    The boundary is kept as WKT (WGS84 lon/lat) so that routing works on SQLite and PostgreSQL
    alike with shapely; the bounding box columns let the database narrow candidates first."""

    class SettlementKind(models.TextChoices):
        URBAN = "urban", _("Urban (town, urban-type settlement)")
        RURAL = "rural", _("Rural")

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="territories"
    )
    name = models.CharField(_("name"), max_length=200)
    settlement_kind = models.CharField(_("settlement kind"), max_length=8, choices=SettlementKind.choices)
    boundary_wkt = models.TextField(_("boundary (WKT, WGS84)"))
    min_lon = models.FloatField(editable=False)
    min_lat = models.FloatField(editable=False)
    max_lon = models.FloatField(editable=False)
    max_lat = models.FloatField(editable=False)
    priority = models.SmallIntegerField(
        _("priority"),
        default=0,
        help_text=_("Where territories overlap (a town inside a district), the higher wins."),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        db_table = "connection_territory"
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        geometry = parse_boundary(self.boundary_wkt)
        self.min_lon, self.min_lat, self.max_lon, self.max_lat = geometry.bounds
