"""Signals of the workflow, both with `application` and `entry` (the TransitionLog row):

- `transition_recorded` is sent inside the transition's transaction, right after its history row:
  what a listener writes (notifications and their e-mails in the outbox) commits with the
  transition or not at all, and a listener's error rolls the transition back.
- `transition_completed` is sent after the transaction commits (robustly: a failing listener is
  logged), for work that must only follow a committed change.
"""

from django.dispatch import Signal

transition_recorded = Signal()
transition_completed = Signal()
