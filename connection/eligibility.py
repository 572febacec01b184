"""Who may ask for what through this portal (Rules 861, §1 of connection-rules.md).

The limits come from the rulebook in force, never from literals here. Each refusal names the
rule and the numbers, on the field the applicant has to change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backend.formatting import number_text
from connection.models import ApplicantType, ConnectionRequest, ReliabilityCategory, RequestKind, VoltageLevel
from workflow.rulebook import Rules


@dataclass(frozen=True)
class Limits:
    group: str  # household, business, temporary
    label: str
    max_kw: Decimal
    max_voltage_kv: Decimal
    categories: tuple[str, ...]


def kw(value: Decimal) -> str:
    return number_text(value)


#: The clause of Rules 861 a rulebook value's source note cites ("Rules 861 p. 12(1); …").
RULES_CLAUSE = re.compile(r"Rules 861,? p\. ?([0-9]+(?:\([0-9]+\))?)")


def rules_clause(rules: Rules, key: str) -> str:
    """ ", Rules 861, p. 12(1)" as the rulebook's source of `key` cites it, or "" when it cites none."""
    found = RULES_CLAUSE.search(rules.sources.get(key, "") if rules.sources else "")
    return _(", Rules 861, p. %(clause)s") % {"clause": found.group(1)} if found else ""


def limits_for(*, applicant_type: str | None, kind: str, rules: Rules) -> Limits:
    if kind == RequestKind.TEMPORARY:
        return Limits(
            "temporary",
            _("a temporary connection"),
            rules.temporary_max_kw,
            rules.temporary_max_voltage_kv,
            rules.temporary_reliability_categories,
        )
    if applicant_type == ApplicantType.INDIVIDUAL:
        return Limits(
            "household",
            _("an individual for household needs"),
            rules.household_max_kw,
            rules.household_max_voltage_kv,
            rules.household_reliability_categories,
        )
    return Limits(
        "business",
        _("an entrepreneur or legal entity"),
        rules.business_max_kw,
        rules.business_max_voltage_kv,
        rules.business_reliability_categories,
    )


def eligibility_errors(application: ConnectionRequest, rules: Rules) -> dict[str, list[ValidationError]]:
    """Field → errors for what this request asks that the rules do not allow. Missing values are
    not errors here (a draft may be partial); the completeness check lists them."""
    errors: dict[str, list[ValidationError]] = {}

    def add(field: str, message: str, code: str) -> None:
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    limits = limits_for(applicant_type=application.applicant_type, kind=application.kind, rules=rules)
    previous = application.previously_connected_kw or Decimal("0")

    if application.kind == RequestKind.POWER_INCREASE and previous <= 0:
        add(
            "previously_connected_kw",
            _("An increase of power needs the previously connected power (more than 0 kW)."),
            "previous_power_required",
        )
    if application.kind in (RequestKind.NEW, RequestKind.TEMPORARY) and previous > 0:
        add(
            "previously_connected_kw",
            _("A new connection has no previously connected power; choose “increase of power” instead."),
            "previous_power_not_allowed",
        )

    if application.requested_kw is not None:
        total = previous + application.requested_kw
        if total > limits.max_kw:
            add(
                "requested_kw",
                _(
                    "For %(who)s the portal accepts at most %(max)s kW in total at the connection point "
                    "(previously connected plus new power%(clause)s); requested %(previous)s + "
                    "%(requested)s = %(total)s kW."
                )
                % {
                    "who": limits.label,
                    "clause": rules_clause(rules, f"{limits.group}_max_kw"),
                    "max": kw(limits.max_kw),
                    "previous": kw(previous),
                    "requested": kw(application.requested_kw),
                    "total": kw(total),
                },
                "power_limit",
            )

    if application.reliability_category:
        if application.reliability_category == ReliabilityCategory.I:
            add(
                "reliability_category",
                _(
                    "Reliability category I (two independent sources and an autonomous reserve) is outside "
                    "the categories of this portal; apply to the grid organisation directly."
                ),
                "category_not_allowed",
            )
        elif application.reliability_category not in limits.categories:
            add(
                "reliability_category",
                _("For %(who)s the reliability category may only be %(allowed)s; chosen %(chosen)s.")
                % {
                    "who": limits.label,
                    "allowed": ", ".join(limits.categories),
                    "chosen": application.reliability_category,
                },
                "category_not_allowed",
            )

    if application.voltage_level:
        voltage = Decimal(application.voltage_level)
        if voltage > limits.max_voltage_kv:
            add(
                "voltage_level",
                _("For %(who)s the voltage may be at most %(max)s kV; chosen %(chosen)s kV.")
                % {"who": limits.label, "max": kw(limits.max_voltage_kv), "chosen": kw(voltage)},
                "voltage_not_allowed",
            )
        if application.phases is not None:
            expected = 1 if application.voltage_level == VoltageLevel.V0_23 else 3
            if application.phases != expected:
                add(
                    "phases",
                    _("At %(voltage)s kV the connection has %(phases)d phase(s).")
                    % {"voltage": kw(voltage), "phases": expected},
                    "phases_mismatch",
                )

    if application.kind == RequestKind.TEMPORARY:
        if (
            application.temporary_term_months is not None
            and application.temporary_term_months not in rules.temporary_terms_months
        ):
            add(
                "temporary_term_months",
                _("A temporary connection is made for %(terms)s months.")
                % {"terms": ", ".join(str(term) for term in rules.temporary_terms_months)},
                "temporary_term",
            )
    elif application.temporary_term_months is not None:
        add("temporary_term_months", _("Only a temporary connection has a term."), "temporary_term")
    return errors
