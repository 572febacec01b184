"""Demo data for a development portal: branches from the shipped district data and one account
per role. Idempotent: running it again updates what is there and adds what is missing."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from django.contrib.auth.models import Group
from django.db import transaction

from backend.users.models import User
from backend.users.roles import Role
from connection.models import Branch

DISTRICTS_FILE = "stavropol-krai-districts-osm.csv"


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


def branch_rows() -> list[dict[str, str]]:
    """One branch per district or city of krai significance (a demo assumption, see data/README)."""
    path = resources.files("connection") / "data" / DISTRICTS_FILE
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            index = int(row["feature_index"])
            name = row["district"].strip()
            # District names end in -ский/-ной; the 8 cities of krai significance do not.
            is_district = name.endswith(("ский", "ной", "цкий"))
            rows.append(
                {
                    "code": f"res-{index + 1:02d}",
                    "name": f"{name} РЭС" if is_district else f"РЭС г. {name}",
                }
            )
    return rows


@transaction.atomic
def load_branches() -> int:
    rows = branch_rows()
    for row in rows:
        Branch.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    # The regional capital's branch takes what no territory claims.
    capital = Branch.objects.get(name="РЭС г. Ставрополь")
    if not Branch.objects.filter(is_default=True).exists():
        capital.is_default = True
        capital.save(update_fields=["is_default"])
    return len(rows)


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
