"""Programmes (โครงการ) and their eligibility rules, editable by admins."""
