"""Signals of the workflow. `transition_completed` is sent after the transaction commits, with
`application` and `entry` (the TransitionLog row); notifications and domain listeners use it."""

from django.dispatch import Signal

transition_completed = Signal()
