"""The state machine of an application: transitions, rulebook, working-day calendar, history,
scheduled jobs, notifications."""
