"""API of the workflow: the caller's notifications."""
