"""The state machine of an application, as an abstract model the domain model inherits.

The state field is protected: it changes only through the transition methods here, and
ConcurrentTransitionMixin makes a transition's save fail if another one changed the state first.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from workflow.states import State


class ApplicationStateMachine(ConcurrentTransitionMixin, models.Model):
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True, db_index=True)

    class Meta:
        abstract = True

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self) -> None:
        """Registration of the application; the domain service checks completeness first."""
