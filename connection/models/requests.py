"""Connection requests (заявки на технологическое присоединение) and their commissioning stages."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from connection.models.applicants import Applicant, ApplicantType
from connection.validators import validate_cadastral_number
from grid.models import AssetCapacity, Branch, RoutingMethod, Territory
from workflow.deadlines import TermFacts
from workflow.machine import ApplicationStateMachine
from workflow.states import FINAL_STATES, State

KW = {"max_digits": 9, "decimal_places": 2}


class RequestKind(models.TextChoices):
    NEW = "new", _("New connection")
    POWER_INCREASE = "power_increase", _("Increase of maximum power")
    TEMPORARY = "temporary", _("Temporary connection (movable devices)")


class VoltageLevel(models.TextChoices):
    V0_23 = "0.23", _("0.23 kV (single phase, 220 V)")
    V0_4 = "0.4", _("0.4 kV (three phases, 380 V)")
    V6 = "6", _("6 kV")
    V10 = "10", _("10 kV")
    V20 = "20", _("20 kV")


def connection_point_voltage(voltage_level: str) -> Decimal:
    """The voltage of the connection point that serves a voltage level: single-phase 0.23 kV
    connections are made at the 0.4 kV side of a transformer substation."""
    return Decimal(VoltageLevel.V0_4) if voltage_level == VoltageLevel.V0_23 else Decimal(voltage_level)


class ReliabilityCategory(models.TextChoices):
    I = "I", _("Category I")  # noqa: E741 - the category's own name
    II = "II", _("Category II")
    III = "III", _("Category III")


class LoadCharacter(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    RESIDENTIAL_BUILDING = "residential_building", _("Residential building")
    COMMERCIAL = "commercial", _("Commercial (shop, office, services)")
    PRODUCTION = "production", _("Production")
    AGRICULTURAL = "agricultural", _("Agricultural")
    PUBLIC = "public", _("Public or social facility")
    CONSTRUCTION = "construction", _("Construction site")
    OTHER = "other", _("Other")


class PaymentOption(models.TextChoices):
    LUMP_SUM = "lump_sum", _("In one payment")
    INSTALMENTS = "instalments", _("In instalments")


# What the applicant fills in on a draft, grouped as the wizard asks for it: the one list of the
# editable fields that the service, the API serializer and the web forms use.
OBJECT_FIELDS = (
    "object_name",
    "object_address",
    "cadastral_number",
    "latitude",
    "longitude",
    "kind",
    "temporary_term_months",
)
POWER_FIELDS = ("previously_connected_kw", "requested_kw")
SUPPLY_FIELDS = (
    "voltage_level",
    "phases",
    "reliability_category",
    "load_character",
    "guaranteeing_supplier",
    "payment_option",
    "is_public_procurement",
)
EDITABLE_FIELDS = ("applicant", *OBJECT_FIELDS, *POWER_FIELDS, *SUPPLY_FIELDS, "preferred_connection_point")


class ConnectionRequest(ApplicationStateMachine):
    """An application for technological connection. Its state changes only through transitions
    (workflow); number, state and routing are set by services, never by clients."""

    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="connection_requests",
    )
    applicant = models.ForeignKey(
        Applicant,
        verbose_name=_("applicant"),
        on_delete=models.PROTECT,
        related_name="connection_requests",
        null=True,
        blank=True,
    )
    applicant_snapshot = models.JSONField(_("applicant as submitted"), null=True, blank=True, editable=False)

    # The object
    object_name = models.CharField(_("object name"), max_length=300, blank=True)
    object_address = models.CharField(_("object address"), max_length=500, blank=True)
    cadastral_number = models.CharField(
        _("cadastral number"), max_length=40, blank=True, validators=[validate_cadastral_number]
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    # What is asked for
    kind = models.CharField(_("kind"), max_length=16, choices=RequestKind.choices, default=RequestKind.NEW)
    temporary_term_months = models.PositiveSmallIntegerField(
        _("term of temporary connection, months"), null=True, blank=True
    )
    previously_connected_kw = models.DecimalField(
        _("previously connected power, kW"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        **KW,
    )
    requested_kw = models.DecimalField(
        _("requested power, kW"), null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))], **KW
    )
    total_kw = models.GeneratedField(
        expression=F("previously_connected_kw") + F("requested_kw"),
        output_field=models.DecimalField(**KW),
        db_persist=True,
        verbose_name=_("total maximum power, kW"),
    )
    voltage_level = models.CharField(
        _("voltage level"), max_length=4, choices=VoltageLevel.choices, blank=True
    )
    phases = models.PositiveSmallIntegerField(
        _("phases"), null=True, blank=True, choices=[(1, _("Single phase")), (3, _("Three phases"))]
    )
    reliability_category = models.CharField(
        _("reliability category"), max_length=3, choices=ReliabilityCategory.choices, blank=True
    )
    load_character = models.CharField(
        _("character of load"), max_length=24, choices=LoadCharacter.choices, blank=True
    )
    guaranteeing_supplier = models.CharField(_("guaranteeing supplier"), max_length=300, blank=True)
    payment_option = models.CharField(
        _("payment option"), max_length=16, choices=PaymentOption.choices, blank=True
    )
    is_public_procurement = models.BooleanField(
        _("buyer under public-procurement law (44-FZ)"), default=False
    )

    # Routing, set at submission
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.PROTECT,
        related_name="connection_requests",
        null=True,
        blank=True,
        editable=False,
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    routing_method = models.CharField(
        _("routing"), max_length=12, choices=RoutingMethod.choices, blank=True, editable=False
    )
    routing_needs_attention = models.BooleanField(
        _("routing needs a supervisor's attention"), default=False, editable=False
    )
    settlement_kind = models.CharField(
        _("settlement kind"),
        max_length=8,
        choices=Territory.SettlementKind.choices,
        blank=True,
        editable=False,
    )

    personal_data_consent = models.ForeignKey(
        "users.Consent",
        verbose_name=_("consent to the processing of personal data"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        help_text=_("Given by the applicant when submitting: the version of the text and the time."),
    )
    preferred_connection_point = models.ForeignKey(
        AssetCapacity,
        verbose_name=_("connection point chosen by the applicant"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_(
            "Where several points are near, the applicant may choose; the offer reserves there by default."
        ),
    )

    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    # Recorded by the grid organisation through transitions
    requested_items = models.JSONField(_("information requested"), default=list, blank=True, editable=False)
    rejection_reason = models.TextField(_("reason of rejection"), blank=True, editable=False)
    connection_point_label = models.CharField(
        _("connection point"), max_length=200, blank=True, editable=False
    )
    grid_distance_m = models.DecimalField(
        _("distance to the grid, m"), max_digits=9, decimal_places=1, null=True, blank=True, editable=False
    )
    needs_construction = models.BooleanField(
        _("construction under the investment programme needed"), default=False, editable=False
    )
    crosses_third_party_land = models.BooleanField(
        _("crosses third-party land"), default=False, editable=False
    )
    fee_rub = models.DecimalField(
        _("fee, roubles"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    # The calculator's fee at the offer and the engineer's reason for a different one
    fee_calculated_rub = models.DecimalField(
        _("calculated fee, roubles"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    fee_override_reason = models.TextField(
        _("reason for changing the calculated fee"), blank=True, editable=False
    )
    paid_amount_rub = models.DecimalField(
        _("amount paid, roubles"), max_digits=12, decimal_places=2, null=True, blank=True, editable=False
    )
    connected_on = models.DateField(_("connected on"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(
        _("submitted at"), null=True, blank=True, editable=False, db_index=True
    )

    class Meta:
        verbose_name = _("connection request")
        verbose_name_plural = _("connection requests")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["branch", "state"]),
            models.Index(fields=["owner", "state"]),
            # Lists are newest first: a page is read in index order instead of sorting every visible row.
            models.Index(fields=["-created_at", "-id"], name="connection_request_newest"),
            # A branch's queue, newest first: an engineer's page is read from here in order.
            models.Index(fields=["branch", "-created_at", "-id"], name="connection_branch_newest"),
            # The dashboard's open and overdue counts per branch and state: an index-only scan of
            # the open applications instead of reading a branch's rows from the table.
            models.Index(
                fields=["branch", "state", "due_date"],
                name="connection_request_open",
                condition=~models.Q(state__in=[State.DRAFT, *sorted(FINAL_STATES)]),
            ),
        ]

    def __str__(self) -> str:
        return self.number or _("Draft #%(id)s") % {"id": self.pk}

    @property
    def is_draft(self) -> bool:
        return self.state == State.DRAFT

    @property
    def applicant_type(self) -> str | None:
        return self.applicant.applicant_type if self.applicant_id else None

    @property
    def is_household(self) -> bool:
        return self.applicant_type == ApplicantType.INDIVIDUAL

    def term_facts(self) -> TermFacts:
        """What the workflow's deadlines need to know about this application."""
        return TermFacts(
            temporary=self.kind == RequestKind.TEMPORARY,
            voltage_kv=Decimal(self.voltage_level) if self.voltage_level else None,
            urban=self.settlement_kind == Territory.SettlementKind.URBAN,
            grid_distance_m=self.grid_distance_m,
            needs_construction=self.needs_construction,
            crosses_third_party_land=self.crosses_third_party_land,
            public_procurement=self.is_public_procurement,
        )


class CommissioningStage(models.Model):
    """A planned stage of commissioning: the date and the power put into service then."""

    request = models.ForeignKey(ConnectionRequest, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField(_("stage"))
    planned_date = models.DateField(_("planned date"))
    power_kw = models.DecimalField(_("power, kW"), validators=[MinValueValidator(Decimal("0.01"))], **KW)

    class Meta:
        verbose_name = _("commissioning stage")
        verbose_name_plural = _("commissioning stages")
        ordering = ["request", "position"]
        constraints = [
            models.UniqueConstraint(fields=["request", "position"], name="connection_stage_position")
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.planned_date} — {self.power_kw} kW"


class RequestNumberSequence(models.Model):
    """The last number given per year. Locked in the submitting transaction, so numbers are
    unique and gap-free: a failed submission rolls its number back."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("request number sequence")
        verbose_name_plural = _("request number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_value}"
