"""The connection fee (connection-rules.md §4) from the tariff table (connection.models.Tariff).

- Households (and privileged households) within the conditions — total power up to the rulebook's
  household limit (15 kW), reliability category III, at most the household voltage (0.4 kV), within
  the distance condition (300 m in towns, 500 m in rural areas): a household pays the smaller of the
  cost by standardised rates and the preferential rate × requested kW; a privileged household pays
  its rate × requested kW.
- Everyone else pays by the standardised rates: C1 + C2 × km of overhead line + C3 × km of cable
  line + metering.

Money is Decimal, every line rounded to kopecks (half up); VAT is added when the tariff's rates
exclude it. The result carries its breakdown so that an engineer can check it line by line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from connection.models import ApplicantGroup, ConnectionRequest, Tariff
from connection.models.tariffs import DEFAULT_REGION
from grid.models import Territory
from workflow.rulebook import Rules, get_rules
from workflow.selectors import rules_for

KOPECK = Decimal("0.01")
HOUSEHOLD_CATEGORY = "III"

#: How the fee was arrived at.
PREFERENTIAL = "preferential"
PRIVILEGED = "privileged"
STANDARDISED = "standardised"


class TariffNotFound(LookupError):
    """No tariff of the region and applicant group is valid on the date."""

    def __init__(self, *, region: str, applicant_group: str, on: date) -> None:
        self.region, self.applicant_group, self.on = region, applicant_group, on
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _("No tariff of region %(region)s for the group “%(group)s” is valid on %(date)s.") % {
            "region": self.region,
            "group": ApplicantGroup(self.applicant_group).label,
            "date": self.on.isoformat(),
        }


@dataclass(frozen=True)
class FeeLine:
    code: str
    label: str
    formula: str
    amount: Decimal


@dataclass(frozen=True)
class FeeResult:
    total: Decimal
    method: str  # PREFERENTIAL, PRIVILEGED or STANDARDISED
    within_conditions: bool
    tariff: Tariff
    lines: list[FeeLine]  # the lines of the fee charged; they add up to `total`
    alternative_total: Decimal | None = None  # the other amount compared (households within conditions)
    alternative_lines: list[FeeLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def is_example(self) -> bool:
        return self.tariff.is_example


def money(value: Decimal) -> Decimal:
    return value.quantize(KOPECK, rounding=ROUND_HALF_UP)


def _number(value: Decimal) -> str:
    """A plain rendering for formulas: 15, 0.4, 5000.00."""
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def find_tariff(*, region: str, applicant_group: str, on: date) -> Tariff:
    """The tariff of the region and group valid on `on` (the latest start if periods overlap)."""
    tariff = (
        Tariff.objects.filter(region=region, applicant_group=applicant_group, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from", "-id")
        .first()
    )
    if tariff is None:
        raise TariffNotFound(region=region, applicant_group=applicant_group, on=on)
    return tariff


def _with_vat(tariff: Tariff, lines: list[FeeLine]) -> list[FeeLine]:
    """The lines plus a VAT line when the rates exclude VAT."""
    subtotal = _total(lines)
    result = list(lines)
    if not tariff.rates_include_vat and tariff.vat_percent:
        vat = money(subtotal * tariff.vat_percent / 100)
        result.append(FeeLine("vat", _("VAT"), f"{_number(subtotal)} × {_number(tariff.vat_percent)} %", vat))
    return result


def _standardised_lines(tariff: Tariff, overhead_km: Decimal, cable_km: Decimal) -> list[FeeLine]:
    lines = [
        FeeLine(
            "c1",
            _("C1: issuing and checking the technical conditions"),
            f"1 × {_number(tariff.c1_per_connection)}",
            money(tariff.c1_per_connection),
        ),
    ]
    if overhead_km:
        lines.append(
            FeeLine(
                "c2",
                _("C2: overhead line"),
                f"{_number(overhead_km)} {_('km')} × {_number(tariff.c2_per_km_overhead)}",
                money(overhead_km * tariff.c2_per_km_overhead),
            )
        )
    if cable_km:
        lines.append(
            FeeLine(
                "c3",
                _("C3: cable line"),
                f"{_number(cable_km)} {_('km')} × {_number(tariff.c3_per_km_cable)}",
                money(cable_km * tariff.c3_per_km_cable),
            )
        )
    if tariff.metering_cost:
        lines.append(
            FeeLine(
                "metering", _("Metering"), f"1 × {_number(tariff.metering_cost)}", money(tariff.metering_cost)
            )
        )
    return _with_vat(tariff, lines)


def _rate_lines(tariff: Tariff, code: str, label: str, rate: Decimal, kw: Decimal) -> list[FeeLine]:
    return _with_vat(
        tariff, [FeeLine(code, label, f"{_number(kw)} {_('kW')} × {_number(rate)}", money(kw * rate))]
    )


def _total(lines: list[FeeLine]) -> Decimal:
    return sum((line.amount for line in lines), Decimal("0"))


def household_conditions(
    *,
    rules: Rules,
    total_kw: Decimal,
    voltage_kv: Decimal | None,
    within_distance: bool,
    reliability_category: str | None,
) -> list[str]:
    """Why a household is outside the preferential conditions; empty when it is within them."""
    reasons = []
    if total_kw > rules.household_max_kw:
        reasons.append(_("the power exceeds %(kw)s kW") % {"kw": _number(rules.household_max_kw)})
    if voltage_kv is None or voltage_kv > rules.household_max_voltage_kv:
        reasons.append(_("the voltage exceeds %(kv)s kV") % {"kv": _number(rules.household_max_voltage_kv)})
    if reliability_category not in (None, "", HOUSEHOLD_CATEGORY):
        reasons.append(_("the reliability category is not III"))
    if not within_distance:
        reasons.append(_("the grid is beyond the distance condition"))
    return reasons


def calculate_fee(
    *,
    applicant_group: str,
    requested_kw: Decimal,
    voltage_kv: Decimal | None,
    within_distance: bool,
    overhead_km: Decimal = Decimal("0"),
    cable_km: Decimal = Decimal("0"),
    on: date,
    region: str = DEFAULT_REGION,
    total_kw: Decimal | None = None,
    reliability_category: str | None = HOUSEHOLD_CATEGORY,
    rules: Rules | None = None,
) -> FeeResult:
    """The fee of a connection, with its breakdown. `total_kw` (previously connected + requested)
    decides the household limit, `requested_kw` the amount; the limits come from `rules` (the
    rulebook in force on `on` by default). Raises TariffNotFound."""
    applicant_group = ApplicantGroup(applicant_group)
    requested_kw, overhead_km, cable_km = Decimal(requested_kw), Decimal(overhead_km), Decimal(cable_km)
    rules = rules or get_rules(on=on)
    tariff = find_tariff(region=region, applicant_group=applicant_group, on=on)
    standardised = _standardised_lines(tariff, overhead_km, cable_km)
    notes = []
    if tariff.is_example:
        notes.append(
            _("The tariff is an example for the demonstration, not the regional authority's decision.")
        )

    within = False
    if applicant_group != ApplicantGroup.BUSINESS:
        reasons = household_conditions(
            rules=rules,
            total_kw=requested_kw if total_kw is None else Decimal(total_kw),
            voltage_kv=None if voltage_kv is None else Decimal(voltage_kv),
            within_distance=within_distance,
            reliability_category=reliability_category,
        )
        within = not reasons
        if reasons:
            notes.append(_("Standardised rates apply: %(reasons)s.") % {"reasons": "; ".join(reasons)})

    if (
        within
        and applicant_group == ApplicantGroup.PRIVILEGED_HOUSEHOLD
        and tariff.privileged_rate_per_kw is not None
    ):
        lines = _rate_lines(
            tariff, "privileged", _("Privileged-group rate"), tariff.privileged_rate_per_kw, requested_kw
        )
        return FeeResult(
            _total(lines), PRIVILEGED, True, tariff, lines, _total(standardised), standardised, notes
        )

    if within and tariff.preferential_rate_per_kw is not None:
        preferential = _rate_lines(
            tariff, "preferential", _("Preferential rate"), tariff.preferential_rate_per_kw, requested_kw
        )
        if _total(preferential) <= _total(standardised):
            notes.append(_("The preferential rate is not more than the standardised rates."))
            return FeeResult(
                _total(preferential),
                PREFERENTIAL,
                True,
                tariff,
                preferential,
                _total(standardised),
                standardised,
                notes,
            )
        notes.append(_("The standardised rates are cheaper than the preferential rate."))
        return FeeResult(
            _total(standardised),
            STANDARDISED,
            True,
            tariff,
            standardised,
            _total(preferential),
            preferential,
            notes,
        )

    if within:
        notes.append(_("The tariff has no preferential rate for this group: standardised rates apply."))
    return FeeResult(_total(standardised), STANDARDISED, within, tariff, standardised, notes=notes)


def within_distance(*, rules: Rules, urban: bool, grid_distance_m: Decimal | None) -> bool:
    """The 300 m (towns) / 500 m (rural areas) condition; unknown distance does not meet it."""
    if grid_distance_m is None:
        return False
    limit = rules.urban_distance_m if urban else rules.rural_distance_m
    return Decimal(grid_distance_m) <= limit


def fee_for_application(
    application: ConnectionRequest,
    *,
    grid_distance_m: Decimal | None,
    overhead_km: Decimal = Decimal("0"),
    cable_km: Decimal = Decimal("0"),
    privileged: bool = False,
    on: date | None = None,
    requested_kw: Decimal | None = None,
    voltage_level: str | None = None,
    reliability_category: str | None = None,
) -> FeeResult | None:
    """The fee of an application from its facts (household = individual applicant; the distance
    condition by its settlement kind and the application's rulebook); None when no tariff applies.
    `requested_kw`, `voltage_level` and `reliability_category` replace the application's when the
    technical conditions grant something else."""
    rules = rules_for(application)
    if not application.is_household:
        group = ApplicantGroup.BUSINESS
    else:
        group = ApplicantGroup.PRIVILEGED_HOUSEHOLD if privileged else ApplicantGroup.HOUSEHOLD
    kw = (application.requested_kw or Decimal("0")) if requested_kw is None else requested_kw
    voltage = voltage_level or application.voltage_level
    try:
        return calculate_fee(
            applicant_group=group,
            requested_kw=kw,
            total_kw=(application.previously_connected_kw or Decimal("0")) + kw,
            voltage_kv=Decimal(voltage) if voltage else None,
            reliability_category=reliability_category or application.reliability_category or None,
            within_distance=within_distance(
                rules=rules,
                urban=application.settlement_kind == Territory.SettlementKind.URBAN,
                grid_distance_m=grid_distance_m,
            ),
            overhead_km=overhead_km,
            cable_km=cable_km,
            on=on or timezone.localdate(),
            rules=rules,
        )
    except TariffNotFound:
        return None
