"""Role groups exist after migrate and carry their permissions."""

import pytest
from django.contrib.auth.models import Group

from backend.users.roles import ROLE_PERMISSIONS, Role
from tests.backend.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_role_is_a_group_with_its_permissions():
    for role in Role:
        group = Group.objects.get(name=role.value)
        names = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        if ROLE_PERMISSIONS[role] == ["*"]:
            assert "users.change_user" in names
        else:
            assert names == set(ROLE_PERMISSIONS[role])


def test_user_roles_and_superuser_is_administrator():
    assert UserFactory(role="engineer").roles == {"engineer"}
    assert UserFactory(is_superuser=True).has_role(Role.ADMINISTRATOR)
    assert not UserFactory(role="applicant").has_role(Role.ENGINEER, Role.SUPERVISOR)


def test_email_login_is_case_insensitive():
    from django.contrib.auth import get_user_model

    user = UserFactory(email="mixed@example.ru")
    assert get_user_model().objects.get_by_natural_key("MIXED@example.ru") == user
