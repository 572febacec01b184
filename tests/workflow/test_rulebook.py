"""The rulebook: seeded defaults, selection by date, immutability, caching, file loading."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from django.utils.translation import override

from tests.workflow.factories import version_with
from workflow import rulebook
from workflow.models import Confidence, RulebookVersion, RuleValue, local_today
from workflow.rulebook import (
    RULE_KEYS,
    RulebookInvalid,
    RulebookMissing,
    RuleValueError,
    canonical_value,
    copy_version,
    get_rules,
    get_rules_by_version,
)
from workflow.seeding import DATA_DIR

pytestmark = pytest.mark.django_db

SEED_FILE = DATA_DIR / "rulebook-2022-07-01.yaml"

# The defaults of shared/reference/connection-rules.md §1 and §3.
DEFAULTS = {
    "household_max_kw": Decimal("15"),
    "business_max_kw": Decimal("150"),
    "temporary_max_kw": Decimal("150"),
    "household_max_voltage_kv": Decimal("0.4"),
    "business_max_voltage_kv": Decimal("20"),
    "temporary_max_voltage_kv": Decimal("20"),
    "household_reliability_categories": ("III",),
    "business_reliability_categories": ("II", "III"),
    "temporary_reliability_categories": ("III",),
    "temporary_terms_months": (6, 12),
    "category_ii_inspection_min_kw": Decimal("15"),
    "urban_distance_m": Decimal("300"),
    "rural_distance_m": Decimal("500"),
    "near_grid_distance_m": Decimal("15"),
    "completeness_check_wd": 3,
    "applicant_info_wd": 20,
    "offer_wd": 10,
    "payment_wd": 5,
    "payment_procurement_wd": 15,
    "works_term_near_0_4kv_wd": 30,
    "works_term_within_distance_no_construction_months": 4,
    "works_term_within_distance_months": 6,
    "works_term_beyond_distance_months": 12,
    "works_term_temporary_wd": 15,
    "readiness_check_wd": 10,
    "final_documents_copy_wd": 2,
    "tu_validity_years": 2,
    "tu_validity_max_years": 5,
    "instalment_share_percent": Decimal("90"),
    "instalment_period_months": 3,
    "instalment_max_years": 3,
    "instalment_rate_margin_pp": Decimal("4"),
    "delay_penalty_percent_per_day": Decimal("0.25"),
    "report_answer_wd": 8,
    "incident_radius_m": Decimal("1000"),
    "incident_window_hours": 6,
}


def seed() -> RulebookVersion:
    return RulebookVersion.objects.get(code="2022-07")


def test_seeded_values_are_the_reference_defaults():
    rules = get_rules()
    assert rules.as_dict() == DEFAULTS
    assert set(DEFAULTS) == set(RULE_KEYS)
    assert (rules.version_code, rules.effective_from) == ("2022-07", date(2022, 7, 1))
    assert rules.version_id == seed().pk


def test_values_are_typed():
    rules = get_rules()
    assert isinstance(rules.household_max_voltage_kv, Decimal)
    assert isinstance(rules.offer_wd, int)
    assert rules.business_reliability_categories == ("II", "III")
    assert rules.temporary_terms_months == (6, 12)


def test_every_value_has_a_source_and_a_confidence():
    rules = get_rules()
    for key in RULE_KEYS:
        assert rules.source(key)
        assert rules.confidence(key) in Confidence.values
    assert rules.confidence("household_max_kw") == "firm"
    assert rules.confidence("completeness_check_wd") == "verify"
    assert "older edition said 6" in rules.source("completeness_check_wd")
    with translation.override("en"):
        assert rules.unit("household_max_kw") == "kW"
    with pytest.raises(KeyError):
        rules.source("no_such_key")


def test_seed_file_holds_canonical_text():
    for row in seed().values.all():
        assert canonical_value(row.key, row.value) == row.value


def test_a_later_version_takes_effect_on_its_date():
    today = local_today()
    draft = version_with(today + timedelta(days=10), offer_wd="15")
    assert get_rules().version_code == "2022-07"
    assert get_rules(on=today + timedelta(days=9)).offer_wd == 10
    assert get_rules(on=today + timedelta(days=10)).version_id == draft.pk
    assert get_rules(on=today + timedelta(days=400)).offer_wd == 15


def test_an_earlier_date_keeps_the_old_version():
    version_with(date(2024, 1, 1), code="2024-01", payment_wd="7")
    assert get_rules(on=date(2023, 12, 31)).payment_wd == 5
    assert get_rules(on=date(2024, 1, 1)).payment_wd == 7
    assert get_rules().payment_wd == 7


def test_datetimes_are_read_in_the_portal_time_zone():
    # 30.06.2022 21:30 UTC is 1.07.2022 00:30 in Moscow: the seed is in effect.
    assert get_rules(on=datetime(2022, 6, 30, 21, 30, tzinfo=UTC)).version_code == "2022-07"
    with pytest.raises(RulebookMissing):
        get_rules(on=datetime(2022, 6, 30, 20, 30, tzinfo=UTC))


def test_missing_rulebook_is_a_clear_error():
    with (
        override("en"),
        pytest.raises(RulebookMissing, match="No rulebook version is in effect on 2000-01-01"),
    ):
        get_rules(on=date(2000, 1, 1))
    with pytest.raises(RulebookMissing, match="нет действующей версии свода правил"):
        get_rules(on=date(2000, 1, 1))
    with pytest.raises(RulebookMissing):
        get_rules_by_version(987654)


def test_incomplete_version_is_refused():
    version = RulebookVersion.objects.create(code="partial", effective_from=date(2023, 1, 1))
    RuleValue.objects.create(version=version, key="offer_wd", value="10")
    with override("en"), pytest.raises(RulebookInvalid, match="lacks values for"):
        get_rules(on=date(2023, 6, 1))


# An application keeps its version


def test_get_rules_by_version_keeps_old_values_after_a_new_version():
    old_id = get_rules().version_id
    version_with(date(2025, 1, 1), code="2025-01", offer_wd="15", household_max_kw="20")
    assert get_rules().offer_wd == 15
    old = get_rules_by_version(old_id)
    assert (old.offer_wd, old.household_max_kw) == (10, Decimal("15"))


def test_rules_of_versions_in_effect_are_cached(django_assert_num_queries):
    version_id = get_rules().version_id
    get_rules_by_version(version_id)
    with django_assert_num_queries(0):
        for _ in range(100):
            get_rules_by_version(version_id)


def test_drafts_are_read_fresh():
    draft = version_with(local_today() + timedelta(days=30), offer_wd="12")
    assert get_rules_by_version(draft.pk).offer_wd == 12
    row = draft.values.get(key="offer_wd")
    row.value = "14"
    row.save()
    assert get_rules_by_version(draft.pk).offer_wd == 14


def test_values_of_a_version_in_effect_cannot_be_changed():
    row = seed().values.get(key="offer_wd")
    row.value = "15"
    with pytest.raises(ValidationError):
        row.full_clean()
    with pytest.raises(ValidationError):
        row.save()
    assert seed().values.get(key="offer_wd").value == "10"


def test_a_version_in_effect_cannot_be_changed_or_deleted():
    version = seed()
    version.effective_from = date(2022, 8, 1)
    with pytest.raises(ValidationError):
        version.save()
    with pytest.raises(ValidationError):
        seed().delete()
    # Queryset deletes are refused by pre_delete, inside Django's transaction: give each its own.
    with pytest.raises(ValidationError), transaction.atomic():
        RulebookVersion.objects.filter(code="2022-07").delete()
    with pytest.raises(ValidationError), transaction.atomic():
        RuleValue.objects.filter(version__code="2022-07", key="offer_wd").delete()
    assert seed().values.count() == len(RULE_KEYS)


def test_a_draft_can_be_changed_and_deleted():
    draft = version_with(local_today() + timedelta(days=5))
    row = draft.values.get(key="payment_wd")
    row.value = "6"
    row.full_clean()
    row.save()
    draft.title = "changed"
    draft.save()
    draft.delete()
    assert not RulebookVersion.objects.filter(pk=draft.pk).exists()


def test_new_versions_through_forms_start_tomorrow_at_the_earliest():
    version = RulebookVersion(code="x", effective_from=local_today())
    with pytest.raises(ValidationError) as caught:
        version.full_clean()
    assert "effective_from" in caught.value.message_dict
    RulebookVersion(code="y", effective_from=local_today() + timedelta(days=1)).full_clean()


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("household_max_voltage_kv", "0.40", "0.4"),
        ("urban_distance_m", "300.0", "300"),
        ("business_reliability_categories", " II , III ", "II,III"),
        ("temporary_terms_months", "6, 12", "6,12"),
        ("offer_wd", " 10 ", "10"),
    ],
)
def test_canonical_values(key, text, expected):
    assert canonical_value(key, text) == expected


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("household_max_kw", "fifteen"),
        ("household_max_kw", "-1"),
        ("household_max_kw", "NaN"),
        ("offer_wd", "10.5"),
        ("household_reliability_categories", "IV"),
        ("temporary_terms_months", ""),
    ],
)
def test_invalid_values_are_refused(key, text):
    with pytest.raises(RuleValueError):
        canonical_value(key, text)


def test_unknown_key_is_refused_by_clean():
    draft = version_with(local_today() + timedelta(days=5))
    with pytest.raises(ValidationError) as caught:
        RuleValue(version=draft, key="no_such_key", value="1").full_clean()
    assert "key" in caught.value.message_dict


# Copying and loading files


def test_copy_version_makes_a_complete_draft_after_the_latest():
    later = version_with(local_today() + timedelta(days=20))
    draft = copy_version(seed())
    assert draft.effective_from == later.effective_from + timedelta(days=1)
    assert draft.code == draft.effective_from.isoformat()
    assert not draft.is_locked()
    copied = get_rules_by_version(draft.pk)
    assert copied.as_dict() == DEFAULTS
    assert copied.source("offer_wd") == get_rules().source("offer_wd")


def test_load_rulebook_is_idempotent(capsys):
    call_command("load_rulebook", str(SEED_FILE))
    call_command("load_rulebook", str(SEED_FILE))
    assert capsys.readouterr().out.count("2022-07 (from 2022-07-01): unchanged") == 2
    assert RulebookVersion.objects.count() == 1


def _write_version(tmp_path, effective_from: date, code: str, **changes: str):
    text = SEED_FILE.read_text(encoding="utf-8")
    text = text.replace('code: "2022-07"', f'code: "{code}"').replace(
        "effective_from: 2022-07-01", f"effective_from: {effective_from.isoformat()}"
    )
    for key, value in changes.items():
        start = text.index(f"  {key}:\n")
        old = text[start : text.index("\n", text.index("value:", start)) + 1]
        text = text.replace(old, f'  {key}:\n    value: "{value}"\n')
    path = tmp_path / f"rulebook-{effective_from.isoformat()}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_rulebook_creates_then_updates_a_draft(tmp_path, capsys):
    starts = local_today() + timedelta(days=60)
    path = _write_version(tmp_path, starts, "next", payment_wd="7")
    call_command("load_rulebook", str(path))
    call_command("load_rulebook", str(path))
    path = _write_version(tmp_path, starts, "next", payment_wd="8")
    call_command("load_rulebook", str(path))
    out = capsys.readouterr().out
    assert "next (from" in out
    assert [line.rsplit(" ", 1)[-1] for line in out.splitlines()] == ["created", "unchanged", "updated"]
    assert get_rules(on=starts).payment_wd == 8
    assert get_rules().payment_wd == 5


def test_load_rulebook_refuses_to_change_a_version_in_effect(tmp_path):
    path = _write_version(tmp_path, date(2022, 7, 1), "2022-07", offer_wd="11")
    with pytest.raises(CommandError, match="cannot be changed"):
        call_command("load_rulebook", str(path))
    assert get_rules().offer_wd == 10


def test_load_rulebook_may_add_a_key_a_version_in_effect_lacks():
    seed().values.filter(key="readiness_check_wd")._raw_delete(RuleValue.objects.db)  # as if added later
    call_command("load_rulebook", str(SEED_FILE))
    assert get_rules().readiness_check_wd == 10


def test_load_rulebook_refuses_bad_files(tmp_path):
    path = _write_version(tmp_path, date(2031, 1, 1), "bad", offer_wd="ten")
    with pytest.raises(CommandError, match="offer_wd"):
        call_command("load_rulebook", str(path))
    text = SEED_FILE.read_text(encoding="utf-8").replace('code: "2022-07"', 'code: "partial"')
    text = text.replace("effective_from: 2022-07-01", "effective_from: 2031-02-01")
    start = text.index("  payment_wd:\n")
    text = text[:start] + text[text.index("  payment_procurement_wd:\n") :]
    partial = tmp_path / "partial.yaml"
    partial.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match="payment_wd: missing"):
        call_command("load_rulebook", str(partial))
    same_date = _write_version(tmp_path, date(2022, 7, 1), "other")
    with pytest.raises(CommandError, match="takes effect on 2022-07-01"):
        call_command("load_rulebook", str(same_date))
    assert RulebookVersion.objects.count() == 1


def test_rulebook_module_holds_no_values():
    # The registry describes keys; a value in code would defeat the versioning.
    assert not any(hasattr(spec, "value") for spec in rulebook.RULE_SPECS.values())
