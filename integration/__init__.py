"""Third-party systems: integration clients and their scoped keys, the authority applicants give
them, idempotent writes, the events feed and signed webhooks."""
