"""HTTP conventions shared by every service: problem+json errors, health, pagination."""
