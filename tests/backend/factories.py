"""Factories of the users."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from backend.users.models import User

DEFAULT_PASSWORD = "Correct-Horse-42-battery"


class UserFactory(factory.django.DjangoModelFactory):
    """`UserFactory(role="engineer", branches=[branch])`."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.ru")
    last_name = "Иванов"
    first_name = "Иван"
    password = factory.django.Password(DEFAULT_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))

    @factory.post_generation
    def branches(self, create, extracted, **kwargs):
        if extracted:
            self.branches.set(extracted)
