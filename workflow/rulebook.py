"""The rulebook: limits and deadlines of the Rules of technological connection as versioned data.

The values live only in the database (RulebookVersion / RuleValue), seeded from
workflow/data/rulebook-*.yaml and shipped later as new files (`manage.py load_rulebook FILE`) or
entered in the admin. This module knows the keys — type, unit, meaning — never their values.

An application records the version it was processed under (Rules.version_id) and keeps reading
it through get_rules_by_version, so a later version never rewrites old deadlines. Versions in
effect are immutable, so their Rules objects are cached per process without invalidation; drafts
(effective in the future) are read fresh every time.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Literal, get_type_hints
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from workflow.models import Confidence, RulebookVersion, RuleValue, local_today
from workflow.seeding import RulebookData


class RulebookError(Exception):
    """Base of the rulebook's errors."""


class RulebookMissing(RulebookError, LookupError):
    """No version is in effect on the date asked for, or the version asked for does not exist."""


class RulebookInvalid(RulebookError):
    """A version lacks keys or holds a value its key's type refuses; or a file cannot be loaded."""


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
}

if set(RULE_SPECS) != set(RULE_KEYS):  # pragma: no cover - a programming error caught at import
    raise RuntimeError(f"RULE_SPECS and Rules disagree: {sorted(set(RULE_SPECS) ^ set(RULE_KEYS))}")


def _check_key(key: str) -> None:
    if key not in RULE_SPECS:
        raise KeyError(key)


# --- values: text in the database, typed in Rules -----------------------------------------------


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


# --- reading versions ------------------------------------------------------------------------------

_cache: dict[int, Rules] = {}
_cache_lock = threading.Lock()


def clear_cache() -> None:
    """Forget every cached Rules object of this process."""
    with _cache_lock:
        _cache.clear()


def get_rules(*, on: date | None = None) -> Rules:
    """The rules of the version in effect on `on` (today in settings.TIME_ZONE by default):
    the version with the latest effective_from not after that date."""
    day = _local_date(on)
    version_id = (
        RulebookVersion.objects.filter(effective_from__lte=day)
        .order_by("-effective_from")
        .values_list("pk", flat=True)
        .first()
    )
    if version_id is None:
        raise RulebookMissing(
            gettext(
                "No rulebook version is in effect on %(day)s. Load one with “manage.py load_rulebook FILE”."
            )
            % {"day": day.isoformat()}
        )
    return get_rules_by_version(version_id)


def get_rules_by_version(version_id: int) -> Rules:
    """The rules of one version, whatever its date: an application keeps the version it was
    processed under."""
    cached = _cache.get(version_id)
    if cached is not None:
        return cached
    version = RulebookVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise RulebookMissing(gettext("Rulebook version %(id)s does not exist.") % {"id": version_id})
    rules = _build_rules(version, list(version.values.all()))
    if version.is_in_effect():  # immutable from now on; drafts may still change
        with _cache_lock:
            _cache[version_id] = rules
    return rules


def _build_rules(version: RulebookVersion, rows: list[RuleValue]) -> Rules:
    by_key = {row.key: row for row in rows}
    missing = [key for key in RULE_KEYS if key not in by_key]
    if missing:
        raise RulebookInvalid(
            gettext("Rulebook version %(code)s lacks values for: %(keys)s.")
            % {"code": version.code, "keys": ", ".join(missing)}
        )
    values: dict[str, Any] = {}
    for key in RULE_KEYS:
        try:
            values[key] = parse_value(key, by_key[key].value)
        except RuleValueError as exc:
            raise RulebookInvalid(
                gettext("Rulebook version %(code)s has an invalid value of %(key)s: %(error)s")
                % {"code": version.code, "key": key, "error": exc.message}
            ) from exc
    return Rules(
        version_id=version.pk,
        version_code=version.code,
        effective_from=version.effective_from,
        sources=MappingProxyType({key: by_key[key].source_note for key in RULE_KEYS}),
        confidences=MappingProxyType({key: by_key[key].confidence for key in RULE_KEYS}),
        **values,
    )


def _local_date(on: date | datetime | None) -> date:
    if on is None:
        return local_today()
    if isinstance(on, datetime):
        if timezone.is_aware(on):
            return timezone.localtime(on, ZoneInfo(settings.TIME_ZONE)).date()
        return on.date()
    return on


@receiver(post_save, sender=RulebookVersion)
@receiver(post_delete, sender=RulebookVersion)
@receiver(post_save, sender=RuleValue)
@receiver(post_delete, sender=RuleValue)
def _forget_cached_rules(sender, instance, **kwargs) -> None:
    # Versions in effect do not change, but ids can be reused after a rolled-back transaction
    # (SQLite) and a draft saved in this process must not be served stale.
    clear_cache()


# --- loading files --------------------------------------------------------------------------------


def validate_rulebook_data(data: RulebookData) -> list[str]:
    """Every problem of a rulebook file against the registry, as text; empty when it loads."""
    problems: list[str] = []
    seen: set[str] = set()
    for item in data.values:
        if item.key not in RULE_SPECS:
            problems.append(f"{item.key}: unknown key")
            continue
        if item.key in seen:
            problems.append(f"{item.key}: given twice")
        seen.add(item.key)
        try:
            parse_value(item.key, item.value)
        except RuleValueError as exc:
            problems.append(f"{item.key}: {exc.message}")
        if item.confidence not in Confidence.values:
            problems.append(f"{item.key}: confidence must be one of {', '.join(Confidence.values)}")
    problems.extend(f"{key}: missing" for key in RULE_KEYS if key not in seen)
    return problems


UpsertResult = Literal["created", "updated", "unchanged"]


def upsert_version(data: RulebookData) -> tuple[RulebookVersion, UpsertResult]:
    """Create or update the version `data.code` from a file, idempotently.

    A version in effect may only gain keys it lacks (introduced after it); any other difference
    is refused with RulebookInvalid — ship a new version with a later date instead.
    """
    problems = validate_rulebook_data(data)
    if problems:
        raise RulebookInvalid(f"{data.code}: " + "; ".join(problems))
    wanted = {
        item.key: {
            "value": canonical_value(item.key, item.value),
            "confidence": item.confidence,
            "source_note": item.source_note,
        }
        for item in data.values
    }
    header = {"effective_from": data.effective_from, "title": data.title, "source_note": data.source_note}
    with transaction.atomic():
        version = RulebookVersion.objects.select_for_update().filter(code=data.code).first()
        clash = RulebookVersion.objects.filter(effective_from=data.effective_from).exclude(code=data.code)
        if clash.exists():
            raise RulebookInvalid(
                f"{data.code}: another version ({clash.first()}) takes effect on {data.effective_from}"
            )
        if version is None:
            version = RulebookVersion.objects.create(code=data.code, **header)
            for key, fields_ in wanted.items():
                RuleValue.objects.create(version=version, key=key, **fields_)
            return version, "created"

        stored = {
            row["key"]: {
                "value": row["value"],
                "confidence": row["confidence"],
                "source_note": row["source_note"],
            }
            for row in version.values.values("key", "value", "confidence", "source_note")
        }
        header_same = all(getattr(version, name) == value for name, value in header.items())
        if header_same and stored == wanted:
            return version, "unchanged"
        if version.is_locked():
            only_additions = header_same and all(wanted.get(key) == value for key, value in stored.items())
            if not only_additions:
                raise RulebookInvalid(
                    f"{data.code}: in effect since {version.effective_from}; its values cannot be changed. "
                    "Ship a new version with a later effective date."
                )
        else:
            for name, value in header.items():
                setattr(version, name, value)
            version.save()
            version.values.exclude(key__in=wanted).delete()
        for key, fields_ in wanted.items():
            if stored.get(key) != fields_:
                RuleValue.objects.update_or_create(version=version, key=key, defaults=fields_)
        return version, "updated"


def copy_version(version: RulebookVersion, *, effective_from: date | None = None) -> RulebookVersion:
    """A draft copy of `version` with all its values, to be edited and scheduled.

    The draft takes effect the day after both today and the latest version, unless told; its code
    is that date, made unique.
    """
    if effective_from is None:
        latest = (
            RulebookVersion.objects.order_by("-effective_from")
            .values_list("effective_from", flat=True)
            .first()
        )
        effective_from = max(local_today(), latest or local_today()) + timedelta(days=1)
    code = effective_from.isoformat()
    suffix = 1
    while RulebookVersion.objects.filter(code=code).exists():
        suffix += 1
        code = f"{effective_from.isoformat()}-{suffix}"
    with transaction.atomic():
        draft = RulebookVersion.objects.create(
            code=code,
            effective_from=effective_from,
            title=gettext("Copy of %(code)s") % {"code": version.code},
            source_note=version.source_note,
        )
        RuleValue.objects.bulk_create(
            RuleValue(
                version=draft,
                key=row.key,
                value=row.value,
                confidence=row.confidence,
                source_note=row.source_note,
            )
            for row in version.values.all()
        )
    return draft
