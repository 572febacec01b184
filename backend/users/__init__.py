"""Users and roles: the custom user model, role groups, API tokens and authentication."""
