"""Demo data of the connection domain for a development portal: one account per role and two
applications of the demo applicant, made through the portal's own services. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from backend.users.models import User
from backend.users.roles import Role
from connection import services, workflow_actions
from connection.completeness import required_documents
from connection.load_calculation import apply_load_result, calculate_load
from grid.models import Branch


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: Role
    last_name: str
    first_name: str


DEMO_ACCOUNTS = [
    DemoAccount("applicant@demo.local", "demo-applicant-2026", Role.APPLICANT, "Петров", "Пётр"),
    DemoAccount("engineer@demo.local", "demo-engineer-2026", Role.ENGINEER, "Сидорова", "Анна"),
    DemoAccount("supervisor@demo.local", "demo-supervisor-2026", Role.SUPERVISOR, "Кузнецов", "Олег"),
    DemoAccount("admin@demo.local", "demo-admin-2026", Role.ADMINISTRATOR, "Админов", "Админ"),
]


@transaction.atomic
def load_demo_accounts() -> list[DemoAccount]:
    """Create or reset one account per role with a known password (development only)."""
    default_branch = Branch.objects.filter(is_default=True).first()
    for account in DEMO_ACCOUNTS:
        user, _created = User.objects.get_or_create(email=account.email)
        user.last_name, user.first_name = account.last_name, account.first_name
        user.is_staff = account.role in (Role.ADMINISTRATOR, Role.SUPERVISOR, Role.ENGINEER)
        user.is_superuser = account.role == Role.ADMINISTRATOR
        user.set_password(account.password)
        user.save()
        user.groups.set([Group.objects.get(name=account.role.value)])
        if account.role == Role.ENGINEER and default_branch is not None:
            user.branches.set([default_branch])
    return DEMO_ACCOUNTS


DEMO_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def load_demo_applications() -> int:
    """Two applications of the demo applicant, once: a draft in Mikhailovsk and a registered one in
    Stavropol (the demo engineer's branch), made through the same services as the portal's."""
    owner = User.objects.filter(email=DEMO_ACCOUNTS[0].email).first()
    if owner is None or owner.connection_requests.exists():
        return 0
    applicant = services.create_applicant(
        owner=owner,
        data={
            "applicant_type": "individual",
            "last_name": "Петров",
            "first_name": "Пётр",
            "middle_name": "Петрович",
            "snils": "11223344595",
            "passport_series": "0712",
            "passport_number": "345678",
            "passport_issued_by": "ГУ МВД России по Ставропольскому краю",
            "passport_issued_on": timezone.localdate() - timedelta(days=3650),
            "registration_address": "355000, г. Ставрополь, ул. Ленина, д. 1",
            "phone": "+7 900 123-45-67",
            "email": owner.email,
        },
    )
    common = {
        "applicant": applicant,
        "kind": "new",
        "voltage_level": "0.4",
        "phases": 3,
        "reliability_category": "III",
        "load_character": "household",
        "guaranteeing_supplier": "ПАО «Ставропольэнергосбыт»",
        "payment_option": "lump_sum",
    }
    stage_date = timezone.localdate() + timedelta(days=180)
    services.create_draft(
        owner=owner,
        data={
            **common,
            "object_name": "Жилой дом (черновик)",
            "object_address": "Ставропольский край, г. Михайловск, ул. Полевая, д. 5",
            "latitude": Decimal("45.129800"),
            "longitude": Decimal("42.025400"),
            "requested_kw": Decimal("12"),
        },
        stages=[{"planned_date": stage_date, "power_kw": Decimal("12")}],
    )
    # The power comes from the load calculator, so the engineer's page shows a calculation and its trace.
    calculation_input = {
        "devices": [
            {"device_type": "electric_cooker", "quantity": 1},
            {"device_type": "storage_water_heater", "quantity": 1},
            {"device_type": "lighting_led", "quantity": 30},
            {"name": "Мастерская", "unit_kw": Decimal("2.5"), "quantity": 1},
        ]
    }
    result = calculate_load(calculation_input)
    design_kw = Decimal(result.design_kw).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    registered = services.create_draft(
        owner=owner,
        data={
            **common,
            "object_name": "Жилой дом",
            "object_address": "г. Ставрополь, ул. Доваторцев, д. 40",
            "cadastral_number": "26:12:030101:45",
            "latitude": Decimal("45.015000"),
            "longitude": Decimal("41.925000"),
            "requested_kw": design_kw,
        },
        stages=[{"planned_date": stage_date, "power_kw": design_kw}],
    )
    apply_load_result(application=registered, result=result, input_data=calculation_input, user=owner)
    for doc_type in required_documents(registered):
        services.upload_document(
            application=registered,
            user=owner,
            doc_type=doc_type,
            upload=SimpleUploadedFile(f"{doc_type}.pdf", DEMO_PDF, content_type="application/pdf"),
        )
    workflow_actions.perform_transition(application=registered, name="submit", user=owner, comment="Демо")
    return 2
