"""The rulebook's keys: their Python type, unit and meaning, and the parsing of values (no
database access; the values live in workflow.models, read by workflow.rulebook)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, get_type_hints

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class RuleValueError(ValueError):
    """A value that does not fit its key's type; `message` is shown to the administrator."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class RuleSpec:
    """What a key means. The Python type comes from the Rules annotation of the same name."""

    unit: str | Promise
    description: str | Promise
    allowed: frozenset[str] | None = None  # items allowed in a list of names


@dataclass(frozen=True, kw_only=True)
class Rules:
    """The values of one rulebook version, typed. Read attributes; `source(key)` says where a
    value comes from. Build it with get_rules / get_rules_by_version only."""

    version_id: int
    version_code: str
    effective_from: date

    # §1: who may apply, by applicant group
    household_max_kw: Decimal
    business_max_kw: Decimal
    temporary_max_kw: Decimal
    household_max_voltage_kv: Decimal
    business_max_voltage_kv: Decimal
    temporary_max_voltage_kv: Decimal
    household_reliability_categories: tuple[str, ...]
    business_reliability_categories: tuple[str, ...]
    temporary_reliability_categories: tuple[str, ...]
    temporary_terms_months: tuple[int, ...]
    category_ii_inspection_min_kw: Decimal
    # distances that decide the term and the fee
    urban_distance_m: Decimal
    rural_distance_m: Decimal
    near_grid_distance_m: Decimal
    # §3: deadlines of the steps
    completeness_check_wd: int
    applicant_info_wd: int
    offer_wd: int
    payment_wd: int
    payment_procurement_wd: int
    works_term_near_0_4kv_wd: int
    works_term_within_distance_no_construction_months: int
    works_term_within_distance_months: int
    works_term_beyond_distance_months: int
    works_term_temporary_wd: int
    readiness_check_wd: int
    final_documents_copy_wd: int
    # §3: other terms
    tu_validity_years: int
    tu_validity_max_years: int
    instalment_share_percent: Decimal
    instalment_period_months: int
    instalment_max_years: int
    instalment_rate_margin_pp: Decimal
    delay_penalty_percent_per_day: Decimal
    # consumers' reports (appeals): answer term, grouping into incidents
    report_answer_wd: int
    incident_radius_m: Decimal
    incident_window_hours: int

    sources: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    confidences: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def source(self, key: str) -> str:
        """The source note of a value (KeyError for a key that is not a rule)."""
        _check_key(key)
        return self.sources.get(key, "")

    def confidence(self, key: str) -> str:
        """firm / likely / verify, as recorded with the value."""
        _check_key(key)
        return self.confidences.get(key, "")

    @staticmethod
    def unit(key: str) -> str:
        return str(RULE_SPECS[key].unit)

    def as_dict(self) -> dict[str, Any]:
        """Key → typed value, for display and serialisation."""
        return {key: getattr(self, key) for key in RULE_KEYS}


_META_FIELDS = frozenset({"version_id", "version_code", "effective_from", "sources", "confidences"})
RULE_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Rules) if f.name not in _META_FIELDS)
RULE_TYPES: dict[str, Any] = {key: get_type_hints(Rules)[key] for key in RULE_KEYS}

_CATEGORIES = frozenset({"I", "II", "III"})
_KW, _KV, _M = _("kW"), _("kV"), _("m")
_WD, _MONTHS, _YEARS = _("working days"), _("months"), _("years")

# The registry of keys: unit and meaning. Values come only from data.
RULE_SPECS: dict[str, RuleSpec] = {
    "household_max_kw": RuleSpec(
        _KW, _("Maximum total power at the point for an individual, household needs")
    ),
    "business_max_kw": RuleSpec(
        _KW, _("Maximum total power at the point for an entrepreneur or legal entity")
    ),
    "temporary_max_kw": RuleSpec(_KW, _("Maximum power of a temporary connection")),
    "household_max_voltage_kv": RuleSpec(_KV, _("Highest voltage of a household connection")),
    "business_max_voltage_kv": RuleSpec(_KV, _("Highest voltage for an entrepreneur or legal entity")),
    "temporary_max_voltage_kv": RuleSpec(_KV, _("Highest voltage of a temporary connection")),
    "household_reliability_categories": RuleSpec(
        "", _("Reliability categories allowed for a household"), _CATEGORIES
    ),
    "business_reliability_categories": RuleSpec(
        "", _("Reliability categories allowed for an entrepreneur or legal entity"), _CATEGORIES
    ),
    "temporary_reliability_categories": RuleSpec(
        "", _("Reliability categories allowed for a temporary connection"), _CATEGORIES
    ),
    "temporary_terms_months": RuleSpec(_MONTHS, _("Terms a temporary connection may be made for")),
    "category_ii_inspection_min_kw": RuleSpec(
        _KW,
        _("From this power a category II request adds an inspection act and a notice to Rostekhnadzor"),
    ),
    "urban_distance_m": RuleSpec(
        _M, _("Distance to the grid for the standard terms in towns and urban-type settlements")
    ),
    "rural_distance_m": RuleSpec(_M, _("Distance to the grid for the standard terms in rural areas")),
    "near_grid_distance_m": RuleSpec(
        _M, _("Distance to a 0.4 kV grid for the shortest term of connection works")
    ),
    "completeness_check_wd": RuleSpec(_WD, _("Completeness check and notice of what is missing")),
    "applicant_info_wd": RuleSpec(
        _WD, _("The applicant supplies what is missing, otherwise the application is annulled")
    ),
    "offer_wd": RuleSpec(_WD, _("Offer, technical conditions and invoice after a complete application")),
    "payment_wd": RuleSpec(_WD, _("The applicant pays the invoice, otherwise the application is annulled")),
    "payment_procurement_wd": RuleSpec(_WD, _("Payment term of buyers under public-procurement law 44-FZ")),
    "works_term_near_0_4kv_wd": RuleSpec(
        _WD, _("Connection works: 0.4 kV grid near the plot, no third-party land to cross")
    ),
    "works_term_within_distance_no_construction_months": RuleSpec(
        _MONTHS,
        _("Connection works: grid within 300 / 500 m, no construction under the investment programme"),
    ),
    "works_term_within_distance_months": RuleSpec(
        _MONTHS, _("Connection works: grid within 300 / 500 m otherwise")
    ),
    "works_term_beyond_distance_months": RuleSpec(
        _MONTHS, _("Connection works: grid farther than 300 / 500 m")
    ),
    "works_term_temporary_wd": RuleSpec(_WD, _("Connection works: temporary connection within 300 m")),
    "readiness_check_wd": RuleSpec(_WD, _("Check of the technical conditions and inspection of the devices")),
    "final_documents_copy_wd": RuleSpec(_WD, _("Copies of the final documents to the guaranteeing supplier")),
    "tu_validity_years": RuleSpec(_YEARS, _("Validity of the technical conditions issued")),
    "tu_validity_max_years": RuleSpec(_YEARS, _("Longest validity of technical conditions")),
    "instalment_share_percent": RuleSpec("%", _("Share of the fee that may be paid in instalments")),
    "instalment_period_months": RuleSpec(_MONTHS, _("Interval between instalment payments")),
    "instalment_max_years": RuleSpec(_YEARS, _("Longest instalment period")),
    "instalment_rate_margin_pp": RuleSpec(
        _("percentage points"), _("Interest on instalments above the key rate")
    ),
    "delay_penalty_percent_per_day": RuleSpec(
        _("percent a day"),
        _("Penalty of the grid organisation for a missed deadline, of the total fee per day"),
    ),
    "report_answer_wd": RuleSpec(
        _WD, _("Answer to a consumer's report (outage, voltage, defect): the fix or a concrete date")
    ),
    "incident_radius_m": RuleSpec(_M, _("Reports of one kind this close together form one incident")),
    "incident_window_hours": RuleSpec(
        _("hours"), _("Reports of one kind started this close in time form one incident")
    ),
}

if set(RULE_SPECS) != set(RULE_KEYS):  # pragma: no cover - a programming error caught at import
    raise RuntimeError(f"RULE_SPECS and Rules disagree: {sorted(set(RULE_SPECS) ^ set(RULE_KEYS))}")


def _check_key(key: str) -> None:
    if key not in RULE_SPECS:
        raise KeyError(key)


# Text in the database, typed in Rules


def parse_value(key: str, text: str) -> Any:
    """The typed value of `text` for `key`; RuleValueError says what is wrong."""
    _check_key(key)
    kind = RULE_TYPES[key]
    text = str(text).strip()
    if kind is Decimal:
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise RuleValueError(_("Enter a number, for example 15 or 0.4.")) from None
        if not number.is_finite() or number < 0:
            raise RuleValueError(_("Enter a number that is not negative."))
        return number
    if kind is int:
        return _parse_int(text)
    items = tuple(item.strip() for item in text.split(",") if item.strip())
    if not items:
        raise RuleValueError(_("Enter at least one value; separate several with commas."))
    if kind == tuple[int, ...]:
        return tuple(_parse_int(item) for item in items)
    allowed = RULE_SPECS[key].allowed
    if allowed is not None and not set(items) <= allowed:
        raise RuleValueError(
            gettext("Allowed values: %(allowed)s.") % {"allowed": ", ".join(sorted(allowed, key=len))}
        )
    return items


def _parse_int(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise RuleValueError(_("Enter a whole number.")) from None
    if number < 0:
        raise RuleValueError(_("Enter a number that is not negative."))
    return number


def format_value(key: str, value: Any) -> str:
    """The canonical text of a typed value (what the database stores)."""
    kind = RULE_TYPES[key]
    if kind is Decimal:
        return format(value.normalize(), "f")
    if kind is int:
        return str(value)
    return ",".join(str(item) for item in value)


def canonical_value(key: str, text: str) -> str:
    """Parse and re-format: "0.40" → "0.4", "II, III" → "II,III"."""
    return format_value(key, parse_value(key, text))
