"""Browser UI: applicant wizard and tracking, engineer console (server-rendered templates)."""
