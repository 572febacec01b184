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
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext

from workflow.models import Confidence, RulebookVersion, RuleValue, local_today
from workflow.rule_specs import RULE_KEYS as RULE_KEYS
from workflow.rule_specs import RULE_SPECS as RULE_SPECS
from workflow.rule_specs import RULE_TYPES as RULE_TYPES
from workflow.rule_specs import Rules as Rules
from workflow.rule_specs import RuleSpec as RuleSpec
from workflow.rule_specs import RuleValueError as RuleValueError
from workflow.rule_specs import canonical_value as canonical_value
from workflow.rule_specs import format_value as format_value
from workflow.rule_specs import parse_value as parse_value
from workflow.seeding import RulebookData


class RulebookError(Exception):
    """Base of the rulebook's errors."""


class RulebookMissing(RulebookError, LookupError):
    """No version is in effect on the date asked for, or the version asked for does not exist."""


class RulebookInvalid(RulebookError):
    """A version lacks keys or holds a value its key's type refuses; or a file cannot be loaded."""


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
