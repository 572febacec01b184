"""API of users: registration, tokens, the current user."""
