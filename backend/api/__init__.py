"""API conventions shared by every app: error body, pagination, the v1 router."""
